import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { z } from 'zod';
import type { Query } from '@/api/client';
import type { CatalogueOrgsPage, CataloguePage, FacetsReference } from '@contracts/catalogue';
import { RUN_STATUSES } from '@domain/instrument';
import { wan } from '@/format';

export type CataloguePageT = z.infer<typeof CataloguePage>;
export type CatalogueItemT = CataloguePageT['items'][number];
export type FacetsT = CataloguePageT['facets'];
export type FacetBucketT = FacetsT['fields'][number];
export type CatalogueOrgsPageT = z.infer<typeof CatalogueOrgsPage>;
export type FacetsReferenceT = z.infer<typeof FacetsReference>;

export const PAGE_SIZE = 20;
const WAN = 1_000_000; // 1 万元 in fen

/** The value ranges of the server's value facet (service.ts VALUE_RANGES); bounds in fen, inclusive. */
export const VALUE_BUCKETS: { value: string; label: string; min: number | null; max: number | null }[] = [
  { value: 'lt50', label: '50万元以下', min: null, max: 50 * WAN - 1 },
  { value: '50-100', label: '50–100万元', min: 50 * WAN, max: 100 * WAN - 1 },
  { value: '100-200', label: '100–200万元', min: 100 * WAN, max: 200 * WAN - 1 },
  { value: '200-500', label: '200–500万元', min: 200 * WAN, max: 500 * WAN - 1 },
  { value: '500-1000', label: '500–1000万元', min: 500 * WAN, max: 1000 * WAN - 1 },
  { value: 'ge1000', label: '1000万元以上', min: 1000 * WAN, max: null },
];

export const SHARING_LABEL: Record<string, string> = { internal: '内部共享', external: '外部共享' };
export const SORT_LABEL = { relevance: '相关度', served: '服务次数', purchased: '购置时间' } as const;
export type Sort = keyof typeof SORT_LABEL;
export type Dir = 'asc' | 'desc';

/**
 * Everything the catalogue shows, as it stands in the address bar, so that every view can be linked to:
 * /instruments?q=显微&category=0101&city=济南&value=100-200&sort=served&dir=asc&page=3.
 * `category` is a class (01), subclass (0105) or kind (010502) prefix; `field` and `city` are names or codes;
 * `value` is a bucket of VALUE_BUCKETS, or `vmin`/`vmax` give a range in 万元.
 */
export interface Filters {
  view: 'instrument' | 'org';
  q: string;
  category: string;
  field: string;
  city: string;
  org: string;
  value: string;
  vmin: string;
  vmax: string;
  sharing: string;
  status: string;
  /** 'now': only instruments idle now (the terminals' live status) */
  idle: string;
  sort: Sort | '';
  dir: Dir;
  page: number;
}

const one = (v: LocationQuery[string]) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).toString().trim();
const wanNumber = (s: string) => (/^\d+(\.\d{1,2})?$/.test(s) ? s : '');

export function fromQuery(q: LocationQuery): Filters {
  const category = one(q.category);
  const sharing = one(q.sharing);
  const status = one(q.status);
  const sort = one(q.sort);
  const value = one(q.value);
  const page = Number(one(q.page));
  return {
    view: one(q.view) === 'org' ? 'org' : 'instrument',
    q: one(q.q).slice(0, 100),
    category: /^\d{2}(\d{2}(\d{2})?)?$/.test(category) ? trimCategory(category) : '',
    field: one(q.field).slice(0, 40),
    city: one(q.city).slice(0, 20),
    org: one(q.org).slice(0, 64),
    value: VALUE_BUCKETS.some((b) => b.value === value) ? value : '',
    vmin: wanNumber(one(q.vmin)),
    vmax: wanNumber(one(q.vmax)),
    sharing: sharing === 'internal' || sharing === 'external' ? sharing : '',
    status: (RUN_STATUSES as readonly string[]).includes(status) ? status : '',
    idle: one(q.idle) === 'now' ? 'now' : '',
    sort: sort in SORT_LABEL ? (sort as Sort) : '',
    dir: one(q.dir) === 'asc' ? 'asc' : 'desc',
    page: Number.isInteger(page) && page > 1 && page <= 100_000 ? page : 1,
  };
}

/** The address-bar form: defaults are left out. */
export function toQuery(f: Filters): LocationQueryRaw {
  const out: LocationQueryRaw = {};
  if (f.view === 'org') out.view = 'org';
  for (const k of [
    'q',
    'category',
    'field',
    'city',
    'org',
    'value',
    'vmin',
    'vmax',
    'sharing',
    'status',
    'idle',
  ] as const)
    if (f[k]) out[k] = f[k];
  if (f.sort) out.sort = f.sort;
  if (f.sort && f.dir === 'asc') out.dir = 'asc';
  if (f.page > 1) out.page = String(f.page);
  return out;
}

/** 010000 → 01, 010500 → 0105: the shortest prefix that names the node. */
export function trimCategory(code: string): string {
  if (code.length === 6 && code.endsWith('0000')) return code.slice(0, 2);
  if (code.length === 6 && code.endsWith('00')) return code.slice(0, 4);
  return code;
}
export const fullCategory = (prefix: string) => prefix.padEnd(6, '0');

/** The sort actually in force: relevance needs a keyword. */
export function effectiveSort(f: Filters): Sort {
  if (f.sort === 'relevance' && !f.q) return 'served';
  return f.sort || (f.q ? 'relevance' : 'served');
}

/** The filters the server takes (valueMin/valueMax in fen). */
export function filterQuery(f: Filters): Query {
  const bucket = VALUE_BUCKETS.find((b) => b.value === f.value);
  let valueMin: number | undefined, valueMax: number | undefined;
  if (bucket) {
    valueMin = bucket.min ?? undefined;
    valueMax = bucket.max ?? undefined;
  } else {
    if (f.vmin) valueMin = Math.round(Number(f.vmin) * WAN);
    if (f.vmax) valueMax = Math.round(Number(f.vmax) * WAN);
  }
  return {
    q: f.q || undefined,
    category: f.category ? fullCategory(f.category) : undefined,
    field: f.field || undefined,
    city: f.city || undefined,
    org: f.org || undefined,
    valueMin,
    valueMax,
    sharing: f.sharing || undefined,
    status: f.status || undefined,
    idle: f.idle || undefined,
  };
}

/** The filter part only: a change of it starts the keyset cursors afresh. */
export const filterKey = (f: Filters) => JSON.stringify([filterQuery(f), effectiveSort(f), f.dir]);

export const activeFilterCount = (f: Filters) =>
  ['category', 'field', 'city', 'org', 'sharing', 'status', 'idle'].filter((k) => f[k as keyof Filters]).length +
  (f.value || f.vmin || f.vmax ? 1 : 0);

/** "10,000+" when the server capped the total. */
export const totalText = (total: number, capped: boolean) => `${total.toLocaleString('en-US')}${capped ? '+' : ''}`;

// ------------------------------------------------------------------ highlighting

/** One code point to one of the same UTF-16 length: full-width → half-width, lower case (as the server's text.ts). */
function mapChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xff01 && cp <= 0xff5e) ch = String.fromCharCode(cp - 0xfee0);
  else if (cp === 0x3000) return ' ';
  const lower = ch.toLowerCase();
  return lower.length === ch.length ? lower : ch;
}
function mapChars(s: string): string {
  let out = '';
  for (const ch of s) out += mapChar(ch);
  return out;
}

export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * `text` cut into plain and marked pieces where one of `terms` occurs (case and width folded as the search does).
 * The pieces are rendered as text nodes, never as HTML.
 */
export function segments(text: string | null | undefined, terms: readonly string[]): Segment[] {
  if (!text) return [];
  const words = terms.map((t) => mapChars(t.trim())).filter(Boolean);
  if (!words.length) return [{ text, mark: false }];
  const mapped = mapChars(text);
  const marked = new Uint8Array(text.length);
  for (const w of words) {
    for (let at = mapped.indexOf(w); at >= 0; at = mapped.indexOf(w, at + 1)) marked.fill(1, at, at + w.length);
  }
  const out: Segment[] = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || marked[i] !== marked[start]) {
      out.push({ text: text.slice(start, i), mark: marked[start] === 1 });
      start = i;
    }
  }
  return out;
}

// ------------------------------------------------------------------ links

/** 立即预约: the booking form with these instruments (all of one organisation). */
export const bookingLink = (ids: string[]) => ({ path: '/member/bookings/new', query: { instruments: ids.join(',') } });
export const detailLink = (id: string) => `/instruments/${encodeURIComponent(id)}`;

/** An original value: 120.00 万元 in Chinese, ¥1,200,000 in English (万 means nothing to an English reader). */
export const valueText = (fen: number | null | undefined, locale: string) =>
  locale === 'en' && fen !== null && fen !== undefined ? `¥${Math.round(fen / 100).toLocaleString('en-US')}` : wan(fen);
