/** The roll-ups of the aggregates: instruments' year rows, organisations' rows, and the served pairs. */
import { monthRange, quotaSeconds } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import type { PeriodSums } from '../../db/types-stats';
import { isSpecialCategory, quotaOf, type StatsSettingsT } from './settings';

export const CHUNK = 400;
/** rows per INSERT: SQLite binds at most 32,766 values in a statement */
export const UPSERT = 500;

export const SUM_KEYS = [
  'measured',
  'runS',
  'effectiveS',
  'externalS',
  'registeredS',
  'quotaS',
  'services',
  'externalServices',
  'incomeFen',
  'externalIncomeFen',
  'ratingSum',
  'ratingCount',
  'bookings',
] as const satisfies readonly (keyof PeriodSums)[];
export type Sums = Record<(typeof SUM_KEYS)[number], number>;
export const zero = (): Sums => Object.fromEntries(SUM_KEYS.map((k) => [k, 0])) as Sums;

type InstrumentRow = Parameters<typeof upsertInstrumentRows>[1][number];
export async function upsertInstrumentRows(
  trx: Db,
  rows: ({
    instrumentId: string;
    period: string;
    orgId: string;
    cityCode: string;
    orgType: string;
    categoryCode: string;
    special: number;
    updatedAt: string;
  } & Sums)[],
) {
  for (let k = 0; k < rows.length; k += UPSERT) await upsertChunk(trx, rows.slice(k, k + UPSERT));
}
async function upsertChunk(trx: Db, rows: Parameters<typeof upsertInstrumentRows>[1]) {
  await trx
    .insertInto('statsInstrumentPeriod')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['instrumentId', 'period']).doUpdateSet((eb) => ({
        orgId: eb.ref('excluded.orgId'),
        cityCode: eb.ref('excluded.cityCode'),
        orgType: eb.ref('excluded.orgType'),
        categoryCode: eb.ref('excluded.categoryCode'),
        special: eb.ref('excluded.special'),
        updatedAt: eb.ref('excluded.updatedAt'),
        ...Object.fromEntries(SUM_KEYS.map((k) => [k, eb.ref(`excluded.${k}`)])),
      })),
    )
    .execute();
}

const sumSelect = (eb: any) => SUM_KEYS.map((k) => eb.fn.sum(k).as(k));
const numbers = (r: Record<string, unknown>): Sums =>
  Object.fromEntries(SUM_KEYS.map((k) => [k, Number(r[k] ?? 0)])) as Sums;

/** Year rows of instruments: the sums of their month rows; the quota is a whole year's. */
export async function rollUpInstrumentYears(
  trx: Db,
  settings: StatsSettingsT,
  year: string,
  ids: string[],
  nowIso: string,
) {
  const months = await trx
    .selectFrom('statsInstrumentPeriod')
    .select((eb) => ['instrumentId', ...sumSelect(eb)])
    .where('instrumentId', 'in', ids)
    .where('period', 'like', `${year}-%`)
    .groupBy('instrumentId')
    .execute();
  const meta = await trx
    .selectFrom('statsInstrumentPeriod')
    .select(['instrumentId', 'orgId', 'cityCode', 'orgType', 'categoryCode', 'special'])
    .where('instrumentId', 'in', ids)
    .where('period', 'like', `${year}-%`)
    .orderBy('period', 'desc')
    .execute();
  const metaOf = new Map<string, (typeof meta)[number]>();
  for (const m of meta) if (!metaOf.has(m.instrumentId)) metaOf.set(m.instrumentId, m);
  const rows: InstrumentRow[] = months.map((m) => {
    const info = metaOf.get(m.instrumentId as string)!;
    const s = numbers(m as Record<string, unknown>);
    return {
      ...info,
      period: year,
      ...s,
      measured: s.measured > 0 ? 1 : 0,
      quotaS: quotaSeconds(Number(info.special) === 1, 12, quotaOf(settings)),
      updatedAt: nowIso,
    };
  });
  if (rows.length) await upsertInstrumentRows(trx, rows);
}

/** Organisation rows of a period: sums of their instruments' rows; the quota of all their listed instruments. */
export async function rollUpOrgs(trx: Db, settings: StatsSettingsT, period: string, orgs: string[], nowIso: string) {
  const [sums, orgRows, listed] = await Promise.all([
    trx
      .selectFrom('statsInstrumentPeriod')
      .select((eb) => ['orgId', ...sumSelect(eb)])
      .where('orgId', 'in', orgs)
      .where('period', '=', period)
      .groupBy('orgId')
      .execute(),
    trx.selectFrom('organizations').select(['id', 'cityCode', 'type']).where('id', 'in', orgs).execute(),
    trx
      .selectFrom('instruments')
      .select(['orgId', 'categoryCode'])
      .where('orgId', 'in', orgs)
      .where('state', '=', 'listed')
      .execute(),
  ]);
  const months = period.length === 4 ? 12 : 1;
  const quota = new Map<string, { n: number; quotaS: number }>();
  for (const i of listed) {
    const q = quota.get(i.orgId) ?? { n: 0, quotaS: 0 };
    q.n += 1;
    q.quotaS += quotaSeconds(isSpecialCategory(settings, i.categoryCode), months, quotaOf(settings));
    quota.set(i.orgId, q);
  }
  const by = new Map(sums.map((s) => [s.orgId as string, numbers(s as Record<string, unknown>)]));
  const rows = orgRows.map((o) => ({
    orgId: o.id,
    period,
    cityCode: o.cityCode,
    orgType: o.type,
    ...(by.get(o.id) ?? zero()),
    quotaS: quota.get(o.id)?.quotaS ?? 0,
    instruments: quota.get(o.id)?.n ?? 0,
    updatedAt: nowIso,
  }));
  if (!rows.length) return;
  await trx
    .insertInto('statsOrgPeriod')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['orgId', 'period']).doUpdateSet((eb) => ({
        cityCode: eb.ref('excluded.cityCode'),
        orgType: eb.ref('excluded.orgType'),
        instruments: eb.ref('excluded.instruments'),
        updatedAt: eb.ref('excluded.updatedAt'),
        ...Object.fromEntries(SUM_KEYS.map((k) => [k, eb.ref(`excluded.${k}`)])),
      })),
    )
    .execute();
}

/** The pairs (provider, other consumer) of completed bookings of a month and of its year, for the providers given. */
export async function recountServed(trx: Db, month: string, providers: string[]) {
  const year = month.slice(0, 4);
  const { from, to } = monthRange(month);
  const pairs = await trx
    .selectFrom('bookings')
    .innerJoin('organizations', 'organizations.id', 'bookings.providerOrgId')
    .select((eb) => [
      'bookings.providerOrgId',
      'bookings.consumerOrgId',
      'organizations.cityCode',
      'organizations.type',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('bookings.providerOrgId', 'in', providers)
    .where('bookings.state', '=', 'completed')
    .where('bookings.completedAt', '>=', from)
    .where('bookings.completedAt', '<', to)
    .whereRef('bookings.consumerOrgId', '<>', 'bookings.providerOrgId')
    .groupBy(['bookings.providerOrgId', 'bookings.consumerOrgId', 'organizations.cityCode', 'organizations.type'])
    .execute();
  await trx
    .deleteFrom('statsServed')
    .where('providerOrgId', 'in', providers)
    .where('period', 'in', [month, year])
    .execute();
  for (let k = 0; k < pairs.length; k += UPSERT)
    await trx
      .insertInto('statsServed')
      .values(
        pairs.slice(k, k + UPSERT).map((p) => ({
          providerOrgId: p.providerOrgId,
          consumerOrgId: p.consumerOrgId,
          period: month,
          cityCode: p.cityCode,
          orgType: p.type,
          services: Number(p.n),
        })),
      )
      .execute();
  const yearly = await trx
    .selectFrom('statsServed')
    .select((eb) => [
      'providerOrgId',
      'consumerOrgId',
      eb.fn.max('cityCode').as('cityCode'),
      eb.fn.max('orgType').as('orgType'),
      eb.fn.sum<number>('services').as('n'),
    ])
    .where('providerOrgId', 'in', providers)
    .where('period', 'like', `${year}-%`)
    .groupBy(['providerOrgId', 'consumerOrgId'])
    .execute();
  for (let k = 0; k < yearly.length; k += UPSERT)
    await trx
      .insertInto('statsServed')
      .values(
        yearly.slice(k, k + UPSERT).map((p) => ({
          providerOrgId: p.providerOrgId,
          consumerOrgId: p.consumerOrgId,
          period: year,
          cityCode: String(p.cityCode),
          orgType: String(p.orgType),
          services: Number(p.n),
        })),
      )
      .execute();
}

/**
 * Makes the rows of `table` that `within` selects equal to `rows`, and writes only what differs: a pass that changed
 * one instrument rewrites a row or two, not a city's thousands (each write holds the database, on SQLite the one
 * connection that every request waits for). `key` is the table's primary key: a row is written as an upsert, so one
 * that was kept under another scope (an instrument that moved to another city) is taken over, and two passes at once
 * (two instances) end in the same rows.
 */
export async function syncRows(
  db: Db,
  table: string,
  within: (q: any) => any,
  key: string[],
  rows: Record<string, unknown>[],
) {
  const id = (r: Record<string, unknown>) => key.map((c) => String(r[c])).join('\u0001');
  const differs = (o: Record<string, unknown>, r: Record<string, unknown>) =>
    Object.keys(r).some((c) => String(o[c] ?? '') !== String(r[c] ?? ''));
  await db.transaction().execute(async (trx) => {
    const old: Record<string, unknown>[] = await within((trx as any).selectFrom(table).selectAll()).execute();
    const before = new Map(old.map((r) => [id(r), r]));
    let changed = rows.filter((r) => {
      const o = before.get(id(r));
      before.delete(id(r));
      return !o || differs(o, r);
    });
    const gone = [...before.values()];
    if (2 * gone.length > old.length) {
      // most rows went: one delete of the scope, then every row written again
      await within((trx as any).deleteFrom(table)).execute();
      changed = rows;
    } else
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

/** The year rows of every instrument with a month row in the year, and of their organisations. */
export async function rollUpYear(db: Db, settings: StatsSettingsT, year: string, nowIso: string) {
  const rows = await db
    .selectFrom('statsInstrumentPeriod')
    .select(['instrumentId', 'orgId'])
    .distinct()
    .where('period', 'like', `${year}-%`)
    .execute();
  const ids = [...new Set(rows.map((r) => r.instrumentId))];
  const orgs = [...new Set(rows.map((r) => r.orgId))];
  for (let k = 0; k < ids.length; k += CHUNK)
    await db
      .transaction()
      .execute((trx) => rollUpInstrumentYears(trx, settings, year, ids.slice(k, k + CHUNK), nowIso));
  for (let k = 0; k < orgs.length; k += CHUNK)
    await db.transaction().execute((trx) => rollUpOrgs(trx, settings, year, orgs.slice(k, k + CHUNK), nowIso));
}
