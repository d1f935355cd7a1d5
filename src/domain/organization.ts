import type { OrgType } from './reference';
import { OUT_OF_PROVINCE } from './reference';

/** 入网状态 of an organisation. */
export type OrgState = 'draft' | 'pending' | 'approved' | 'rejected';
export const ORG_STATE_LABEL: Record<OrgState, string> = {
  draft: '草稿',
  pending: '待审核',
  approved: '已入网',
  rejected: '未通过',
};

export const REVENUE_LIMIT_FEN = 200_000_000 * 100; // ¥200 million
export const STAFF_LIMIT = 500;

export interface VoucherQuestionFacts {
  cityCode: string;
  staffCount: number | null | undefined;
  revenueFen: number | null | undefined;
  type: OrgType | string;
}

/** The manual's rule: the voucher question exists only for an in-province enterprise with < 500 staff and < ¥200M revenue. */
export function voucherQuestionApplies(f: VoucherQuestionFacts): boolean {
  return (
    f.type === 'enterprise' &&
    !!f.cityCode &&
    f.cityCode !== OUT_OF_PROVINCE.code &&
    typeof f.staffCount === 'number' &&
    f.staffCount < STAFF_LIMIT &&
    typeof f.revenueFen === 'number' &&
    f.revenueFen < REVENUE_LIMIT_FEN
  );
}

/** Fields whose change on an approved organisation must pass review again. */
export const REVIEWED_FIELDS = ['staffCount', 'revenueFen', 'isSmallMicro', 'isVoucherApplicant'] as const;

export const FRESHNESS_DAYS = 365;
const DAY_MS = 86_400_000;

/** An approved organisation whose info is older than 365 days must update it before anything else. */
export function mustRefreshInfo(infoUpdatedAt: string | null, now: Date): boolean {
  if (!infoUpdatedAt) return false;
  return now.getTime() - new Date(infoUpdatedAt).getTime() > FRESHNESS_DAYS * DAY_MS;
}

/** Which transitions of the joining state an owner may make. */
export function canEdit(state: OrgState): boolean {
  return state === 'draft' || state === 'rejected' || state === 'approved';
}
export function canSubmit(state: OrgState): boolean {
  return state === 'draft' || state === 'rejected';
}
