import { z } from 'zod';
import { PageQuery } from './common';
import { StoredFile } from './files';

const text = (max: number) => z.string().trim().max(max, `最多 ${max} 个字符`).nullable().optional();

export const PostKind = z.enum(['demand', 'supply']);
export const PostState = z.enum(['draft', 'pending', 'published', 'rejected', 'disabled']);

/** 供需发布 as the organisation fills it. */
export const PostFields = z.strictObject({
  kind: PostKind,
  title: z.string().trim().min(4, '标题至少 4 个字').max(100, '最多 100 个字符'),
  content: z.string().trim().min(10, '内容至少 10 个字').max(5000, '最多 5000 个字符'),
  categories: z
    .array(z.string().regex(/^\d{6}$/, '仪器分类代码为 6 位数字'))
    .max(10, '最多 10 个')
    .default([]),
  fields: z.array(z.string().max(20)).max(10, '最多 10 个').default([]),
  amountFen: z.number().int('以分为单位的整数').min(0, '不能为负数').max(1e12, '金额过大').nullable().optional(),
  amountNote: text(100),
  contactName: z.string().trim().min(1, '请填写联系人').max(40),
  contactPhone: z
    .string()
    .trim()
    .regex(/^1\d{10}$|^[0-9-]{7,20}$/, '电话格式不正确'),
  contactEmail: z
    .string()
    .trim()
    .max(120)
    .email('邮箱格式不正确')
    .nullable()
    .optional()
    .or(z.literal('').transform(() => null)),
  validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
});
export type PostFieldsT = z.infer<typeof PostFields>;

const Content = PostFields.extend({ categoryNames: z.array(z.string()), fieldNames: z.array(z.string()) });

export const PostView = z.object({
  id: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  cityName: z.string().nullable(),
  state: PostState,
  stateLabel: z.string(),
  kindLabel: z.string(),
  isVisible: z.boolean(),
  isPublic: z.boolean(),
  rejectReason: z.string().nullable(),
  /** the working copy (the owner's form) */
  draft: Content,
  /** the version the public sees while an edit waits for review; null when none is published */
  published: Content.nullable(),
  attachments: z.array(StoredFile),
  actions: z.array(z.enum(['save', 'submit', 'disable', 'enable', 'delete'])),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
});
export const PostSaveReply = z.object({ id: z.string(), state: PostState, stateLabel: z.string() });

export const MyPostsQuery = PageQuery.extend({
  state: PostState.optional(),
  kind: PostKind.optional(),
  q: z.string().trim().max(100).optional(),
});
export const MyPostItem = z.object({
  id: z.string(),
  kind: PostKind,
  kindLabel: z.string(),
  title: z.string(),
  state: PostState,
  stateLabel: z.string(),
  isVisible: z.boolean(),
  validUntil: z.string(),
  isExpired: z.boolean(),
  rejectReason: z.string().nullable(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
});
export const MyPostPage = z.object({
  items: z.array(MyPostItem),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

/** 供需信息: published, visible and not expired posts only. */
export const PublicPostsQuery = PageQuery.extend({
  kind: PostKind.optional(),
  q: z.string().trim().max(100).optional(),
  category: z
    .string()
    .regex(/^\d{2}(\d{2}(\d{2})?)?$/, '分类代码为 2、4 或 6 位数字')
    .optional(),
  field: z.string().max(20).optional(),
  city: z.string().max(20).optional(),
});
export const PublicPostItem = z.object({
  id: z.string(),
  kind: PostKind,
  kindLabel: z.string(),
  title: z.string(),
  summary: z.string(),
  orgName: z.string(),
  cityName: z.string().nullable(),
  categoryNames: z.array(z.string()),
  fieldNames: z.array(z.string()),
  amountFen: z.number().nullable(),
  amountNote: z.string().nullable(),
  validUntil: z.string(),
  publishedAt: z.string().nullable(),
});
export const PublicPostPage = z.object({
  items: z.array(PublicPostItem),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
export const PublicPostDetail = PublicPostItem.extend({
  content: z.string(),
  orgId: z.string(),
  attachments: z.array(StoredFile),
  /** only for logged-in users; null (with contactHidden) for visitors */
  contact: z.object({ name: z.string(), phone: z.string(), email: z.string().nullable() }).nullable(),
  contactHidden: z.boolean(),
});
export const PostMatches = z.object({
  /** demand: listed instruments whose category or service field fits; supply: the organisation's instruments */
  basis: z.enum(['category_or_field', 'organization']),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      model: z.string().nullable(),
      orgName: z.string(),
      cityName: z.string().nullable(),
      serviceCount: z.number(),
      categoryName: z.string(),
    }),
  ),
});
