/**
 * Measured machine-hours: the daily totals (instrument_usage_daily, recomputed from the intervals for each day a
 * batch touched), the booking test periods they are matched with, and what a booking's parties see of the
 * difference between registered and measured hours.
 *
 * A booking's test period on its instruments runs from 受理 (accepted_at) to 提交检测结果 (results_at), or is still
 * open while the booking is 待测试: the time in which the provider performs the tests the booking asks for.
 */
import {
  dailyTotals,
  dayStart,
  daysBetween,
  measuredSeconds,
  shanghaiDay,
  type BookingPeriod,
} from '../../../domain/terminal-usage';
import type { Db } from '../../db/connect';
import { readTogether, writeAtCommit } from '../../db/pg-trips';
import { insertStatements, upsertTail } from './rows';

export interface Touched {
  add(from: number, to: number): void;
}

/** The Shanghai days whose totals a batch changed, per instrument. */
export class TouchedDays {
  readonly spans = new Map<string, { from: number; to: number }>();
  of(instrumentId: string): Touched {
    return {
      add: (from: number, to: number) => {
        const s = this.spans.get(instrumentId);
        this.spans.set(instrumentId, s ? { from: Math.min(s.from, from), to: Math.max(s.to, to) } : { from, to });
      },
    };
  }
}

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const TESTED = ['accepted', 'awaiting_settlement', 'completed'] as const;

/** Test periods of accepted bookings on the given instruments that overlap [from, to). */
const periodsQuery = (db: Db, instrumentIds: string[], from: number, to: number) =>
  db
    .selectFrom('bookingItems as bi')
    .innerJoin('bookings as b', 'b.id', 'bi.bookingId')
    .select(['bi.instrumentId', 'b.id', 'b.acceptedAt', 'b.resultsAt', 'b.consumerOrgId', 'b.providerOrgId'])
    .where('bi.instrumentId', 'in', instrumentIds)
    .where('b.state', 'in', [...TESTED])
    .where('b.acceptedAt', 'is not', null)
    .where('b.acceptedAt', '<', iso(to))
    .where((eb) => eb.or([eb('b.resultsAt', 'is', null), eb('b.resultsAt', '>', iso(from))]));

function periodsOf(rows: Awaited<ReturnType<ReturnType<typeof periodsQuery>['execute']>>, to: number, now: number) {
  const out = new Map<string, BookingPeriod[]>();
  for (const r of rows) {
    const p: BookingPeriod = {
      bookingId: r.id,
      from: Date.parse(r.acceptedAt!),
      to: r.resultsAt ? Date.parse(r.resultsAt) : Math.max(now, to),
      external: r.consumerOrgId !== r.providerOrgId,
    };
    out.set(r.instrumentId, [...(out.get(r.instrumentId) ?? []), p]);
  }
  return out;
}

/** Recomputes instrument_usage_daily for the touched days from the intervals (and the bookings) of those days. */
export async function recomputeDaily(trx: Db, touched: TouchedDays, nowIso: string, dialect: 'sqlite' | 'postgres') {
  if (!touched.spans.size) return;
  const ids = [...touched.spans.keys()];
  const spans = [...touched.spans.values()];
  const from = dayStart(shanghaiDay(Math.min(...spans.map((s) => s.from))));
  const to = Math.max(...spans.map((s) => s.to)) + DAY;
  const rows = [];
  for (let i = 0; i < ids.length; i += 400) {
    const part = ids.slice(i, i + 400);
    // the day's intervals and the bookings over it: one trip on PostgreSQL
    const [intervals, bookings] = await readTogether(trx, [
      trx
        .selectFrom('usageIntervals')
        .select(['instrumentId', 'kind', 'startedAt', 'endedAt'])
        .where('instrumentId', 'in', part)
        .where('endedAt', '>=', iso(from))
        .where('startedAt', '<', iso(to)),
      periodsQuery(trx, part, from, to),
    ] as const);
    const byInstrument = new Map<string, { kind: 'powered' | 'in_use'; startedAt: number; endedAt: number }[]>();
    for (const r of intervals)
      byInstrument.set(r.instrumentId, [
        ...(byInstrument.get(r.instrumentId) ?? []),
        { kind: r.kind, startedAt: Date.parse(r.startedAt), endedAt: Date.parse(r.endedAt) },
      ]);
    const periods = periodsOf(bookings, to, Date.parse(nowIso));
    for (const id of part) {
      const span = touched.spans.get(id)!;
      for (const day of daysBetween(span.from, span.to)) {
        const t = dailyTotals(day, byInstrument.get(id) ?? [], periods.get(id) ?? []);
        rows.push({ instrumentId: id, day, ...t, updatedAt: nowIso });
      }
    }
  }
  // nothing reads them back in the transaction: they go with its commit (one trip on PostgreSQL)
  for (const statement of insertStatements(
    trx,
    {
      table: 'instrument_usage_daily',
      columns: DAILY_COLUMNS,
      tail: upsertTail(DAILY_KEY, DAILY_COLUMNS.slice(2)),
      dialect,
    },
    rows.map((r) => [
      r.instrumentId,
      r.day,
      r.poweredSeconds,
      r.inUseSeconds,
      r.serviceSeconds,
      r.externalServiceSeconds,
      r.updatedAt,
    ]),
    300,
  ))
    await writeAtCommit(trx, statement);
}

const DAILY_KEY = ['instrument_id', 'day'] as const;
const DAILY_COLUMNS = [
  'instrument_id',
  'day',
  'powered_seconds',
  'in_use_seconds',
  'service_seconds',
  'external_service_seconds',
  'updated_at',
] as const;

/** Registered against measured hours of one booking, per instrument that has a terminal. */
export async function bookingUsage(db: Db, bookingId: string, now: number) {
  const b = await db
    .selectFrom('bookings')
    .select(['id', 'acceptedAt', 'resultsAt', 'state'])
    .where('id', '=', bookingId)
    .executeTakeFirst();
  if (!b?.acceptedAt || !(TESTED as readonly string[]).includes(b.state)) return { period: null, items: [] };
  const period = { from: Date.parse(b.acceptedAt), to: b.resultsAt ? Date.parse(b.resultsAt) : now };
  const items = await db
    .selectFrom('bookingItems as bi')
    .innerJoin('terminals as t', 't.instrumentId', 'bi.instrumentId')
    .select(['bi.instrumentId', 'bi.machineHours'])
    .where('bi.bookingId', '=', bookingId)
    .execute();
  const ids = items.map((i) => i.instrumentId);
  const intervals = ids.length
    ? await db
        .selectFrom('usageIntervals')
        .select(['instrumentId', 'kind', 'startedAt', 'endedAt'])
        .where('instrumentId', 'in', ids)
        .where('endedAt', '>=', iso(period.from))
        .where('startedAt', '<', iso(period.to))
        .execute()
    : [];
  return {
    period,
    items: items.map((i) => ({
      instrumentId: i.instrumentId,
      registeredHours: i.machineHours == null ? null : Number(i.machineHours),
      measuredSeconds: measuredSeconds(
        intervals
          .filter((r) => r.instrumentId === i.instrumentId)
          .map((r) => ({ kind: r.kind, startedAt: Date.parse(r.startedAt), endedAt: Date.parse(r.endedAt) })),
        period,
      ),
    })),
  };
}
