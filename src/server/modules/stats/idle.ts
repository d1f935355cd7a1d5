/** The idle instruments of a dashboard: the list the feed passes keep (slices.ts), else a scan of the instruments. */
import type { Kysely } from 'kysely';
import { quotaUseBp, secondsToHours } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { orgFilter, type Filters, type Scope } from './queries';
import { statsSettings, type StatsSettingsT } from './settings';
import { idleCurrent, idleWindow } from './slices';

export { idleWindow };

/** Idle instruments: listed, running below the threshold share of their quota, and no booking in the window. */
export async function idle(db: Db, scope: Scope, f: Filters, today: string, limit = 20) {
  const k = db as unknown as Kysely<any>;
  const settings = await statsSettings(db);
  const window = idleWindow(f.year, settings.idleMonths, today);
  if (await idleCurrent(db, settings, f.year, today)) return idleKept(db, scope, f, settings, limit);
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
