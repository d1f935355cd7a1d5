/**
 * Test helper: what the catalogue must answer, computed the plain way from the database, and a comparison with
 * what the HTTP API answers. It knows nothing of the in-memory catalogue: it reads the listed instruments, their
 * organisations and service fields, keeps those whose search_text contains every term of the query (normalised
 * as docs/decisions/0001-catalogue-search.md says), filters, counts the facets and sorts with id tie-breaks.
 * The comparisons return a list of problems (empty when the API is right), so that a caller can poll with them.
 */
import { RUN_STATUSES } from '../../../domain/instrument';
import type { Db } from '../../db/connect';
import type { Client } from '../../test/harness';

export interface Listed {
  id: string;
  orgId: string;
  name: string;
  nameEn: string | null;
  model: string | null;
  manufacturer: string | null;
  categoryCode: string;
  ownCity: string | null;
  city: string;
  valueFen: number | null;
  purchaseDate: string | null;
  served: number;
  ratingSum: number;
  ratingCount: number;
  sharingMode: string;
  runStatus: string;
  isDisabled: boolean;
  searchText: string;
  fields: string[];
  /** the first picture by (sort, file id), or null */
  picture: string | null;
}
export interface Catalogue {
  listed: Listed[];
  byId: Map<string, Listed>;
  orgs: Map<string, { name: string; cityCode: string }>;
  cities: Map<string, string>;
  fields: Map<string, string>;
  /** category code → level (1 class, 2 subclass, 3 kind) */
  categories: Map<string, number>;
  /** listed instruments whose search_text is not the normalised text of their fields and organisation name */
  stale: string[];
}

/** A query of 入网仪器 (and, without sort, dir and paging, of 按单位). */
export interface Query {
  q?: string;
  category?: string;
  field?: string;
  city?: string;
  org?: string;
  valueMin?: number;
  valueMax?: number;
  sharing?: string;
  status?: string;
  sort?: 'relevance' | 'served' | 'purchased';
  dir?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}

/** Lower case, full-width → half-width (U+3000 is a space), whitespace collapsed to one space, trimmed. */
export function normalise(s: string | null | undefined): string {
  let out = '';
  for (const ch of s ?? '') {
    const cp = ch.codePointAt(0)!;
    const c = cp >= 0xff01 && cp <= 0xff5e ? String.fromCodePoint(cp - 0xfee0) : cp === 0x3000 ? ' ' : ch;
    const lower = c.toLowerCase();
    out += lower.length === c.length ? lower : c;
  }
  return out.replace(/\s+/g, ' ').trim();
}

export const termsOf = (q: string | undefined) => [...new Set(normalise(q).split(' ').filter(Boolean))].slice(0, 8);

const WAN = 1_000_000;
/** The 原值 buckets of the value facet (bounds inclusive, in fen). */
const VALUE_BUCKETS: [string, number, number][] = [
  ['lt50', 0, 50 * WAN - 1],
  ['50-100', 50 * WAN, 100 * WAN - 1],
  ['100-200', 100 * WAN, 200 * WAN - 1],
  ['200-500', 200 * WAN, 500 * WAN - 1],
  ['500-1000', 500 * WAN, 1000 * WAN - 1],
  ['ge1000', 1000 * WAN, Infinity],
];
const valueBucket = (v: number) => VALUE_BUCKETS.find(([, lo, hi]) => v >= lo && v <= hi)![0];

export async function readCatalogue(db: Db): Promise<Catalogue> {
  const rows = await db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select([
      'instruments.id',
      'instruments.orgId',
      'instruments.name',
      'instruments.nameEn',
      'instruments.model',
      'instruments.manufacturer',
      'instruments.specs',
      'instruments.functions',
      'instruments.categoryCode',
      'instruments.cityCode',
      'instruments.valueFen',
      'instruments.purchaseDate',
      'instruments.serviceCount',
      'instruments.ratingSum',
      'instruments.ratingCount',
      'instruments.sharingMode',
      'instruments.runStatus',
      'instruments.isDisabled',
      'instruments.searchText',
      'organizations.name as orgName',
      'organizations.cityCode as orgCity',
    ])
    .where('instruments.state', '=', 'listed')
    .execute();
  const [orgs, fieldRows, cities, fields, categories, pictures] = await Promise.all([
    db.selectFrom('organizations').select(['id', 'name', 'cityCode']).execute(),
    db
      .selectFrom('instrumentFields')
      .innerJoin('instruments', 'instruments.id', 'instrumentFields.instrumentId')
      .select(['instrumentFields.instrumentId', 'instrumentFields.fieldCode'])
      .where('instruments.state', '=', 'listed')
      .execute(),
    db.selectFrom('cities').select(['code', 'name']).execute(),
    db.selectFrom('serviceFields').select(['code', 'name']).execute(),
    db.selectFrom('categories').select(['code', 'level']).execute(),
    db.selectFrom('instrumentFiles').select(['instrumentId', 'fileId', 'sort']).where('kind', '=', 'picture').execute(),
  ]);
  const firstPicture = new Map<string, string>();
  pictures.sort((x, y) => Number(x.sort) - Number(y.sort) || (x.fileId < y.fileId ? -1 : x.fileId > y.fileId ? 1 : 0));
  for (const p of pictures) if (!firstPicture.has(p.instrumentId)) firstPicture.set(p.instrumentId, p.fileId);
  const perInstrument = new Map<string, string[]>();
  for (const f of fieldRows)
    perInstrument.set(f.instrumentId, [...(perInstrument.get(f.instrumentId) ?? []), f.fieldCode]);
  const stale: string[] = [];
  const listed = rows.map((r): Listed => {
    const text = normalise(
      [r.name, r.nameEn, r.model, r.manufacturer, r.specs, r.functions, r.orgName].filter(Boolean).join(' '),
    );
    if (text !== r.searchText)
      stale.push(`${r.id}: search_text ${JSON.stringify(r.searchText)}, expected ${JSON.stringify(text)}`);
    return {
      id: r.id,
      orgId: r.orgId,
      name: r.name,
      nameEn: r.nameEn,
      model: r.model,
      manufacturer: r.manufacturer,
      categoryCode: r.categoryCode,
      ownCity: r.cityCode,
      city: r.cityCode ?? r.orgCity,
      valueFen: r.valueFen == null ? null : Number(r.valueFen),
      purchaseDate: r.purchaseDate,
      served: Math.max(0, Number(r.serviceCount)),
      ratingSum: Number(r.ratingSum),
      ratingCount: Number(r.ratingCount),
      sharingMode: r.sharingMode,
      runStatus: r.runStatus,
      isDisabled: !!r.isDisabled,
      searchText: r.searchText,
      fields: [...new Set(perInstrument.get(r.id) ?? [])],
      picture: firstPicture.get(r.id) ?? null,
    };
  });
  listed.sort(byId);
  return {
    listed,
    byId: new Map(listed.map((r) => [r.id, r])),
    stale,
    orgs: new Map(orgs.map((o) => [o.id, { name: o.name, cityCode: o.cityCode }])),
    cities: new Map(cities.map((c) => [c.code, c.name])),
    fields: new Map(fields.map((f) => [f.code, f.name])),
    categories: new Map(categories.map((c) => [c.code, Number(c.level)])),
  };
}

const byId = (a: Listed, b: Listed) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Relevance of one term: found in the name (Chinese or English) 8, model 4, manufacturer 2, other text 1. */
function weight(r: Listed, term: string) {
  if (normalise(`${r.name} ${r.nameEn ?? ''}`).includes(term)) return 8;
  if (normalise(r.model).includes(term)) return 4;
  if (normalise(r.manufacturer).includes(term)) return 2;
  return 1;
}

type FacetName = 'categories' | 'subcategories' | 'fields' | 'cities' | 'orgs' | 'sharing' | 'status' | 'value';
/** facet → the filter it ignores, and the bucket(s) of an instrument */
const FACETS: Record<FacetName, [string, (r: Listed, c: Catalogue) => string[]]> = {
  categories: ['category', (r, c) => [`${r.categoryCode.slice(0, 2)}0000`].filter((k) => c.categories.get(k) === 1)],
  subcategories: ['category', (r, c) => [`${r.categoryCode.slice(0, 4)}00`].filter((k) => c.categories.get(k) === 2)],
  fields: ['field', (r) => r.fields],
  cities: ['city', (r) => [r.city]],
  orgs: ['org', (r) => [r.orgId]],
  sharing: ['sharing', (r) => [r.sharingMode]],
  status: ['status', (r) => ((RUN_STATUSES as readonly string[]).includes(r.runStatus) ? [r.runStatus] : [])],
  value: ['value', (r) => (r.valueFen == null ? [] : [valueBucket(r.valueFen)])],
};

export interface Expected {
  terms: string[];
  sort: string;
  dir: string;
  /** every passing instrument in the order of the sort */
  order: Listed[];
  facets: Record<FacetName, Record<string, number>>;
}

export function expected(c: Catalogue, q: Query): Expected {
  const terms = termsOf(q.q);
  const cityCode =
    q.city === undefined
      ? undefined
      : c.cities.has(q.city)
        ? q.city
        : ([...c.cities].find(([, n]) => n === q.city || `${n}市` === q.city)?.[0] ?? q.city);
  const fieldCode =
    q.field === undefined
      ? undefined
      : ([...c.fields].find(([code, n]) => code === q.field || n === q.field)?.[0] ?? q.field);
  const prefix =
    q.category === undefined
      ? undefined
      : q.category.endsWith('0000')
        ? q.category.slice(0, 2)
        : q.category.endsWith('00')
          ? q.category.slice(0, 4)
          : q.category;
  const checks: Record<string, (r: Listed) => boolean> = {
    category: (r) => prefix === undefined || r.categoryCode.startsWith(prefix),
    field: (r) => fieldCode === undefined || r.fields.includes(fieldCode),
    city: (r) => cityCode === undefined || r.city === cityCode,
    org: (r) => q.org === undefined || r.orgId === q.org,
    value: (r) =>
      (q.valueMin === undefined && q.valueMax === undefined) ||
      (r.valueFen !== null &&
        (q.valueMin === undefined || r.valueFen >= q.valueMin) &&
        (q.valueMax === undefined || r.valueFen <= q.valueMax)),
    sharing: (r) => q.sharing === undefined || r.sharingMode === q.sharing,
    status: (r) => q.status === undefined || r.runStatus === q.status,
  };
  const passes = (r: Listed, except?: string) => Object.entries(checks).every(([k, f]) => k === except || f(r));
  const hits = c.listed.filter((r) => terms.every((t) => r.searchText.includes(t)));
  const facets = {} as Expected['facets'];
  for (const [name, [filter, buckets]] of Object.entries(FACETS) as [FacetName, (typeof FACETS)[FacetName]][]) {
    const counts: Record<string, number> = {};
    for (const r of hits) if (passes(r, filter)) for (const b of buckets(r, c)) counts[b] = (counts[b] ?? 0) + 1;
    facets[name] = sorted(counts);
  }
  const members = hits.filter((r) => passes(r));
  const sort = q.sort ?? (terms.length ? 'relevance' : 'served');
  const dir = q.dir ?? 'desc';
  const kind = sort === 'relevance' && !terms.length ? 'served' : sort;
  let order: Listed[];
  if (kind === 'served') {
    order = [...members].sort((a, b) => a.served - b.served || byId(a, b));
    if (dir === 'desc') order.reverse();
  } else if (kind === 'purchased') {
    const known = members
      .filter((r) => r.purchaseDate)
      .sort((a, b) => (a.purchaseDate! < b.purchaseDate! ? -1 : a.purchaseDate! > b.purchaseDate! ? 1 : byId(a, b)));
    const unknown = members.filter((r) => !r.purchaseDate).sort(byId);
    order = dir === 'asc' ? [...known, ...unknown] : [...known.reverse(), ...unknown.reverse()];
  } else {
    const score = new Map(members.map((r) => [r.id, terms.reduce((s, t) => s + weight(r, t), 0)]));
    order = [...members].sort((a, b) => score.get(b.id)! - score.get(a.id)! || b.served - a.served || byId(b, a));
    if (dir === 'asc') order.reverse();
  }
  return { terms, sort, dir, order, facets };
}

function sorted(counts: Record<string, number>) {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function queryString(q: Query, extra: Record<string, string | number> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v !== undefined) p.set(k, String(v));
  return p.toString();
}

const show = (ids: string[], c: Catalogue) =>
  ids.map((id) => `${id.slice(-6)}:${c.byId.get(id)?.name ?? '?'}`).join(', ');

/** The fields of a result card against the database. */
function itemProblems(item: any, c: Catalogue): string[] {
  const r = c.byId.get(item.id);
  if (!r) return [`item ${item.id} is not a listed instrument`];
  const org = c.orgs.get(r.orgId)!;
  const want = {
    name: r.name,
    nameEn: r.nameEn,
    model: r.model,
    manufacturer: r.manufacturer,
    categoryCode: r.categoryCode,
    orgId: r.orgId,
    orgName: org.name,
    cityCode: r.city,
    cityName: c.cities.get(r.city) ?? null,
    valueFen: r.valueFen,
    purchaseDate: r.purchaseDate,
    serviceCount: r.served,
    ratingCount: r.ratingCount,
    ratingAverage: r.ratingCount ? Math.round((r.ratingSum / r.ratingCount) * 10) / 10 : null,
    sharingMode: r.sharingMode,
    runStatus: r.runStatus,
    isDisabled: r.isDisabled,
    isBookable: !r.isDisabled,
    pictureUrl: r.picture ? `/api/files/${r.picture}/thumb` : null,
  };
  return Object.entries(want)
    .filter(([k, v]) => item[k] !== v)
    .map(([k, v]) => `item ${item.id.slice(-6)} ${k}: got ${JSON.stringify(item[k])}, expected ${JSON.stringify(v)}`);
}

function facetProblems(got: any, exp: Expected): string[] {
  const out: string[] = [];
  for (const name of Object.keys(FACETS) as FacetName[]) {
    const g = sorted(Object.fromEntries((got?.[name] ?? []).map((b: any) => [b.value, b.count])));
    if (JSON.stringify(g) !== JSON.stringify(exp.facets[name]))
      out.push(`facet ${name}: got ${JSON.stringify(g)}, expected ${JSON.stringify(exp.facets[name])}`);
  }
  return out;
}

function pageProblems(data: any, exp: Expected, c: Catalogue, start: number, pageSize: number): string[] {
  const out: string[] = [];
  const n = exp.order.length;
  const want = exp.order.slice(start, start + pageSize).map((r) => r.id);
  const got: string[] = data.items.map((i: any) => i.id);
  if (JSON.stringify(got) !== JSON.stringify(want))
    out.push(`ids from ${start}: got [${show(got, c)}], expected [${show(want, c)}] (of ${n})`);
  if (data.total !== Math.min(n, 10_000) || data.totalCapped !== n > 10_000)
    out.push(`total: got ${data.total} (capped ${data.totalCapped}), expected ${n}`);
  if (data.sort !== exp.sort || data.dir !== exp.dir)
    out.push(`sort: got ${data.sort} ${data.dir}, expected ${exp.sort} ${exp.dir}`);
  if (JSON.stringify(data.highlights) !== JSON.stringify(exp.terms))
    out.push(`highlights: got ${JSON.stringify(data.highlights)}, expected ${JSON.stringify(exp.terms)}`);
  if ((data.nextCursor !== null) !== start + want.length < n)
    out.push(`nextCursor: got ${data.nextCursor === null ? 'none' : 'one'} at ${start}+${want.length} of ${n}`);
  out.push(...facetProblems(data.facets, exp));
  for (const item of data.items) out.push(...itemProblems(item, c));
  return out;
}

/** One page of 入网仪器 (offset paging) against the plain match. */
export async function compareSearch(client: Client, c: Catalogue, q: Query): Promise<string[]> {
  const exp = expected(c, q);
  const res = await client.get(`/api/catalogue/instruments?${queryString(q)}`);
  if (res.statusCode !== 200) return [`status ${res.statusCode}: ${res.body}`];
  const pageSize = q.pageSize ?? 20;
  return pageProblems(res.data, exp, c, ((q.page ?? 1) - 1) * pageSize, pageSize);
}

/** Every page by following nextCursor from the first: together, the whole order. */
export async function compareCursorWalk(client: Client, c: Catalogue, q: Query): Promise<string[]> {
  const exp = expected(c, q);
  const pageSize = q.pageSize ?? 20;
  let after: string | null = null;
  for (let start = 0, n = 0; n <= exp.order.length / pageSize + 1; n++) {
    const res: any = await client.get(
      `/api/catalogue/instruments?${queryString({ ...q, page: undefined }, after ? { after } : {})}`,
    );
    if (res.statusCode !== 200) return [`cursor page ${n}: status ${res.statusCode}: ${res.body}`];
    const problems = pageProblems(res.data, exp, c, start, pageSize);
    if (problems.length) return problems.map((p) => `cursor page ${n}: ${p}`);
    start += res.data.items.length;
    after = res.data.nextCursor;
    if (!after) return start === exp.order.length ? [] : [`cursor walk ended at ${start} of ${exp.order.length}`];
  }
  return ['cursor walk did not end'];
}

/** 按单位: every organisation with matches, its count, name, city and three most served matches. */
export async function compareOrgs(client: Client, c: Catalogue, q: Query): Promise<string[]> {
  const filters: Query = { ...q, sort: undefined, dir: undefined, page: undefined, pageSize: undefined };
  const exp = expected(c, filters);
  const res = await client.get(`/api/catalogue/orgs?${queryString(filters, { pageSize: 100 })}`);
  if (res.statusCode !== 200) return [`orgs status ${res.statusCode}: ${res.body}`];
  const per = new Map<string, Listed[]>();
  for (const r of exp.order) per.set(r.orgId, [...(per.get(r.orgId) ?? []), r]);
  const out: string[] = [];
  if (res.data.instrumentTotal !== exp.order.length)
    out.push(`orgs instrumentTotal: got ${res.data.instrumentTotal}, expected ${exp.order.length}`);
  if (res.data.total !== per.size || res.data.items.length !== per.size)
    out.push(`orgs total: got ${res.data.total} (${res.data.items.length} items), expected ${per.size}`);
  let last = Infinity;
  for (const o of res.data.items) {
    const mine = per.get(o.orgId);
    if (!mine) {
      out.push(`orgs: ${o.orgName} has no matches`);
      continue;
    }
    const org = c.orgs.get(o.orgId)!;
    const samples = [...mine]
      .sort((a, b) => b.served - a.served || byId(b, a))
      .slice(0, 3)
      .map((r) => r.id);
    const want = {
      instrumentCount: mine.length,
      orgName: org.name,
      cityName: c.cities.get(org.cityCode) ?? null,
      samples: samples.join(),
    };
    const got = {
      instrumentCount: o.instrumentCount,
      orgName: o.orgName,
      cityName: o.cityName,
      samples: o.instruments.map((i: any) => i.id).join(),
    };
    if (JSON.stringify(got) !== JSON.stringify(want))
      out.push(`orgs ${o.orgId.slice(-6)}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    if (o.instrumentCount > last) out.push(`orgs: ${o.orgName} (${o.instrumentCount}) after one with ${last}`);
    last = o.instrumentCount;
  }
  return out;
}
