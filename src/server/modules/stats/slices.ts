/**
 * Roll-ups of the aggregates for the department dashboards, kept by the same feed passes (aggregates.ts):
 * - stats_slice_period: sums per (period, category level, city, organisation type) — a province or city dashboard
 *   reads a few hundred of these instead of every organisation's or instrument's rows;
 * - stats_org_cat: an organisation's year sums per category level (the ranking of organisations within a category);
 * - stats_slice_instruments: listed / declared (≥ ¥500,000) instruments per (category level, city, type), from the
 *   instruments' own feed (`instruments.updated_at`);
 * - stats_idle: a year's idle instruments, recomputed for the cities a pass touched, and for every city when the
 *   idle window (a new month) or the settings change.
 * Category level: '' (all), the class (2 digits) or the subclass (4 digits) of the 6-digit code.
 */
import { sql } from 'kysely';
import { EVALUATION_THRESHOLD_FEN } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { SUM_KEYS, UPSERT, zero, type Sums } from './rollups';
import type { StatsSettingsT } from './settings';

/** The category levels a slice is kept for; null: a filter the slices cannot answer (then the rows are scanned). */
export const sliceCat = (category?: string): string | null =>
  !category ? '' : category.length === 2 || category.length === 4 ? category : null;
const levels = (code: string) => [code.slice(0, 2), code.slice(0, 4)];

/** Months of the idle window: the last `n` months up to the end of the year (or up to this month). */
export function idleWindow(year: number, n: number, today: string): string[] {
  const end = Math.min(year * 12 + 11, Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1);
  return Array.from({ length: n }, (_, k) => {
    const m = end - k;
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}
/** What a year's idle list was computed with: the window and the threshold. */
export const idleKey = (s: StatsSettingsT, year: number, today: string) =>
  `${idleWindow(year, s.idleMonths, today).join(',')}|${s.idleThresholdBp}`;
const idleSource = (year: string | number) => `idle:${year}`;

/**
 * Makes the rows of `table` within `scope` (columns equal to values) equal to `rows`, and writes only what differs:
 * a pass that changed one instrument rewrites a row or two, not a city's thousands (each write holds the database,
 * on SQLite the one connection that every request waits for). `key` is the table's primary key: a row is written as
 * an upsert, so one that was kept under another scope (an instrument that moved to another city) is taken over,
 * and two passes at once (two instances) end in the same rows.
 */
async function syncRows(
  db: Db,
  table: string,
  scope: Record<string, string>,
  key: string[],
  rows: Record<string, unknown>[],
) {
  const within = (q: any) => Object.entries(scope).reduce((w, [c, v]) => w.where(c, '=', v), q);
  const id = (r: Record<string, unknown>) => key.map((c) => String(r[c])).join('\u0001');
  const differs = (o: Record<string, unknown>, r: Record<string, unknown>) =>
    Object.keys(r).some((c) => String(o[c] ?? '') !== String(r[c] ?? ''));
  await db.transaction().execute(async (trx) => {
    const old: Record<string, unknown>[] = await within((trx as any).selectFrom(table).selectAll()).execute();
    const before = new Map(old.map((r) => [id(r), r]));
    const changed = rows.filter((r) => {
      const o = before.get(id(r));
      before.delete(id(r));
      return !o || differs(o, r);
    });
    const gone = [...before.values()];
    if (2 * gone.length > old.length) await within((trx as any).deleteFrom(table)).execute();
    else
      for (const r of gone)
        await key.reduce((w: any, c) => w.where(c, '=', r[c]), (trx as any).deleteFrom(table)).execute();
    const values = rows.length ? Object.keys(rows[0]).filter((c) => !key.includes(c)) : [];
    for (let k = 0; k < changed.length; k += UPSERT)
      await (trx as any)
        .insertInto(table)
        .values(changed.slice(k, k + UPSERT))
        .onConflict((oc: any) =>
          oc.columns(key).doUpdateSet((eb: any) => Object.fromEntries(values.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        )
        .execute();
  });
}

const sumSelect = (eb: any, keys: readonly string[]) => keys.map((k) => eb.fn.sum(k).as(k));
const add = (into: Sums, r: Record<string, unknown>) => {
  for (const k of SUM_KEYS) into[k] += Number(r[k] ?? 0);
};
const c4 = sql<string>`substr(category_code, 1, 4)`;

/** Recomputes a (period, city)'s slices; for a year also its organisations' category rows. */
async function refreshSliceSums(db: Db, period: string, city: string) {
  const [orgs, inst] = await Promise.all([
    db
      .selectFrom('statsOrgPeriod')
      .select((eb) => ['orgType', ...sumSelect(eb, SUM_KEYS)])
      .where('period', '=', period)
      .where('cityCode', '=', city)
      .groupBy('orgType')
      .execute(),
    db
      .selectFrom('statsInstrumentPeriod')
      .select((eb) => ['orgId', 'orgType', c4.as('c4'), ...sumSelect(eb, SUM_KEYS)])
      .where('period', '=', period)
      .where('cityCode', '=', city)
      .groupBy(['orgId', 'orgType', c4])
      .execute(),
  ]);
  const slices = new Map<string, Sums & { cat: string; orgType: string }>();
  const orgCat = new Map<string, Sums & { cat: string; orgType: string; orgId: string }>();
  for (const o of orgs) {
    const s = { ...zero(), cat: '', orgType: o.orgType };
    add(s, o as Record<string, unknown>);
    slices.set(`|${o.orgType}`, s);
  }
  for (const r of inst as (Record<string, unknown> & { orgId: string; orgType: string; c4: string })[])
    for (const cat of levels(r.c4)) {
      const s = slices.get(`${cat}|${r.orgType}`) ?? { ...zero(), cat, orgType: r.orgType };
      add(s, r);
      slices.set(`${cat}|${r.orgType}`, s);
      if (period.length !== 4) continue;
      const o = orgCat.get(`${cat}|${r.orgId}`) ?? { ...zero(), cat, orgType: r.orgType, orgId: r.orgId };
      add(o, r);
      orgCat.set(`${cat}|${r.orgId}`, o);
    }
  await syncRows(
    db,
    'statsSlicePeriod',
    { period, cityCode: city },
    ['period', 'cat', 'cityCode', 'orgType'],
    [...slices.values()].map((s) => ({ ...s, period, cityCode: city })),
  );
  if (period.length !== 4) return;
  await syncRows(
    db,
    'statsOrgCat',
    { period, cityCode: city },
    ['period', 'cityCode', 'cat', 'orgId'],
    [...orgCat.values()].map(({ registeredS: _r, bookings: _b, ...o }) => ({ ...o, period, cityCode: city })),
  );
}

/** Listed and declared instruments of a city per (category level, type): the listing rate's two counts. */
async function refreshInstrumentCounts(db: Db, city: string) {
  const list = await db
    .selectFrom('instruments as i')
    .innerJoin('organizations as o', 'o.id', 'i.orgId')
    .select(['i.categoryCode', 'i.state', 'i.valueFen', 'o.type'])
    .where('o.cityCode', '=', city)
    .execute();
  const by = new Map<string, { cat: string; orgType: string; listed: number; declared: number; listedAbove: number }>();
  for (const i of list) {
    const listed = i.state === 'listed' ? 1 : 0;
    const above = Number(i.valueFen ?? 0) >= EVALUATION_THRESHOLD_FEN ? 1 : 0;
    for (const cat of ['', ...levels(i.categoryCode)]) {
      const k = `${cat}|${i.type}`;
      const c = by.get(k) ?? { cat, orgType: i.type, listed: 0, declared: 0, listedAbove: 0 };
      c.listed += listed;
      c.declared += above;
      c.listedAbove += listed & above;
      by.set(k, c);
    }
  }
  await syncRows(
    db,
    'statsSliceInstruments',
    { cityCode: city },
    ['cat', 'cityCode', 'orgType'],
    [...by.values()].map((c) => ({ ...c, cityCode: city })),
  );
}

/** A year's idle instruments of a city: listed, running below the threshold share of the quota, no booking in the window. */
async function refreshIdle(db: Db, settings: StatsSettingsT, year: string, city: string, window: string[]) {
  const list = await db
    .selectFrom('instruments as i')
    .innerJoin('organizations as o', 'o.id', 'i.orgId')
    .leftJoin('statsInstrumentPeriod as y', (j) => j.onRef('y.instrumentId', '=', 'i.id').on('y.period', '=', year))
    .select(['i.id', 'i.orgId', 'o.type', 'i.categoryCode', 'y.runS', 'y.quotaS'])
    .where('o.cityCode', '=', city)
    .where('i.state', '=', 'listed')
    .where('i.isDisabled', '=', false)
    .where((eb) =>
      eb.or([
        eb('y.runS', 'is', null),
        eb(eb('y.runS', '*', 10_000), '<', eb('y.quotaS', '*', settings.idleThresholdBp)),
      ]),
    )
    .where((eb) =>
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
    )
    .execute();
  await syncRows(
    db,
    'statsIdle',
    { year, cityCode: city },
    ['year', 'instrumentId'],
    list.map((r) => ({
      year,
      instrumentId: r.id,
      orgId: r.orgId,
      cityCode: city,
      orgType: r.type,
      categoryCode: r.categoryCode,
      runS: Number(r.runS ?? 0),
      quotaS: Number(r.quotaS ?? 0),
    })),
  );
}

async function feedMark(db: Db, source: string) {
  return (await db.selectFrom('statsFeed').select('watermark').where('source', '=', source).executeTakeFirst())
    ?.watermark;
}
async function setMark(db: Db, source: string, watermark: string, nowIso: string) {
  await db
    .insertInto('statsFeed')
    .values({ source, watermark, refreshedAt: nowIso })
    .onConflict((oc) => oc.column('source').doUpdateSet({ watermark, refreshedAt: nowIso }))
    .execute();
}
/** Whether a year's idle list is current (computed with this window and threshold). */
export async function idleCurrent(db: Db, settings: StatsSettingsT, year: number, today: string) {
  return (await feedMark(db, idleSource(year))) === idleKey(settings, year, today);
}

/**
 * The version of the aggregates: moved by every pass that changed something, a rebuild and a change of the settings.
 * A dashboard's answer is kept while the version stays (queries.ts).
 */
export async function statsVersion(db: Db) {
  return (await feedMark(db, 'version')) ?? '';
}
export const bumpStatsVersion = (db: Db, now: Date) => setMark(db, 'version', now.toISOString(), now.toISOString());

/**
 * Brings the roll-ups up to date: the slices of the (period → cities) a pass recomputed, the instrument counts of the
 * cities whose instruments changed up to `horizon`, and the idle lists. `all`: every city (a rebuild). Returns how
 * many (period or year, city) roll-ups it recomputed.
 */
export async function refreshSlices(
  db: Db,
  settings: StatsSettingsT,
  o: { now: Date; horizon: string; today: string; touched: Map<string, Set<string>>; all?: boolean },
) {
  const nowIso = o.now.toISOString();
  let done = 0;
  const cities = (await db.selectFrom('organizations').select('cityCode').distinct().execute()).map((c) => c.cityCode);
  const touched = o.touched;
  if (o.all) for (const p of touched.keys()) touched.set(p, new Set(cities));
  for (const [period, cs] of touched)
    for (const city of cs) {
      await refreshSliceSums(db, period, city);
      done += 1;
    }

  // the instruments' feed: listing, state and value changes
  const since = (await feedMark(db, 'instruments')) ?? '1970-01-01T00:00:00.000Z';
  const changed = o.all
    ? cities
    : (
        await db
          .selectFrom('instruments as i')
          .innerJoin('organizations as org', 'org.id', 'i.orgId')
          .select('org.cityCode')
          .distinct()
          .where('i.updatedAt', '>', since)
          .where('i.updatedAt', '<=', o.horizon)
          .execute()
      ).map((c) => c.cityCode);
  for (const city of changed) await refreshInstrumentCounts(db, city);
  done += changed.length;
  if (o.horizon > since) await setMark(db, 'instruments', o.horizon, nowIso);

  // idle lists: this year's and every year already kept, and the years the pass touched
  const kept = await db.selectFrom('statsFeed').select('source').where('source', 'like', 'idle:%').execute();
  const years = new Set([
    o.today.slice(0, 4),
    ...kept.map((k) => k.source.slice(5)),
    ...[...touched.keys()].map((p) => p.slice(0, 4)),
  ]);
  for (const year of years) {
    const key = idleKey(settings, Number(year), o.today);
    const fresh = (await feedMark(db, idleSource(year))) === key;
    const todo = new Set(fresh ? changed : cities);
    if (fresh) for (const [p, cs] of touched) if (p.startsWith(year)) for (const c of cs) todo.add(c);
    const window = idleWindow(Number(year), settings.idleMonths, o.today);
    for (const city of todo) await refreshIdle(db, settings, year, city, window);
    done += todo.size;
    if (!fresh) await setMark(db, idleSource(year), key, nowIso);
  }
  return done;
}
