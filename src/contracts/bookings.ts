import { z } from 'zod';
import { BOOKING_STATES, MAX_QUANTITY, MAX_UNIT_PRICE_FEN } from '../domain/booking';
import { PageQuery } from './common';
import { StoredFile } from './files';

const text = (max: number) => z.string().trim().max(max, `最多 ${max} 个字符`).nullable().optional();
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .nullable()
  .optional();
const fen = (max: number) => z.number().int('以分为单位的整数').min(0, '不能为负数').max(max, '金额过大');
const id = z.string().min(1).max(64);

export const BookingState = z.enum(BOOKING_STATES as [string, ...string[]]);

/** One sample (检测样品): 名称、数量及单位、形态、危险特性、检测后退回或处置. */
export const Sample = z.strictObject({
  name: z.string().trim().max(100, '最多 100 个字符').default(''),
  quantity: z.number().positive('数量须大于 0').max(MAX_QUANTITY, '数量过大').nullable().optional(),
  unit: text(20),
  form: text(40),
  hazards: text(200),
  disposal: z.enum(['return', 'dispose'], { message: '请选择样品处置方式' }).nullable().optional(),
});

/**
 * 预约单 as the consumer fills it. 保存 accepts it incomplete; 提交 requires every field the form marks.
 * The instruments must all belong to one organisation, be listed and enabled.
 */
export const BookingFields = z.strictObject({
  instruments: z
    .array(z.strictObject({ instrumentId: id, testItems: text(1000) }))
    .min(1, '请至少添加一台仪器')
    .max(20, '一次最多预约 20 台仪器'),
  samples: z.array(Sample).max(50, '最多 50 个样品').default([]),
  purpose: text(2000),
  expectedFrom: date,
  expectedTo: date,
  projectName: text(200),
  projectNo: text(100),
  projectSource: text(200),
  projectFundingFen: fen(1e13).nullable().optional(),
  contactName: text(40),
  contactPhone: z
    .string()
    .trim()
    .regex(/^1\d{10}$|^[0-9-]{7,20}$/, '电话格式不正确')
    .nullable()
    .optional()
    .or(z.literal('').transform(() => null)),
  contactEmail: z
    .string()
    .trim()
    .max(120)
    .email('邮箱格式不正确')
    .nullable()
    .optional()
    .or(z.literal('').transform(() => null)),
  remark: text(1000),
});
export type BookingFieldsT = z.infer<typeof BookingFields>;

/** 提交: the consumer accepts the 责任说明 in force (its text is stored with the booking). */
export const SubmitBody = z.strictObject({ liabilityAccepted: z.literal(true, { message: '请阅读并同意责任说明' }) });
export const DeclineBody = z.strictObject({
  reason: z.string().trim().min(2, '请填写不予受理的理由（至少 2 个字）').max(500, '最多 500 个字符'),
});
export const AcceptBody = z.strictObject({ plannedTestDate: date, comment: text(500) });

export const FeeItemBody = z.strictObject({
  name: z.string().trim().min(1, '请填写收费项目').max(60, '最多 60 个字符'),
  quantity: z.number().positive('数量须大于 0').max(MAX_QUANTITY, '数量过大'),
  unit: z.string().trim().min(1, '请填写单位').max(10, '最多 10 个字符'),
  unitPriceFen: fen(MAX_UNIT_PRICE_FEN),
});

/** 检测结果登记: per instrument the result, machine hours and fee items; other fees; a note. */
export const ResultsBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        instrumentId: id,
        resultText: text(4000),
        machineHours: z.number().min(0, '不能为负数').max(10_000, '机时过大').nullable().optional(),
        fees: z.array(FeeItemBody).max(30, '最多 30 项').default([]),
      }),
    )
    .max(20),
  otherFeeFen: fen(MAX_UNIT_PRICE_FEN).default(0),
  otherFeeNote: text(200),
  resultNote: text(2000),
  /** the version the form was loaded with: a second tab's stale save is refused */
  version: z.number().int().min(1),
});
export type ResultsBodyT = z.infer<typeof ResultsBody>;

/** The voucher part of 结算: which vouchers, and the answer on other public subsidy (checked again on the server). */
export const SettleVoucher = z.strictObject({
  otherSubsidy: z.boolean({ message: '请选择该项服务是否享受其他财政资金补助' }),
  provincial: z.boolean().default(false),
  municipal: z.boolean().default(false),
});
/** 结算: report and invoice are uploaded first; with vouchers, also the claim's documents. */
export const SettleBody = z.strictObject({ comment: text(500), voucher: SettleVoucher.nullable().optional() });
export const RateBody = z.strictObject({
  stars: z.number().int('请选择 1–5 星').min(1, '请选择 1–5 星').max(5, '请选择 1–5 星'),
  comment: z.string().trim().max(500, '最多 500 个字符').default(''),
});

export const FileSlot = z.enum(['result_report', 'report', 'invoice', 'contract', 'result_proof', 'relevance_proof']);
export const BookingFileParams = z.strictObject({ id, fileId: id });
export const BookingUploadQuery = z.strictObject({ slot: FileSlot });

export const FeeItemView = FeeItemBody.extend({ amountFen: z.number() });
export const BookingItemView = z.object({
  instrumentId: z.string(),
  name: z.string(),
  model: z.string().nullable(),
  categoryName: z.string(),
  isBookable: z.boolean(),
  feeStandard: z.string().nullable(),
  testItems: z.string().nullable(),
  resultText: z.string().nullable(),
  machineHours: z.number().nullable(),
  fees: z.array(FeeItemView),
  subtotalFen: z.number(),
});

export const BookingEvent = z.object({
  id: z.string(),
  action: z.string(),
  actionLabel: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  actorName: z.string(),
  orgName: z.string().nullable(),
  comment: z.string().nullable(),
  at: z.string(),
});

export const Party = z.enum(['consumer', 'provider']);
export const BookingView = z.object({
  id: z.string(),
  no: z.string(),
  state: BookingState,
  stateLabel: z.string(),
  step: z.number(),
  version: z.number(),
  party: Party,
  actions: z.array(z.string()),
  consumer: z.object({ id: z.string(), name: z.string(), cityName: z.string().nullable() }),
  provider: z.object({ id: z.string(), name: z.string(), cityName: z.string().nullable() }),
  applicant: z.object({ id: z.string(), name: z.string() }),
  instruments: z.array(BookingItemView),
  samples: z.array(Sample.extend({})),
  purpose: z.string().nullable(),
  expectedFrom: z.string().nullable(),
  expectedTo: z.string().nullable(),
  projectName: z.string().nullable(),
  projectNo: z.string().nullable(),
  projectSource: z.string().nullable(),
  projectFundingFen: z.number().nullable(),
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  contactEmail: z.string().nullable(),
  remark: z.string().nullable(),
  liabilityText: z.string().nullable(),
  liabilityAcceptedAt: z.string().nullable(),
  plannedTestDate: z.string().nullable(),
  declineReason: z.string().nullable(),
  otherFeeFen: z.number(),
  otherFeeNote: z.string().nullable(),
  totalFeeFen: z.number(),
  resultNote: z.string().nullable(),
  files: z.object({
    result_report: z.array(StoredFile),
    report: z.array(StoredFile),
    invoice: z.array(StoredFile),
    /** the voucher claim's documents, uploaded at settlement or while a claim is returned */
    contract: z.array(StoredFile),
    result_proof: z.array(StoredFile),
    relevance_proof: z.array(StoredFile),
  }),
  rating: z.object({ stars: z.number(), comment: z.string().nullable(), createdAt: z.string() }).nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  resultsAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  history: z.array(BookingEvent),
});
export type BookingViewT = z.infer<typeof BookingView>;

export const BookingSaveReply = z.object({
  id: z.string(),
  no: z.string(),
  state: BookingState,
  stateLabel: z.string(),
  version: z.number(),
});

export const BookingListQuery = PageQuery.extend({
  side: Party.default('consumer'),
  state: BookingState.optional(),
  q: z.string().trim().max(100).optional(),
});
export const BookingListItem = z.object({
  id: z.string(),
  no: z.string(),
  state: BookingState,
  stateLabel: z.string(),
  counterpartName: z.string(),
  applicantName: z.string(),
  instrumentNames: z.array(z.string()),
  totalFeeFen: z.number(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
  actions: z.array(z.string()),
  rated: z.boolean(),
});
export const BookingPage = z.object({
  items: z.array(BookingListItem),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  /** per state tab, for the side asked; `all` is their sum */
  counts: z.record(z.string(), z.number()),
});
export const BookingExportQuery = BookingListQuery.omit({ page: true, pageSize: true });

/** The form's start: the instruments asked for, checked (one organisation, bookable), and the 责任说明 in force. */
export const BookingStartQuery = z.strictObject({ instruments: z.string().trim().min(1, '请选择仪器').max(2000) });
export const BookingStart = z.object({
  provider: z.object({ id: z.string(), name: z.string(), cityName: z.string().nullable() }),
  instruments: z.array(
    z.object({
      instrumentId: z.string(),
      name: z.string(),
      model: z.string().nullable(),
      categoryName: z.string(),
      feeStandard: z.string().nullable(),
      isBookable: z.boolean(),
    }),
  ),
  liabilityText: z.string(),
  contact: z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
});
export const Liability = z.object({ text: z.string() });

export const RatingSummary = z.object({
  average: z.number().nullable(),
  count: z.number(),
  distribution: z.array(z.number()),
  recent: z.array(z.object({ stars: z.number(), comment: z.string().nullable(), orgName: z.string(), at: z.string() })),
});
