import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/harness';
import { seedDemo } from './seed-demo';
import { seedDemoBookings } from './seed-demo-bookings';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect(await seedDemo(t.database.db, t.clock)).toBe(true);
}, 60_000);
afterAll(async () => { await t?.close(); });

describe('demo bookings', () => {
  it('are made through the API and leave the demo admin a booking in every state', async () => {
    expect(await seedDemoBookings(t.app, t.database.db)).toBe(11);
    const rows = await t.database.db.selectFrom('bookings').innerJoin('organizations', 'organizations.id', 'bookings.providerOrgId')
      .select(['bookings.state', 'organizations.name']).execute();
    const centre = rows.filter((r) => r.name === '山东省分析测试中心').map((r) => r.state).sort();
    expect(centre).toEqual(['accepted', 'awaiting_settlement', 'completed', 'completed', 'completed', 'rejected', 'submitted', 'submitted']);
    expect(rows.filter((r) => r.name === '山东大学').map((r) => r.state).sort()).toEqual(['completed', 'draft', 'submitted']);
    const rated = await t.database.db.selectFrom('bookingRatings').select('stars').execute();
    expect(rated.map((r) => r.stars).sort()).toEqual([4, 5]);
    const files = await t.database.db.selectFrom('bookingFiles').select('slot').execute();
    expect(files.length).toBe(8); // report and invoice of the four completed bookings
  }, 60_000);
});
