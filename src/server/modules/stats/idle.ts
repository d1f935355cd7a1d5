/**
 * Idle instruments: listed, running below the threshold share of their year's quota, and no booking in the window
 * (the last `idleMonths` months). The feed passes keep each year's list in stats_idle (`keepIdleLists`), and a
 * dashboard reads it (`idle`); a list not current yet is answered by a scan of the instruments.
 */
import type { Kysely } from 'kysely';
import { quotaUseBp, secondsToHours } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { rest } from '../../db/give-way';
import { readMark, writeMark } from './marks';
import { orgFilter, type Filters, type Scope } from './queries';
import { syncRows } from './rollups';
import { statsSettings, type StatsSettingsT } from './settings';

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
/** Whether a year's idle list is current (computed with this window and threshold). */
export async function idleCurrent(db: Db, settings: StatsSettingsT, year: number, today: string) {
  return (await readMark(db, idleSource(year))) === idleKey(settings, year, today);
}

/**
 * The idle rule on instruments `i` (with organisations `o`) and their year rows `y`: one definition for the kept list
 * and the scan.
 */
function idleOnly(q: any, settings: StatsSettingsT, year: string, window: string[]) {
  return q
    .leftJoin('statsInstrumentPeriod as y', (j: any) =>
      j.onRef('y.instrumentId', '=', 'i.id').on('y.period', '=', year),
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
}

/** instruments by id: a list of ids, or the ids after `after` up to `upTo` (null: to the end) */
type Pick = { ids: string[] } | { after: string; upTo: string | null };
const byId = (q: any, col: string, p: Pick) =>
  'ids' in p
    ? q.where(col, 'in', p.ids)
    : p.upTo === null
      ? q.where(col, '>', p.after)
      : q.where(col, '>', p.after).where(col, '<=', p.upTo);

/** Recomputes a year's idle rows of some instruments. */
async function refreshIdle(db: Db, settings: StatsSettingsT, year: string, window: string[], pick: Pick) {
  const k = db as unknown as Kysely<any>;
  const list = await byId(
    idleOnly(
      k.selectFrom('instruments as i').innerJoin('organizations as o', 'o.id', 'i.orgId'),
      settings,
      year,
      window,
    ),
    'i.id',
    pick,
  )
    .select(['i.id', 'i.orgId', 'o.cityCode', 'o.type', 'i.categoryCode', 'y.runS', 'y.quotaS'])
    .execute();
  await syncRows(
    db,
    'statsIdle',
    (q: any) => byId(q.where('year', '=', year), 'instrumentId', pick),
    ['year', 'instrumentId'],
    list.map((r: any) => ({
      year,
      instrumentId: r.id,
      orgId: r.orgId,
      cityCode: r.cityCode,
      orgType: r.type,
      categoryCode: r.categoryCode,
      runS: Number(r.runS ?? 0),
      quotaS: Number(r.quotaS ?? 0),
    })),
  );
}

/** instruments per statement when a whole year's list is computed again: a few milliseconds each on SQLite */
const IDLE_PAGE = 500;
/** touched instruments per statement (read by id, and their rows compared in a transaction) */
const IDLE_IDS = 100;

/**
 * Keeps the idle lists of this year, of every year already kept and of `years`: a list computed with the current
 * window and threshold is updated for the instruments `ids` only; any other (a new month moved the window, the
 * settings changed, a first pass) is computed again for every instrument, IDLE_PAGE ids at a time, each slice in a
 * transaction of its own so that requests run between them. Returns how many slices it recomputed.
 */
export async function keepIdleLists(
  db: Db,
  settings: StatsSettingsT,
  o: { today: string; years: string[]; ids: Set<string>; all?: boolean; nowIso: string },
) {
  const kept = await db.selectFrom('statsFeed').select('source').where('source', 'like', 'idle:%').execute();
  const years = new Set([o.today.slice(0, 4), ...kept.map((k) => k.source.slice(5)), ...o.years]);
  const ids = [...o.ids];
  let done = 0;
  for (const year of years) {
    const key = idleKey(settings, Number(year), o.today);
    const window = idleWindow(Number(year), settings.idleMonths, o.today);
    if (!o.all && (await readMark(db, idleSource(year))) === key) {
      for (let k = 0; k < ids.length; k += IDLE_IDS, done++) {
        await refreshIdle(db, settings, year, window, { ids: ids.slice(k, k + IDLE_IDS) });
        await rest(db);
      }
      continue;
    }
    for (let after = ''; ; done++) {
      const page = await db
        .selectFrom('instruments')
        .select('id')
        .where('id', '>', after)
        .orderBy('id')
        .limit(IDLE_PAGE)
        .execute();
      const upTo = page.length < IDLE_PAGE ? null : page[page.length - 1].id;
      await refreshIdle(db, settings, year, window, { after, upTo });
      await rest(db);
      if (upTo === null) break;
      after = upTo;
    }
    await writeMark(db, idleSource(year), key, o.nowIso);
  }
  return done;
}

/** A dashboard's idle instruments: the kept list when it is current, else a scan. */
export async function idle(db: Db, scope: Scope, f: Filters, today: string, limit = 20) {
  const k = db as unknown as Kysely<any>;
  const settings = await statsSettings(db);
  const window = idleWindow(f.year, settings.idleMonths, today);
  if (await idleCurrent(db, settings, f.year, today)) return idleKept(db, scope, f, settings, limit);
  const base = () => {
    let q = idleOnly(
      k.selectFrom('instruments as i').innerJoin('organizations as o', 'o.id', 'i.orgId'),
      settings,
      String(f.year),
      window,
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
  return idleReply(settings, count, items);
}

/** The idle list kept by the feed passes (slices.ts) for the year. */
async function idleKept(db: Db, scope: Scope, f: Filters, settings: StatsSettingsT, limit: number) {
  const k = db as unknown as Kysely<any>;
  const base = () => {
    let q = k.selectFrom('statsIdle as d').where('d.year', '=', String(f.year));
    if (scope.kind === 'org') q = q.where('d.orgId', '=', scope.orgId);
    if (scope.kind === 'city') q = q.where('d.cityCode', '=', scope.cityCode);
    if (f.city) q = q.where('d.cityCode', '=', f.city);
    if (f.orgType) q = q.where('d.orgType', '=', f.orgType);
    if (f.category) q = q.where('d.categoryCode', 'like', `${f.category}%`);
    return q;
  };
  const [count, items] = await Promise.all([
    base()
      .select((eb: any) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
    base()
      .innerJoin('instruments as i', 'i.id', 'd.instrumentId')
      .innerJoin('organizations as o', 'o.id', 'd.orgId')
      .select(['i.id', 'i.name', 'o.name as orgName', 'd.runS', 'd.quotaS'])
      .orderBy('d.instrumentId')
      .limit(limit)
      .execute(),
  ]);
  return idleReply(settings, count, items);
}
const idleReply = (settings: StatsSettingsT, count: unknown, items: any[]) => ({
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
});
