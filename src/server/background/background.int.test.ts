/**
 * The background thread against a real Mosquitto, on the test's own database: a terminal's reading published to the
 * broker is stored by the thread's ingest, sent to the main thread's live hub and counted in its /metrics; the
 * thread's statistics refresher turns the measured day into the instrument's aggregates; stopping it ends the thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../domain/instrument';
import { signReading } from '../modules/terminals/keys';
import { liveHub, writerOf } from '../modules/terminals/live';
import {
  connect as connectMqtt,
  setup,
  startKit,
  stopKit,
  stored,
  waitFor,
  type Kit,
} from '../modules/terminals/test-kit';
import { startBackgroundThread, type BackgroundThread } from './thread';

let k: Kit;
let thread: BackgroundThread | undefined;

beforeAll(async () => {
  // the kit's in-process ingest is not started, and the app's own refresher is off: only the thread's run
  k = await startKit({ inProcessIngest: false, env: { STATS_REFRESH_MS: '0' } });
});
afterAll(async () => {
  await thread?.stop();
  await stopKit(k);
});

const metric = async (outcome: string) => {
  const text = (await k.t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`terminal_messages_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('the background thread', () => {
  it('stores a published reading, counts it in the main thread, refreshes the aggregates, and stops', async () => {
    const s = await setup(k);
    // the main thread's live hub, running before the thread writes
    const hub = await liveHub(k.t.deps);
    const config = { ...k.t.deps.config, STATS_REFRESH_MS: 200 };
    thread = startBackgroundThread({ ...k.t.deps, config }, k.t.connection);
    await thread.started;
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
    // the thread writes the status under the main thread's name, which the hub's poll skips: the hub has it because
    // the thread sent it
    const state = await k.t.database.db
      .selectFrom('terminalState')
      .select(['writer', 'lastAt'])
      .where('terminalId', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(state.writer).toBe(writerOf(k.t.database));
    await waitFor(async () => hub.rows.get(s.instrument.id)?.lastAt === state.lastAt, 2000);
    expect(hub.view(s.instrument.id)).toMatchObject({ status: 'idle', lastMessageAt: state.lastAt });
    // the thread sends its counts once a second
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
    await thread.stop();
    thread = undefined;
    // stopped: a reading published now waits with the broker
    await c.publishAsync(
      s.topic,
      JSON.stringify(signReading(s.key, { terminal: s.id, seq: 3, at: Date.now(), power: true, inUse: false })),
      { qos: 1 },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored(k.t, s.id)).toBe(2);
  });
});
