/**
 * 入网仪器: keyword search, filters with counts, sorts, paging (offset and keyset), the 按单位 view and the
 * home page's counts. Matching is a substring match over search_text; see snapshot.ts for how it stays fast.
 *
 * A search is synchronous from the snapshot to the page's positions (no await in between), so it can use the
 * snapshot's scratch arrays instead of allocating n-sized ones per request. Its result — the total and every
 * facet per filters, the ordered positions per filters and sort, for both directions — is kept (cache.ts), not
 * per page: another page of the same query, or the same query again, only cuts a page. Each kept result carries
 * the test of which instrument changes can alter it, so a service count or an edit drops only those. The rows of
 * a page are kept too (a change of the instrument drops its row); pictures are read on every request.
 */
import { TOTAL_CAP, type CatalogueItemT, type CatalogueQueryT } from '../../../contracts/catalogue';
import { isBookable, RUN_STATUSES } from '../../../domain/instrument';
import { ORG_TYPES } from '../../../domain/reference';
import type { Database } from '../../db/connect';
import { memoGet, memoSet, recordResult, type Change } from './cache';
import { snapshot } from './feed';
import {
  count,
  hasTerms,
  matching,
  passes,
  resolve,
  type CatalogueFilterInput,
  type Counted,
  type Resolved,
} from './filters';
import {
  cmp,
  decodeCursor,
  encodeCursor,
  keyOf,
  pageOf,
  scorer,
  sortKind,
  type After,
  type Dir,
  type Sort,
  type SortKind,
} from './order';
import { nextStamp, referenceOf, VALUE_RANGES, type Reference, type Snapshot } from './snapshot';
import { snippet } from './text';
import { turn } from './turns';
import { idleInstrumentIds } from '../terminals/live';

export { VALUE_RANGES } from './snapshot';
export type { CatalogueFilterInput } from './filters';

// ------------------------------------------------------------------ rows of a page

/**
 * The items of a page, from the snapshot alone: everything a result card shows is kept there and changes only
 * through the change feed (every write of those columns, pictures included, names its instrument).
 */
function pageRows(snap: Snapshot, ref: Reference, positions: number[], terms: string[]): CatalogueItemT[] {
  return positions.map((i) => {
    const d = snap.display[i]!;
    const o = snap.orgInfo[snap.org[i]];
    const city = snap.cities[snap.city[i]] || null;
    return {
      id: snap.ids[i],
      name: d.name,
      nameEn: d.nameEn,
      model: d.model,
      manufacturer: d.manufacturer,
      categoryCode: d.categoryCode,
      categoryName: ref.categories.get(d.categoryCode)?.name ?? d.categoryCode,
      orgId: snap.orgs[snap.org[i]],
      orgName: o.name,
      cityCode: city,
      cityName: city ? (ref.cities.get(city)?.name ?? null) : null,
      valueFen: Number.isNaN(snap.value[i]) ? null : snap.value[i],
      purchaseDate: d.purchaseDate,
      serviceCount: snap.served[i],
      ratingAverage: d.ratingCount ? Math.round((d.ratingSum / d.ratingCount) * 10) / 10 : null,
      ratingCount: d.ratingCount,
      sharingMode: snap.sharing[i] ? 'external' : 'internal',
      runStatus: d.runStatus,
      isDisabled: d.isDisabled,
      isBookable: isBookable('listed', d.isDisabled),
      pictureUrl: d.picture ? `/api/files/${d.picture}/thumb` : null,
      snippet: snippet(d.notes, terms),
    };
  });
}

// ------------------------------------------------------------------ use cases

const bucketList = (counts: Int32Array, values: string[], label: (v: string) => string) =>
  values.map((v, k) => ({ value: v, label: label(v), count: counts[k] })).filter((b) => b.count > 0);

function facets(snap: Snapshot, c: Counted, ref: Reference) {
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  const fieldAt = new Map(snap.fields.map((code, k) => [code, k]));
  return {
    categories: cats
      .filter(([, v]) => v.level === 1)
      .map(([code, v]) => ({ value: code, label: v.name, count: c.classes[Number(code.slice(0, 2))] }))
      .filter((b) => b.count > 0),
    subcategories: cats
      .filter(([, v]) => v.level === 2)
      .map(([code, v]) => ({ value: code, label: v.name, count: c.subclasses[Number(code.slice(0, 4))] }))
      .filter((b) => b.count > 0),
    fields: ref.fields
      .map((f) => {
        const k = fieldAt.get(f.code);
        return { value: f.code, label: f.name, count: k === undefined ? 0 : c.fields[k] };
      })
      .filter((b) => b.count > 0),
    cities: bucketList(c.cities, snap.cities, (v) => ref.cities.get(v)?.name ?? v).sort(
      (a, b) => (ref.cities.get(a.value)?.sort ?? 999) - (ref.cities.get(b.value)?.sort ?? 999),
    ),
    orgs: topK(c.orgs, 20).map((k) => ({ value: snap.orgs[k], label: snap.orgInfo[k].name, count: c.orgs[k] })),
    sharing: bucketList(c.sharing, ['internal', 'external'], (v) => (v === 'internal' ? '内部共享' : '外部共享')),
    status: bucketList(c.run, [...RUN_STATUSES], (v) => v),
    value: VALUE_RANGES.map((r, k) => ({
      value: r.value,
      label: r.label,
      count: c.value[k],
      valueMin: r.min,
      valueMax: r.max,
    })).filter((b) => b.count > 0),
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

/** What a query's filters give: the total, the facets, and the passing positions (null: every listed one). */
interface Counts {
  total: number;
  facets: ReturnType<typeof facets>;
  members: Int32Array | null;
}

/** Whether a change can alter the counts of a query: only an instrument whose text matches (before or after) can. */
const countsAffectedBy = (f: Resolved) => (ch: Change) => {
  const b = ch.before,
    a = ch.after;
  if (!(b && hasTerms(b.text, f.terms)) && !(a && hasTerms(a.text, f.terms))) return false;
  // a sort key alone (service count, purchase date, relevance fields) counts nothing
  return !(
    b &&
    a &&
    b.text === a.text &&
    b.category === a.category &&
    b.city === a.city &&
    b.org === a.org &&
    Object.is(b.value, a.value) &&
    b.sharing === a.sharing &&
    b.run === a.run &&
    b.fieldBits === a.fieldBits &&
    (b.fieldMore ?? []).join() === (a.fieldMore ?? []).join()
  );
};

/** Whether a change can alter a page of a query: the instrument joins or leaves it, or moves within its order. */
const orderAffectedBy = (f: Resolved, kind: SortKind) => (ch: Change) => {
  const b = ch.before && passes(ch.before, f),
    a = ch.after && passes(ch.after, f);
  if (!b && !a) return false;
  if (b !== a) return true;
  const x = ch.before!,
    y = ch.after!;
  return kind === 'served'
    ? x.served !== y.served
    : kind === 'purchased'
      ? x.purchased !== y.purchased
      : x.served !== y.served || x.rel !== y.rel;
};

/** The total, facets and passing positions of a query's filters, kept per resolved filters (and reference names' age). */
function countsOf(
  snap: Snapshot,
  ref: Reference,
  f: Resolved,
  fk: string,
  only: Int32Array | null = null,
): { counts: Counts; kept: boolean } {
  const key = `c:${snap.refAt}:${fk}`;
  const kept = only ? undefined : memoGet<Counts>(snap.caches, key);
  if (kept) return { counts: kept, kept: true };
  const hits = matching(snap, f.terms);
  let within = hits;
  if (only) {
    const mask = new Uint8Array(snap.n);
    for (const i of only) mask[i] = 1;
    within = hits ? hits.filter((i) => mask[i] === 1) : only;
  }
  const c = count(snap, within, f);
  // the idle set changes with every reading: such counts are never kept
  if (only) {
    const members = c.members && c.members.buffer === snap.scratchMembers.buffer ? c.members.slice() : c.members;
    return { counts: { total: c.total, facets: facets(snap, c, ref), members }, kept: false };
  }
  let members = c.total === snap.live ? null : c.members;
  // positions in the request scratch are copied before they are kept; hit lists are never changed in place
  if (members && snap.caches.on && members.buffer === snap.scratchMembers.buffer) members = members.slice();
  const counts = { total: c.total, facets: facets(snap, c, ref), members };
  return { counts: memoSet(snap.caches, key, counts, members?.length ?? 0, countsAffectedBy(f)), kept: false };
}

export async function search(database: Database, q: CatalogueQueryT) {
  const { db } = database;
  const idle = q.idle === 'now' ? await idleInstrumentIds(database) : null;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  await turn();
  // from here to the reply nothing is awaited: the snapshot's scratch is this request's
  const f = resolve(q, snap, ref);
  const sort: Sort = q.sort ?? (f.terms.length ? 'relevance' : 'served');
  const dir: Dir = q.dir;
  const kind = sortKind(sort, f.terms);
  const score = scorer(snap, f.terms);
  const cursor = q.after ? decodeCursor(q.after, sort, dir) : null;
  const fk = JSON.stringify(f);
  // 空闲 now: the positions of the idle instruments (ascending), read from the live status, not from the snapshot
  const only = idle
    ? Int32Array.from([...idle].map((id) => snap.index.get(id) ?? -1).filter((i) => i >= 0 && snap.alive[i])).sort()
    : null;
  const { counts, kept } = countsOf(snap, ref, f, fk, only);
  const start = (q.page - 1) * q.pageSize;
  // one more than the page: whether a next page exists
  const pk = `p:${kind}:${dir}:${cursor ? q.after : start}:${q.pageSize}:${fk}`;
  let positions = only ? undefined : memoGet<number[]>(snap.caches, pk);
  recordResult(snap.caches, kept && positions ? 'hit' : kept ? 'counts' : 'miss');
  if (!positions) {
    const after: After | null = cursor
      ? (i, sc) =>
          cmp(
            sort === 'relevance' ? [sc ?? score(i), snap.served[i]] : keyOf(snap, i, sort, score),
            snap.ids[i],
            cursor,
            sort,
            dir,
          ) > 0
      : null;
    const page = pageOf(snap, counts.members, kind, dir, score, start, q.pageSize + 1, after);
    positions = only ? page : memoSet(snap.caches, pk, page, q.pageSize + 1, orderAffectedBy(f, kind));
  }
  const pagePos = positions.slice(0, q.pageSize);
  const last = pagePos[pagePos.length - 1];
  const nextCursor =
    last !== undefined && positions.length > q.pageSize
      ? encodeCursor({ s: sort, d: dir, k: keyOf(snap, last, sort, score), id: snap.ids[last] })
      : null;
  const total = counts.total;

  const items = pageRows(snap, ref, pagePos, f.terms);
  return {
    items,
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
    page: q.page,
    pageSize: q.pageSize,
    sort,
    dir,
    nextCursor,
    highlights: f.terms,
    facets: q.facets === 'none' ? NO_FACETS : counts.facets,
  };
}

const NO_FACETS = {
  categories: [],
  subcategories: [],
  fields: [],
  cities: [],
  orgs: [],
  sharing: [],
  status: [],
  value: [],
};

/** 按单位: the organisations whose listed instruments match, most matches first. */
export async function organizations(database: Database, q: CatalogueFilterInput & { page: number; pageSize: number }) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  await turn();
  const f = resolve(q, snap, ref);
  const c = count(snap, matching(snap, f.terms), f);
  const perOrg = new Int32Array(snap.orgs.length);
  const samples = new Map<number, number[]>();
  const { mark } = snap;
  const by = snap.byServed.view();
  const stamp = nextStamp(snap);
  if (c.members) for (const i of c.members) mark[i] = stamp;
  for (let k = by.length - 1; k >= 0; k--) {
    const i = by[k];
    if (c.members && mark[i] !== stamp) continue;
    const o = snap.org[i];
    perOrg[o]++;
    const s = samples.get(o);
    if (!s) samples.set(o, [i]);
    else if (s.length < 3) s.push(i);
  }
  const all = topK(perOrg, perOrg.length); // every organisation with a hit, in order
  const page = all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
  return {
    items: page.map((k) => {
      const o = snap.orgInfo[k];
      return {
        orgId: snap.orgs[k],
        orgName: o.name,
        cityName: ref.cities.get(o.cityCode)?.name ?? null,
        typeLabel: ORG_TYPES[o.type as keyof typeof ORG_TYPES] ?? o.type,
        instrumentCount: perOrg[k],
        instruments: (samples.get(k) ?? []).map((i) => ({
          id: snap.ids[i],
          name: snap.display[i]!.name,
          model: snap.display[i]!.model,
          isDisabled: snap.display[i]!.isDisabled,
        })),
      };
    }),
    total: all.length,
    page: q.page,
    pageSize: q.pageSize,
    instrumentTotal: c.total,
    highlights: f.terms,
  };
}

/** Home page: category tree and service fields with counts of listed instruments. */
export async function facetsReference(database: Database) {
  const { db } = database;
  const snap = await snapshot(db);
  const ref = await referenceOf(db, snap);
  const key = `home:${snap.refAt}`;
  const kept = memoGet<ReturnType<typeof homeCounts>>(snap.caches, key);
  return kept ?? memoSet(snap.caches, key, homeCounts(snap, ref));
}

function homeCounts(snap: Snapshot, ref: Reference) {
  const kinds = new Map<number, number>();
  for (let i = 0; i < snap.n; i++)
    if (snap.alive[i]) kinds.set(snap.category[i], (kinds.get(snap.category[i]) ?? 0) + 1);
  const under = (div: number, val: number) => {
    let n = 0;
    for (const [code, k] of kinds) if (Math.floor(code / div) === val) n += k;
    return n;
  };
  const cats = [...ref.categories].sort((a, b) => a[1].sort - b[1].sort);
  const childrenOf = (parent: string) => cats.filter(([, v]) => v.parent === parent);
  const c = count(snap, null, resolve({}, snap, ref));
  return {
    total: snap.live,
    categories: cats
      .filter(([, v]) => v.level === 1)
      .map(([code, v]) => ({
        code,
        name: v.name,
        count: under(10_000, Number(code.slice(0, 2))),
        children: childrenOf(code).map(([sub, sv]) => ({
          code: sub,
          name: sv.name,
          count: under(100, Number(sub.slice(0, 4))),
          children: childrenOf(sub).map(([kind, kv]) => ({
            code: kind,
            name: kv.name,
            count: kinds.get(Number(kind)) ?? 0,
          })),
        })),
      })),
    fields: ref.fields.map((fl) => {
      const k = snap.fields.indexOf(fl.code);
      return { value: fl.code, label: fl.name, count: k < 0 ? 0 : c.fields[k] };
    }),
    cities: [...ref.cities]
      .sort((a, b) => a[1].sort - b[1].sort)
      .map(([code, v]) => {
        const k = snap.cities.indexOf(code);
        return { value: code, label: v.name, count: k < 0 ? 0 : c.cities[k] };
      }),
  };
}

/** Platform figures of the home page, from the listed instruments. */
export async function publicFigures(database: Database) {
  const { db } = database;
  const snap = await snapshot(db);
  const kept = memoGet<ReturnType<typeof figures>>(snap.caches, 'figures');
  return kept ?? memoSet(snap.caches, 'figures', figures(snap));
}

function figures(snap: Snapshot) {
  let totalValueFen = 0,
    services = 0;
  const byCategory: Record<string, number> = {};
  for (let i = 0; i < snap.n; i++) {
    if (!snap.alive[i]) continue;
    if (!Number.isNaN(snap.value[i])) totalValueFen += snap.value[i];
    services += snap.served[i];
    const cls = `${String(snap.cls[i]).padStart(2, '0')}0000`;
    byCategory[cls] = (byCategory[cls] ?? 0) + 1;
  }
  return { instruments: snap.live, totalValueFen, services, byCategory };
}
