import { z } from 'zod';
import { RUN_STATUSES } from '../domain/instrument';
import { PageQuery } from './common';

/** Totals above this are reported as "10,000+" (`totalCapped`). */
export const TOTAL_CAP = 10_000;

const fen = z.coerce.number().int('以分为单位的整数').min(0, '不能为负数').max(1e13);

/** 入网仪器: keyword, filters, sort and paging. Each filter is one value; `category` selects its whole subtree. */
export const CatalogueQuery = PageQuery.extend({
  /** keywords separated by spaces; every one must occur (substring match) */
  q: z.string().trim().max(100, '最多 100 个字符').optional(),
  /** a 6-digit category code: a class (XX0000) or subclass (XXYY00) selects everything under it */
  category: z
    .string()
    .regex(/^\d{6}$/, '仪器分类应为 6 位代码')
    .optional(),
  /** service field code (F01) or name (新一代信息技术) */
  field: z.string().trim().min(1).max(40).optional(),
  /** city code (370100) or name (济南) */
  city: z.string().trim().min(1).max(20).optional(),
  /** organisation id */
  org: z.string().trim().min(1).max(64).optional(),
  valueMin: fen.optional(),
  valueMax: fen.optional(),
  sharing: z.enum(['internal', 'external']).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** relevance (default with a keyword), served = 服务次数 (default without), purchased = 购置时间 */
  sort: z.enum(['relevance', 'served', 'purchased']).optional(),
  dir: z.enum(['asc', 'desc']).default('desc'),
  /** keyset cursor from `nextCursor`: the page after it, for deep pages (page is then ignored) */
  after: z.string().max(300).optional(),
  /** none: the page without facet counts (their lists come back empty), for a list that offers no filters */
  facets: z.enum(['none']).optional(),
  /** now: only instruments whose terminal reports them idle now (空闲; the live status, never in the snapshot) */
  idle: z.enum(['now']).optional(),
}).strict();
export type CatalogueQueryT = z.infer<typeof CatalogueQuery>;

export const CatalogueItem = z.object({
  id: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  model: z.string().nullable(),
  manufacturer: z.string().nullable(),
  categoryCode: z.string(),
  categoryName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  cityCode: z.string().nullable(),
  cityName: z.string().nullable(),
  valueFen: z.number().nullable(),
  purchaseDate: z.string().nullable(),
  serviceCount: z.number(),
  ratingAverage: z.number().nullable(),
  ratingCount: z.number(),
  sharingMode: z.enum(['internal', 'external']),
  runStatus: z.string(),
  /** 已停用: shown, marked, cannot be booked */
  isDisabled: z.boolean(),
  isBookable: z.boolean(),
  /** first picture's thumbnail, or null */
  pictureUrl: z.string().nullable(),
  /** plain text of the specifications/functions around the first match (… where cut); the web marks `highlights` in it */
  snippet: z.string().nullable(),
});
export type CatalogueItemT = z.infer<typeof CatalogueItem>;

export const FacetBucket = z.object({ value: z.string(), label: z.string(), count: z.number() });
export const ValueBucket = FacetBucket.extend({ valueMin: z.number().nullable(), valueMax: z.number().nullable() });

/** Counts per filter value for the current keyword and the other filters (each facet ignores its own filter). */
export const CatalogueFacets = z.object({
  categories: z.array(FacetBucket),
  subcategories: z.array(FacetBucket),
  fields: z.array(FacetBucket),
  cities: z.array(FacetBucket),
  /** the 20 organisations with most hits */
  orgs: z.array(FacetBucket),
  sharing: z.array(FacetBucket),
  status: z.array(FacetBucket),
  value: z.array(ValueBucket),
});

export const CataloguePage = z.object({
  items: z.array(CatalogueItem),
  /** exact up to TOTAL_CAP; above it, TOTAL_CAP with totalCapped = true ("10,000+") */
  total: z.number(),
  totalCapped: z.boolean(),
  page: z.number(),
  pageSize: z.number(),
  sort: z.enum(['relevance', 'served', 'purchased']),
  dir: z.enum(['asc', 'desc']),
  /** pass as `after` for the next page; null on the last page */
  nextCursor: z.string().nullable(),
  /** the normalised keywords (lower case, half-width) to mark in name, model, manufacturer and snippet */
  highlights: z.array(z.string()),
  facets: CatalogueFacets,
});
export type CataloguePageT = z.infer<typeof CataloguePage>;

/** 按单位: organisations with the number of their listed instruments that match the same keyword and filters. */
export const CatalogueOrgsQuery = CatalogueQuery.omit({ sort: true, dir: true, after: true, idle: true }).strict();
export const CatalogueOrg = z.object({
  orgId: z.string(),
  orgName: z.string(),
  cityName: z.string().nullable(),
  typeLabel: z.string(),
  instrumentCount: z.number(),
  /** up to three of the matching instruments, most served first */
  instruments: z.array(
    z.object({ id: z.string(), name: z.string(), model: z.string().nullable(), isDisabled: z.boolean() }),
  ),
});
export const CatalogueOrgsPage = z.object({
  items: z.array(CatalogueOrg),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  instrumentTotal: z.number(),
  highlights: z.array(z.string()),
});

const CategoryKindCount = z.object({ code: z.string(), name: z.string(), count: z.number() });
const CategorySubCount = CategoryKindCount.extend({ children: z.array(CategoryKindCount) });
/** class → subclass → kind, with counts of listed instruments under each node */
export const CategoryCount = CategoryKindCount.extend({ children: z.array(CategorySubCount) });

/** Home page: the category tree and the service fields, with counts of listed instruments. */
export const FacetsReference = z.object({
  total: z.number(),
  categories: z.array(CategoryCount),
  fields: z.array(FacetBucket),
  cities: z.array(FacetBucket),
});
