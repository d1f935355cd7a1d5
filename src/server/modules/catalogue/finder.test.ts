import { describe, expect, it } from 'vitest';
import { rng } from '../../test/random';
import { buildPostings, candidates, type Postings } from './finder';

/** What search answers with the postings: candidates, verified with includes when not exact. */
function find(p: Postings, texts: string[], term: string): number[] {
  const c = candidates(p, term);
  if (!c) return texts.flatMap((t, d) => (t.includes(term) ? [d] : []));
  const out = Array.from(c.docs);
  for (let k = 1; k < out.length; k++) expect(out[k]).toBeGreaterThan(out[k - 1]);
  return c.exact ? out : out.filter((d) => texts[d].includes(term));
}
const reference = (texts: string[], term: string) => texts.flatMap((t, d) => (t.includes(term) ? [d] : []));

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
