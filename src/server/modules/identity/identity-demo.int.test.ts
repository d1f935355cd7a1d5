import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../db/seed-demo';
import type { RunningIdp } from '../../identity-provider/server';
import { createTestApp, type TestApp } from '../../test/harness';
import { appEnv, Person, startTestIdp } from './test-setup';

let t: TestApp;
let idp: RunningIdp;
beforeAll(async () => {
  ({ idp } = await startTestIdp());
  t = await createTestApp(appEnv(idp));
  expect(await seedDemo(t.database.db, t.clock)).toBe(true);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await idp?.close();
});

describe('the demo identities of `npm run idp` against the demo data', () => {
  it('lina logs into 李娜, the member of 山东省分析测试中心, through the link the demo data holds', async () => {
    const p = new Person(t, idp);
    expect(await p.login('lina')).toBe('/member');
    const me = (await p.app.get('/api/auth/me')).data;
    expect(me.user).toMatchObject({ realName: '李娜', mobile: '13800000002' });
    expect(me.org).toMatchObject({ name: '山东省分析测试中心', role: 'member' });
  });

  it('sdatc at 法人登录 becomes the legal account of 山东省分析测试中心 by its USCC; zhaomin has no organisation', async () => {
    const legal = new Person(t, idp);
    expect(await legal.login('sdatc', 'legal')).toBe('/member');
    const me = (await legal.app.get('/api/auth/me')).data;
    expect(me.user.username).toBe('sdatc');
    expect(me.org).toMatchObject({ name: '山东省分析测试中心', role: 'legal' });
    expect(await new Person(t, idp).login('zhaomin')).toBe('/member/binding?from=identity');
  });

  it('the demo accounts printed at start name these identities', () => {
    const logins = DEMO_ACCOUNTS.map((a) => a.login).join(' ');
    for (const id of ['zhaomin', 'lina', 'sdatc']) expect(logins).toContain(id);
  });
});
