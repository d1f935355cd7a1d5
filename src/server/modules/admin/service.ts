import type { FastifyRequest } from 'fastify';
import { badInput, conflict, notFound } from '../../../domain/errors';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { hashPassword } from '../../platform/passwords';
import { assertPassword } from '../accounts/service';
import { record } from '../audit/service';

/** The system administrator manages the accounts of the province department and the 16 city bureaus. */

export interface AccountFilter {
  q?: string;
  departmentId?: string;
  page: number;
  pageSize: number;
}
export interface AccountInput {
  realName: string;
  mobile?: string;
  email?: string;
  departmentId: string;
}

const SUBJECT = 'user';

const accountColumns = [
  'users.id',
  'users.username',
  'users.realName',
  'users.mobile',
  'users.email',
  'users.departmentId',
  'departments.name as departmentName',
  'users.isDisabled',
  'users.mustChangePassword',
  'users.createdAt',
] as const;

const baseQuery = (db: Db) =>
  db
    .selectFrom('users')
    .innerJoin('departments', 'departments.id', 'users.departmentId')
    .where('users.kind', '=', 'department');

/** Province first, then the city bureaus in the order of their codes. */
export async function departments(db: Db) {
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'code', 'name', 'level', 'cityCode'])
    .orderBy('code')
    .execute();
  return [...rows.filter((d) => d.level === 'province'), ...rows.filter((d) => d.level !== 'province')];
}

export async function list(db: Db, f: AccountFilter) {
  let q = baseQuery(db);
  if (f.departmentId) q = q.where('users.departmentId', '=', f.departmentId);
  if (f.q) {
    const like = `%${f.q}%`;
    q = q.where((eb) =>
      eb.or([eb('users.username', 'like', like), eb('users.realName', 'like', like), eb('users.mobile', 'like', like)]),
    );
  }
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const items = await q
    .select([...accountColumns])
    .orderBy('departments.code')
    .orderBy('users.username')
    .orderBy('users.id')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  return { items: items.map(shape), total: Number(total.n), page: f.page, pageSize: f.pageSize };
}

/** Presenter: an explicit shape, so that no hash or other column can leak. */
function shape(r: {
  id: string;
  username: string | null;
  realName: string;
  mobile: string | null;
  email: string | null;
  departmentId: string | null;
  departmentName: string;
  isDisabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
}) {
  return {
    id: r.id,
    username: r.username,
    realName: r.realName,
    mobile: r.mobile,
    email: r.email,
    departmentId: r.departmentId ?? '',
    departmentName: r.departmentName,
    isDisabled: r.isDisabled,
    mustChangePassword: r.mustChangePassword,
    createdAt: r.createdAt,
  };
}

export async function get(db: Db, id: string) {
  const r = await baseQuery(db)
    .select([...accountColumns])
    .where('users.id', '=', id)
    .executeTakeFirst();
  if (!r) throw notFound('部门账号');
  return shape(r);
}

async function loadAccount(db: Db, id: string) {
  const r = await db
    .selectFrom('users')
    .select(['id', 'username', 'realName', 'mobile', 'email', 'departmentId', 'isDisabled'])
    .where('id', '=', id)
    .where('kind', '=', 'department')
    .executeTakeFirst();
  if (!r) throw notFound('部门账号');
  return r;
}

async function assertDepartment(db: Db, departmentId: string) {
  const d = await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!d) throw badInput('UNKNOWN_DEPARTMENT', '所属部门不存在', { departmentId: '请选择所属部门' });
}

/** Maps a unique violation to the field that caused it. */
async function duplicate(db: Db, body: { username?: string; mobile?: string }, exceptId?: string) {
  if (body.username) {
    let q = db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('upper', ['username']), '=', body.username!.toUpperCase()));
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst())
      return conflict('USERNAME_TAKEN', '该用户名已被使用', { username: '该用户名已被使用' });
  }
  if (body.mobile) {
    let q = db.selectFrom('users').select('id').where('mobile', '=', body.mobile);
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst())
      return conflict('MOBILE_TAKEN', '该手机号已被其他账号使用', { mobile: '该手机号已被其他账号使用' });
  }
  return null;
}

export async function create(
  deps: Deps,
  req: FastifyRequest,
  body: AccountInput & { username: string; password: string },
) {
  assertPassword(body.password);
  const { db } = deps.database;
  await assertDepartment(db, body.departmentId);
  const clash = await duplicate(db, body);
  if (clash) throw clash;
  const id = newId();
  const now = deps.clock.now().toISOString();
  const passwordHash = await hashPassword(body.password);
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id,
          username: body.username,
          mobile: body.mobile ?? null,
          email: body.email ?? null,
          realName: body.realName,
          passwordHash,
          kind: 'department',
          departmentId: body.departmentId,
          isDisabled: false,
          // the administrator chose this password: the owner replaces it at first login
          mustChangePassword: true,
          lockedUntil: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await record(trx, auditCtx(deps, req), {
        action: 'department_account.create',
        subjectKind: SUBJECT,
        subjectId: id,
        toState: 'active',
        detail: { username: body.username, departmentId: body.departmentId },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw (await duplicate(db, body)) ?? conflict('ACCOUNT_EXISTS', '该账号已存在', { username: '该用户名已被使用' });
    throw e;
  }
  return get(db, id);
}

/** PUT replaces the editable fields: a mobile or email left out is cleared. */
export async function update(deps: Deps, req: FastifyRequest, id: string, body: AccountInput) {
  const { db } = deps.database;
  await loadAccount(db, id);
  await assertDepartment(db, body.departmentId);
  const clash = await duplicate(db, { mobile: body.mobile }, id);
  if (clash) throw clash;
  const now = deps.clock.now().toISOString();
  try {
    await db.transaction().execute(async (trx) => {
      const before = await loadAccount(trx, id);
      const next = {
        realName: body.realName,
        mobile: body.mobile ?? null,
        email: body.email ?? null,
        departmentId: body.departmentId,
      };
      await trx
        .updateTable('users')
        .set({ ...next, updatedAt: now })
        .where('id', '=', id)
        .execute();
      const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => before[k] !== next[k]);
      await record(trx, auditCtx(deps, req), {
        action: 'department_account.update',
        subjectKind: SUBJECT,
        subjectId: id,
        detail: { changed, departmentId: body.departmentId },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw (await duplicate(db, { mobile: body.mobile }, id)) ?? conflict('ACCOUNT_EXISTS', '该账号已存在');
    throw e;
  }
  return get(db, id);
}

/** 停用 / 启用. Disabling ends every session of the account at once. */
export async function setDisabled(deps: Deps, req: FastifyRequest, id: string, disabled: boolean) {
  const { db } = deps.database;
  const now = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    const before = await loadAccount(trx, id);
    await trx
      .updateTable('users')
      .set({ isDisabled: disabled, ...(disabled ? {} : { lockedUntil: null }), updatedAt: now })
      .where('id', '=', id)
      .execute();
    if (disabled) await trx.deleteFrom('sessions').where('userId', '=', id).execute();
    await record(trx, auditCtx(deps, req), {
      action: disabled ? 'department_account.disable' : 'department_account.enable',
      subjectKind: SUBJECT,
      subjectId: id,
      fromState: before.isDisabled ? 'disabled' : 'active',
      toState: disabled ? 'disabled' : 'active',
    });
  });
  return get(db, id);
}

/** Sets a new password chosen by the administrator; the owner must change it at next login. Ends every session. */
export async function resetPassword(deps: Deps, req: FastifyRequest, id: string, password: string) {
  const { db } = deps.database;
  await loadAccount(db, id);
  assertPassword(password);
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await loadAccount(trx, id);
    await trx
      .updateTable('users')
      .set({ passwordHash, mustChangePassword: true, lockedUntil: null, updatedAt: now })
      .where('id', '=', id)
      .execute();
    await trx.deleteFrom('sessions').where('userId', '=', id).execute();
    await record(trx, auditCtx(deps, req), {
      action: 'department_account.reset_password',
      subjectKind: SUBJECT,
      subjectId: id,
    });
  });
}
