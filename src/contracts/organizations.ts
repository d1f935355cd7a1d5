import { z } from 'zod';
import { ORG_TYPES } from '../domain/reference';
import { PageQuery, paged } from './common';

const text = (max: number) => z.string().trim().max(max, `最多 ${max} 个字符`).nullable().optional();
const orgTypes = Object.keys(ORG_TYPES) as [keyof typeof ORG_TYPES, ...(keyof typeof ORG_TYPES)[]];

/** The fields of 编辑单位信息, shared by the wizard and the server. All optional for 保存; 提交 checks completeness. */
export const OrgFields = z.strictObject({
  // 基本信息
  name: z.string().trim().min(2, '至少 2 个字符').max(100, '最多 100 个字符'),
  uscc: z.string().trim().toUpperCase().length(18, '统一社会信用代码为 18 位'),
  type: z.enum(orgTypes, { message: '请选择单位性质' }),
  cityCode: z.string().regex(/^\d{6}$/, '请选择所在地市'),
  affiliation: z.enum(['city', 'province'], { message: '请选择隶属关系' }).default('city'),
  district: text(40),
  address: text(200),
  postalCode: z
    .string()
    .regex(/^\d{6}$/, '邮编为 6 位数字')
    .nullable()
    .optional(),
  legalPerson: text(40),
  phone: z
    .string()
    .regex(/^[0-9\-+ ]{7,20}$/, '电话格式不正确')
    .nullable()
    .optional(),
  foundedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .nullable()
    .optional(),
  // 单位详细信息
  website: z
    .string()
    .trim()
    .max(200)
    .regex(/^https?:\/\/\S+$/, '网址须以 http:// 或 https:// 开头')
    .nullable()
    .optional(),
  intro: text(2000),
  // 账户信息
  bankName: text(100),
  bankAccount: z
    .string()
    .regex(/^[0-9 ]{8,32}$/, '银行账号为 8–32 位数字')
    .nullable()
    .optional(),
  bankAccountName: text(100),
  // 协作共用联络员信息
  liaisonName: text(40),
  liaisonPhone: z
    .string()
    .regex(/^1\d{10}$|^[0-9-]{7,20}$/, '联系电话格式不正确')
    .nullable()
    .optional(),
  liaisonEmail: z.string().trim().max(120).email('邮箱格式不正确').nullable().optional(),
  // 中小微企业信息
  staffCount: z.number().int('须为整数').min(0, '不能为负数').max(10_000_000).nullable().optional(),
  revenueFen: z.number().int('以分为单位的整数').min(0, '不能为负数').max(1e15).nullable().optional(),
  isSmallMicro: z.boolean().nullable().optional(),
  isVoucherApplicant: z.boolean().nullable().optional(),
  // 承诺书
  commitmentAccepted: z.literal(true, { message: '请阅读并同意承诺书' }),
});
export type OrgFieldsT = z.infer<typeof OrgFields>;

export const ReviewStatus = z
  .object({
    reviewId: z.string(),
    state: z.string(),
    level: z.number(),
    reason: z.string().nullable(),
    submittedAt: z.string(),
    decidedAt: z.string().nullable(),
    open: z.boolean(),
  })
  .nullable();

export const OrgView = z.object({
  id: z.string(),
  name: z.string(),
  uscc: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  cityCode: z.string(),
  cityName: z.string(),
  affiliation: z.string(),
  district: z.string().nullable(),
  address: z.string().nullable(),
  postalCode: z.string().nullable(),
  legalPerson: z.string().nullable(),
  phone: z.string().nullable(),
  foundedOn: z.string().nullable(),
  website: z.string().nullable(),
  intro: z.string().nullable(),
  bankName: z.string().nullable(),
  bankAccount: z.string().nullable(),
  bankAccountName: z.string().nullable(),
  liaisonName: z.string().nullable(),
  liaisonPhone: z.string().nullable(),
  liaisonEmail: z.string().nullable(),
  staffCount: z.number().nullable(),
  revenueFen: z.number().nullable(),
  isSmallMicro: z.boolean().nullable(),
  isVoucherApplicant: z.boolean().nullable(),
  commitmentAcceptedAt: z.string().nullable(),
  state: z.string(),
  stateLabel: z.string(),
  rejectReason: z.string().nullable(),
  departmentName: z.string(),
  infoUpdatedAt: z.string().nullable(),
  mustRefresh: z.boolean(),
  voucherQuestionApplies: z.boolean(),
  pendingChange: z.record(z.string(), z.unknown()).nullable(),
  joinReview: ReviewStatus,
  changeReview: ReviewStatus,
  myRole: z.enum(['member', 'admin', 'legal']),
});

export const OrgSaveReply = z.object({
  id: z.string(),
  state: z.string(),
  appliedAt: z.string().nullable(),
  changeSubmitted: z.boolean(),
});

export const OrgSearchQuery = PageQuery.extend({ q: z.string().trim().max(60).default('') }).strict();
export const OrgPublic = z.object({
  id: z.string(),
  name: z.string(),
  uscc: z.string(),
  typeLabel: z.string(),
  cityName: z.string(),
});
export const OrgSearchPage = paged(OrgPublic);
export const OrgProfile = OrgPublic.extend({
  address: z.string().nullable(),
  website: z.string().nullable(),
  intro: z.string().nullable(),
  liaisonName: z.string().nullable(),
  liaisonPhone: z.string().nullable(),
  liaisonEmail: z.string().nullable(),
  /** listed instruments, the services they gave (服务次数) and their average rating (1–5, null before any) */
  instrumentCount: z.number(),
  serviceCount: z.number(),
  ratingAverage: z.number().nullable(),
  ratingCount: z.number(),
});
