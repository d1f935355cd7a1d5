import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, forbidden, unauthenticated } from '../../domain/errors';
import { mustRefreshInfo } from '../../domain/organization';
import type { Deps } from '../deps';
import { allows, type Actor, type Policy } from './actor';
import { record } from '../modules/audit/service';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    policy?: Policy;
    /** Writes that stay allowed while the organisation's info is older than 365 days (the update itself, logout …). */
    allowStaleOrg?: boolean;
  }
}

export const SID = 'sid';
export const CSRF = 'csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What the database keeps of a session or reset token: its HMAC with SESSION_SECRET when set (a stolen table is then useless), else its SHA-256. */
export const hashToken = (deps: Deps, t: string) => {
  const secret = deps.config.SESSION_SECRET;
  return (secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256')).update(t).digest('hex');
};
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

function cookieOpts(deps: Deps, httpOnly: boolean) {
  return { path: '/', httpOnly, sameSite: 'lax' as const, secure: deps.config.COOKIE_SECURE === 'true' };
}

export async function startSession(deps: Deps, req: FastifyRequest, reply: FastifyReply, userId: string) {
  const token = randomToken();
  const csrf = randomToken(24);
  const now = deps.clock.now();
  await deps.database.db
    .insertInto('sessions')
    .values({
      id: hashToken(deps, token),
      userId,
      csrfToken: csrf,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.config.SESSION_MAX_HOURS * 3_600_000).toISOString(),
      ip: req.ip,
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
    })
    .execute();
  reply.setCookie(SID, token, cookieOpts(deps, true));
  reply.setCookie(CSRF, csrf, cookieOpts(deps, false));
  return csrf;
}

export async function endSession(deps: Deps, req: FastifyRequest, reply: FastifyReply) {
  const token = req.cookies[SID];
  if (token) await deps.database.db.deleteFrom('sessions').where('id', '=', hashToken(deps, token)).execute();
  reply.clearCookie(SID, { path: '/' });
  reply.setCookie(CSRF, randomToken(24), cookieOpts(deps, false));
}

/** Loads the actor of a session, enforcing the idle timeout and the absolute limit. */
async function loadActor(deps: Deps, token: string): Promise<Actor | null> {
  const { db } = deps.database;
  const id = hashToken(deps, token);
  // one statement for the session, its user, and the user's department or organisation (a user has one
  // membership at most): on PostgreSQL each statement is a trip through the pool, and every request makes this one
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .leftJoin('departments', 'departments.id', 'users.departmentId')
    .leftJoin('memberships', 'memberships.userId', 'users.id')
    .leftJoin('organizations', 'organizations.id', 'memberships.orgId')
    .select([
      'sessions.id as sid',
      'sessions.csrfToken',
      'sessions.lastSeenAt',
      'sessions.expiresAt',
      'users.id as userId',
      'users.realName',
      'users.kind',
      'users.isDisabled',
      'departments.id as deptId',
      'departments.name as deptName',
      'departments.level as deptLevel',
      'departments.cityCode as deptCityCode',
      'organizations.id as orgId',
      'organizations.name as orgName',
      'memberships.role as orgRole',
      'organizations.state as orgState',
      'organizations.infoUpdatedAt as orgInfoUpdatedAt',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const now = deps.clock.now();
  const idleLimit = new Date(row.lastSeenAt).getTime() + deps.config.SESSION_IDLE_MINUTES * 60_000;
  if (row.isDisabled || now.getTime() > idleLimit || now.toISOString() > row.expiresAt) {
    await db.deleteFrom('sessions').where('id', '=', id).execute();
    return null;
  }
  if (now.getTime() - new Date(row.lastSeenAt).getTime() > 30_000) {
    await db.updateTable('sessions').set({ lastSeenAt: now.toISOString() }).where('id', '=', id).execute();
  }
  const department: Actor['department'] = row.deptId
    ? { id: row.deptId, name: row.deptName!, level: row.deptLevel!, cityCode: row.deptCityCode }
    : null;
  const org: Actor['org'] =
    row.kind === 'person' && row.orgId
      ? {
          id: row.orgId,
          name: row.orgName!,
          role: row.orgRole!,
          state: row.orgState!,
          infoUpdatedAt: row.orgInfoUpdatedAt ?? null,
        }
      : null;
  return {
    userId: row.userId,
    realName: row.realName,
    kind: row.kind,
    sessionId: row.sid,
    csrfToken: row.csrfToken,
    department,
    org,
  };
}

export function registerSession(app: FastifyInstance, deps: Deps) {
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.config?.policy && !route.url.startsWith('/api/docs')) {
      throw new Error(`Route ${route.method} ${route.url} names no policy`);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SID];
    req.actor = token ? await loadActor(deps, token) : null;
    if (token && !req.actor) reply.clearCookie(SID, { path: '/' });
    if (!req.cookies[CSRF]) {
      const v = req.actor?.csrfToken ?? randomToken(24);
      reply.setCookie(CSRF, v, cookieOpts(deps, false));
      req.cookies[CSRF] = v;
    }
  });

  // Runs right after the actor is loaded, before the body is parsed or validated: a caller who may not
  // use a route learns nothing about its input, and a forged write is refused before anything else.
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    const policy = cfg?.policy;
    if (!policy) return;
    if (UNSAFE.has(req.method)) {
      const header = req.headers['x-csrf-token'];
      const expected = req.actor ? req.actor.csrfToken : req.cookies[CSRF];
      if (typeof header !== 'string' || !expected || header !== expected || header !== req.cookies[CSRF]) {
        throw new DomainError(403, 'CSRF_FAILED', '页面已过期，请刷新后重试');
      }
    }
    if (!allows(policy, req.actor)) {
      if (!req.actor) throw unauthenticated();
      await record(
        deps.database.db,
        { actor: req.actor, ip: req.ip, now: deps.clock.now() },
        {
          action: 'permission.denied',
          detail: { method: req.method, route: req.routeOptions.url, policy },
        },
      );
      throw forbidden();
    }
    const org = req.actor?.org;
    if (
      UNSAFE.has(req.method) &&
      org &&
      !cfg.allowStaleOrg &&
      org.state === 'approved' &&
      mustRefreshInfo(org.infoUpdatedAt, deps.clock.now())
    ) {
      throw new DomainError(
        403,
        'ORG_INFO_EXPIRED',
        '单位信息已超过 365 天未更新，请先更新单位信息后再进行其他操作',
        undefined,
        { link: '/member/org/edit' },
      );
    }
  });
}

/** Audit context of a request. */
export const auditCtx = (deps: Deps, req: FastifyRequest) => ({ actor: req.actor, ip: req.ip, now: deps.clock.now() });

/** Row-level refusal that is also recorded. */
export async function refuse(
  deps: Deps,
  req: FastifyRequest,
  subjectKind: string,
  subjectId: string,
  message?: string,
): Promise<never> {
  await record(deps.database.db, auditCtx(deps, req), {
    action: 'permission.denied',
    subjectKind,
    subjectId,
    detail: { method: req.method, route: req.routeOptions.url },
  });
  throw forbidden(message);
}
