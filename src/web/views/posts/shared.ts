import type { z } from 'zod';
import type {
  MyPostPage,
  PostFields,
  PostMatches,
  PostSaveReply,
  PostView,
  PublicPostDetail,
  PublicPostPage,
} from '@contracts/posts';
import { POST_KIND_LABEL, POST_STATE_LABEL, type PostKind, type PostState } from '@domain/post';
import { i18n } from '@/i18n';

/** A message of locales/posts.ts in the language shown (for code outside components). */
export const tp = (key: string, named: Record<string, unknown> = {}) =>
  (i18n.global as unknown as { t: (k: string, n: Record<string, unknown>) => string }).t(`posts.${key}`, named);

export { POST_KIND_LABEL, POST_STATE_LABEL };
export type { PostKind, PostState };

export type PostFieldsT = z.input<typeof PostFields>;
export type PostViewT = z.infer<typeof PostView>;
export type PostSaveReplyT = z.infer<typeof PostSaveReply>;
export type MyPostPageT = z.infer<typeof MyPostPage>;
export type MyPostItemT = MyPostPageT['items'][number];
export type PublicPostPageT = z.infer<typeof PublicPostPage>;
export type PublicPostItemT = PublicPostPageT['items'][number];
export type PublicPostDetailT = z.infer<typeof PublicPostDetail>;
export type PostMatchesT = z.infer<typeof PostMatches>;
export type PostActionKey = PostViewT['actions'][number];

/** 我的需求 tabs: the API's state filter values. */
export const STATE_TABS = [
  { name: 'all', label: '全部' },
  { name: 'draft', label: '草稿' },
  { name: 'pending', label: '待审核' },
  { name: 'published', label: '已发布' },
  { name: 'rejected', label: '未通过' },
  { name: 'disabled', label: '已停用' },
] as const;
export type StateTab = (typeof STATE_TABS)[number]['name'];
export const isStateTab = (s: unknown): s is StateTab => typeof s === 'string' && STATE_TABS.some((t) => t.name === s);

/** The public type tabs of 供需信息. */
export const KIND_TABS = [
  { name: 'all', label: '全部' },
  { name: 'demand', label: '需求' },
  { name: 'supply', label: '供给' },
] as const;
export type KindTab = (typeof KIND_TABS)[number]['name'];
export const isKindTab = (s: unknown): s is KindTab => typeof s === 'string' && KIND_TABS.some((t) => t.name === s);

/** 预算 for a demand, 价格 for a supply. */
export const amountLabel = (kind: PostKind) => tp(`amount.${kind}`);

/** Today in China Standard Time, as YYYY-MM-DD. */
export function todayCst(): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date())
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
}

/** YYYY-MM-DD of a calendar day `days` after today (China Standard Time). */
export function daysFromToday(days: number): string {
  const [y, m, d] = todayCst().split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Days left until the valid-until day (0 = today is the last day; negative = expired). */
export function daysLeft(validUntil: string): number {
  const [y, m, d] = todayCst().split('-').map(Number);
  const [vy, vm, vd] = validUntil.split('-').map(Number);
  return Math.round((Date.UTC(vy, vm - 1, vd) - Date.UTC(y, m - 1, d)) / 86_400_000);
}

/** A friendly valid-until line: 有效期至 2026-12-31（剩 12 天）. */
export function validText(validUntil: string): string {
  const n = daysLeft(validUntil);
  if (n < 0) return tp('valid.expired', { d: validUntil });
  if (n === 0) return tp('valid.today', { d: validUntil });
  if (n <= 30) return tp('valid.left', { d: validUntil, n });
  return validUntil;
}

export const fileSize = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
