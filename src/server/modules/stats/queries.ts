/**
 * The dashboards' figures, read from the period aggregates only (aggregates.ts): a year's row per organisation or
 * instrument, and month rows for the trend. The scope decides what a caller may see: an organisation its own, a
 * city bureau the organisations of its city, the province all.
 */
import type { Kysely } from 'kysely';
import { cityName } from '../../../domain/reference';
import {
  avgRatingCenti,
  EVALUATION_THRESHOLD_FEN,
  monthsOf,
  openRateBp,
  perInstrument,
  quotaUseBp,
  secondsToHours,
  shareRateBp,
} from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import type { Actor } from '../../http/actor';
import { forbidden } from '../../../domain/errors';
import { statsSettings } from './settings';

export type Scope = { kind: 'org'; orgId: string } | { kind: 'city'; cityCode: string } | { kind: 'province' };
export type Filters = {
  year: number;
  city?: string;
  orgType?: string;
  category?: string;
  /** the value from which an instrument counts for the listing rate (default ¥500,000) */
  thresholdFen?: number;
};

/** The scope of the caller: an organisation's admin its organisation; a city bureau its city; the province all. */
export function scopeOf(actor: Actor): Scope {
  if (actor.kind === 'department' && actor.department?.level === 'province') return { kind: 'province' };
  if (actor.kind === 'department' && actor.department?.cityCode)
    return { kind: 'city', cityCode: actor.department.cityCode };
  if (actor.kind === 'person' && actor.org) return { kind: 'org', orgId: actor.org.id };
  throw forbidden();
}

type Sums = {
  measured: number;
  runS: number;
  effectiveS: number;
  externalS: number;
  quotaS: number;
  services: number;
  externalServices: number;
  incomeFen: number;
  externalIncomeFen: number;
  ratingSum: number;
  ratingCount: number;
};
const SUMS = [
  'measured',
  'runS',
  'effectiveS',
  'externalS',
  'quotaS',
  'services',
  'externalServices',
  'incomeFen',
  'externalIncomeFen',
  'ratingSum',
  'ratingCount',
] as const;

/** Figures in display units from sums: hours with one decimal, rates in bp, fen. */
export function figures(s: Sums) {
  return {
    runHours: secondsToHours(s.runS),
    effectiveHours: secondsToHours(s.effectiveS),
    externalHours: secondsToHours(s.externalS),
    quotaHours: secondsToHours(s.quotaS),
    shareRateBp: shareRateBp(s.externalS, s.effectiveS),
    quotaUseBp: quotaUseBp(s.runS, s.quotaS),
    services: s.services,
    externalServices: s.externalServices,
    incomeFen: s.incomeFen,
    externalIncomeFen: s.externalIncomeFen,
    avgRatingCenti: avgRatingCenti(s.ratingSum, s.ratingCount),
    ratingCount: s.ratingCount,
  };
}
const toSums = (r: Record<string, unknown>): Sums =>
  Object.fromEntries(SUMS.map((k) => [k, Number(r[k] ?? 0)])) as Sums;

/**
 * Rows of a period table within the scope and filters. Without a category filter the organisations' rows answer;
 * with one, the instruments' rows (only they know a category).
 */
function rows(db: Db, scope: Scope, f: Filters) {
  const k = db as unknown as Kysely<any>;
  let q = f.category
    ? k.selectFrom('statsInstrumentPeriod as s').where('s.categoryCode', 'like', `${f.category}%`)
    : k.selectFrom('statsOrgPeriod as s');
  if (scope.kind === 'org') q = q.where('s.orgId', '=', scope.orgId);
  if (scope.kind === 'city') q = q.where('s.cityCode', '=', scope.cityCode);
  if (f.city) q = q.where('s.cityCode', '=', f.city);
  if (f.orgType) q = q.where('s.orgType', '=', f.orgType);
  return q;
}
const sumCols = (eb: any) => SUMS.map((c) => eb.fn.sum(`s.${c}`).as(c));

function orgFilter<Q extends { where: (...a: any[]) => Q }>(q: Q, scope: Scope, f: Filters, org = 'o'): Q {
  if (scope.kind === 'org') q = q.where(`${org}.id`, '=', scope.orgId);
  if (scope.kind === 'city') q = q.where(`${org}.cityCode`, '=', scope.cityCode);
  if (f.city) q = q.where(`${org}.cityCode`, '=', f.city);
  if (f.orgType) q = q.where(`${org}.type`, '=', f.orgType);
  return q;
}

export async function summary(db: Db, scope: Scope, f: Filters) {
  const k = db as unknown as Kysely<any>;
  const year = String(f.year);
  const [total, served, counts] = await Promise.all([
    rows(db, scope, f)
      .select((eb: any) => sumCols(eb))
      .where('s.period', '=', year)
      .executeTakeFirst(),
    orgFilter(
      k
        .selectFrom('statsServed as s')
        .innerJoin('organizations as o', 'o.id', 's.providerOrgId')
        .select((eb: any) => eb.fn.count('s.consumerOrgId').distinct().as('n'))
        .where('s.period', '=', year),
      scope,
      f,
    ).executeTakeFirst(),
    // one pass over the instruments in scope: listed, declared at or above the threshold, and both
    orgFilter(
      k
        .selectFrom('instruments as i')
        .innerJoin('organizations as o', 'o.id', 'i.orgId')
        .select((eb: any) => {
          const above = eb('i.valueFen', '>=', f.thresholdFen ?? EVALUATION_THRESHOLD_FEN);
          const listed = eb('i.state', '=', 'listed');
          const count = (cond: unknown) => eb.fn.sum(eb.case().when(cond).then(1).else(0).end());
          return [
            count(listed).as('listed'),
            count(above).as('declared'),
            count(eb.and([above, listed])).as('listedAbove'),
          ];
        })
        .$if(!!f.category, (q: any) => q.where('i.categoryCode', 'like', `${f.category}%`)),
      scope,
      f,
    ).executeTakeFirst(),
  ]);
  const s = toSums(total ?? {});
  const instruments = Number((counts as any)?.listed ?? 0);
  const declared = Number((counts as any)?.declared ?? 0);
  const listedAbove = Number((counts as any)?.listedAbove ?? 0);
  return {
    ...figures(s),
    instruments,
    measuredInstruments: s.measured,
    servedOrgs: Number((served as any)?.n ?? 0),
    declared,
    listedAbove,
    openRateBp: openRateBp(listedAbove, declared),
    avgEffectiveHours: secondsToHours(perInstrument(s.effectiveS, instruments)),
    avgExternalHours: secondsToHours(perInstrument(s.externalS, instruments)),
  };
}

export async function trend(db: Db, scope: Scope, f: Filters) {
  const k = db as unknown as Kysely<any>;
  const months = monthsOf(f.year);
  const [byMonth, vouchers] = await Promise.all([
    rows(db, scope, f)
      .select((eb: any) => ['s.period', ...sumCols(eb)])
      .where('s.period', 'in', months)
      .groupBy('s.period')
      .execute(),
    orgFilter(
      k
        .selectFrom('voucherClaims as v')
        .innerJoin('organizations as o', 'o.id', 'v.providerOrgId')
        .select(['v.createdAt', 'v.amountFen'])
        .where('v.year', '=', f.year)
        .where('v.isReleased', '=', false),
      scope,
      f,
    ).execute(),
  ]);
  const voucherBy = new Map<string, number>();
  for (const v of vouchers) {
    const m = new Date(new Date(v.createdAt).getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    voucherBy.set(m, (voucherBy.get(m) ?? 0) + Number(v.amountFen));
  }
  const got = new Map(byMonth.map((r: any) => [r.period as string, toSums(r)]));
  return months.map((month) => ({
    month,
    ...figures(got.get(month) ?? toSums({})),
    voucherFen: voucherBy.get(month) ?? 0,
  }));
}

export async function byCity(db: Db, scope: Scope, f: Filters) {
  const list = await rows(db, scope, f)
    .select((eb: any) => ['s.cityCode', ...sumCols(eb)])
    .where('s.period', '=', String(f.year))
    .groupBy('s.cityCode')
    .execute();
  return list
    .map((r: any) => ({ cityCode: r.cityCode as string, cityName: cityName(r.cityCode), ...figures(toSums(r)) }))
    .sort((a: any, b: any) => b.effectiveHours - a.effectiveHours);
}

export async function orgRanking(db: Db, scope: Scope, f: Filters, limit = 20) {
  const list = await rows(db, scope, f)
    .innerJoin('organizations as o', 'o.id', 's.orgId')
    .select((eb: any) => ['s.orgId', 'o.name', 'o.cityCode', ...sumCols(eb)])
    .where('s.period', '=', String(f.year))
    .groupBy(['s.orgId', 'o.name', 'o.cityCode'])
    .orderBy((eb: any) => eb.fn.sum('s.effectiveS'), 'desc')
    .orderBy('s.orgId')
    .limit(limit)
    .execute();
  return list.map((r: any) => ({
    orgId: r.orgId as string,
    name: r.name as string,
    cityName: cityName(r.cityCode),
    ...figures(toSums(r)),
  }));
}

export async function instrumentRanking(db: Db, scope: Scope, f: Filters, limit = 20) {
  const k = db as unknown as Kysely<any>;
  let q = k
    .selectFrom('statsInstrumentPeriod as s')
    .innerJoin('instruments as i', 'i.id', 's.instrumentId')
    .innerJoin('organizations as o', 'o.id', 's.orgId')
    .select(['s.instrumentId', 'i.name', 'o.name as orgName', ...SUMS.map((c) => `s.${c}`)])
    .where('s.period', '=', String(f.year));
  if (f.category) q = q.where('s.categoryCode', 'like', `${f.category}%`);
  q = orgFilter(q, scope, f);
  const list = await q.orderBy('s.effectiveS', 'desc').orderBy('s.instrumentId').limit(limit).execute();
  return list.map((r: any) => ({
    instrumentId: r.instrumentId as string,
    name: r.name as string,
    orgName: r.orgName as string,
    ...figures(toSums(r)),
  }));
}

/** Months of the idle window: the last `n` months up to the end of the year (or up to this month). */
export function idleWindow(year: number, n: number, today: string): string[] {
  const end = Math.min(year * 12 + 11, Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1);
  return Array.from({ length: n }, (_, k) => {
    const m = end - k;
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

/** Idle instruments: listed, running below the threshold share of their quota, and no booking in the window. */
export async function idle(db: Db, scope: Scope, f: Filters, today: string, limit = 20) {
  const k = db as unknown as Kysely<any>;
  const settings = await statsSettings(db);
  const window = idleWindow(f.year, settings.idleMonths, today);
  const base = () => {
    let q = k
      .selectFrom('instruments as i')
      .innerJoin('organizations as o', 'o.id', 'i.orgId')
      .leftJoin('statsInstrumentPeriod as y', (j: any) =>
        j.onRef('y.instrumentId', '=', 'i.id').on('y.period', '=', String(f.year)),
      )
      .where('i.state', '=', 'listed')
      .where('i.isDisabled', '=', false)
      .where((eb: any) =>
        eb.or([
          eb('y.runS', 'is', null),
          eb(eb('y.runS', '*', 10_000), '<', eb('y.quotaS', '*', settings.idleThresholdBp)),
        ]),
      )
      .where((eb: any) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('statsInstrumentPeriod as m')
              .select('m.instrumentId')
              .whereRef('m.instrumentId', '=', 'i.id')
              .where('m.period', 'in', window)
              .where('m.bookings', '>', 0),
          ),
        ),
      );
    if (f.category) q = q.where('i.categoryCode', 'like', `${f.category}%`);
    return orgFilter(q, scope, f);
  };
  const [count, items] = await Promise.all([
    base()
      .select((eb: any) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
    base().select(['i.id', 'i.name', 'o.name as orgName', 'y.runS', 'y.quotaS']).orderBy('i.id').limit(limit).execute(),
  ]);
  return {
    count: Number((count as any)?.n ?? 0),
    months: settings.idleMonths,
    thresholdBp: settings.idleThresholdBp,
    items: items.map((r: any) => ({
      instrumentId: r.id as string,
      name: r.name as string,
      orgName: r.orgName as string,
      runHours: secondsToHours(Number(r.runS ?? 0)),
      quotaUseBp: quotaUseBp(Number(r.runS ?? 0), Number(r.quotaS ?? 0)),
    })),
  };
}

export async function dashboard(db: Db, scope: Scope, f: Filters, today: string) {
  const [sum, months, cities, orgs, instruments, idleList] = await Promise.all([
    summary(db, scope, f),
    trend(db, scope, f),
    byCity(db, scope, f),
    orgRanking(db, scope, f),
    instrumentRanking(db, scope, f),
    idle(db, scope, f, today),
  ]);
  return { scope: scope.kind, filters: f, summary: sum, trend: months, cities, orgs, instruments, idle: idleList };
}
