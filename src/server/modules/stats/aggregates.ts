/**
 * The aggregates of the sharing evaluation, kept from two change feeds: `bookings.updated_at` (every booking write
 * goes through the one transition helper, which raises it: submission, completion, rating) and
 * `instrument_usage_daily.updated_at` (the terminal ingest raises it whenever a day's measured seconds change, late
 * and corrected data included). Each pass reads the rows changed since the watermark up to a settle horizon (a
 * writer stamps its row before it commits), and recomputes the touched (instrument, month) rows from the sources — never by adding
 * deltas — so a correction or a replay always ends in the right sums. Then the year rows, the organisations' rows
 * and the served-organisation pairs of the touched months and years are recomputed from those.
 */
import {
  effectiveSeconds,
  externalSeconds,
  hoursToSeconds,
  itemIncomeFen,
  monthRange,
  quotaSeconds,
  runSeconds,
  shanghaiMonth,
} from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { rest } from '../../db/give-way';
import { isSpecialCategory, quotaOf, statsSettings, type StatsSettingsT } from './settings';

const EPOCH = '1970-01-01T00:00:00.000Z';
/**
 * A pass reads the rows stamped up to `now − settle` and leaves newer ones to the next pass: a writer stamps its row
 * when its transaction starts and commits a little later, so a row stamped before the horizon has committed by the
 * time the pass reads it, and the watermark moves to the horizon without reading anything twice.
 */
export const SETTLE_MS = 2000;
const PAGE = 5000;
import {
  CHUNK,
  recountServed,
  rollUpInstrumentYears,
  rollUpOrgs,
  rollUpYear,
  upsertInstrumentRows,
  zero,
  type Sums,
} from './rollups';
import { bumpStatsVersion, readMark, writeMark } from './marks';
import { reach, refreshSlices, type Reach, type Touched } from './slices';

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

const watermark = async (db: Db, source: string) => (await readMark(db, source)) ?? EPOCH;

type FeedRow = { at: string; touch: (dirty: Dirty) => void };
/**
 * Reads a feed after `since` page by page and marks what its rows touch; returns the newest time read. A page ends
 * before its last instant (read again next page), unless the whole page is one instant: then that instant is read
 * whole (`exact`).
 */
async function readFeed(
  since: string,
  page: (after: string, exact?: string) => Promise<FeedRow[]>,
  dirty: Dirty,
): Promise<string> {
  let cursor = since;
  for (;;) {
    const rows = await page(cursor);
    if (!rows.length) return cursor;
    let take = rows;
    if (rows.length >= PAGE) {
      const last = rows[rows.length - 1].at;
      take = rows.filter((r) => r.at !== last);
      if (!take.length) take = await page(cursor, last);
    }
    for (const r of take) r.touch(dirty);
    cursor = take[take.length - 1].at;
    if (rows.length < PAGE) return cursor;
  }
}

/** month → instrument → whether a booking touched it (else only measured usage: its served pairs stay) */
type Dirty = Map<string, Map<string, boolean>>;
const touch = (d: Dirty, month: string | null, instrumentId: string, booking: boolean) => {
  if (!month) return;
  const s = d.get(month) ?? new Map<string, boolean>();
  s.set(instrumentId, booking || (s.get(instrumentId) ?? false));
  d.set(month, s);
};

/** One pass over both feeds; returns how many (instrument, month) rows were recomputed. */
export async function refreshStats(
  db: Db,
  now: Date,
  opts: { settleMs?: number } = {},
): Promise<{ recomputed: number }> {
  const horizon = new Date(now.getTime() - (opts.settleMs ?? SETTLE_MS)).toISOString();
  const settings = await statsSettings(db);
  const dirty: Dirty = new Map();
  const nowIso = now.toISOString();

  const bookingsSince = await watermark(db, 'bookings');
  const bookingsMax = await readFeed(
    bookingsSince,
    async (after, exact) => {
      let q = db
        .selectFrom('bookings')
        .innerJoin('bookingItems', 'bookingItems.bookingId', 'bookings.id')
        .select(['bookings.updatedAt', 'bookings.submittedAt', 'bookings.completedAt', 'bookingItems.instrumentId'])
        .orderBy('bookings.updatedAt');
      q = exact
        ? q.where('bookings.updatedAt', '=', exact)
        : q.where('bookings.updatedAt', '>', after).where('bookings.updatedAt', '<=', horizon).limit(PAGE);
      const rows = await q.execute();
      return rows.map((r) => ({
        at: iso(r.updatedAt),
        touch: (d: Dirty) => {
          touch(d, r.submittedAt ? shanghaiMonth(iso(r.submittedAt)) : null, r.instrumentId, true);
          touch(d, r.completedAt ? shanghaiMonth(iso(r.completedAt)) : null, r.instrumentId, true);
        },
      }));
    },
    dirty,
  );
  const usageSince = await watermark(db, 'usage');
  const usageMax = await readFeed(
    usageSince,
    async (after, exact) => {
      let q = db.selectFrom('instrumentUsageDaily').select(['instrumentId', 'day', 'updatedAt']).orderBy('updatedAt');
      q = exact
        ? q.where('updatedAt', '=', exact)
        : q.where('updatedAt', '>', after).where('updatedAt', '<=', horizon).limit(PAGE);
      const rows = await q.execute();
      return rows.map((r) => ({
        at: iso(r.updatedAt),
        touch: (d: Dirty) => touch(d, r.day.slice(0, 7), r.instrumentId, false),
      }));
    },
    dirty,
  );

  let recomputed = 0;
  const touched: Touched = new Map();
  const ids = new Set<string>();
  for (const [month, dirtyIds] of dirty) {
    const all = await byOrganisation(db, [...dirtyIds.keys()]);
    for (let k = 0; k < all.length; k += FEED_CHUNK) {
      const chunk = all.slice(k, k + FEED_CHUNK);
      const served = chunk.some((id) => dirtyIds.get(id));
      const reached = await recomputeInstruments(db, settings, month, chunk, nowIso, { served });
      for (const period of [month, month.slice(0, 4)]) {
        const cities = touched.get(period) ?? new Map<string, Reach>();
        for (const [city, r] of reached) {
          const into = cities.get(city) ?? { orgs: new Set<string>(), classes: new Set<string>() };
          for (const o of r.orgs) into.orgs.add(o);
          for (const c of r.classes) into.classes.add(c);
          cities.set(city, into);
        }
        touched.set(period, cities);
      }
      for (const id of chunk) ids.add(id);
      recomputed += chunk.length;
      await rest(db);
    }
  }
  const sliced = await refreshSlices(db, settings, { now, horizon, today: shanghaiMonth(nowIso), touched, ids });
  if (recomputed || sliced) await bumpStatsVersion(db, now);
  // everything up to the horizon has been read
  const bookingsTo = horizon > bookingsMax ? horizon : bookingsMax;
  const usageTo = horizon > usageMax ? horizon : usageMax;
  if (bookingsTo > bookingsSince) await writeMark(db, 'bookings', bookingsTo, nowIso);
  if (usageTo > usageSince) await writeMark(db, 'usage', usageTo, nowIso);
  return { recomputed };
}

/**
 * Instruments per transaction of a feed pass. A transaction holds the database (on SQLite the one connection, and
 * the server's thread while it runs) and rolls up the organisations of its instruments, so a small one, of
 * instruments sorted by organisation, keeps every request's wait short: with 10,000 terminals reporting, a pass
 * recomputes 10,000 instruments: transactions of 100 took up to 60 ms (p90 34), of 25 up to 41 ms (p90 18).
 */
const FEED_CHUNK = 25;
/** The ids sorted by organisation, so that a chunk holds few organisations (each rolled up once per chunk). */
async function byOrganisation(db: Db, ids: string[]): Promise<string[]> {
  const rows: { id: string; orgId: string }[] = [];
  for (let k = 0; k < ids.length; k += CHUNK)
    rows.push(
      ...(await db
        .selectFrom('instruments')
        .select(['id', 'orgId'])
        .where('id', 'in', ids.slice(k, k + CHUNK))
        .execute()),
    );
  const known = new Set(rows.map((r) => r.id));
  rows.sort((a, b) => (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : a.id < b.id ? -1 : 1));
  return [...rows.map((r) => r.id), ...ids.filter((id) => !known.has(id))];
}

/**
 * Recomputes the month rows of some instruments from the sources, then their year rows and their organisations, and
 * (unless `served` is false: only measured usage changed) the organisations' served pairs; returns what it reached
 * in each city, before and after (its slices are recomputed after).
 */
export async function recomputeInstruments(
  db: Db,
  settings: StatsSettingsT,
  month: string,
  ids: string[] | null,
  nowIso: string,
  o: { served?: boolean; years?: boolean } = {},
): Promise<Map<string, Reach>> {
  const { from, to } = monthRange(month);
  // ids null: every instrument (the full rebuild); rows are kept only for instruments with activity in the month
  const only = <Q extends { where: (...a: any[]) => Q }>(q: Q, col: string): Q => (ids ? q.where(col, 'in', ids) : q);
  const last = `${month}-31`;
  const [meta, usage, items, booked] = await Promise.all([
    db
      .selectFrom('instruments')
      .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
      .select([
        'instruments.id',
        'instruments.orgId',
        'instruments.categoryCode',
        'organizations.cityCode',
        'organizations.type',
      ])
      .$call((q) => only(q as any, 'instruments.id') as typeof q)
      .execute(),
    db
      .selectFrom('instrumentUsageDaily')
      .select((eb) => [
        'instrumentId',
        eb.fn.sum<number>('inUseSeconds').as('inUse'),
        eb.fn.sum<number>('serviceSeconds').as('service'),
        eb.fn.sum<number>('externalServiceSeconds').as('external'),
      ])
      .$call((q) => only(q as any, 'instrumentId') as typeof q)
      .where('day', '>=', `${month}-01`)
      .where('day', '<=', last)
      .groupBy('instrumentId')
      .execute(),
    db
      .selectFrom('bookingItems')
      .innerJoin('bookings', 'bookings.id', 'bookingItems.bookingId')
      .leftJoin('bookingRatings', 'bookingRatings.bookingId', 'bookings.id')
      .select([
        'bookingItems.instrumentId',
        'bookingItems.machineHours',
        'bookingItems.subtotalFen',
        'bookingItems.sort',
        'bookings.otherFeeFen',
        'bookings.consumerOrgId',
        'bookings.providerOrgId',
        'bookingRatings.stars',
      ])
      .$call((q) => only(q as any, 'bookingItems.instrumentId') as typeof q)
      .where('bookings.state', '=', 'completed')
      .where('bookings.completedAt', '>=', from)
      .where('bookings.completedAt', '<', to)
      .execute(),
    db
      .selectFrom('bookingItems')
      .innerJoin('bookings', 'bookings.id', 'bookingItems.bookingId')
      .select((eb) => ['bookingItems.instrumentId', eb.fn.countAll<number>().as('n')])
      .$call((q) => only(q as any, 'bookingItems.instrumentId') as typeof q)
      .where('bookings.submittedAt', '>=', from)
      .where('bookings.submittedAt', '<', to)
      .groupBy('bookingItems.instrumentId')
      .execute(),
  ]);
  const measured = new Map(usage.map((u) => [u.instrumentId, u]));
  const bookedBy = new Map(booked.map((b) => [b.instrumentId, Number(b.n)]));
  const reg = new Map<string, Sums & { regExternal: number }>();
  for (const it of items) {
    const s = reg.get(it.instrumentId) ?? { ...zero(), regExternal: 0 };
    const seconds = hoursToSeconds(Number(it.machineHours ?? 0));
    const income = itemIncomeFen(Number(it.subtotalFen), Number(it.sort), Number(it.otherFeeFen));
    const external = it.consumerOrgId !== it.providerOrgId;
    s.registeredS += seconds;
    s.services += 1;
    s.incomeFen += income;
    if (external) {
      s.regExternal += seconds;
      s.externalServices += 1;
      s.externalIncomeFen += income;
    }
    if (it.stars != null) {
      s.ratingSum += Number(it.stars);
      s.ratingCount += 1;
    }
    reg.set(it.instrumentId, s);
  }
  const active = ids ? null : new Set([...measured.keys(), ...reg.keys(), ...bookedBy.keys()]);
  const rows = meta
    .filter((m) => !active || active.has(m.id))
    .map((m) => {
      const r = reg.get(m.id) ?? { ...zero(), regExternal: 0 };
      const u = measured.get(m.id);
      const facts = {
        measured: u
          ? {
              inUseSeconds: Number(u.inUse),
              serviceSeconds: Number(u.service),
              externalServiceSeconds: Number(u.external),
            }
          : null,
        registered: { seconds: r.registeredS, externalSeconds: r.regExternal },
      };
      const special = isSpecialCategory(settings, m.categoryCode);
      const { regExternal: _x, ...sums } = r;
      return {
        instrumentId: m.id,
        period: month,
        orgId: m.orgId,
        cityCode: m.cityCode,
        orgType: m.type,
        categoryCode: m.categoryCode,
        special: special ? 1 : 0,
        ...sums,
        measured: u ? 1 : 0,
        runS: runSeconds(facts),
        effectiveS: effectiveSeconds(facts),
        externalS: externalSeconds(facts),
        quotaS: quotaSeconds(special, 1, quotaOf(settings)),
        bookings: bookedBy.get(m.id) ?? 0,
        updatedAt: nowIso,
      };
    });
  // what the rows were before: an instrument that moved to another organisation, city or category leaves its old
  // slices to recompute as well
  const before = ids
    ? await db
        .selectFrom('statsInstrumentPeriod')
        .select(['cityCode', 'orgId', 'categoryCode'])
        .where('instrumentId', 'in', ids)
        .where('period', 'in', [month, month.slice(0, 4)])
        .execute()
    : [];
  const reached = new Map<string, Reach>();
  for (const r of [...before, ...rows]) reach(reached, r.cityCode, r.orgId, r.categoryCode);
  if (!rows.length) return reached;
  const orgs = [...new Set(rows.map((r) => r.orgId))];
  await db.transaction().execute(async (trx) => {
    await upsertInstrumentRows(trx, rows);
    const touched = ids ?? rows.map((r) => r.instrumentId);
    if (o.years !== false)
      for (let k = 0; k < touched.length; k += CHUNK)
        await rollUpInstrumentYears(trx, settings, month.slice(0, 4), touched.slice(k, k + CHUNK), nowIso);
    for (const period of o.years === false ? [month] : [month, month.slice(0, 4)])
      for (let k = 0; k < orgs.length; k += CHUNK)
        await rollUpOrgs(trx, settings, period, orgs.slice(k, k + CHUNK), nowIso);
    if (o.served !== false)
      for (let k = 0; k < orgs.length; k += CHUNK) await recountServed(trx, month, orgs.slice(k, k + CHUNK));
  });
  return reached;
}

/**
 * Recomputes everything from the sources (a new installation's history, or a benchmark's generated data), month by
 * month, with the same definitions as the feed passes; then both feeds' watermarks move to their newest rows.
 */
export async function rebuildStats(db: Db, now: Date, months: string[]) {
  const settings = await statsSettings(db);
  const nowIso = now.toISOString();
  const [b, u] = await Promise.all([
    db
      .selectFrom('bookings')
      .select((eb) => eb.fn.max('updatedAt').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('instrumentUsageDaily')
      .select((eb) => eb.fn.max('updatedAt').as('at'))
      .executeTakeFirst(),
  ]);
  // the months first, then each year once from its months (not once per month)
  for (const month of months) await recomputeInstruments(db, settings, month, null, nowIso, { years: false });
  for (const year of new Set(months.map((m) => m.slice(0, 4)))) await rollUpYear(db, settings, year, nowIso);
  const touched: Touched = new Map(
    [...months, ...new Set(months.map((m) => m.slice(0, 4)))].map((p) => [p, new Map<string, Reach>()]),
  );
  const horizon = now.toISOString();
  await refreshSlices(db, settings, { now, horizon, today: shanghaiMonth(nowIso), touched, ids: new Set(), all: true });
  await bumpStatsVersion(db, now);
  if (b?.at) await writeMark(db, 'bookings', iso(b.at), nowIso);
  if (u?.at) await writeMark(db, 'usage', iso(u.at), nowIso);
}

/** Seconds from the newest change of either feed to the last refresh (0 when the aggregates are current). */
export async function aggregateLagSeconds(db: Db): Promise<number> {
  const [b, u, feeds] = await Promise.all([
    db
      .selectFrom('bookings')
      .select((eb) => eb.fn.max('updatedAt').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('instrumentUsageDaily')
      .select((eb) => eb.fn.max('updatedAt').as('at'))
      .executeTakeFirst(),
    db.selectFrom('statsFeed').select(['source', 'watermark']).execute(),
  ]);
  const wm = new Map(feeds.map((f) => [f.source, f.watermark]));
  const lag = (at: unknown, source: string) =>
    at ? Math.max(0, (new Date(iso(at)).getTime() - new Date(wm.get(source) ?? EPOCH).getTime()) / 1000) : 0;
  return Math.max(lag(b?.at, 'bookings'), lag(u?.at, 'usage'));
}
