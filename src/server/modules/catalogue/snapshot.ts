/**
 * The catalogue's working set in memory: for every listed instrument, what filters, facets and sorts need
 * (a few numbers and the normalised name, model and manufacturer), in columns.
 *
 * Why: a broad 1–2 character query matches a third of the catalogue; counting it, sorting it and counting it
 * again for seven facets costs far more in SQL than finding it (docs/decisions). The database finds the matching
 * ids (grams, FTS5, pg_trgm); everything after that is a pass over these arrays.
 *
 * It is exact, never stale: a snapshot belongs to one catalogue version (site_settings 'catalogue.version'),
 * which every catalogue write replaces in its own transaction (indexer.ts). Each request reads the version —
 * a primary-key lookup. When it changed, the snapshot is patched with the instruments that changed (the indexer
 * keeps the chain of versions and their instruments in this process) or, when the chain is not known, rebuilt.
 * The version is read before the data, so a snapshot is never newer-labelled than what it holds.
 */
import { sql } from 'kysely';
import { RUN_STATUSES } from '../../../domain/instrument';
import type { Database, Db } from '../../db/connect';
import type { InstrumentsTable } from '../../db/types';
import { journalEntry, VERSION_KEY } from './indexer';
import { ftsNeedsRecheck, ftsPhrase, likePattern, normalise, termKind } from './text';

export interface Snapshot {
  version: string;
  n: number;
  /** listed instruments in id order (code units): ties in every sort break by position */
  ids: string[];
  index: Map<string, number>;
  /** category code as a number (e.g. 10102 for 010102); class = floor(/10000), subclass = floor(/100) */
  category: Int32Array;
  /** index into `orgs` */
  org: Int32Array;
  orgs: string[];
  orgAt: Map<string, number>;
  /** name, city and type per entry of `orgs` (a rename calls reindexOrganization, which replaces the version) */
  orgInfo: { name: string; cityCode: string; type: string }[];
  /** index into `cities` (instrument's city, else its organisation's) */
  city: Int32Array;
  cities: string[];
  cityAt: Map<string, number>;
  /** value in fen; NaN when unknown */
  value: Float64Array;
  /** 0 internal, 1 external */
  sharing: Uint8Array;
  /** index into RUN_STATUSES, or 255 */
  run: Uint8Array;
  disabled: Uint8Array;
  served: Int32Array;
  /** purchase date as yyyymmdd, 0 when unknown */
  purchased: Int32Array;
  /** service fields as CSR: fieldValues[fieldStart[i] .. fieldStart[i+1]) are indexes into `fields` */
  fieldStart: Int32Array;
  fieldValues: Int32Array;
  fields: string[];
  fieldAt: Map<string, number>;
  nameText: string[];
  modelText: string[];
  makerText: string[];
  /** ascending (served, position) */
  byServed: Int32Array;
  /** ascending (purchase date, position), known dates only */
  byPurchased: Int32Array;
  /** unknown purchase date, ascending position */
  noPurchase: Int32Array;
  /** how it came to be: built from scratch, or patched from the previous version */
  origin: 'build' | 'patch';
  /** category, service field and city names; reloaded after REFERENCE_TTL_MS (labels only, edited by the administrator) */
  ref: Reference;
  refAt: number;
  /** positions per query term, ascending (a cache: kept across patches, dropped with a rebuild) */
  terms: Map<string, Int32Array>;
  termEntries: number;
  /** results computed from this snapshot (facets of repeated queries …); dropped with it */
  memo: Map<string, unknown>;
}

export interface Reference {
  categories: Map<string, { name: string; level: number; parent: string | null; sort: number }>;
  fields: { code: string; name: string; sort: number }[];
  cities: Map<string, { name: string; sort: number }>;
}

async function loadReference(db: Db): Promise<Reference> {
  const cats = await db.selectFrom('categories').select(['code', 'name', 'level', 'parentCode', 'sort']).execute();
  const fields = await db.selectFrom('serviceFields').select(['code', 'name', 'sort']).orderBy('sort').execute();
  const cities = await db.selectFrom('cities').select(['code', 'name', 'sort']).execute();
  return {
    categories: new Map(cats.map((c) => [c.code, { name: c.name, level: c.level, parent: c.parentCode, sort: c.sort }])),
    fields,
    cities: new Map(cities.map((c) => [c.code, { name: c.name, sort: c.sort }])),
  };
}

const REFERENCE_TTL_MS = 30_000;

/** Reference names of a snapshot, reloaded when older than REFERENCE_TTL_MS. */
export async function referenceOf(db: Db, snap: Snapshot): Promise<Reference> {
  if (Date.now() - snap.refAt > REFERENCE_TTL_MS) {
    snap.refAt = Date.now();
    snap.ref = await loadReference(db);
  }
  return snap.ref;
}

interface State {
  snap: Snapshot | null;
  building: Promise<Snapshot> | null;
  buildingVersion: string | null;
  stats: { termHits: number; termMisses: number; rebuilds: number; patches: number };
}

const states = new WeakMap<Db, State>();
const stateOf = (db: Db): State => {
  let s = states.get(db);
  if (!s) {
    s = { snap: null, building: null, buildingVersion: null, stats: { termHits: 0, termMisses: 0, rebuilds: 0, patches: 0 } };
    states.set(db, s);
  }
  return s;
};

export async function currentVersion(db: Db): Promise<string> {
  const row = await db.selectFrom('siteSettings').select('valueJson').where('key', '=', VERSION_KEY).executeTakeFirst();
  return row ? String(row.valueJson) : '';
}

const dateNum = (d: string | null) => (d && /^\d{4}-\d{2}-\d{2}/.test(d) ? Number(d.slice(0, 4) + d.slice(5, 7) + d.slice(8, 10)) : 0);
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ------------------------------------------------------------------ reading

const COLUMNS = ['id', 'state', 'orgId', 'categoryCode', 'cityCode', 'valueFen', 'sharingMode', 'runStatus', 'isDisabled', 'serviceCount', 'purchaseDate', 'name', 'nameEn', 'model', 'manufacturer'] as const;
type Source = Pick<InstrumentsTable, (typeof COLUMNS)[number]> & { searchText?: string };
type Orgs = Map<string, { name: string; cityCode: string; type: string }>;

const readOrgs = async (db: Db): Promise<Orgs> =>
  new Map((await db.selectFrom('organizations').select(['id', 'name', 'cityCode', 'type']).execute()).map((o) => [o.id, o]));

/** Appends to an interned list: the position of `v`, added when new. */
function intern(list: string[], at: Map<string, number>, v: string): number {
  let k = at.get(v);
  if (k === undefined) { k = list.length; list.push(v); at.set(v, k); }
  return k;
}

function empty(version: string, n: number, ref: Reference, refAt: number): Snapshot {
  return {
    version, n, ids: new Array(n), index: new Map(),
    category: new Int32Array(n), org: new Int32Array(n), orgs: [], orgAt: new Map(), orgInfo: [], city: new Int32Array(n), cities: [], cityAt: new Map(),
    value: new Float64Array(n), sharing: new Uint8Array(n), run: new Uint8Array(n), disabled: new Uint8Array(n),
    served: new Int32Array(n), purchased: new Int32Array(n), fieldStart: new Int32Array(n + 1), fieldValues: new Int32Array(0), fields: [], fieldAt: new Map(),
    nameText: new Array(n), modelText: new Array(n), makerText: new Array(n),
    byServed: new Int32Array(0), byPurchased: new Int32Array(0), noPurchase: new Int32Array(0),
    origin: 'build', ref, refAt, terms: new Map(), termEntries: 0, memo: new Map(),
  };
}

/** Writes one instrument at position i. */
function put(s: Snapshot, i: number, r: Source, orgs: Orgs) {
  s.ids[i] = r.id;
  s.category[i] = Number(r.categoryCode) || 0;
  s.org[i] = intern(s.orgs, s.orgAt, r.orgId);
  s.city[i] = intern(s.cities, s.cityAt, r.cityCode ?? orgs.get(r.orgId)?.cityCode ?? '');
  s.value[i] = r.valueFen == null ? NaN : Number(r.valueFen);
  s.sharing[i] = r.sharingMode === 'internal' ? 0 : 1;
  const run = (RUN_STATUSES as readonly string[]).indexOf(r.runStatus);
  s.run[i] = run < 0 ? 255 : run;
  s.disabled[i] = r.isDisabled ? 1 : 0;
  s.served[i] = Number(r.serviceCount) || 0;
  s.purchased[i] = dateNum(r.purchaseDate);
  s.nameText[i] = normalise(`${r.name} ${r.nameEn ?? ''}`);
  s.modelText[i] = normalise(r.model);
  s.makerText[i] = normalise(r.manufacturer);
}

const byServedCmp = (s: Snapshot) => (a: number, b: number) => s.served[a] - s.served[b] || a - b;
const byPurchasedCmp = (s: Snapshot) => (a: number, b: number) => s.purchased[a] - s.purchased[b] || a - b;

/** Organisation names, and the position of each id (shared with the previous snapshot when no position moved). */
function finish(s: Snapshot, orgs: Orgs, samePositionsAs?: Snapshot) {
  s.orgInfo = s.orgs.map((id) => {
    const o = orgs.get(id);
    return { name: o?.name ?? '', cityCode: o?.cityCode ?? '', type: o?.type ?? '' };
  });
  if (samePositionsAs) { s.index = samePositionsAs.index; return; }
  s.index = new Map();
  for (let i = 0; i < s.n; i++) s.index.set(s.ids[i], i);
}

// ------------------------------------------------------------------ build

async function build(db: Db, version: string): Promise<Snapshot> {
  // one sequential scan, no join: the few rows that are not listed are dropped here, organisations are read apart
  const scanned = await db.selectFrom('instruments').select([...COLUMNS]).execute();
  const rows: Source[] = scanned.filter((r) => r.state === 'listed').sort((a, b) => byCodeUnits(a.id, b.id));
  const orgs = await readOrgs(db);
  const fieldRows = await db.selectFrom('instrumentFields').select(['instrumentId', 'fieldCode']).execute();
  const s = empty(version, rows.length, await loadReference(db), Date.now());
  rows.forEach((r, i) => put(s, i, r, orgs));
  finish(s, orgs);

  const per: number[][] = [];
  for (const f of fieldRows) {
    const i = s.index.get(f.instrumentId);
    if (i !== undefined) (per[i] ??= []).push(intern(s.fields, s.fieldAt, f.fieldCode));
  }
  const values: number[] = [];
  for (let i = 0; i < s.n; i++) {
    s.fieldStart[i] = values.length;
    if (per[i]) for (const v of per[i]) values.push(v);
  }
  s.fieldStart[s.n] = values.length;
  s.fieldValues = Int32Array.from(values);

  // sort orders, ascending; descending is the same read backwards
  const positions = Array.from({ length: s.n }, (_, i) => i);
  s.byServed = Int32Array.from([...positions].sort(byServedCmp(s)));
  s.byPurchased = Int32Array.from(positions.filter((i) => s.purchased[i] > 0).sort(byPurchasedCmp(s)));
  s.noPurchase = Int32Array.from(positions.filter((i) => s.purchased[i] === 0));
  return s;
}

// ------------------------------------------------------------------ patch

/** Above this many changed instruments a rebuild is as cheap as a patch. */
const PATCH_MAX = 2000;

/**
 * The instruments changed between two versions, when this process saw every step (indexer.ts keeps the chain);
 * null when it did not (another process wrote, or a change did not name its instruments): then rebuild.
 */
function changedBetween(from: string, to: string): Set<string> | null {
  const ids = new Set<string>();
  let t: string | null = to;
  for (let steps = 0; t !== from; steps++) {
    const e: ReturnType<typeof journalEntry> = t === null ? undefined : journalEntry(t);
    if (!e || !e.ids || steps > 10_000) return null;
    for (const id of e.ids) ids.add(id);
    if (ids.size > PATCH_MAX) return null;
    t = e.prev;
  }
  return ids;
}

/** Merges two ascending lists of positions under `cmp`. */
function merge(a: number[], b: number[], cmp: (x: number, y: number) => number): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * The next version from the previous snapshot and the changed instruments only: unchanged positions are copied,
 * changed ones read again, sort orders merged, cached term hits carried over (a changed instrument is matched
 * against its new search_text, which is what LIKE matches too). The old snapshot is left as it was.
 */
async function patch(db: Db, old: Snapshot, version: string, changed: Set<string>): Promise<Snapshot> {
  const ids = [...changed];
  const fresh = new Map<string, Source>();
  const freshFields = new Map<string, string[]>();
  for (let k = 0; k < ids.length; k += 500) {
    const part = ids.slice(k, k + 500);
    const rows = await db.selectFrom('instruments').select([...COLUMNS, 'searchText']).where('id', 'in', part).execute();
    for (const r of rows) if (r.state === 'listed') fresh.set(r.id, r);
    const fr = await db.selectFrom('instrumentFields').select(['instrumentId', 'fieldCode']).where('instrumentId', 'in', part).execute();
    for (const f of fr) (freshFields.get(f.instrumentId) ?? freshFields.set(f.instrumentId, []).get(f.instrumentId)!).push(f.fieldCode);
  }
  const orgs = await readOrgs(db);
  const added = [...fresh.keys()].sort(byCodeUnits);
  let kept = 0;
  for (const id of changed) if (old.index.has(id)) kept++;
  const s = empty(version, old.n - kept + added.length, old.ref, old.refAt);
  s.origin = 'patch';
  s.orgs = [...old.orgs]; s.orgAt = new Map(old.orgAt);
  s.cities = [...old.cities]; s.cityAt = new Map(old.cityAt);
  s.fields = [...old.fields]; s.fieldAt = new Map(old.fieldAt);

  const oldToNew = new Int32Array(old.n).fill(-1);
  const newPositions: number[] = [];
  const values: number[] = [];
  let i = 0, a = 0, k = 0;
  while (i < old.n || a < added.length) {
    while (i < old.n && changed.has(old.ids[i])) i++;
    if (i >= old.n && a >= added.length) break;
    const takeOld = a >= added.length || (i < old.n && old.ids[i] < added[a]);
    s.fieldStart[k] = values.length;
    if (takeOld) {
      s.ids[k] = old.ids[i]; s.category[k] = old.category[i]; s.org[k] = old.org[i]; s.value[k] = old.value[i];
      s.sharing[k] = old.sharing[i]; s.run[k] = old.run[i]; s.disabled[k] = old.disabled[i]; s.served[k] = old.served[i]; s.purchased[k] = old.purchased[i];
      s.nameText[k] = old.nameText[i]; s.modelText[k] = old.modelText[i]; s.makerText[k] = old.makerText[i];
      // the organisation's city may have changed (reindexOrganization names all its instruments, so those are fresh)
      s.city[k] = old.city[i];
      for (let j = old.fieldStart[i]; j < old.fieldStart[i + 1]; j++) values.push(old.fieldValues[j]);
      oldToNew[i] = k;
      i++;
    } else {
      const r = fresh.get(added[a])!;
      put(s, k, r, orgs);
      for (const code of freshFields.get(r.id) ?? []) values.push(intern(s.fields, s.fieldAt, code));
      newPositions.push(k);
      a++;
    }
    k++;
  }
  s.fieldStart[s.n] = values.length;
  s.fieldValues = Int32Array.from(values);
  // edits of listed instruments (the common case) move no position
  finish(s, orgs, added.length === kept && added.every((id) => old.index.has(id)) ? old : undefined);

  const remap = (order: Int32Array) => {
    const out: number[] = [];
    for (const p of order) { const q = oldToNew[p]; if (q >= 0) out.push(q); }
    return out;
  };
  s.byServed = merge(remap(old.byServed), [...newPositions].sort(byServedCmp(s)), byServedCmp(s));
  s.byPurchased = merge(remap(old.byPurchased), newPositions.filter((p) => s.purchased[p] > 0).sort(byPurchasedCmp(s)), byPurchasedCmp(s));
  s.noPurchase = merge(remap(old.noPurchase), newPositions.filter((p) => s.purchased[p] === 0), (x, y) => x - y);

  for (const [term, hits] of old.terms) {
    const next = remap(hits);
    for (const p of newPositions) if (fresh.get(s.ids[p])!.searchText!.includes(term)) next.push(p);
    const list = Int32Array.from(next).sort();
    s.terms.set(term, list);
    s.termEntries += list.length;
  }
  return s;
}

/** The snapshot of the current catalogue version: patched from the previous one when possible, else built. */
export async function snapshot(db: Db): Promise<Snapshot> {
  const st = stateOf(db);
  const version = await currentVersion(db);
  if (st.snap && st.snap.version === version) return st.snap;
  if (st.building && st.buildingVersion === version) return st.building;
  st.buildingVersion = version;
  const prev = st.snap;
  const changed = prev ? changedBetween(prev.version, version) : null;
  const p = (prev && changed ? patch(db, prev, version, changed) : build(db, version)).then((s) => {
    if (st.buildingVersion === version) { st.snap = s; st.building = null; st.buildingVersion = null; }
    if (s.origin === 'patch') st.stats.patches++; else st.stats.rebuilds++;
    return s;
  }, (e) => {
    if (st.buildingVersion === version) { st.building = null; st.buildingVersion = null; }
    throw e;
  });
  st.building = p;
  return p;
}

/** A fresh build, for tests that compare it with a patched snapshot. */
export const buildSnapshot = (db: Db, version: string) => build(db, version);

// ------------------------------------------------------------------ matching

const TERM_BUDGET = 4_000_000; // ids kept in the term cache (16 MB)

/** Instrument ids whose search text contains `term`, straight from the database, as one joined string. */
async function matchIds(database: Database, term: string): Promise<string[]> {
  const { db, dialect } = database;
  const agg = dialect === 'postgres' ? sql<string>`string_agg(instrument_id, ',')` : sql<string>`group_concat(instrument_id, ',')`;
  let row: { ids: string | null } | undefined;
  if (termKind(term) === 'gram') {
    row = await db.selectFrom('instrumentGrams').select(agg.as('ids')).where('gram', '=', term).executeTakeFirst();
  } else if (dialect === 'postgres') {
    // the GIN pg_trgm index answers LIKE; PostgreSQL re-checks every candidate, so the hits are exact
    row = await sql<{ ids: string | null }>`select string_agg(id, ',') as ids from instruments where state = 'listed' and search_text like ${likePattern(term)} escape '\\'`.execute(db).then((r) => r.rows[0]);
  } else if (ftsNeedsRecheck(term)) {
    row = await sql<{ ids: string | null }>`select group_concat(f.instrument_id, ',') as ids from instrument_fts f join instruments i on i.id = f.instrument_id
      where instrument_fts match ${ftsPhrase(term)} and i.search_text like ${likePattern(term)} escape '\\'`.execute(db).then((r) => r.rows[0]);
  } else {
    row = await sql<{ ids: string | null }>`select group_concat(instrument_id, ',') as ids from instrument_fts where instrument_fts match ${ftsPhrase(term)}`.execute(db).then((r) => r.rows[0]);
  }
  return row?.ids ? row.ids.split(',') : [];
}

/** Snapshot positions of the listed instruments that contain `term`, ascending. Cached with the snapshot. */
export async function termHits(database: Database, snap: Snapshot, term: string): Promise<Int32Array> {
  const st = stateOf(database.db);
  const cached = snap.terms.get(term);
  if (cached) {
    st.stats.termHits++;
    snap.terms.delete(term);
    snap.terms.set(term, cached); // most recently used last
    return cached;
  }
  st.stats.termMisses++;
  const ids = await matchIds(database, term);
  const out: number[] = [];
  for (const id of ids) {
    const i = snap.index.get(id);
    if (i !== undefined) out.push(i);
  }
  const hits = Int32Array.from(out).sort();
  snap.terms.set(term, hits);
  snap.termEntries += hits.length;
  for (const [k, v] of snap.terms) {
    if (snap.termEntries <= TERM_BUDGET) break;
    snap.terms.delete(k);
    snap.termEntries -= v.length;
  }
  return hits;
}

export const cacheStats = (db: Db) => ({ ...stateOf(db).stats });
/** For the benchmark: forget cached term hits and memoised results so that a measurement starts cold. */
export function dropCaches(db: Db) {
  const snap = stateOf(db).snap;
  if (!snap) return;
  snap.terms.clear();
  snap.termEntries = 0;
  snap.memo.clear();
}
