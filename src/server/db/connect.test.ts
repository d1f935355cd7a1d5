/**
 * The SQLite connection: a statement that meets another connection's write lock waits on a timer, not in SQLite's
 * busy handler, so the thread goes on serving while it waits; and prepared statements are kept by their SQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from './connect';

let dir: string;
let a: Database, b: Database;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-'));
  const file = path.join(dir, 'two.sqlite');
  a = connect({ sqliteFile: file });
  b = connect({ sqliteFile: file });
  await sql`create table t (id integer primary key, v text)`.execute(a.db);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQLite connection', () => {
  it('waits for another connection’s write lock without holding the thread', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));
    // b takes the write lock and keeps it until released
    const holder = b.db.transaction().execute(async (trx) => {
      await sql`insert into t (v) values ('b')`.execute(trx);
      locked();
      await held;
    });
    await hasLock;
    const t0 = performance.now();
    // a's transaction and a plain write both wait for it; the timers keep running meanwhile
    const writer = a.db.transaction().execute((trx) => sql`insert into t (v) values ('a-trx')`.execute(trx));
    const plain = sql`insert into t (v) values ('a-plain')`.execute(a.db);
    setTimeout(release, 150);
    await Promise.all([holder, writer, plain]);
    clearInterval(ticker);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    // with SQLite's busy handler the thread slept through the 150 ms (and b could never commit): no tick at all
    expect(ticks).toBeGreaterThanOrEqual(10);
    const rows = await sql<{ v: string }>`select v from t order by id`.execute(a.db);
    expect(rows.rows.map((r) => r.v)).toEqual(['b', 'a-trx', 'a-plain']);
  });

  it('prepares a statement once and runs it again with other parameters', async () => {
    const q = (id: number) =>
      a.db
        .selectFrom('t' as never)
        .select('v' as never)
        .where('id' as never, '=', id as never);
    const first = await q(1).execute();
    const second = await q(2).execute();
    expect([first, second]).toEqual([[{ v: 'b' }], [{ v: 'a-trx' }]]);
    // booleans and dates are still bound as SQLite takes them, on a kept statement too
    for (let k = 0; k < 2; k++) {
      const r = await sql<{ x: number; d: string }>`select ${true} as x, ${new Date(0)} as d`.execute(a.db);
      expect(r.rows[0]).toEqual({ x: 1, d: '1970-01-01T00:00:00.000Z' });
    }
  });

  it('leaves the write-ahead log to another connection when told to, and that one keeps it short', async () => {
    const file = path.join(dir, 'wal.sqlite');
    const writer = connect({ sqliteFile: file, walCheckpoints: 'elsewhere' });
    const other = connect({ sqliteFile: file });
    try {
      await sql`create table w (id integer primary key, v text)`.execute(writer.db);
      const walMb = () => fs.statSync(`${file}-wal`).size / 1e6;
      // 100 small transactions of 10 KB, as requests write: about 1.8 MB of log a round
      const round = async () => {
        for (let k = 0; k < 100; k++)
          await writer.db
            .transaction()
            .execute((trx) => sql`insert into w (v) values (${'x'.repeat(10_000)})`.execute(trx));
      };
      // nobody checkpoints: the log holds every round (SQLite's own checkpoint would have started it over at 4 MB)
      for (let r = 0; r < 4; r++) await round();
      const grown = walMb();
      expect(grown).toBeGreaterThan(7);
      // the other connection checkpoints after each round: the writer starts the log over, and it keeps its size
      for (let r = 0; r < 6; r++) {
        other.checkpoint!();
        await round();
      }
      expect(walMb()).toBeLessThanOrEqual(grown);
      const n = await sql<{ n: number }>`select count(*) as n from w`.execute(other.db);
      expect(Number(n.rows[0].n)).toBe(1000);
    } finally {
      await writer.close();
      await other.close();
    }
  });
});
