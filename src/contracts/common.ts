import { z } from 'zod';

export const ErrorReply = z.object({
  error: z
    .object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() })
    .passthrough(),
});
export const Ok = z.object({ ok: z.literal(true) });
export const IdParams = z.strictObject({ id: z.string().min(1).max(64) });

/** Server-side paging: page from 1, size up to 100. */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export const paged = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });

export const mobile = z.string().regex(/^1\d{10}$/, '手机号须为 11 位数字，以 1 开头');
export const email = z.string().max(120).email('邮箱格式不正确');
export const trimmed = (max: number) => z.string().trim().max(max, `最多 ${max} 个字符`);
export const required = (max: number) => z.string().trim().min(1, '必填').max(max, `最多 ${max} 个字符`);
export const isoTime = z.string();
