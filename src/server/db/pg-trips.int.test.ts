/**
 * Writes held for the commit (db/pg-trips.ts `writeAtCommit`), on both databases: they are stored with the
 * transaction, not at all when it rolls back, and one that fails fails the whole transaction (nothing half-written).
 * On PostgreSQL the transaction's `begin` goes with its first statement and the held writes with its `commit`: the
 * trips are counted at the client.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from '../modules/audit/service';
import { makeUser } from '../test/factories';
import { createTestApp, type TestApp } from '../test/harness';
import type { Db } from './connect';
import { newId } from './ids';
import { readTogether, writeAtCommit } from './pg-trips';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 30_000);
afterAll(async () => t?.close());

const ctx = () => ({ actor: null, ip: '127.0.0.1', now: t.clock.now() });
const audited = (action: string) =>
  t.database.db.selectFrom('auditLog').selectAll().where('action', '=', action).execute();
const messagesOf = (userId: string) =>
  t.database.db.selectFrom('messages').select(['title', 'body']).where('userId', '=', userId).execute();
const message = (userId: string, title: string) => ({
  id: newId(),
  userId,
  title,
  body: `O'Brien \\ "引号" $1 ;-- 检测`,
  link: null,
  subjectKind: 'test',
  subjectId: null,
  readAt: null,
  createdAt: t.clock.now().toISOString(),
});

/**
 * Runs `work` in a transaction, counting the messages its PostgreSQL connection sends to the server (0 on SQLite).
 * Only that connection's: the app's own timers (the catalogue reading the feed's head) use others.
 */
async function tripsOfTransaction(work: (trx: Db) => Promise<unknown>): Promise<number> {
  const original = pg.Client.prototype.query;
  let trips = 0;
  try {
    await t.database.db.transaction().execute(async (trx) => {
      const ours = await trx.getExecutor().provideConnection(async (c) => (c as { client?: pg.Client }).client);
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        if (this === ours) trips++;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      await work(trx);
    });
  } finally {
    pg.Client.prototype.query = original;
  }
  return trips;
}

describe('writes held for the commit', () => {
  it('are stored with the transaction, values as given, and `then` gets what they return', async () => {
    const u = await makeUser(t);
    let returned: unknown[] = [];
    const trips = await tripsOfTransaction(async (trx) => {
      const me = await trx.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirstOrThrow();
      await record(trx, ctx(), { action: 'test.held', subjectId: me.id, detail: { note: `it's "quoted" \\ 检测` } });
      await writeAtCommit(trx, trx.insertInto('messages').values(message(u.id, '一')));
      await writeAtCommit(trx, trx.insertInto('messages').values(message(u.id, '二')).returning('title'), (rows) => {
        returned = rows;
      });
    });
    expect(returned).toEqual([{ title: '二' }]);
    const [entry] = await audited('test.held');
    expect(entry.subjectId).toBe(u.id);
    expect(entry.detailJson).toEqual({ note: `it's "quoted" \\ 检测` });
    const got = await messagesOf(u.id);
    expect(got.map((m) => m.title).sort()).toEqual(['一', '二']);
    expect(got[0].body).toBe(`O'Brien \\ "引号" $1 ;-- 检测`);
    // PostgreSQL: begin with the read, the three held writes with the commit; SQLite: no trips at all
    expect(trips).toBe(t.database.dialect === 'postgres' ? 2 : 0);
  });

  it('with a value not written in (a Date) keep its parameters and a trip, and are stored', async () => {
    const u = await makeUser(t);
    let thenRows: unknown[] | null = null;
    const trips = await tripsOfTransaction(async (trx) => {
      await trx.selectFrom('users').select('id').where('id', '=', u.id).execute();
      const dated = { ...message(u.id, '带日期'), createdAt: new Date('2026-12-05T08:00:00.000Z') };
      await writeAtCommit(
        trx,
        trx
          .insertInto('messages')
          .values(dated as unknown as ReturnType<typeof message>)
          .returning('title'),
        (rows) => (thenRows = rows),
      );
    });
    expect(thenRows).toEqual([{ title: '带日期' }]);
    const [stored] = await t.database.db
      .selectFrom('messages')
      .select(['title', 'createdAt'])
      .where('userId', '=', u.id)
      .execute();
    expect(stored.title).toBe('带日期');
    expect(new Date(stored.createdAt).toISOString()).toBe('2026-12-05T08:00:00.000Z');
    // PostgreSQL: begin with the read, the held write alone, then the commit
    expect(trips).toBe(t.database.dialect === 'postgres' ? 3 : 0);
  });

  it('are not stored when the transaction rolls back, and nothing of it is', async () => {
    const u = await makeUser(t);
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ realName: '改过' }).where('id', '=', u.id).execute();
        await record(trx, ctx(), { action: 'test.rolled-back', subjectId: u.id });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await audited('test.rolled-back')).toEqual([]);
    const after = await t.database.db.selectFrom('users').select('realName').where('id', '=', u.id).executeTakeFirst();
    expect(after?.realName).not.toBe('改过');
  });

  it('fail the transaction when one of them fails, and leave nothing of it', async () => {
    const u = await makeUser(t);
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ realName: '不该留下' }).where('id', '=', u.id).execute();
        await record(trx, ctx(), { action: 'test.failed', subjectId: u.id });
        // no such user: the foreign key refuses it (at the commit on PostgreSQL, at once on SQLite)
        await writeAtCommit(trx, trx.insertInto('messages').values(message('no-such-user', '孤儿')));
      }),
    ).rejects.toThrow(/foreign key/i);
    expect(await audited('test.failed')).toEqual([]);
    const after = await t.database.db.selectFrom('users').select('realName').where('id', '=', u.id).executeTakeFirst();
    expect(after?.realName).not.toBe('不该留下');
    // the connection is usable again
    expect(await t.database.db.selectFrom('users').select('id').where('id', '=', u.id).execute()).toHaveLength(1);
  });

  it('run at once outside a transaction', async () => {
    const u = await makeUser(t);
    await writeAtCommit(t.database.db, t.database.db.insertInto('messages').values(message(u.id, '独立')));
    expect((await messagesOf(u.id)).map((m) => m.title)).toEqual(['独立']);
  });

  it('a transaction that asked nothing of the server sends nothing', async () => {
    const trips = await tripsOfTransaction(async () => 'nothing');
    expect(trips).toBe(0);
  });
});

describe('reads together', () => {
  it('come in one trip with the begin, as execute gives them: names, JSON, quotes, no rows', async () => {
    const u = await makeUser(t);
    await record(t.database.db, ctx(), { action: 'test.together', subjectId: u.id, detail: { note: `it's 检测` } });
    let got: unknown[][] = [];
    const trips = await tripsOfTransaction(async (trx) => {
      got = await readTogether(trx, [
        trx.selectFrom('users').select(['id', 'realName']).where('id', '=', u.id),
        trx.selectFrom('auditLog').select(['subjectId', 'detailJson']).where('action', '=', 'test.together'),
        trx.selectFrom('users').select('id').where('username', '=', `it's nobody`),
      ] as const);
    });
    const [users, entries, nobody] = got as [
      { id: string; realName: string }[],
      { subjectId: string; detailJson: unknown }[],
      unknown[],
    ];
    expect(users).toEqual([{ id: u.id, realName: expect.any(String) }]);
    expect(entries).toEqual([{ subjectId: u.id, detailJson: { note: `it's 检测` } }]);
    expect(nobody).toEqual([]);
    // PostgreSQL: begin and the three reads in one message, then the commit; SQLite: no trips at all
    expect(trips).toBe(t.database.dialect === 'postgres' ? 2 : 0);
  });

  it('outside a transaction give the same rows as one by one', async () => {
    const db = t.database.db;
    const q = () => db.selectFrom('categories').selectAll().orderBy('code').limit(5);
    const [together, again] = await readTogether(db, [q(), q()] as const);
    expect(together).toEqual(await q().execute());
    expect(again).toEqual(together);
  });
});
