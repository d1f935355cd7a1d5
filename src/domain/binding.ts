/** Rules of binding a person to an organisation (manual §3.2). Pure: no I/O. */
export type BindingKind = 'bind' | 'unbind';
export type RequestState = 'pending' | 'approved' | 'rejected' | 'cancelled';
export type MemberRole = 'member' | 'admin' | 'legal';

export const MEMBER_ROLE_LABEL: Record<MemberRole, string> = { member: '成员', admin: '单位管理员', legal: '法人账号' };
export const REQUEST_STATE_LABEL: Record<RequestState, string> = {
  pending: '待审核',
  approved: '已通过',
  rejected: '未通过',
  cancelled: '已撤回',
};
export const BINDING_KIND_LABEL: Record<BindingKind, string> = { bind: '绑定', unbind: '解除绑定' };

export interface PersonFacts {
  currentOrgId: string | null;
  isLegalOfCurrent: boolean;
  pendingRequest: { kind: BindingKind; orgId: string } | null;
}

/**
 * Why something may not be done. `conflict` means the person's current state is in the way (HTTP 409);
 * `rule` means the request itself breaks a rule (HTTP 422).
 */
export interface Problem {
  code: string;
  message: string;
  kind: 'conflict' | 'rule';
}

const PENDING: Problem = {
  code: 'BINDING_PENDING',
  message: '您已有待审核的申请，请等待单位审核或先撤回',
  kind: 'conflict',
};

/** Why a person may not apply to bind to `orgId`, or null when they may. */
export function bindProblem(p: PersonFacts, orgId: string, orgApproved: boolean): Problem | null {
  if (p.pendingRequest) return PENDING;
  if (p.currentOrgId === orgId) return { code: 'ALREADY_BOUND', message: '您已绑定该单位', kind: 'conflict' };
  if (p.currentOrgId) return { code: 'ALREADY_BOUND', message: '您已绑定其他单位，请先申请解除绑定', kind: 'conflict' };
  if (!orgApproved) return { code: 'ORG_NOT_APPROVED', message: '该单位尚未入网，暂不能绑定', kind: 'rule' };
  return null;
}

/** Why a person may not apply to unbind from their organisation, or null when they may. */
export function unbindProblem(p: PersonFacts): Problem | null {
  if (!p.currentOrgId) return { code: 'NOT_BOUND', message: '您尚未绑定单位', kind: 'conflict' };
  if (p.isLegalOfCurrent)
    return { code: 'LEGAL_CANNOT_UNBIND', message: '法人账号不能解除与本单位的绑定', kind: 'rule' };
  if (p.pendingRequest) return PENDING;
  return null;
}

/** Only a pending request can be decided or cancelled. */
export const isOpen = (state: RequestState) => state === 'pending';

/** A rejection needs a reason; returns the trimmed reason, or null when it is missing. */
export function rejectReason(reason: string | undefined | null): string | null {
  const r = (reason ?? '').trim();
  return r ? r : null;
}

/**
 * Why the legal representative may not change the role of `target` (appoint or remove an org admin), or null when they may.
 * `target` is the membership of the user in question (null when the user is not bound to anything).
 */
export function roleChangeProblem(
  actor: { userId: string; orgId: string },
  target: { userId: string; orgId: string; role: MemberRole } | null,
): Problem | null {
  if (!target || target.orgId !== actor.orgId)
    return { code: 'NOT_A_MEMBER', message: '该用户不是本单位成员', kind: 'rule' };
  if (target.role === 'legal' || target.userId === actor.userId)
    return { code: 'LEGAL_ROLE_FIXED', message: '不能变更法人账号的角色', kind: 'rule' };
  return null;
}
