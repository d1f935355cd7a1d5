/**
 * The catalogue's working set in memory: for every listed instrument, its normalised search text and what
 * filters, facets and sorts need, in typed-array columns; postings of every character and character pair of the
 * texts (live-postings.ts); and the sort orders. Finding, counting, sorting and paging never ask the database.
 *
 * One snapshot per process and database, changed in place (docs/decisions/0002-live-catalogue.md):
 * - positions never move: an instrument that is listed later is appended, one that leaves keeps its position,
 *   marked dead with an empty text; ties in every order break by `rank`, the position in id order, so that all
 *   instances order alike and keyset cursors hold across them;
 * - a change of one instrument (feed.ts reads them from the change feed) rewrites its position, moves it in the
 *   sort orders whose key changed (a binary search and one copyWithin), changes the postings of the grams its old
 *   and new texts do not share, and tells the result caches (cache.ts), which drop only what it can change;
 * - a search is synchronous from the snapshot to a page's positions, so a change applied between two requests is
 *   never seen half-done, and a request that awaits its page's rows reads positions that did not move.
 */
import { RUN_STATUSES } from '../../../domain/instrument';
import type { Db } from '../../db/connect';
import type { InstrumentsTable } from '../../db/types';
import { invalidate, type Caches, type Change, type Values } from './cache';
import { LivePostings } from './live-postings';
import { normalise } from './text';

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
/** The sizes of the value range, sharing and run facets (an unknown value and any other status included). */
export const FACET_VALUES = VALUE_RANGES.length + 1,
  FACET_RUNS = RUN_STATUSES.length + 1;
/** One number for a position's city, value range, sharing and run (decoded by `count` after its pass). */
export const facetKey = (city: number, valueRange: number, sharing: number, run: number) =>
  ((city * FACET_VALUES + valueRange) * 2 + sharing) * FACET_RUNS + run;

/** Index into VALUE_RANGES; VALUE_RANGES.length when the value is unknown. */
const valueBucket = (v: number) =>
  Number.isNaN(v)
    ? VALUE_RANGES.length
    : v < 50 * WAN
      ? 0
      : v < 100 * WAN
        ? 1
        : v < 200 * WAN
          ? 2
          : v < 500 * WAN
            ? 3
            : v < 1000 * WAN
              ? 4
              : 5;

/** Distinct (name, model, manufacturer) texts, only ever appended to; relevance weights are kept per entry. */
export interface RelTable {
  name: string[];
  model: string[];
  maker: string[];
  at: Map<string, number>;
}

export interface Reference {
  categories: Map<string, { name: string; level: number; parent: string | null; sort: number }>;
  fields: { code: string; name: string; sort: number }[];
  cities: Map<string, { name: string; sort: number }>;
}

/** Positions ascending by a comparison of the current column values; changed by insertion, in place. */
export class SortedPositions {
  arr: Int32Array;
  len = 0;
  constructor(
    cap: number,
    readonly cmp: (a: number, b: number) => number,
  ) {
    this.arr = new Int32Array(Math.max(16, cap));
  }
  view(): Int32Array {
    return this.arr.subarray(0, this.len);
  }
  fill(sorted: ArrayLike<number>) {
    if (sorted.length > this.arr.length) this.arr = new Int32Array(sorted.length);
    this.arr.set(sorted);
    this.len = sorted.length;
  }
  private at(p: number): number {
    let lo = 0,
      hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(this.arr[mid], p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(p: number) {
    if (this.len === this.arr.length) {
      const a = new Int32Array(Math.ceil(this.arr.length * 1.5));
      a.set(this.arr);
      this.arr = a;
    }
    const k = this.at(p);
    this.arr.copyWithin(k + 1, k, this.len);
    this.arr[k] = p;
    this.len++;
  }
  /** Call before the position's key changes: it is found by its current key. */
  remove(p: number) {
    let k = this.at(p);
    if (this.arr[k] !== p) k = this.view().indexOf(p); // never expected: keys are only changed after a remove
    if (k < 0) return;
    this.arr.copyWithin(k, k + 1, this.len);
    this.len--;
  }
}

export interface Snapshot {
  /** the change-feed number this snapshot reflects (feed.ts) */
  seq: number;
  /** positions in use (listed and dead); `live` of them listed */
  n: number;
  live: number;
  alive: Uint8Array;
  ids: string[];
  index: Map<string, number>;
  /** every position in id order (code units), and each position's place in it: ties in every order break by rank */
  idOrder: number[];
  rank: Int32Array;
  posOfRank: Int32Array;
  /** the normalised search text (instruments.search_text), '' for a dead position */
  text: string[];
  /** category code as a number (e.g. 10102 for 010102), its class (1) and subclass (101) */
  category: Int32Array;
  cls: Int32Array;
  sub: Int32Array;
  org: Int32Array;
  orgs: string[];
  orgAt: Map<string, number>;
  orgInfo: { name: string; cityCode: string; type: string }[];
  /** index into `cities` (instrument's city, else its organisation's) */
  city: Int32Array;
  cities: string[];
  cityAt: Map<string, number>;
  /** value in fen; NaN when unknown */
  value: Float64Array;
  valueRange: Uint8Array;
  /** 0 internal, 1 external */
  sharing: Uint8Array;
  /** index into RUN_STATUSES, RUN_STATUSES.length for any other status */
  run: Uint8Array;
  /** city, value range, sharing and run packed into one number (facetKey), so that an unfiltered count reads one column for four facets */
  facet: Int32Array;
  served: Int32Array;
  /** purchase date as yyyymmdd, 0 when unknown */
  purchased: Int32Array;
  /** service fields: bit k = fields[k] for k < 32; fields beyond 32 (rare) per position in fieldMore */
  fieldBits: Uint32Array;
  fieldMore: Map<number, number[]>;
  fields: string[];
  fieldAt: Map<string, number>;
  /** what a result card shows beyond the columns above: the instrument's own texts, ratings, 停用 and first picture */
  display: (
    | {
        name: string;
        nameEn: string | null;
        model: string | null;
        manufacturer: string | null;
        categoryCode: string;
        purchaseDate: string | null;
        runStatus: string;
        notes: string;
        ratingSum: number;
        ratingCount: number;
        isDisabled: boolean;
        picture: string | null;
      }
    | undefined
  )[];
  /** index into the relevance table */
  rel: Int32Array;
  relTable: RelTable;
  /** live positions ascending by (served, rank); (purchase date, rank) for known dates; rank for unknown ones */
  byServed: SortedPositions;
  byPurchased: SortedPositions;
  noPurchase: SortedPositions;
  postings: LivePostings;
  ref: Reference;
  refAt: number;
  caches: Caches;
  /** per-request scratch (a search is synchronous between awaits, so one set serves every request) */
  mark: Int32Array;
  stamp: number;
  scratchPos: Int32Array;
  scratchMembers: Int32Array;
  scratchScore: Uint16Array;
}

export async function loadReference(db: Db): Promise<Reference> {
  const cats = await db.selectFrom('categories').select(['code', 'name', 'level', 'parentCode', 'sort']).execute();
  const fields = await db.selectFrom('serviceFields').select(['code', 'name', 'sort']).orderBy('sort').execute();
  const cities = await db.selectFrom('cities').select(['code', 'name', 'sort']).execute();
  return {
    categories: new Map(
      cats.map((c) => [c.code, { name: c.name, level: c.level, parent: c.parentCode, sort: c.sort }]),
    ),
    fields,
    cities: new Map(cities.map((c) => [c.code, { name: c.name, sort: c.sort }])),
  };
}

const REFERENCE_TTL_MS = 30_000;

/** Reference names of a snapshot, reloaded when older than REFERENCE_TTL_MS (labels only, edited by the administrator). */
export async function referenceOf(db: Db, snap: Snapshot): Promise<Reference> {
  if (Date.now() - snap.refAt > REFERENCE_TTL_MS) {
    snap.refAt = Date.now();
    snap.ref = await loadReference(db);
  }
  return snap.ref;
}

const dateNum = (d: string | null) =>
  d && /^\d{4}-\d{2}-\d{2}/.test(d) ? Number(d.slice(0, 4) + d.slice(5, 7) + d.slice(8, 10)) : 0;
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const COLUMNS = [
  'id',
  'state',
  'orgId',
  'categoryCode',
  'cityCode',
  'valueFen',
  'sharingMode',
  'runStatus',
  'serviceCount',
  'purchaseDate',
  'name',
  'nameEn',
  'model',
  'manufacturer',
  'searchText',
  'specs',
  'functions',
  'ratingSum',
  'ratingCount',
  'isDisabled',
] as const;
/** An instrument's row as the catalogue reads it, with the file id of its first picture (by sort, then file id). */
export type Source = Pick<InstrumentsTable, (typeof COLUMNS)[number]> & { picture: string | null };

/** The first picture of each instrument named, by (sort, file id). */
export async function firstPictures(db: Db, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, { fileId: string; sort: number }>();
  for (let k = 0; k < ids.length; k += 500) {
    const rows = await db
      .selectFrom('instrumentFiles')
      .select(['instrumentId', 'fileId', 'sort'])
      .where('kind', '=', 'picture')
      .where('instrumentId', 'in', ids.slice(k, k + 500))
      .execute();
    for (const p of rows) {
      const cur = out.get(p.instrumentId);
      if (!cur || p.sort < cur.sort || (p.sort === cur.sort && p.fileId < cur.fileId)) out.set(p.instrumentId, p);
    }
  }
  return new Map([...out].map(([id, p]) => [id, p.fileId]));
}
export type Orgs = Map<string, { name: string; cityCode: string; type: string }>;

function intern(list: string[], at: Map<string, number>, v: string): number {
  let k = at.get(v);
  if (k === undefined) {
    k = list.length;
    list.push(v);
    at.set(v, k);
  }
  return k;
}

function relOf(t: RelTable, name: string, model: string, maker: string): number {
  const key = `${name}\u0000${model}\u0000${maker}`;
  let k = t.at.get(key);
  if (k === undefined) {
    k = t.name.length;
    t.name.push(name);
    t.model.push(model);
    t.maker.push(maker);
    t.at.set(key, k);
  }
  return k;
}

function empty(seq: number, cap: number, ref: Reference, caches: Caches): Snapshot {
  const s = {
    seq,
    n: 0,
    live: 0,
    ids: [] as string[],
    index: new Map(),
    idOrder: [] as number[],
    text: [] as string[],
    display: [],
    orgs: [],
    orgAt: new Map(),
    orgInfo: [],
    cities: [],
    cityAt: new Map(),
    fieldMore: new Map(),
    fields: [],
    fieldAt: new Map(),
    relTable: { name: [], model: [], maker: [], at: new Map() },
    ref,
    refAt: Date.now(),
    caches,
    stamp: 0,
  } as unknown as Snapshot;
  allocate(s, cap);
  const cmpServed = (a: number, b: number) => s.served[a] - s.served[b] || s.rank[a] - s.rank[b];
  const cmpPurchased = (a: number, b: number) => s.purchased[a] - s.purchased[b] || s.rank[a] - s.rank[b];
  s.byServed = new SortedPositions(cap, cmpServed);
  s.byPurchased = new SortedPositions(cap, cmpPurchased);
  s.noPurchase = new SortedPositions(cap, (a, b) => s.rank[a] - s.rank[b]);
  return s;
}

const TYPED = [
  'alive',
  'rank',
  'posOfRank',
  'category',
  'cls',
  'sub',
  'org',
  'city',
  'value',
  'valueRange',
  'sharing',
  'run',
  'facet',
  'served',
  'purchased',
  'fieldBits',
  'rel',
  'mark',
  'scratchPos',
  'scratchMembers',
  'scratchScore',
] as const;
const KIND: Record<(typeof TYPED)[number], 'u8' | 'i32' | 'u32' | 'f64' | 'u16'> = {
  alive: 'u8',
  rank: 'i32',
  posOfRank: 'i32',
  category: 'i32',
  cls: 'i32',
  sub: 'i32',
  org: 'i32',
  city: 'i32',
  value: 'f64',
  valueRange: 'u8',
  sharing: 'u8',
  run: 'u8',
  facet: 'i32',
  served: 'i32',
  purchased: 'i32',
  fieldBits: 'u32',
  rel: 'i32',
  mark: 'i32',
  scratchPos: 'i32',
  scratchMembers: 'i32',
  scratchScore: 'u16',
};
const make = (k: string, n: number) =>
  k === 'u8'
    ? new Uint8Array(n)
    : k === 'u32'
      ? new Uint32Array(n)
      : k === 'f64'
        ? new Float64Array(n)
        : k === 'u16'
          ? new Uint16Array(n)
          : new Int32Array(n);

/** Grows every column to `cap` positions (amortised: callers grow by half again). */
function allocate(s: Snapshot, cap: number) {
  const rec = s as unknown as Record<string, ArrayLike<number> & { set(a: ArrayLike<number>): void }>;
  for (const name of TYPED) {
    const next = make(KIND[name], cap);
    const old = rec[name];
    if (old) next.set(old);
    rec[name] = next as never;
  }
}

/** The values of position i that searches and caches look at. */
export function valuesAt(s: Snapshot, i: number): Values {
  return {
    text: s.text[i],
    category: s.category[i],
    city: s.city[i],
    org: s.org[i],
    value: s.value[i],
    sharing: s.sharing[i],
    run: s.run[i],
    served: s.served[i],
    purchased: s.purchased[i],
    rel: s.rel[i],
    fieldBits: s.fieldBits[i],
    fieldMore: s.fieldMore.get(i) ?? null,
  };
}

/**
 * The one copy of a display text seen before in the build (`pool`), else the text itself. Each row read is a new
 * string, and names, models, makers, categories, dates, statuses and often specifications repeat across instruments:
 * at 100,000 generated instruments sharing them keeps ≈ 25 MB less heap. The pool lives for one build only.
 */
const shared = <T extends string | null>(pool: Map<string, string> | undefined, v: T): T => {
  if (!pool || v === null) return v;
  const had = pool.get(v);
  if (had !== undefined) return had as T;
  pool.set(v, v);
  return v;
};

/** Writes one instrument's columns at position i (not its sort orders, postings or text). */
function put(s: Snapshot, i: number, r: Source, fieldCodes: string[], orgs: Orgs, pool?: Map<string, string>) {
  const cat = Number(r.categoryCode) || 0;
  s.category[i] = cat;
  s.cls[i] = Math.floor(cat / 10_000);
  s.sub[i] = Math.floor(cat / 100);
  s.org[i] = intern(s.orgs, s.orgAt, r.orgId);
  const o = orgs.get(r.orgId);
  if (o) s.orgInfo[s.org[i]] = { name: o.name, cityCode: o.cityCode ?? '', type: o.type };
  else s.orgInfo[s.org[i]] ??= { name: '', cityCode: '', type: '' };
  s.city[i] = intern(s.cities, s.cityAt, r.cityCode ?? o?.cityCode ?? '');
  s.value[i] = r.valueFen == null ? NaN : Number(r.valueFen);
  s.valueRange[i] = valueBucket(s.value[i]);
  s.sharing[i] = r.sharingMode === 'internal' ? 0 : 1;
  const run = (RUN_STATUSES as readonly string[]).indexOf(r.runStatus);
  s.run[i] = run < 0 ? RUN_STATUSES.length : run;
  s.facet[i] = facetKey(s.city[i], s.valueRange[i], s.sharing[i], s.run[i]);
  s.served[i] = Math.max(0, Number(r.serviceCount) || 0);
  s.purchased[i] = dateNum(r.purchaseDate);
  s.rel[i] = relOf(s.relTable, normalise(`${r.name} ${r.nameEn ?? ''}`), normalise(r.model), normalise(r.manufacturer));
  s.display[i] = {
    name: shared(pool, r.name),
    nameEn: shared(pool, r.nameEn),
    model: shared(pool, r.model),
    manufacturer: shared(pool, r.manufacturer),
    categoryCode: shared(pool, r.categoryCode),
    purchaseDate: shared(pool, r.purchaseDate),
    runStatus: shared(pool, r.runStatus),
    notes: shared(pool, [r.specs, r.functions].filter(Boolean).join(' ')),
    ratingSum: Number(r.ratingSum) || 0,
    ratingCount: Number(r.ratingCount) || 0,
    isDisabled: !!r.isDisabled,
    picture: r.picture,
  };
  let bits = 0;
  const more: number[] = [];
  for (const code of fieldCodes) {
    const k = intern(s.fields, s.fieldAt, code);
    if (k < 32) bits |= 1 << k;
    else more.push(k);
  }
  s.fieldBits[i] = bits >>> 0;
  if (more.length) s.fieldMore.set(i, more);
  else s.fieldMore.delete(i);
}

const ordersOf = (s: Snapshot, i: number) => [s.byServed, s.purchased[i] ? s.byPurchased : s.noPurchase];

// ------------------------------------------------------------------ build

const BUILD_CHUNK = 5_000;

/**
 * Reads every listed instrument into a new snapshot labelled `seq` (read the feed's head before calling), in id
 * order and in chunks, so that the rows read never pile up (the build's peak memory is the snapshot's own).
 */
export async function build(db: Db, seq: number, caches: Caches): Promise<Snapshot> {
  const orgs: Orgs = new Map(
    (await db.selectFrom('organizations').select(['id', 'name', 'cityCode', 'type']).execute()).map((o) => [
      o.id,
      { ...o, cityCode: o.cityCode ?? '' },
    ]),
  );
  const listed = await db
    .selectFrom('instruments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'listed')
    .executeTakeFirstOrThrow();
  const s = empty(seq, Math.ceil(Number(listed.n) * 1.25) + 16, await loadReference(db), caches);
  let last = '';
  const pool = new Map<string, string>();
  for (;;) {
    const rows = await db
      .selectFrom('instruments')
      .select([...COLUMNS])
      .where('state', '=', 'listed')
      .where('id', '>', last)
      .orderBy('id')
      .limit(BUILD_CHUNK)
      .execute();
    if (!rows.length) break;
    const upTo = rows[rows.length - 1].id;
    const codes = new Map<string, string[]>();
    const fieldRows = await db
      .selectFrom('instrumentFields')
      .select(['instrumentId', 'fieldCode'])
      .where('instrumentId', '>', last)
      .where('instrumentId', '<=', upTo)
      .execute();
    for (const f of fieldRows)
      (codes.get(f.instrumentId) ?? codes.set(f.instrumentId, []).get(f.instrumentId)!).push(f.fieldCode);
    const pictures = await firstPictures(
      db,
      rows.map((r) => r.id),
    );
    for (const row of rows) {
      const r = { ...row, picture: pictures.get(row.id) ?? null };
      // ids compare by code units here and in the database alike (UUIDs: ASCII; PostgreSQL's text order is the C order for them)
      if (s.n === s.alive.length) allocate(s, Math.ceil(s.n * 1.5) + 16);
      const i = s.n++;
      s.ids[i] = r.id;
      s.index.set(r.id, i);
      s.text[i] = r.searchText ?? '';
      s.alive[i] = 1;
      s.idOrder.push(i);
      put(s, i, r, codes.get(r.id) ?? [], orgs, pool);
    }
    last = upTo;
  }
  // the database's order and code-unit order agree for the ids this platform makes; rank by code units regardless
  s.idOrder.sort((a, b) => byCodeUnits(s.ids[a], s.ids[b]));
  s.idOrder.forEach((p, k) => {
    s.rank[p] = k;
    s.posOfRank[k] = p;
  });
  s.live = s.n;
  const positions = Array.from({ length: s.n }, (_, i) => i);
  s.byServed.fill(positions.slice().sort(s.byServed.cmp));
  s.byPurchased.fill(positions.filter((i) => s.purchased[i] > 0).sort(s.byPurchased.cmp));
  s.noPurchase.fill(positions.filter((i) => s.purchased[i] === 0).sort(s.noPurchase.cmp));
  s.postings = LivePostings.build(s.text);
  return s;
}

/** Builds the postings again from the current texts, once the changes since the last build are many. */
function compactPostings(s: Snapshot) {
  s.postings = LivePostings.build(s.text.slice(0, s.n));
}

// ------------------------------------------------------------------ changes

/** New ids take their place in id order; every rank is renumbered (one pass, on listings only). */
function placeInIdOrder(s: Snapshot, added: number[]) {
  added.sort((a, b) => byCodeUnits(s.ids[a], s.ids[b]));
  const merged: number[] = [];
  let i = 0,
    j = 0;
  const old = s.idOrder;
  while (i < old.length || j < added.length) {
    if (j >= added.length || (i < old.length && s.ids[old[i]] < s.ids[added[j]])) merged.push(old[i++]);
    else merged.push(added[j++]);
  }
  s.idOrder = merged;
  for (let k = 0; k < merged.length; k++) {
    s.rank[merged[k]] = k;
    s.posOfRank[k] = merged[k];
  }
}

/**
 * Applies the current rows of changed instruments: `fresh` maps each changed id to its row when it is listed now,
 * or to null (not listed, or gone). Work is per changed instrument, but for the id order of newly listed ones.
 */
export function apply(s: Snapshot, fresh: Map<string, Source | null>, fieldCodes: Map<string, string[]>, orgs: Orgs) {
  const changes: Change[] = [];
  const appended: number[] = [];
  const placed: number[] = [];
  for (const [id, r] of fresh) {
    const had = s.index.get(id);
    const wasLive = had !== undefined && s.alive[had] === 1;
    if (!r) {
      if (!wasLive) continue;
      const before = valuesAt(s, had);
      for (const o of ordersOf(s, had)) o.remove(had);
      s.alive[had] = 0;
      s.live--;
      s.postings.change(had, s.text[had], '');
      s.text[had] = '';
      s.display[had] = undefined;
      changes.push({ id, before, after: null });
      continue;
    }
    let p = had;
    if (p === undefined) {
      if (s.n === s.alive.length) allocate(s, Math.ceil(s.n * 1.5) + 16);
      p = s.n++;
      s.ids[p] = id;
      s.index.set(id, p);
      s.text[p] = '';
      appended.push(p);
    }
    const before = wasLive ? valuesAt(s, p) : null;
    if (wasLive) for (const o of ordersOf(s, p)) o.remove(p);
    put(s, p, r, fieldCodes.get(id) ?? [], orgs);
    const text = r.searchText ?? '';
    s.postings.change(p, wasLive ? s.text[p] : '', text);
    s.text[p] = text;
    if (!wasLive) {
      s.alive[p] = 1;
      s.live++;
    }
    placed.push(p);
    changes.push({ id, before, after: valuesAt(s, p) });
  }
  if (appended.length) placeInIdOrder(s, appended);
  for (const p of placed) for (const o of ordersOf(s, p)) o.insert(p);
  if (s.postings.compactDue) compactPostings(s);
  invalidate(s.caches, changes);
  return changes;
}

/** A fresh stamp for `snap.mark`: positions marked with it are the current request's. */
export function nextStamp(snap: Snapshot): number {
  if (snap.stamp >= 0x7fff_fff0) {
    snap.mark.fill(0);
    snap.stamp = 0;
  }
  return ++snap.stamp;
}
