/**
 * The client's address that the audit log, the login attempts (the lockout counts them) and the sessions keep:
 * X-Forwarded-For is believed only from the proxies named in TRUST_PROXY. A client that writes its own header
 * must not choose the address recorded against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { Client, createSecondInstance, createTestApp, type TestApp } from '../test/harness';
import { makeUser, PASSWORD } from '../test/factories';

const FORGED = '203.0.113.9';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** An instance on the same database whose only difference is TRUST_PROXY. */
async function withTrustProxy(value: string) {
  return createSecondInstance({ ...t, deps: { ...t.deps, config: { ...t.deps.config, TRUST_PROXY: value } } });
}

/** Logs a new user in through `app` with the given X-Forwarded-For; returns the addresses stored for that login. */
async function storedAddresses(app: TestApp['app'], forwardedFor: string) {
  const user = await makeUser(t);
  const res = await new Client(app).request(
    'POST',
    '/api/auth/login',
    { identifier: user.username, password: PASSWORD, mode: 'person' },
    { 'x-forwarded-for': forwardedFor },
  );
  expect(res.statusCode, res.body).toBe(200);
  return rowsOf(user.id);
}

async function rowsOf(userId: string) {
  const { db } = t.database;
  const audit = await db
    .selectFrom('auditLog')
    .select('ip')
    .where('action', '=', 'login.success')
    .where('actorId', '=', userId)
    .execute();
  const session = await db.selectFrom('sessions').select('ip').where('userId', '=', userId).execute();
  // a login attempt of a known account is keyed by its id (accounts/service.ts#attemptKey)
  const attempt = await db
    .selectFrom('loginAttempts')
    .select('ip')
    .where('identifier', '=', `USER:${userId}`)
    .where('isSuccess', '=', true)
    .execute();
  expect(audit).toHaveLength(1);
  expect(session).toHaveLength(1);
  expect(attempt).toHaveLength(1);
  return { audit: audit[0].ip, session: session[0].ip, attempt: attempt[0].ip };
}

const everywhere = (ip: string) => ({ audit: ip, session: ip, attempt: ip });

describe('client addresses: X-Forwarded-For is believed only from TRUST_PROXY', () => {
  it('unset: over a real socket, a forged header is ignored and the socket address is stored', async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const user = await makeUser(t);
    const page = await fetch(`${url}/api/auth/me`);
    const csrf = /csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1];
    expect(csrf).toBeTruthy();
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `csrf=${csrf}`,
        'x-csrf-token': csrf!,
        'x-forwarded-for': FORGED,
      },
      body: JSON.stringify({ identifier: user.username, password: PASSWORD, mode: 'person' }),
    });
    expect(res.status).toBe(200);
    expect(await rowsOf(user.id)).toEqual(everywhere('127.0.0.1'));
  });

  it('unset: the same through inject, and with a chain of forged addresses', async () => {
    expect(await storedAddresses(t.app, FORGED)).toEqual(everywhere('127.0.0.1'));
    expect(await storedAddresses(t.app, `10.9.9.9, ${FORGED}`)).toEqual(everywhere('127.0.0.1'));
  });

  it('TRUST_PROXY=127.0.0.1 (the proxy is the peer): the forwarded address is stored', async () => {
    const behindProxy = await withTrustProxy('127.0.0.1');
    try {
      expect(await storedAddresses(behindProxy.app, FORGED)).toEqual(everywhere(FORGED));
      // the proxy appends the address it saw; what a client wrote before it stays unbelieved
      expect(await storedAddresses(behindProxy.app, `198.51.100.7, ${FORGED}`)).toEqual(everywhere(FORGED));
    } finally {
      await behindProxy.close();
    }
  });

  it('TRUST_PROXY as a list with a CIDR, or `loopback`, trusts the peer the same way', async () => {
    for (const value of ['10.0.0.0/8, 127.0.0.0/8', 'loopback']) {
      const behindProxy = await withTrustProxy(value);
      try {
        expect(await storedAddresses(behindProxy.app, FORGED), value).toEqual(everywhere(FORGED));
      } finally {
        await behindProxy.close();
      }
    }
  });

  it('TRUST_PROXY naming another address: the header of this peer is ignored', async () => {
    const elsewhere = await withTrustProxy('10.0.0.1,192.168.0.0/16');
    try {
      expect(await storedAddresses(elsewhere.app, FORGED)).toEqual(everywhere('127.0.0.1'));
    } finally {
      await elsewhere.close();
    }
  });

  it('a value that is no address stops the start, naming TRUST_PROXY', () => {
    for (const bad of ['true', '127.0.0.1,nginx', '10.0.0.0/33', '::1/129']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, ::1, 10.0.0.0/8, loopback' }).TRUST_PROXY).toBeTruthy();
  });
});
