/**
 * The sharing-evaluation indicators (开放共享评价考核), each defined once. Pure functions over the facts of one
 * instrument (or the sums of many) in one period; hours are kept as integer seconds, money as integer fen, rates as
 * integer basis points (1 bp = 0.01 %). Larger scopes sum the facts first and apply the same definitions, so a
 * rate of a city is the ratio of its sums, never a mean of ratios.
 */

/** What a terminal measured for one instrument in the period (null: no measured row, so no terminal). */
export interface MeasuredUsage {
  inUseSeconds: number;
  serviceSeconds: number;
  externalServiceSeconds: number;
}

/** What providers registered at 检测结果登记 in completed bookings (completed in the period). */
export interface RegisteredUsage {
  seconds: number;
  /** of `seconds`, in bookings whose consumer is another organisation */
  externalSeconds: number;
}

export interface UsageFacts {
  measured: MeasuredUsage | null;
  registered: RegisteredUsage;
}

export const HOUR = 3600;
export const hoursToSeconds = (hours: number) => Math.round(hours * HOUR);
/** Seconds as hours with one decimal, for display and exports. */
export const secondsToHours = (s: number) => Math.round((s / HOUR) * 10) / 10;
const ratioBp = (part: number, whole: number) => (whole > 0 ? Math.round((part * 10_000) / whole) : 0);

export type IndicatorDefinition = {
  key: string;
  zh: string;
  en: string;
  unit: 'h' | 'bp' | 'fen' | 'count' | 'stars';
  definitionZh: string;
  definitionEn: string;
};

/** The definitions as the pages show them next to the figures. */
export const INDICATORS: IndicatorDefinition[] = [
  {
    key: 'runHours',
    zh: '运行机时',
    en: 'Running hours',
    unit: 'h',
    definitionZh: '有监测终端的仪器按终端测得的“使用中”时长；无终端的按检测结果登记的机时（已完成预约，按完成日计入）',
    definitionEn:
      'Time in use as measured by the terminal; for instruments without a terminal, the machine hours registered in completed bookings (counted on the completion day)',
  },
  {
    key: 'effectiveHours',
    zh: '有效工作机时',
    en: 'Effective working hours',
    unit: 'h',
    definitionZh: '运行机时与检测结果登记机时（含开机准备、测量和必要的后处理）中的较大者',
    definitionEn:
      'The larger of running hours and the registered machine hours (start-up preparation, measurement and post-processing)',
  },
  {
    key: 'externalHours',
    zh: '对外服务机时（共享机时）',
    en: 'External service hours (shared hours)',
    unit: 'h',
    definitionZh: '为其他单位服务的机时：有终端按预约测试期内测得的使用时长，无终端按外单位预约登记的机时',
    definitionEn:
      'Hours serving other organisations: measured in-use time within their bookings where there is a terminal, else the hours registered in their bookings',
  },
  {
    key: 'shareRate',
    zh: '共享率',
    en: 'Share rate',
    unit: 'bp',
    definitionZh: '对外服务机时 ÷ 有效工作机时',
    definitionEn: 'External service hours ÷ effective working hours',
  },
  {
    key: 'quotaUse',
    zh: '定额机时使用率',
    en: 'Use of quota hours',
    unit: 'bp',
    definitionZh: '运行机时 ÷ 定额机时（通用仪器 1,400 小时/年、专用仪器 800 小时/年，可在设置中调整；按月份折算）',
    definitionEn:
      'Running hours ÷ quota hours (1,400 h a year for general, 800 h for special instruments, a setting; prorated by month)',
  },
  {
    key: 'services',
    zh: '服务次数',
    en: 'Services',
    unit: 'count',
    definitionZh: '期内完成的预约中每台仪器计一次',
    definitionEn: 'One per instrument of each booking completed in the period',
  },
  {
    key: 'servedOrgs',
    zh: '服务单位数',
    en: 'Organisations served',
    unit: 'count',
    definitionZh: '期内完成预约的不同委托单位数（不含本单位）',
    definitionEn: 'Distinct other consumer organisations of the bookings completed in the period',
  },
  {
    key: 'incomeFen',
    zh: '服务收入',
    en: 'Service income',
    unit: 'fen',
    definitionZh: '期内完成预约的费用合计（其他费用计入第一台仪器）',
    definitionEn: 'Fees of the bookings completed in the period (other fees go to the first instrument)',
  },
  {
    key: 'externalIncomeFen',
    zh: '对外服务收入',
    en: 'External service income',
    unit: 'fen',
    definitionZh: '服务收入中委托单位为其他单位的部分',
    definitionEn: 'The part of service income from other organisations',
  },
  {
    key: 'avgRating',
    zh: '平均评价',
    en: 'Average rating',
    unit: 'stars',
    definitionZh: '期内完成预约的评价星级平均值（每台仪器计一次）',
    definitionEn: 'Mean stars of the rated bookings completed in the period (one per instrument)',
  },
  {
    key: 'openRate',
    zh: '开放率',
    en: 'Listing rate',
    unit: 'bp',
    definitionZh: '已入网的 50 万元及以上仪器数 ÷ 单位申报的 50 万元及以上仪器总数',
    definitionEn:
      'Listed instruments of ¥500,000 or more ÷ all instruments of ¥500,000 or more the organisation declares',
  },
];

/** 运行机时 */
export const runSeconds = (f: UsageFacts) => (f.measured ? f.measured.inUseSeconds : f.registered.seconds);
/** 有效工作机时 */
export const effectiveSeconds = (f: UsageFacts) => Math.max(runSeconds(f), f.registered.seconds);
/** 对外服务机时 */
export const externalSeconds = (f: UsageFacts) =>
  f.measured ? f.measured.externalServiceSeconds : f.registered.externalSeconds;
/** 共享率 (bp) */
export const shareRateBp = (external: number, effective: number) => ratioBp(external, effective);

export interface QuotaSettings {
  generalHours: number;
  specialHours: number;
}
export const DEFAULT_QUOTA: QuotaSettings = { generalHours: 1400, specialHours: 800 };

/** 定额机时 of one instrument for `months` months of a year. */
export const quotaSeconds = (isSpecial: boolean, months: number, q: QuotaSettings = DEFAULT_QUOTA) =>
  Math.round(((isSpecial ? q.specialHours : q.generalHours) * HOUR * months) / 12);
/** 定额机时使用率 (bp) */
export const quotaUseBp = (run: number, quota: number) => ratioBp(run, quota);

/** 开放率 (bp): listed ÷ declared, both of instruments worth the threshold or more. */
export const openRateBp = (listed: number, declared: number) => ratioBp(listed, declared);
export const EVALUATION_THRESHOLD_FEN = 50_000_000;

/** Average stars in hundredths (4.67 → 467); 0 when nothing is rated. */
export const avgRatingCenti = (sum: number, count: number) => (count > 0 ? Math.round((sum * 100) / count) : 0);

/** Per instrument of a completed booking: its subtotal, and the booking's other fees on its first instrument. */
export const itemIncomeFen = (subtotalFen: number, sort: number, otherFeeFen: number) =>
  subtotalFen + (sort === 0 ? otherFeeFen : 0);

/** Idle (闲置): running hours below `thresholdBp` of the quota, and no booking in the last months. */
export const isIdle = (run: number, quota: number, thresholdBp: number, recentBookings: number) =>
  run * 10_000 < quota * thresholdBp && recentBookings === 0;

/** Average per instrument, in seconds (national figures: 有效工作机时 1,599 h, 对外服务机时 273 h in 2025). */
export const perInstrument = (total: number, instruments: number) =>
  instruments > 0 ? Math.round(total / instruments) : 0;

/** A grade of the yearly evaluation report. */
export const GRADES = ['excellent', 'good', 'pass', 'poor'] as const;
export type Grade = (typeof GRADES)[number];
export const GRADE_LABEL: Record<Grade, string> = { excellent: '优秀', good: '良好', pass: '合格', poor: '较差' };

/** Shanghai calendar month of an instant ('YYYY-MM'). */
export const shanghaiMonth = (iso: string) =>
  new Date(new Date(iso).getTime() + 8 * HOUR * 1000).toISOString().slice(0, 7);
/** The instants [from, to) of a Shanghai month 'YYYY-MM', as ISO strings. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const from = new Date(Date.UTC(y, m - 1, 1) - 8 * HOUR * 1000);
  const to = new Date(Date.UTC(y, m, 1) - 8 * HOUR * 1000);
  return { from: from.toISOString(), to: to.toISOString() };
}
export const monthsOf = (year: number) =>
  Array.from({ length: 12 }, (_, k) => `${year}-${String(k + 1).padStart(2, '0')}`);
