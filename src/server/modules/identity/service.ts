import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import { auditCtx, endSession, hashToken, SID, startSession } from '../../http/session';
import { record } from '../audit/service';
import { mapClaims, Refusal, type LoginMode, type MappedIdentity } from './claims';
import { authorizationUrl, endSessionUrl, exchangeCode, redirectUri } from './clients';
import type { ProviderConfig } from './provider-config';

/** The cookie that ties a pending login to the browser that started it (login CSRF). */
export const STATE_COOKIE = 'idp_state';
const PENDING_MS = 10 * 60_000;
const NOT_A_PASSWORD = '!external'; // no argon2 hash: a local password login never matches it

export const errorPage = (reason: string) => `/login/unified-error?reason=${encodeURIComponent(reason)}`;

export function providerOf(deps: Deps, id: string): ProviderConfig {
  const p = deps.config.identityProviders.find((x) => x.id === id);
  if (!p) throw new Refusal('UNKNOWN_PROVIDER');
  return p;
}

async function refused(deps: Deps, req: FastifyRequest, provider: string, r: Refusal) {
  await record(deps.database.db, auditCtx(deps, req), {
    action: 'identity.refused',
    subjectKind: 'identity',
    subjectId: r.subject,
    detail: { provider, subject: r.subject, reason: r.reason, detail: r.message.slice(0, 300) },
  });
  return errorPage(r.reason);
}

/** 个人登录 / 法人登录 (or linking): keeps state, nonce and PKCE verifier server-side and sends the browser to the provider. */
export async function startLogin(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { provider: string; mode: LoginMode; next?: string; linkUserId?: string },
): Promise<string> {
  try {
    const p = providerOf(deps, opts.provider);
    if (!p.modes.includes(opts.mode)) throw new Refusal('UNKNOWN_PROVIDER', null, `mode ${opts.mode}`);
    const { url, checks } = await authorizationUrl(deps, p, { forceLogin: !!opts.linkUserId });
    const now = deps.clock.now();
    const { db } = deps.database;
    await db.deleteFrom('identityLogins').where('expiresAt', '<', now.toISOString()).execute();
    await db
      .insertInto('identityLogins')
      .values({
        stateHash: hashToken(deps, checks.state),
        provider: p.id,
        mode: opts.mode,
        nonce: checks.nonce,
        codeVerifier: checks.codeVerifier,
        returnTo: opts.next ?? null,
        linkUserId: opts.linkUserId ?? null,
        expiresAt: new Date(now.getTime() + PENDING_MS).toISOString(),
      })
      .execute();
    reply.setCookie(STATE_COOKIE, checks.state, {
      path: '/api/identity',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.COOKIE_SECURE === 'true',
      maxAge: PENDING_MS / 1000,
    });
    return url;
  } catch (e) {
    if (e instanceof Refusal) return refused(deps, req, opts.provider, e);
    throw e;
  }
}

/** The pending login of this callback, taken once: an unknown, expired, replayed or foreign state finds nothing. */
async function takePending(deps: Deps, req: FastifyRequest, state: string | undefined) {
  const cookie = req.cookies[STATE_COOKIE];
  if (!state || !cookie || state !== cookie)
    throw new Refusal('STATE_INVALID', null, 'state does not match the browser');
  const row = await deps.database.db
    .deleteFrom('identityLogins')
    .where('stateHash', '=', hashToken(deps, state))
    .returningAll()
    .executeTakeFirst();
  if (!row || row.expiresAt < deps.clock.now().toISOString())
    throw new Refusal('STATE_INVALID', null, 'unknown, used or expired state');
  return row;
}

/** The callback: checks, maps the claims, finds or creates the account, starts a fresh session. Returns where to go. */
export async function finishLogin(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<string> {
  const query = req.query as Record<string, string | undefined>;
  reply.clearCookie(STATE_COOKIE, { path: '/api/identity' });
  let providerId = 'unknown';
  try {
    const pending = await takePending(deps, req, query.state);
    providerId = pending.provider;
    const p = providerOf(deps, pending.provider);
    const callbackUrl = new URL(redirectUri(deps) + req.url.slice(req.url.indexOf('?')));
    const { claims, idToken } = await exchangeCode(deps, p, callbackUrl, {
      state: query.state!,
      nonce: pending.nonce,
      codeVerifier: pending.codeVerifier,
    });
    const who = mapClaims(deps, p, claims, pending.mode);
    if (pending.linkUserId) {
      if (req.actor?.userId !== pending.linkUserId)
        throw new Refusal('STATE_INVALID', who.subject, 'link by another session');
      await link(deps, req, p, who, pending.linkUserId, 'local_login');
      return '/member/identity?linked=1';
    }
    const { userId, created } = await accountFor(deps, req, p, who);
    const user = await deps.database.db
      .selectFrom('users')
      .select(['isDisabled', 'realName'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    if (user.isDisabled) throw new Refusal('ACCOUNT_DISABLED', who.subject);
    const old = req.cookies[SID];
    if (old) await deps.database.db.deleteFrom('sessions').where('id', '=', hashToken(deps, old)).execute();
    const csrf = await startSession(deps, req, reply, userId);
    const session = await deps.database.db
      .selectFrom('sessions')
      .select('id')
      .where('userId', '=', userId)
      .where('csrfToken', '=', csrf)
      .executeTakeFirstOrThrow();
    await deps.database.db
      .insertInto('identitySessions')
      .values({ sessionId: session.id, provider: p.id, idToken })
      .execute();
    await deps.database.db
      .updateTable('externalIdentities')
      .set({ lastLoginAt: deps.clock.now().toISOString() })
      .where('provider', '=', p.id)
      .where('subject', '=', who.subject)
      .execute();
    await record(deps.database.db, auditCtx(deps, req), {
      action: 'identity.login',
      subjectKind: 'user',
      subjectId: userId,
      actorId: userId,
      actorName: user.realName,
      detail: { provider: p.id, subject: who.subject, mode: pending.mode, created },
    });
    const member = await deps.database.db
      .selectFrom('memberships')
      .select('id')
      .where('userId', '=', userId)
      .executeTakeFirst();
    if (!member) return who.kind === 'legal' ? '/member/org/edit?from=identity' : '/member/binding?from=identity';
    return pending.returnTo ?? '/member';
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    // a callback in a browser that started no login here is refused without an audit row: anonymous requests
    // must not be able to fill the audit log (a replay or a mismatch in a browser that did start one is recorded)
    if (e.reason === 'STATE_INVALID' && !req.cookies[STATE_COOKIE]) return errorPage(e.reason);
    return refused(deps, req, providerId, e);
  }
}

/** The account of an identity: linked before; for a legal person, its organisation's legal account by USCC; else a new one. */
async function accountFor(deps: Deps, req: FastifyRequest, p: ProviderConfig, who: MappedIdentity) {
  const { db } = deps.database;
  const known = await db
    .selectFrom('externalIdentities')
    .select('userId')
    .where('provider', '=', p.id)
    .where('subject', '=', who.subject)
    .executeTakeFirst();
  if (known) return { userId: known.userId, created: false };
  if (who.kind === 'legal') {
    const org = await db
      .selectFrom('organizations')
      .select(['legalUserId'])
      .where('uscc', '=', who.uscc!)
      .executeTakeFirst();
    if (org) {
      await link(deps, req, p, who, org.legalUserId, 'uscc');
      return { userId: org.legalUserId, created: false };
    }
  }
  if (who.mobile && (await db.selectFrom('users').select('id').where('mobile', '=', who.mobile).executeTakeFirst()))
    throw new Refusal('MOBILE_TAKEN', who.subject);
  const now = deps.clock.now().toISOString();
  const userId = newId();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: userId,
          username: null,
          mobile: who.mobile,
          email: null,
          realName: who.kind === 'legal' ? `${who.orgName}（法人账号）`.slice(0, 50) : who.name,
          passwordHash: NOT_A_PASSWORD,
          kind: 'person',
          departmentId: null,
          isDisabled: false,
          mustChangePassword: false,
          lockedUntil: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await trx
        .insertInto('externalIdentities')
        .values(identityRow(p, who, userId, now))
        .execute();
      await record(trx, auditCtx(deps, req), {
        action: 'identity.account_created',
        subjectKind: 'user',
        subjectId: userId,
        actorId: userId,
        actorName: who.name,
        detail: { provider: p.id, subject: who.subject, kind: who.kind, uscc: who.uscc },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new Refusal('IDENTITY_TAKEN', who.subject, 'created meanwhile');
    throw e;
  }
  return { userId, created: true };
}

const identityRow = (p: ProviderConfig, who: MappedIdentity, userId: string, now: string) => ({
  id: newId(),
  provider: p.id,
  subject: who.subject,
  userId,
  kind: who.kind,
  idCardHash: who.idCardHash,
  uscc: who.uscc,
  orgName: who.orgName,
  createdAt: now,
  lastLoginAt: null,
});

/** Links an identity to an existing account: one identity ↔ one account, one identity per provider and account. */
async function link(
  deps: Deps,
  req: FastifyRequest,
  p: ProviderConfig,
  who: MappedIdentity,
  userId: string,
  by: 'local_login' | 'uscc',
) {
  const { db } = deps.database;
  const taken = await db
    .selectFrom('externalIdentities')
    .select(['userId'])
    .where('provider', '=', p.id)
    .where((eb) => eb.or([eb('subject', '=', who.subject), eb('userId', '=', userId)]))
    .execute();
  if (taken.some((t) => t.userId !== userId)) throw new Refusal('IDENTITY_TAKEN', who.subject);
  if (taken.length) throw new Refusal('ACCOUNT_LINKED', who.subject);
  const now = deps.clock.now().toISOString();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('externalIdentities')
        .values(identityRow(p, who, userId, now))
        .execute();
      await record(trx, auditCtx(deps, req), {
        action: 'identity.linked',
        subjectKind: 'user',
        subjectId: userId,
        detail: { provider: p.id, subject: who.subject, kind: who.kind, by },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new Refusal('ACCOUNT_LINKED', who.subject, 'linked meanwhile');
    throw e;
  }
}

/** 退出: ends the platform session, and names the provider's end-session URL when the session came from one. */
export async function logout(deps: Deps, req: FastifyRequest, reply: FastifyReply) {
  const actor = req.actor!;
  const { db } = deps.database;
  const origin = await db
    .selectFrom('identitySessions')
    .selectAll()
    .where('sessionId', '=', actor.sessionId)
    .executeTakeFirst();
  await record(db, auditCtx(deps, req), {
    action: 'logout',
    subjectKind: 'user',
    subjectId: actor.userId,
    detail: origin ? { provider: origin.provider } : null,
  });
  await endSession(deps, req, reply);
  const p = origin && deps.config.identityProviders.find((x) => x.id === origin.provider);
  return { redirect: p ? await endSessionUrl(deps, p, origin.idToken) : null };
}

/** What the account holds: its linked identities, and the organisation a legal identity names (the wizard's locked fields). */
export async function mine(deps: Deps, userId: string) {
  const rows = await deps.database.db
    .selectFrom('externalIdentities')
    .select(['provider', 'kind', 'uscc', 'orgName', 'createdAt', 'lastLoginAt'])
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .execute();
  const names = new Map(deps.config.identityProviders.map((p) => [p.id, p.name]));
  const legal = rows.find((r) => r.kind === 'legal' && r.uscc);
  return {
    identities: rows.map((r) => ({
      provider: r.provider,
      providerName: names.get(r.provider) ?? r.provider,
      kind: r.kind,
      createdAt: r.createdAt,
      lastLoginAt: r.lastLoginAt,
    })),
    legalOrg: legal ? { name: legal.orgName ?? '', uscc: legal.uscc! } : null,
  };
}

/**
 * An organisation registered by a legal identity keeps the name and USCC the provider vouched for. When saving an
 * existing organisation (`current`), only the fields that still equal the provider's are locked. `db`: the caller's
 * transaction when there is one (SQLite has one connection).
 */
export async function assertIdentityOrg(
  db: Db,
  userId: string,
  fields: { name: string; uscc: string },
  current?: { name: string; uscc: string },
) {
  const legal = await db
    .selectFrom('externalIdentities')
    .select(['uscc', 'orgName'])
    .where('userId', '=', userId)
    .where('kind', '=', 'legal')
    .executeTakeFirst();
  if (!legal?.uscc) return;
  const bad: Record<string, string> = {};
  if (fields.uscc !== legal.uscc && (!current || current.uscc === legal.uscc))
    bad.uscc = '须与统一身份认证的统一社会信用代码一致';
  if (legal.orgName && fields.name !== legal.orgName && (!current || current.name === legal.orgName))
    bad.name = '须与统一身份认证的单位名称一致';
  if (Object.keys(bad).length)
    throw new DomainError(422, 'IDENTITY_ORG_LOCKED', '单位名称和统一社会信用代码由统一身份认证提供，不能修改', bad);
}
