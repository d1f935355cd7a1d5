/** Dates and types of the usage pages (machine hours, annotations). */
export const ANNOTATION_REASONS = ['maintenance', 'calibration', 'training', 'other'] as const;
export type AnnotationReasonT = (typeof ANNOTATION_REASONS)[number];

export interface AnnotationT {
  id: string;
  startedAt: string;
  endedAt: string;
  reason: AnnotationReasonT;
  note: string | null;
  createdAt: string;
  createdByName: string;
}
export interface DailyRowT {
  day: string;
  poweredSeconds: number;
  inUseSeconds: number;
  serviceSeconds: number;
  externalServiceSeconds: number;
}
export interface InstrumentUsageT {
  intervals: { id: string; kind: 'powered' | 'in_use'; startedAt: string; endedAt: string }[];
  daily: DailyRowT[];
  annotations: AnnotationT[];
}

/** The calendar day `n` days before today in China time (the days of the daily totals), as YYYY-MM-DD. */
export const daysAgo = (n: number) => new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
/** The range of the filter forms (DateRangeFields.vue): the last `n` calendar days in China time, today included. */
export const lastDays = (n: number) => ({ from: daysAgo(n - 1), to: daysAgo(0) });
