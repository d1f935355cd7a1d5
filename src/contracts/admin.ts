import { z } from 'zod';
import { PageQuery, paged } from './common';

export const Department = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  level: z.enum(['province', 'city']),
  cityCode: z.string().nullable(),
});

export const DeptAccountsQuery = PageQuery.extend({
  q: z.string().trim().max(40).optional(),
  departmentId: z.string().max(64).optional(),
}).strict();
export const DeptAccount = z.object({
  id: z.string(),
  username: z.string().nullable(),
  realName: z.string(),
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  departmentId: z.string(),
  departmentName: z.string(),
  isDisabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
});
export const DeptAccountPage = paged(DeptAccount);
export const CreateDeptAccountBody = z.strictObject({
  username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, '用户名须以字母开头，4–32 位字母、数字或下划线'),
  realName: z.string().trim().min(1, '必填').max(40),
  mobile: z
    .string()
    .regex(/^1\d{10}$/, '手机号须为 11 位数字，以 1 开头')
    .optional(),
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
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
}).strict();
export const AuditRecord = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  orgId: z.string().nullable(),
  orgName: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  subjectKind: z.string().nullable(),
  subjectId: z.string().nullable(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export const AuditPage = paged(AuditRecord);

// ------------------------------------------------------------------ reference data (系统管理员)

export const RefKind = z.enum(['categories', 'fields', 'cities', 'districts']);
export const RefParams = z.strictObject({ kind: RefKind });
export const RefItemParams = z.strictObject({ kind: RefKind, code: z.string().min(1).max(64) });
export const RefItem = z.object({
  code: z.string(),
  name: z.string(),
  parentCode: z.string().nullable(),
  level: z.number().nullable(),
  isEnabled: z.boolean(),
  sort: z.number(),
  /** how many records use it (instruments, organisations, posts): a used item can be disabled, never deleted */
  usage: z.number(),
});
export const RefList = z.object({ kind: RefKind, items: z.array(RefItem) });
export const RefCreateBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z]{2,12}$/, '代码为 2–12 位字母或数字'),
  name: z.string().trim().min(1, '请填写名称').max(40, '最多 40 个字符'),
  parentCode: z.string().trim().max(12).nullable().optional(),
  sort: z.number().int().min(0).max(100_000).optional(),
});
export const RefUpdateBody = z.strictObject({
  name: z.string().trim().min(1, '请填写名称').max(40, '最多 40 个字符'),
  sort: z.number().int().min(0).max(100_000).optional(),
});

// ------------------------------------------------------------------ site settings and notices

export const SiteSettingsBody = z.strictObject({
  siteName: z.string().trim().min(2, '至少 2 个字').max(60),
  logoText: z.string().trim().min(1, '必填').max(20),
  province: z.string().trim().min(2).max(20),
  operator: z.string().trim().min(2).max(60),
  phone: z.string().trim().max(40),
  email: z.string().trim().max(120).email('邮箱格式不正确'),
  address: z.string().trim().max(120),
  support: z.string().trim().max(60),
  icp: z.string().trim().max(40),
});
export const LiabilityBody = z.strictObject({
  text: z.string().trim().min(20, '责任说明至少 20 个字').max(5000, '最多 5000 个字符'),
});

export const NoticeBody = z.strictObject({
  title: z.string().trim().min(4, '标题至少 4 个字').max(100),
  body: z.string().trim().min(10, '内容至少 10 个字').max(20_000),
  isPinned: z.boolean().default(false),
  isPublished: z.boolean().default(true),
});
export const Notice = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  isPinned: z.boolean(),
  isPublished: z.boolean(),
  publishedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  authorName: z.string().nullable(),
});
export const NoticeQuery = PageQuery.extend({ q: z.string().trim().max(60).optional() });
export const NoticePage = paged(Notice);

// ------------------------------------------------------------------ user management

export const UsersQuery = PageQuery.extend({
  q: z.string().trim().max(60).optional(),
  locked: z.enum(['1', '0']).optional(),
});
export const UserRow = z.object({
  id: z.string(),
  realName: z.string(),
  username: z.string().nullable(),
  mobile: z.string().nullable(),
  email: z.string().nullable(),
  kind: z.enum(['person', 'department', 'sysadmin']),
  isDisabled: z.boolean(),
  isLocked: z.boolean(),
  mustChangePassword: z.boolean(),
  org: z.object({ id: z.string(), name: z.string(), role: z.string(), roleLabel: z.string() }).nullable(),
  departmentName: z.string().nullable(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export const UserPage = paged(UserRow);
