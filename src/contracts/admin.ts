import { z } from 'zod';
import { PageQuery, paged } from './common';

export const Department = z.object({ id: z.string(), code: z.string(), name: z.string(), level: z.enum(['province', 'city']), cityCode: z.string().nullable() });

export const DeptAccountsQuery = PageQuery.extend({ q: z.string().trim().max(40).optional(), departmentId: z.string().max(64).optional() }).strict();
export const DeptAccount = z.object({
  id: z.string(), username: z.string().nullable(), realName: z.string(), mobile: z.string().nullable(), email: z.string().nullable(),
  departmentId: z.string(), departmentName: z.string(), isDisabled: z.boolean(), mustChangePassword: z.boolean(), createdAt: z.string(),
});
export const DeptAccountPage = paged(DeptAccount);
export const CreateDeptAccountBody = z.strictObject({
  username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, '用户名须以字母开头，4–32 位字母、数字或下划线'),
  realName: z.string().trim().min(1, '必填').max(40),
  mobile: z.string().regex(/^1\d{10}$/, '手机号须为 11 位数字，以 1 开头').optional(),
  email: z.string().max(120).email('邮箱格式不正确').optional(),
  departmentId: z.string().min(1, '请选择所属部门').max(64),
  password: z.string().min(1, '必填').max(128),
});
export const UpdateDeptAccountBody = CreateDeptAccountBody.omit({ username: true, password: true });
export const ResetPasswordBody = z.strictObject({ password: z.string().min(1, '必填').max(128) });

export const AuditQuery = PageQuery.extend({
  actor: z.string().trim().max(60).optional(),
  action: z.string().trim().max(60).optional(),
  subjectKind: z.string().trim().max(40).optional(),
  subjectId: z.string().trim().max(64).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').optional(),
}).strict();
export const AuditRecord = z.object({
  id: z.string(), at: z.string(), actorId: z.string().nullable(), actorName: z.string().nullable(), orgId: z.string().nullable(), orgName: z.string().nullable(),
  ip: z.string().nullable(), action: z.string(), subjectKind: z.string().nullable(), subjectId: z.string().nullable(),
  fromState: z.string().nullable(), toState: z.string().nullable(), detail: z.record(z.string(), z.unknown()).nullable(),
});
export const AuditPage = paged(AuditRecord);
