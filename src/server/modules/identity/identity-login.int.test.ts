import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUscc } from '../../db/seed-demo';
import type { DemoIdentity } from '../../identity-provider/demo-identities';
import type { RunningIdp } from '../../identity-provider/server';
import { createTestApp, type TestApp } from '../../test/harness';
import { makeOrg, makeUser, mobile, orgBody, PASSWORD } from '../../test/factories';
import { appEnv, Person, startTestIdp } from './test-setup';

let t: TestApp;
let idp: RunningIdp;
let identities: DemoIdentity[];

beforeAll(async () => {
  ({ idp, identities } = await startTestIdp());
  t = await createTestApp(appEnv(idp));
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
});

const db = () => t.database.db;
const audit = (action: string) =>
  db().selectFrom('auditLog').selectAll().where('action', '=', action).orderBy('at', 'desc').execute();
const identityOf = (subject: string) =>
  db().selectFrom('externalIdentities').selectAll().where('subject', '=', subject).executeTakeFirst();
const addIdentity = (i: DemoIdentity) => identities.push(i);

describe('first login of a person', () => {
  it('creates the account from the claims, keeps only a hash of the identity card, and prompts to bind', async () => {
    const p = new Person(t, idp);
    expect(await p.login('zhaomin')).toBe('/member/binding?from=identity');
    const me = (await p.app.get('/api/auth/me')).data;
    expect(me.user.realName).toBe('赵敏');
    expect(me.user.mobile).toBe('13900000011');
    expect(me.org).toBeNull();
    const row = (await identityOf('p-zhaomin'))!;
    expect(row).toMatchObject({ provider: 'province', kind: 'person', userId: me.user.id });
    expect(row.idCardHash).toMatch(/^[0-9a-f]{64}$/);
    const everything = JSON.stringify(await db().selectFrom('externalIdentities').selectAll().execute());
    expect(everything + JSON.stringify(await db().selectFrom('auditLog').selectAll().execute())).not.toContain(
      '370102199001011234',
    );
    const created = (await audit('identity.account_created')).find((a) => a.subjectId === me.user.id)!;
    expect(created.detailJson as Record<string, unknown>).toMatchObject({ provider: 'province', subject: 'p-zhaomin' });
    const login = (await audit('identity.login')).find((a) => a.subjectId === me.user.id)!;
    expect(login.detailJson as Record<string, unknown>).toMatchObject({
      provider: 'province',
      subject: 'p-zhaomin',
      created: true,
    });
    // the created account has no password that a local login could match
    const local = await p.app.post('/api/auth/login', { mode: 'person', identifier: '13900000011', password: '' });
    expect(local.statusCode).toBe(400);
  });

  it('logs the same identity into the same account again, with a fresh session id', async () => {
    const p = new Person(t, idp);
    const local = await makeUser(t);
    await p.app.login(local.username!, PASSWORD);
    const before = p.app.cookies.sid;
    await p.login('zhaomin');
    expect(p.app.cookies.sid).toBeTruthy();
    expect(p.app.cookies.sid).not.toBe(before);
    const users = await db().selectFrom('users').select('id').where('realName', '=', '赵敏').execute();
    expect(users).toHaveLength(1);
    // the session the browser had before is gone, not just replaced in the cookie
    const old = new Person(t, idp);
    old.app.cookies.sid = before;
    expect((await old.app.get('/api/auth/me')).data.user).toBeNull();
  });
});

describe('first login of a legal person', () => {
  it('becomes the legal representative account of the organisation with that USCC', async () => {
    const { org, legal } = await makeOrg(t);
    addIdentity({
      login: 'acme',
      sub: 'l-acme',
      kind: 'legal',
      claims: { name: org.name, org_name: org.name, uscc: org.uscc },
    });
    const p = new Person(t, idp);
    expect(await p.login('acme', 'legal')).toBe('/member');
    const me = (await p.app.get('/api/auth/me')).data;
    expect(me.user.id).toBe(legal.id);
    expect(me.roles).toContain('legal');
    expect((await identityOf('l-acme'))!.userId).toBe(legal.id);
    const linked = (await audit('identity.linked')).find((a) => a.subjectId === legal.id)!;
    expect(linked.detailJson as Record<string, unknown>).toMatchObject({
      provider: 'province',
      subject: 'l-acme',
      by: 'uscc',
    });
  });

  it('without an organisation: the wizard opens with the name and USCC filled in and locked', async () => {
    const p = new Person(t, idp);
    expect(await p.login('newco', 'legal')).toBe('/member/org/edit?from=identity');
    const mine = (await p.app.get('/api/identity/mine')).data;
    const uscc = demoUscc('91', '370100', 'newco');
    expect(mine.legalOrg).toEqual({ name: '济南新材检测技术有限公司', uscc });
    const changed = await p.app.post('/api/orgs', orgBody({ name: '别的名字有限公司', uscc }));
    expect(changed.statusCode).toBe(422);
    expect(changed.data.error.fields).toHaveProperty('name');
    expect(
      await db().selectFrom('organizations').select('id').where('uscc', '=', uscc).executeTakeFirst(),
    ).toBeUndefined();
    const ok = await p.app.post('/api/orgs', orgBody({ name: '济南新材检测技术有限公司', uscc }));
    expect(ok.statusCode, ok.body).toBe(201);
    const me = (await p.app.get('/api/auth/me')).data;
    expect(me.org).toMatchObject({ role: 'legal', state: 'draft' });
    // once registered, the organisation keeps the provider's name and USCC
    const rename = await p.app.put('/api/orgs/mine', orgBody({ name: '改名有限公司', uscc }));
    expect(rename.statusCode).toBe(422);
    expect(rename.data.error.code).toBe('IDENTITY_ORG_LOCKED');
  });

  it('refuses a USCC whose check character is wrong, with a clear page and an audit entry', async () => {
    const p = new Person(t, idp);
    expect(await p.login('badco', 'legal')).toBe('/login/unified-error?reason=USCC_INVALID');
    expect(await identityOf('l-badco')).toBeUndefined();
    expect((await p.app.get('/api/auth/me')).data.user).toBeNull();
    const r = (await audit('identity.refused')).find((a) => a.subjectId === 'l-badco')!;
    expect(r.detailJson as Record<string, unknown>).toMatchObject({ provider: 'province', reason: 'USCC_INVALID' });
  });

  it('refuses a person identity at 法人登录 and a legal one at 个人登录', async () => {
    expect(await new Person(t, idp).login('sunli', 'legal')).toBe('/login/unified-error?reason=NOT_LEGAL');
    expect(await new Person(t, idp).login('jnhc', 'person')).toBe('/login/unified-error?reason=NOT_PERSON');
  });
});

describe('linking', () => {
  it('a local account links an identity once, after a local login and a confirmation; it then logs in', async () => {
    const local = await makeUser(t, { realName: '孙丽' });
    const p = new Person(t, idp);
    await p.app.login(local.username!, PASSWORD);
    expect((await p.app.post('/api/identity/link', { provider: 'province' })).statusCode).toBe(400); // no confirmation
    const res = await p.app.post('/api/identity/link', { provider: 'province', confirm: true });
    expect(res.statusCode).toBe(200);
    expect(new URL(res.data.url).searchParams.get('prompt')).toBe('login');
    const back = await p.idp.login(res.data.url, 'sunli', 'Demo@2026');
    expect(await p.callback(back)).toBe('/member/identity?linked=1');
    expect((await identityOf('p-sunli'))!.userId).toBe(local.id);
    expect((await p.app.get('/api/identity/mine')).data.identities).toMatchObject([
      { provider: 'province', kind: 'person' },
    ]);
    const again = new Person(t, idp);
    await again.login('sunli');
    expect((await again.app.get('/api/auth/me')).data.user.id).toBe(local.id);
  });

  it('refuses a second identity for one account, and an identity already linked to another account', async () => {
    const owner = (await identityOf('p-sunli'))!.userId;
    const username = (
      await db().selectFrom('users').select('username').where('id', '=', owner).executeTakeFirstOrThrow()
    ).username!;
    addIdentity({ login: 'sunli2', sub: 'p-sunli2', kind: 'person', claims: { name: '孙丽', phone_number: mobile() } });
    const p = new Person(t, idp);
    await p.app.login(username, PASSWORD);
    const url = (await p.app.post('/api/identity/link', { provider: 'province', confirm: true })).data.url;
    expect(await p.callback(await p.idp.login(url, 'sunli2', 'Demo@2026'))).toBe(
      '/login/unified-error?reason=ACCOUNT_LINKED',
    );
    expect(await identityOf('p-sunli2')).toBeUndefined();

    const other = await makeUser(t);
    const q = new Person(t, idp);
    await q.app.login(other.username!, PASSWORD);
    const url2 = (await q.app.post('/api/identity/link', { provider: 'province', confirm: true })).data.url;
    expect(await q.callback(await q.idp.login(url2, 'sunli', 'Demo@2026'))).toBe(
      '/login/unified-error?reason=IDENTITY_TAKEN',
    );
    expect((await identityOf('p-sunli'))!.userId).toBe(owner);
    const reasons = (await audit('identity.refused')).map((a) => (a.detailJson as Record<string, unknown>).reason);
    expect(reasons).toEqual(expect.arrayContaining(['ACCOUNT_LINKED', 'IDENTITY_TAKEN']));
  });

  it('never attaches an identity to an account by its mobile number', async () => {
    const m = mobile();
    const local = await makeUser(t, { mobile: m, realName: '周同名' });
    addIdentity({ login: 'zhou', sub: 'p-zhou', kind: 'person', claims: { name: '周同名', phone_number: m } });
    const p = new Person(t, idp);
    expect(await p.login('zhou')).toBe('/login/unified-error?reason=MOBILE_TAKEN');
    expect(await identityOf('p-zhou')).toBeUndefined();
    expect((await p.app.get('/api/auth/me')).data.user).toBeNull();
    expect(await db().selectFrom('externalIdentities').select('id').where('userId', '=', local.id).execute()).toEqual(
      [],
    );
  });
});

describe('logout', () => {
  it('ends the platform session and, through the provider, the provider session (RP-initiated logout)', async () => {
    const p = new Person(t, idp);
    await p.login('zhaomin');
    // the provider remembers the login: a second authorization comes straight back
    const remembered = await p.idp.go(await p.start('person'));
    expect(remembered.leftTo).toContain('/api/identity/callback?code=');
    const res = await p.app.post('/api/identity/logout');
    expect(res.statusCode).toBe(200);
    const end = new URL(res.data.redirect);
    expect(end.origin).toBe(idp.issuer);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect((await p.app.get('/api/auth/me')).data.user).toBeNull();
    expect(await p.idp.confirmLogout(end.href)).toBe('http://platform.test/login');
    const fresh = await p.idp.go(await p.start('person'));
    expect(fresh.leftTo).toBeNull();
    expect(fresh.page).toContain('统一身份认证');
    const row = (await audit('logout')).find(
      (a) => (a.detailJson as { provider?: string } | null)?.provider === 'province',
    );
    expect(row).toBeDefined();
  });

  it('a local session logs out without a provider address', async () => {
    const local = await makeUser(t);
    const p = new Person(t, idp);
    await p.app.login(local.username!, PASSWORD);
    expect((await p.app.post('/api/identity/logout')).data).toEqual({ redirect: null });
    expect((await p.app.get('/api/auth/me')).data.user).toBeNull();
  });
});

describe('AUTH_LOCAL=false', () => {
  it('closes local login and registration to persons; departments and the sysadmin keep their way in', async () => {
    const closed = await createTestApp(appEnv(idp, { AUTH_LOCAL: 'false' }));
    try {
      const person = await makeUser(closed);
      const p = new Person(closed, idp);
      const res = await p.app.post('/api/auth/login', {
        mode: 'person',
        identifier: person.username,
        password: PASSWORD,
      });
      expect(res.statusCode).toBe(403);
      expect(res.data.error.code).toBe('LOCAL_LOGIN_OFF');
      expect(p.app.cookies.sid).toBeUndefined();
      const reg = await p.app.post('/api/auth/register', {
        username: 'newuser01',
        realName: '新用户',
        password: 'Abc@12345678',
      });
      expect(reg.data.error.code).toBe('LOCAL_LOGIN_OFF');
      expect((await p.app.get('/api/identity/providers')).data.localLogin).toBe(false);
      const admin = await makeUser(closed, { kind: 'sysadmin' });
      await new Person(closed, idp).app.login(admin.username!, PASSWORD);
      const dept = await makeUser(closed, { departmentCode: '370100' });
      await new Person(closed, idp).app.login(dept.username!, PASSWORD);
      // the provider still logs persons in
      expect(await p.login('zhaomin')).toBe('/member/binding?from=identity');
    } finally {
      await closed.close();
    }
  });
});
