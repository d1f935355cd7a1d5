import { z } from 'zod';
import { email, mobile, required } from './common';

export const RegisterBody = z.strictObject({
  mobile: mobile.optional(),
  username: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, '用户名须以字母开头，4–32 位字母、数字或下划线')
    .optional(),
  realName: required(40),
  email: email.optional(),
  password: z.string().min(1, '必填').max(128),
});

export const LoginBody = z.strictObject({
  mode: z.enum(['person', 'legal']).default('person'),
  identifier: required(64),
  password: z.string().min(1, '必填').max(128),
  captchaId: z.string().max(64).optional(),
  captcha: z.string().max(10).optional(),
});

export const ChangePasswordBody = z.strictObject({
  oldPassword: z.string().min(1, '必填').max(128),
  newPassword: z.string().min(1, '必填').max(128),
});
export const ResetRequestBody = z.strictObject({ identifier: required(64) });
export const ResetConfirmBody = z.strictObject({
  token: z.string().min(10).max(200),
  password: z.string().min(1, '必填').max(128),
});
export const ResetCheckQuery = z.strictObject({ token: z.string().max(200).default('') });
export const ResetCheckReply = z.object({ valid: z.boolean() });
export const LoginStatusQuery = z.strictObject({ identifier: z.string().max(64).default('') });

export const Me = z.object({
  user: z
    .object({
      id: z.string(),
      realName: z.string(),
      username: z.string().nullable(),
      mobile: z.string().nullable(),
      email: z.string().nullable(),
      kind: z.enum(['person', 'department', 'sysadmin']),
      mustChangePassword: z.boolean(),
    })
    .nullable(),
  roles: z.array(z.string()),
  org: z
    .object({
      id: z.string(),
      name: z.string(),
      role: z.enum(['member', 'admin', 'legal']),
      state: z.string(),
      mustRefresh: z.boolean(),
      /** an enterprise that chose to apply for innovation vouchers: 我的创新券 shows */
      canUseVouchers: z.boolean().optional(),
    })
    .nullable(),
  department: z
    .object({ id: z.string(), name: z.string(), level: z.enum(['province', 'city']), cityCode: z.string().nullable() })
    .nullable(),
  csrfToken: z.string(),
});
export type MeT = z.infer<typeof Me>;
