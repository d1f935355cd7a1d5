/**
 * The order of a query's passing positions under a sort, for both directions, and the keyset cursor. Ties break by
 * rank (the position in id order, snapshot.ts), so every instance orders alike and a cursor holds across them.
 */
import { badInput } from '../../../domain/errors';
import { termWeights } from './match';
import { nextStamp, type Snapshot } from './snapshot';

export type Sort = 'relevance' | 'served' | 'purchased';
export type Dir = 'asc' | 'desc';

/** Relevance of position i: the sum over terms of where each is found (name > model > manufacturer > other text). */
export function scorer(snap: Snapshot, terms: string[]): (i: number) => number {
  const ws = terms.map((t) => termWeights(snap, t));
  const rel = snap.rel;
  if (ws.length === 1) {
    const { weights, compute } = ws[0];
    return (i) => { const k = rel[i]; return weights[k] || compute(k); };
  }
  return (i) => {
    const k = rel[i];
    let s = 0;
    for (const w of ws) s += w.weights[k] || w.compute(k);
    return s;
  };
}

/** The sort key of a position; for `purchased` the first number is 0 (date known) or 1 (unknown, always last). */
export function keyOf(snap: Snapshot, i: number, sort: Sort, score: (i: number) => number): number[] {
  if (sort === 'served') return [snap.served[i]];
  if (sort === 'purchased') return snap.purchased[i] ? [0, snap.purchased[i]] : [1, 0];
  return [score(i), snap.served[i]];
}

interface Cursor { s: Sort; d: Dir; k: number[]; id: string }
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(raw: string, sort: Sort, dir: Dir): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (c.s === sort && c.d === dir && Array.isArray(c.k) && c.k.every((x) => typeof x === 'number') && typeof c.id === 'string') return c;
  } catch { /* reported below */ }
  throw badInput('BAD_CURSOR', '翻页位置无效，请从第一页重新查询', { after: '无效或与当前排序不符' });
}

/** Position of (key, id) relative to the cursor in list order: > 0 when it comes after. */
export function cmp(key: number[], id: string, c: Cursor, sort: Sort, dir: Dir): number {
  let k = 0;
  if (sort === 'purchased') {
    if (key[0] !== c.k[0]) return key[0] - c.k[0];
    k = 1;
  }
  const sign = dir === 'asc' ? 1 : -1;
  for (; k < key.length; k++) if (key[k] !== c.k[k]) return sign * (key[k] - c.k[k]);
  return sign * (id < c.id ? -1 : id > c.id ? 1 : 0);
}

/**
 * The passing positions of one query in the order of one sort, for both directions: segments that are read
 * forwards in one direction and each backwards in the other (segment order stays: unknown purchase dates are last
 * either way). Ties break by rank (= id order) in the direction of the sort, so the order is total.
 * - served: [ascending (served, rank)], forwards = asc;
 * - purchased: [known dates ascending, unknown dates ascending], forwards = asc;
 * - relevance: [(score, served, rank) descending], forwards = desc.
 * When every listed instrument passes, the snapshot's own sort arrays are used as they are (nothing is copied).
 */
export interface Order { segs: Int32Array[]; forward: Dir; total: number }

/** Reads an order in a direction: at(j) is the j-th position of the list. */
export function reader(o: Order, dir: Dir): (j: number) => number {
  const back = dir !== o.forward;
  const [a, b] = o.segs;
  const an = a.length;
  if (!b) return back ? (j) => a[an - 1 - j] : (j) => a[j];
  const bn = b.length;
  return back ? (j) => (j < an ? a[an - 1 - j] : b[bn - 1 - (j - an)]) : (j) => (j < an ? a[j] : b[j - an]);
}

/** Positions of `by` that are marked with `stamp`, keeping their order; `by` itself when every position counts. */
function pick(snap: Snapshot, by: Int32Array, stamp: number, all: boolean, cap: number): Int32Array {
  if (all) return by;
  const { mark } = snap;
  const out = new Int32Array(Math.min(cap, by.length));
  let o = 0;
  for (let k = 0; k < by.length && o < out.length; k++) if (mark[by[k]] === stamp) out[o++] = by[k];
  return o === out.length ? out : out.slice(0, o);
}

const M = 2 ** 22; // ranks below this fit beside a 31-bit sort key in one exact double

/** Positions sorted ascending by (key[i], rank[i]), natively: each becomes one number key[i] · M + rank[i]. */
function sortBy(snap: Snapshot, positions: ArrayLike<number>, key: Int32Array): Int32Array {
  const { rank, posOfRank } = snap;
  const n = positions.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) { const i = positions[k]; keys[k] = key[i] * M + rank[i]; }
  keys.sort();
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = posOfRank[keys[k] % M];
  return out;
}

/** Positions sorted by rank (id order). */
function byRank(snap: Snapshot, positions: number[]): Int32Array {
  const r = Int32Array.from(positions, (i) => snap.rank[i]).sort();
  return r.map((k) => snap.posOfRank[k]);
}

export type SortKind = 'served' | 'purchased' | 'relevance';
export const sortKind = (sort: Sort, terms: string[]): SortKind => (sort === 'relevance' && !terms.length ? 'served' : sort);

/**
 * The order of `members` (null: every listed position) under a sort. A large set is picked from the snapshot's
 * sort orders (one pass over them); a small one is sorted by itself, which costs far less than a pass over all n.
 */
export function ordered(snap: Snapshot, members: Int32Array | null, kind: SortKind, score: (i: number) => number): Order {
  const all = members === null;
  const total = all ? snap.live : members.length;
  const sparse = !all && total * 16 < snap.live && snap.n < M;
  const byServed = snap.byServed.view();
  let stamp = 0;
  if (!all && !sparse) {
    stamp = nextStamp(snap);
    const { mark } = snap;
    for (let k = 0; k < members.length; k++) mark[members[k]] = stamp;
  }
  if (kind === 'served') return { segs: [sparse ? sortBy(snap, members!, snap.served) : pick(snap, byServed, stamp, all, total)], forward: 'asc', total };
  if (kind === 'purchased') {
    if (sparse) {
      const known: number[] = [], unknown: number[] = [];
      for (const i of members!) (snap.purchased[i] ? known : unknown).push(i);
      return { segs: [sortBy(snap, known, snap.purchased), byRank(snap, unknown)], forward: 'asc', total };
    }
    return { segs: [pick(snap, snap.byPurchased.view(), stamp, all, total), pick(snap, snap.noPurchase.view(), stamp, all, total)], forward: 'asc', total };
  }
  // relevance: by score desc, then (served desc, rank desc): a counting sort by score over the served order
  let seq: Int32Array;
  let n = 0;
  if (sparse) {
    const asc = sortBy(snap, members!, snap.served);
    seq = snap.scratchPos;
    for (let k = asc.length - 1; k >= 0; k--) seq[n++] = asc[k];
  } else {
    const { mark } = snap;
    const by = byServed;
    seq = snap.scratchPos;
    for (let k = by.length - 1; k >= 0; k--) { const i = by[k]; if (all || mark[i] === stamp) seq[n++] = i; }
  }
  const scores = snap.scratchScore;
  let max = 0;
  for (let k = 0; k < n; k++) { const sc = score(seq[k]); scores[k] = sc; if (sc > max) max = sc; }
  const at = new Int32Array(max + 2);
  for (let k = 0; k < n; k++) at[max - scores[k] + 1]++;
  for (let v = 1; v <= max + 1; v++) at[v] += at[v - 1];
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[at[max - scores[k]]++] = seq[k];
  return { segs: [out], forward: 'desc', total: n };
}
