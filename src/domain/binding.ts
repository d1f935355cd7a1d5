/** Rules of binding a person to an organisation. */
export type BindingKind = 'bind' | 'unbind';
export type RequestState = 'pending' | 'approved' | 'rejected';

export interface PersonFacts {
  currentOrgId: string | null;
  isLegalOfCurrent: boolean;
  pendingRequest: { kind: BindingKind; orgId: string } | null;
}

/** Why a person may not apply to bind to `orgId`, or null when they may. */
export function bindProblem(p: PersonFacts, orgId: string, orgApproved: boolean): string | null {
  if (p.pendingRequest) return '您已有待审核的申请，请等待单位审核';
  if (p.currentOrgId === orgId) return '您已绑定该单位';
  if (p.currentOrgId) return '您已绑定其他单位，请先申请解除绑定';
  if (!orgApproved) return '该单位尚未入网，暂不能绑定';
  return null;
}

export function unbindProblem(p: PersonFacts): string | null {
  if (!p.currentOrgId) return '您尚未绑定单位';
  if (p.isLegalOfCurrent) return '法人账号不能解除与本单位的绑定';
  if (p.pendingRequest) return '您已有待审核的申请，请等待单位审核';
  return null;
}

export type MemberRole = 'member' | 'admin' | 'legal';
export const MEMBER_ROLE_LABEL: Record<MemberRole, string> = { member: '成员', admin: '单位管理员', legal: '法人账号' };
