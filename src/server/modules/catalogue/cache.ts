/**
 * What the catalogue keeps from one search for the next, and what a change of one instrument takes away.
 *
 * Every kept result names what it depends on: the service (service.ts) stores it with a test `affectedBy(change)`
 * that says whether the change of one instrument can alter it (its hits, its counts, or its order). A change of a
 * service count keeps every count and every order in which the instrument is not a hit; a text edit keeps every
 * result whose terms the old and the new text both miss. A result stored without a test goes with any change.
 *
 * With CATALOGUE_CACHE=off (`on: false`) nothing is kept: every search computes its result, which is what the
 * benchmark's cold case measures. The cache only ever adds speed on top.
 */

/** The values of one position that searches depend on (snapshot.ts `valuesAt`). */
export interface Values {
  text: string;
  category: number;
  city: number;
  org: number;
  value: number;
  sharing: number;
  run: number;
  served: number;
  purchased: number;
  rel: number;
  fieldBits: number;
  fieldMore: number[] | null;
}
/** One instrument's change: its values before (null: it was not listed) and after (null: it is not listed now). */
export interface Change {
  id: string;
  before: Values | null;
  after: Values | null;
}

interface Entry {
  v: unknown;
  size: number;
  affectedBy?: (c: Change) => boolean;
}

export interface CacheStats {
  resultHits: number;
  resultCountsHits: number;
  resultMisses: number;
  termHits: number;
  termMisses: number;
  rebuilds: number;
  patches: number;
  kept: number;
  dropped: number;
}

export interface Caches {
  on: boolean;
  /** positions per query term of 3+ code units (verified), least recently used first */
  terms: Map<string, Int32Array>;
  termEntries: number;
  /** relevance weight per term and relevance-table entry (0 = not computed yet) */
  weights: Map<string, Int8Array>;
  /** whole or partial search results */
  memo: Map<string, Entry>;
  memoEntries: number;
  stats: CacheStats;
}

export const newStats = (): CacheStats => ({
  resultHits: 0,
  resultCountsHits: 0,
  resultMisses: 0,
  termHits: 0,
  termMisses: 0,
  rebuilds: 0,
  patches: 0,
  kept: 0,
  dropped: 0,
});
export const newCaches = (on: boolean, stats = newStats()): Caches => ({
  on,
  terms: new Map(),
  termEntries: 0,
  weights: new Map(),
  memo: new Map(),
  memoEntries: 0,
  stats,
});

// budgets: the cache adds speed on top of a search that is fast without it, so it stays small (memory target)
const TERM_BUDGET = 500_000; // positions kept in the term cache (2 MB)
const MEMO_ENTRIES = 512;
const MEMO_BUDGET = 1_000_000; // positions kept in results (4 MB)
const WEIGHTS_MAX = 64;

export function termGet(c: Caches, term: string): Int32Array | undefined {
  const hit = c.terms.get(term);
  if (hit) {
    c.stats.termHits++;
    c.terms.delete(term);
    c.terms.set(term, hit);
  } else c.stats.termMisses++;
  return hit;
}
export function termSet(c: Caches, term: string, hits: Int32Array) {
  if (!c.on) return;
  c.terms.set(term, hits);
  c.termEntries += hits.length;
  for (const [k, v] of c.terms) {
    if (c.termEntries <= TERM_BUDGET) break;
    c.terms.delete(k);
    c.termEntries -= v.length;
  }
}

/** The weights of `term` per relevance-table entry, grown to `size` entries (the table is only appended to). */
export function weightsOf(c: Caches, term: string, size: number): Int8Array {
  let w = c.weights.get(term);
  if (w && w.length >= size) return w;
  const grown = new Int8Array(Math.max(size, 16) + (size >> 2));
  if (w) grown.set(w);
  w = grown;
  if (c.on) {
    c.weights.set(term, w);
    if (c.weights.size > WEIGHTS_MAX) c.weights.delete(c.weights.keys().next().value!);
  }
  return w;
}

export function memoGet<T>(c: Caches, key: string): T | undefined {
  const hit = c.memo.get(key);
  if (!hit) return undefined;
  c.memo.delete(key);
  c.memo.set(key, hit);
  return hit.v as T;
}

/** Keeps a result; `size` counts the positions it holds; `affectedBy` says which changes can alter it. */
export function memoSet<T>(c: Caches, key: string, v: T, size = 0, affectedBy?: (ch: Change) => boolean): T {
  if (!c.on) return v;
  const old = c.memo.get(key);
  if (old) {
    c.memoEntries -= old.size;
    c.memo.delete(key);
  }
  c.memo.set(key, { v, size, affectedBy });
  c.memoEntries += size;
  for (const [k, e] of c.memo) {
    if (c.memo.size <= MEMO_ENTRIES && c.memoEntries <= MEMO_BUDGET) break;
    if (k === key) continue;
    c.memo.delete(k);
    c.memoEntries -= e.size;
  }
  return v;
}

/** Counts a search by how much of its result came from the cache: all of it, the counts only, or nothing. */
export function recordResult(c: Caches, how: 'hit' | 'counts' | 'miss') {
  if (how === 'hit') c.stats.resultHits++;
  else if (how === 'counts') c.stats.resultCountsHits++;
  else c.stats.resultMisses++;
}

const same = (a: Values, b: Values) =>
  a.text === b.text &&
  a.category === b.category &&
  a.city === b.city &&
  a.org === b.org &&
  (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value))) &&
  a.sharing === b.sharing &&
  a.run === b.run &&
  a.served === b.served &&
  a.purchased === b.purchased &&
  a.rel === b.rel &&
  a.fieldBits === b.fieldBits &&
  (a.fieldMore ?? []).join() === (b.fieldMore ?? []).join();

/** True when the change alters nothing that searches look at (a rating, a contact, a picture …). */
const unchanged = (ch: Change) => !!ch.before && !!ch.after && same(ch.before, ch.after);

/**
 * Takes away what the changes can alter: term hits whose term the old and new text do not agree on, and results
 * whose test says so (or that have none).
 */
export function invalidate(c: Caches, changes: Change[]) {
  for (const ch of changes) {
    if (unchanged(ch)) continue;
    const b = ch.before?.text ?? '',
      a = ch.after?.text ?? '';
    if (a !== b) {
      for (const [t, hits] of c.terms)
        if (a.includes(t) !== b.includes(t)) {
          c.terms.delete(t);
          c.termEntries -= hits.length;
        }
    }
    for (const [k, e] of c.memo) {
      if (e.affectedBy && !e.affectedBy(ch)) {
        c.stats.kept++;
        continue;
      }
      c.memo.delete(k);
      c.memoEntries -= e.size;
      c.stats.dropped++;
    }
  }
}

/** Forgets everything kept (the benchmark starts its cold measurements so). */
export function clear(c: Caches) {
  c.terms.clear();
  c.termEntries = 0;
  c.weights.clear();
  c.memo.clear();
  c.memoEntries = 0;
}
