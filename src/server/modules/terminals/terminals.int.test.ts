import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/harness';
import { addMember, as, deptUser, makeInstrument, makeOrg } from '../../test/factories';
import { signReading } from './keys';
import { sweepOffline } from './live';
import { MqttIngest } from './mqtt';
import { connect, intervals, MIN, setup, startKit, stopKit, stored, waitFor, type Kit } from './test-kit';

let k: Kit;
let t: TestApp;
beforeAll(async () => {
  k = await startKit();
  t = k.t;
}, 30_000);
afterAll(async () => stopKit(k));

describe('terminals: registration', () => {
  it('an org admin registers, rotates and disables; the key is shown only then; others are refused', async () => {
    const s = await setup(k);
    const mine = await s.admin.get('/api/terminals/mine');
    expect(mine.statusCode).toBe(200);
    const item = mine.data.items.find((i: { instrumentId: string }) => i.instrumentId === s.instrument.id);
    expect(item).toMatchObject({ needsTerminal: true, terminal: { id: s.id, isDisabled: false } });
    expect(JSON.stringify(mine.data)).not.toContain(s.key);
    expect((await s.admin.post('/api/terminals', { instrumentId: s.instrument.id })).statusCode).toBe(409);

    const rotated = await s.admin.post(`/api/terminals/${s.id}/rotate`);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.data.key).not.toBe(s.key);
    expect(rotated.data.terminal.keyVersion).toBe(2);

    // a member (not an admin) and another organisation's admin
    const member = await as(t, await addMember(t, s.org.id, 'member'));
    expect((await member.post(`/api/terminals/${s.id}/disable`)).statusCode).toBe(403);
    const other = await makeOrg(t);
    const otherAdmin = await as(t, other.legal);
    expect((await otherAdmin.post(`/api/terminals/${s.id}/disable`)).statusCode).toBe(404);
    expect((await otherAdmin.post('/api/terminals', { instrumentId: s.instrument.id })).statusCode).toBe(404);

    expect((await s.admin.post(`/api/terminals/${s.id}/disable`)).data.isDisabled).toBe(true);
    expect((await s.admin.post(`/api/terminals/${s.id}/disable`)).statusCode).toBe(409);
    const audit = await t.database.db
      .selectFrom('auditLog')
      .select('action')
      .where('subjectId', '=', s.id)
      .orderBy('at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['terminal.register', 'terminal.rotate_key', 'terminal.disable']);

    const cheap = await makeInstrument(t, s.org.id, { valueFen: 1_000_000 });
    const after = await s.admin.get('/api/terminals/mine');
    expect(after.data.items.find((i: { instrumentId: string }) => i.instrumentId === cheap.id).needsTerminal).toBe(
      false,
    );

    const dept = await as(t, await deptUser(t, '370100'));
    const cov = await dept.get('/api/terminals/coverage');
    expect(cov.data.items.find((i: { orgId: string }) => i.orgId === s.org.id)).toMatchObject({
      needing: 1,
      covered: 0,
      terminals: 1,
    });
  });
});

describe('terminals: MQTT ingest and intervals', () => {
  it('duplicates, reordering, a gap and the offline cut', async () => {
    const s = await setup(k);
    const c = await connect(k, s.id, s.key);
    const base = t.clock.now().getTime() - 60 * MIN;
    const send = async (seq: number, minute: number, power: boolean, inUse: boolean) =>
      c.publishAsync(
        s.topic,
        JSON.stringify(signReading(s.key, { terminal: s.id, seq, at: base + minute * MIN, power, inUse })),
        { qos: 1 },
      );
    await send(1, 0, true, false);
    await send(2, 1, true, true);
    await send(2, 1, true, true); // a repeat
    await send(4, 3, true, false); // 3 comes after 4
    await waitFor(async () => (await stored(t, s.id)) === 3);
    await send(3, 2, true, true);
    await waitFor(async () => (await stored(t, s.id)) === 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(await intervals(t, s.instrument.id, base)).toEqual([
      ['in_use', 1, 3, 'closed'],
      ['powered', 0, 3, 'open'],
    ]);
    // a gap beyond the heartbeat (10 min) cuts at the last reading
    await send(5, 20, true, true);
    await send(6, 21, true, true);
    await waitFor(async () => (await stored(t, s.id)) === 6);
    await new Promise((r) => setTimeout(r, 200));
    expect(await intervals(t, s.instrument.id, base)).toEqual([
      ['in_use', 1, 3, 'closed'],
      ['in_use', 20, 21, 'open'],
      ['powered', 0, 3, 'cut'],
      ['powered', 20, 21, 'open'],
    ]);
    const late = await t.database.db
      .selectFrom('terminalMessages')
      .select(['seq', 'isLate'])
      .where('terminalId', '=', s.id)
      .where('isLate', '=', true)
      .execute();
    expect(late.map((m) => Number(m.seq))).toEqual([3]);

    // live status, then silence: offline, the open intervals cut at the last reading
    const live = async () =>
      (await s.admin.get(`/api/terminals/live?ids=${s.instrument.id}`)).data.items[0] as { status: string };
    await waitFor(async () => (await live()).status === 'in_use');
    t.clock.advance(11 * MIN);
    expect(await sweepOffline(t.deps)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await live()).status === 'offline');
    expect((await intervals(t, s.instrument.id, base)).filter((i) => i[1] === 20)).toEqual([
      ['in_use', 20, 21, 'cut'],
      ['powered', 20, 21, 'cut'],
    ]);
    t.clock.advance(-11 * MIN);

    // daily totals of the Shanghai day(s) touched: 3 + 1 minutes powered, 2 + 1 in use
    const daily = await t.database.db
      .selectFrom('instrumentUsageDaily')
      .selectAll()
      .where('instrumentId', '=', s.instrument.id)
      .execute();
    expect(daily.reduce((n, d) => n + Number(d.poweredSeconds), 0)).toBe(4 * 60);
    expect(daily.reduce((n, d) => n + Number(d.inUseSeconds), 0)).toBe(3 * 60);
  });

  it('refuses unknown, disabled, wrongly signed and misaddressed readings, and counts them', async () => {
    const a = await setup(k);
    const b = await setup(k);
    const ca = await connect(k, a.id, a.key);
    const now = t.clock.now().getTime();
    const reading = (seq: number, terminal = a.id, key = a.key) =>
      JSON.stringify(signReading(key, { terminal, seq, at: now, power: true, inUse: false }));
    await ca.publishAsync(a.topic, reading(1, a.id, 'not-the-key'), { qos: 1 }); // wrong HMAC
    await ca.publishAsync(a.topic, reading(2, b.id, b.key), { qos: 1 }); // names another terminal
    await ca.publishAsync(a.topic, '{"terminal":', { qos: 1 }); // not JSON
    await ca.publishAsync(a.topic, reading(6, 'T\u0000x'), { qos: 1 }); // NUL: refused before SQL (PostgreSQL)
    await ca.publishAsync(b.topic, reading(3, b.id, b.key), { qos: 1 }); // the broker's ACL drops it
    await expect(connect(k, a.id, 'wrong-password')).rejects.toThrow();
    await ca.publishAsync(a.topic, reading(4), { qos: 1 }); // the one good reading
    await waitFor(async () => (await stored(t, a.id)) === 1);
    await a.admin.post(`/api/terminals/${a.id}/disable`);
    await ca.publishAsync(a.topic, reading(5), { qos: 1 }); // disabled
    const metric = async () => {
      const m = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
      const get = (o: string) =>
        Number(new RegExp(`terminal_messages_total\\{outcome="${o}"\\} (\\d+)`).exec(m.body)?.[1] ?? 0);
      return {
        signature: get('signature'),
        topic: get('topic'),
        malformed: get('malformed'),
        disabled: get('disabled'),
      };
    };
    await waitFor(async () => (await metric()).disabled >= 1);
    expect(await metric()).toMatchObject({ signature: 1, topic: 1, malformed: 2, disabled: 1 });
    expect(await stored(t, a.id)).toBe(1);
    expect(await stored(t, b.id)).toBe(0);
  });
});

describe('terminals: restart', () => {
  it('readings published while the platform is away are delivered after it comes back', async () => {
    const s = await setup(k);
    const c = await connect(k, s.id, s.key);
    await k.ingest!.stop();
    const now = t.clock.now().getTime();
    for (let seq = 1; seq <= 20; seq++)
      await c.publishAsync(
        s.topic,
        JSON.stringify(
          signReading(s.key, { terminal: s.id, seq, at: now - (30 - seq) * 1000, power: true, inUse: false }),
        ),
        { qos: 1 },
      );
    expect(await stored(t, s.id)).toBe(0);
    k.ingest = new MqttIngest(t.deps);
    await k.ingest.start();
    await waitFor(async () => (await stored(t, s.id)) === 20);
  });
});
