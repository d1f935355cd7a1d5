/**
 * The booking life cycle (预约, manual §4.3.2–4.3.3): states, the machine `from × action → to` with guards for the
 * actor's party and role, the human number, and fee arithmetic in fen. Pure: no I/O.
 */
export type BookingState =
  'draft' | 'submitted' | 'accepted' | 'rejected' | 'withdrawn' | 'awaiting_settlement' | 'completed';
export const BOOKING_STATES: BookingState[] = [
  'draft',
  'submitted',
  'accepted',
  'awaiting_settlement',
  'completed',
  'rejected',
  'withdrawn',
];

export const BOOKING_STATE_LABEL: Record<BookingState, string> = {
  draft: '待提交',
  submitted: '待受理',
  accepted: '待测试',
  awaiting_settlement: '待结算',
  completed: '已完成',
  rejected: '已拒绝',
  withdrawn: '已撤回',
};

/** The steps of the step bar (el-steps), in order; the final states of a refused booking show where it ended. */
export const BOOKING_STEPS = ['填写预约单', '待受理', '待测试', '待结算', '已完成'] as const;
export function bookingStep(s: BookingState): number {
  switch (s) {
    case 'draft':
      return 0;
    case 'submitted':
    case 'rejected':
    case 'withdrawn':
      return 1;
    case 'accepted':
      return 2;
    case 'awaiting_settlement':
      return 3;
    case 'completed':
      return 4;
  }
}

export type BookingAction =
  | 'save'
  | 'delete'
  | 'submit'
  | 'withdraw' // consumer, before acceptance
  | 'accept'
  | 'decline' // provider, 受理 / 不予受理
  | 'save_results'
  | 'submit_results' // provider, 检测结果登记
  | 'settle' // consumer, 结算
  | 'rate'; // consumer, 评价

export const BOOKING_ACTION_LABEL: Record<BookingAction, string> = {
  save: '保存',
  delete: '删除',
  submit: '提交预约',
  withdraw: '撤回',
  accept: '受理',
  decline: '不予受理',
  save_results: '保存检测结果',
  submit_results: '提交检测结果',
  settle: '结算',
  rate: '评价',
};

/** Who acts: the consumer (委托方) or the provider (受托方) organisation; `admin` covers the legal representative. */
export type Party = 'consumer' | 'provider';
export interface BookingActor {
  party: Party | null;
  isAdmin: boolean;
  isApplicant: boolean;
}

interface Rule {
  from: BookingState;
  to: BookingState | 'gone';
  party: Party;
  needsReason?: boolean;
}

/**
 * from × action → to. Consumer actions may be taken by the applicant or an admin of the consumer organisation;
 * provider actions by an admin of the provider organisation. `rate` keeps the state (once is enforced by storage).
 */
const MACHINE: Record<BookingAction, Rule> = {
  save: { from: 'draft', to: 'draft', party: 'consumer' },
  delete: { from: 'draft', to: 'gone', party: 'consumer' },
  submit: { from: 'draft', to: 'submitted', party: 'consumer' },
  withdraw: { from: 'submitted', to: 'withdrawn', party: 'consumer' },
  accept: { from: 'submitted', to: 'accepted', party: 'provider' },
  decline: { from: 'submitted', to: 'rejected', party: 'provider', needsReason: true },
  save_results: { from: 'accepted', to: 'accepted', party: 'provider' },
  submit_results: { from: 'accepted', to: 'awaiting_settlement', party: 'provider' },
  settle: { from: 'awaiting_settlement', to: 'completed', party: 'consumer' },
  rate: { from: 'completed', to: 'completed', party: 'consumer' },
};

export interface Refusal {
  status: 403 | 404 | 409;
  code: string;
  message: string;
}
export type Step = { to: BookingState | 'gone'; needsReason: boolean } | { refusal: Refusal };

/** May this actor see the booking at all? The provider never sees the consumer's drafts. */
export function maySeeBooking(state: BookingState, a: BookingActor): boolean {
  if (a.party === 'consumer') return true;
  if (a.party === 'provider') return state !== 'draft';
  return false;
}

const PARTY_NOUN: Record<Party, string> = { consumer: '委托方', provider: '受托方' };

/** The machine's verdict: the next state, or why the action is refused (with its HTTP status). */
export function nextBookingStep(state: BookingState, action: BookingAction, a: BookingActor): Step {
  const rule = MACHINE[action];
  if (!maySeeBooking(state, a)) return { refusal: { status: 404, code: 'NOT_FOUND', message: '预约单不存在' } };
  if (a.party !== rule.party)
    return {
      refusal: {
        status: 403,
        code: 'BOOKING_WRONG_PARTY',
        message: `只有${PARTY_NOUN[rule.party]}可以${BOOKING_ACTION_LABEL[action]}`,
      },
    };
  if (rule.party === 'provider' && !a.isAdmin)
    return {
      refusal: {
        status: 403,
        code: 'BOOKING_ADMIN_ONLY',
        message: `只有受托方单位管理员可以${BOOKING_ACTION_LABEL[action]}`,
      },
    };
  if (rule.party === 'consumer' && !a.isAdmin && !a.isApplicant)
    return {
      refusal: {
        status: 403,
        code: 'BOOKING_APPLICANT_ONLY',
        message: `只有预约申请人或本单位管理员可以${BOOKING_ACTION_LABEL[action]}`,
      },
    };
  if (state !== rule.from) {
    return {
      refusal: {
        status: 409,
        code: 'BOOKING_WRONG_STATE',
        message: `预约单当前为「${BOOKING_STATE_LABEL[state]}」，不能${BOOKING_ACTION_LABEL[action]}`,
      },
    };
  }
  return { to: rule.to, needsReason: !!rule.needsReason };
}

/** The actions this actor may take now (the detail page shows them at the top). */
export const availableActions = (state: BookingState, a: BookingActor): BookingAction[] =>
  (Object.keys(MACHINE) as BookingAction[]).filter((k) => 'to' in nextBookingStep(state, k, a));

/** Who acts next, for the lists. */
export function nextParty(s: BookingState): Party | null {
  switch (s) {
    case 'draft':
    case 'awaiting_settlement':
      return 'consumer';
    case 'submitted':
    case 'accepted':
      return 'provider';
    default:
      return null;
  }
}

// ------------------------------------------------------------------ the human number

/** The day part of a number, in China Standard Time (UTC+8, no daylight saving). */
export function bookingDay(at: Date): string {
  const d = new Date(at.getTime() + 8 * 3600_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** `YY` + the day + a sequence of at least 4 digits: YY202611290001. Sequences start at 1 each day. */
export function formatBookingNo(day: string, seq: number): string {
  if (!/^\d{8}$/.test(day)) throw new Error(`bad day ${day}`);
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`bad sequence ${seq}`);
  return `YY${day}${String(seq).padStart(4, '0')}`;
}

export const BOOKING_NO = /^YY\d{12,}$/;

// ------------------------------------------------------------------ fees, in fen

/** A fee item: quantity (up to two decimals) × unit price in fen. */
export interface FeeItem {
  name: string;
  quantity: number;
  unit: string;
  unitPriceFen: number;
}

export const MAX_UNIT_PRICE_FEN = 1_000_000_000; // ¥10,000,000
export const MAX_QUANTITY = 100_000;

/** Hundredths of a quantity, refusing more than two decimals (1.005 is not a quantity a form can produce). */
export function quantityHundredths(q: number): number | null {
  if (!Number.isFinite(q) || q <= 0 || q > MAX_QUANTITY) return null;
  const h = Math.round(q * 100);
  return Math.abs(h - q * 100) < 1e-6 ? h : null;
}

/** quantity × unit price, rounded half up to the fen; exact for every allowed input (BigInt product). */
export function lineFen(item: Pick<FeeItem, 'quantity' | 'unitPriceFen'>): number {
  const h = quantityHundredths(item.quantity);
  if (h === null) throw new RangeError('quantity');
  if (!Number.isInteger(item.unitPriceFen) || item.unitPriceFen < 0 || item.unitPriceFen > MAX_UNIT_PRICE_FEN)
    throw new RangeError('unitPriceFen');
  const p = BigInt(h) * BigInt(item.unitPriceFen);
  return Number((p + 50n) / 100n);
}

/** The total of a booking: every item of every instrument plus the other fees. */
export function totalFen(items: Pick<FeeItem, 'quantity' | 'unitPriceFen'>[], otherFen: number): number {
  if (!Number.isInteger(otherFen) || otherFen < 0) throw new RangeError('otherFen');
  return items.reduce((s, i) => s + lineFen(i), 0) + otherFen;
}

// ------------------------------------------------------------------ the form

export const SAMPLE_DISPOSAL = { return: '检测后退回', dispose: '由受托方处置' } as const;
export type SampleDisposal = keyof typeof SAMPLE_DISPOSAL;

export const BOOKING_FIELD_LABELS = {
  instruments: '预约仪器',
  samples: '检测样品',
  purpose: '检测用途',
  expectedFrom: '期望开始日期',
  expectedTo: '期望完成日期',
  projectName: '项目名称',
  projectNo: '项目编号',
  projectSource: '项目来源',
  projectFundingFen: '项目经费',
  liabilityAccepted: '责任说明',
  testItems: '检测项目',
  contactName: '联系人',
  contactPhone: '联系电话',
} as const;

export interface BookingDraft {
  instruments: { testItems: string | null }[];
  samples: {
    name: string;
    quantity: number | null;
    unit: string | null;
    form: string | null;
    hazards: string | null;
    disposal: SampleDisposal | null;
  }[];
  purpose: string | null;
  expectedFrom: string | null;
  expectedTo: string | null;
  projectName: string | null;
  projectSource: string | null;
  contactName: string | null;
  contactPhone: string | null;
}

/** What 提交 requires beyond what 保存 accepts; field keys are those of the form (samples.0.quantity, …). */
export function missingForSubmit(b: BookingDraft, today: string): Record<string, string> {
  const m: Record<string, string> = {};
  if (!b.instruments.length) m.instruments = '请至少添加一台仪器';
  b.instruments.forEach((i, k) => {
    if (!i.testItems?.trim()) m[`instruments.${k}.testItems`] = '请填写检测项目';
  });
  if (!b.samples.length) m.samples = '请至少填写一个检测样品';
  b.samples.forEach((s, k) => {
    if (!s.name?.trim()) m[`samples.${k}.name`] = '请填写样品名称';
    if (!s.quantity || s.quantity <= 0) m[`samples.${k}.quantity`] = '请填写样品数量';
    if (!s.unit?.trim()) m[`samples.${k}.unit`] = '请填写数量单位';
    if (!s.form?.trim()) m[`samples.${k}.form`] = '请填写样品形态';
    if (!s.disposal) m[`samples.${k}.disposal`] = '请选择样品处置方式';
  });
  if (!b.purpose?.trim()) m.purpose = '请填写检测用途';
  if (!b.expectedFrom) m.expectedFrom = '请选择期望开始日期';
  else if (b.expectedFrom < today) m.expectedFrom = '期望开始日期不能早于今天';
  if (!b.expectedTo) m.expectedTo = '请选择期望完成日期';
  else if (b.expectedFrom && b.expectedTo < b.expectedFrom) m.expectedTo = '期望完成日期不能早于开始日期';
  if (!b.projectName?.trim()) m.projectName = '请填写项目名称';
  if (!b.projectSource?.trim()) m.projectSource = '请填写项目来源';
  if (!b.contactName?.trim()) m.contactName = '请填写联系人';
  if (!b.contactPhone?.trim()) m.contactPhone = '请填写联系电话';
  return m;
}

/** The default 责任说明; the text in force is a site setting (`booking.liability`). */
export const DEFAULT_LIABILITY_TEXT = [
  '一、委托方应如实提供样品信息，包括样品名称、数量、形态及危险特性；因信息不实造成的仪器损坏、人员伤害或检测结果偏差，由委托方承担责任。',
  '二、受托方应按照仪器操作规程和相关标准开展检测，对检测数据的真实性、准确性负责，并对委托方的样品、数据和技术资料保密。',
  '三、双方应按照平台公布的收费标准结算费用；受托方应开具正规发票。',
  '四、使用创新券的，委托方承诺该项服务未享受其他财政资金补助，并按要求提供兑付所需材料。',
  '五、因不可抗力导致检测无法按期完成的，双方协商解决；协商不成的，可申请主管部门协调。',
].join('\n');
