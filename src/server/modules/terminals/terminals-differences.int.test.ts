/**
 * 机时差异 for the departments (GET /api/terminals/differences): the bookings of the supervised organisations whose
 * results were registered in the range, registered against measured hours, only the differing by default, paged;
 * and who made an annotation, on the annotation list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../db/ids';
import { as, deptUser, makeInstrument, makeOrg } from '../../test/factories';
import { createTestApp, type TestApp } from '../../test/harness';
import { signReading } from './keys';

const MIN = 60_000;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TERMINAL_HEARTBEAT_SECONDS: '600' });
}, 30_000);
afterAll(async () => t?.close());

const iso = (x: number) => new Date(x).toISOString();
const chinaDay = (x: number) => new Date(x + 8 * 3_600_000).toISOString().slice(0, 10);

async function booking(
  o: { provider: string; consumer: string; applicant: string; instrumentId: string },
  hours: number,
  submitted = true,
) {
  const now = t.clock.now().getTime();
  const id = newId();
  await t.database.db
    .insertInto('bookings')
    .values({
      id,
      no: `D${id.slice(-10)}`,
      consumerOrgId: o.consumer,
      providerOrgId: o.provider,
      applicantId: o.applicant,
      state: submitted ? 'awaiting_settlement' : 'accepted',
      createdAt: iso(now - 60 * MIN),
      updatedAt: iso(now),
      acceptedAt: iso(now - 50 * MIN),
      resultsAt: submitted ? iso(now - 10 * MIN) : null,
    } as never)
    .execute();
  await t.database.db
    .insertInto('bookingItems')
    .values({ bookingId: id, instrumentId: o.instrumentId, sort: 1, machineHours: hours } as never)
    .execute();
  return id;
}

describe('terminals: 机时差异 for the departments', () => {
  it('lists the supervised bookings whose registered hours differ from the measured, paged; others see nothing', async () => {
    const { org, legal } = await makeOrg(t, { cityCode: '370300' });
    const consumer = await makeOrg(t);
    const admin = await as(t, legal);
    const instrument = await makeInstrument(t, org.id, { valueFen: 50_000_000 });
    const reg = await admin.post('/api/terminals', { instrumentId: instrument.id });
    expect(reg.statusCode).toBe(201);
    const { terminal, key } = reg.data as { terminal: { id: string }; key: string };
    // in use from 40 to 20 minutes ago: 20 minutes measured in each booking's test period (50 to 10 minutes ago)
    const now = t.clock.now().getTime();
    const readings = [
      [1, -40, true],
      [2, -30, true],
      [3, -20, false],
    ] as const;
    const res = await t.app.inject({
      method: 'POST',
      url: '/ingest/readings',
      payload: {
        readings: readings.map(([seq, m, inUse]) =>
          signReading(key, { terminal: terminal.id, seq, at: now + m * MIN, power: true, inUse }),
        ),
      },
    });
    expect(res.json().applied).toBe(3);
    const parties = { provider: org.id, consumer: consumer.org.id, applicant: consumer.legal.id };
    const far = await booking({ ...parties, instrumentId: instrument.id }, 3);
    const near = await booking({ ...parties, instrumentId: instrument.id }, 0.33);
    const others: string[] = [];
    for (let k = 0; k < 2; k++) others.push(await booking({ ...parties, instrumentId: instrument.id }, 5 + k));
    // hours saved at 检测结果登记 but the results not submitted: the period runs until now
    const open = await booking({ ...parties, instrumentId: instrument.id }, 4, false);

    const day = chinaDay(now);
    const range = `from=${chinaDay(now - 86_400_000)}&to=${day}`;
    const city = await as(t, await deptUser(t, '370300'));
    const list = await city.get(`/api/terminals/differences?${range}`);
    expect(list.statusCode).toBe(200);
    expect(list.data).toMatchObject({ total: 4, page: 1, truncated: false });
    const row = list.data.items.find((r: { bookingId: string }) => r.bookingId === far);
    expect(row).toMatchObject({
      instrumentId: instrument.id,
      instrumentName: instrument.name,
      providerOrgName: org.name,
      consumerOrgName: consumer.org.name,
      registeredHours: 3,
      measuredHours: 0.33,
      differs: true,
    });
    expect(list.data.items.map((r: { bookingId: string }) => r.bookingId)).not.toContain(near);
    expect(list.data.items.find((r: { bookingId: string }) => r.bookingId === open)).toMatchObject({
      registeredHours: 4,
      measuredHours: 0.33,
      periodTo: null,
      differs: true,
    });
    const all = await city.get(`/api/terminals/differences?${range}&only=all`);
    expect(all.data.total).toBe(5);
    expect(all.data.items.find((r: { bookingId: string }) => r.bookingId === near)).toMatchObject({ differs: false });
    const page2 = await city.get(`/api/terminals/differences?${range}&pageSize=3&page=2`);
    expect(page2.data).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(page2.data.items).toHaveLength(1);

    // the province sees them; another city's department, an org admin and a visitor do not
    const province = await as(t, await deptUser(t, '370000'));
    expect((await province.get(`/api/terminals/differences?${range}`)).data.total).toBeGreaterThanOrEqual(4);
    const other = await as(t, await deptUser(t, '370200'));
    expect((await other.get(`/api/terminals/differences?${range}`)).data.total).toBe(0);
    expect((await admin.get(`/api/terminals/differences?${range}`)).statusCode).toBe(403);
    // a past range is empty; bad input names the field
    expect((await city.get('/api/terminals/differences?from=2020-01-01&to=2020-01-07')).data.total).toBe(0);
    const reversed = await city.get(`/api/terminals/differences?from=${day}&to=2020-01-01`);
    expect(reversed.statusCode).toBe(422);
    expect(Object.keys(reversed.data.error.fields)).toEqual(['to']);
    const bad = await city.get(`/api/terminals/differences?${range}&only=some`);
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.data.error.fields)).toEqual(['only']);
    expect((await city.get(`/api/terminals/differences?${range}&pageSize=1000`)).statusCode).toBe(400);

    // the annotation list says who annotated and when
    const note = await admin.post(`/api/terminals/instruments/${instrument.id}/annotations`, {
      startedAt: iso(now - 40 * MIN),
      endedAt: iso(now - 30 * MIN),
      reason: 'maintenance',
    });
    expect(note.statusCode).toBe(201);
    expect(note.data).toMatchObject({ createdByName: '法人', createdAt: expect.any(String) });
    // the annotation may fall on the China day before `now` (the test may run just after midnight there)
    const usage = await admin.get(
      `/api/terminals/instruments/${instrument.id}/usage?from=${chinaDay(now - 40 * MIN)}&to=${day}`,
    );
    expect(usage.data.annotations).toEqual([
      expect.objectContaining({ reason: 'maintenance', createdByName: '法人', createdAt: note.data.createdAt }),
    ]);
  });
});
