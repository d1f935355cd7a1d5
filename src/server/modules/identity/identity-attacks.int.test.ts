import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDP_PASSWORD } from '../../identity-provider/demo-identities';
import type { RunningIdp } from '../../identity-provider/server';
import { createTestApp, type TestApp } from '../../test/harness';
import { makeUser, PASSWORD } from '../../test/factories';
import { appEnv, CLIENT, Person, startTestIdp } from './test-setup';

let t: TestApp;
let idp: RunningIdp;
let other: RunningIdp;
let mixup: http.Server;
let mixupUrl: string;

/**
 * A hostile discovery document: it names itself as the issuer but points at another provider's endpoints, so the
 * tokens come from an issuer the platform was not configured with (`issSupported`: whether it admits the `iss`
 * response parameter).
 */
async function startMixupDiscovery(target: RunningIdp) {
  const server = http.createServer(async (req, res) => {
    const meta = (await (await fetch(`${target.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const path = (req.url ?? '').split('?')[0];
    const issSupported = path.startsWith('/with-iss');
    meta.issuer = `${mixupUrl}${issSupported ? '/with-iss' : '/without-iss'}`;
    meta.authorization_response_iss_parameter_supported = issSupported;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(meta));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  mixupUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

beforeAll(async () => {
  ({ idp } = await startTestIdp());
  ({ idp: other } = await startTestIdp());
  mixup = await startMixupDiscovery(other);
  const providers = [
    { id: 'province', name: '省统一身份认证', issuer: idp.issuer, ...CLIENT },
    { id: 'mixup-iss', name: '混淆A', issuer: `${mixupUrl}/with-iss`, ...CLIENT },
    { id: 'mixup', name: '混淆B', issuer: `${mixupUrl}/without-iss`, ...CLIENT },
    {
      id: 'nrii',
      name: '国家科技资源共享服务平台',
      type: 'oauth2',
      issuer: idp.issuer,
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      userinfoEndpoint: `${idp.issuer}/me`,
      scopes: 'openid profile',
      modes: ['person'],
      ...CLIENT,
    },
    { id: 'down', name: '停机的提供方', issuer: 'http://127.0.0.1:9', ...CLIENT },
  ];
  t = await createTestApp(appEnv(idp, { OIDC_ISSUER: '', OIDC_PROVIDERS: JSON.stringify(providers) }));
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
  await other?.close();
  await new Promise((r) => mixup?.close(r));
});

const refusals = async () =>
  (
    await t.database.db
      .selectFrom('auditLog')
      .select('detailJson')
      .where('action', '=', 'identity.refused')
      .orderBy('at')
      .orderBy('id')
      .execute()
  ).map((r) => r.detailJson as { provider: string; reason: string; detail: string });
const last = async () => (await refusals()).at(-1)!;
const sessions = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('state', () => {
  it('refuses a callback whose state is missing, unknown, or not the one this browser started', async () => {
    const p = new Person(t, idp);
    const back = new URL(await p.idp.login(await p.start('person'), 'zhaomin', IDP_PASSWORD));
    const before = await sessions();
    // another browser (no state cookie) delivers the code: login CSRF
    const attacker = new Person(t, idp);
    expect(await attacker.callback(back.href)).toBe('/login/unified-error?reason=STATE_INVALID');
    // a state this browser never started, with a cookie to match it
    const forged = new URL(back);
    forged.searchParams.set('state', 'forged-state-value');
    p.app.cookies.idp_state = 'forged-state-value';
    expect(await p.callback(forged.href)).toBe('/login/unified-error?reason=STATE_INVALID');
    // no state at all
    const none = new URL(back);
    none.searchParams.delete('state');
    expect(await p.callback(none.href)).toBe('/login/unified-error?reason=STATE_INVALID');
    expect(await sessions()).toBe(before);
    expect((await last()).reason).toBe('STATE_INVALID');
  });

  it('a replayed callback is refused: the state is single use, and the code cannot be redeemed with a fresh state', async () => {
    const p = new Person(t, idp);
    const authorize = await p.start('person');
    const state = p.app.cookies.idp_state;
    const back = await p.idp.login(authorize, 'zhaomin', IDP_PASSWORD);
    expect(await p.callback(back)).toBe('/member/binding?from=identity');
    const sid = p.app.cookies.sid;
    // the same callback again, with the state cookie put back
    p.app.cookies.idp_state = state;
    expect(await p.callback(back)).toBe('/login/unified-error?reason=STATE_INVALID');
    // the used code under a freshly started login of the same browser
    await p.start('person');
    const replay = new URL(back);
    replay.searchParams.set('state', p.app.cookies.idp_state);
    expect(await p.callback(replay.href)).toBe('/login/unified-error?reason=LOGIN_FAILED');
    expect(p.app.cookies.sid).toBe(sid);
    expect((await last()).detail).toMatch(/error=invalid_grant/);
  });

  it('a pending login expires after ten minutes', async () => {
    const p = new Person(t, idp);
    const back = await p.idp.login(await p.start('person'), 'zhaomin', IDP_PASSWORD);
    t.clock.advance(11 * 60_000);
    expect(await p.callback(back)).toBe('/login/unified-error?reason=STATE_INVALID');
  });
});

describe('tokens', () => {
  it('refuses an ID token whose nonce is not the one this login sent', async () => {
    const p = new Person(t, idp);
    const authorize = new URL(await p.start('person'));
    authorize.searchParams.set('nonce', 'nonce-of-another-login');
    const back = await p.idp.login(authorize.href, 'zhaomin', IDP_PASSWORD);
    expect(await p.callback(back)).toBe('/login/unified-error?reason=LOGIN_FAILED');
    expect((await last()).detail).toMatch(/claim=nonce/);
    expect(p.app.cookies.sid).toBeUndefined();
  });

  it('refuses an authorization response and an ID token from another issuer', async () => {
    // the response names its real issuer (RFC 9207): refused before the code is redeemed
    const a = new Person(t, other);
    const backA = await a.idp.login(await a.start('person', 'mixup-iss'), 'zhaomin', IDP_PASSWORD);
    expect(new URL(backA).searchParams.get('iss')).toBe(other.issuer);
    expect(await a.callback(backA)).toBe('/login/unified-error?reason=LOGIN_FAILED');
    expect((await last()).detail).toMatch(/unexpected "iss" \(issuer\) response parameter/);
    // without the parameter, the ID token itself names the other issuer
    const b = new Person(t, other);
    const backB = new URL(await b.idp.login(await b.start('person', 'mixup'), 'zhaomin', IDP_PASSWORD));
    backB.searchParams.delete('iss');
    expect(await b.callback(backB.href)).toBe('/login/unified-error?reason=LOGIN_FAILED');
    expect((await last()).detail).toMatch(/JWT_CLAIM_COMPARISON.*claim=iss/);
    expect(b.app.cookies.sid).toBeUndefined();
  });

  it('an error answered by the provider gives the clear page', async () => {
    const p = new Person(t, idp);
    await p.start('person');
    const url = `/api/identity/callback?error=access_denied&state=${p.app.cookies.idp_state}&iss=${encodeURIComponent(idp.issuer)}`;
    expect(await p.callback(`http://platform.test${url}`)).toBe('/login/unified-error?reason=PROVIDER_ERROR');
  });
});

describe('a provider that is down', () => {
  it('sends the browser to the clear page, records it, and local login goes on working', async () => {
    const p = new Person(t, idp);
    const res = await p.app.get('/api/identity/login?provider=down&mode=person');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login/unified-error?reason=PROVIDER_DOWN');
    expect(await last()).toMatchObject({ provider: 'down', reason: 'PROVIDER_DOWN' });
    const u = await makeUser(t);
    await p.app.login(u.username!, PASSWORD);
    expect((await p.app.get('/api/auth/me')).data.user.id).toBe(u.id);
    const unknown = await p.app.get('/api/identity/login?provider=nope&mode=person');
    expect(unknown.headers.location).toBe('/login/unified-error?reason=UNKNOWN_PROVIDER');
  });

  it('logout still ends the platform session when the provider has gone away meanwhile', async () => {
    const p = new Person(t, idp);
    await p.login('zhaomin');
    await t.database.db.updateTable('identitySessions').set({ provider: 'down' }).execute();
    const res = await p.app.post('/api/identity/logout');
    expect(res.data).toEqual({ redirect: null });
    expect((await p.app.get('/api/auth/me')).data.user).toBeNull();
  });
});

describe('a plain OAuth2 provider (explicit endpoints and userinfo)', () => {
  it('logs a person in from the userinfo claims', async () => {
    const p = new Person(t, idp);
    const authorize = new URL(await p.start('person', 'nrii'));
    expect(authorize.searchParams.get('scope')).toBe('openid profile');
    expect(authorize.searchParams.has('nonce')).toBe(false);
    expect(await p.callback(await p.idp.login(authorize.href, 'sunli', IDP_PASSWORD))).toBe(
      '/member/binding?from=identity',
    );
    const row = await t.database.db
      .selectFrom('externalIdentities')
      .selectAll()
      .where('provider', '=', 'nrii')
      .executeTakeFirstOrThrow();
    expect(row.subject).toBe('p-sunli');
    expect((await p.app.get('/api/auth/me')).data.user.realName).toBe('孙丽');
    // 法人登录 is not offered by this provider
    const legal = await p.app.get('/api/identity/login?provider=nrii&mode=legal');
    expect(legal.headers.location).toBe('/login/unified-error?reason=UNKNOWN_PROVIDER');
  });
});

describe('the login page information', () => {
  it('names the providers and whether local login is open', async () => {
    const res = await new Person(t, idp).app.get('/api/identity/providers');
    expect(res.data.localLogin).toBe(true);
    expect(res.data.providers.map((p: { id: string }) => p.id)).toEqual([
      'province',
      'mixup-iss',
      'mixup',
      'nrii',
      'down',
    ]);
    expect(JSON.stringify(res.data)).not.toContain(CLIENT.clientSecret);
  });

  it('refuses an open redirect as the return path', async () => {
    const res = await new Person(t, idp).app.get(
      '/api/identity/login?provider=province&mode=person&next=//evil.example',
    );
    expect(res.statusCode).toBe(400);
    expect(res.data.error.fields).toHaveProperty('next');
  });
});
