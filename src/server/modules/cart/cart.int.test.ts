import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { addMember, as, deptUser, makeOrg, makeUser } from '../../test/factories';
import { seedInstruments } from '../catalogue/fixtures';
import { reindexInstrument } from '../catalogue/indexer';

let t: TestApp;
const org = {} as Record<'a' | 'b', { id: string; name: string }>;
let a: string[]; // five listed instruments of A
let b: string[]; // three listed instruments of B
let draft: string;
let pending: string;

const itemsOf = (data: any) => data.groups.flatMap((g: any) => g.items.map((i: any) => i.instrumentId));
const rows = (userId: string) =>
  t.database.db
    .selectFrom('cartItems')
    .select('instrumentId')
    .where('userId', '=', userId)
    .execute()
    .then((r) => r.map((x) => x.instrumentId).sort());

beforeAll(async () => {
  t = await createTestApp();
  org.a = (await makeOrg(t, { cityCode: '370100', name: '甲分析测试中心' })).org;
  org.b = (await makeOrg(t, { cityCode: '370200', name: '乙材料研究院' })).org;
  a = await seedInstruments(
    t.database,
    org.a.id,
    ['扫描电子显微镜', '透射电子显微镜', '气相色谱仪', '液相色谱仪', '核磁共振波谱仪'].map((name, k) => ({
      name,
      model: `A-${k}`,
      valueFen: (k + 1) * 10_000_000,
    })),
  );
  b = await seedInstruments(
    t.database,
    org.b.id,
    ['X射线衍射仪', '万能材料试验机', '工业CT'].map((name, k) => ({
      name,
      model: `B-${k}`,
      categoryCode: k ? '020101' : '010301',
    })),
  );
  [draft, pending] = await seedInstruments(t.database, org.a.id, [
    { name: '草稿仪器', state: 'draft' },
    { name: '待审核仪器', state: 'pending' },
  ]);
});
afterAll(async () => {
  await t?.close();
});

async function person() {
  const u = await makeUser(t);
  return { u, c: await as(t, u) };
}

describe('预选清单', () => {
  it('adds many at once, ignores duplicates, and groups by organisation', async () => {
    const { u, c } = await person();
    const first = await c.post('/api/cart', { instrumentIds: [a[0], b[0], a[1]] });
    expect(first.statusCode).toBe(200);
    expect(first.data).toEqual({ added: 3, total: 3 });
    const again = await c.post('/api/cart', { instrumentIds: [a[1], a[2], a[2], b[1]] });
    expect(again.data).toEqual({ added: 2, total: 5 });
    expect(await rows(u.id)).toEqual([a[0], a[1], a[2], b[0], b[1]].sort());

    const res = await c.get('/api/cart');
    expect(res.statusCode).toBe(200);
    expect(res.data.total).toBe(5);
    expect(res.data.disabledCount).toBe(0);
    // groups in the order of their newest item, items newest first
    expect(res.data.groups.map((g: any) => [g.orgName, g.cityName, g.items.length])).toEqual([
      ['乙材料研究院', '青岛', 2],
      ['甲分析测试中心', '济南', 3],
    ]);
    expect(res.data.groups[1].items.map((i: any) => i.instrumentId)).toEqual([a[2], a[1], a[0]]);
    expect(res.data.groups[1].items[2]).toMatchObject({
      name: '扫描电子显微镜',
      model: 'A-0',
      categoryName: '扫描电镜',
      valueFen: 10_000_000,
      isDisabled: false,
      isBookable: true,
      pictureUrl: null,
    });
    expect(res.data.groups[0].items.map((i: any) => i.instrumentId)).toEqual([b[1], b[0]]);
  });

  it('refuses instruments that are not listed, adding none of the request (422)', async () => {
    const { u, c } = await person();
    for (const id of [draft, pending, 'no-such-instrument']) {
      const res = await c.post('/api/cart', { instrumentIds: [a[0], id] });
      expect(res.statusCode).toBe(422);
      expect(res.data.error.code).toBe('INSTRUMENT_NOT_LISTED');
      expect(res.data.error.fields.instrumentIds).toBeTruthy();
    }
    expect(await rows(u.id)).toEqual([]);
    expect((await c.post('/api/cart', { instrumentIds: [] })).statusCode).toBe(400);
    expect((await c.post('/api/cart', { instrumentIds: Array.from({ length: 101 }, () => a[0]) })).statusCode).toBe(
      400,
    );
  });

  it("deletes one instrument, one organisation's group, or everything", async () => {
    const { u, c } = await person();
    await c.post('/api/cart', { instrumentIds: [...a, ...b] });
    const one = await c.del(`/api/cart/items/${a[3]}`);
    expect(one.data).toEqual({ removed: 1, total: 7 });
    expect(await rows(u.id)).not.toContain(a[3]);
    expect((await c.del(`/api/cart/items/${a[3]}`)).data).toEqual({ removed: 0, total: 7 });

    const group = await c.del(`/api/cart/orgs/${org.b.id}`);
    expect(group.data).toEqual({ removed: 3, total: 4 });
    expect(await rows(u.id)).toEqual([a[0], a[1], a[2], a[4]].sort());
    expect((await c.get('/api/cart')).data.groups.map((g: any) => g.orgId)).toEqual([org.a.id]);

    const all = await c.del('/api/cart');
    expect(all.data).toEqual({ removed: 4, total: 0 });
    expect(await rows(u.id)).toEqual([]);
    expect((await c.get('/api/cart')).data).toEqual({ groups: [], total: 0, disabledCount: 0 });
  });

  it('shows disabled instruments as disabled and 清除停用仪器 removes only them', async () => {
    const { u, c } = await person();
    await c.post('/api/cart', { instrumentIds: [a[0], a[1], b[2]] });
    await t.database.db.transaction().execute(async (trx) => {
      await trx.updateTable('instruments').set({ isDisabled: true }).where('id', 'in', [a[1], b[2]]).execute();
      for (const id of [a[1], b[2]]) await reindexInstrument(trx, t.database.dialect, id);
    });
    try {
      const res = await c.get('/api/cart');
      expect(res.data.disabledCount).toBe(2);
      const byId = Object.fromEntries(
        res.data.groups.flatMap((g: any) => g.items).map((i: any) => [i.instrumentId, i]),
      );
      expect(byId[a[1]]).toMatchObject({ isDisabled: true, isBookable: false });
      expect(byId[b[2]]).toMatchObject({ isDisabled: true, isBookable: false });
      expect(byId[a[0]]).toMatchObject({ isDisabled: false, isBookable: true });
      // a disabled instrument is still listed: it may be kept in a list, marked
      expect((await c.post('/api/cart', { instrumentIds: [a[1]] })).data).toEqual({ added: 0, total: 3 });

      const cleared = await c.post('/api/cart/clear-disabled');
      expect(cleared.data).toEqual({ removed: 2, total: 1 });
      expect(await rows(u.id)).toEqual([a[0]]);
    } finally {
      await t.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('instruments').set({ isDisabled: false }).where('id', 'in', [a[1], b[2]]).execute();
        for (const id of [a[1], b[2]]) await reindexInstrument(trx, t.database.dialect, id);
      });
    }
  });

  it('each person sees and changes only their own list', async () => {
    const one = await person();
    const two = await person();
    await one.c.post('/api/cart', { instrumentIds: [a[0], b[0]] });
    await two.c.post('/api/cart', { instrumentIds: [a[4]] });
    expect(itemsOf((await one.c.get('/api/cart')).data).sort()).toEqual([a[0], b[0]].sort());
    expect(itemsOf((await two.c.get('/api/cart')).data)).toEqual([a[4]]);
    // two's deletes never reach one's rows
    expect((await two.c.del(`/api/cart/items/${a[0]}`)).data).toEqual({ removed: 0, total: 1 });
    expect((await two.c.del(`/api/cart/orgs/${org.b.id}`)).data).toEqual({ removed: 0, total: 1 });
    expect((await two.c.del('/api/cart')).data).toEqual({ removed: 1, total: 0 });
    expect(await rows(one.u.id)).toEqual([a[0], b[0]].sort());
    // a member of an organisation keeps a list too; a department account has none
    const member = await as(t, await addMember(t, org.b.id));
    expect((await member.post('/api/cart', { instrumentIds: [a[0]] })).data).toEqual({ added: 1, total: 1 });
    const dept: Client = await as(t, await deptUser(t));
    expect((await dept.get('/api/cart')).statusCode).toBe(403);
    expect((await dept.post('/api/cart', { instrumentIds: [a[0]] })).statusCode).toBe(403);
  });
});
