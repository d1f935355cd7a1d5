import type { z } from 'zod';
import type {
  BookingListItem,
  BookingPage,
  BookingSaveReply,
  BookingStart,
  BookingView,
  Liability,
  RatingSummary,
} from '@contracts/bookings';
import type { StoredFileT } from '@contracts/files';
import { BOOKING_STATE_LABEL, BOOKING_STEPS, SAMPLE_DISPOSAL, type BookingState } from '@domain/booking';
import { fenToText, parseMoney } from '@/views/instruments/shared';
import { i18n } from '@/i18n';

const t = (key: string) => (i18n.global as unknown as { t: (k: string) => string }).t(key);

export { BOOKING_STATE_LABEL, BOOKING_STEPS, SAMPLE_DISPOSAL, fenToText, parseMoney };
export type { BookingState };

export type BookingViewT = z.infer<typeof BookingView>;
export type BookingListItemT = z.infer<typeof BookingListItem>;
export type BookingPageT = z.infer<typeof BookingPage>;
export type BookingStartT = z.infer<typeof BookingStart>;
export type BookingSaveReplyT = z.infer<typeof BookingSaveReply>;
export type LiabilityT = z.infer<typeof Liability>;
export type RatingSummaryT = z.infer<typeof RatingSummary>;
export type StoredFile = StoredFileT;
export type Side = 'consumer' | 'provider';
export type FileSlot = 'result_report' | 'report' | 'invoice';

/** The state tabs of 我的预约 (consumer) and 我的被预约 (provider: the consumer's drafts are never shown to it). */
const TAB_ORDER: BookingState[] = [
  'draft',
  'submitted',
  'accepted',
  'awaiting_settlement',
  'completed',
  'rejected',
  'withdrawn',
];
export function stateTabs(side: Side) {
  const states = side === 'provider' ? TAB_ORDER.filter((s) => s !== 'draft') : TAB_ORDER;
  return [{ name: 'all', label: '全部' }, ...states.map((s) => ({ name: s as string, label: BOOKING_STATE_LABEL[s] }))];
}
export const isBookingState = (s: unknown): s is BookingState =>
  typeof s === 'string' && (TAB_ORDER as string[]).includes(s);

/** A refused booking ends at the 待受理 step: the step bar shows where, and why, in red. */
export const stepStatus = (s: BookingState) => (s === 'rejected' || s === 'withdrawn' ? 'error' : 'process');

export const FILE_SLOT_LABEL: Record<FileSlot, string> = {
  result_report: '检测结果报告',
  report: '检测报告',
  invoice: '发票',
};
export const BOOKING_UPLOAD = {
  accept: '.pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png',
  maxBytes: 20 * 1024 * 1024,
  hint: '支持 PDF、Word、Excel、JPG、PNG 文件，单个不超过 20 MB',
};

/** A quantity typed in a form (up to two decimals), or null with a reason. */
export function parseQuantity(text: string): { value: number | null; error?: string } {
  const s = text.replace(/[,，\s]/g, '');
  if (!s) return { value: null };
  if (!/^\d+(\.\d{0,2})?$/.test(s))
    return { value: null, error: /^\d+\.\d{3,}$/.test(s) ? t('bookings.qty.decimals') : t('bookings.qty.number') };
  const v = Number(s);
  if (v <= 0) return { value: null, error: t('bookings.qty.positive') };
  if (v > 100_000) return { value: null, error: t('bookings.qty.tooLarge') };
  return { value: v };
}

export const dash = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? '—' : String(v);
export const disposalText = (d: string | null | undefined) =>
  d ? (SAMPLE_DISPOSAL[d as keyof typeof SAMPLE_DISPOSAL] ?? d) : '—';
export const fileSize = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
export const bookingLinkOf = (id: string) => `/member/bookings/${encodeURIComponent(id)}`;

/** Today in China Standard Time, YYYY-MM-DD. */
export function todayCst(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}
/** The calendar day of a date picker's local midnight. */
export const dayOf = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
