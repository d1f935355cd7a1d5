import type { Db } from './connect';

/**
 * The next number of a series (booking:20261129, claim:2026:P …), inside the caller's transaction. The update locks
 * the series row until the transaction ends, so concurrent callers get distinct consecutive numbers, and a number
 * is never handed out twice, also when what it named is deleted later.
 */
export async function nextInSeries(trx: Db, key: string): Promise<number> {
  // one statement (one trip on PostgreSQL): the first number of a series inserts its row, the others update it
  const r = await trx
    .insertInto('counters')
    .values({ key, last: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ last: eb('counters.last', '+', 1) })))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(r.last);
}
