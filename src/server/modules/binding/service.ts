import type { FastifyRequest } from 'fastify';
import {
  badInput,
  conflict,
  DomainError,
  forbidden,
  notFound,
  ruleBroken,
  type FieldErrors,
} from '../../../domain/errors';
import {
  bindProblem,
  BINDING_KIND_LABEL,
  isOpen,
  rejectReason,
  roleChangeProblem,
  unbindProblem,
  type BindingKind,
  type MemberRole,
  type PersonFacts,
  type Problem,
  type RequestState,
} from '../../../domain/binding';
import type { z } from 'zod';
import type {
  BindBody,
  BindingDecisionBody,
  MembersQuery,
  OrgRequestsQuery,
  UnbindBody,
} from '../../../contracts/binding';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';

type BindBodyT = z.infer<typeof BindBody>;
type UnbindBodyT = z.infer<typeof UnbindBody>;
type OrgRequestsQueryT = z.infer<typeof OrgRequestsQuery>;
type BindingDecisionBodyT = z.infer<typeof BindingDecisionBody>;
type MembersQueryT = z.infer<typeof MembersQuery>;

/** Subject kind of binding requests in the audit log. */
export const SUBJECT = 'binding_request';
const MY_REQUESTS_LIMIT = 100;

const toError = (p: Problem, fields?: FieldErrors) =>
  p.kind === 'conflict' ? conflict(p.code, p.message, fields) : ruleBroken(p.code, p.message, fields);

const requestNotFound = () => notFound('申请');
const closed = (message = '该申请已处理，请刷新后查看') => conflict('REQUEST_CLOSED', message);

/** The facts the binding rules need, read inside the caller's transaction. */
async function factsOf(db: Db, userId: string): Promise<PersonFacts> {
  const m = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.orgId')
    .select(['memberships.orgId', 'memberships.role', 'organizations.legalUserId'])
    .where('memberships.userId', '=', userId)
    .executeTakeFirst();
  const pending = await db
    .selectFrom('bindingRequests')
    .select(['kind', 'orgId'])
    .where('userId', '=', userId)
    .where('state', '=', 'pending')
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
  return {
    currentOrgId: m?.orgId ?? null,
    isLegalOfCurrent: !!m && (m.role === 'legal' || m.legalUserId === userId),
    pendingRequest: pending ?? null,
  };
}

/**
 * Serialises a person's binding writes: on PostgreSQL the user row is locked for the transaction;
 * SQLite transactions already take the write lock at BEGIN (see db/connect.ts).
 */
async function lockPerson(deps: Deps, trx: Db, userId: string) {
  if (deps.database.dialect === 'postgres') {
    await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
  }
}

const noteOf = (note: string | undefined) => (note && note.trim() ? note.trim() : null);

// ---------------------------------------------------------------- the person

/** GET /binding/mine: current membership and the person's requests, newest first. */
export async function mine(db: Db, actor: Actor) {
  const m = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.orgId')
    .select([
      'organizations.id as orgId',
      'organizations.name as orgName',
      'organizations.state as orgState',
      'memberships.role',
      'memberships.createdAt',
    ])
    .where('memberships.userId', '=', actor.userId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('bindingRequests')
    .innerJoin('organizations', 'organizations.id', 'bindingRequests.orgId')
    .select([
      'bindingRequests.id',
      'bindingRequests.kind',
      'bindingRequests.state',
      'bindingRequests.orgId',
      'organizations.name as orgName',
      'bindingRequests.note',
      'bindingRequests.reason',
      'bindingRequests.createdAt',
      'bindingRequests.decidedAt',
    ])
    .where('bindingRequests.userId', '=', actor.userId)
    .orderBy('bindingRequests.createdAt', 'desc')
    .orderBy('bindingRequests.id', 'desc')
    .limit(MY_REQUESTS_LIMIT)
    .execute();
  return {
    membership: m
      ? { orgId: m.orgId, orgName: m.orgName, orgState: m.orgState, role: m.role, since: m.createdAt }
      : null,
    requests: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      state: r.state,
      orgId: r.orgId,
      orgName: r.orgName,
      note: r.note,
      reason: r.reason,
      createdAt: r.createdAt,
      decidedAt: r.decidedAt,
    })),
  };
}

/** POST /binding/requests: apply to bind to an approved organisation. */
export async function requestBind(deps: Deps, req: FastifyRequest, actor: Actor, body: BindBodyT) {
  const ctx = auditCtx(deps, req);
  return deps.database.db.transaction().execute(async (trx) => {
    await lockPerson(deps, trx, actor.userId);
    const org = await trx
      .selectFrom('organizations')
      .select(['id', 'name', 'state'])
      .where('id', '=', body.orgId)
      .executeTakeFirst();
    if (!org) throw new DomainError(404, 'NOT_FOUND', '单位不存在', { orgId: '单位不存在，请重新选择' });
    const p = bindProblem(await factsOf(trx, actor.userId), org.id, org.state === 'approved');
    if (p) throw toError(p, { orgId: p.message });
    const id = newId();
    const note = noteOf(body.note);
    await trx
      .insertInto('bindingRequests')
      .values({
        id,
        userId: actor.userId,
        orgId: org.id,
        kind: 'bind',
        state: 'pending',
        note,
        reason: null,
        decidedBy: null,
        decidedAt: null,
        createdAt: ctx.now.toISOString(),
      })
      .execute();
    await record(trx, ctx, {
      action: 'binding.request',
      subjectKind: SUBJECT,
      subjectId: id,
      toState: 'pending',
      orgId: org.id,
      detail: { kind: 'bind', orgName: org.name, note },
    });
    return { id };
  });
}

/** POST /binding/unbind: apply to leave the current organisation. */
export async function requestUnbind(deps: Deps, req: FastifyRequest, actor: Actor, body: UnbindBodyT) {
  const ctx = auditCtx(deps, req);
  return deps.database.db.transaction().execute(async (trx) => {
    await lockPerson(deps, trx, actor.userId);
    const facts = await factsOf(trx, actor.userId);
    const p = unbindProblem(facts);
    if (p) throw toError(p);
    const id = newId();
    const note = noteOf(body.note);
    await trx
      .insertInto('bindingRequests')
      .values({
        id,
        userId: actor.userId,
        orgId: facts.currentOrgId!,
        kind: 'unbind',
        state: 'pending',
        note,
        reason: null,
        decidedBy: null,
        decidedAt: null,
        createdAt: ctx.now.toISOString(),
      })
      .execute();
    await record(trx, ctx, {
      action: 'binding.unbind_request',
      subjectKind: SUBJECT,
      subjectId: id,
      toState: 'pending',
      orgId: facts.currentOrgId,
      detail: { kind: 'unbind', note },
    });
    return { id };
  });
}

/** POST /binding/requests/:id/cancel: the applicant withdraws a pending request. */
export async function cancel(deps: Deps, req: FastifyRequest, actor: Actor, id: string) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const row = await db
    .selectFrom('bindingRequests')
    .select(['id', 'userId', 'orgId', 'kind', 'state'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw requestNotFound();
  if (row.userId !== actor.userId) {
    await denied(deps, req, id);
    throw requestNotFound();
  }
  if (!isOpen(row.state)) throw closed('该申请已处理，不能撤回');
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('bindingRequests')
      .set({ state: 'cancelled', decidedBy: actor.userId, decidedAt: ctx.now.toISOString() })
      .where('id', '=', id)
      .where('userId', '=', actor.userId)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw closed('该申请已处理，不能撤回');
    await record(trx, ctx, {
      action: 'binding.cancel',
      subjectKind: SUBJECT,
      subjectId: id,
      fromState: 'pending',
      toState: 'cancelled',
      orgId: row.orgId,
      detail: { kind: row.kind },
    });
  });
  return { id, state: 'cancelled' as const };
}

// ---------------------------------------------------------------- the organisation's admins

/** A row-level refusal, recorded outside any transaction so that it survives the error that follows. */
async function denied(deps: Deps, req: FastifyRequest, subjectId: string, subjectKind = SUBJECT) {
  await record(deps.database.db, auditCtx(deps, req), {
    action: 'permission.denied',
    subjectKind,
    subjectId,
    detail: { method: req.method, route: req.routeOptions.url },
  });
}

const ownOrg = (actor: Actor) => {
  if (!actor.org) throw forbidden();
  return actor.org.id;
};

/** GET /orgs/mine/binding-requests: requests to the admin's own organisation, newest first. */
export async function orgRequests(db: Db, actor: Actor, q: OrgRequestsQueryT) {
  const orgId = ownOrg(actor);
  let base = db
    .selectFrom('bindingRequests as r')
    .innerJoin('users as u', 'u.id', 'r.userId')
    .where('r.orgId', '=', orgId);
  if (q.state) base = base.where('r.state', '=', q.state);
  if (q.kind) base = base.where('r.kind', '=', q.kind);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .leftJoin('users as d', 'd.id', 'r.decidedBy')
    .select([
      'r.id',
      'r.kind',
      'r.state',
      'r.userId',
      'u.realName',
      'u.mobile',
      'u.email',
      'r.note',
      'r.reason',
      'r.createdAt',
      'r.decidedAt',
      'd.realName as decidedByName',
    ])
    .orderBy('r.createdAt', 'desc')
    .orderBy('r.id', 'desc')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    // mobile and email are shown: the person applied to this organisation, whose admins are the only readers here
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      state: r.state,
      userId: r.userId,
      realName: r.realName,
      mobile: r.mobile,
      email: r.email,
      note: r.note,
      reason: r.reason,
      createdAt: r.createdAt,
      decidedAt: r.decidedAt,
      decidedByName: r.decidedByName ?? null,
    })),
    total: Number(total.n),
    page: q.page,
    pageSize: q.pageSize,
  };
}

function decisionMail(kind: BindingKind, approved: boolean, orgName: string, reason: string | null) {
  const what = `${BINDING_KIND_LABEL[kind]}单位“${orgName}”`;
  if (approved) {
    return {
      subject: `您的${BINDING_KIND_LABEL[kind]}申请已通过`,
      text:
        kind === 'bind'
          ? `您好：\n\n您申请${what}已通过单位审核，现在可以以单位成员身份使用平台。\n`
          : `您好：\n\n您申请${what}已通过单位审核，您已不再是该单位成员，可以申请绑定其他单位。\n`,
    };
  }
  return {
    subject: `您的${BINDING_KIND_LABEL[kind]}申请未通过`,
    text: `您好：\n\n您申请${what}未通过单位审核。\n原因：${reason}\n`,
  };
}

/** POST /orgs/mine/binding-requests/:id/decision: approve or reject a pending request to the admin's own organisation. */
export async function decide(deps: Deps, req: FastifyRequest, actor: Actor, id: string, body: BindingDecisionBodyT) {
  const { db } = deps.database;
  const orgId = ownOrg(actor);
  const ctx = auditCtx(deps, req);
  const row = await db
    .selectFrom('bindingRequests')
    .innerJoin('users', 'users.id', 'bindingRequests.userId')
    .innerJoin('organizations', 'organizations.id', 'bindingRequests.orgId')
    .select([
      'bindingRequests.id',
      'bindingRequests.userId',
      'bindingRequests.orgId',
      'bindingRequests.kind',
      'bindingRequests.state',
      'users.realName',
      'users.email',
      'organizations.name as orgName',
    ])
    .where('bindingRequests.id', '=', id)
    .executeTakeFirst();
  if (!row) throw requestNotFound();
  if (row.orgId !== orgId) {
    // another organisation's request: refuse as if it did not exist, and record the attempt
    await denied(deps, req, id);
    throw requestNotFound();
  }
  if (row.userId === actor.userId) throw forbidden('不能审核本人的申请，请由本单位其他管理员或法人账号审核');
  if (!isOpen(row.state)) throw closed();
  const approve = body.action === 'approve';
  const reason = approve ? null : rejectReason(body.reason);
  if (!approve && !reason) throw badInput('REASON_REQUIRED', '请填写不通过的原因', { reason: '请填写不通过的原因' });
  const toState: RequestState = approve ? 'approved' : 'rejected';
  const now = ctx.now.toISOString();
  try {
    await db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('bindingRequests')
        .set({ state: toState, reason, decidedBy: actor.userId, decidedAt: now })
        .where('id', '=', id)
        .where('orgId', '=', orgId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw closed('该申请已被他人处理，请刷新');
      if (approve && row.kind === 'bind') {
        await trx
          .insertInto('memberships')
          .values({ id: newId(), userId: row.userId, orgId, role: 'member', createdAt: now })
          .execute();
      } else if (approve) {
        const del = await trx
          .deleteFrom('memberships')
          .where('userId', '=', row.userId)
          .where('orgId', '=', orgId)
          .where('role', '!=', 'legal')
          .executeTakeFirst();
        if (Number(del.numDeletedRows) !== 1) throw conflict('MEMBERSHIP_CHANGED', '该用户已不是本单位成员，请刷新');
      }
      await record(trx, ctx, {
        action: approve ? 'binding.approve' : 'binding.reject',
        subjectKind: SUBJECT,
        subjectId: id,
        fromState: 'pending',
        toState,
        orgId,
        detail: { kind: row.kind, userId: row.userId, realName: row.realName, ...(reason ? { reason } : {}) },
      });
      if (row.email) {
        const m = decisionMail(row.kind, approve, row.orgName, reason);
        await deps.mailer.enqueue(trx, row.email, m.subject, m.text);
      }
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('ALREADY_BOUND', '该用户已绑定其他单位，不能重复绑定');
    throw e;
  }
  return { id, state: toState };
}

// ---------------------------------------------------------------- members and roles

const ROLE_ORDER: Record<MemberRole, number> = { legal: 0, admin: 1, member: 2 };

/** GET /orgs/mine/members: members of the admin's own organisation, legal account and admins first. */
export async function members(db: Db, actor: Actor, q: MembersQueryT) {
  const orgId = ownOrg(actor);
  let base = db.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.userId').where('m.orgId', '=', orgId);
  if (q.q) {
    const like = `%${q.q}%`;
    base = base.where((eb) =>
      eb.or([
        eb('u.realName', 'like', like),
        eb('u.username', 'like', like),
        eb('u.mobile', '=', q.q!),
        eb('u.email', '=', q.q!),
      ]),
    );
  }
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .select((eb) => [
      'u.id as userId',
      'u.realName',
      'u.mobile',
      'u.email',
      'm.role',
      'm.createdAt',
      eb
        .case()
        .when('m.role', '=', 'legal')
        .then(eb.lit(ROLE_ORDER.legal))
        .when('m.role', '=', 'admin')
        .then(eb.lit(ROLE_ORDER.admin))
        .else(eb.lit(ROLE_ORDER.member))
        .end()
        .as('roleOrder'),
    ])
    .orderBy('roleOrder')
    .orderBy('m.createdAt')
    .orderBy('u.id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return { items: rows.map(memberShape), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

/** Members are shown to their organisation's admins only, mobile included. */
const memberShape = (r: {
  userId: string;
  realName: string;
  mobile: string | null;
  email: string | null;
  role: MemberRole;
  createdAt: string;
}) => ({
  userId: r.userId,
  realName: r.realName,
  mobile: r.mobile,
  email: r.email,
  role: r.role,
  since: r.createdAt,
});

/** POST /orgs/mine/members/:userId/role: the legal representative appoints or removes an org admin. */
export async function setRole(deps: Deps, req: FastifyRequest, actor: Actor, userId: string, role: 'admin' | 'member') {
  const { db } = deps.database;
  const orgId = ownOrg(actor);
  const ctx = auditCtx(deps, req);
  const m = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.userId')
    .select(['m.id', 'm.orgId', 'm.role', 'm.createdAt', 'u.id as userId', 'u.realName', 'u.mobile', 'u.email'])
    .where('m.userId', '=', userId)
    .executeTakeFirst();
  const p = roleChangeProblem(
    { userId: actor.userId, orgId },
    m ? { userId: m.userId, orgId: m.orgId, role: m.role } : null,
  );
  if (p?.code === 'NOT_A_MEMBER') {
    // a user of another organisation (or of none): answer as if unknown; record when it is someone else's member
    if (m) await denied(deps, req, userId, 'membership');
    throw new DomainError(404, 'NOT_FOUND', p.message, { userId: p.message });
  }
  if (p) throw toError(p, { role: p.message });
  const row = m!;
  if (row.role === role) return memberShape(row);
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('memberships')
      .set({ role })
      .where('id', '=', row.id)
      .where('orgId', '=', orgId)
      .where('role', '=', row.role)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw conflict('MEMBERSHIP_CHANGED', '该成员的角色已变化，请刷新');
    await record(trx, ctx, {
      action: 'member.role',
      subjectKind: 'membership',
      subjectId: userId,
      fromState: row.role,
      toState: role,
      orgId,
      detail: { userId, realName: row.realName },
    });
  });
  return memberShape({ ...row, role });
}
