/**
 * Live status across instances (issue 14): two app instances on one database, as two server processes behind a
 * proxy. Both have started (and their live hubs with them) before the terminal exists; it is registered and its
 * readings are taken on A; B shows the status within 2 s through the API of 我的仪器 and of the instrument page, and
 * through the server-sent events of an instrument page open on B. Runs on SQLite (two connections to one file) and
 * on PostgreSQL (one schema). Then the offline sweep of B writes the terminal's row between the moment A's ingest
 * has read it and the moment A writes it (on PostgreSQL a lock held by the test stops A in between; SQLite's
 * write transactions cannot interleave): B, which has seen the sweep's row, must still take A's.
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, makeInstrument, makeOrg } from '../../test/factories';
import { createSecondInstance, createTestApp, type TestApp } from '../../test/harness';
import { signReading } from './keys';
import { liveHub, sweepOffline } from './live';
import { waitFor } from './test-kit';

const WITHIN_MS = 2000;
let a: TestApp, b: TestApp;

beforeAll(async () => {
  a = await createTestApp({ TERMINAL_HEARTBEAT_SECONDS: '600' });
  b = await createSecondInstance(a);
  await b.app.listen({ port: 0, host: '127.0.0.1' });
}, 30_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** The events of an SSE stream on B, as they come. */
function follow(instrumentId: string) {
  const { port } = b.app.server.address() as AddressInfo;
  const ctl = new AbortController();
  const events: { status: string; lastMessageAt: string | null }[] = [];
  const done = (async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/terminals/live/stream?instrumentId=${instrumentId}`, {
      headers: { accept: 'text/event-stream' },
      signal: ctl.signal,
    });
    let buf = '';
    for await (const chunk of res.body!) {
      buf += Buffer.from(chunk).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
  })().catch(() => undefined);
  return { events, close: () => (ctl.abort(), done) };
}

describe('terminals: live status on another instance', () => {
  it('a terminal registered and heard on A shows on B (我的仪器, the instrument page, its stream) within 2 s', async () => {
    const { org, legal } = await makeOrg(a);
    const instrument = await makeInstrument(a, org.id, { valueFen: 50_000_000, state: 'listed' });
    const onA = await as(a, legal);
    const onB = await as(b, legal);
    // both instances are up and have read the live status before the terminal exists
    const before = await onB.get(`/api/terminals/live?ids=${instrument.id}`);
    expect(before.statusCode).toBe(200);
    expect(before.data.items[0]).toMatchObject({ hasTerminal: false, status: 'none' });
    expect((await onA.get(`/api/terminals/live?ids=${instrument.id}`)).statusCode).toBe(200);
    const stream = follow(instrument.id);
    await waitFor(async () => stream.events.length > 0, 5000);
    expect(stream.events[0].status).toBe('none');

    const reg = await onA.post('/api/terminals', { instrumentId: instrument.id });
    expect(reg.statusCode).toBe(201);
    const { terminal, key } = reg.data as { terminal: { id: string }; key: string };

    const send = async (seq: number, power: boolean, inUse: boolean) => {
      expect(await postReading(key, terminal.id, seq, power, inUse)).toMatchObject({ applied: 1 });
      return Date.now();
    };
    const seenOnB = async (status: string) => {
      const mine = await onB.get('/api/terminals/mine');
      const item = mine.data.items.find((i: { instrumentId: string }) => i.instrumentId === instrument.id);
      const live = await onB.get(`/api/terminals/live?ids=${instrument.id}`);
      return (
        item?.terminal?.status === status &&
        live.data.items[0].status === status &&
        stream.events.at(-1)?.status === status
      );
    };

    try {
      for (const [seq, power, inUse, status] of [
        [1, true, true, 'in_use'],
        [2, true, false, 'idle'],
        [3, false, false, 'off'],
      ] as const) {
        const sent = await send(seq, power, inUse);
        await waitFor(() => seenOnB(status), WITHIN_MS).catch(async () => {
          const mine = await onB.get('/api/terminals/mine');
          const live = await onB.get(`/api/terminals/live?ids=${instrument.id}`);
          throw new Error(
            `B did not show ${status} within ${WITHIN_MS} ms: mine ${JSON.stringify(
              mine.data.items.find((i: { instrumentId: string }) => i.instrumentId === instrument.id)?.terminal,
            )}, live ${JSON.stringify(live.data.items)}, stream ${JSON.stringify(stream.events)}`,
          );
        });
        expect(Date.now() - sent).toBeLessThan(WITHIN_MS);
      }
    } finally {
      await stream.close();
    }
  });
});

/** POSTs one signed reading to A. */
async function postReading(key: string, terminal: string, seq: number, power: boolean, inUse: boolean) {
  const at = a.clock.now().getTime();
  const res = await a.app.inject({
    method: 'POST',
    url: '/ingest/readings',
    payload: { readings: [signReading(key, { terminal, seq, at, power, inUse })] },
  });
  return res.json() as { applied: number };
}

describe('terminals: the offline sweep of one instance and the ingest of another', () => {
  it('a reading written on A after B swept the terminal offline shows on B, whatever the order of the writes', async () => {
    const { org, legal } = await makeOrg(a);
    const instrument = await makeInstrument(a, org.id, { valueFen: 50_000_000 });
    const onA = await as(a, legal);
    const onB = await as(b, legal);
    const reg = await onA.post('/api/terminals', { instrumentId: instrument.id });
    const { terminal, key } = reg.data as { terminal: { id: string }; key: string };
    const status = async () =>
      (await onB.get(`/api/terminals/live?ids=${instrument.id}`)).data.items[0].status as string;
    // switched off: no open interval, so the sweep writes only the cursor row
    expect((await postReading(key, terminal.id, 1, false, false)).applied).toBe(1);
    await waitFor(async () => (await status()) === 'off', WITHIN_MS);
    // silent for longer than the heartbeat
    a.clock.advance(601_000);

    const schema = a.connection.pgSchema;
    let lock: pg.Client | null = null;
    if (schema) {
      // A will stop at writing the intervals, after it has read the cursor row
      lock = new pg.Client({ connectionString: a.connection.databaseUrl });
      await lock.connect();
      await lock.query('begin');
      await lock.query(`lock table ${schema}.usage_intervals in share mode`);
    }
    try {
      // PostgreSQL: A reads the cursor row, then waits for the lock; SQLite: A's write comes after the sweep
      let ingest: Promise<{ applied: number }> | null = lock ? postReading(key, terminal.id, 2, true, true) : null;
      if (lock)
        await waitFor(async () => {
          const r = await lock!.query(
            `select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))`,
          );
          return r.rows[0].n > 0;
        }, 5000);
      // B sweeps it offline and has seen that
      expect(await sweepOffline(b.deps)).toBeGreaterThanOrEqual(1);
      const hubB = await liveHub(b.deps);
      await waitFor(async () => !!hubB.rows.get(instrument.id)?.isOffline, WITHIN_MS);
      await lock?.query('commit');
      ingest ??= postReading(key, terminal.id, 2, true, true);
      expect((await ingest).applied).toBe(1);
      const sent = Date.now();
      await waitFor(async () => (await status()) === 'in_use', WITHIN_MS).catch(() => {
        throw new Error(`B still shows ${JSON.stringify(hubB.rows.get(instrument.id))}`);
      });
      expect(Date.now() - sent).toBeLessThan(WITHIN_MS);
    } finally {
      await lock?.end();
    }
  });
});
