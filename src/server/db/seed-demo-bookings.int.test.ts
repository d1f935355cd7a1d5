import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../test/harness';
import { seedDemo } from './seed-demo';
import { seedDemoBookings } from './seed-demo-bookings';
import { seedDemoPosts } from './seed-demo-posts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect(await seedDemo(t.database.db, t.clock)).toBe(true);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('demo bookings', () => {
  it('are made through the API and leave the demo admin a booking in every state', async () => {
    expect(await seedDemoBookings(t.app, t.database.db)).toBe(11);
    const rows = await t.database.db
      .selectFrom('bookings')
      .innerJoin('organizations', 'organizations.id', 'bookings.providerOrgId')
      .select(['bookings.state', 'organizations.name'])
      .execute();
    const centre = rows
      .filter((r) => r.name === '山东省分析测试中心')
      .map((r) => r.state)
      .sort();
    expect(centre).toEqual([
      'accepted',
      'awaiting_settlement',
      'completed',
      'completed',
      'completed',
      'rejected',
      'submitted',
      'submitted',
    ]);
    expect(
      rows
        .filter((r) => r.name === '山东大学')
        .map((r) => r.state)
        .sort(),
    ).toEqual(['completed', 'draft', 'submitted']);
    const rated = await t.database.db.selectFrom('bookingRatings').select('stars').execute();
    expect(rated.map((r) => r.stars).sort()).toEqual([4, 5]);
    const files = await t.database.db.selectFrom('bookingFiles').select('slot').execute();
    expect(files.length).toBe(11); // report and invoice of the four completed bookings, and the voucher claim's three documents
    const claims = await t.database.db.selectFrom('voucherClaims').select(['kind', 'amountFen', 'rateBp']).execute();
    expect(claims).toEqual([expect.objectContaining({ kind: 'provincial', rateBp: 4000 })]);
  }, 60_000);

  it('notices and posts: two published posts, one waiting for the 济南 bureau', async () => {
    expect(await seedDemoPosts(t.app, t.deps.config)).toEqual({ notices: 3, posts: 3 });
    const visitor = new Client(t.app);
    expect((await visitor.get('/api/notices')).data.items.map((n: any) => n.isPinned)).toEqual([true, false, false]);
    const posts = (await visitor.get('/api/posts')).data.items;
    expect(posts.map((p: any) => p.kindLabel).sort()).toEqual(['供给', '需求']);
    const pending = await t.database.db.selectFrom('posts').select('state').where('state', '=', 'pending').execute();
    expect(pending.length).toBe(1);
  }, 60_000);
});
