import { z } from 'zod';
import { PageQuery, paged } from './common';

export const RequestStateZ = z.enum(['pending', 'approved', 'rejected', 'cancelled']);
export const BindingKindZ = z.enum(['bind', 'unbind']);

export const MyRequest = z.object({
  id: z.string(),
  kind: BindingKindZ,
  state: RequestStateZ,
  orgId: z.string(),
  orgName: z.string(),
  note: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});
export const MyBinding = z.object({
  membership: z
    .object({
      orgId: z.string(),
      orgName: z.string(),
      orgState: z.string(),
      role: z.enum(['member', 'admin', 'legal']),
      since: z.string(),
    })
    .nullable(),
  requests: z.array(MyRequest),
});

export const BindBody = z.strictObject({
  orgId: z.string().min(1, '请选择单位').max(64),
  note: z.string().trim().max(200, '最多 200 个字符').optional(),
});
export const UnbindBody = z.strictObject({ note: z.string().trim().max(200, '最多 200 个字符').optional() });

export const OrgRequestsQuery = PageQuery.extend({
  state: RequestStateZ.optional(),
  kind: BindingKindZ.optional(),
}).strict();
export const OrgRequest = z.object({
  id: z.string(),
  kind: BindingKindZ,
  state: RequestStateZ,
  userId: z.string(),
  realName: z.string(),
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  note: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedByName: z.string().nullable(),
});
export const OrgRequestPage = paged(OrgRequest);
export const BindingDecisionBody = z.strictObject({
  action: z.enum(['approve', 'reject']),
  reason: z.string().trim().max(200, '最多 200 个字符').optional(),
});

export const MembersQuery = PageQuery.extend({ q: z.string().trim().max(40).optional() }).strict();
export const Member = z.object({
  userId: z.string(),
  realName: z.string(),
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  role: z.enum(['member', 'admin', 'legal']),
  since: z.string(),
});
export const MemberPage = paged(Member);
export const RoleBody = z.strictObject({ role: z.enum(['admin', 'member']) });
export const UserIdParams = z.strictObject({ userId: z.string().min(1).max(64) });
