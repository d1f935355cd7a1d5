import { describe, expect, it } from 'vitest';
import { rng } from '../../test/random';
import { buildPostings, candidates, decode, gramList, gramSet, type BuildOptions, type Postings } from './finder';

/** What search answers with the postings: candidates, verified with includes when not exact. */
function find(p: Postings, texts: string[], term: string): number[] {
  const c = candidates(p, term);
  if (!c) return texts.flatMap((t, d) => (t.includes(term) ? [d] : []));
  const out = Array.from(c.docs);
  for (let k = 1; k < out.length; k++) expect(out[k]).toBeGreaterThan(out[k - 1]);
  return c.exact ? out : out.filter((d) => texts[d].includes(term));
}
const reference = (texts: string[], term: string) => texts.flatMap((t, d) => (t.includes(term) ? [d] : []));

/**
 * What is wrong with the answer to `term`, '' when nothing: the hits must equal includes, the candidates must be
 * ascending, and tight where bit tests are cheap (every candidate holds every pair kept as a bitmap). Plain checks,
 * not expect: the random corpora ask thousands of terms.
 */
function fault(p: Postings, texts: string[], term: string): string {
  const c = candidates(p, term);
  if (!c) return '';
  const d = c.docs;
  for (let k = 1; k < d.length; k++) if (d[k] <= d[k - 1]) return `not ascending at ${k}`;
  const got = c.exact ? Array.from(d) : Array.from(d).filter((i) => texts[i].includes(term));
  if (got.join() !== reference(texts, term).join()) return `hits ${got.join()}`;
  if (c.exact) return '';
  for (let i = 0; i + 1 < term.length; i++) {
    const pair = term.slice(i, i + 2);
    if (!gramSet(p, pair).bits) continue;
    for (const k of d) if (!texts[k].includes(pair)) return `candidate ${k} lacks ${pair}`;
  }
  return '';
}

describe('postings', () => {
  const texts = [
    '场发射扫描电子显微镜 su8010 日立',
    '透射电子显微镜 jem-2100f',
    '气相色谱仪 7890b 安捷伦',
    '显微 显 微',
    '',
    '镜镜镜镜',
    'a_b 100% 𠀀𠀁',
    '色谱-质谱联用仪',
  ];
  const p = buildPostings(texts);

  it('answers 1- and 2-unit terms exactly, without verification', () => {
    for (const term of ['镜', '显微', '微镜', '谱', 'su', '%', '_b', '0%', 'zz', '𠀀', '\ud840']) {
      const c = candidates(p, term)!;
      expect(c.exact, term).toBe(true);
      expect(Array.from(c.docs), term).toEqual(reference(texts, term));
    }
  });

  it('longer terms equal a substring match, also across repeated pairs and surrogate pairs', () => {
    for (const term of [
      '显微镜',
      '电子显微镜',
      '镜镜镜',
      '镜镜镜镜镜',
      'su8010',
      'jem-2100f',
      '色谱-质谱',
      '𠀀𠀁',
      '微 显',
      '不存在',
      'a_b',
      '100%',
    ]) {
      expect(find(p, texts, term), term).toEqual(reference(texts, term));
    }
  });

  it('a term with a space is left to the caller (null)', () => {
    expect(candidates(p, '显微 镜')).toBeNull();
  });

  it('equals includes on random texts and terms', () => {
    const r = rng(42);
    const alphabet = ['显', '微', '镜', '色', '谱', 'a', 'b', '1', ' ', '-', '𠀀'];
    const word = (len: number) =>
      Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    const many = Array.from({ length: 400 }, () => word(Math.floor(r() * 30)));
    const q = buildPostings(many);
    for (let k = 0; k < 600; k++) {
      const term = word(1 + Math.floor(r() * 5)).replace(/ /g, '');
      if (!term) continue;
      expect(find(q, many, term), term).toEqual(reference(many, term));
    }
    // long lists of very different sizes take the galloping path
    const skewed = Array.from({ length: 5000 }, (_, d) => (d % 97 === 0 ? 'xyz 显微镜' : d % 2 ? '显微 x' : '微镜 yz'));
    const s = buildPostings(skewed);
    for (const term of ['显微镜', 'xyz', '微镜', 'yz'])
      expect(find(s, skewed, term), term).toEqual(reference(skewed, term));
  });
});

describe('postings with bitmaps', () => {
  const r = rng(1234);
  const word = (alphabet: string[], len: number) =>
    Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  // every gram a list, every gram a bitmap, a few of each, and the default break-even (ceil(m / 32))
  const modes: BuildOptions[] = [{ bitmapAbove: Infinity }, { bitmapAbove: 0 }, { bitmapAbove: 3 }, {}];

  it('decodes a bitmap into ascending docs, the top bit of a word included', () => {
    const bits = new Uint32Array(3);
    const docs = [0, 1, 30, 31, 32, 63, 64, 95];
    for (const d of docs) bits[d >>> 5] |= 1 << (d & 31);
    expect(Array.from(decode(bits, docs.length))).toEqual(docs);
    expect(Array.from(decode(new Uint32Array(4), 0))).toEqual([]);
  });

  it('a unit in most docs is a bitmap, a rare one a list, and both answer exactly', () => {
    // 70 docs: ceil(70 / 32) = 3 words, so a gram in more than 3 docs is a bitmap
    const texts = Array.from({ length: 70 }, (_, d) =>
      d % 5 === 0 ? '' : d % 23 === 0 ? '显微镜 su8010' : d % 2 ? '显微 仪' : '镜显 微仪',
    );
    const p = buildPostings(texts);
    expect(p.bitmaps.size).toBeGreaterThan(0);
    expect(p.post.length).toBeGreaterThan(0);
    expect(p.bits.length).toBe(3 * p.bitmaps.size);
    for (const term of [
      '显',
      '微',
      '仪',
      '显微',
      '镜显',
      '微仪',
      's',
      'su',
      '显微镜',
      '镜显微',
      'su8010',
      '微镜',
      'zz',
    ])
      expect(find(p, texts, term), term).toEqual(reference(texts, term));
    expect(Array.from(gramList(p, '显'))).toEqual(reference(texts, '显'));
  });

  it('every mode answers the same as includes on random corpora', () => {
    for (let round = 0; round < 12; round++) {
      // a small alphabet puts many grams above the break-even; sizes around word boundaries
      const alphabet =
        round % 2 ? ['显', '微', '镜', 'a', ' '] : ['显', '微', '镜', '色', '谱', 'a', 'b', '1', ' ', '𠀀'];
      const m = [1, 31, 32, 33, 64, 65, 200, 1000][round % 8];
      const texts = Array.from({ length: m }, () => (r() < 0.1 ? '' : word(alphabet, Math.floor(r() * 16))));
      const terms = Array.from({ length: 150 }, () => word(alphabet, 1 + Math.floor(r() * 5)).replace(/ /g, ''));
      for (const opts of modes) {
        const p = buildPostings(texts, opts);
        const faults = terms.filter((t) => t && fault(p, texts, t)).map((t) => `${t}: ${fault(p, texts, t)}`);
        expect(faults, `m ${m}, ${JSON.stringify(opts)}`).toEqual([]);
      }
    }
  });

  it('mixes lists and bitmaps in one term: a rare pair starts, frequent pairs are bit tests', () => {
    const texts = Array.from({ length: 3000 }, (_, d) =>
      d % 101 === 0 ? '显微镜xyz' : d % 3 ? '显微镜' : d % 7 ? '微镜x' : 'xyz 显微',
    );
    const p = buildPostings(texts);
    expect(p.bitmaps.size).toBeGreaterThan(0);
    for (const term of ['显微镜', '镜xyz', '显微镜x', '微镜x', 'xyz', '显微镜xyz']) {
      expect(find(p, texts, term), term).toEqual(reference(texts, term));
      expect(fault(p, texts, term), term).toBe('');
    }
  });
});
