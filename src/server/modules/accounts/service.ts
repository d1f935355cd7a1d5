import type { FastifyReply, FastifyRequest } from 'fastify';
import { badInput, conflict, DomainError } from '../../../domain/errors';
import { MOBILE_RE, passwordProblem } from '../../../domain/password';
import { mustRefreshInfo } from '../../../domain/organization';
import { isValidUscc } from '../../../domain/uscc';
import { isUniqueViolation } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx, endSession, hashToken, randomToken, startSession } from '../../http/session';
import { makeCaptcha } from '../../platform/captcha';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../platform/passwords';
import { record } from '../audit/service';

const WINDOW_MS = 15 * 60_000;
export const CAPTCHA_AFTER = 3;
export const LOCK_AFTER = 5;
const LOCK_MS = 15 * 60_000;
const RESET_TTL_MS = 30 * 60_000;

export function assertPassword(pw: string, field = 'password') {
  const p = passwordProblem(pw);
  if (p) throw badInput('WEAK_PASSWORD', p, { [field]: p });
}

export async function register(
  deps: Deps,
  req: FastifyRequest,
  body: { mobile?: string; username?: string; realName: string; email?: string; password: string },
) {
  if (deps.config.AUTH_LOCAL === 'false')
    throw new DomainError(403, 'LOCAL_LOGIN_OFF', '本平台不开放本地注册，请通过统一身份认证登录');
  if (!body.mobile && !body.username)
    throw badInput('IDENTIFIER_REQUIRED', '请填写手机号或用户名', { mobile: '手机号或用户名至少填写一项' });
  assertPassword(body.password);
  // login matches user names without regard to case, so two names that differ only in case would shadow each other
  if (
    body.username &&
    (await deps.database.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('upper', ['username']), '=', body.username!.toUpperCase()))
      .executeTakeFirst())
  ) {
    throw conflict('ACCOUNT_EXISTS', '该用户名已被使用', { username: '该用户名已被使用' });
  }
  const now = deps.clock.now().toISOString();
  const id = newId();
  const passwordHash = await hashPassword(body.password);
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id,
          username: body.username ?? null,
          mobile: body.mobile ?? null,
          email: body.email ?? null,
          realName: body.realName,
          passwordHash,
          kind: 'person',
          departmentId: null,
          isDisabled: false,
          mustChangePassword: false,
          lockedUntil: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await record(trx, auditCtx(deps, req), {
        action: 'user.register',
        subjectKind: 'user',
        subjectId: id,
        actorId: id,
        actorName: body.realName,
        toState: 'active',
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      const field =
        body.mobile &&
        (await deps.database.db.selectFrom('users').select('id').where('mobile', '=', body.mobile).executeTakeFirst())
          ? 'mobile'
          : 'username';
      throw conflict('ACCOUNT_EXISTS', field === 'mobile' ? '该手机号已注册' : '该用户名已被使用', {
        [field]: field === 'mobile' ? '该手机号已注册' : '该用户名已被使用',
      });
    }
    throw e;
  }
  return id;
}

async function recentFailures(deps: Deps, identifier: string) {
  const { db } = deps.database;
  const since = new Date(deps.clock.now().getTime() - WINDOW_MS).toISOString();
  const lastOk = await db
    .selectFrom('loginAttempts')
    .select('at')
    .where('identifier', '=', identifier)
    .where('isSuccess', '=', true)
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const r = await db
    .selectFrom('loginAttempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('identifier', '=', identifier)
    .where('isSuccess', '=', false)
    .where('at', '>', lastOk?.at ?? since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export const normalizeIdentifier = (s: string) => s.trim().toUpperCase();

/** Failures count per account, whichever identifier (mobile, user name, USCC) was typed; per identifier when there is no such account. */
const attemptKey = (userId: string | undefined, identifier: string) => (userId ? `USER:${userId}` : identifier);

export async function loginStatus(deps: Deps, identifier: string) {
  if (!identifier) return { captchaRequired: false };
  const id = normalizeIdentifier(identifier);
  const user = (await findLoginUser(deps, 'person', id)) ?? (await findLoginUser(deps, 'legal', id));
  return { captchaRequired: (await recentFailures(deps, attemptKey(user?.id, id))) >= CAPTCHA_AFTER };
}

export async function newCaptcha(deps: Deps) {
  const { text, svg } = makeCaptcha();
  const id = newId();
  const now = deps.clock.now();
  await deps.database.db.deleteFrom('captchas').where('expiresAt', '<', now.toISOString()).execute();
  await deps.database.db
    .insertInto('captchas')
    .values({ id, answer: text, expiresAt: new Date(now.getTime() + 5 * 60_000).toISOString() })
    .execute();
  return { id, svg };
}

async function checkCaptcha(deps: Deps, id: string | undefined, answer: string | undefined) {
  if (!id || !answer)
    throw new DomainError(
      428,
      'CAPTCHA_REQUIRED',
      '请输入验证码',
      { captcha: '请输入验证码' },
      { captchaRequired: true },
    );
  const row = await deps.database.db
    .deleteFrom('captchas')
    .where('id', '=', id)
    .returning(['answer', 'expiresAt'])
    .executeTakeFirst();
  if (!row || row.expiresAt < deps.clock.now().toISOString() || row.answer !== answer.trim().toLowerCase()) {
    throw new DomainError(
      400,
      'CAPTCHA_WRONG',
      '验证码错误或已过期，请重新输入',
      { captcha: '验证码错误或已过期' },
      { captchaRequired: true },
    );
  }
}

async function findLoginUser(deps: Deps, mode: 'person' | 'legal', identifier: string) {
  const { db } = deps.database;
  const q = db.selectFrom('users').selectAll('users');
  if (mode === 'legal') {
    if (isValidUscc(identifier)) {
      return q
        .innerJoin('organizations', 'organizations.legalUserId', 'users.id')
        .where('organizations.uscc', '=', identifier)
        .executeTakeFirst();
    }
    return q
      .where((eb) => eb('users.username', '=', identifier).or(eb.fn('upper', ['users.username']), '=', identifier))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('organizations')
            .select('organizations.id')
            .whereRef('organizations.legalUserId', '=', 'users.id'),
        ),
      )
      .executeTakeFirst();
  }
  if (MOBILE_RE.test(identifier)) return q.where('mobile', '=', identifier).executeTakeFirst();
  return q.where((eb) => eb.fn('upper', ['username']), '=', identifier).executeTakeFirst();
}

export async function login(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  body: { mode: 'person' | 'legal'; identifier: string; password: string; captchaId?: string; captcha?: string },
) {
  const { db } = deps.database;
  const identifier = normalizeIdentifier(body.identifier);
  const now = deps.clock.now();
  const user = await findLoginUser(deps, body.mode, identifier);
  const key = attemptKey(user?.id, identifier);
  const failures = await recentFailures(deps, key);
  if (failures >= CAPTCHA_AFTER) await checkCaptcha(deps, body.captchaId, body.captcha);

  if (user?.lockedUntil && user.lockedUntil > now.toISOString()) {
    const minutes = Math.ceil((new Date(user.lockedUntil).getTime() - now.getTime()) / 60_000);
    await record(db, auditCtx(deps, req), {
      action: 'login.refused_locked',
      subjectKind: 'user',
      subjectId: user.id,
      actorId: user.id,
      actorName: user.realName,
    });
    throw new DomainError(
      429,
      'ACCOUNT_LOCKED',
      `登录失败次数过多，账号已临时锁定，请 ${minutes} 分钟后再试`,
      undefined,
      { captchaRequired: true },
    );
  }
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, body.password);
  if (!user || !ok || user.isDisabled) {
    await db
      .insertInto('loginAttempts')
      .values({ id: newId(), identifier: key, ip: req.ip, isSuccess: false, at: now.toISOString() })
      .execute();
    const n = failures + 1;
    if (user && n >= LOCK_AFTER) {
      await db
        .updateTable('users')
        .set({ lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString() })
        .where('id', '=', user.id)
        .execute();
    }
    await record(db, auditCtx(deps, req), {
      action: 'login.failed',
      subjectKind: 'user',
      subjectId: user?.id ?? null,
      actorId: user?.id ?? null,
      actorName: user?.realName ?? identifier,
      detail: { mode: body.mode, failures: n },
    });
    if (user && n >= LOCK_AFTER)
      throw new DomainError(429, 'ACCOUNT_LOCKED', '登录失败次数过多，账号已临时锁定 15 分钟，请稍后再试', undefined, {
        captchaRequired: true,
      });
    if (user?.isDisabled && ok) throw new DomainError(403, 'ACCOUNT_DISABLED', '该账号已被停用，请联系管理员');
    const msg = body.mode === 'legal' ? '统一社会信用代码/账号或密码错误' : '账号或密码错误';
    throw new DomainError(
      401,
      'INVALID_CREDENTIALS',
      msg,
      { password: msg },
      { captchaRequired: n >= CAPTCHA_AFTER, remaining: Math.max(0, LOCK_AFTER - n) },
    );
  }
  await db
    .insertInto('loginAttempts')
    .values({ id: newId(), identifier: key, ip: req.ip, isSuccess: true, at: now.toISOString() })
    .execute();
  if (user.lockedUntil) await db.updateTable('users').set({ lockedUntil: null }).where('id', '=', user.id).execute();
  // AUTH_LOCAL=false: persons and legal persons come through the identity providers; departments and the sysadmin keep this way in
  if (deps.config.AUTH_LOCAL === 'false' && user.kind === 'person')
    throw new DomainError(403, 'LOCAL_LOGIN_OFF', '本平台已关闭个人与法人的本地账号登录，请通过统一身份认证登录');
  await startSession(deps, req, reply, user.id);
  await record(db, auditCtx(deps, req), {
    action: 'login.success',
    subjectKind: 'user',
    subjectId: user.id,
    actorId: user.id,
    actorName: user.realName,
    detail: { mode: body.mode },
  });
  return user.id;
}

export async function logout(deps: Deps, req: FastifyRequest, reply: FastifyReply) {
  if (req.actor)
    await record(deps.database.db, auditCtx(deps, req), {
      action: 'logout',
      subjectKind: 'user',
      subjectId: req.actor.userId,
    });
  await endSession(deps, req, reply);
}

export async function changePassword(
  deps: Deps,
  req: FastifyRequest,
  actor: Actor,
  oldPassword: string,
  newPassword: string,
) {
  const { db } = deps.database;
  const u = await db
    .selectFrom('users')
    .select(['passwordHash'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(u.passwordHash, oldPassword)))
    throw badInput('WRONG_PASSWORD', '原密码不正确', { oldPassword: '原密码不正确' });
  assertPassword(newPassword, 'newPassword');
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ passwordHash, mustChangePassword: false, updatedAt: deps.clock.now().toISOString() })
      .where('id', '=', actor.userId)
      .execute();
    // other sessions of this account end; this one stays
    await trx.deleteFrom('sessions').where('userId', '=', actor.userId).where('id', '!=', actor.sessionId).execute();
    await record(trx, auditCtx(deps, req), {
      action: 'user.password_changed',
      subjectKind: 'user',
      subjectId: actor.userId,
    });
  });
}

/** 忘记密码: always answers the same, so that it does not tell which accounts exist. */
export async function requestReset(deps: Deps, req: FastifyRequest, identifier: string) {
  const { db } = deps.database;
  const id = identifier.trim();
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'mobile', 'realName', 'isDisabled'])
    .where((eb) =>
      eb.or([eb('mobile', '=', id), eb(eb.fn('upper', ['username']), '=', id.toUpperCase()), eb('email', '=', id)]),
    )
    .executeTakeFirst();
  if (!user || user.isDisabled || (!user.email && !user.mobile)) return;
  const token = randomToken();
  const now = deps.clock.now();
  const link = `${deps.config.PUBLIC_URL}/reset-password?token=${token}`;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('passwordResets')
      .values({
        id: newId(),
        userId: user.id,
        tokenHash: hashToken(deps, token),
        expiresAt: new Date(now.getTime() + RESET_TTL_MS).toISOString(),
        usedAt: null,
        createdAt: now.toISOString(),
      })
      .execute();
    if (user.email) {
      await deps.mailer.enqueue(
        trx,
        user.email,
        `【${deps.config.SITE_NAME}】重置密码`,
        `${user.realName}，您好：\n\n请在 30 分钟内打开以下链接重置密码（仅可使用一次）：\n${link}\n\n如非本人操作，请忽略本邮件。`,
      );
    }
    await record(trx, auditCtx(deps, req), {
      action: 'user.password_reset_requested',
      subjectKind: 'user',
      subjectId: user.id,
      actorId: user.id,
      actorName: user.realName,
    });
  });
  if (!user.email && user.mobile)
    await deps.sms.send(user.mobile, `【${deps.config.SITE_NAME}】重置密码链接（30 分钟内有效）：${link}`);
  void deps.mailer.flush().catch(() => undefined);
}

/** A reset link is usable while it is unused and not expired; asking does not use it. */
export async function resetTokenValid(deps: Deps, token: string): Promise<boolean> {
  if (token.length < 10) return false;
  const row = await deps.database.db
    .selectFrom('passwordResets')
    .select('id')
    .where('tokenHash', '=', hashToken(deps, token))
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', deps.clock.now().toISOString())
    .executeTakeFirst();
  return !!row;
}

export async function confirmReset(deps: Deps, req: FastifyRequest, token: string, password: string) {
  assertPassword(password);
  const { db } = deps.database;
  const now = deps.clock.now().toISOString();
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    // single use: the update claims the token atomically
    const claimed = await trx
      .updateTable('passwordResets')
      .set({ usedAt: now })
      .where('tokenHash', '=', hashToken(deps, token))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning(['userId'])
      .executeTakeFirst();
    if (!claimed)
      throw badInput('RESET_TOKEN_INVALID', '重置链接无效或已过期，请重新申请', { token: '链接无效或已过期' });
    await trx
      .updateTable('users')
      .set({ passwordHash, lockedUntil: null, mustChangePassword: false, updatedAt: now })
      .where('id', '=', claimed.userId)
      .execute();
    await trx.deleteFrom('sessions').where('userId', '=', claimed.userId).execute();
    await record(trx, auditCtx(deps, req), {
      action: 'user.password_reset',
      subjectKind: 'user',
      subjectId: claimed.userId,
      actorId: claimed.userId,
      actorName: null,
    });
  });
}

export async function me(deps: Deps, actor: Actor | null, csrfToken: string) {
  if (!actor) return { user: null, roles: ['visitor'], org: null, department: null, csrfToken };
  const u = await deps.database.db
    .selectFrom('users')
    .select(['id', 'realName', 'username', 'mobile', 'email', 'kind', 'mustChangePassword'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  // 我的创新券 is for enterprises that chose to apply for vouchers when joining (manual §4.4); the menu reads this
  const o = actor.org
    ? await deps.database.db
        .selectFrom('organizations')
        .select(['type', 'isVoucherApplicant'])
        .where('id', '=', actor.org.id)
        .executeTakeFirst()
    : undefined;
  return {
    user: u,
    roles: rolesOf(actor),
    org: actor.org
      ? {
          id: actor.org.id,
          name: actor.org.name,
          role: actor.org.role,
          state: actor.org.state,
          mustRefresh: actor.org.state === 'approved' && mustRefreshInfo(actor.org.infoUpdatedAt, deps.clock.now()),
          canUseVouchers: o?.type === 'enterprise' && !!o.isVoucherApplicant,
        }
      : null,
    department: actor.department,
    csrfToken: actor.csrfToken,
  };
}

export function rolesOf(a: Actor): string[] {
  if (a.kind === 'sysadmin') return ['sysadmin'];
  if (a.kind === 'department') return [a.department?.level === 'province' ? 'provinceReviewer' : 'cityReviewer'];
  const roles = ['person'];
  if (a.org) roles.push('member');
  if (a.org?.role === 'admin' || a.org?.role === 'legal') roles.push('orgAdmin');
  if (a.org?.role === 'legal') roles.push('legal');
  return roles;
}
