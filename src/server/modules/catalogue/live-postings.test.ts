import { describe, expect, it } from 'vitest';
import { rng } from '../../test/random';
import { gramsOf, LivePostings } from './live-postings';

/** What the postings must answer: the positions whose text contains the term, ascending. */
const reference = (texts: string[], term: string) => texts.flatMap((t, i) => (t.includes(term) ? [i] : []));

/** Exactly what search asks of the postings: candidates, verified with includes when not exact. */
function find(p: LivePostings, texts: string[], term: string): number[] {
  const c = p.candidates(term)!;
  const out = Array.from(c.docs);
  for (let k = 1; k < out.length; k++) expect(out[k]).toBeGreaterThan(out[k - 1]);
  return c.exact ? out : out.filter((i) => texts[i].includes(term));
}

describe('live postings', () => {
  it('cuts a text into its grams: units and adjacent pairs, none across a space', () => {
    expect([...gramsOf('显微 镜a')].sort()).toEqual(['a', '微', '显', '显微', '镜', '镜a'].sort());
    expect(gramsOf('')).toEqual(new Set());
  });

  it('follows edits, appended positions and removals exactly as postings built afresh would', () => {
    const r = rng(7);
    const alphabet = ['显', '微', '镜', '色', '谱', '仪', 'a', 'b', 's', 'u', '8', '0', ' '];
    const word = () =>
      Array.from({ length: 1 + Math.floor(r() * 12) }, () => alphabet[Math.floor(r() * alphabet.length)])
        .join('')
        .trim();
    const texts = Array.from({ length: 60 }, word);
    const live = LivePostings.build(texts);
    const terms = ['显', '微镜', '色谱仪', 'su80', 'a', 'ab', '镜镜', 'zz', '仪 ', '8'];
    for (let step = 0; step < 400; step++) {
      const k = r();
      if (k < 0.15) {
        texts.push(word());
        live.change(texts.length - 1, '', texts[texts.length - 1]);
      } else if (k < 0.25) {
        const i = Math.floor(r() * texts.length);
        live.change(i, texts[i], '');
        texts[i] = '';
      } else {
        const i = Math.floor(r() * texts.length);
        const next = word();
        live.change(i, texts[i], next);
        texts[i] = next;
      }
      for (const term of terms.filter((t) => !t.includes(' ')))
        expect(find(live, texts, term), `step ${step}, ${term}`).toEqual(reference(texts, term));
    }
    expect(live.changes).toBeGreaterThan(0);
    // built afresh from the same texts, the answers are the same
    const fresh = LivePostings.build(texts);
    for (const term of ['显', '微镜', 'su80', '仪']) expect(find(fresh, texts, term)).toEqual(find(live, texts, term));
  });

  it('a changed gram is merged once and kept until it changes again', () => {
    const texts = ['显微镜', '色谱仪', '显微'];
    for (const opts of [{ bitmapAbove: Infinity }, { bitmapAbove: 0 }]) {
      const live = LivePostings.build(texts, opts);
      live.change(1, '色谱仪', '显微色谱仪');
      const first = live.set('显微');
      expect(Array.from(live.list('显微'))).toEqual([0, 1, 2]);
      expect(live.set('显微')).toBe(first);
      live.change(2, '显微', '');
      expect(Array.from(live.list('显微'))).toEqual([0, 1]);
    }
  });

  it('follows edits over bitmaps and lists alike, also past the built positions', () => {
    for (const opts of [{ bitmapAbove: Infinity }, { bitmapAbove: 0 }, { bitmapAbove: 2 }, {}]) {
      const r = rng(99);
      const alphabet = ['显', '微', '镜', '仪', 'a', 'b', ' '];
      const word = () =>
        Array.from({ length: Math.floor(r() * 10) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      // 40 docs: 2 words; appended positions go past the bitmaps' width
      const texts = Array.from({ length: 40 }, word);
      const live = LivePostings.build(texts, opts);
      const terms = ['显', '微', 'a', '显微', '微镜', 'ab', '显微镜', '镜仪a', 'ba', 'aa', '仪仪'];
      for (let step = 0; step < 300; step++) {
        const k = r();
        const i = k < 0.3 ? texts.length : Math.floor(r() * texts.length);
        const next = k < 0.45 && k >= 0.3 ? '' : word();
        live.change(i, texts[i] ?? '', next);
        texts[i] = next;
        // plain comparisons (thousands of them), one expect per step
        const wrong = terms.filter((t) => {
          const c = live.candidates(t)!;
          const got = c.exact ? Array.from(c.docs) : Array.from(c.docs).filter((i) => texts[i].includes(t));
          return got.join() !== reference(texts, t).join() || c.docs.some((d, k) => k > 0 && d <= c.docs[k - 1]);
        });
        expect(wrong, `${JSON.stringify(opts)} step ${step}`).toEqual([]);
      }
      expect(texts.length).toBeGreaterThan(100);
    }
  });
});
