import { z } from 'zod';
import { PageQuery } from './common';
import { StoredFile } from './files';

const bp = z.number().int('以万分比整数表示').min(0, '不能小于 0%').max(10_000, '不能大于 100%');
const fen = z.number().int('以分为单位的整数').min(0, '不能为负数').max(1e12, '金额过大');
const cityCode = z.string().regex(/^\d{6}$/, '地市代码为 6 位数字');

export const ProvincialPolicy = z.strictObject({
  highRateCities: z.array(cityCode).max(16),
  highRateBp: bp,
  defaultRateBp: bp,
  directCounties: z.array(z.string().trim().min(1).max(20)).max(200),
  yearlyCapFen: fen,
});
export const MunicipalPolicy = z.strictObject({
  enabled: z.boolean(),
  rateBp: bp,
  yearlyCapFen: fen,
  combinedCapFen: fen,
  sameCityProvider: z.boolean(),
  sameConditions: z.boolean(),
});
export const VoucherPolicyBody = z.strictObject({
  effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
  note: z.string().trim().max(500, '最多 500 个字符').nullable().optional(),
  provincial: ProvincialPolicy,
  municipal: z.record(cityCode, MunicipalPolicy),
});
export const VoucherPolicyVersion = z.object({
  id: z.string(),
  effectiveFrom: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  inForce: z.boolean(),
  provincial: ProvincialPolicy,
  municipal: z.record(z.string(), MunicipalPolicy),
});

/** The choice sent with 结算: which parts, and the answer on other public subsidy. */
export const VoucherChoice = z.strictObject({
  otherSubsidy: z.boolean({ message: '请选择该项服务是否享受其他财政资金补助' }),
  provincial: z.boolean().default(false),
  municipal: z.boolean().default(false),
});
export const QuoteQuery = z.strictObject({
  otherSubsidy: z.enum(['0', '1']).default('0'),
  provincial: z.enum(['0', '1']).default('1'),
  municipal: z.enum(['0', '1']).default('1'),
});
export const VoucherPart = z.object({
  kind: z.enum(['provincial', 'municipal']),
  label: z.string(),
  eligible: z.boolean(),
  problems: z.array(z.string()),
  rateBp: z.number(),
  shareFen: z.number(),
  remainingCapFen: z.number(),
  amountFen: z.number(),
});
export const VoucherQuote = z.object({
  show: z.boolean(),
  feeFen: z.number(),
  selfPayFen: z.number(),
  year: z.number(),
  policyId: z.string(),
  provincial: VoucherPart,
  municipal: VoucherPart.nullable(),
  documents: z.array(z.object({ slot: z.string(), label: z.string(), uploaded: z.boolean() })),
});

export const ClaimState = z.enum(['city_review', 'province_review', 'returned', 'approved', 'rejected', 'paid']);
export const ClaimListItem = z.object({
  id: z.string(),
  no: z.string(),
  kind: z.enum(['provincial', 'municipal']),
  kindLabel: z.string(),
  state: ClaimState,
  stateLabel: z.string(),
  stage: z.string(),
  bookingId: z.string(),
  bookingNo: z.string(),
  consumerName: z.string(),
  providerName: z.string(),
  cityName: z.string(),
  feeFen: z.number(),
  rateBp: z.number(),
  amountFen: z.number(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  approvedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  actions: z.array(z.enum(['upload', 'resubmit', 'print'])),
});
export const ClaimListQuery = PageQuery.extend({
  state: ClaimState.optional(),
  q: z.string().trim().max(100).optional(),
});
export const ClaimPage = z.object({
  items: z.array(ClaimListItem),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
export const ClaimDocSlot = z.enum(['contract', 'invoice', 'report', 'result_proof', 'relevance_proof']);
export const ClaimDetail = ClaimListItem.extend({
  instruments: z.array(z.string()),
  selfPayFen: z.number(),
  policyEffectiveFrom: z.string(),
  year: z.number(),
  verifyUrl: z.string(),
  documents: z.array(z.object({ slot: ClaimDocSlot, label: z.string(), files: z.array(StoredFile) })),
  missing: z.array(z.string()),
  history: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      fromState: z.string().nullable(),
      toState: z.string(),
      level: z.number(),
      actorName: z.string(),
      departmentName: z.string().nullable(),
      reason: z.string().nullable(),
      at: z.string(),
    }),
  ),
});
export const ClaimFileQuery = z.strictObject({ slot: ClaimDocSlot });
export const ClaimFileParams = z.strictObject({ id: z.string().min(1).max(64), fileId: z.string().min(1).max(64) });

export const VerifyParams = z.strictObject({ code: z.string().min(1).max(64) });
export const VerifyReply = z.object({
  genuine: z.boolean(),
  claim: z
    .object({
      no: z.string(),
      kindLabel: z.string(),
      consumerName: z.string(),
      providerName: z.string(),
      feeFen: z.number(),
      amountFen: z.number(),
      stateLabel: z.string(),
      createdAt: z.string(),
      approvedAt: z.string().nullable(),
      paidAt: z.string().nullable(),
    })
    .nullable(),
});

export const StatsQuery = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  by: z.enum(['month', 'city', 'provider']).default('month'),
});
export const StatsReply = z.object({
  year: z.number(),
  by: z.string(),
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      claims: z.number(),
      reservedFen: z.number(),
      approvedFen: z.number(),
      paidFen: z.number(),
    }),
  ),
  totals: z.object({ claims: z.number(), reservedFen: z.number(), approvedFen: z.number(), paidFen: z.number() }),
});

export const PayoutCreateBody = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM'),
});
export const PayoutBatch = z.object({
  id: z.string(),
  no: z.string(),
  month: z.string(),
  state: z.enum(['draft', 'confirmed']),
  stateLabel: z.string(),
  claimCount: z.number(),
  totalFen: z.number(),
  createdAt: z.string(),
  confirmedAt: z.string().nullable(),
});
export const PayoutDetail = PayoutBatch.extend({
  claims: z.array(
    z.object({
      id: z.string(),
      no: z.string(),
      kindLabel: z.string(),
      consumerName: z.string(),
      amountFen: z.number(),
      bankName: z.string().nullable(),
      bankAccount: z.string().nullable(),
      bankAccountName: z.string().nullable(),
      approvedAt: z.string().nullable(),
    }),
  ),
});
export const PayoutPage = z.object({
  items: z.array(PayoutBatch),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
