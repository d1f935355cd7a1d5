/**
 * What each enterprise has reserved against its yearly caps. A settlement locks the enterprise's row for the year
 * (PostgreSQL: SELECT … FOR UPDATE; SQLite: the whole write transaction is serialised by BEGIN IMMEDIATE), computes
 * against it, and adds its amounts before the lock is released — so two settlements can never together pass a cap.
 */
import { PostgresAdapter } from 'kysely';
import type { VoucherKind, YearUsage } from '../../../domain/voucher';
import type { Db } from '../../db/connect';

export async function lockedUsage(trx: Db, orgId: string, year: number): Promise<YearUsage> {
  await trx
    .insertInto('voucherLedgers')
    .values({ orgId, year, provincialFen: 0, municipalFen: 0 })
    .onConflict((oc) => oc.columns(['orgId', 'year']).doNothing())
    .execute();
  let q = trx
    .selectFrom('voucherLedgers')
    .select(['provincialFen', 'municipalFen'])
    .where('orgId', '=', orgId)
    .where('year', '=', year);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate();
  const r = await q.executeTakeFirstOrThrow();
  return { provincialFen: Number(r.provincialFen), municipalFen: Number(r.municipalFen) };
}

/** Reading only (the settlement page's figures): no lock, no row created. */
export async function usage(db: Db, orgId: string, year: number): Promise<YearUsage> {
  const r = await db
    .selectFrom('voucherLedgers')
    .select(['provincialFen', 'municipalFen'])
    .where('orgId', '=', orgId)
    .where('year', '=', year)
    .executeTakeFirst();
  return { provincialFen: Number(r?.provincialFen ?? 0), municipalFen: Number(r?.municipalFen ?? 0) };
}

const column = (k: VoucherKind): 'provincialFen' | 'municipalFen' =>
  k === 'provincial' ? 'provincialFen' : 'municipalFen';

export async function reserve(trx: Db, orgId: string, year: number, kind: VoucherKind, amountFen: number) {
  await trx
    .updateTable('voucherLedgers')
    .set((eb) => ({ [column(kind)]: eb(column(kind), '+', amountFen) }))
    .where('orgId', '=', orgId)
    .where('year', '=', year)
    .execute();
}

/** A rejected claim gives its amount back to the enterprise's year. */
export async function release(trx: Db, orgId: string, year: number, kind: VoucherKind, amountFen: number) {
  await trx
    .updateTable('voucherLedgers')
    .set((eb) => ({ [column(kind)]: eb(column(kind), '-', amountFen) }))
    .where('orgId', '=', orgId)
    .where('year', '=', year)
    .execute();
}
