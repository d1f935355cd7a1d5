/**
 * In-memory postings for substring search: for every code unit and every pair of adjacent code units (without a
 * space) of a list of texts, the ascending list of the texts ("docs") that contain it. Pure: no I/O, unit-tested
 * against String.includes in finder.test.ts.
 *
 * The contract is a plain substring match (`text.includes(term)`, what `LIKE '%term%'` answers over search_text):
 * - a term of 1 or 2 code units is one lookup, and the list is exact;
 * - a longer term intersects the lists of its adjacent pairs, smallest first (every text that contains the term
 *   contains each of its pairs), and the candidates are verified with includes.
 * Query terms never contain a space (text.ts splits at whitespace), so pairs across a space are not kept.
 *
 * Code units, not code points: a character outside the BMP is two units, which changes nothing for exactness.
 */

const SPACE = 32;

export interface Postings {
  /** number of docs the postings were built over */
  m: number;
  /** code unit → dense unit id, -1 when no text has it */
  uid: Int32Array;
  /** code unit → gram, -1 when no text has it */
  unitGram: Int32Array;
  /** uid(a) * 65536 + uid(b) → gram of the pair ab */
  pairGram: Map<number, number>;
  /** docs of gram g: post[start[g] .. start[g + 1]), ascending */
  start: Int32Array;
  post: Int32Array;
}

const EMPTY = new Int32Array(0);

/** Builds the postings of `texts` (doc = index into texts) in two passes: count, then fill one flat array. */
export function buildPostings(texts: readonly string[]): Postings {
  const m = texts.length;
  const uid = new Int32Array(65536).fill(-1);
  const unitGram = new Int32Array(65536).fill(-1);
  const pairGram = new Map<number, number>();
  let units = 0,
    grams = 0;
  let counts = new Int32Array(4096);
  let last = new Int32Array(4096).fill(-1);
  const grow = () => {
    const c = new Int32Array(counts.length * 2);
    c.set(counts);
    const l = new Int32Array(last.length * 2).fill(-1);
    l.set(last);
    counts = c;
    last = l;
  };

  // pass 1: assign grams, count the docs of each (a doc counts once per gram)
  for (let d = 0; d < m; d++) {
    const s = texts[d];
    let prev = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === SPACE) {
        prev = -1;
        continue;
      }
      let a = uid[c];
      if (a < 0) {
        a = uid[c] = units++;
      }
      let g = unitGram[c];
      if (g < 0) {
        g = unitGram[c] = grams++;
        if (g >= counts.length) grow();
      }
      if (last[g] !== d) {
        last[g] = d;
        counts[g]++;
      }
      if (prev >= 0) {
        const key = prev * 65536 + a;
        let p = pairGram.get(key);
        if (p === undefined) {
          p = grams++;
          pairGram.set(key, p);
          if (p >= counts.length) grow();
        }
        if (last[p] !== d) {
          last[p] = d;
          counts[p]++;
        }
      }
      prev = a;
    }
  }

  const start = new Int32Array(grams + 1);
  for (let g = 0; g < grams; g++) start[g + 1] = start[g] + counts[g];
  const post = new Int32Array(start[grams]);
  const fill = start.slice(0, grams);
  last.fill(-1);

  // pass 2: the same walk, writing docs; docs come in ascending order, so every list is sorted
  for (let d = 0; d < m; d++) {
    const s = texts[d];
    let prev = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === SPACE) {
        prev = -1;
        continue;
      }
      const a = uid[c];
      const g = unitGram[c];
      if (last[g] !== d) {
        last[g] = d;
        post[fill[g]++] = d;
      }
      if (prev >= 0) {
        const p = pairGram.get(prev * 65536 + a)!;
        if (last[p] !== d) {
          last[p] = d;
          post[fill[p]++] = d;
        }
      }
      prev = a;
    }
  }
  return { m, uid, unitGram, pairGram, start, post };
}

const list = (p: Postings, g: number | undefined) =>
  g === undefined || g < 0 ? EMPTY : p.post.subarray(p.start[g], p.start[g + 1]);

/** The docs that contain the gram `g` (1 or 2 code units, no space), ascending: a view of the postings. */
export function gramList(p: Postings, g: string): Int32Array {
  if (g.length === 1) return list(p, p.unitGram[g.charCodeAt(0)]);
  const x = p.uid[g.charCodeAt(0)],
    y = p.uid[g.charCodeAt(1)];
  if (x < 0 || y < 0) return EMPTY;
  return list(p, p.pairGram.get(x * 65536 + y));
}

// scratch for intersections: grown on demand, never shrunk (a search is synchronous, so one pair is enough)
let scratchA = new Int32Array(1024);
let scratchB = new Int32Array(1024);
function scratch(n: number) {
  if (scratchA.length < n) {
    scratchA = new Int32Array(n);
    scratchB = new Int32Array(n);
  }
}

/** Writes a ∩ b (both ascending) to out and returns its length; gallops through b when a is much shorter. */
export function intersect(a: Int32Array, an: number, b: Int32Array, out: Int32Array): number {
  const bn = b.length;
  let o = 0;
  if (an * 16 < bn) {
    let lo = 0;
    for (let i = 0; i < an && lo < bn; i++) {
      const v = a[i];
      // exponential search from lo, then binary search
      let step = 1,
        hi = lo;
      while (hi < bn && b[hi] < v) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
      }
      if (hi > bn) hi = bn;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      if (lo < bn && b[lo] === v) out[o++] = v;
    }
    return o;
  }
  let i = 0,
    j = 0;
  while (i < an && j < bn) {
    const x = a[i],
      y = b[j];
    if (x < y) i++;
    else if (x > y) j++;
    else {
      out[o++] = x;
      i++;
      j++;
    }
  }
  return o;
}

export interface Candidates {
  /** ascending docs; a view that must not be written, or a fresh array */
  docs: Int32Array;
  /** true: every doc contains the term; false: candidates to verify with includes */
  exact: boolean;
}

/**
 * The docs that may contain `term` (a term of 1–2 code units: exactly those). `null` when the postings cannot
 * answer (the term has a space): the caller then checks every text.
 */
export const candidates = (p: Postings, term: string): Candidates | null => candidatesFrom(term, (g) => gramList(p, g));

/**
 * The same over any source of gram lists (the live postings of the catalogue add the changes since a build):
 * `lookup(g)` gives the ascending docs of a 1–2 code-unit gram.
 */
export function candidatesFrom(term: string, lookup: (gram: string) => Int32Array): Candidates | null {
  const n = term.length;
  if (n === 0 || term.includes(' ')) return null;
  if (n <= 2) return { docs: lookup(term), exact: true };
  const lists: Int32Array[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < n; i++) {
    const pair = term.slice(i, i + 2);
    if (seen.has(pair)) continue;
    seen.add(pair);
    const l = lookup(pair);
    if (!l.length) return { docs: EMPTY, exact: true };
    lists.push(l);
  }
  lists.sort((x, y) => x.length - y.length);
  if (lists.length === 1) return { docs: lists[0], exact: false };
  scratch(lists[0].length);
  let cur = lists[0],
    curN = lists[0].length,
    into = scratchA;
  for (let k = 1; k < lists.length && curN > 0; k++) {
    // a handful of candidates is cheaper to verify than another list to walk
    if (curN <= 32 && k >= 2) break;
    curN = intersect(cur, curN, lists[k], into);
    cur = into;
    into = into === scratchA ? scratchB : scratchA;
  }
  return { docs: cur.slice(0, curN), exact: false };
}
