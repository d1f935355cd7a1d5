/**
 * The order of a query's passing positions under a sort, for both directions, and the keyset cursor. Ties break by
 * rank (the position in id order, snapshot.ts), so every instance orders alike and a cursor holds across them.
 */
import { badInput } from '../../../domain/errors';
import { termWeights } from './match';
import { nextStamp, type Snapshot } from './snapshot';
import { MAX_TERMS, WEIGHT } from './text';

/** the highest relevance a query can score: every term in the name */
const MAX_SCORE = WEIGHT.name * MAX_TERMS;

export type Sort = 'relevance' | 'served' | 'purchased';
export type Dir = 'asc' | 'desc';

/** Relevance of a position, with the best and the worst score the query's terms can give. */
export interface Scorer {
  (i: number): number;
  best: number;
  worst: number;
}

/** Relevance of position i: the sum over terms of where each is found (name > model > manufacturer > other text). */
export function scorer(snap: Snapshot, terms: string[]): Scorer {
  const ws = terms.map((t) => termWeights(snap, t));
  const rel = snap.rel;
  const bounds = { best: WEIGHT.name * terms.length, worst: WEIGHT.other * terms.length };
  if (ws.length === 1) {
    const { weights, compute } = ws[0];
    return Object.assign((i: number) => {
      const k = rel[i];
      return weights[k] || compute(k);
    }, bounds);
  }
  return Object.assign((i: number) => {
    const k = rel[i];
    let s = 0;
    for (const w of ws) s += w.weights[k] || w.compute(k);
    return s;
  }, bounds);
}

/** The sort key of a position; for `purchased` the first number is 0 (date known) or 1 (unknown, always last). */
export function keyOf(snap: Snapshot, i: number, sort: Sort, score: Scorer): number[] {
  if (sort === 'served') return [snap.served[i]];
  if (sort === 'purchased') return snap.purchased[i] ? [0, snap.purchased[i]] : [1, 0];
  return [score(i), snap.served[i]];
}

interface Cursor {
  s: Sort;
  d: Dir;
  k: number[];
  id: string;
}
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(raw: string, sort: Sort, dir: Dir): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (
      c.s === sort &&
      c.d === dir &&
      Array.isArray(c.k) &&
      c.k.every((x) => typeof x === 'number') &&
      typeof c.id === 'string'
    )
      return c;
  } catch {
    /* reported below */
  }
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

export type SortKind = 'served' | 'purchased' | 'relevance';
export const sortKind = (sort: Sort, terms: string[]): SortKind =>
  sort === 'relevance' && !terms.length ? 'served' : sort;

const M = 2 ** 22; // ranks below this fit beside a 31-bit sort key in one exact double

/** Positions sorted ascending by (key[i], rank[i]), natively: each becomes one number key[i] · M + rank[i]. */
function sortBy(snap: Snapshot, positions: ArrayLike<number>, key: Int32Array | null): Int32Array {
  const { rank, posOfRank } = snap;
  const n = positions.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = positions[k];
    keys[k] = (key ? key[i] * M : 0) + rank[i];
  }
  keys.sort();
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = posOfRank[keys[k] % M];
  return out;
}

/**
 * One stretch of a query's order: positions of `arr` read forwards or backwards, those that `take` accepts;
 * `count` of them are members. A query's order is a list of runs: one for served; known dates, then unknown
 * ones, for purchased; one per relevance score, best first (last when ascending).
 */
interface Run {
  arr: Int32Array;
  back: boolean;
  take: ((i: number) => boolean) | null;
  count: number;
  score?: number;
}

/** Whether position i comes after the cursor; `score`: the relevance of the run it is read in. */
export type After = (i: number, score: number | undefined) => boolean;

/** The positions of a run from the `skip`-th member on (or after the cursor, in reading order) until `out` has `want`. */
function readRun(r: Run, skip: number, want: number, out: number[], after: After | null) {
  const { arr, back, take } = r;
  const n = arr.length;
  let j = 0;
  if (after) {
    // the first entry after the cursor, by binary search in reading order (entries are in the order of the run)
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after(arr[back ? n - 1 - mid : mid], r.score)) hi = mid;
      else lo = mid + 1;
    }
    j = lo;
  }
  for (; j < n && out.length < want; j++) {
    const i = arr[back ? n - 1 - j : j];
    if (take && !take(i)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(i);
  }
}

/**
 * The positions of one page of a query: `want` positions from the `start`-th on, or after `cursor`, in the order of
 * the sort and direction. Only the page is ordered: a large member set is read from the snapshot's sort orders until
 * the page is full (the members marked in one pass), a small one is sorted by itself. Ties break by rank (= id order)
 * in the direction of the sort, so the order is total and the same on every instance.
 * - served: (served, rank) ascending, read backwards for desc;
 * - purchased: known dates by (date, rank), then unknown dates by rank, each read backwards for desc (unknown last);
 * - relevance: (score, served, rank) descending, read the other way for asc.
 */
export function pageOf(
  snap: Snapshot,
  members: Int32Array | null,
  kind: SortKind,
  dir: Dir,
  score: Scorer,
  start: number,
  want: number,
  after: After | null,
): number[] {
  const all = members === null;
  const total = all ? snap.live : members.length;
  const out: number[] = [];
  if (!total || want <= 0) return out;
  const sparse = !all && total * 16 < snap.live && snap.n < M;
  let take: ((i: number) => boolean) | null = null;
  if (!all && !sparse) {
    const stamp = nextStamp(snap);
    const { mark } = snap;
    for (let k = 0; k < members.length; k++) mark[members[k]] = stamp;
    take = (i) => mark[i] === stamp;
  }
  const back = dir === 'desc';
  const runs: Run[] = [];
  let first: number[] | null;
  if (kind === 'served') {
    runs.push({ arr: sparse ? sortBy(snap, members!, snap.served) : snap.byServed.view(), back, take, count: total });
  } else if (kind === 'purchased') {
    let known = 0;
    if (all) known = snap.byPurchased.len;
    else for (let k = 0; k < members.length; k++) if (snap.purchased[members[k]]) known++;
    if (sparse) {
      const k: number[] = [],
        u: number[] = [];
      for (const i of members!) (snap.purchased[i] ? k : u).push(i);
      runs.push(
        { arr: sortBy(snap, k, snap.purchased), back, take, count: known },
        { arr: sortBy(snap, u, null), back, take, count: total - known },
      );
    } else {
      runs.push(
        { arr: snap.byPurchased.view(), back, take, count: known },
        { arr: snap.noPurchase.view(), back, take, count: total - known },
      );
    }
  } else if (!after && !start && !sparse && (first = firstRelevancePage(snap, take, total, back, score, want))) {
    return first;
  } else {
    // relevance: how many members per score (scores are small integers: a histogram), then each score's members
    // in served order; the members of the scores too rare to read from the served order are gathered in one pass
    const list = all ? snap.byServed.view() : members;
    const perScore = new Int32Array(MAX_SCORE + 1);
    for (let k = 0; k < list.length; k++) perScore[score(list[k])]++;
    const rare = (count: number) => sparse || count * 16 < snap.live;
    const gathered = new Map<number, { arr: Int32Array; n: number }>();
    for (let sc = 0; sc <= MAX_SCORE; sc++)
      if (perScore[sc] && rare(perScore[sc])) gathered.set(sc, { arr: new Int32Array(perScore[sc]), n: 0 });
    if (gathered.size)
      for (let k = 0; k < list.length; k++) {
        const g = gathered.get(score(list[k]));
        if (g) g.arr[g.n++] = list[k];
      }
    const distinct = perScore.reduce((a, c) => a + (c ? 1 : 0), 0);
    for (let r = 0; r <= MAX_SCORE; r++) {
      const sc = back ? MAX_SCORE - r : r; // reading order: best first for desc
      const count = perScore[sc];
      if (!count) continue;
      const g = gathered.get(sc);
      if (g) runs.push({ arr: sortBy(snap, g.arr, snap.served), back, take: null, count, score: sc });
      else
        runs.push({
          arr: snap.byServed.view(),
          back,
          take: all && distinct === 1 ? null : (i: number) => (!take || take(i)) && score(i) === sc,
          count,
          score: sc,
        });
    }
  }
  let skip = start;
  for (const r of runs) {
    if (out.length >= want) break;
    if (!after && skip >= r.count) {
      skip -= r.count;
      continue;
    }
    // with a cursor, a run wholly before it has no entry after it
    readRun(r, after ? 0 : skip, want, out, after);
    if (!after) skip = 0;
  }
  return out;
}

/**
 * The first page of a large relevance query from a read of the served order: each member is scored as it comes, the
 * first `want` of each score are kept, and the read stops once the score that comes first (every term in the name,
 * or for ascending order nowhere but the other text) has the page, since nothing read later can come before it. The
 * same order as the runs of `pageOf`, which need the number of members per score (a pass over every member); this
 * read is given as many entries as there are members, and answers null when they do not fill the page.
 */
function firstRelevancePage(
  snap: Snapshot,
  take: ((i: number) => boolean) | null,
  members: number,
  back: boolean,
  score: Scorer,
  want: number,
): number[] | null {
  const first = back ? score.best : score.worst;
  const perScore: number[][] = [];
  const arr = snap.byServed.view();
  const n = arr.length;
  const budget = Math.min(n, members);
  let j = 0;
  for (; j < budget; j++) {
    const i = arr[back ? n - 1 - j : j];
    if (take && !take(i)) continue;
    const sc = score(i);
    const kept = (perScore[sc] ??= []);
    if (kept.length < want) {
      kept.push(i);
      if (sc === first && kept.length === want) break;
    }
  }
  if (j === budget && budget < n) return null;
  const out: number[] = [];
  for (let r = 0; r <= MAX_SCORE && out.length < want; r++) {
    const kept = perScore[back ? MAX_SCORE - r : r];
    if (kept) for (let k = 0; k < kept.length && out.length < want; k++) out.push(kept[k]);
  }
  return out;
}
