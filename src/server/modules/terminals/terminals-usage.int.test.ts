import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids';
import { Client, type TestApp } from '../../test/harness';
import { as, deptUser, makeInstrument, makeOrg } from '../../test/factories';
import { catalogueStatus } from '../catalogue/feed';
import { seedDemoTerminals } from './demo-history';
import { signReading } from './keys';
import { shanghaiDay } from '../../../domain/terminal-usage';
import { dayPlan } from './simulation';
import { intervals, MIN, setup, startKit, stopKit, stored, waitFor, type Kit } from './test-kit';

let k: Kit;
let t: TestApp;
beforeAll(async () => {
  k = await startKit();
  t = k.t;
}, 30_000);
afterAll(async () => stopKit(k));

describe('terminals: HTTP ingest', () => {
  it('applies signed readings once, refuses the rest, names bad fields', async () => {
    const s = await setup(k);
    const now = t.clock.now().getTime();
    const r1 = signReading(s.key, { terminal: s.id, seq: 1, at: now - 2 * MIN, power: true, inUse: true });
    const r2 = signReading(s.key, { terminal: s.id, seq: 2, at: now - MIN, power: true, inUse: false });
    const post = (...readings: unknown[]) =>
      t.app.inject({ method: 'POST', url: '/ingest/readings', payload: { readings } });
    const ok = await post(r1, r2, r1);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ applied: 2, duplicates: 1, refused: 0 });
    expect((await post(r2)).json()).toMatchObject({ applied: 0, duplicates: 1 });
    const forged = await post({ ...r2, seq: 3 });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('TERMINAL_REFUSED');
    const unknown = await post({ ...r2, terminal: 'T000000000000' });
    expect(unknown.statusCode).toBe(403);
    const bad = await post({ ...r2, seq: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields ?? {})).toEqual(['readings.0.seq']);
    expect((await post({ ...r2, terminal: 'T\u0000' })).statusCode).toBe(400);
    expect(await stored(t, s.id)).toBe(2);
    const i = await intervals(t, s.instrument.id, now);
    expect(i).toEqual([
      ['in_use', -2, -1, 'closed'],
      ['powered', -2, -1, 'open'],
    ]);
    // one reading per request: each continues from the cursor the previous one stored
    const one = (seq: number, seconds: number, power: boolean, inUse: boolean) =>
      post(signReading(s.key, { terminal: s.id, seq, at: now + seconds * 1000, power, inUse }));
    expect((await one(3, -30, true, true)).json().applied).toBe(1);
    expect((await one(4, -18, true, true)).json().applied).toBe(1);
    expect((await one(5, -12, false, false)).json().applied).toBe(1);
    expect(await intervals(t, s.instrument.id, now)).toEqual([
      ['in_use', -2, -1, 'closed'],
      ['in_use', -0.5, -0.2, 'closed'],
      ['powered', -2, -0.2, 'closed'],
    ]);
  });
});

describe('terminals: bookings, the difference flag and annotations', () => {
  it('in-use time inside an accepted booking counts as (external) service; a difference is shown to both parties', async () => {
    const s = await setup(k);
    const consumer = await makeOrg(t);
    const now = t.clock.now().getTime();
    const bookingId = newId();
    const iso = (x: number) => new Date(x).toISOString();
    await t.database.db
      .insertInto('bookings')
      .values({
        id: bookingId,
        no: `T${bookingId.slice(-10)}`,
        consumerOrgId: consumer.org.id,
        providerOrgId: s.org.id,
        applicantId: consumer.legal.id,
        state: 'accepted',
        createdAt: iso(now - 60 * MIN),
        updatedAt: iso(now - 60 * MIN),
        acceptedAt: iso(now - 30 * MIN),
      } as never)
      .execute();
    await t.database.db
      .insertInto('bookingItems')
      .values({ bookingId, instrumentId: s.instrument.id, sort: 1, machineHours: 2 } as never)
      .execute();
    const readings = [
      [1, -40, true, true],
      [2, -33, true, true],
      [3, -26, true, true],
      [4, -20, true, false],
    ] as const;
    const res = await t.app.inject({
      method: 'POST',
      url: '/ingest/readings',
      payload: {
        readings: readings.map(([seq, m, power, inUse]) =>
          signReading(s.key, { terminal: s.id, seq, at: now + m * MIN, power, inUse }),
        ),
      },
    });
    expect(res.json().applied).toBe(4);
    const daily = await t.database.db
      .selectFrom('instrumentUsageDaily')
      .selectAll()
      .where('instrumentId', '=', s.instrument.id)
      .execute();
    const sum = (k: 'inUseSeconds' | 'serviceSeconds' | 'externalServiceSeconds') =>
      daily.reduce((n, d) => n + Number(d[k]), 0);
    expect([sum('inUseSeconds'), sum('serviceSeconds'), sum('externalServiceSeconds')]).toEqual([1200, 600, 600]);

    const consumerClient = await as(t, consumer.legal);
    const view = await consumerClient.get(`/api/terminals/bookings/${bookingId}/usage`);
    expect(view.statusCode).toBe(200);
    expect(view.data.items[0]).toMatchObject({ registeredHours: 2, measuredHours: 0.17, differs: true });
    expect((await s.admin.get(`/api/terminals/bookings/${bookingId}/usage`)).data.items[0].differs).toBe(true);
    const dept = await as(t, await deptUser(t, '370100'));
    expect((await dept.get(`/api/terminals/bookings/${bookingId}/usage`)).statusCode).toBe(200);
    const stranger = await as(t, (await makeOrg(t)).legal);
    expect((await stranger.get(`/api/terminals/bookings/${bookingId}/usage`)).statusCode).toBe(404);

    // an annotation is kept beside the measured data, audited, and changes nothing measured
    const before = await intervals(t, s.instrument.id, now);
    const note = await s.admin.post(`/api/terminals/instruments/${s.instrument.id}/annotations`, {
      startedAt: iso(now - 40 * MIN),
      endedAt: iso(now - 20 * MIN),
      reason: 'calibration',
      note: '年度校准',
    });
    expect(note.statusCode).toBe(201);
    expect(await intervals(t, s.instrument.id, now)).toEqual(before);
    const bad = await s.admin.post(`/api/terminals/instruments/${s.instrument.id}/annotations`, {
      startedAt: iso(now),
      endedAt: iso(now - MIN),
      reason: 'calibration',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.data.error.fields.endedAt).toBeTruthy();
    const audit = await t.database.db
      .selectFrom('auditLog')
      .select('action')
      .where('subjectId', '=', s.instrument.id)
      .where('action', '=', 'terminal.annotate')
      .execute();
    expect(audit).toHaveLength(1);
    // from the China day of the annotation's start (the test may run just after midnight there) to today
    const chinaDay = (x: number) => new Date(x + 8 * 3_600_000).toISOString().slice(0, 10);
    const range = `from=${chinaDay(now - 40 * MIN)}&to=${chinaDay(now)}`;
    const u = await consumerClient.get(`/api/terminals/instruments/${s.instrument.id}/usage?${range}`);
    expect(u.statusCode).toBe(404);
    const own = await s.admin.get(`/api/terminals/instruments/${s.instrument.id}/usage?${range}`);
    expect(own.data.annotations).toHaveLength(1);
  });
});

describe('terminals: live status in the catalogue', () => {
  it('filters for instruments idle now; a status change rebuilds nothing and moves no change-feed number', async () => {
    const s = await setup(k);
    const idle = async () =>
      ((await s.admin.get('/api/catalogue/instruments?idle=now&pageSize=100')).data.items as { id: string }[]).map(
        (i) => i.id,
      );
    expect(await idle()).not.toContain(s.instrument.id);
    const seqBefore = catalogueStatus(t.database.db).seq;
    const now = t.clock.now().getTime();
    const send = (seq: number, inUse: boolean) =>
      t.app.inject({
        method: 'POST',
        url: '/ingest/readings',
        payload: { readings: [signReading(s.key, { terminal: s.id, seq, at: now + seq, power: true, inUse })] },
      });
    await send(1, false);
    await waitFor(async () => (await idle()).includes(s.instrument.id));
    await send(2, true);
    await waitFor(async () => !(await idle()).includes(s.instrument.id));
    const live = await new Client(t.app).get(`/api/terminals/live?ids=${s.instrument.id}`);
    expect(live.data.items[0]).toMatchObject({ status: 'in_use', needsTerminal: true, hasTerminal: true });
    expect(catalogueStatus(t.database.db).seq).toBe(seqBefore);
  });
});

describe('terminals: demo history', () => {
  it('a week of simulated history gives daily machine hours, the same on every run', async () => {
    const { org } = await makeOrg(t);
    const top = await makeInstrument(t, org.id, { valueFen: 900_000_000_000 });
    expect(await seedDemoTerminals(t.deps, 1)).toBe(1);
    const daily = await t.database.db
      .selectFrom('instrumentUsageDaily')
      .selectAll()
      .where('instrumentId', '=', top.id)
      .orderBy('day')
      .execute();
    const terminal = await t.database.db
      .selectFrom('terminals')
      .select('id')
      .where('instrumentId', '=', top.id)
      .executeTakeFirstOrThrow();
    // every past day of the week whose plan has a session the terminal reported (not all in a silent spell) has
    // measured hours; which days those are depends on the terminal's id and the weekday, so they come from the plan
    const now = t.clock.now().getTime();
    const reported = (p: ReturnType<typeof dayPlan>) =>
      p.sessions.some(([a, b]) => b <= now && !(p.silent && a >= p.silent[0] && b <= p.silent[1]));
    const planned = [1, 2, 3, 4, 5, 6]
      .map((k) => shanghaiDay(now - k * 86_400_000))
      .filter((day) => reported(dayPlan(terminal.id, day)));
    expect(planned.length).toBeGreaterThan(0);
    const measured = new Set(daily.filter((d) => Number(d.inUseSeconds) > 0).map((d) => d.day));
    for (const day of planned) expect(measured, day).toContain(day);
    expect(daily.reduce((n, d) => n + Number(d.inUseSeconds), 0)).toBeGreaterThan(3600);
    for (const d of daily) expect(Number(d.inUseSeconds)).toBeLessThanOrEqual(Number(d.poweredSeconds));
    const day = daily[0].day;
    expect(dayPlan(terminal.id, day)).toEqual(dayPlan(terminal.id, day));
  }, 60_000);
});
