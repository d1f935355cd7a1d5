import type { Db } from './connect';

/**
 * The next number of a series (booking:20261129, claim:2026:P …), inside the caller's transaction. The update locks
 * the series row until the transaction ends, so concurrent callers get distinct consecutive numbers, and a number
 * is never handed out twice, also when what it named is deleted later.
 */
export async function nextInSeries(trx: Db, key: string): Promise<number> {
  await trx
    .insertInto('counters')
    .values({ key, last: 0 })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const r = await trx
    .updateTable('counters')
    .set((eb) => ({ last: eb('last', '+', 1) }))
    .where('key', '=', key)
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(r.last);
}
