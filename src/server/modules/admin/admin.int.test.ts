import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { as, deptUser, makeUser, mobile, PASSWORD, sysadmin } from '../../test/factories';

const INITIAL = 'Dept#2026init';
const RESET = 'Dept#2026reset';

let t: TestApp;
let admin: Client;
let departments: { id: string; code: string; name: string; level: string; cityCode: string | null }[];
const dept = (code: string) => departments.find((d) => d.code === code)!;
let seq = 0;
const uname = () => `dept${Date.now().toString(36)}${seq++}`;

beforeAll(async () => {
  t = await createTestApp();
  admin = await as(t, await sysadmin(t));
  departments = (await admin.get('/api/admin/departments')).data;
});
afterAll(async () => {
  await t?.close();
});

const auditOf = (id: string) =>
  t.database.db
    .selectFrom('auditLog')
    .select(['action', 'actorName', 'fromState', 'toState'])
    .where('subjectId', '=', id)
    .orderBy('at')
    .orderBy('id')
    .execute();
const sessionsOf = async (userId: string) =>
  (await t.database.db.selectFrom('sessions').select('id').where('userId', '=', userId).execute()).length;
const loginAs = (identifier: string, password: string) =>
  new Client(t.app).post('/api/auth/login', { identifier, password });

async function createAccount(o: Record<string, unknown> = {}) {
  const res = await admin.post('/api/admin/department-accounts', {
    username: uname(),
    realName: '济南审核员',
    departmentId: dept('370100').id,
    password: INITIAL,
    ...o,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.data as {
    id: string;
    username: string;
    departmentId: string;
    departmentName: string;
    isDisabled: boolean;
    mustChangePassword: boolean;
  };
}

describe('departments', () => {
  it('lists the province department first, then the 16 city bureaus', () => {
    expect(departments).toHaveLength(17);
    expect(departments[0]).toMatchObject({
      code: '370000',
      level: 'province',
      name: '山东省科学技术厅',
      cityCode: null,
    });
    expect(departments.slice(1).every((d) => d.level === 'city')).toBe(true);
    expect(dept('370200')).toMatchObject({ name: '青岛市科学技术局', cityCode: '370200' });
  });
});

describe('department accounts', () => {
  it('creates an account that logs in as a reviewer of its department; never returns the hash; audits the change', async () => {
    const m = mobile();
    const a = await createAccount({ mobile: m, email: 'jn@example.gov.cn' });
    expect(a).toMatchObject({
      departmentId: dept('370100').id,
      departmentName: '济南市科学技术局',
      isDisabled: false,
      mustChangePassword: true,
      mobile: m,
    });
    expect(JSON.stringify(a)).not.toMatch(/argon|passwordHash|"password"/i);
    const row = await t.database.db.selectFrom('users').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.kind).toBe('department');
    expect(row.passwordHash.startsWith('$argon2id$')).toBe(true);

    const c = new Client(t.app);
    expect((await c.post('/api/auth/login', { identifier: a.username, password: INITIAL })).statusCode).toBe(200);
    const me = (await c.get('/api/auth/me')).data;
    expect(me.roles).toEqual(['cityReviewer']);
    expect(me.department.id).toBe(dept('370100').id);
    expect(me.user.mustChangePassword).toBe(true);
    expect((await c.get('/api/reviews')).statusCode).toBe(200);

    const audit = await auditOf(a.id);
    expect(audit.map((x) => x.action)).toEqual(['department_account.create', 'login.success']);
    expect(audit[0]).toMatchObject({ actorName: '管理员', toState: 'active' });
  });

  it('checks the password rule, the department and unique user names and mobile numbers', async () => {
    const weak = await admin.post('/api/admin/department-accounts', {
      username: uname(),
      realName: '弱',
      departmentId: dept('370100').id,
      password: 'password',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.data.error.fields.password).toBeTruthy();

    const noDept = await admin.post('/api/admin/department-accounts', {
      username: uname(),
      realName: '无部门',
      departmentId: 'no-such-department',
      password: INITIAL,
    });
    expect(noDept.statusCode).toBe(400);
    expect(noDept.data.error.fields.departmentId).toBeTruthy();

    const a = await createAccount({ mobile: mobile() });
    const same = await admin.post('/api/admin/department-accounts', {
      username: a.username,
      realName: '重名',
      departmentId: dept('370200').id,
      password: INITIAL,
    });
    expect(same.statusCode).toBe(409);
    expect(same.data.error.fields.username).toBeTruthy();
    const sameCase = await admin.post('/api/admin/department-accounts', {
      username: a.username.toUpperCase(),
      realName: '重名',
      departmentId: dept('370200').id,
      password: INITIAL,
    });
    expect(sameCase.statusCode).toBe(409);
    expect(sameCase.data.error.fields.username).toBeTruthy();
    // a person's user name counts too
    const person = await makeUser(t);
    const taken = await admin.post('/api/admin/department-accounts', {
      username: person.username,
      realName: '重名',
      departmentId: dept('370200').id,
      password: INITIAL,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.data.error.fields.username).toBeTruthy();

    const row = await t.database.db
      .selectFrom('users')
      .select('mobile')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    const sameMobile = await admin.post('/api/admin/department-accounts', {
      username: uname(),
      realName: '同号',
      departmentId: dept('370200').id,
      password: INITIAL,
      mobile: row.mobile!,
    });
    expect(sameMobile.statusCode).toBe(409);
    expect(sameMobile.data.error.fields.mobile).toBeTruthy();
  });

  it('lists department accounts only, paged, by text and by department', async () => {
    const marker = `Marker${Date.now().toString(36)}`;
    const qd1 = await createAccount({ realName: `${marker}一`, departmentId: dept('370200').id });
    await createAccount({ realName: `${marker}二`, departmentId: dept('370200').id });
    await createAccount({ realName: `${marker}三`, departmentId: dept('370300').id });
    await makeUser(t, { realName: `${marker}个人` });

    const byText = await admin.get(`/api/admin/department-accounts?q=${encodeURIComponent(marker)}`);
    expect(byText.statusCode).toBe(200);
    expect(byText.data.total).toBe(3);
    expect(byText.data.items.map((i: { realName: string }) => i.realName)).not.toContain(`${marker}个人`);
    expect(JSON.stringify(byText.data)).not.toMatch(/passwordHash|argon/);

    const byDept = await admin.get(
      `/api/admin/department-accounts?q=${encodeURIComponent(marker)}&departmentId=${dept('370200').id}`,
    );
    expect(byDept.data.total).toBe(2);
    expect(byDept.data.items.every((i: { departmentName: string }) => i.departmentName === '青岛市科学技术局')).toBe(
      true,
    );

    const byName = await admin.get(`/api/admin/department-accounts?q=${qd1.username}`);
    expect(byName.data.items.map((i: { id: string }) => i.id)).toEqual([qd1.id]);

    const page1 = await admin.get(`/api/admin/department-accounts?q=${encodeURIComponent(marker)}&pageSize=2&page=1`);
    const page2 = await admin.get(`/api/admin/department-accounts?q=${encodeURIComponent(marker)}&pageSize=2&page=2`);
    expect(page1.data.items).toHaveLength(2);
    expect(page2.data.items).toHaveLength(1);
    expect(page2.data.total).toBe(3);
    expect(new Set([...page1.data.items, ...page2.data.items].map((i: { id: string }) => i.id)).size).toBe(3);

    // the factory's department users are listed too; the system administrator is not
    const all = await admin.get('/api/admin/department-accounts?pageSize=100');
    expect(all.data.items.every((i: { departmentId: string }) => !!i.departmentId)).toBe(true);
    expect(all.data.items.map((i: { username: string }) => i.username)).not.toContain('sysadmin');
  });

  it('edits the name, contact details and department; the account then reviews for its new department', async () => {
    const a = await createAccount({ mobile: mobile(), email: 'old@example.gov.cn' });
    const c = new Client(t.app);
    await c.post('/api/auth/login', { identifier: a.username, password: INITIAL });
    const res = await admin.put(`/api/admin/department-accounts/${a.id}`, {
      realName: '青岛审核员',
      departmentId: dept('370200').id,
      email: 'new@example.gov.cn',
    });
    expect(res.statusCode).toBe(200);
    expect(res.data).toMatchObject({
      realName: '青岛审核员',
      departmentId: dept('370200').id,
      departmentName: '青岛市科学技术局',
      email: 'new@example.gov.cn',
      mobile: null,
    });
    expect((await c.get('/api/auth/me')).data.department.id).toBe(dept('370200').id);
    const audit = await auditOf(a.id);
    expect(audit.at(-1)?.action).toBe('department_account.update');

    const bad = await admin.put(`/api/admin/department-accounts/${a.id}`, {
      realName: '',
      departmentId: dept('370200').id,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.data.error.fields.realName).toBeTruthy();
    const noDept = await admin.put(`/api/admin/department-accounts/${a.id}`, {
      realName: '某人',
      departmentId: 'nope',
    });
    expect(noDept.statusCode).toBe(400);
    expect(noDept.data.error.fields.departmentId).toBeTruthy();
    // the user name and password are not edited here
    const extra = await admin.put(`/api/admin/department-accounts/${a.id}`, {
      realName: '某人',
      departmentId: dept('370200').id,
      password: RESET,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.data.error.fields.password).toBeTruthy();
  });

  it('disabling ends the sessions at once and refuses login; enabling allows it again', async () => {
    const a = await createAccount();
    const c = new Client(t.app);
    await c.post('/api/auth/login', { identifier: a.username, password: INITIAL });
    expect(await sessionsOf(a.id)).toBe(1);

    const off = await admin.post(`/api/admin/department-accounts/${a.id}/disable`);
    expect(off.statusCode).toBe(200);
    expect(off.data.isDisabled).toBe(true);
    expect(await sessionsOf(a.id)).toBe(0);
    expect((await c.get('/api/auth/me')).data.user).toBeNull();
    expect((await c.get('/api/reviews')).statusCode).toBe(401);
    const refused = await loginAs(a.username, INITIAL);
    expect(refused.statusCode).toBe(403);
    expect(refused.data.error.code).toBe('ACCOUNT_DISABLED');

    const on = await admin.post(`/api/admin/department-accounts/${a.id}/enable`);
    expect(on.statusCode).toBe(200);
    expect(on.data.isDisabled).toBe(false);
    expect((await loginAs(a.username, INITIAL)).statusCode).toBe(200);

    const audit = await auditOf(a.id);
    expect(audit.map((x) => [x.action, x.fromState, x.toState])).toEqual(
      expect.arrayContaining([
        ['department_account.disable', 'active', 'disabled'],
        ['department_account.enable', 'disabled', 'active'],
      ]),
    );
  });

  it('resets the password: the old one stops working, sessions end, the owner must change it', async () => {
    const a = await createAccount();
    const c = new Client(t.app);
    await c.post('/api/auth/login', { identifier: a.username, password: INITIAL });
    // the owner changes the initial password
    expect(
      (await c.post('/api/auth/password', { oldPassword: INITIAL, newPassword: 'Own#2026choice' })).statusCode,
    ).toBe(200);
    expect((await c.get('/api/auth/me')).data.user.mustChangePassword).toBe(false);

    const weak = await admin.post(`/api/admin/department-accounts/${a.id}/reset-password`, { password: '12345678' });
    expect(weak.statusCode).toBe(400);
    expect(weak.data.error.fields.password).toBeTruthy();

    const res = await admin.post(`/api/admin/department-accounts/${a.id}/reset-password`, { password: RESET });
    expect(res.statusCode).toBe(200);
    expect(res.data).toEqual({ ok: true });
    expect(await sessionsOf(a.id)).toBe(0);
    expect((await c.get('/api/auth/me')).data.user).toBeNull();
    expect((await loginAs(a.username, 'Own#2026choice')).statusCode).toBe(401);
    const fresh = new Client(t.app);
    expect((await fresh.post('/api/auth/login', { identifier: a.username, password: RESET })).statusCode).toBe(200);
    expect((await fresh.get('/api/auth/me')).data.user.mustChangePassword).toBe(true);
    const audit = await auditOf(a.id);
    expect(audit.map((x) => x.action)).toContain('department_account.reset_password');
  });

  it('touches department accounts only: persons, the system administrator and unknown ids are 404', async () => {
    const person = await makeUser(t);
    const other = await sysadmin(t);
    for (const id of [person.id, other.id, 'no-such-id']) {
      for (const action of ['disable', 'enable']) {
        const res = await admin.post(`/api/admin/department-accounts/${id}/${action}`);
        expect(res.statusCode, `${action} ${id}`).toBe(404);
      }
      expect(
        (await admin.post(`/api/admin/department-accounts/${id}/reset-password`, { password: RESET })).statusCode,
      ).toBe(404);
      expect(
        (await admin.put(`/api/admin/department-accounts/${id}`, { realName: '改名', departmentId: dept('370100').id }))
          .statusCode,
      ).toBe(404);
    }
    const row = await t.database.db
      .selectFrom('users')
      .select(['realName', 'isDisabled', 'passwordHash'])
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ realName: person.realName, isDisabled: false, passwordHash: person.passwordHash });
    expect((await loginAs(person.username, PASSWORD)).statusCode).toBe(200);
  });

  it('is for the system administrator only', async () => {
    const a = await createAccount();
    for (const c of [
      await as(t, await deptUser(t, '370000')),
      await as(t, await deptUser(t, '370100')),
      await as(t, await makeUser(t)),
    ]) {
      expect((await c.get('/api/admin/departments')).statusCode).toBe(403);
      expect((await c.get('/api/admin/department-accounts')).statusCode).toBe(403);
      expect((await c.post(`/api/admin/department-accounts/${a.id}/disable`)).statusCode).toBe(403);
      expect(
        (await c.post(`/api/admin/department-accounts/${a.id}/reset-password`, { password: RESET })).statusCode,
      ).toBe(403);
    }
    expect((await new Client(t.app).get('/api/admin/department-accounts')).statusCode).toBe(401);
    const row = await t.database.db
      .selectFrom('users')
      .select(['isDisabled'])
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(row.isDisabled).toBe(false);
  });
});
