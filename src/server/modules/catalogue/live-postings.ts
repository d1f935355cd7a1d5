/**
 * Postings that follow the catalogue's writes: the postings built at start (finder.ts, doc = snapshot position)
 * plus, per gram, the positions that gained it since (`extra`) and the built-in ones that lost it (`gone`).
 *
 * Why: positions in the snapshot never move (a new instrument is appended, a removed one leaves an empty text),
 * so a text edit changes only the lists of the grams that the old and the new text do not share — a few dozen
 * for a typical edit. Looking a gram up costs nothing when it has no change; a changed gram is merged once and
 * kept until it changes again. When the changes grow large, the postings are built again from the current texts
 * (`compactDue`), which makes every list a plain view again.
 *
 * A gram kept as a bitmap in the build (finder.ts) is merged into a copy of its bitmap (wide enough for the
 * appended positions), and whether a position is in the base is a bit test there.
 */
import {
  buildPostings,
  candidatesFrom,
  docsOf,
  gramSet,
  has,
  type BuildOptions,
  type Candidates,
  type GramSet,
  type Postings,
} from './finder';

const SPACE = 32;

/** The grams of a text: every code unit and every adjacent pair of code units without a space. */
export function gramsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE) continue;
    out.add(text[i]);
    if (i + 1 < text.length && text.charCodeAt(i + 1) !== SPACE) out.add(text.slice(i, i + 2));
  }
  return out;
}

/** Index of the first element ≥ v in the ascending a[0..n). */
function lowerBound(a: ArrayLike<number>, n: number, v: number): number {
  let lo = 0,
    hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addSorted(m: Map<string, number[]>, g: string, p: number) {
  const l = m.get(g);
  if (!l) {
    m.set(g, [p]);
    return 1;
  }
  const k = lowerBound(l, l.length, p);
  if (l[k] === p) return 0;
  l.splice(k, 0, p);
  return 1;
}
function removeSorted(m: Map<string, number[]>, g: string, p: number) {
  const l = m.get(g);
  if (!l) return 0;
  const k = lowerBound(l, l.length, p);
  if (l[k] !== p) return 0;
  l.splice(k, 1);
  if (!l.length) m.delete(g);
  return 1;
}

/** (base \ gone) ∪ extra as a bitmap: a copy of the base's, wide enough for every extra position. */
function mergeBits(base: Uint32Array, size: number, gone: number[], extra: number[]): GramSet {
  const words = extra.length ? (extra[extra.length - 1] >>> 5) + 1 : 0;
  const bits = new Uint32Array(Math.max(base.length, words));
  bits.set(base);
  for (const p of gone) bits[p >>> 5] &= ~(1 << (p & 31));
  for (const p of extra) bits[p >>> 5] |= 1 << (p & 31);
  return { docs: null, bits, size: size - gone.length + extra.length };
}

/** (base \ gone) ∪ extra, all ascending; extra and base share nothing. */
function mergeLists(base: Int32Array, gone: number[], extra: number[]): Int32Array {
  const out = new Int32Array(base.length - gone.length + extra.length);
  let i = 0,
    g = 0,
    e = 0,
    o = 0;
  while (i < base.length) {
    const v = base[i++];
    if (g < gone.length && gone[g] === v) {
      g++;
      continue;
    }
    while (e < extra.length && extra[e] < v) out[o++] = extra[e++];
    out[o++] = v;
  }
  while (e < extra.length) out[o++] = extra[e++];
  return o === out.length ? out : out.slice(0, o);
}

/** Changed grams whose merged list is kept; above this many positions in them, the kept lists are dropped. */
const MERGED_BUDGET = 8_000_000;
/** Above this many changed (gram, position) entries the postings are rebuilt from the current texts. */
const COMPACT_AT = 1_000_000;

export class LivePostings {
  private extra = new Map<string, number[]>();
  private gone = new Map<string, number[]>();
  private merged = new Map<string, GramSet>();
  private mergedSize = 0;
  /** (gram, position) entries in extra and gone */
  changes = 0;

  constructor(private base: Postings) {}

  static build(texts: readonly string[], opts?: BuildOptions) {
    return new LivePostings(buildPostings(texts, opts));
  }

  /** The positions whose text contains the gram (1 or 2 code units): a list or a bitmap, exact; not to be written. */
  set(g: string): GramSet {
    const b = gramSet(this.base, g);
    const e = this.extra.get(g),
      x = this.gone.get(g);
    if (!e && !x) return b;
    let m = this.merged.get(g);
    if (!m) {
      if (b.bits) m = mergeBits(b.bits, b.size, x ?? [], e ?? []);
      else {
        const docs = mergeLists(b.docs!, x ?? [], e ?? []);
        m = { docs, bits: null, size: docs.length };
      }
      // in 4-byte units, as the lists
      const cost = m.bits ? m.bits.length : m.size;
      if (this.mergedSize + cost > MERGED_BUDGET) {
        this.merged.clear();
        this.mergedSize = 0;
      }
      this.merged.set(g, m);
      this.mergedSize += cost;
    }
    return m;
  }

  /** The positions whose text contains the gram, ascending (a bitmap is decoded into a fresh array). */
  list(g: string): Int32Array {
    return docsOf(this.set(g));
  }

  /** Candidates of a term (exact for 1–2 code units; else to verify with includes). */
  candidates(term: string): Candidates | null {
    return candidatesFrom(term, (g) => this.set(g));
  }

  private inBase(g: string, p: number): boolean {
    return has(gramSet(this.base, g), p);
  }

  private forget(g: string) {
    const m = this.merged.get(g);
    if (m) {
      this.mergedSize -= m.bits ? m.bits.length : m.size;
      this.merged.delete(g);
    }
  }

  /** Position p's text changed from `before` to `after` ('' when it is not listed): work in the grams they do not share. */
  change(p: number, before: string, after: string) {
    if (before === after) return;
    const b = gramsOf(before),
      a = gramsOf(after);
    for (const g of b) {
      if (a.has(g)) continue;
      this.changes += this.inBase(g, p) ? addSorted(this.gone, g, p) : -removeSorted(this.extra, g, p);
      this.forget(g);
    }
    for (const g of a) {
      if (b.has(g)) continue;
      this.changes += this.inBase(g, p) ? -removeSorted(this.gone, g, p) : addSorted(this.extra, g, p);
      this.forget(g);
    }
  }

  /** True when the changes are large enough that building the postings again pays. */
  get compactDue() {
    return this.changes > COMPACT_AT;
  }
}
