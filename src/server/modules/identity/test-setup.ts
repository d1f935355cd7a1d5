import { expect } from 'vitest';
import { demoIdentities, IDP_PASSWORD, type DemoIdentity } from '../../identity-provider/demo-identities';
import { ProviderBrowser } from '../../identity-provider/browser';
import { startIdentityProvider, type RunningIdp } from '../../identity-provider/server';
import { Client, type TestApp } from '../../test/harness';

export const PUBLIC_URL = 'http://platform.test';
export const CLIENT = { clientId: 'platform', clientSecret: 'platform-secret-0001' };

/** The local provider on a free port, with the demo identities plus those a test adds (the list is read live). */
export async function startTestIdp(extra: DemoIdentity[] = []) {
  const identities = [...demoIdentities(), ...extra];
  const idp = await startIdentityProvider({
    clients: [
      {
        ...CLIENT,
        redirectUris: [`${PUBLIC_URL}/api/identity/callback`],
        postLogoutRedirectUris: [`${PUBLIC_URL}/login`],
      },
    ],
    identities,
  });
  return { idp, identities };
}

export const appEnv = (idp: RunningIdp, more: Record<string, string> = {}) => ({
  PUBLIC_URL,
  OIDC_ISSUER: idp.issuer,
  OIDC_CLIENT_ID: CLIENT.clientId,
  OIDC_CLIENT_SECRET: CLIENT.clientSecret,
  ...more,
});

/** The platform path a callback address leads to (what the browser would request of the platform). */
export const pathOf = (url: string) => url.slice(PUBLIC_URL.length);

/** One browser: the platform client (cookies kept) and the provider pages (their own cookies). */
export class Person {
  app: Client;
  idp: ProviderBrowser;
  constructor(t: TestApp, idp: RunningIdp) {
    this.app = new Client(t.app);
    this.idp = new ProviderBrowser(idp.issuer);
  }

  /** 个人登录 / 法人登录: the platform sends to the provider; returns the authorization address. */
  async start(mode: 'person' | 'legal', provider = 'province') {
    const res = await this.app.get(`/api/identity/login?provider=${provider}&mode=${mode}`);
    expect(res.statusCode).toBe(302);
    return res.headers.location as string;
  }

  /** Delivers a callback address to the platform; returns where the platform sends the browser next. */
  async callback(url: string) {
    const res = await this.app.get(pathOf(url));
    expect(res.statusCode, res.body).toBe(302);
    return res.headers.location as string;
  }

  /** The whole login through the provider's own login page. */
  async login(login: string, mode: 'person' | 'legal' = 'person', provider = 'province') {
    const authorize = await this.start(mode, provider);
    const back = await this.idp.login(authorize, login, IDP_PASSWORD);
    return this.callback(back);
  }
}
