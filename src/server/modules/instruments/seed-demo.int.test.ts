import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { seedDemo, DEMO_GENERATED, DEMO_PASSWORD } from '../../db/seed-demo';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect(await seedDemo(t.database.db, t.clock)).toBe(true);
});
afterAll(async () => {
  await t.close();
});

describe('demo instruments', () => {
  it('lists about 370 realistic instruments across the approved organisations (300 from the generator), indexed, each a valid public record', async () => {
    const db = t.database.db;
    const rows = await db
      .selectFrom('instruments')
      .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
      .select([
        'instruments.id',
        'instruments.name',
        'instruments.internalNo',
        'instruments.state',
        'instruments.isDisabled',
        'instruments.valueFen',
        'instruments.serviceCount',
        'instruments.searchText',
        'instruments.cityCode',
        'instruments.categoryCode',
        'organizations.cityCode as orgCity',
        'organizations.state as orgState',
        'organizations.id as orgId',
      ])
      .execute();
    const listed = rows.filter((r) => r.state === 'listed');
    const generated = rows.filter((r) => /-G\d{4}$/.test(r.internalNo));
    expect(generated).toHaveLength(DEMO_GENERATED);
    expect(generated.every((r) => r.state === 'listed')).toBe(true);
    expect(listed.length).toBeGreaterThanOrEqual(DEMO_GENERATED + 55);
    expect(rows.filter((r) => r.state === 'pending').length).toBeGreaterThanOrEqual(2);
    expect(rows.some((r) => r.state === 'draft')).toBe(true);
    expect(rows.some((r) => r.state === 'rejected')).toBe(true);
    expect(listed.filter((r) => r.isDisabled).length).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      expect(r.orgState).toBe('approved');
      expect(r.cityCode).toBe(r.orgCity);
      // the generator leaves a few values unknown, as real records do
      if (r.valueFen !== null) {
        expect(r.valueFen).toBeGreaterThanOrEqual(20_000_000);
        expect(r.valueFen).toBeLessThanOrEqual(3_000_000_000);
      }
      expect(r.serviceCount).toBeGreaterThanOrEqual(0);
      expect(r.serviceCount).toBeLessThanOrEqual(300);
      expect(r.searchText).not.toBe('');
    }
    expect(new Set(rows.map((r) => r.categoryCode)).size).toBeGreaterThan(30);
    expect(Math.max(...listed.map((r) => r.serviceCount))).toBeGreaterThan(200);
    // spread over the organisations and their cities
    expect(new Set(generated.map((r) => r.orgId)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(generated.map((r) => r.cityCode)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(generated.map((r) => r.categoryCode)).size).toBeGreaterThan(30);

    // the same data on every first start
    const again = await createTestApp();
    try {
      await seedDemo(again.database.db, again.clock);
      const other = await again.database.db
        .selectFrom('instruments')
        .select(['internalNo', 'name', 'model', 'valueFen', 'serviceCount'])
        .orderBy('internalNo')
        .execute();
      const mine = await db
        .selectFrom('instruments')
        .select(['internalNo', 'name', 'model', 'valueFen', 'serviceCount'])
        .orderBy('internalNo')
        .execute();
      expect(other).toEqual(mine);
    } finally {
      await again.close();
    }

    // the catalogue finds them
    const res = await new Client(t.app).get(`/api/catalogue/instruments?q=${encodeURIComponent('显微')}&pageSize=1`);
    expect(res.data.total).toBe(listed.filter((r) => r.searchText.includes('显微')).length);

    const visitor = new Client(t.app);
    for (const r of listed) {
      const res = await visitor.get(`/api/instruments/${r.id}`);
      expect(res.statusCode, res.body).toBe(200);
    }
    const draft = rows.find((r) => r.state === 'draft')!;
    expect((await visitor.get(`/api/instruments/${draft.id}`)).statusCode).toBe(404);
  });

  it('the demo admin sees them in 我的仪器, and the reviewers find the pending ones in their queues', async () => {
    const admin = await new Client(t.app).login('13800000003', DEMO_PASSWORD);
    const mine = await admin.get('/api/instruments/mine?pageSize=50');
    expect(mine.statusCode).toBe(200);
    expect(mine.data.items.map((i: { stateLabel: string }) => i.stateLabel)).toEqual(
      expect.arrayContaining(['已入网', '待审核', '草稿', '未通过']),
    );
    const province = await new Client(t.app).login('sd_kjt', DEMO_PASSWORD);
    expect((await province.get('/api/reviews?kind=instrument')).data.total).toBeGreaterThanOrEqual(1);
    const jinan = await new Client(t.app).login('jinan_kjj', DEMO_PASSWORD);
    const queue = await jinan.get('/api/reviews?kind=instrument');
    expect(queue.data.total).toBeGreaterThanOrEqual(1);
    const detail = await jinan.get(`/api/reviews/${queue.data.items[0].id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.data.subject.name).toBeTruthy();
    expect(detail.data.actions).toContain('approve');
  });
});
