/** Tables of the sharing evaluation (issue 15): aggregates per period, evaluation rounds and reports. */

/** Sums of one instrument or organisation in one period ('YYYY-MM' Shanghai month, or 'YYYY'); seconds and fen. */
export interface PeriodSums {
  period: string;
  /** 1 when a terminal measured the (instrument's) usage in the period; for an organisation, the measured instruments */
  measured: number;
  runS: number;
  effectiveS: number;
  externalS: number;
  registeredS: number;
  quotaS: number;
  services: number;
  externalServices: number;
  incomeFen: number;
  externalIncomeFen: number;
  ratingSum: number;
  ratingCount: number;
  /** bookings submitted in the period (any later state): “no booking in N months” */
  bookings: number;
  updatedAt: string;
}

export interface StatsInstrumentPeriodTable extends PeriodSums {
  instrumentId: string;
  orgId: string;
  cityCode: string;
  orgType: string;
  categoryCode: string;
  special: number;
}
export interface StatsOrgPeriodTable extends PeriodSums {
  orgId: string;
  cityCode: string;
  orgType: string;
  instruments: number;
}
export interface StatsServedTable {
  providerOrgId: string;
  consumerOrgId: string;
  period: string;
  cityCode: string;
  orgType: string;
  services: number;
}
export interface StatsFeedTable {
  source: string;
  watermark: string;
  refreshedAt: string;
}
export interface SharingRoundsTable {
  id: string;
  year: number;
  title: string;
  scopeCityCode: string | null;
  thresholdFen: number;
  dueDate: string | null;
  departmentId: string;
  createdBy: string;
  createdAt: string;
}
export type SharingReportState = 'draft' | 'pending' | 'returned' | 'graded' | 'rejected';
export interface SharingReportsTable {
  id: string;
  roundId: string;
  orgId: string;
  cityCode: string;
  state: SharingReportState;
  figuresJson: unknown;
  team: string | null;
  management: string | null;
  outcomes: string | null;
  proposedGrade: string | null;
  grade: string | null;
  gradeComment: string | null;
  figuresAt: string;
  submittedAt: string | null;
  gradedAt: string | null;
  updatedAt: string;
}

/** Roll-ups for the dashboards: cat '' = all categories, else a class (2 digits) or subclass (4 digits). */
export type SliceSums = Omit<PeriodSums, 'period' | 'updatedAt'>;
export interface StatsSlicePeriodTable extends SliceSums {
  period: string;
  cat: string;
  cityCode: string;
  orgType: string;
}
export interface StatsSliceInstrumentsTable {
  cat: string;
  cityCode: string;
  orgType: string;
  listed: number;
  declared: number;
  listedAbove: number;
}
export interface StatsOrgCatTable extends Omit<SliceSums, 'registeredS' | 'bookings'> {
  period: string;
  cat: string;
  orgId: string;
  cityCode: string;
  orgType: string;
}
export interface StatsIdleTable {
  year: string;
  instrumentId: string;
  orgId: string;
  cityCode: string;
  orgType: string;
  categoryCode: string;
  runS: number;
  quotaS: number;
}
export interface StatsTables {
  statsInstrumentPeriod: StatsInstrumentPeriodTable;
  statsOrgPeriod: StatsOrgPeriodTable;
  statsServed: StatsServedTable;
  statsFeed: StatsFeedTable;
  statsSlicePeriod: StatsSlicePeriodTable;
  statsSliceInstruments: StatsSliceInstrumentsTable;
  statsOrgCat: StatsOrgCatTable;
  statsIdle: StatsIdleTable;
  sharingRounds: SharingRoundsTable;
  sharingReports: SharingReportsTable;
}
