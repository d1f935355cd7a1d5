/**
 * The evaluation settings through the API (who may change them, the field named in a refusal, the audit), and the
 * roll-ups the department dashboards read (slices.ts): they answer as the scans of the rows they replace do, and
 * the idle list follows a change of the settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../../domain/instrument';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { as, deptUser, makeInstrument } from '../../test/factories';
import { bookingWorld, driveTo, driveWith, ok, type World } from '../bookings/testing';
import { refreshStats } from './aggregates';
import { DEFAULT_SETTINGS } from './settings';

let t: TestApp;
let w: World;
let year: number;
let province: Client;
let zibo: Client;
const refresh = () => refreshStats(t.database.db, t.clock.now(), { settleMs: 0 });
const board = async (c: Client, q = '', path = '/api/sharing/dashboard') =>
  ok(await c.get(`${path}?year=${year}${q}`)).data;

beforeAll(async () => {
  t = await createTestApp({ STATS_REFRESH_MS: '0' });
  w = await bookingWorld(t);
  year = Number(shanghaiDate(t.clock.now()).slice(0, 4));
  province = await as(t, await deptUser(t, '370000'));
  zibo = await as(t, await deptUser(t, '370300'));
  const day = shanghaiDate(t.clock.now());
  const row = {
    instrumentId: w.instruments[0],
    day,
    poweredSeconds: 7200,
    inUseSeconds: 3600,
    serviceSeconds: 1800,
    externalServiceSeconds: 1800,
    updatedAt: t.clock.now().toISOString(),
  };
  await t.database.db.insertInto('instrumentUsageDaily').values(row).execute();
  await driveTo(t, w, 'completed');
  await refresh();
});
afterAll(async () => {
  await t?.close();
});

describe('evaluation settings', () => {
  it('the province reads and saves them; a city bureau and an organisation may not', async () => {
    expect(ok(await province.get('/api/sharing/settings')).data).toEqual(DEFAULT_SETTINGS);
    const body = { ...DEFAULT_SETTINGS, idleMonths: 3 };
    expect((await zibo.put('/api/sharing/settings', body)).statusCode).toBe(403);
    expect((await w.provider.admin.put('/api/sharing/settings', body)).statusCode).toBe(403);
    expect((await w.provider.admin.get('/api/sharing/settings')).statusCode).toBe(403);
  });

  it('a bad value is refused naming its field, and nothing is saved', async () => {
    const res = await province.put('/api/sharing/settings', {
      ...DEFAULT_SETTINGS,
      idleMonths: 0,
      generalQuotaHours: 9000,
      specialCategoryPrefixes: ['1a'],
    });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.data.error.fields)).toEqual(
      expect.arrayContaining(['idleMonths', 'generalQuotaHours', 'specialCategoryPrefixes.0']),
    );
    expect(ok(await province.get('/api/sharing/settings')).data).toEqual(DEFAULT_SETTINGS);
  });

  it('a change is saved, audited, and the idle list follows it after the next pass', async () => {
    const before = (await board(province)).idle;
    expect(before.months).toBe(DEFAULT_SETTINGS.idleMonths);
    const body = { ...DEFAULT_SETTINGS, idleMonths: 2, idleThresholdBp: 10_000, generalQuotaHours: 1200 };
    expect(ok(await province.put('/api/sharing/settings', body)).data).toEqual(body);
    const audit = await t.database.db
      .selectFrom('auditLog')
      .select(['action', 'subjectId'])
      .where('action', '=', 'sharing.settings')
      .execute();
    expect(audit).toEqual([{ action: 'sharing.settings', subjectId: 'stats.settings' }]);
    // before the pass the kept list is stale: the dashboard scans; after it, the kept list answers the same
    const scanned = (await board(province)).idle;
    await refresh();
    const kept = (await board(province)).idle;
    expect(kept).toEqual(scanned);
    expect(kept).toMatchObject({ months: 2, thresholdBp: 10_000 });
    // the third organisation's instrument has no booking and no usage: idle
    expect(kept.items.map((i: { instrumentId: string }) => i.instrumentId)).toContain(w.otherOrgInstrument);
    expect(kept.items.map((i: { instrumentId: string }) => i.instrumentId)).not.toContain(w.instruments[0]);
  });
});

describe('the roll-ups answer as the rows they replace', () => {
  it('a city and type, a class and a subclass: the same figures as the organisation sees of its own', async () => {
    for (const q of ['', '&category=01', '&category=0103']) {
      const own = await board(w.provider.admin, q, '/api/sharing/org-dashboard');
      const sliced = await board(province, `&city=370300&orgType=university${q}`);
      expect(sliced.summary).toEqual(own.summary);
      expect(sliced.trend).toEqual(own.trend);
      expect(sliced.orgs).toEqual(own.orgs);
      expect(sliced.instruments).toEqual(own.instruments);
      if (!q) expect(own.instruments.map((i: { instrumentId: string }) => i.instrumentId)).toContain(w.instruments[0]);
      expect(sliced.idle).toEqual(own.idle);
      expect((await board(zibo, `&orgType=university${q}`)).summary).toEqual(own.summary);
    }
  });

  it('an instrument moved to another category class leaves both classes’ slices right after a pass', async () => {
    const moved = w.instruments[1];
    await t.database.db
      .updateTable('instruments')
      .set({ categoryCode: '020101', updatedAt: t.clock.now().toISOString() })
      .where('id', '=', moved)
      .execute();
    await t.database.db
      .insertInto('instrumentUsageDaily')
      .values({
        instrumentId: moved,
        day: shanghaiDate(t.clock.now()),
        poweredSeconds: 5400,
        inUseSeconds: 3600,
        serviceSeconds: 0,
        externalServiceSeconds: 0,
        updatedAt: t.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(['instrumentId', 'day']).doUpdateSet({ inUseSeconds: 3600 }))
      .execute();
    await refresh();
    for (const q of ['&category=01', '&category=02', '&category=0201', '']) {
      const own = await board(w.provider.admin, q, '/api/sharing/org-dashboard');
      const sliced = await board(province, `&city=370300&orgType=university${q}`);
      expect(sliced.summary).toEqual(own.summary);
      expect(sliced.orgs).toEqual(own.orgs);
    }
    const inTwo = await board(w.provider.admin, '&category=02', '/api/sharing/org-dashboard');
    expect(inTwo.instruments.map((i: { instrumentId: string }) => i.instrumentId)).toEqual([moved]);
  });

  it('a listing change reaches the counts with the next pass', async () => {
    const before = (await board(province)).summary.instruments;
    await t.database.db
      .updateTable('instruments')
      .set({ state: 'draft', updatedAt: t.clock.now().toISOString() })
      .where('id', '=', w.otherOrgInstrument)
      .execute();
    await refresh();
    const after = await board(province);
    expect(after.summary.instruments).toBe(before - 1);
    expect(after.idle.items.map((i: { instrumentId: string }) => i.instrumentId)).not.toContain(w.otherOrgInstrument);
  });

  it('a new listed instrument joins the kept idle list with the next pass, and leaves it once booked', async () => {
    const ids = (idle: { items: { instrumentId: string }[] }) => idle.items.map((i) => i.instrumentId);
    const stored = async () =>
      (await t.database.db.selectFrom('statsIdle').select('instrumentId').where('year', '=', String(year)).execute())
        .map((r) => r.instrumentId)
        .sort();
    const before = (await board(province)).idle;
    const fresh = await makeInstrument(t, w.third.org.id, { name: '电感耦合等离子体质谱仪', model: 'NexION 2000' });
    await refresh();
    const listed = (await board(province)).idle;
    expect(listed.count).toBe(before.count + 1);
    expect(ids(listed)).toContain(fresh.id);
    expect(await stored()).toEqual([...ids(before), fresh.id].sort());
    await driveWith(t, {
      by: w.consumer.member,
      providerAdmin: w.third.admin,
      instruments: [fresh.id],
      until: 'submitted',
    });
    await refresh();
    const booked = (await board(province)).idle;
    expect(booked.count).toBe(before.count);
    expect(ids(booked)).not.toContain(fresh.id);
    expect(await stored()).toEqual(ids(before).sort());
  });
});
