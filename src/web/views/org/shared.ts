import { ORG_STATE_LABEL } from '@domain/organization';
import { MEMBER_ROLE_LABEL } from '@domain/binding';

export { ORG_STATE_LABEL, MEMBER_ROLE_LABEL };

/** Labels of binding requests as shown to people and admins. */
export const REQUEST_STATE_TEXT: Record<string, string> = {
  pending: '待审核',
  approved: '已通过',
  rejected: '已驳回',
  cancelled: '已取消',
};
export const REQUEST_KIND_TEXT: Record<string, string> = { bind: '绑定', unbind: '解绑' };
export const REQUEST_KIND_LONG: Record<string, string> = { bind: '申请绑定', unbind: '申请解除绑定' };
export const AFFILIATION_TEXT: Record<string, string> = { city: '市属单位', province: '省属单位' };

export const orgStateText = (s: string | null | undefined) =>
  s ? (ORG_STATE_LABEL[s as keyof typeof ORG_STATE_LABEL] ?? s) : '—';
export const roleText = (r: string) => MEMBER_ROLE_LABEL[r as keyof typeof MEMBER_ROLE_LABEL] ?? r;
export const yesNo = (v: boolean | null | undefined) => (v === true ? '是' : v === false ? '否' : '—');
export const dash = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? '—' : String(v);

/** True on a phone-sized screen; pages switch tables to cards and descriptions to one column. */
export { useNarrow } from '@/composables/narrow';
