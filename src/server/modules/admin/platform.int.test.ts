/** Administration of issue #6: reference data, site settings, notices, user management. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import {
  addMember,
  as,
  deptUser,
  instrumentBody,
  makeInstrument,
  makeOrg,
  makeUser,
  PASSWORD,
  sysadmin,
} from '../../test/factories';

let t: TestApp;
let admin: Client;
let province: Client;
let city: Client;
let orgAdmin: Client;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await as(t, await sysadmin(t));
  province = await as(t, await deptUser(t, '370000'));
  city = await as(t, await deptUser(t, '370100'));
  orgId = (await makeOrg(t, { name: '济南精测仪器有限公司' })).org.id;
  orgAdmin = await as(t, await addMember(t, orgId, 'admin'));
  await makeInstrument(t, orgId, { categoryCode: '010102' });
});
afterAll(async () => {
  await t?.close();
});

const audit = (action: string) =>
  t.database.db.selectFrom('auditLog').select(['subjectId', 'detailJson']).where('action', '=', action).execute();

describe('reference data', () => {
  it('adds, renames, disables (when in use) and enables, each change in the audit log', async () => {
    const cats = (await admin.get('/api/admin/reference/categories')).data.items;
    const sem = cats.find((c: any) => c.code === '010102');
    expect(sem.usage).toBeGreaterThanOrEqual(1);
    expect(cats.find((c: any) => c.code === '010000').usage).toBeGreaterThanOrEqual(1); // the class counts its kinds

    const added = await admin.post('/api/admin/reference/categories', { code: '010199', name: '其他电子光学仪器' });
    expect(added.statusCode).toBe(201);
    expect(added.data.items.find((c: any) => c.code === '010199')).toMatchObject({
      parentCode: '010100',
      level: 3,
      isEnabled: true,
      usage: 0,
    });
    expect((await admin.post('/api/admin/reference/categories', { code: '010199', name: '重复' })).statusCode).toBe(
      409,
    );
    const orphan = await admin.post('/api/admin/reference/categories', { code: '998877', name: '无上级' });
    expect(orphan.statusCode).toBe(400);
    expect(orphan.data.error.fields.code).toContain('998800');

    expect(
      (await admin.put('/api/admin/reference/categories/010199', { name: '其他电子光学类仪器' })).data.items.find(
        (c: any) => c.code === '010199',
      ).name,
    ).toBe('其他电子光学类仪器');
    const disabled = await admin.post('/api/admin/reference/categories/010102/disable');
    expect(disabled.statusCode).toBe(200);
    expect(disabled.data.items.find((c: any) => c.code === '010102').isEnabled).toBe(false);
    // a disabled category can no longer be chosen for a new instrument
    const refused = await orgAdmin.post('/api/instruments', instrumentBody({ categoryCode: '010102' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.data.error.fields.categoryCode).toBeTruthy();
    expect((await admin.post('/api/admin/reference/categories/010102/disable')).statusCode).toBe(409);
    expect((await admin.post('/api/admin/reference/categories/010102/enable')).statusCode).toBe(200);
    expect((await audit('reference.categories.disable')).map((a) => a.subjectId)).toEqual(['010102']);
    expect((await audit('reference.categories.rename')).length).toBe(1);
  });

  it('service fields, cities and districts', async () => {
    expect((await admin.post('/api/admin/reference/fields', { code: 'F11', name: '智能制造' })).statusCode).toBe(201);
    const d = await admin.post('/api/admin/reference/districts', {
      code: '370102',
      name: '历下区',
      parentCode: '370100',
    });
    expect(d.statusCode).toBe(201);
    expect(d.data.items).toEqual([expect.objectContaining({ code: '370102', parentCode: '370100', name: '历下区' })]);
    expect((await admin.post('/api/admin/reference/districts', { code: '370103', name: '无地市' })).statusCode).toBe(
      400,
    );
    const cities = (await admin.get('/api/admin/reference/cities')).data.items;
    expect(cities.find((c: any) => c.code === '370100').usage).toBeGreaterThanOrEqual(1);
    expect((await province.get('/api/admin/reference/cities')).statusCode).toBe(403);
  });
});

describe('site settings and notices', () => {
  it('the site settings change the header and footer texts', async () => {
    const current = (await admin.get('/api/admin/site')).data;
    const next = {
      ...current,
      siteName: '山东省科研设施与仪器共享服务平台',
      logoText: '鲁仪共享',
      phone: '0531-12345678',
    };
    expect((await province.put('/api/admin/site', next)).statusCode).toBe(200);
    expect((await new Client(t.app).get('/api/site')).data).toMatchObject({
      siteName: '山东省科研设施与仪器共享服务平台',
      logoText: '鲁仪共享',
      phone: '0531-12345678',
    });
    expect((await city.put('/api/admin/site', next)).statusCode).toBe(403);
    const bad = await admin.put('/api/admin/site', { ...next, email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.fields.email).toBeTruthy();
    expect((await audit('site.update'))[0].detailJson).toBeTruthy();
  });

  it('the 责任说明 of bookings is a setting: the form shows the new text', async () => {
    const text = '一、委托方对样品信息的真实性负责。二、受托方对检测数据负责并保密。三、双方按平台收费标准结算。';
    expect((await admin.put('/api/admin/booking-liability', { text })).statusCode).toBe(200);
    expect((await new Client(t.app).get('/api/bookings/liability')).data.text).toBe(text);
    expect((await admin.put('/api/admin/booking-liability', { text: '太短' })).statusCode).toBe(400);
    expect((await city.put('/api/admin/booking-liability', { text })).statusCode).toBe(403);
  });

  it('notices: published ones are public, pinned first; drafts are not', async () => {
    const a = (
      await admin.post('/api/admin/notices', {
        title: '关于开展 2026 年度创新券兑付工作的通知',
        body: '各有关单位：2026 年度创新券兑付工作即将开始，请按要求提交材料。',
        isPinned: false,
      })
    ).data;
    const b = (
      await province.post('/api/admin/notices', {
        title: '平台系统升级公告',
        body: '平台将于本周六凌晨进行系统升级，届时暂停服务两小时。',
        isPinned: true,
      })
    ).data;
    const draft = (
      await admin.post('/api/admin/notices', {
        title: '尚未发布的公告',
        body: '这是一条尚未发布的公告内容，公众不可见。',
        isPublished: false,
      })
    ).data;
    const visitor = new Client(t.app);
    const list = (await visitor.get('/api/notices')).data.items.map((n: any) => n.id);
    expect(list).toEqual([b.id, a.id]);
    expect((await visitor.get(`/api/notices/${draft.id}`)).statusCode).toBe(404);
    expect((await admin.get('/api/admin/notices')).data.items.map((n: any) => n.id)).toContain(draft.id);
    const published = await admin.put(`/api/admin/notices/${draft.id}`, {
      title: '现已发布的公告',
      body: '这是一条现已发布的公告内容，公众可见。',
      isPublished: true,
    });
    expect(published.data.publishedAt).toBeTruthy();
    expect((await visitor.get(`/api/notices/${draft.id}`)).data.title).toBe('现已发布的公告');
    expect((await admin.del(`/api/admin/notices/${a.id}`)).statusCode).toBe(200);
    expect((await visitor.get(`/api/notices/${a.id}`)).statusCode).toBe(404);
    expect(
      (await city.post('/api/admin/notices', { title: '市局不能发公告', body: '市局账号没有发布公告的权限。' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('user management', () => {
  it('finds a person with organisation and role, never a password or hash', async () => {
    const u = await addMember(t, orgId, 'member', { realName: '赵小明', email: 'zxm@example.com' });
    const res = await admin.get(`/api/admin/users?q=${encodeURIComponent('赵小明')}`);
    expect(res.data.items).toEqual([
      expect.objectContaining({
        id: u.id,
        realName: '赵小明',
        org: { id: orgId, name: '济南精测仪器有限公司', role: 'member', roleLabel: '成员' },
        isLocked: false,
      }),
    ]);
    expect(res.body).not.toMatch(/argon2|passwordHash|\$argon/);
    expect(
      (await admin.get('/api/admin/users?q=%E6%B5%8E%E5%8D%97%E7%B2%BE%E6%B5%8B')).data.total,
    ).toBeGreaterThanOrEqual(2); // by organisation name
  });

  it('lock ends sessions and refuses login; unlock restores it', async () => {
    const u = await makeUser(t, { realName: '被锁定的用户' });
    const c = await as(t, u);
    expect((await admin.post(`/api/admin/users/${u.id}/lock`)).statusCode).toBe(200);
    expect((await c.get('/api/auth/me')).data.user).toBeNull();
    const login = await new Client(t.app).post('/api/auth/login', { identifier: u.username, password: PASSWORD });
    expect(login.statusCode).toBe(403);
    expect(login.data.error.code).toBe('ACCOUNT_DISABLED');
    expect((await admin.get('/api/admin/users?locked=1')).data.items.map((i: any) => i.id)).toContain(u.id);
    expect((await admin.post(`/api/admin/users/${u.id}/unlock`)).statusCode).toBe(200);
    expect(
      (await new Client(t.app).post('/api/auth/login', { identifier: u.username, password: PASSWORD })).statusCode,
    ).toBe(200);
  });

  it('force reset: the old password stops working and a reset link is mailed', async () => {
    const u = await makeUser(t, { realName: '需重置密码', email: 'reset-me@example.com' });
    expect((await admin.post(`/api/admin/users/${u.id}/force-reset`)).statusCode).toBe(200);
    expect(
      (await new Client(t.app).post('/api/auth/login', { identifier: u.username, password: PASSWORD })).statusCode,
    ).toBe(401);
    const mail = await t.database.db
      .selectFrom('mailOutbox')
      .select(['toAddr', 'bodyText'])
      .where('toAddr', '=', 'reset-me@example.com')
      .executeTakeFirstOrThrow();
    expect(mail.bodyText).toContain('/reset-password?token=');
    const stored = await t.database.db
      .selectFrom('users')
      .select('mustChangePassword')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(!!stored.mustChangePassword).toBe(true);
    // the system administrator's own account is not managed here
    const self = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('kind', '=', 'sysadmin')
      .executeTakeFirstOrThrow();
    expect((await admin.post(`/api/admin/users/${self.id}/lock`)).statusCode).toBe(409);
    expect((await province.post(`/api/admin/users/${u.id}/unlock`)).statusCode).toBe(403);
  });
});
