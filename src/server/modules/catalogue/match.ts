/**
 * Which positions a query term matches, and how well: exactly `text.includes(term)` over the listed instruments'
 * search texts (docs/decisions/0001-catalogue-search.md), from the live postings (live-postings.ts).
 */
import { termGet, termSet, weightsOf } from './cache';
import type { Snapshot } from './snapshot';
import { WEIGHT } from './text';

const EMPTY = new Int32Array(0);

/**
 * Snapshot positions of the listed instruments whose search text contains `term`, ascending. A 1–2 character term
 * is a list of the postings as it is; a longer one intersects the lists of its pairs and verifies the candidates,
 * and is kept in the term cache (when the cache is on).
 */
export function termHits(snap: Snapshot, term: string): Int32Array {
  const c = snap.postings.candidates(term);
  if (c && c.exact) return c.docs;
  const cached = termGet(snap.caches, term);
  if (cached) return cached;
  const { text, alive } = snap;
  let hits: Int32Array;
  if (!c) {
    const out: number[] = [];
    for (let i = 0; i < snap.n; i++) if (alive[i] && text[i].includes(term)) out.push(i);
    hits = Int32Array.from(out);
  } else {
    const docs = c.docs;
    const holds = verifier(snap, term);
    const out = new Int32Array(docs.length);
    let o = 0;
    for (let k = 0; k < docs.length; k++) if (holds(docs[k])) out[o++] = docs[k];
    hits = o ? out.slice(0, o) : EMPTY;
  }
  termSet(snap.caches, term, hits);
  return hits;
}

/**
 * Whether the search text of live position i contains `term`. The name, model and manufacturer are parts of the
 * search text, and many instruments share them (the relevance table holds each combination once): where the term
 * is found in one of them — which relevance asks anyway, once per combination — the text holds it without reading
 * the text; else the text is read.
 */
export function verifier(snap: Snapshot, term: string): (i: number) => boolean {
  const { text, alive, rel } = snap;
  const { weights, compute } = termWeights(snap, term);
  return (i) => alive[i] === 1 && ((weights[rel[i]] || compute(rel[i])) > WEIGHT.other || text[i].includes(term));
}

/**
 * The relevance weight of `term` for each entry of the relevance table (name 8 > model 4 > manufacturer 2 >
 * any other text 1), computed on first use of an entry: at most one includes per distinct name/model/maker.
 */
export function termWeights(snap: Snapshot, term: string): { weights: Int8Array; compute: (k: number) => number } {
  const t = snap.relTable;
  const weights = weightsOf(snap.caches, term, t.name.length);
  const compute = (k: number) => {
    const v = t.name[k].includes(term)
      ? WEIGHT.name
      : t.model[k].includes(term)
        ? WEIGHT.model
        : t.maker[k].includes(term)
          ? WEIGHT.manufacturer
          : WEIGHT.other;
    weights[k] = v;
    return v;
  };
  return { weights, compute };
}
