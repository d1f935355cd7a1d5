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
 *
 * A gram in more docs than the break-even (`bitmapAbove`, by default ceil(m / 32): the words of a bitmap) is kept
 * as a bitmap of m bits instead of a list of 4 bytes per doc (issue 10: 61 → 20 MB of postings at 100k).
 * Intersecting with a bitmap is a bit test per candidate; where a consumer needs the docs of a bitmap gram (a 1–2
 * unit term, or a term whose pairs are all bitmaps: their AND), they are decoded, ascending.
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
  /** docs of gram g: post[start[g] .. start[g + 1]), ascending (an empty range for a bitmap gram) */
  start: Int32Array;
  post: Int32Array;
  /** the grams kept as bitmaps: gram → its set (views of `bits`) */
  bitmaps: Map<number, GramSet>;
  /** every bitmap, ceil(m / 32) words each */
  bits: Uint32Array;
}

/**
 * The docs of a gram: an ascending list, or a bitmap (bit d of word d >>> 5 set for doc d; docs beyond its words
 * have no bit). `size` is the number of docs either way.
 */
export interface GramSet {
  docs: Int32Array | null;
  bits: Uint32Array | null;
  size: number;
}

export interface BuildOptions {
  /** a gram in more docs than this is kept as a bitmap (default: ceil(m / 32), where the bitmap is smaller) */
  bitmapAbove?: number;
}

const EMPTY = new Int32Array(0);
const NONE: GramSet = { docs: EMPTY, bits: null, size: 0 };

/**
 * Builds the postings of `texts` (doc = index into texts) in two passes: count, then fill one flat array (lists)
 * and one of bitmaps.
 */
export function buildPostings(texts: readonly string[], opts: BuildOptions = {}): Postings {
  const m = texts.length;
  const words = (m + 31) >>> 5;
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

  // a bitmap gram has an empty range in post and a bitmap; `fill` is then -1 - its first word
  const above = opts.bitmapAbove ?? words;
  const start = new Int32Array(grams + 1);
  let nb = 0;
  for (let g = 0; g < grams; g++) {
    const big = counts[g] > above;
    if (big) nb++;
    start[g + 1] = start[g] + (big ? 0 : counts[g]);
  }
  const post = new Int32Array(start[grams]);
  const bits = new Uint32Array(nb * words);
  const bitmaps = new Map<number, GramSet>();
  const fill = start.slice(0, grams);
  for (let g = 0, k = 0; g < grams; g++) {
    if (counts[g] <= above) continue;
    bitmaps.set(g, { docs: null, bits: bits.subarray(k * words, (k + 1) * words), size: counts[g] });
    fill[g] = -1 - k * words;
    k++;
  }
  last.fill(-1);
  const put = (g: number, d: number) => {
    const f = fill[g];
    if (f >= 0) {
      post[f] = d;
      fill[g] = f + 1;
    } else bits[-1 - f + (d >>> 5)] |= 1 << (d & 31);
  };

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
        put(g, d);
      }
      if (prev >= 0) {
        const p = pairGram.get(prev * 65536 + a)!;
        if (last[p] !== d) {
          last[p] = d;
          put(p, d);
        }
      }
      prev = a;
    }
  }
  return { m, uid, unitGram, pairGram, start, post, bitmaps, bits };
}

function setOf(p: Postings, g: number | undefined): GramSet {
  if (g === undefined || g < 0) return NONE;
  const a = p.start[g],
    b = p.start[g + 1];
  if (a < b) return { docs: p.post.subarray(a, b), bits: null, size: b - a };
  return p.bitmaps.get(g) ?? NONE;
}

/** The docs that contain the gram `g` (1 or 2 code units, no space): a view of the postings, not to be written. */
export function gramSet(p: Postings, g: string): GramSet {
  if (g.length === 1) return setOf(p, p.unitGram[g.charCodeAt(0)]);
  const x = p.uid[g.charCodeAt(0)],
    y = p.uid[g.charCodeAt(1)];
  if (x < 0 || y < 0) return NONE;
  return setOf(p, p.pairGram.get(x * 65536 + y));
}

/** The docs of a set, ascending: the list itself, or the bitmap decoded into a fresh array. */
export const docsOf = (s: GramSet): Int32Array => s.docs ?? decode(s.bits!, s.size);

/** The docs that contain the gram `g`, ascending (see docsOf). */
export const gramList = (p: Postings, g: string): Int32Array => docsOf(gramSet(p, g));

/** Whether doc d is in the set (a bit test, or a binary search in the list). */
export function has(s: GramSet, d: number): boolean {
  if (s.bits) return d >>> 5 < s.bits.length && ((s.bits[d >>> 5] >>> (d & 31)) & 1) === 1;
  const l = s.docs!;
  let lo = 0,
    hi = l.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (l[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  return lo < l.length && l[lo] === d;
}

/** The set bits of `bits` as ascending docs (`size`: how many there are, or an upper bound). */
export function decode(bits: Uint32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  let o = 0;
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w];
    const base = w << 5;
    while (x !== 0) {
      const low = x & -x;
      out[o++] = base + 31 - Math.clz32(low);
      x ^= low;
    }
  }
  return o === size ? out : out.slice(0, o);
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

/** Writes the docs of a[0..an) whose bit is set in `bits` to out and returns their number. */
function filterBits(a: Int32Array, an: number, bits: Uint32Array, out: Int32Array): number {
  const wn = bits.length;
  let o = 0;
  for (let i = 0; i < an; i++) {
    const d = a[i],
      w = d >>> 5;
    if (w < wn && ((bits[w] >>> (d & 31)) & 1) === 1) out[o++] = d;
  }
  return o;
}

/** The docs in every bitmap (the AND of all), ascending; `bound`: an upper bound of their number. */
function andBits(sets: GramSet[], bound: number): Int32Array {
  let wn = Infinity;
  for (const s of sets) wn = Math.min(wn, s.bits!.length);
  scratch(bound);
  const out = scratchA;
  const b0 = sets[0].bits!,
    b1 = sets[1].bits!;
  let o = 0;
  for (let w = 0; w < wn; w++) {
    let x = b0[w] & b1[w];
    for (let k = 2; k < sets.length && x !== 0; k++) x &= sets[k].bits![w];
    const base = w << 5;
    while (x !== 0) {
      const low = x & -x;
      out[o++] = base + 31 - Math.clz32(low);
      x ^= low;
    }
  }
  return out.slice(0, o);
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
export const candidates = (p: Postings, term: string): Candidates | null => candidatesFrom(term, (g) => gramSet(p, g));

/** Lists before bitmaps, each by size: the smallest list starts, and bitmaps are bit tests. */
const byCost = (x: GramSet, y: GramSet) => (x.bits ? 1 : 0) - (y.bits ? 1 : 0) || x.size - y.size;

/**
 * The same over any source of gram sets (the live postings of the catalogue add the changes since a build):
 * `lookup(g)` gives the docs of a 1–2 code-unit gram.
 */
export function candidatesFrom(term: string, lookup: (gram: string) => GramSet): Candidates | null {
  const n = term.length;
  if (n === 0 || term.includes(' ')) return null;
  if (n <= 2) return { docs: docsOf(lookup(term)), exact: true };
  const sets: GramSet[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < n; i++) {
    const pair = term.slice(i, i + 2);
    if (seen.has(pair)) continue;
    seen.add(pair);
    const l = lookup(pair);
    if (!l.size) return { docs: EMPTY, exact: true };
    sets.push(l);
  }
  sets.sort(byCost);
  if (sets.length === 1) return { docs: docsOf(sets[0]), exact: false };
  // no list: every set is a bitmap, the smallest first
  if (sets[0].bits) return { docs: andBits(sets, sets[0].size), exact: false };
  const first = sets[0].docs!;
  scratch(first.length);
  let cur = first,
    curN = first.length,
    into = scratchA;
  for (let k = 1; k < sets.length && curN > 0; k++) {
    const s = sets[k];
    if (s.bits) curN = filterBits(cur, curN, s.bits, into);
    // a handful of candidates is cheaper to verify than another list to walk
    else if (curN <= 32 && k >= 2) continue;
    else curN = intersect(cur, curN, s.docs!, into);
    cur = into;
    into = into === scratchA ? scratchB : scratchA;
  }
  return { docs: cur.slice(0, curN), exact: false };
}
