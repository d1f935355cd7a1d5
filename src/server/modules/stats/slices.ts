/**
 * Roll-ups of the aggregates for the department dashboards, kept by the same feed passes (aggregates.ts):
 * - stats_slice_period: sums per (period, category level, city, organisation type) — a province or city dashboard
 *   reads a few hundred of these instead of every organisation's or instrument's rows;
 * - stats_org_cat: an organisation's year sums per category level (the ranking of organisations within a category);
 * - stats_slice_instruments: listed / declared (≥ ¥500,000) instruments per (category level, city, type), from the
 *   instruments' own feed (`instruments.updated_at`);
 * - stats_idle: a year's idle instruments (idle.ts), recomputed for the instruments a pass touched, and for every
 *   instrument, a slice of ids at a time, when the idle window (a new month) or the settings change.
 * Category level: '' (all), the class (2 digits) or the subclass (4 digits) of the 6-digit code.
 */
import { sql } from 'kysely';
import { EVALUATION_THRESHOLD_FEN } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { rest } from '../../db/give-way';
import { keepIdleLists } from './idle';
import { readMark, writeMark } from './marks';
import { CHUNK, SUM_KEYS, syncRows, zero, type Sums } from './rollups';
import type { StatsSettingsT } from './settings';

/** The category levels a slice is kept for; null: a filter the slices cannot answer (then the rows are scanned). */
export const sliceCat = (category?: string): string | null =>
  !category ? '' : category.length === 2 || category.length === 4 ? category : null;
const levels = (code: string) => [code.slice(0, 2), code.slice(0, 4)];

const sumSelect = (eb: any, keys: readonly string[]) => keys.map((k) => eb.fn.sum(k).as(k));
const add = (into: Sums, r: Record<string, unknown>) => {
  for (const k of SUM_KEYS) into[k] += Number(r[k] ?? 0);
};
const c4 = sql<string>`substr(category_code, 1, 4)`;

/** What a pass recomputed in a city: the organisations and the category classes (2 digits) of its rows. */
export interface Reach {
  orgs: Set<string>;
  classes: Set<string>;
}
/** period → city → what a pass recomputed there */
export type Touched = Map<string, Map<string, Reach>>;
/** Adds a row's organisation and class to what a pass reached in its city. */
export function reach(into: Map<string, Reach>, city: string, orgId: string, categoryCode: string) {
  const r = into.get(city) ?? { orgs: new Set<string>(), classes: new Set<string>() };
  r.orgs.add(orgId);
  r.classes.add(categoryCode.slice(0, 2));
  into.set(city, r);
}
/**
 * The codes of some classes, as ranges on `col` (codes are digits: a class's codes run from it to the next class),
 * so that an index on the column is used.
 */
function ofClasses(eb: any, col: string, classes: Set<string>) {
  return eb.or(
    [...classes].map((c) => {
      const next = String(Number(c) + 1).padStart(2, '0');
      return next.length > 2 ? eb(col, '>=', c) : eb.and([eb(col, '>=', c), eb(col, '<', next)]);
    }),
  );
}

const sliceRow = (r: Record<string, unknown>, cat: string, orgType: string) => {
  const s = { ...zero(), cat, orgType };
  add(s, r);
  return s;
};

/**
 * Recomputes a (period, city)'s slices: every type's sums, and those of the category classes `r` reached (null:
 * all); for a year also the category rows of the organisations reached. Each reads only those rows, grouped by the
 * database (stats_instrument_period_cat_idx, stats_org_cat_org_idx).
 */
async function refreshSliceSums(db: Db, period: string, city: string, r: Reach | null) {
  const orgs = r && [...r.orgs];
  const [byType, byCat] = await Promise.all([
    db
      .selectFrom('statsOrgPeriod')
      .select((eb) => ['orgType', ...sumSelect(eb, SUM_KEYS)])
      .where('period', '=', period)
      .where('cityCode', '=', city)
      .groupBy('orgType')
      .execute(),
    db
      .selectFrom('statsInstrumentPeriod')
      .select((eb) => ['orgType', c4.as('c4'), ...sumSelect(eb, SUM_KEYS)])
      .where('period', '=', period)
      .where('cityCode', '=', city)
      .$call((q) => (r ? q.where((eb) => ofClasses(eb, 'categoryCode', r.classes)) : q))
      .groupBy(['orgType', c4])
      .execute(),
  ]);
  const slices = new Map<string, Sums & { cat: string; orgType: string }>();
  for (const o of byType) slices.set(`|${o.orgType}`, sliceRow(o as Record<string, unknown>, '', o.orgType));
  for (const r of byCat as (Record<string, unknown> & { orgType: string; c4: string })[])
    for (const cat of levels(r.c4)) {
      const s = slices.get(`${cat}|${r.orgType}`);
      if (s) add(s, r);
      else slices.set(`${cat}|${r.orgType}`, sliceRow(r, cat, r.orgType));
    }
  await syncRows(
    db,
    'statsSlicePeriod',
    (q: any) =>
      q
        .where('period', '=', period)
        .where('cityCode', '=', city)
        .$call((w: any) =>
          r ? w.where((eb: any) => eb.or([eb('cat', '=', ''), ofClasses(eb, 'cat', r.classes)])) : w,
        ),
    ['period', 'cat', 'cityCode', 'orgType'],
    [...slices.values()].map((s) => ({ ...s, period, cityCode: city })),
  );
  if (period.length !== 4) return;
  const forOrgs = (q: any) => (orgs ? q.where('orgId', 'in', orgs) : q.where('cityCode', '=', city));
  for (let k = 0; k < (orgs?.length ?? 1); k += CHUNK) {
    const some = orgs?.slice(k, k + CHUNK) ?? null;
    const within = (q: any) => (some ? q.where('orgId', 'in', some) : forOrgs(q)).where('period', '=', period);
    const inst = await within(
      db
        .selectFrom('statsInstrumentPeriod')
        .select((eb) => ['orgId', 'orgType', c4.as('c4'), ...sumSelect(eb, SUM_KEYS)]),
    )
      .groupBy(['orgId', 'orgType', c4])
      .execute();
    const orgCat = new Map<string, Sums & { cat: string; orgType: string; orgId: string }>();
    for (const r of inst as (Record<string, unknown> & { orgId: string; orgType: string; c4: string })[])
      for (const cat of levels(r.c4)) {
        const o = orgCat.get(`${cat}|${r.orgId}`);
        if (o) add(o, r);
        else orgCat.set(`${cat}|${r.orgId}`, { ...sliceRow(r, cat, r.orgType), orgId: r.orgId });
      }
    await syncRows(
      db,
      'statsOrgCat',
      within,
      ['period', 'cityCode', 'cat', 'orgId'],
      [...orgCat.values()].map(({ registeredS: _r, bookings: _b, ...o }) => ({ ...o, period, cityCode: city })),
    );
  }
}

/**
 * Listed and declared instruments of a city per (category level, type): the listing rate's two counts. Counted by the
 * database per subclass from a covering index (instruments_org_counts_idx), then summed up to the class and to ''.
 */
async function refreshInstrumentCounts(db: Db, city: string) {
  const above = sql<number>`coalesce(i.value_fen, 0) >= ${EVALUATION_THRESHOLD_FEN}`;
  const listed = sql<number>`i.state = 'listed'`;
  const groups = await db
    .selectFrom('instruments as i')
    .innerJoin('organizations as o', 'o.id', 'i.orgId')
    .select([
      sql<string>`substr(i.category_code, 1, 4)`.as('c4'),
      'o.type',
      sql<number>`sum(case when ${listed} then 1 else 0 end)`.as('listed'),
      sql<number>`sum(case when ${above} then 1 else 0 end)`.as('declared'),
      sql<number>`sum(case when ${listed} and ${above} then 1 else 0 end)`.as('listedAbove'),
    ])
    .where('o.cityCode', '=', city)
    .groupBy([sql`substr(i.category_code, 1, 4)`, 'o.type'])
    .execute();
  const by = new Map<string, { cat: string; orgType: string; listed: number; declared: number; listedAbove: number }>();
  for (const g of groups)
    for (const cat of ['', ...levels(g.c4)]) {
      const k = `${cat}|${g.type}`;
      const c = by.get(k) ?? { cat, orgType: g.type, listed: 0, declared: 0, listedAbove: 0 };
      c.listed += Number(g.listed);
      c.declared += Number(g.declared);
      c.listedAbove += Number(g.listedAbove);
      by.set(k, c);
    }
  await syncRows(
    db,
    'statsSliceInstruments',
    (q: any) => q.where('cityCode', '=', city),
    ['cat', 'cityCode', 'orgType'],
    [...by.values()].map((c) => ({ ...c, cityCode: city })),
  );
}

export { bumpStatsVersion, statsVersion } from './marks';

/**
 * Brings the roll-ups up to date: the slices of the (period → cities) a pass recomputed, the instrument counts of the
 * cities whose instruments changed up to `horizon`, and the idle lists of the instruments the pass touched (`ids`)
 * or changed. `all`: every city and instrument (a rebuild). Returns how many roll-ups it recomputed.
 */
export async function refreshSlices(
  db: Db,
  settings: StatsSettingsT,
  o: { now: Date; horizon: string; today: string; touched: Touched; ids: Set<string>; all?: boolean },
) {
  const nowIso = o.now.toISOString();
  let done = 0;
  const cities = (await db.selectFrom('organizations').select('cityCode').distinct().execute()).map((c) => c.cityCode);
  const touched = o.touched;
  for (const [period, cs] of touched)
    for (const [city, reached] of o.all ? cities.map((c) => [c, null] as const) : cs) {
      await refreshSliceSums(db, period, city, reached);
      await rest(db);
      done += 1;
    }

  // the instruments' feed: listing, state and value changes
  const since = (await readMark(db, 'instruments')) ?? '1970-01-01T00:00:00.000Z';
  const moved = o.all
    ? []
    : await db
        .selectFrom('instruments as i')
        .innerJoin('organizations as org', 'org.id', 'i.orgId')
        .select(['i.id', 'org.cityCode'])
        .where('i.updatedAt', '>', since)
        .where('i.updatedAt', '<=', o.horizon)
        .execute();
  const changed = o.all ? cities : [...new Set(moved.map((m) => m.cityCode))];
  for (const city of changed) {
    await refreshInstrumentCounts(db, city);
    await rest(db);
  }
  done += changed.length;
  if (o.horizon > since) await writeMark(db, 'instruments', o.horizon, nowIso);

  const years = [...touched.keys()].map((p) => p.slice(0, 4));
  const ids = new Set([...o.ids, ...moved.map((m) => m.id)]);
  return done + (await keepIdleLists(db, settings, { today: o.today, years, ids, all: o.all, nowIso }));
}
