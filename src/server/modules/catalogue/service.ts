/**
 * 入网仪器: keyword search, filters with counts, sorts, paging (offset and keyset), the 按单位 view and the
 * home page's counts. Matching is a substring match over search_text; see snapshot.ts for how it stays fast.
 */
import { TOTAL_CAP, type CatalogueItemT, type CatalogueQueryT } from '../../../contracts/catalogue';
import { categoryPrefix } from '../../../domain/categories';
import { badInput } from '../../../domain/errors';
import { isBookable, RUN_STATUSES } from '../../../domain/instrument';
import { ORG_TYPES } from '../../../domain/reference';
import type { Database, Db } from '../../db/connect';
import { referenceOf, snapshot, termHits, type Reference, type Snapshot } from './snapshot';
import { queryTerms, snippet, WEIGHT } from './text';

type Sort = 'relevance' | 'served' | 'purchased';
type Dir = 'asc' | 'desc';

// filter bits: a facet counts a row when the row passes every filter but its own
const CAT = 1, FIELD = 2, CITY = 4, ORG = 8, VALUE = 16, SHARING = 32, RUN = 64;

/** 原值 ranges of the value facet, in fen; bounds are inclusive and can be sent back as valueMin/valueMax. */
const WAN = 1_000_000; // 1 万元 in fen
export const VALUE_RANGES: { value: string; label: string; min: number | null; max: number | null }[] = [
  { value: 'lt50', label: '50万元以下', min: null, max: 50 * WAN - 1 },
  { value: '50-100', label: '50–100万元', min: 50 * WAN, max: 100 * WAN - 1 },
  { value: '100-200', label: '100–200万元', min: 100 * WAN, max: 200 * WAN - 1 },
  { value: '200-500', label: '200–500万元', min: 200 * WAN, max: 500 * WAN - 1 },
  { value: '500-1000', label: '500–1000万元', min: 500 * WAN, max: 1000 * WAN - 1 },
  { value: 'ge1000', label: '1000万元以上', min: 1000 * WAN, max: null },
];
const valueBucket = (v: number) => (v < 50 * WAN ? 0 : v < 100 * WAN ? 1 : v < 200 * WAN ? 2 : v < 500 * WAN ? 3 : v < 1000 * WAN ? 4 : 5);

/** The filters of a query resolved against a snapshot. -1 = a value that no listed instrument has. */
interface Resolved {
  terms: string[];
  catDiv: number; catVal: number; // category filter: floor(category / catDiv) === catVal; catDiv 0 = none
  field: number | null; city: number | null; org: number | null;
  valueMin: number | null; valueMax: number | null;
  sharing: number | null; run: number | null;
}

function resolve(q: CatalogueFilterInput, snap: Snapshot, ref: Reference): Resolved {
  const terms = queryTerms(q.q);
  let catDiv = 0, catVal = 0;
  if (q.category) {
    const p = categoryPrefix(q.category);
    catDiv = p.length === 2 ? 10_000 : p.length === 4 ? 100 : 1;
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
    terms, catDiv, catVal, field, city, org,
    valueMin: q.valueMin ?? null, valueMax: q.valueMax ?? null,
    sharing: q.sharing ? (q.sharing === 'internal' ? 0 : 1) : null,
    run: q.status ? (RUN_STATUSES as readonly string[]).indexOf(q.status) : null,
  };
}

export type CatalogueFilterInput = Pick<CatalogueQueryT, 'q' | 'category' | 'field' | 'city' | 'org' | 'valueMin' | 'valueMax' | 'sharing' | 'status'>;

/** Positions that contain every term; null = no keyword (everything). */
async function candidates(database: Database, snap: Snapshot, terms: string[]): Promise<Int32Array | null> {
  if (!terms.length) return null;
  const lists: Int32Array[] = [];
  for (const t of terms) {
    const hits = await termHits(database, snap, t);
    if (!hits.length) return new Int32Array(0);
    lists.push(hits);
  }
  if (lists.length === 1) return lists[0];
  // intersect, smallest list first
  lists.sort((a, b) => a.length - b.length);
  const seen = new Uint8Array(snap.n);
  for (let k = 0; k < lists.length; k++) {
    const l = lists[k];
    for (let j = 0; j < l.length; j++) if (seen[l[j]] === k) seen[l[j]] = k + 1;
  }
  const out: number[] = [];
  for (const i of lists[0]) if (seen[i] === lists.length) out.push(i);
  return Int32Array.from(out);
}

interface Counted {
  /** 1 where the row passes every filter */
  pass: Uint8Array;
  total: number;
  classes: Int32Array; subclasses: Int32Array; fields: Int32Array; cities: Int32Array; orgs: Int32Array;
  sharing: Int32Array; run: Int32Array; value: Int32Array;
}

/** One pass over the hits: which pass all filters, and every facet without its own filter. */
function count(snap: Snapshot, hits: Int32Array | null, f: Resolved): Counted {
  const c: Counted = {
    pass: new Uint8Array(snap.n), total: 0,
    classes: new Int32Array(100), subclasses: new Int32Array(10_000), fields: new Int32Array(snap.fields.length), cities: new Int32Array(snap.cities.length),
    orgs: new Int32Array(snap.orgs.length), sharing: new Int32Array(2), run: new Int32Array(RUN_STATUSES.length + 1), value: new Int32Array(VALUE_RANGES.length),
  };
  const { category, fieldStart, fieldValues, city, org, value, sharing, run } = snap;
  const len = hits ? hits.length : snap.n;
  for (let k = 0; k < len; k++) {
    const i = hits ? hits[k] : k;
    let m = 0;
    if (f.catDiv && Math.floor(category[i] / f.catDiv) !== f.catVal) m |= CAT;
    if (f.field !== null) {
      let has = false;
      for (let j = fieldStart[i]; j < fieldStart[i + 1]; j++) if (fieldValues[j] === f.field) { has = true; break; }
      if (!has) m |= FIELD;
    }
    if (f.city !== null && city[i] !== f.city) m |= CITY;
    if (f.org !== null && org[i] !== f.org) m |= ORG;
    if (f.valueMin !== null || f.valueMax !== null) {
      const v = value[i];
      if (Number.isNaN(v) || (f.valueMin !== null && v < f.valueMin) || (f.valueMax !== null && v > f.valueMax)) m |= VALUE;
    }
    if (f.sharing !== null && sharing[i] !== f.sharing) m |= SHARING;
    if (f.run !== null && run[i] !== f.run) m |= RUN;

    if (m === 0) { c.pass[i] = 1; c.total++; }
    if ((m & ~CAT) === 0) { c.classes[Math.floor(category[i] / 10_000)]++; c.subclasses[Math.floor(category[i] / 100)]++; }
    if ((m & ~FIELD) === 0) for (let j = fieldStart[i]; j < fieldStart[i + 1]; j++) c.fields[fieldValues[j]]++;
    if ((m & ~CITY) === 0) c.cities[city[i]]++;
    if ((m & ~ORG) === 0) c.orgs[org[i]]++;
    if ((m & ~VALUE) === 0 && !Number.isNaN(value[i])) c.value[valueBucket(value[i])]++;
    if ((m & ~SHARING) === 0) c.sharing[sharing[i]]++;
    if ((m & ~RUN) === 0) c.run[run[i] === 255 ? RUN_STATUSES.length : run[i]]++;
  }
  return c;
}

// ------------------------------------------------------------------ order and keyset

function score(snap: Snapshot, i: number, terms: string[]): number {
  let s = 0;
  for (const t of terms) {
    s += snap.nameText[i].includes(t) ? WEIGHT.name : snap.modelText[i].includes(t) ? WEIGHT.model : snap.makerText[i].includes(t) ? WEIGHT.manufacturer : WEIGHT.other;
  }
  return s;
}

/** The sort key of a position; for `purchased` the first number is 0 (date known) or 1 (unknown, always last). */
function keyOf(snap: Snapshot, i: number, sort: Sort, terms: string[]): number[] {
  if (sort === 'served') return [snap.served[i]];
  if (sort === 'purchased') return snap.purchased[i] ? [0, snap.purchased[i]] : [1, 0];
  return [score(snap, i, terms), snap.served[i]];
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

/** Passing positions in list order. Ties break by id in the direction of the sort, so the order is total. */
function ordered(snap: Snapshot, pass: Uint8Array, total: number, sort: Sort, dir: Dir, terms: string[]): Int32Array {
  const out = new Int32Array(total);
  let o = 0;
  if (sort === 'served' || (sort === 'relevance' && !terms.length)) {
    const by = snap.byServed;
    if (dir === 'asc') { for (let k = 0; k < by.length; k++) if (pass[by[k]]) out[o++] = by[k]; }
    else for (let k = by.length - 1; k >= 0; k--) if (pass[by[k]]) out[o++] = by[k];
    return out;
  }
  if (sort === 'purchased') {
    const by = snap.byPurchased;
    if (dir === 'asc') { for (let k = 0; k < by.length; k++) if (pass[by[k]]) out[o++] = by[k]; }
    else for (let k = by.length - 1; k >= 0; k--) if (pass[by[k]]) out[o++] = by[k];
    const none = snap.noPurchase;
    if (dir === 'asc') { for (let k = 0; k < none.length; k++) if (pass[none[k]]) out[o++] = none[k]; }
    else for (let k = none.length - 1; k >= 0; k--) if (pass[none[k]]) out[o++] = none[k];
    return out;
  }
  // relevance: buckets by score, each in (served desc, id desc) order
  const buckets: number[][] = [];
  const by = snap.byServed;
  for (let k = by.length - 1; k >= 0; k--) {
    const i = by[k];
    if (!pass[i]) continue;
    (buckets[score(snap, i, terms)] ??= []).push(i);
  }
  for (let s = buckets.length - 1; s >= 0; s--) for (const i of buckets[s] ?? []) out[o++] = i;
  if (dir === 'asc') out.reverse();
  return out;
}

// ------------------------------------------------------------------ rows of a page

async function pageRows(db: Db, ref: Reference, ids: string[], terms: string[]): Promise<CatalogueItemT[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('instruments').innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select(['instruments.id', 'instruments.name', 'instruments.nameEn', 'instruments.model', 'instruments.manufacturer', 'instruments.categoryCode',
      'instruments.orgId', 'organizations.name as orgName', 'instruments.cityCode', 'organizations.cityCode as orgCity', 'instruments.valueFen', 'instruments.purchaseDate',
      'instruments.serviceCount', 'instruments.ratingSum', 'instruments.ratingCount', 'instruments.sharingMode', 'instruments.runStatus', 'instruments.isDisabled',
      'instruments.state', 'instruments.specs', 'instruments.functions',
      (eb) => eb.selectFrom('instrumentFiles').select('instrumentFiles.fileId').whereRef('instrumentFiles.instrumentId', '=', 'instruments.id')
        .where('instrumentFiles.kind', '=', 'picture').orderBy('instrumentFiles.sort').orderBy('instrumentFiles.fileId').limit(1).as('pictureId')])
    .where('instruments.id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: CatalogueItemT[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) continue; // deleted between the snapshot and now
    const city = r.cityCode ?? r.orgCity;
    const pic = r.pictureId;
    out.push({
      id: r.id, name: r.name, nameEn: r.nameEn, model: r.model, manufacturer: r.manufacturer,
      categoryCode: r.categoryCode, categoryName: ref.categories.get(r.categoryCode)?.name ?? r.categoryCode,
      orgId: r.orgId, orgName: r.orgName, cityCode: city, cityName: city ? ref.cities.get(city)?.name ?? null : null,
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

const MEMO_LIMIT = 64;

/** Results computed from one snapshot, kept with it (so dropped with it) for repeated queries. */
async function memo<T>(snap: Snapshot, key: string, make: () => T | Promise<T>): Promise<T> {
  const m = snap.memo;
  if (m.has(key)) {
    const v = m.get(key) as T;
    m.delete(key);
    m.set(key, v);
    return v;
  }
  const v = await make();
  m.set(key, v);
  if (m.size > MEMO_LIMIT) m.delete(m.keys().next().value!);
  return v;
}

/** The rows that pass the keyword and filters, with every facet's counts. */
const counted = (database: Database, snap: Snapshot, f: Resolved) =>
  memo(snap, `count:${JSON.stringify(f)}`, async () => count(snap, await candidates(database, snap, f.terms), f));

const bucketList = (counts: Int32Array, values: string[], label: (v: string) => string) =>
  values.map((v, k) => ({ value: v, label: label(v), count: counts[k] })).filter((b) => b.count > 0);

function facets(snap: Snapshot, c: Counted, ref: Reference, topOrgs: number[]) {
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  return {
    categories: cats.filter(([, v]) => v.level === 1).map(([code, v]) => ({ value: code, label: v.name, count: c.classes[Number(code.slice(0, 2))] })).filter((b) => b.count > 0),
    subcategories: cats.filter(([, v]) => v.level === 2).map(([code, v]) => ({ value: code, label: v.name, count: c.subclasses[Number(code.slice(0, 4))] })).filter((b) => b.count > 0),
    fields: ref.fields.map((f) => ({ value: f.code, label: f.name, count: (() => { const k = snap.fields.indexOf(f.code); return k < 0 ? 0 : c.fields[k]; })() })).filter((b) => b.count > 0),
    cities: bucketList(c.cities, snap.cities, (v) => ref.cities.get(v)?.name ?? v).sort((a, b) => (ref.cities.get(a.value)?.sort ?? 999) - (ref.cities.get(b.value)?.sort ?? 999)),
    orgs: topOrgs.map((k) => ({ value: snap.orgs[k], label: snap.orgInfo[k].name, count: c.orgs[k] })),
    sharing: bucketList(c.sharing, ['internal', 'external'], (v) => (v === 'internal' ? '内部共享' : '外部共享')),
    status: bucketList(c.run, [...RUN_STATUSES], (v) => v),
    value: VALUE_RANGES.map((r, k) => ({ value: r.value, label: r.label, count: c.value[k], valueMin: r.min, valueMax: r.max })).filter((b) => b.count > 0),
  };
}

/** The organisations with most counts: by count, then by position (stable). */
function topK(counts: Int32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) idx.push(i);
  return idx.sort((a, b) => counts[b] - counts[a] || a - b).slice(0, k);
}

export async function search(database: Database, q: CatalogueQueryT) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  const f = resolve(q, snap, ref);
  const c = await counted(database, snap, f);
  const sort: Sort = q.sort ?? (f.terms.length ? 'relevance' : 'served');
  const dir: Dir = q.dir;
  const list = await memo(snap, `order:${sort}:${dir}:${JSON.stringify(f)}`, () => ordered(snap, c.pass, c.total, sort, dir, f.terms));

  let start = (q.page - 1) * q.pageSize;
  if (q.after) {
    const cur = decodeCursor(q.after, sort, dir);
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const i = list[mid];
      if (cmp(keyOf(snap, i, sort, f.terms), snap.ids[i], cur, sort, dir) > 0) hi = mid; else lo = mid + 1;
    }
    start = lo;
  }
  const pagePos = Array.from(list.subarray(Math.min(start, list.length), Math.min(start + q.pageSize, list.length)));
  const last = pagePos[pagePos.length - 1];
  const nextCursor = last !== undefined && start + pagePos.length < list.length
    ? encodeCursor({ s: sort, d: dir, k: keyOf(snap, last, sort, f.terms), id: snap.ids[last] }) : null;

  const top = topK(c.orgs, 20);
  const items = await pageRows(db, ref, pagePos.map((i) => snap.ids[i]), f.terms);
  return {
    items, total: Math.min(c.total, TOTAL_CAP), totalCapped: c.total > TOTAL_CAP, page: q.page, pageSize: q.pageSize, sort, dir, nextCursor,
    highlights: f.terms,
    facets: facets(snap, c, ref, top),
  };
}

/** 按单位: the organisations whose listed instruments match, most matches first. */
export async function organizations(database: Database, q: CatalogueFilterInput & { page: number; pageSize: number }) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  const f = resolve(q, snap, ref);
  const c = await counted(database, snap, f);
  const perOrg = new Int32Array(snap.orgs.length);
  const samples = new Map<number, number[]>();
  const by = snap.byServed;
  for (let k = by.length - 1; k >= 0; k--) {
    const i = by[k];
    if (!c.pass[i]) continue;
    const o = snap.org[i];
    perOrg[o]++;
    const s = samples.get(o);
    if (!s) samples.set(o, [i]); else if (s.length < 3) s.push(i);
  }
  const all = topK(perOrg, perOrg.length);
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
  const kinds = new Map<number, number>();
  for (let i = 0; i < snap.n; i++) kinds.set(snap.category[i], (kinds.get(snap.category[i]) ?? 0) + 1);
  const under = (div: number, val: number) => {
    let n = 0;
    for (const [code, k] of kinds) if (Math.floor(code / div) === val) n += k;
    return n;
  };
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  const childrenOf = (parent: string) => cats.filter(([, v]) => v.parent === parent);
  const c = await counted(database, snap, resolve({}, snap, ref));
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
  const snap = await snapshot(database.db);
  let totalValueFen = 0, services = 0;
  const byCategory: Record<string, number> = {};
  for (let i = 0; i < snap.n; i++) {
    if (!Number.isNaN(snap.value[i])) totalValueFen += snap.value[i];
    services += snap.served[i];
    const cls = `${String(Math.floor(snap.category[i] / 10_000)).padStart(2, '0')}0000`;
    byCategory[cls] = (byCategory[cls] ?? 0) + 1;
  }
  return { instruments: snap.n, totalValueFen, services, byCategory };
}
