/**
 * Indicators from a fixture of bookings and measured usage, through the HTTP API: the sums after the aggregates read
 * the change feeds, after late and corrected usage, and who sees which figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../../domain/instrument';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { as, deptUser } from '../../test/factories';
import { bookingWorld, driveTo, ok, type World } from '../bookings/testing';
import { monthsOf } from '../../../domain/sharing-indicators';
import { rebuildStats, refreshStats } from './aggregates';

let t: TestApp;
let w: World;
let year: number;
let month: string;
let jinan: Client;
let zibo: Client;
let province: Client;

const H = 3600;
async function usage(instrumentId: string, day: string, inUse: number, external: number, at = t.clock.now()) {
  const row = {
    instrumentId,
    day,
    poweredSeconds: inUse + H,
    inUseSeconds: inUse,
    serviceSeconds: external,
    externalServiceSeconds: external,
    updatedAt: at.toISOString(),
  };
  await t.database.db
    .insertInto('instrumentUsageDaily')
    .values(row)
    .onConflict((oc) => oc.columns(['instrumentId', 'day']).doUpdateSet(row))
    .execute();
}
const refresh = () => refreshStats(t.database.db, t.clock.now(), { settleMs: 0 });
const board = async (c: Client, path = '/api/sharing/org-dashboard', q = '') =>
  ok(await c.get(`${path}?year=${year}${q}`)).data;

beforeAll(async () => {
  t = await createTestApp({ STATS_REFRESH_MS: '0' });
  w = await bookingWorld(t);
  const today = shanghaiDate(t.clock.now());
  year = Number(today.slice(0, 4));
  month = today.slice(0, 7);
  jinan = await as(t, await deptUser(t, '370100'));
  zibo = await as(t, await deptUser(t, '370300'));
  province = await as(t, await deptUser(t, '370000'));
  // instrument A has a terminal: 10 h in use this month, 2 h of it for other organisations; B has none
  await usage(w.instruments[0], `${month}-01`, 10 * H, 2 * H);
  const id = await driveTo(t, w, 'completed');
  ok(await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 4, comment: '很好' }));
  await refresh();
});
afterAll(async () => {
  await t?.close();
});

describe('indicators of the provider', () => {
  it('sums measured and registered hours, services, income and ratings by their definitions', async () => {
    const d = await board(w.provider.admin);
    expect(d.scope).toBe('org');
    // A: measured 10 h (2 h external); B: registered 2.5 h, all external (another organisation booked it)
    expect(d.summary).toMatchObject({
      runHours: 12.5,
      effectiveHours: 12.5,
      externalHours: 4.5,
      shareRateBp: 3600,
      services: 2,
      externalServices: 2,
      servedOrgs: 1,
      // 2 × (2.5 h × ¥300 + 3 × ¥50.50) + ¥100 other fee
      incomeFen: 190_300,
      externalIncomeFen: 190_300,
      avgRatingCenti: 400,
      ratingCount: 2,
      instruments: 2,
      measuredInstruments: 1,
      declared: 2,
      listedAbove: 2,
      openRateBp: 10_000,
      quotaHours: 2800,
      quotaUseBp: 45,
    });
    const m = d.trend.find((r: { month: string }) => r.month === month);
    expect(m).toMatchObject({ runHours: 12.5, externalHours: 4.5, services: 2, incomeFen: 190_300 });
    expect(d.trend).toHaveLength(12);
    expect(d.instruments.map((i: { effectiveHours: number }) => i.effectiveHours)).toEqual([10, 2.5]);
  });

  it('the definitions are served with the figures', async () => {
    const defs = ok(await w.provider.admin.get('/api/sharing/definitions')).data;
    expect(defs.map((d: { key: string }) => d.key)).toContain('shareRate');
  });
});

describe('late and corrected data', () => {
  it('a day measured late, then corrected, ends in the right sums; a replay changes nothing', async () => {
    // two days late: written now for the 2nd of the month
    await usage(w.instruments[0], `${month}-02`, 5 * H, 1 * H);
    await refresh();
    expect((await board(w.provider.admin)).summary).toMatchObject({ runHours: 17.5, externalHours: 5.5 });
    // the ingest corrects the 1st downwards (the interval was shorter)
    t.clock.advance(1000);
    await usage(w.instruments[0], `${month}-01`, 6 * H, 1 * H);
    await refresh();
    const d = await board(w.provider.admin);
    expect(d.summary).toMatchObject({ runHours: 13.5, effectiveHours: 13.5, externalHours: 4.5, shareRateBp: 3333 });
    // a writer that stamped its row before a pass and committed after it: the settle horizon leaves the row's
    // instant to the next pass, which reads it
    const stamped = t.clock.now();
    await refreshStats(t.database.db, new Date(stamped.getTime() + 1000), { settleMs: 2000 });
    await usage(w.instruments[1], `${month}-03`, 4 * H, 0, stamped);
    await refreshStats(t.database.db, new Date(stamped.getTime() + 3000), { settleMs: 2000 });
    const after = await board(w.provider.admin);
    // B now has a terminal: measured 4 h in use replaces its registered 2.5 h as running hours
    expect(after.summary).toMatchObject({ runHours: 15, effectiveHours: 15, externalHours: 2, measuredInstruments: 2 });
    const rows = await t.database.db
      .selectFrom('statsInstrumentPeriod')
      .selectAll()
      .orderBy('instrumentId')
      .orderBy('period')
      .execute();
    await t.database.db.deleteFrom('statsFeed').execute();
    await refresh();
    const again = await t.database.db
      .selectFrom('statsInstrumentPeriod')
      .selectAll()
      .orderBy('instrumentId')
      .orderBy('period')
      .execute();
    expect(again.map(({ updatedAt: _u, ...r }) => r)).toEqual(rows.map(({ updatedAt: _u, ...r }) => r));
  });

  it('a rebuild from the sources (a new installation, the bench) ends in the rows the feed passes kept', async () => {
    const tables = [
      'statsInstrumentPeriod',
      'statsOrgPeriod',
      'statsServed',
      'statsSlicePeriod',
      'statsSliceInstruments',
      'statsOrgCat',
      'statsIdle',
    ] as const;
    const read = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of tables) {
        const rows = (await t.database.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
        out[table] = rows
          .map(({ updatedAt: _u, ...r }) => JSON.stringify(r, Object.keys(r).sort()))
          .sort()
          .map((r) => JSON.parse(r) as unknown);
      }
      return out;
    };
    const kept = await read();
    expect(kept.statsInstrumentPeriod.length).toBeGreaterThan(2);
    expect(kept.statsOrgPeriod.length).toBeGreaterThan(1);
    for (const table of tables) await t.database.db.deleteFrom(table).execute();
    await rebuildStats(t.database.db, t.clock.now(), monthsOf(year));
    expect(await read()).toEqual(kept);
  });
});

describe('privacy', () => {
  it('an organisation sees only its own figures', async () => {
    const d = await board(w.consumer.admin);
    expect(d.summary.services).toBe(0);
    expect(d.orgs).toEqual([]);
    expect(d.instruments).toEqual([]);
    expect(JSON.stringify(d)).not.toContain(w.provider.org.name);
    // the department dashboard is not for organisations
    expect((await w.provider.admin.get(`/api/sharing/dashboard?year=${year}`)).statusCode).toBe(403);
    expect((await w.provider.member.get(`/api/sharing/org-dashboard?year=${year}`)).statusCode).toBe(403);
  });

  it('a city bureau sees its organisations only; the province all', async () => {
    const own = await board(zibo, '/api/sharing/dashboard');
    expect(own.scope).toBe('city');
    expect(own.summary.services).toBe(2);
    expect(own.orgs.map((o: { name: string }) => o.name)).toEqual([w.provider.org.name]);
    const other = await board(jinan, '/api/sharing/dashboard');
    expect(other.summary.services).toBe(0);
    expect(JSON.stringify(other)).not.toContain(w.provider.org.name);
    // a city filter cannot widen a city's scope
    expect((await board(jinan, '/api/sharing/dashboard', '&city=370300')).summary.services).toBe(0);
    const all = await board(province, '/api/sharing/dashboard');
    expect(all.summary).toMatchObject({ services: 2, servedOrgs: 1 });
    expect(all.cities.map((c: { cityName: string }) => c.cityName)).toContain('淄博');
    // filters: organisation type and category
    expect((await board(province, '/api/sharing/dashboard', '&orgType=enterprise')).summary.services).toBe(0);
    expect((await board(province, '/api/sharing/dashboard', '&category=0103')).summary.services).toBe(1);
  });

  it('the public figures are province totals without any organisation', async () => {
    const p = ok(await new Client(t.app).get(`/api/sharing/public?year=${year}`)).data;
    expect(p).toMatchObject({ year, services: 2 });
    expect(JSON.stringify(p)).not.toContain(w.provider.org.id);
  });

  it('bad filters are refused naming the field', async () => {
    const res = await province.get(`/api/sharing/dashboard?year=1800&category=x`);
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.data.error.fields)).toEqual(expect.arrayContaining(['year', 'category']));
  });

  it('the Excel export of a chart opens and holds its table', async () => {
    const res = await zibo.get(`/api/sharing/dashboard/export?year=${year}&chart=orgs`);
    expect(res.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('单位排行');
    expect(ws.getRow(2).getCell(1).value).toBe(w.provider.org.name);
  });
});
