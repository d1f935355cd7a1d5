/**
 * 用户管理 for the system administrator: find a person, see their organisation and role, lock or unlock the account,
 * force a password reset. No reply ever carries a password or its hash.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { MEMBER_ROLE_LABEL, type MemberRole } from '../../../domain/binding';
import { conflict, notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { hashPassword } from '../../platform/passwords';
import { record } from '../audit/service';
import { requestReset } from '../accounts/service';
import { contains } from '../../db/like';

export async function list(deps: Deps, q: { page: number; pageSize: number; q?: string; locked?: '1' | '0' }) {
  const { db } = deps.database;
  const now = deps.clock.now().toISOString();
  let base = db
    .selectFrom('users')
    .leftJoin('memberships', 'memberships.userId', 'users.id')
    .leftJoin('organizations', 'organizations.id', 'memberships.orgId')
    .leftJoin('departments', 'departments.id', 'users.departmentId');
  if (q.q) {
    const t = q.q;
    base = base.where((eb) =>
      eb.or(
        (['users.realName', 'users.username', 'users.mobile', 'users.email', 'organizations.name'] as const).map((c) =>
          contains(eb.ref(c), t),
        ),
      ),
    );
  }
  if (q.locked === '1')
    base = base.where((eb) => eb.or([eb('users.isDisabled', '=', true), eb('users.lockedUntil', '>', now)]));
  if (q.locked === '0')
    base = base
      .where('users.isDisabled', '=', false)
      .where((eb) => eb.or([eb('users.lockedUntil', 'is', null), eb('users.lockedUntil', '<=', now)]));
  const [rows, total] = await Promise.all([
    base
      .select([
        'users.id',
        'users.realName',
        'users.username',
        'users.mobile',
        'users.email',
        'users.kind',
        'users.isDisabled',
        'users.lockedUntil',
        'users.mustChangePassword',
        'users.createdAt',
        'organizations.id as orgId',
        'organizations.name as orgName',
        'memberships.role',
        'departments.name as departmentName',
        (eb) =>
          eb
            .selectFrom('sessions')
            .select((s) => s.fn.max('sessions.createdAt').as('m'))
            .whereRef('sessions.userId', '=', 'users.id')
            .as('lastLoginAt'),
      ])
      .orderBy('users.createdAt', 'desc')
      .orderBy('users.id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      realName: r.realName,
      username: r.username,
      mobile: r.mobile,
      email: r.email,
      kind: r.kind,
      isDisabled: !!r.isDisabled,
      isLocked: !!r.isDisabled || (!!r.lockedUntil && r.lockedUntil > now),
      mustChangePassword: !!r.mustChangePassword,
      org: r.orgId
        ? { id: r.orgId, name: r.orgName!, role: r.role!, roleLabel: MEMBER_ROLE_LABEL[r.role as MemberRole] }
        : null,
      departmentName: r.departmentName,
      createdAt: r.createdAt,
      lastLoginAt: (r.lastLoginAt as string | null) ?? null,
    })),
    total: Number(total.n),
    page: q.page,
    pageSize: q.pageSize,
  };
}

async function person(db: Db, id: string) {
  const u = await db
    .selectFrom('users')
    .select(['id', 'kind', 'realName', 'isDisabled', 'mobile', 'username', 'email'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!u) throw notFound('用户');
  if (u.kind === 'sysadmin') throw conflict('USER_PROTECTED', '系统管理员账号不能在此操作');
  return u;
}

/** 锁定: the account cannot log in, and its sessions end now. 解锁 also clears a temporary lock after failed logins. */
export async function setLocked(deps: Deps, req: FastifyRequest, id: string, locked: boolean) {
  const { db } = deps.database;
  const u = await person(db, id);
  const ctx = auditCtx(deps, req);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ isDisabled: locked, lockedUntil: null, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    if (locked) await trx.deleteFrom('sessions').where('userId', '=', id).execute();
    await record(trx, ctx, {
      action: locked ? 'user.lock' : 'user.unlock',
      subjectKind: 'user',
      subjectId: id,
      detail: { realName: u.realName },
    });
  });
  return { ok: true as const };
}

/**
 * 强制重置密码: the current password stops working (replaced by a random one nobody knows), sessions end, and a
 * reset link goes to the person's email (or SMS); 忘记密码 works too.
 */
export async function forceReset(deps: Deps, req: FastifyRequest, id: string) {
  const { db } = deps.database;
  const u = await person(db, id);
  const ctx = auditCtx(deps, req);
  const unusable = await hashPassword(crypto.randomBytes(32).toString('base64url'));
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ passwordHash: unusable, mustChangePassword: true, updatedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .execute();
    await trx.deleteFrom('sessions').where('userId', '=', id).execute();
    await record(trx, ctx, {
      action: 'user.force_reset',
      subjectKind: 'user',
      subjectId: id,
      detail: { realName: u.realName },
    });
  });
  const identifier = u.email ?? u.mobile ?? u.username;
  if (identifier && !u.isDisabled) await requestReset(deps, req, identifier);
  return { ok: true as const };
}
