/**
 * 入网仪器: keyword search, filters with counts, sorts, paging (offset and keyset), the 按单位 view and the
 * home page's counts. Matching is a substring match over search_text; see snapshot.ts for how it stays fast.
 *
 * A search is synchronous from the snapshot to the page's positions (no await in between), so it can use the
 * snapshot's scratch arrays instead of allocating n-sized ones per request. Its result — the total and every
 * facet per filters, the ordered positions per filters and sort, for both directions — is kept with the snapshot
 * (not per page): another page of the same query, or the same query again, only cuts a page. A catalogue change
 * replaces the version, hence the snapshot, hence every kept result. The rows of a page are kept with the
 * snapshot too (they change only with the version); its pictures are read from the database on every request.
 */
import { TOTAL_CAP, type CatalogueItemT, type CatalogueQueryT } from '../../../contracts/catalogue';
import { categoryPrefix } from '../../../domain/categories';
import { badInput } from '../../../domain/errors';
import { isBookable, RUN_STATUSES } from '../../../domain/instrument';
import { ORG_TYPES } from '../../../domain/reference';
import type { Database, Db } from '../../db/connect';
import { memoGet, memoSet, nextStamp, recordResult, referenceOf, snapshot, termHits, termWeights, VALUE_RANGES, type Reference, type Snapshot } from './snapshot';
import { queryTerms, snippet } from './text';

export { VALUE_RANGES } from './snapshot';

type Sort = 'relevance' | 'served' | 'purchased';
type Dir = 'asc' | 'desc';

// filter bits: a facet counts a row when the row passes every filter but its own
const CAT = 1, FIELD = 2, CITY = 4, ORG = 8, VALUE = 16, SHARING = 32, RUN = 64;

/** The filters of a query resolved against a snapshot. -1 = a value that no listed instrument has. */
interface Resolved {
  terms: string[];
  /** category filter: 0 none, 1 class (cls), 2 subclass (sub), 3 kind (category) equals catVal */
  catLevel: number; catVal: number;
  field: number | null; city: number | null; org: number | null;
  valueMin: number | null; valueMax: number | null;
  sharing: number | null; run: number | null;
}

function resolve(q: CatalogueFilterInput, snap: Snapshot, ref: Reference): Resolved {
  const terms = queryTerms(q.q);
  let catLevel = 0, catVal = 0;
  if (q.category) {
    const p = categoryPrefix(q.category);
    catLevel = p.length === 2 ? 1 : p.length === 4 ? 2 : 3;
    catVal = Number(p);
  }
  let field: number | null = null;
  if (q.field) {
    const code = ref.fields.find((f) => f.code === q.field || f.name === q.field)?.code ?? q.field;
    field = snap.fields.indexOf(code);
  }
  let city: number | null = null;
  if (q.city) {
    const code = ref.cities.has(q.city) ? q.city : [...ref.cities].find(([, c]) => c.name === q.city || `${c.name}市` === q.city)?.[0] ?? q.city;
    city = snap.cities.indexOf(code);
  }
  const org = q.org ? snap.orgs.indexOf(q.org) : null;
  if (q.valueMin != null && q.valueMax != null && q.valueMin > q.valueMax) {
    throw badInput('VALUE_RANGE', '原值下限不能大于上限', { valueMin: '不能大于上限' });
  }
  return {
    terms, catLevel, catVal, field, city, org,
    valueMin: q.valueMin ?? null, valueMax: q.valueMax ?? null,
    sharing: q.sharing ? (q.sharing === 'internal' ? 0 : 1) : null,
    run: q.status ? (RUN_STATUSES as readonly string[]).indexOf(q.status) : null,
  };
}

export type CatalogueFilterInput = Pick<CatalogueQueryT, 'q' | 'category' | 'field' | 'city' | 'org' | 'valueMin' | 'valueMax' | 'sharing' | 'status'>;

const EMPTY = new Int32Array(0);

/** a ∩ b, both ascending. */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0, j = 0, o = 0;
  while (i < a.length && j < b.length) {
    const x = a[i], y = b[j];
    if (x < y) i++; else if (x > y) j++; else { out[o++] = x; i++; j++; }
  }
  return out.subarray(0, o);
}

/** Positions that contain every term, ascending; null = no keyword (everything). */
function matching(db: Db, snap: Snapshot, terms: string[]): Int32Array | null {
  if (!terms.length) return null;
  const lists: Int32Array[] = [];
  for (const t of terms) {
    const hits = termHits(db, snap, t);
    if (!hits.length) return EMPTY;
    lists.push(hits);
  }
  lists.sort((a, b) => a.length - b.length);
  let cur = lists[0];
  for (let k = 1; k < lists.length && cur.length; k++) cur = intersect(cur, lists[k]);
  return cur;
}

interface Counted {
  /**
   * the positions that pass every filter, ascending; null: every listed instrument. A view of the hits or of the
   * snapshot's scratch: valid until the next search.
   */
  members: Int32Array | null;
  total: number;
  classes: Int32Array; subclasses: Int32Array; fields: Int32Array; cities: Int32Array; orgs: Int32Array;
  sharing: Int32Array; run: Int32Array; value: Int32Array;
}

/**
 * One pass over the hits: which pass all filters, and every facet counted without its own filter.
 * Classes are summed from subclasses afterwards (both count under the same condition).
 */
function count(snap: Snapshot, hits: Int32Array | null, f: Resolved): Counted {
  const c: Counted = {
    members: hits, total: 0,
    classes: new Int32Array(100), subclasses: new Int32Array(10_000), fields: new Int32Array(snap.fields.length), cities: new Int32Array(snap.cities.length),
    orgs: new Int32Array(snap.orgs.length), sharing: new Int32Array(2), run: new Int32Array(RUN_STATUSES.length + 1), value: new Int32Array(VALUE_RANGES.length + 1),
  };
  const { cls, sub, category, fieldStart, fieldValues, city, org, value, valueRange, sharing, run } = snap;
  const { subclasses, fields, cities, orgs, value: values, run: runs } = c;
  const shares = c.sharing;
  const catCol = f.catLevel === 1 ? cls : f.catLevel === 2 ? sub : f.catLevel === 3 ? category : null;
  const { catVal, field: fField, city: fCity, org: fOrg, sharing: fSharing, run: fRun, valueMin, valueMax } = f;
  const hasValue = valueMin !== null || valueMax !== null;
  const filtered = catCol !== null || fField !== null || fCity !== null || fOrg !== null || hasValue || fSharing !== null || fRun !== null;
  const len = hits ? hits.length : snap.n;
  let total = 0;
  if (!filtered) {
    // the common case: every row passes and every facet counts it
    for (let k = 0; k < len; k++) {
      const i = hits ? hits[k] : k;
      subclasses[sub[i]]++;
      for (let j = fieldStart[i], e = fieldStart[i + 1]; j < e; j++) fields[fieldValues[j]]++;
      cities[city[i]]++; orgs[org[i]]++; values[valueRange[i]]++; shares[sharing[i]]++; runs[run[i]]++;
    }
    total = len;
  } else {
    const members = snap.scratchMembers;
    for (let k = 0; k < len; k++) {
      const i = hits ? hits[k] : k;
      let m = 0;
      if (catCol !== null && catCol[i] !== catVal) m |= CAT;
      if (fField !== null) {
        let has = false;
        for (let j = fieldStart[i], e = fieldStart[i + 1]; j < e; j++) if (fieldValues[j] === fField) { has = true; break; }
        if (!has) m |= FIELD;
      }
      if (fCity !== null && city[i] !== fCity) m |= CITY;
      if (fOrg !== null && org[i] !== fOrg) m |= ORG;
      if (hasValue) {
        const v = value[i];
        if (Number.isNaN(v) || (valueMin !== null && v < valueMin) || (valueMax !== null && v > valueMax)) m |= VALUE;
      }
      if (fSharing !== null && sharing[i] !== fSharing) m |= SHARING;
      if (fRun !== null && run[i] !== fRun) m |= RUN;

      if (m === 0) members[total++] = i;
      if ((m & ~CAT) === 0) subclasses[sub[i]]++;
      if ((m & ~FIELD) === 0) for (let j = fieldStart[i], e = fieldStart[i + 1]; j < e; j++) fields[fieldValues[j]]++;
      if ((m & ~CITY) === 0) cities[city[i]]++;
      if ((m & ~ORG) === 0) orgs[org[i]]++;
      if ((m & ~VALUE) === 0) values[valueRange[i]]++;
      if ((m & ~SHARING) === 0) shares[sharing[i]]++;
      if ((m & ~RUN) === 0) runs[run[i]]++;
    }
  }
  for (let k = 0; k < 10_000; k++) if (subclasses[k]) c.classes[Math.floor(k / 100)] += subclasses[k];
  c.total = total;
  if (filtered) c.members = snap.scratchMembers.subarray(0, total);
  return c;
}

// ------------------------------------------------------------------ order and keyset

/** Relevance of position i: the sum over terms of where each is found (name > model > manufacturer > other text). */
function scorer(snap: Snapshot, terms: string[]): (i: number) => number {
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
function keyOf(snap: Snapshot, i: number, sort: Sort, score: (i: number) => number): number[] {
  if (sort === 'served') return [snap.served[i]];
  if (sort === 'purchased') return snap.purchased[i] ? [0, snap.purchased[i]] : [1, 0];
  return [score(i), snap.served[i]];
}

interface Cursor { s: Sort; d: Dir; k: number[]; id: string }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(raw: string, sort: Sort, dir: Dir): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (c.s === sort && c.d === dir && Array.isArray(c.k) && c.k.every((x) => typeof x === 'number') && typeof c.id === 'string') return c;
  } catch { /* reported below */ }
  throw badInput('BAD_CURSOR', '翻页位置无效，请从第一页重新查询', { after: '无效或与当前排序不符' });
}

/** Position of (key, id) relative to the cursor in list order: > 0 when it comes after. */
function cmp(key: number[], id: string, c: Cursor, sort: Sort, dir: Dir): number {
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
 * either way). Ties break by position (= id) in the direction of the sort, so the order is total.
 * - served: [ascending (served, position)], forwards = asc;
 * - purchased: [known dates ascending, unknown dates ascending], forwards = asc;
 * - relevance: [(score, served, position) descending], forwards = desc.
 * When every listed instrument passes, the snapshot's own sort arrays are used as they are (nothing is copied).
 */
interface Order { segs: Int32Array[]; forward: Dir; total: number }

/** Reads an order in a direction: at(j) is the j-th position of the list. */
function reader(o: Order, dir: Dir): (j: number) => number {
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

const M = 2 ** 22; // positions below this fit beside a 31-bit sort key in one exact double

/** Positions sorted ascending by (key[i], i), natively: each becomes one number key[i] · M + i. */
function sortBy(positions: ArrayLike<number>, key: Int32Array): Int32Array {
  const n = positions.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) { const i = positions[k]; keys[k] = key[i] * M + i; }
  keys.sort();
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = keys[k] % M;
  return out;
}

type SortKind = 'served' | 'purchased' | 'relevance';
const sortKind = (sort: Sort, terms: string[]): SortKind => (sort === 'relevance' && !terms.length ? 'served' : sort);

/**
 * The order of `members` (null: every position) under a sort. A large set is picked from the snapshot's sort
 * arrays (one pass over them); a small one is sorted by itself, which costs far less than a pass over all n.
 */
function ordered(snap: Snapshot, members: Int32Array | null, kind: SortKind, score: (i: number) => number): Order {
  const all = members === null;
  const total = all ? snap.n : members.length;
  const sparse = !all && total * 16 < snap.n && snap.n < M;
  let stamp = 0;
  if (!all && !sparse) {
    stamp = nextStamp(snap);
    const { mark } = snap;
    for (let k = 0; k < members.length; k++) mark[members[k]] = stamp;
  }
  if (kind === 'served') return { segs: [sparse ? sortBy(members!, snap.served) : pick(snap, snap.byServed, stamp, all, total)], forward: 'asc', total };
  if (kind === 'purchased') {
    if (sparse) {
      const known: number[] = [], unknown: number[] = [];
      for (const i of members!) (snap.purchased[i] ? known : unknown).push(i);
      return { segs: [sortBy(known, snap.purchased), Int32Array.from(unknown).sort()], forward: 'asc', total };
    }
    return { segs: [pick(snap, snap.byPurchased, stamp, all, total), pick(snap, snap.noPurchase, stamp, all, total)], forward: 'asc', total };
  }
  // relevance: by score desc, then (served desc, position desc): a counting sort by score over the served order
  let seq: Int32Array;
  let n = 0;
  if (sparse) {
    const asc = sortBy(members!, snap.served);
    seq = snap.scratchPos;
    for (let k = asc.length - 1; k >= 0; k--) seq[n++] = asc[k];
  } else {
    const { mark, byServed: by } = snap;
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

// ------------------------------------------------------------------ rows of a page

type PageRow = Awaited<ReturnType<typeof readRows>>[number];

/** The instrument columns a result card shows (pictures apart: they are not part of the catalogue version). */
const readRows = (db: Db, ids: string[]) => db.selectFrom('instruments')
  .select(['id', 'name', 'nameEn', 'model', 'manufacturer', 'categoryCode', 'orgId', 'cityCode', 'valueFen', 'purchaseDate',
    'serviceCount', 'ratingSum', 'ratingCount', 'sharingMode', 'runStatus', 'isDisabled', 'state', 'specs', 'functions'])
  .where('id', 'in', ids).execute();

const ROWS_MAX = 20_000;

/**
 * The items of a page. Their columns change only with the catalogue version (every write of them goes through
 * the indexer or `catalogueChanged`), so rows read once are kept with the snapshot; the organisation's name and
 * city come from the snapshot too. Pictures can be added to a listed instrument without a new version: they are
 * read on every request, with one small query.
 */
async function pageRows(db: Db, snap: Snapshot, ref: Reference, positions: number[], terms: string[]): Promise<CatalogueItemT[]> {
  if (!positions.length) return [];
  const ids = positions.map((i) => snap.ids[i]);
  if (snap.rows.size + ids.length > ROWS_MAX) snap.rows.clear();
  // this request's rows are held here: another request may clear the shared map while this one waits
  const rows = new Map<string, PageRow>();
  const missing: string[] = [];
  for (const id of ids) {
    const r = snap.rows.get(id) as PageRow | undefined;
    if (r) rows.set(id, r); else missing.push(id);
  }
  const [fresh, pictures] = await Promise.all([
    missing.length ? readRows(db, missing) : Promise.resolve([] as PageRow[]),
    db.selectFrom('instrumentFiles').select(['instrumentId', 'fileId', 'sort']).where('kind', '=', 'picture').where('instrumentId', 'in', ids).execute(),
  ]);
  for (const r of fresh) { rows.set(r.id, r); snap.rows.set(r.id, r); }
  // the first picture by (sort, file id)
  const picture = new Map<string, { fileId: string; sort: number }>();
  for (const p of pictures) {
    const cur = picture.get(p.instrumentId);
    if (!cur || p.sort < cur.sort || (p.sort === cur.sort && p.fileId < cur.fileId)) picture.set(p.instrumentId, p);
  }
  const out: CatalogueItemT[] = [];
  for (let k = 0; k < ids.length; k++) {
    const r = rows.get(ids[k]);
    if (!r) continue; // deleted between the snapshot and now
    const o = snap.orgInfo[snap.org[positions[k]]];
    const city = r.cityCode ?? o.cityCode;
    const pic = picture.get(r.id)?.fileId;
    out.push({
      id: r.id, name: r.name, nameEn: r.nameEn, model: r.model, manufacturer: r.manufacturer,
      categoryCode: r.categoryCode, categoryName: ref.categories.get(r.categoryCode)?.name ?? r.categoryCode,
      orgId: r.orgId, orgName: o.name, cityCode: city, cityName: city ? ref.cities.get(city)?.name ?? null : null,
      valueFen: r.valueFen == null ? null : Number(r.valueFen), purchaseDate: r.purchaseDate, serviceCount: Number(r.serviceCount),
      ratingAverage: r.ratingCount ? Math.round((Number(r.ratingSum) / Number(r.ratingCount)) * 10) / 10 : null, ratingCount: Number(r.ratingCount),
      sharingMode: r.sharingMode, runStatus: r.runStatus, isDisabled: !!r.isDisabled, isBookable: isBookable(r.state, !!r.isDisabled),
      pictureUrl: pic ? `/api/files/${pic}/thumb` : null,
      snippet: snippet([r.specs, r.functions].filter(Boolean).join(' '), terms),
    });
  }
  return out;
}

// ------------------------------------------------------------------ use cases

const bucketList = (counts: Int32Array, values: string[], label: (v: string) => string) =>
  values.map((v, k) => ({ value: v, label: label(v), count: counts[k] })).filter((b) => b.count > 0);

function facets(snap: Snapshot, c: Counted, ref: Reference) {
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  const fieldAt = new Map(snap.fields.map((code, k) => [code, k]));
  return {
    categories: cats.filter(([, v]) => v.level === 1).map(([code, v]) => ({ value: code, label: v.name, count: c.classes[Number(code.slice(0, 2))] })).filter((b) => b.count > 0),
    subcategories: cats.filter(([, v]) => v.level === 2).map(([code, v]) => ({ value: code, label: v.name, count: c.subclasses[Number(code.slice(0, 4))] })).filter((b) => b.count > 0),
    fields: ref.fields.map((f) => { const k = fieldAt.get(f.code); return { value: f.code, label: f.name, count: k === undefined ? 0 : c.fields[k] }; }).filter((b) => b.count > 0),
    cities: bucketList(c.cities, snap.cities, (v) => ref.cities.get(v)?.name ?? v).sort((a, b) => (ref.cities.get(a.value)?.sort ?? 999) - (ref.cities.get(b.value)?.sort ?? 999)),
    orgs: topK(c.orgs, 20).map((k) => ({ value: snap.orgs[k], label: snap.orgInfo[k].name, count: c.orgs[k] })),
    sharing: bucketList(c.sharing, ['internal', 'external'], (v) => (v === 'internal' ? '内部共享' : '外部共享')),
    status: bucketList(c.run, [...RUN_STATUSES], (v) => v),
    value: VALUE_RANGES.map((r, k) => ({ value: r.value, label: r.label, count: c.value[k], valueMin: r.min, valueMax: r.max })).filter((b) => b.count > 0),
  };
}

/** The k indexes with most counts, by count desc then index; a small k in one pass with a sorted buffer, no sort of every index. */
function topK(counts: Int32Array, k: number): number[] {
  if (k > 64) {
    const idx: number[] = [];
    for (let i = 0; i < counts.length; i++) if (counts[i] > 0) idx.push(i);
    return idx.sort((a, b) => counts[b] - counts[a] || a - b).slice(0, k);
  }
  const top: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c <= 0 || (top.length === k && c <= counts[top[k - 1]])) continue;
    let at = top.length === k ? k - 1 : top.length;
    // equal counts keep index order: a later index goes after them
    while (at > 0 && counts[top[at - 1]] < c) at--;
    if (top.length === k) top.pop();
    top.splice(at, 0, i);
  }
  return top;
}

/** What a query's filters give: the total, the facets, and (to find its positions again) any order of them. */
interface Counts { total: number; facets: ReturnType<typeof facets>; members: Order | null }

/** The positions of an order, as one ascending-or-not list (for another sort of the same filters). */
function membersOf(snap: Snapshot, o: Order, total: number): Int32Array | null {
  if (total === snap.n) return null;
  const out = snap.scratchMembers;
  let k = 0;
  for (const seg of o.segs) { out.set(seg, k); k += seg.length; }
  return out.subarray(0, k);
}

/**
 * The result of a query before paging, from the snapshot's memo where possible: the counts are kept per
 * resolved filters (and reference names' age), the order per filters and sort, for both directions. A query
 * that differs only in direction is a full hit; one that differs only in sort reuses the counts and takes its
 * positions from the kept order instead of counting again.
 */
function result(db: Db, snap: Snapshot, ref: Reference, f: Resolved, kind: SortKind, score: (i: number) => number): { counts: Counts; order: Order } {
  const fk = JSON.stringify(f);
  const ck = `c:${snap.refAt}:${fk}`, ok = `o:${kind}:${fk}`;
  let counts = memoGet<Counts>(snap, ck);
  let order = memoGet<Order>(snap, ok);
  recordResult(db, counts && order ? 'hit' : counts ? 'counts' : 'miss');
  if (counts && order) return { counts, order };
  let members: Int32Array | null;
  if (!counts) {
    const c = count(snap, matching(db, snap, f.terms), f);
    members = c.total === snap.n ? null : c.members;
    counts = memoSet(snap, ck, { total: c.total, facets: facets(snap, c, ref), members: null });
  } else {
    members = membersOf(snap, counts.members!, counts.total);
  }
  if (!order) {
    order = ordered(snap, members, kind, score);
    const own = order.segs.filter((x) => x !== snap.byServed && x !== snap.byPurchased && x !== snap.noPurchase);
    memoSet(snap, ok, order, own.reduce((a, x) => a + x.length, 0));
  }
  counts.members = order;
  return { counts, order };
}

export async function search(database: Database, q: CatalogueQueryT) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  // from here to the page's ids nothing is awaited: the snapshot's scratch is this request's
  const f = resolve(q, snap, ref);
  const sort: Sort = q.sort ?? (f.terms.length ? 'relevance' : 'served');
  const dir: Dir = q.dir;
  const score = scorer(snap, f.terms);
  const { counts, order } = result(db, snap, ref, f, sortKind(sort, f.terms), score);
  const at = reader(order, dir);
  const total = order.total;

  let start = (q.page - 1) * q.pageSize;
  if (q.after) {
    const cur = decodeCursor(q.after, sort, dir);
    let lo = 0, hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const i = at(mid);
      if (cmp(keyOf(snap, i, sort, score), snap.ids[i], cur, sort, dir) > 0) hi = mid; else lo = mid + 1;
    }
    start = lo;
  }
  const pagePos: number[] = [];
  for (let j = start; j < Math.min(start + q.pageSize, total); j++) pagePos.push(at(j));
  const last = pagePos[pagePos.length - 1];
  const nextCursor = last !== undefined && start + pagePos.length < total
    ? encodeCursor({ s: sort, d: dir, k: keyOf(snap, last, sort, score), id: snap.ids[last] }) : null;

  const items = await pageRows(db, snap, ref, pagePos, f.terms);
  return {
    items, total: Math.min(total, TOTAL_CAP), totalCapped: total > TOTAL_CAP, page: q.page, pageSize: q.pageSize, sort, dir, nextCursor,
    highlights: f.terms,
    facets: counts.facets,
  };
}

/** 按单位: the organisations whose listed instruments match, most matches first. */
export async function organizations(database: Database, q: CatalogueFilterInput & { page: number; pageSize: number }) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  const f = resolve(q, snap, ref);
  const c = count(snap, matching(db, snap, f.terms), f);
  const perOrg = new Int32Array(snap.orgs.length);
  const samples = new Map<number, number[]>();
  const { byServed: by, mark } = snap;
  const stamp = nextStamp(snap);
  if (c.members) for (const i of c.members) mark[i] = stamp;
  for (let k = by.length - 1; k >= 0; k--) {
    const i = by[k];
    if (c.members && mark[i] !== stamp) continue;
    const o = snap.org[i];
    perOrg[o]++;
    const s = samples.get(o);
    if (!s) samples.set(o, [i]); else if (s.length < 3) s.push(i);
  }
  const all = topK(perOrg, perOrg.length); // every organisation with a hit, in order
  const page = all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
  const sampleIds = page.flatMap((k) => samples.get(k) ?? []).map((i) => snap.ids[i]);
  const rows = sampleIds.length
    ? await db.selectFrom('instruments').select(['id', 'name', 'model', 'isDisabled']).where('id', 'in', sampleIds).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    items: page.map((k) => {
      const o = snap.orgInfo[k];
      return {
        orgId: snap.orgs[k], orgName: o.name, cityName: ref.cities.get(o.cityCode)?.name ?? null,
        typeLabel: ORG_TYPES[o.type as keyof typeof ORG_TYPES] ?? o.type, instrumentCount: perOrg[k],
        instruments: (samples.get(k) ?? []).map((i) => byId.get(snap.ids[i])).filter((r) => !!r).map((r) => ({ id: r.id, name: r.name, model: r.model, isDisabled: !!r.isDisabled })),
      };
    }),
    total: all.length, page: q.page, pageSize: q.pageSize, instrumentTotal: c.total, highlights: f.terms,
  };
}

/** Home page: category tree and service fields with counts of listed instruments. */
export async function facetsReference(database: Database) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  const key = `home:${snap.refAt}`;
  const kept = memoGet<ReturnType<typeof homeCounts>>(snap, key);
  return kept ?? memoSet(snap, key, homeCounts(snap, ref));
}

function homeCounts(snap: Snapshot, ref: Reference) {
  const kinds = new Map<number, number>();
  for (let i = 0; i < snap.n; i++) kinds.set(snap.category[i], (kinds.get(snap.category[i]) ?? 0) + 1);
  const under = (div: number, val: number) => {
    let n = 0;
    for (const [code, k] of kinds) if (Math.floor(code / div) === val) n += k;
    return n;
  };
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  const childrenOf = (parent: string) => cats.filter(([, v]) => v.parent === parent);
  const c = count(snap, null, resolve({}, snap, ref));
  return {
    total: snap.n,
    categories: cats.filter(([, v]) => v.level === 1).map(([code, v]) => ({
      code, name: v.name, count: under(10_000, Number(code.slice(0, 2))),
      children: childrenOf(code).map(([sub, sv]) => ({
        code: sub, name: sv.name, count: under(100, Number(sub.slice(0, 4))),
        children: childrenOf(sub).map(([kind, kv]) => ({ code: kind, name: kv.name, count: kinds.get(Number(kind)) ?? 0 })),
      })),
    })),
    fields: ref.fields.map((fl) => { const k = snap.fields.indexOf(fl.code); return { value: fl.code, label: fl.name, count: k < 0 ? 0 : c.fields[k] }; }),
    cities: [...ref.cities].sort((a, b) => a[1].sort - b[1].sort).map(([code, v]) => { const k = snap.cities.indexOf(code); return { value: code, label: v.name, count: k < 0 ? 0 : c.cities[k] }; }),
  };
}

/** Platform figures of the home page, from the listed instruments. */
export async function publicFigures(database: Database) {
  const { db } = database;
  const snap = await snapshot(db);
  const kept = memoGet<ReturnType<typeof figures>>(snap, 'figures');
  return kept ?? memoSet(snap, 'figures', figures(snap));
}

function figures(snap: Snapshot) {
  let totalValueFen = 0, services = 0;
  const byCategory: Record<string, number> = {};
  for (let i = 0; i < snap.n; i++) {
    if (!Number.isNaN(snap.value[i])) totalValueFen += snap.value[i];
    services += snap.served[i];
    const cls = `${String(snap.cls[i]).padStart(2, '0')}0000`;
    byCategory[cls] = (byCategory[cls] ?? 0) + 1;
  }
  return { instruments: snap.n, totalValueFen, services, byCategory };
}
