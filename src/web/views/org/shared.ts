import { currentLang, i18n } from '@/i18n';
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

// ---------------------------------------------------------------- the same, in the language shown (by code)

const tr = (key: string, values?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, v?: Record<string, unknown>) => string }).t(key, values ?? {});
export const orgStateName = (s: string | null | undefined) => (s ? tr(`org.state.${s}`) : '—');
export const roleName = (r: string) => tr(`org.role.${r}`);
export const affiliationName = (a: string) => (a === 'city' || a === 'province' ? tr(`org.affiliation.${a}`) : a);
export const requestStateName = (s: string) => tr(`org.requestState.${s}`);
export const requestKindName = (k: string) => tr(`org.requestKind.${k}`);
export const yesNoText = (v: boolean | null | undefined) =>
  v === true ? tr('org.yes') : v === false ? tr('org.no') : '—';
export const people = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : tr('org.peopleCount', { n: n.toLocaleString('en-US') });
/** 万元 with 2 decimals (fen in). */
export const wanText = (fen: number | null | undefined) =>
  fen === null || fen === undefined
    ? '—'
    : currentLang() === 'en'
      ? `¥${Math.round(fen / 100).toLocaleString('en-US')}`
      : tr('org.wanAmount', { n: (fen / 1_000_000).toFixed(2) });
