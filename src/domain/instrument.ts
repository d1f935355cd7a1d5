import type { FieldErrors } from './errors';

/** Instrument listing (仪器入网): states and the reference lists of the record. */
export type InstrumentState = 'draft' | 'pending' | 'listed' | 'rejected';
export const INSTRUMENT_STATE_LABEL: Record<InstrumentState, string> = {
  draft: '草稿',
  pending: '待审核',
  listed: '已入网',
  rejected: '未通过',
};
export const DISABLED_LABEL = '已停用';

/** The label a list shows: a listed instrument that is disabled shows as 已停用 everywhere. */
export const instrumentStateLabel = (s: InstrumentState, disabled: boolean) =>
  s === 'listed' && disabled ? DISABLED_LABEL : INSTRUMENT_STATE_LABEL[s];

export const SHARING_MODES = { internal: '内部共享', external: '外部共享' } as const;
export type SharingMode = keyof typeof SHARING_MODES;

export const RUN_STATUSES = ['正常', '待机', '偶有故障', '故障频繁', '待修', '待报废'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const SOURCES = ['购置', '研制', '赠送', '其他'] as const;

export const canEditInstrument = (s: InstrumentState) => s === 'draft' || s === 'rejected' || s === 'listed';
export const canSubmitInstrument = (s: InstrumentState) => s === 'draft' || s === 'rejected';
/** Only the first listing is reviewed; later edits of a listed instrument apply at once. */
export const editNeedsReview = (s: InstrumentState) => s !== 'listed';
/** A listed, enabled instrument can be booked and added to a booking. */
export const isBookable = (s: InstrumentState, disabled: boolean) => s === 'listed' && !disabled;

// ------------------------------------------------------------------ the listing machine

export type InstrumentAction = 'save' | 'submit' | 'approve' | 'reject' | 'disable' | 'enable' | 'delete' | 'attach';
export interface InstrumentPosition {
  state: InstrumentState;
  isDisabled: boolean;
}

/**
 * from × action → to. `save` and `attach` (pictures, attachments) keep the state: a draft stays a draft, a rejected
 * instrument stays rejected until it is submitted again, and a listed one changes at once without review.
 * Nothing changes while the instrument is under review. `delete` leads nowhere (null state means "gone").
 */
const MACHINE: Record<InstrumentState, Partial<Record<InstrumentAction, InstrumentState | 'gone'>>> = {
  draft: { save: 'draft', attach: 'draft', submit: 'pending', delete: 'gone' },
  pending: { approve: 'listed', reject: 'rejected' },
  rejected: { save: 'rejected', attach: 'rejected', submit: 'pending' },
  listed: { save: 'listed', attach: 'listed', disable: 'listed', enable: 'listed' },
};

/** The next position, or null when the action is not allowed in this position. */
export function nextInstrumentPosition(
  p: InstrumentPosition,
  action: InstrumentAction,
): InstrumentPosition | 'gone' | null {
  const to = MACHINE[p.state][action];
  if (!to) return null;
  if (to === 'gone') return 'gone';
  if (action === 'disable') return p.isDisabled ? null : { state: to, isDisabled: true };
  if (action === 'enable') return p.isDisabled ? { state: to, isDisabled: false } : null;
  return { state: to, isDisabled: p.isDisabled };
}

/** Why an action is refused, in the words the owner sees. */
export function refusalMessage(p: InstrumentPosition, action: InstrumentAction): string {
  if (p.state === 'pending') return '仪器正在审核中，暂不能操作，请等待主管部门审核';
  switch (action) {
    case 'submit':
      return p.state === 'listed' ? '仪器已入网，修改后直接生效，无需再次提交' : '当前状态不能提交';
    case 'disable':
      return p.state === 'listed' ? '仪器已停用' : '仅已入网的仪器可以停用';
    case 'enable':
      return p.state === 'listed' ? '仪器未停用' : '仅已入网的仪器可以启用';
    case 'delete':
      return '仅草稿状态的仪器可以删除';
    default:
      return '当前状态不能执行该操作';
  }
}

// ------------------------------------------------------------------ the record

/** Chinese labels of the record's fields (the form, error messages and the Excel template use the same words). */
export const INSTRUMENT_FIELD_LABELS = {
  internalNo: '单位内部编号',
  name: '仪器名称',
  nameEn: '英文名称',
  categoryCode: '仪器分类',
  serviceFields: '服务领域',
  model: '规格型号',
  manufacturer: '生产厂商',
  country: '产地国别',
  valueFen: '原值',
  purchaseDate: '购置日期',
  startUseDate: '启用日期',
  source: '仪器来源',
  specs: '主要技术指标',
  functions: '主要功能及特色',
  serviceContent: '服务内容',
  feeStandard: '收费标准',
  sharingMode: '共享模式',
  runStatus: '运行状态',
  cityCode: '所在地市',
  district: '所在区县',
  street: '详细地址',
  room: '房间号',
  contactName: '联系人',
  contactPhone: '联系电话',
  contactEmail: '联系邮箱',
  staff: '主要操作及维修人员',
} as const;
export type InstrumentFieldKey = keyof typeof INSTRUMENT_FIELD_LABELS;

/**
 * Required for 提交 (not for 保存). Pictures are recommended but deliberately not required: many instruments are
 * listed from an Excel import first and get their pictures later, and the catalogue shows a placeholder.
 */
export const REQUIRED_FOR_SUBMIT = [
  'name',
  'categoryCode',
  'model',
  'manufacturer',
  'valueFen',
  'purchaseDate',
  'specs',
  'functions',
  'serviceContent',
  'feeStandard',
  'cityCode',
  'contactName',
  'contactPhone',
] as const satisfies readonly InstrumentFieldKey[];

const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** The fields still missing before the instrument can be submitted; {} when complete. */
export function missingForSubmit(r: Partial<Record<InstrumentFieldKey, unknown>>): FieldErrors {
  const errors: FieldErrors = {};
  for (const k of REQUIRED_FOR_SUBMIT) {
    if (blank(r[k])) errors[k] = `请填写${INSTRUMENT_FIELD_LABELS[k]}`;
  }
  return errors;
}

/** A real calendar date in YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] && +m[1] >= 1950;
}

/** Rules between fields that need no database: real dates, not in the future, use not before purchase. `today` is YYYY-MM-DD (Asia/Shanghai). */
export function recordRuleErrors(
  f: { purchaseDate?: string | null; startUseDate?: string | null },
  today: string,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const k of ['purchaseDate', 'startUseDate'] as const) {
    const v = f[k];
    if (!v) continue;
    if (!isCalendarDate(v)) errors[k] = '日期无效';
    else if (v > today) errors[k] = `${INSTRUMENT_FIELD_LABELS[k]}不能晚于今天`;
  }
  if (
    !errors.purchaseDate &&
    !errors.startUseDate &&
    f.purchaseDate &&
    f.startUseDate &&
    f.startUseDate < f.purchaseDate
  ) {
    errors.startUseDate = '启用日期不能早于购置日期';
  }
  return errors;
}

/** Today in Asia/Shanghai as YYYY-MM-DD (UTC+8, no daylight saving). */
export const shanghaiDate = (now: Date) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

// ------------------------------------------------------------------ pictures and attachments

export const MAX_PICTURES = 9;
export const MAX_ATTACHMENTS = 10;
export const PICTURE_MAX_BYTES = 5 * 1024 * 1024;
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
