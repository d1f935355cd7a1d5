import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from './connect';
import { givingWay, rest } from './give-way';

const database = connect({ sqliteFile: ':memory:' });
afterAll(() => database.close());

/** a statement that keeps SQLite busy for a few milliseconds */
const COUNT_TO = sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 200000)`;
const busy = (db: typeof database.db) => sql`${COUNT_TO} select count(*) as c from n`.execute(db);

/** Runs `job` while counting the turns of the event loop that other work got meanwhile. */
async function turnsDuring(job: () => Promise<unknown>) {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  running = false;
  return { turns, ms };
}

/** the shortest of a few runs of `busy`, once warm: every run of it takes at least that long */
async function shortestBusy() {
  let one = Infinity;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    await busy(database.db);
    if (k >= 2) one = Math.min(one, performance.now() - t0);
  }
  return one;
}

describe('givingWay', () => {
  it('lets other work run between a job’s statements; a plain database does not', async () => {
    const job = (db: typeof database.db) => async () => {
      for (let k = 0; k < 5; k++) await busy(db);
    };
    const plain = await turnsDuring(job(database.db));
    const giving = await turnsDuring(job(givingWay(database.db)));
    expect(plain.turns).toBe(0);
    expect(giving.turns).toBeGreaterThanOrEqual(5);
  });

  it('rests between pieces of work so that the job takes at most its share of the time', async () => {
    const one = await shortestBusy();
    const { ms } = await turnsDuring(async () => {
      const db = givingWay(database.db, 0.25);
      for (let k = 0; k < 4; k++) {
        await busy(db);
        await rest(db);
      }
    });
    // 4 pieces of at least `one` ms each, each followed by a rest of 3 times its length
    expect(ms).toBeGreaterThan(4 * one * 4 * 0.9);
  });

  it('never holds the connection while it rests: a request’s statement waits for one statement at most', async () => {
    const one = await shortestBusy();
    const db = givingWay(database.db, 0.05); // rests about 19 times each piece
    const job = (async () => {
      for (let k = 0; k < 2; k++) {
        await busy(db);
        await rest(db);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 2 * one));
    const t0 = performance.now();
    await sql`select 1`.execute(database.db);
    const waited = performance.now() - t0;
    await job;
    expect(waited).toBeLessThan(3 * one + 20);
  });

  it('runs a transaction straight through, without giving way while it holds the connection', async () => {
    const db = givingWay(database.db, 0.01);
    const { turns } = await turnsDuring(() =>
      db.transaction().execute(async (trx) => {
        for (let k = 0; k < 3; k++) await busy(trx);
      }),
    );
    expect(turns).toBe(0);
  });

  it('hands back the statements’ results unchanged; rest does nothing on a plain database', async () => {
    const r = await busy(givingWay(database.db, 0.5));
    expect(r.rows).toEqual([{ c: 200000 }]);
    const t0 = performance.now();
    await rest(database.db);
    expect(performance.now() - t0).toBeLessThan(5);
  });
});
