/**
 * The catalogue's working set in memory: for every listed instrument, its normalised search text and what
 * filters, facets and sorts need, in columns; and postings of every character and character pair of the search
 * texts (finder.ts), so that finding, counting, sorting and paging never ask the database.
 *
 * Why: a broad 1–2 character query matches half of the catalogue; finding it in SQL (grams, FTS5, pg_trgm),
 * turning ids into positions, counting it and sorting it cost tens of milliseconds per cold query
 * (docs/decisions/0001-catalogue-search.md). Here a 1–2 character term is one lookup, and a longer one
 * intersects the lists of its character pairs and verifies the few candidates with includes.
 *
 * It is exact, never stale: a snapshot belongs to one catalogue version (site_settings 'catalogue.version'),
 * which every catalogue write replaces in its own transaction (indexer.ts). Each request reads the version —
 * a primary-key lookup. When it changed, the snapshot is patched with the instruments that changed (the indexer
 * keeps the chain of versions and their instruments in this process) or, when the chain is not known, rebuilt.
 * The version is read before the data, so a snapshot is never newer-labelled than what it holds. Everything
 * computed from a snapshot (term hits, relevance weights, results) is kept with it and dropped with it.
 */
import { RUN_STATUSES } from '../../../domain/instrument';
import type { Db } from '../../db/connect';
import type { InstrumentsTable } from '../../db/types';
import { buildPostings, candidates, type Postings } from './finder';
import { journalEntry, VERSION_KEY } from './indexer';
import { normalise, WEIGHT } from './text';

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
/** Index into VALUE_RANGES; VALUE_RANGES.length when the value is unknown. */
const valueBucket = (v: number) => (Number.isNaN(v) ? VALUE_RANGES.length : v < 50 * WAN ? 0 : v < 100 * WAN ? 1 : v < 200 * WAN ? 2 : v < 500 * WAN ? 3 : v < 1000 * WAN ? 4 : 5);

/**
 * Distinct (name, model, manufacturer) texts, shared by the snapshots of one chain and only ever appended to:
 * a snapshot never reads past the entries it knew. Relevance weights are computed once per entry and term.
 */
interface RelTable { name: string[]; model: string[]; maker: string[]; at: Map<string, number> }

export interface Snapshot {
  version: string;
  n: number;
  /** listed instruments in id order (code units): ties in every sort break by position */
  ids: string[];
  index: Map<string, number>;
  /** the normalised search text (instruments.search_text): what a keyword must be a substring of */
  text: string[];
  /** category code as a number (e.g. 10102 for 010102), its class (1) and subclass (101) */
  category: Int32Array;
  cls: Int32Array;
  sub: Int32Array;
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
  /** index into VALUE_RANGES, VALUE_RANGES.length when unknown */
  valueRange: Uint8Array;
  /** 0 internal, 1 external */
  sharing: Uint8Array;
  /** index into RUN_STATUSES, RUN_STATUSES.length for any other status */
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
  /** index into the relevance table: the instrument's normalised name (+ English name), model and manufacturer */
  rel: Int32Array;
  relTable: RelTable;
  /** ascending (served, position) */
  byServed: Int32Array;
  /** ascending (purchase date, position), known dates only */
  byPurchased: Int32Array;
  /** unknown purchase date, ascending position */
  noPurchase: Int32Array;
  /** postings of the search texts as they were when it was built (doc = position then) */
  finder: Postings;
  /** doc of `finder` → position here, -1 when the instrument left or its text changed; null: doc = position */
  docPos: Int32Array | null;
  /** positions that `finder` does not cover (listed or changed since it was built), ascending: checked one by one */
  loose: Int32Array;
  /** how it came to be: built from scratch, or patched from the previous version */
  origin: 'build' | 'patch';
  /** category, service field and city names; reloaded after REFERENCE_TTL_MS (labels only, edited by the administrator) */
  ref: Reference;
  refAt: number;
  /** positions per query term, ascending (for terms the postings do not answer directly), least recently used first */
  terms: Map<string, Int32Array>;
  termEntries: number;
  /** relevance weight per term and relevance-table entry (0 = not computed yet) */
  weights: Map<string, Int8Array>;
  /** results computed from this snapshot (whole search results, facets of the home page …); dropped with it */
  memo: Map<string, unknown>;
  /** positions held by the memo (its budget) */
  memoEntries: number;
  /** instrument rows read for result pages (service.ts), by id: as current as the snapshot; dropped with it */
  rows: Map<string, unknown>;
  /**
   * per-request scratch: mark[i] === the current stamp marks a position (search is synchronous between awaits,
   * so one set serves every request; snapshots patched in place share it, with its stamp counter)
   */
  mark: Int32Array;
  stamps: { v: number };
  /** per-request scratch of n positions (twice) and n relevance scores */
  scratchPos: Int32Array;
  scratchMembers: Int32Array;
  scratchScore: Uint16Array;
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

/** Reference names of a snapshot, reloaded when older than REFERENCE_TTL_MS (results cached with the old names are keyed by refAt). */
export async function referenceOf(db: Db, snap: Snapshot): Promise<Reference> {
  if (Date.now() - snap.refAt > REFERENCE_TTL_MS) {
    snap.refAt = Date.now();
    snap.ref = await loadReference(db);
  }
  return snap.ref;
}

export interface CacheStats { resultHits: number; resultCountsHits: number; resultMisses: number; termHits: number; termMisses: number; rebuilds: number; patches: number; finderBuilds: number }

interface State {
  snap: Snapshot | null;
  building: Promise<Snapshot> | null;
  buildingVersion: string | null;
  stats: CacheStats;
}

const states = new WeakMap<Db, State>();
const stateOf = (db: Db): State => {
  let s = states.get(db);
  if (!s) {
    s = { snap: null, building: null, buildingVersion: null, stats: { resultHits: 0, resultCountsHits: 0, resultMisses: 0, termHits: 0, termMisses: 0, rebuilds: 0, patches: 0, finderBuilds: 0 } };
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

const COLUMNS = ['id', 'state', 'orgId', 'categoryCode', 'cityCode', 'valueFen', 'sharingMode', 'runStatus', 'isDisabled', 'serviceCount', 'purchaseDate', 'name', 'nameEn', 'model', 'manufacturer', 'searchText'] as const;
type Source = Pick<InstrumentsTable, (typeof COLUMNS)[number]>;
type Orgs = Map<string, { name: string; cityCode: string; type: string }>;

const readOrgs = async (db: Db): Promise<Orgs> =>
  new Map((await db.selectFrom('organizations').select(['id', 'name', 'cityCode', 'type']).execute()).map((o) => [o.id, o]));

/** Appends to an interned list: the position of `v`, added when new. */
function intern(list: string[], at: Map<string, number>, v: string): number {
  let k = at.get(v);
  if (k === undefined) { k = list.length; list.push(v); at.set(v, k); }
  return k;
}

function relOf(t: RelTable, name: string, model: string, maker: string): number {
  const key = `${name}\u0000${model}\u0000${maker}`;
  let k = t.at.get(key);
  if (k === undefined) { k = t.name.length; t.name.push(name); t.model.push(model); t.maker.push(maker); t.at.set(key, k); }
  return k;
}

function empty(version: string, n: number, ref: Reference, refAt: number, relTable: RelTable): Snapshot {
  return {
    version, n, ids: new Array(n), index: new Map(), text: new Array(n),
    category: new Int32Array(n), cls: new Int32Array(n), sub: new Int32Array(n),
    org: new Int32Array(n), orgs: [], orgAt: new Map(), orgInfo: [], city: new Int32Array(n), cities: [], cityAt: new Map(),
    value: new Float64Array(n), valueRange: new Uint8Array(n), sharing: new Uint8Array(n), run: new Uint8Array(n), disabled: new Uint8Array(n),
    served: new Int32Array(n), purchased: new Int32Array(n), fieldStart: new Int32Array(n + 1), fieldValues: new Int32Array(0), fields: [], fieldAt: new Map(),
    rel: new Int32Array(n), relTable,
    byServed: new Int32Array(0), byPurchased: new Int32Array(0), noPurchase: new Int32Array(0),
    finder: buildPostings([]), docPos: null, loose: new Int32Array(0),
    origin: 'build', ref, refAt, terms: new Map(), termEntries: 0, weights: new Map(), memo: new Map(), memoEntries: 0, rows: new Map(),
    mark: new Int32Array(n), stamps: { v: 0 }, scratchPos: new Int32Array(n), scratchMembers: new Int32Array(n), scratchScore: new Uint16Array(n),
  };
}

/** Writes one instrument at position i. */
function put(s: Snapshot, i: number, r: Source, orgs: Orgs) {
  s.ids[i] = r.id;
  s.text[i] = r.searchText ?? '';
  const cat = Number(r.categoryCode) || 0;
  s.category[i] = cat;
  s.cls[i] = Math.floor(cat / 10_000);
  s.sub[i] = Math.floor(cat / 100);
  s.org[i] = intern(s.orgs, s.orgAt, r.orgId);
  s.city[i] = intern(s.cities, s.cityAt, r.cityCode ?? orgs.get(r.orgId)?.cityCode ?? '');
  s.value[i] = r.valueFen == null ? NaN : Number(r.valueFen);
  s.valueRange[i] = valueBucket(s.value[i]);
  s.sharing[i] = r.sharingMode === 'internal' ? 0 : 1;
  const run = (RUN_STATUSES as readonly string[]).indexOf(r.runStatus);
  s.run[i] = run < 0 ? RUN_STATUSES.length : run;
  s.disabled[i] = r.isDisabled ? 1 : 0;
  s.served[i] = Math.max(0, Number(r.serviceCount) || 0);
  s.purchased[i] = dateNum(r.purchaseDate);
  s.rel[i] = relOf(s.relTable, normalise(`${r.name} ${r.nameEn ?? ''}`), normalise(r.model), normalise(r.manufacturer));
}

/** Copies position i of `old` to position k of `s`. */
function copy(s: Snapshot, k: number, old: Snapshot, i: number) {
  s.ids[k] = old.ids[i]; s.text[k] = old.text[i];
  s.category[k] = old.category[i]; s.cls[k] = old.cls[i]; s.sub[k] = old.sub[i];
  s.org[k] = old.org[i]; s.city[k] = old.city[i];
  s.value[k] = old.value[i]; s.valueRange[k] = old.valueRange[i]; s.sharing[k] = old.sharing[i]; s.run[k] = old.run[i]; s.disabled[k] = old.disabled[i];
  s.served[k] = old.served[i]; s.purchased[k] = old.purchased[i]; s.rel[k] = old.rel[i];
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

/** Postings over the snapshot's own texts: every position covered, none loose. */
function ownFinder(s: Snapshot, st?: State) {
  s.finder = buildPostings(s.text);
  s.docPos = null;
  s.loose = new Int32Array(0);
  if (st) st.stats.finderBuilds++;
}

// ------------------------------------------------------------------ build

async function build(db: Db, version: string, st?: State): Promise<Snapshot> {
  // one sequential scan, no join: the few rows that are not listed are dropped here, organisations are read apart
  const scanned = await db.selectFrom('instruments').select([...COLUMNS]).execute();
  const rows: Source[] = scanned.filter((r) => r.state === 'listed').sort((a, b) => byCodeUnits(a.id, b.id));
  const orgs = await readOrgs(db);
  const fieldRows = await db.selectFrom('instrumentFields').select(['instrumentId', 'fieldCode']).execute();
  const s = empty(version, rows.length, await loadReference(db), Date.now(), { name: [], model: [], maker: [], at: new Map() });
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
  ownFinder(s, st);
  return s;
}

// ------------------------------------------------------------------ patch

/** Above this many changed instruments a rebuild is as cheap as a patch. */
const PATCH_MAX = 2000;
/** Above this many loose positions the postings are rebuilt (a term then checks fewer texts one by one). */
const looseMax = (n: number) => Math.max(1000, n >> 5);

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
 * changed ones read again, sort orders merged. The postings are kept: a doc whose instrument stays with the same
 * text maps to its new position; a new or re-texted instrument is loose (checked with includes) until the
 * postings are rebuilt. The old snapshot is left as it was.
 */
async function patch(db: Db, old: Snapshot, version: string, changed: Set<string>, st: State): Promise<Snapshot> {
  const ids = [...changed];
  const fresh = new Map<string, Source>();
  const freshFields = new Map<string, string[]>();
  for (let k = 0; k < ids.length; k += 500) {
    const part = ids.slice(k, k + 500);
    const rows = await db.selectFrom('instruments').select([...COLUMNS]).where('id', 'in', part).execute();
    for (const r of rows) if (r.state === 'listed') fresh.set(r.id, r);
    const fr = await db.selectFrom('instrumentFields').select(['instrumentId', 'fieldCode']).where('instrumentId', 'in', part).execute();
    for (const f of fr) (freshFields.get(f.instrumentId) ?? freshFields.set(f.instrumentId, []).get(f.instrumentId)!).push(f.fieldCode);
  }
  const orgs = await readOrgs(db);
  // the common change (counts, ratings, 停用, an edit) lists nobody new and delists nobody: no position moves
  // (an instrument that was not listed before and is not now changes nothing here)
  if ([...changed].every((id) => old.index.has(id) === fresh.has(id))) return patchInPlace(old, version, fresh, freshFields, orgs, st);
  const added = [...fresh.keys()].sort(byCodeUnits);
  let kept = 0;
  for (const id of changed) if (old.index.has(id)) kept++;
  const s = empty(version, old.n - kept + added.length, old.ref, old.refAt, old.relTable);
  s.origin = 'patch';
  s.orgs = [...old.orgs]; s.orgAt = new Map(old.orgAt);
  s.cities = [...old.cities]; s.cityAt = new Map(old.cityAt);
  s.fields = [...old.fields]; s.fieldAt = new Map(old.fieldAt);

  // the doc of each old position (-1: loose)
  const posDoc = new Int32Array(old.n).fill(-1);
  for (let d = 0; d < old.finder.m; d++) {
    const q = old.docPos ? old.docPos[d] : d;
    if (q >= 0) posDoc[q] = d;
  }
  const docPos = new Int32Array(old.finder.m).fill(-1);
  const loose: number[] = [];
  let textChanged = false;

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
      // the organisation's city may have changed (reindexOrganization names all its instruments, so those are fresh)
      copy(s, k, old, i);
      for (let j = old.fieldStart[i]; j < old.fieldStart[i + 1]; j++) values.push(old.fieldValues[j]);
      oldToNew[i] = k;
      if (posDoc[i] >= 0) docPos[posDoc[i]] = k; else loose.push(k);
      i++;
    } else {
      const r = fresh.get(added[a])!;
      put(s, k, r, orgs);
      for (const code of freshFields.get(r.id) ?? []) values.push(intern(s.fields, s.fieldAt, code));
      newPositions.push(k);
      const q = old.index.get(r.id);
      if (q === undefined || old.text[q] !== s.text[k]) textChanged = true;
      // same id, same text: its doc still answers for it (positions keep the id order, so docs stay ascending)
      if (q !== undefined && posDoc[q] >= 0 && old.text[q] === s.text[k]) docPos[posDoc[q]] = k; else loose.push(k);
      a++;
    }
    k++;
  }
  s.fieldStart[s.n] = values.length;
  s.fieldValues = Int32Array.from(values);
  // edits of listed instruments (the common case) move no position
  const samePositions = added.length === kept && added.every((id) => old.index.has(id));
  finish(s, orgs, samePositions ? old : undefined);
  // relevance weights belong to the shared table's entries; term hits stay right while no position and no text
  // changed (a service count, a rating, 停用 …): the common change does not make every term cold again
  s.weights = new Map(old.weights);
  if (samePositions && !textChanged && old.n === s.n) {
    s.terms = new Map(old.terms);
    s.termEntries = old.termEntries;
  }

  const remap = (order: Int32Array) => {
    const out: number[] = [];
    for (const p of order) { const q = oldToNew[p]; if (q >= 0) out.push(q); }
    return out;
  };
  s.byServed = merge(remap(old.byServed), [...newPositions].sort(byServedCmp(s)), byServedCmp(s));
  s.byPurchased = merge(remap(old.byPurchased), newPositions.filter((p) => s.purchased[p] > 0).sort(byPurchasedCmp(s)), byPurchasedCmp(s));
  s.noPurchase = merge(remap(old.noPurchase), newPositions.filter((p) => s.purchased[p] === 0), (x, y) => x - y);

  if (loose.length > looseMax(s.n)) ownFinder(s, st);
  else {
    s.finder = old.finder;
    s.docPos = docPos;
    s.loose = Int32Array.from(loose);
  }
  return s;
}

/** Takes `positions` (ascending by cmp in `order`) out of `order` and puts them back where `cmp` says. */
function reorder(order: Int32Array, positions: number[], drop: Uint8Array, cmp: (a: number, b: number) => number, keep: (i: number) => boolean): Int32Array {
  const rest: number[] = [];
  for (let k = 0; k < order.length; k++) if (!drop[order[k]]) rest.push(order[k]);
  return merge(rest, positions.filter(keep).sort(cmp), cmp);
}

/**
 * A patch in which no position moves: the columns are copied whole (typed-array copies) and the changed
 * positions written again; the id order, the postings, unchanged sort orders and field lists are shared with the
 * previous snapshot, and so is the request scratch. Term hits are kept unless a text changed.
 */
function patchInPlace(old: Snapshot, version: string, fresh: Map<string, Source>, freshFields: Map<string, string[]>, orgs: Orgs, st: State): Snapshot {
  const s: Snapshot = {
    ...old, version, origin: 'patch',
    text: old.text.slice(), category: old.category.slice(), cls: old.cls.slice(), sub: old.sub.slice(), org: old.org.slice(), city: old.city.slice(),
    value: old.value.slice(), valueRange: old.valueRange.slice(), sharing: old.sharing.slice(), run: old.run.slice(), disabled: old.disabled.slice(),
    served: old.served.slice(), purchased: old.purchased.slice(), rel: old.rel.slice(),
    orgs: [...old.orgs], orgAt: new Map(old.orgAt), cities: [...old.cities], cityAt: new Map(old.cityAt), fields: [...old.fields], fieldAt: new Map(old.fieldAt),
    terms: new Map(), termEntries: 0, weights: new Map(old.weights), memo: new Map(), memoEntries: 0, rows: new Map(),
  };
  const positions: number[] = [];
  const drop = new Uint8Array(s.n);
  let served = false, purchased = false, fields = false;
  const reTexted: number[] = [];
  for (const [id, r] of fresh) {
    const i = old.index.get(id)!;
    put(s, i, r, orgs);
    positions.push(i);
    drop[i] = 1;
    if (s.served[i] !== old.served[i]) served = true;
    if (s.purchased[i] !== old.purchased[i]) purchased = true;
    if (s.text[i] !== old.text[i]) reTexted.push(i);
    const codes = (freshFields.get(id) ?? []).map((c) => intern(s.fields, s.fieldAt, c)).sort((a, b) => a - b);
    const had = Array.from(old.fieldValues.subarray(old.fieldStart[i], old.fieldStart[i + 1])).sort((a, b) => a - b);
    if (codes.join() !== had.join()) fields = true;
  }
  finish(s, orgs, old);
  positions.sort((a, b) => a - b);
  if (fields) {
    const values: number[] = [];
    s.fieldStart = new Int32Array(s.n + 1);
    for (let i = 0; i < s.n; i++) {
      s.fieldStart[i] = values.length;
      if (drop[i]) { for (const c of freshFields.get(s.ids[i]) ?? []) values.push(intern(s.fields, s.fieldAt, c)); }
      else for (let j = old.fieldStart[i]; j < old.fieldStart[i + 1]; j++) values.push(old.fieldValues[j]);
    }
    s.fieldStart[s.n] = values.length;
    s.fieldValues = Int32Array.from(values);
  }
  if (served) s.byServed = reorder(old.byServed, positions, drop, byServedCmp(s), () => true);
  if (purchased) {
    s.byPurchased = reorder(old.byPurchased, positions, drop, byPurchasedCmp(s), (i) => s.purchased[i] > 0);
    s.noPurchase = reorder(old.noPurchase, positions, drop, (x, y) => x - y, (i) => s.purchased[i] === 0);
  }
  if (!reTexted.length) {
    s.terms = new Map(old.terms);
    s.termEntries = old.termEntries;
  } else {
    // the docs of re-texted positions no longer answer for them: they are loose until the postings are rebuilt
    let docPos = old.docPos ? old.docPos.slice() : null;
    if (!docPos) { docPos = new Int32Array(old.finder.m); for (let d = 0; d < docPos.length; d++) docPos[d] = d; }
    const gone = new Set(reTexted);
    for (let d = 0; d < docPos.length; d++) if (gone.has(docPos[d])) docPos[d] = -1;
    const loose = new Set([...old.loose, ...reTexted]);
    s.docPos = docPos;
    s.loose = Int32Array.from([...loose].sort((a, b) => a - b));
    if (s.loose.length > looseMax(s.n)) ownFinder(s, st);
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
  const p = (prev && changed ? patch(db, prev, version, changed, st) : build(db, version, st)).then((s) => {
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

const TERM_BUDGET = 2_000_000; // positions kept in the term cache (8 MB)
const EMPTY = new Int32Array(0);

/**
 * Snapshot positions of the listed instruments whose search text contains `term`, ascending: exactly
 * `text.includes(term)`. A 1–2 character term on postings that cover every position is a view of the postings;
 * anything else is computed once and cached with the snapshot.
 */
export function termHits(db: Db, snap: Snapshot, term: string): Int32Array {
  const c = candidates(snap.finder, term);
  if (c && c.exact && !snap.docPos && !snap.loose.length) return c.docs;
  const st = stateOf(db);
  const cached = snap.terms.get(term);
  if (cached) {
    st.stats.termHits++;
    snap.terms.delete(term);
    snap.terms.set(term, cached); // most recently used last
    return cached;
  }
  st.stats.termMisses++;
  const { text, docPos, loose } = snap;
  let hits: Int32Array;
  if (!c) {
    const out: number[] = [];
    for (let i = 0; i < snap.n; i++) if (text[i].includes(term)) out.push(i);
    hits = Int32Array.from(out);
  } else {
    const docs = c.docs;
    const out = new Int32Array(docs.length + loose.length);
    let o = 0, l = 0;
    for (let k = 0; k < docs.length; k++) {
      const p = docPos ? docPos[docs[k]] : docs[k];
      if (p < 0 || (!c.exact && !text[p].includes(term))) continue;
      // loose positions in between, in order (mapped docs ascend with the positions)
      while (l < loose.length && loose[l] < p) { if (text[loose[l]].includes(term)) out[o++] = loose[l]; l++; }
      out[o++] = p;
    }
    for (; l < loose.length; l++) if (text[loose[l]].includes(term)) out[o++] = loose[l];
    hits = o ? out.slice(0, o) : EMPTY;
  }
  snap.terms.set(term, hits);
  snap.termEntries += hits.length;
  for (const [k, v] of snap.terms) {
    if (snap.termEntries <= TERM_BUDGET) break;
    snap.terms.delete(k);
    snap.termEntries -= v.length;
  }
  return hits;
}

const WEIGHTS_MAX = 64;

/**
 * The relevance weight of `term` for each entry of the relevance table (name 8 > model 4 > manufacturer 2 >
 * any other text 1), computed on first use of an entry: at most one includes per distinct name/model/maker.
 */
export function termWeights(snap: Snapshot, term: string): { weights: Int8Array; compute: (k: number) => number } {
  let w = snap.weights.get(term);
  if (!w) {
    w = new Int8Array(snap.relTable.name.length);
    snap.weights.set(term, w);
    if (snap.weights.size > WEIGHTS_MAX) snap.weights.delete(snap.weights.keys().next().value!);
  }
  const weights = w;
  const t = snap.relTable;
  const compute = (k: number) => {
    const v = t.name[k].includes(term) ? WEIGHT.name : t.model[k].includes(term) ? WEIGHT.model : t.maker[k].includes(term) ? WEIGHT.manufacturer : WEIGHT.other;
    weights[k] = v;
    return v;
  };
  return { weights, compute };
}

/** A fresh stamp for `snap.mark`: positions marked with it are the current request's. */
export function nextStamp(snap: Snapshot): number {
  const st = snap.stamps;
  if (st.v >= 0x7fff_fff0) { snap.mark.fill(0); st.v = 0; }
  return ++st.v;
}

const MEMO_ENTRIES = 1024;
const MEMO_BUDGET = 4_000_000; // positions kept in memoised results (16 MB)

/** A result kept with the snapshot (so dropped with it); `size` counts the positions it holds. Least recently used goes first. */
export function memoGet<T>(snap: Snapshot, key: string): T | undefined {
  const m = snap.memo;
  const hit = m.get(key) as { v: T; size: number } | undefined;
  if (!hit) return undefined;
  m.delete(key);
  m.set(key, hit);
  return hit.v;
}
/** Counts a search by how much of its result came from the memo: all of it, the counts only, or nothing. */
export function recordResult(db: Db, how: 'hit' | 'counts' | 'miss') {
  const st = stateOf(db).stats;
  if (how === 'hit') st.resultHits++; else if (how === 'counts') st.resultCountsHits++; else st.resultMisses++;
}
export function memoSet<T>(snap: Snapshot, key: string, v: T, size = 0): T {
  const m = snap.memo;
  const old = m.get(key) as { size: number } | undefined;
  if (old) { snap.memoEntries -= old.size; m.delete(key); }
  m.set(key, { v, size });
  snap.memoEntries += size;
  for (const [k, e] of m as Map<string, { size: number }>) {
    if (m.size <= MEMO_ENTRIES && snap.memoEntries <= MEMO_BUDGET) break;
    if (k === key) continue;
    m.delete(k);
    snap.memoEntries -= e.size;
  }
  return v;
}

export const cacheStats = (db: Db): CacheStats => ({ ...stateOf(db).stats });
/** For the benchmark: forget cached term hits and results so that a measurement starts cold. */
export function dropCaches(db: Db) {
  const snap = stateOf(db).snap;
  if (!snap) return;
  snap.terms.clear();
  snap.termEntries = 0;
  snap.weights.clear();
  snap.memo.clear();
  snap.memoEntries = 0;
  snap.rows.clear();
}
