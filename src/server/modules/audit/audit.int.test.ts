import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { as, deptUser, makeOrg, makeUser, sysadmin } from '../../test/factories';
import { record } from './service';

let t: TestApp;
let admin: Client;
let province: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = await as(t, await sysadmin(t));
  province = await as(t, await deptUser(t, '370000'));
});
afterAll(async () => {
  await t?.close();
});

interface Item {
  id: string;
  at: string;
  actorName: string | null;
  orgId: string | null;
  orgName: string | null;
  action: string;
  subjectKind: string | null;
  subjectId: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}
const page = async (c: Client, query: string) => {
  const res = await c.get(`/api/audit?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.data as { items: Item[]; total: number; page: number; pageSize: number };
};

describe('who may read the audit log', () => {
  it('the system administrator and the province department; not a city bureau, a person or a visitor', async () => {
    expect((await admin.get('/api/audit')).statusCode).toBe(200);
    expect((await province.get('/api/audit')).statusCode).toBe(200);
    expect((await (await as(t, await deptUser(t, '370100'))).get('/api/audit')).statusCode).toBe(403);
    const { legal } = await makeOrg(t);
    expect((await (await as(t, legal)).get('/api/audit')).statusCode).toBe(403);
    expect((await (await as(t, await makeUser(t))).get('/api/audit')).statusCode).toBe(403);
    expect((await new Client(t.app).get('/api/audit')).statusCode).toBe(401);
  });
});

describe('browsing', () => {
  const kind = `test_${crypto.randomBytes(4).toString('hex')}`;
  const ids: Record<string, string> = {};
  let orgName: string;

  beforeAll(async () => {
    const db = t.database.db;
    const { org } = await makeOrg(t);
    orgName = org.name;
    const jinan = await db
      .selectFrom('departments')
      .select('id')
      .where('code', '=', '370100')
      .executeTakeFirstOrThrow();
    const add = async (
      key: string,
      at: string,
      e: { action: string; actorName: string; orgId: string | null; detail?: Record<string, unknown> },
    ) => {
      await record(
        db,
        { actor: null, ip: '10.0.0.8', now: new Date(at) },
        { ...e, actorId: null, subjectKind: kind, subjectId: `${kind}-${key}` },
      );
      ids[key] = `${kind}-${key}`;
    };
    // Asia/Shanghai is UTC+8: 15:30Z on 1 March is 23:30 on 1 March there, 16:30Z is 00:30 on 2 March
    await add('r1', '2026-03-01T15:30:00.000Z', { action: 'organization.create', actorName: '张三丰', orgId: org.id });
    await add('r2', '2026-03-01T16:30:00.000Z', { action: 'organization.submit', actorName: '李四', orgId: jinan.id });
    await add('r3', '2026-03-02T15:59:59.000Z', {
      action: 'review.approve',
      actorName: '王五%',
      orgId: null,
      detail: { reason: '材料齐全', level: 1 },
    });
    await add('r4', '2026-03-02T16:00:00.000Z', {
      action: 'review.reject',
      actorName: 'Zhang Wei',
      orgId: 'gone-org-id',
    });
  });

  const keysOf = (items: Item[]) => items.map((i) => i.subjectId!.slice(kind.length + 1));

  it('newest first, with the organisation or department name and the detail', async () => {
    const p = await page(admin, `subjectKind=${kind}`);
    expect(p.total).toBe(4);
    expect(keysOf(p.items)).toEqual(['r4', 'r3', 'r2', 'r1']);
    const by = Object.fromEntries(p.items.map((i) => [keysOf([i])[0], i]));
    expect(by.r1.orgName).toBe(orgName);
    expect(by.r2.orgName).toBe('济南市科学技术局');
    expect(by.r3.orgName).toBeNull();
    expect(by.r4.orgName).toBeNull();
    expect(by.r4.orgId).toBe('gone-org-id');
    expect(by.r3.detail).toEqual({ reason: '材料齐全', level: 1 });
    expect(by.r1.detail).toBeNull();
    expect(by.r1.ip).toBe('10.0.0.8');
    expect(by.r1.at).toBe('2026-03-01T15:30:00.000Z');
  });

  it('filters by Shanghai calendar days', async () => {
    expect(keysOf((await page(admin, `subjectKind=${kind}&from=2026-03-02&to=2026-03-02`)).items)).toEqual([
      'r3',
      'r2',
    ]);
    expect(keysOf((await page(admin, `subjectKind=${kind}&to=2026-03-01`)).items)).toEqual(['r1']);
    expect(keysOf((await page(admin, `subjectKind=${kind}&from=2026-03-03`)).items)).toEqual(['r4']);
    expect(keysOf((await page(admin, `subjectKind=${kind}&from=2026-03-01&to=2026-03-03`)).items)).toEqual([
      'r4',
      'r3',
      'r2',
      'r1',
    ]);
  });

  it('filters by action prefix, actor name (literally, any case), subject id', async () => {
    expect(keysOf((await page(admin, `subjectKind=${kind}&action=review.`)).items)).toEqual(['r4', 'r3']);
    expect(keysOf((await page(admin, `subjectKind=${kind}&action=organization`)).items)).toEqual(['r2', 'r1']);
    expect(keysOf((await page(admin, `subjectKind=${kind}&action=review.approve`)).items)).toEqual(['r3']);
    expect((await page(admin, `subjectKind=${kind}&action=approve`)).total).toBe(0);

    expect(keysOf((await page(admin, `subjectKind=${kind}&actor=${encodeURIComponent('张三')}`)).items)).toEqual([
      'r1',
    ]);
    expect(keysOf((await page(admin, `subjectKind=${kind}&actor=${encodeURIComponent('%')}`)).items)).toEqual(['r3']);
    expect((await page(admin, `subjectKind=${kind}&actor=_`)).total).toBe(0);
    expect(keysOf((await page(admin, `subjectKind=${kind}&actor=zhang`)).items)).toEqual(['r4']);

    expect(keysOf((await page(admin, `subjectId=${ids.r2}`)).items)).toEqual(['r2']);
    expect(
      keysOf(
        (
          await page(
            province,
            `subjectKind=${kind}&actor=${encodeURIComponent('李')}&action=organization.&from=2026-03-02`,
          )
        ).items,
      ),
    ).toEqual(['r2']);
  });

  it('pages on the server', async () => {
    const p1 = await page(admin, `subjectKind=${kind}&pageSize=3&page=1`);
    const p2 = await page(admin, `subjectKind=${kind}&pageSize=3&page=2`);
    expect(keysOf(p1.items)).toEqual(['r4', 'r3', 'r2']);
    expect(keysOf(p2.items)).toEqual(['r1']);
    expect(p2).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect((await admin.get('/api/audit?pageSize=101')).statusCode).toBe(400);
  });

  it('refuses bad filters with the field named', async () => {
    const bad = await admin.get('/api/audit?from=2026-3-1');
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.fields.from).toBeTruthy();
    const reversed = await admin.get('/api/audit?from=2026-03-02&to=2026-03-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.data.error.fields.from).toBeTruthy();
    const unknown = await admin.get('/api/audit?orgId=x');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.data.error.fields.orgId).toBeTruthy();
  });
});

describe('what gets recorded', () => {
  it('logins, refusals and administrative changes appear with their actor', async () => {
    const u = await makeUser(t, { realName: '审计对象' });
    const c = new Client(t.app);
    await c.post('/api/auth/login', { identifier: u.username, password: 'Wrong@2026x' });
    await c.login(u.username!, 'Test@2026x');
    expect((await c.get('/api/admin/departments')).statusCode).toBe(403);

    const mine = await page(admin, `subjectId=${u.id}`);
    expect(mine.items.map((i) => i.action)).toEqual(['login.success', 'login.failed']);
    expect(mine.items.every((i) => i.actorName === '审计对象')).toBe(true);
    const denied = await page(admin, `action=permission.denied&actor=${encodeURIComponent('审计对象')}`);
    expect(denied.total).toBe(1);
    expect(denied.items[0].detail).toMatchObject({
      method: 'GET',
      route: '/api/admin/departments',
      policy: 'sysadmin',
    });

    const jinan = (await admin.get('/api/admin/departments')).data.find((d: { code: string }) => d.code === '370100');
    const created = await admin.post('/api/admin/department-accounts', {
      username: `audit${Date.now().toString(36)}`,
      realName: '新审核员',
      departmentId: jinan.id,
      password: 'Dept#2026init',
    });
    expect(created.statusCode).toBe(201);
    const change = await page(province, `subjectId=${created.data.id}&action=department_account.`);
    expect(change.items).toHaveLength(1);
    expect(change.items[0]).toMatchObject({
      action: 'department_account.create',
      subjectKind: 'user',
      actorName: '管理员',
    });
  });
});
