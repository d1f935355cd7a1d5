/**
 * The change feed's numbers (indexer.ts `catalogueChanged`): one per write transaction that calls it, taken under
 * the feed row's lock (on PostgreSQL the number and the names in one statement), and none for a transaction that
 * rolls back. Both databases (the writer's searches seeing its write at once: catalogue.int.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstrument, makeOrg } from '../../test/factories';
import { createTestApp, type TestApp } from '../../test/harness';
import { readHead } from './feed';
import { catalogueChanged } from './indexer';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 30_000);
afterAll(async () => t?.close());

const changesAt = (seq: number) =>
  t.database.db
    .selectFrom('catalogueChanges')
    .select('instrumentId')
    .where('seq', '=', seq)
    .orderBy('instrumentId')
    .execute()
    .then((rows) => rows.map((r) => r.instrumentId));

describe('change feed numbers', () => {
  it('takes one number per call, names the instruments under it, and none when rolled back', async () => {
    const { org } = await makeOrg(t);
    const one = await makeInstrument(t, org.id);
    const two = await makeInstrument(t, org.id);
    const before = await readHead(t.database.db);

    await t.database.db.transaction().execute(async (trx) => {
      await catalogueChanged(trx, [one.id, two.id, one.id]);
      await catalogueChanged(trx, [two.id]);
    });
    expect(await readHead(t.database.db)).toBe(before + 2);
    expect(await changesAt(before + 1)).toEqual([one.id, two.id].sort());
    expect(await changesAt(before + 2)).toEqual([two.id]);

    // a transaction that fails after naming an instrument takes no number and leaves no names
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await catalogueChanged(trx, [one.id]);
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(await readHead(t.database.db)).toBe(before + 2);
    expect(await changesAt(before + 3)).toEqual([]);

    // and the next transaction takes the next number: none is skipped
    await t.database.db.transaction().execute((trx) => catalogueChanged(trx, [one.id]));
    expect(await readHead(t.database.db)).toBe(before + 3);
    expect(await changesAt(before + 3)).toEqual([one.id]);
  });
});
