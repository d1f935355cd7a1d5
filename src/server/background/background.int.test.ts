/**
 * The background process against a real Mosquitto, on the test's own database: a terminal's reading published to the
 * broker is stored by the process's ingest, sent to the server's live hub and counted in its /metrics; the
 * process's statistics refresher turns the measured day into the instrument's aggregates; stopping it ends the process.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../db/connect';
import { shanghaiDate } from '../../domain/instrument';
import { signReading } from '../modules/terminals/keys';
import { liveHub, stopLiveHub, writerOf } from '../modules/terminals/live';
import {
  connect as connectMqtt,
  setup,
  startKit,
  stopKit,
  stored,
  waitFor,
  type Kit,
} from '../modules/terminals/test-kit';
import { startBackgroundProcess, type BackgroundProcess } from './process';

let k: Kit;
let background: BackgroundProcess | undefined;

beforeAll(async () => {
  // the kit's in-process ingest is not started, and the app's own refresher is off: only the process's run
  k = await startKit({ inProcessIngest: false, env: { STATS_REFRESH_MS: '0' } });
});
afterAll(async () => {
  await background?.stop();
  await stopKit(k);
});

const metric = async (outcome: string) => {
  const text = (await k.t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`terminal_messages_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('the background process', () => {
  it('stores a published reading, counts it in the server, refreshes the aggregates, and stops', async () => {
    const s = await setup(k);
    // the server's live hub, running before the process writes
    const hub = await liveHub(k.t.deps);
    const config = { ...k.t.deps.config, STATS_REFRESH_MS: 200 };
    background = startBackgroundProcess({ ...k.t.deps, config }, k.t.connection);
    await background.started;
    const c = await connectMqtt(k, s.id, s.key);
    const now = Date.now();
    for (const [seq, at, inUse] of [
      [1, now - 120_000, true],
      [2, now - 5_000, false],
    ] as const)
      await c.publishAsync(
        s.topic,
        JSON.stringify(signReading(s.key, { terminal: s.id, seq, at, power: true, inUse })),
        { qos: 1 },
      );
    await waitFor(async () => (await stored(k.t, s.id)) === 2);
    // the process writes the status under the server's name, which the hub's poll skips: the hub has it because
    // the process sent it
    const state = await k.t.database.db
      .selectFrom('terminalState')
      .select(['writer', 'lastAt'])
      .where('terminalId', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(state.writer).toBe(writerOf(k.t.database));
    await waitFor(async () => hub.rows.get(s.instrument.id)?.lastAt === Date.parse(state.lastAt), 2000);
    expect(hub.view(s.instrument.id)).toMatchObject({ status: 'idle', lastMessageAt: state.lastAt });
    // the process sends its counts once a second
    await waitFor(async () => (await metric('applied')) === 2, 5000);
    // the refresher reads the measured day after its settle horizon (2 s) and writes the month's row
    const month = shanghaiDate(new Date(now)).slice(0, 7);
    await waitFor(async () => {
      const row = await k.t.database.db
        .selectFrom('statsInstrumentPeriod')
        .select(['runS', 'measured'])
        .where('instrumentId', '=', s.instrument.id)
        .where('period', '=', month)
        .executeTakeFirst();
      return !!row && Number(row.measured) === 1 && Number(row.runS) === 115;
    }, 15_000);
    await background.stop();
    background = undefined;
    // stopped: a reading published now waits with the broker
    await c.publishAsync(
      s.topic,
      JSON.stringify(signReading(s.key, { terminal: s.id, seq: 3, at: Date.now(), power: true, inUse: false })),
      { qos: 1 },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored(k.t, s.id)).toBe(2);
  });

  it("polls other instances' states and sweeps silent terminals for the server's hub", async () => {
    const s = await setup(k);
    // a hub of an app with the process: its first load only, no poll or sweep of its own
    stopLiveHub(k.t.deps);
    const deps = { ...k.t.deps, backgroundProcess: true };
    const hub = await liveHub(deps);
    const config = { ...k.t.deps.config, STATS_REFRESH_MS: 0, TERMINAL_HEARTBEAT_SECONDS: 5 };
    const t = startBackgroundProcess({ ...deps, config }, k.t.connection);
    const asOther = async (version: number, receivedAgoMs: number) => {
      const now = Date.now();
      const row = {
        terminalId: s.id,
        instrumentId: s.instrument.id,
        lastSeq: version,
        lastAt: new Date(now - receivedAgoMs).toISOString(),
        lastReceivedAt: new Date(now - receivedAgoMs).toISOString(),
        isPowered: true,
        isInUse: true,
        isOffline: false,
        isClockSkewed: false,
        openJson: JSON.stringify({}),
        version,
        writer: 'another-instance',
        updatedAt: new Date(now).toISOString(),
      };
      await k.t.database.db
        .insertInto('terminalState')
        .values(row)
        .onConflict((oc) => oc.column('terminalId').doUpdateSet(row))
        .execute();
    };
    try {
      await t.started;
      // another instance's reading: the process's poll reads it and sends it over
      await asOther(1, 0);
      await waitFor(async () => hub.view(s.instrument.id).status === 'in_use', 3000);
      // then silence beyond the heartbeat: the process's sweep marks it offline, its poll sends that over
      await asOther(2, 6000);
      await waitFor(async () => hub.view(s.instrument.id).status === 'offline', 5000);
      const swept = await k.t.database.db
        .selectFrom('terminalState')
        .select(['isOffline', 'writer'])
        .where('terminalId', '=', s.id)
        .executeTakeFirstOrThrow();
      expect(swept).toMatchObject({ isOffline: true, writer: '' });
    } finally {
      await t.stop();
    }
    // the process stopped, nothing carries another instance's write to this hub
    await asOther(3, 0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(hub.view(s.instrument.id).status).toBe('offline');
    stopLiveHub(deps);
  });

  it('is started again when it dies, and the readings the broker kept meanwhile are stored', async () => {
    const s = await setup(k);
    const config = { ...k.t.deps.config, STATS_REFRESH_MS: 0 };
    const t = startBackgroundProcess({ ...k.t.deps, config }, k.t.connection);
    try {
      await t.started;
      const first = t.pid()!;
      const c = await connectMqtt(k, s.id, s.key);
      const publish = (seq: number) =>
        c.publishAsync(
          s.topic,
          JSON.stringify(signReading(s.key, { terminal: s.id, seq, at: Date.now(), power: true, inUse: false })),
          { qos: 1 },
        );
      await publish(1);
      await waitFor(async () => (await stored(k.t, s.id)) === 1);
      process.kill(first, 'SIGKILL');
      // published while no process takes it: the broker keeps it for the persistent session
      await publish(2);
      await waitFor(async () => t.pid() !== undefined && t.pid() !== first, 5000);
      await waitFor(async () => (await stored(k.t, s.id)) === 2, 10_000);
    } finally {
      await t.stop();
    }
    expect(await stored(k.t, s.id)).toBe(2);
  });

  it("checkpoints the write-ahead log that the requests' connection leaves to it (SQLite)", async () => {
    if (k.t.database.dialect !== 'sqlite') {
      // PostgreSQL keeps its own log: nothing to checkpoint
      expect(k.t.database.checkpoint).toBeUndefined();
      return;
    }
    const file = k.t.connection.sqliteFile;
    // the connection main.ts opens when the process runs: it never checkpoints by itself
    const requests = connect({ sqliteFile: file, walCheckpoints: 'elsewhere' });
    const config = { ...k.t.deps.config, STATS_REFRESH_MS: 0 };
    const t = startBackgroundProcess({ ...k.t.deps, config }, k.t.connection);
    try {
      await t.started;
      await sql`create table if not exists wal_probe (id integer primary key, v text)`.execute(requests.db);
      // 8 rounds of 100 small transactions of 10 KB (≈ 1.8 MB of log each), a pause after each for the process
      for (let r = 0; r < 8; r++) {
        for (let n = 0; n < 100; n++)
          await requests.db
            .transaction()
            .execute((trx) => sql`insert into wal_probe (v) values (${'x'.repeat(10_000)})`.execute(trx));
        await new Promise((done) => setTimeout(done, 600));
      }
      // unchecked, the log would hold all 8 rounds (14 MB); checkpointed, the writer starts it over each round
      expect(fs.statSync(`${file}-wal`).size / 1e6).toBeLessThan(6);
    } finally {
      await t.stop();
      await requests.close();
    }
  });
});
