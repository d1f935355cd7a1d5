import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

describe('identity provider configuration', () => {
  it('reads one provider from OIDC_* with default claim names and scopes', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'https://ids.shandong.gov.cn',
      OIDC_CLIENT_ID: 'isp',
      OIDC_CLIENT_SECRET: 'x',
    });
    expect(c.identityProviders).toEqual([
      expect.objectContaining({
        id: 'province',
        name: '山东省统一身份认证',
        nameEn: 'Shandong Unified Identity',
        type: 'oidc',
        scopes: 'openid profile',
        modes: ['person', 'legal'],
        claims: {
          subject: 'sub',
          name: 'name',
          mobile: 'phone_number',
          idCard: 'id_card_number',
          orgName: 'org_name',
          uscc: 'uscc',
        },
      }),
    ]);
    expect(loadConfig({}).identityProviders).toEqual([]);
  });

  it('takes configured claim names and a JSON list with a plain OAuth2 provider', () => {
    const c = loadConfig({
      OIDC_ISSUER: 'https://ids.example.cn',
      OIDC_CLIENT_ID: 'isp',
      OIDC_CLAIM_USCC: 'tyshxydm',
      OIDC_CLAIM_NAME: 'xm',
    });
    expect(c.identityProviders[0].claims).toMatchObject({ uscc: 'tyshxydm', name: 'xm', mobile: 'phone_number' });
    const named = loadConfig({
      OIDC_ISSUER: 'https://ids.example.cn',
      OIDC_CLIENT_ID: 'isp',
      OIDC_NAME: '某省统一身份认证',
    });
    expect(named.identityProviders[0]).toMatchObject({ name: '某省统一身份认证', nameEn: undefined });
    const list = loadConfig({
      OIDC_PROVIDERS: JSON.stringify([
        { id: 'sd', name: '山东', issuer: 'https://ids.example.cn', clientId: 'a' },
        {
          id: 'nrii',
          name: 'NRII',
          type: 'oauth2',
          authorizationEndpoint: 'https://nrii.example.cn/oauth/authorize',
          tokenEndpoint: 'https://nrii.example.cn/oauth/token',
          userinfoEndpoint: 'https://nrii.example.cn/oauth/userinfo',
          clientId: 'b',
          claims: { subject: 'userId' },
        },
      ]),
    }).identityProviders;
    expect(list.map((p) => [p.id, p.type, p.scopes, p.claims.subject])).toEqual([
      ['sd', 'oidc', 'openid profile', 'sub'],
      ['nrii', 'oauth2', 'profile', 'userId'],
    ]);
  });

  it('stops the start naming the variable for a bad value', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'http://ids.example.cn', OIDC_CLIENT_ID: 'a' })).toThrow(
      /OIDC_ISSUER: .*https:\/\/ address \(http:\/\/ only on loopback\)/,
    );
    expect(() => loadConfig({ OIDC_ISSUER: 'https://ids.example.cn' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_PROVIDERS: '[{' })).toThrow(/OIDC_PROVIDERS: must be a JSON list/);
    expect(() =>
      loadConfig({ OIDC_PROVIDERS: JSON.stringify([{ id: 'x1', name: 'X', type: 'oauth2', clientId: 'a' }]) }),
    ).toThrow(/OIDC_PROVIDERS: .*tokenEndpoint: required for type oauth2/);
    expect(() =>
      loadConfig({
        OIDC_PROVIDERS: JSON.stringify([
          { id: 'same', name: 'A', issuer: 'https://a.example.cn', clientId: 'a' },
          { id: 'same', name: 'B', issuer: 'https://b.example.cn', clientId: 'b' },
        ]),
      }),
    ).toThrow(/provider ids must differ/);
    expect(() => loadConfig({ AUTH_LOCAL: 'no' })).toThrow(/AUTH_LOCAL/);
  });
});
