import * as oidc from 'openid-client';
import type { Deps } from '../../deps';
import { Refusal } from './claims';
import type { ProviderConfig } from './provider-config';

const TIMEOUT_SECONDS = 10;
const CACHE_MS = 60 * 60_000;
const cache = new Map<string, { at: number; config: oidc.Configuration }>();

const isHttp = (url: string) => new URL(url).protocol === 'http:'; // only loopback passes provider-config

/** The callback every provider sends the browser back to. */
export const redirectUri = (deps: Deps) => `${deps.config.PUBLIC_URL}/api/identity/callback`;

/**
 * openid-client's Configuration of a provider: discovery for OpenID Connect (kept an hour for callbacks and logout;
 * every login start discovers afresh, so that a provider that is down is told before the browser is sent there; a
 * failure is not kept), explicit endpoints for a plain OAuth2 provider.
 */
export async function clientConfig(p: ProviderConfig, opts: { fresh?: boolean } = {}): Promise<oidc.Configuration> {
  const key = JSON.stringify(p);
  const hit = cache.get(key);
  if (hit && !opts.fresh && Date.now() - hit.at < CACHE_MS) return hit.config;
  let config: oidc.Configuration;
  if (p.type === 'oidc') {
    try {
      config = await oidc.discovery(new URL(p.issuer!), p.clientId, p.clientSecret, undefined, {
        execute: isHttp(p.issuer!) ? [oidc.allowInsecureRequests] : [],
        timeout: TIMEOUT_SECONDS,
      });
    } catch (e) {
      throw new Refusal('PROVIDER_DOWN', null, (e as Error).message);
    }
  } else {
    config = new oidc.Configuration(
      {
        issuer: p.issuer ?? new URL(p.authorizationEndpoint!).origin,
        authorization_endpoint: p.authorizationEndpoint,
        token_endpoint: p.tokenEndpoint,
        userinfo_endpoint: p.userinfoEndpoint,
        end_session_endpoint: p.endSessionEndpoint,
      },
      p.clientId,
      p.clientSecret,
    );
    if (isHttp(p.authorizationEndpoint!)) oidc.allowInsecureRequests(config);
  }
  config.timeout = TIMEOUT_SECONDS;
  cache.set(key, { at: Date.now(), config });
  return config;
}

export interface PendingChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A fresh state, nonce and PKCE verifier, and the provider's authorization URL carrying them. */
export async function authorizationUrl(deps: Deps, p: ProviderConfig, opts: { forceLogin: boolean }) {
  const config = await clientConfig(p, { fresh: true });
  const checks: PendingChecks = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  };
  const params: Record<string, string> = {
    redirect_uri: redirectUri(deps),
    scope: p.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    state: checks.state,
  };
  if (p.type === 'oidc') params.nonce = checks.nonce;
  if (opts.forceLogin) params.prompt = 'login';
  return { url: oidc.buildAuthorizationUrl(config, params).href, checks };
}

/** The part of an openid-client error that names what failed: the claim, the parameter, or the provider's error code. */
function causeOf(err: Error & { error?: unknown; cause?: unknown }) {
  const parts: string[] = [];
  if (typeof err.error === 'string') parts.push(`error=${err.error}`);
  for (let c = err.cause as Record<string, unknown> | undefined, depth = 0; c && depth < 3; depth++) {
    if (typeof c !== 'object') break;
    if (c instanceof Error && c.message !== err.message) parts.push(c.message);
    for (const k of ['claim', 'parameter', 'attribute', 'error', 'error_description'])
      if (typeof c[k] === 'string') parts.push(`${k}=${c[k] as string}`);
    c = c.cause as Record<string, unknown> | undefined;
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Why the exchange failed, as the error page names it: the provider unreachable, its own error, or a check that failed. */
function refusalOf(e: unknown): Refusal {
  if (e instanceof Refusal) return e;
  const err = e as Error & { code?: string; cause?: unknown };
  if (err instanceof oidc.AuthorizationResponseError) return new Refusal('PROVIDER_ERROR', null, err.message);
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || (err instanceof TypeError && !err.code))
    return new Refusal('PROVIDER_DOWN', null, err.message);
  return new Refusal('LOGIN_FAILED', null, `${err.code ?? err.name}: ${err.message}${causeOf(err)}`);
}

/**
 * The callback: openid-client checks state, the `iss` response parameter, PKCE, the ID token (issuer, audience,
 * signature, expiry, nonce) and the userinfo subject. Returns the claims of both, merged (the ID token wins).
 */
export async function exchangeCode(deps: Deps, p: ProviderConfig, callbackUrl: URL, checks: PendingChecks) {
  try {
    const config = await clientConfig(p);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      ...(p.type === 'oidc' ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
    });
    const idClaims = tokens.claims();
    const userinfo = await oidc.fetchUserInfo(
      config,
      tokens.access_token,
      idClaims ? idClaims.sub : oidc.skipSubjectCheck,
    );
    return {
      claims: { ...userinfo, ...(idClaims ?? {}) } as Record<string, unknown>,
      idToken: tokens.id_token ?? null,
    };
  } catch (e) {
    throw refusalOf(e);
  }
}

/** The provider's end-session URL (RP-initiated logout), or null when it has none. */
export async function endSessionUrl(deps: Deps, p: ProviderConfig, idToken: string | null) {
  try {
    const config = await clientConfig(p);
    if (!config.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = {
      post_logout_redirect_uri: `${deps.config.PUBLIC_URL}/login`,
      client_id: p.clientId,
    };
    if (idToken) params.id_token_hint = idToken;
    return oidc.buildEndSessionUrl(config, params).href;
  } catch {
    return null; // the platform session has ended; a provider that is down keeps its own session
  }
}
