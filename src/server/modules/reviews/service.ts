import { badInput, conflict, forbidden, notFound } from '../../../domain/errors';
import { isOpenReview, nextReviewStep, type ReviewAction, type ReviewState } from '../../../domain/review';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { record, type AuditContext } from '../audit/service';
import { reviewQueued, subjectOf } from './subjects';
import { contains } from '../../db/like';

export interface SubmitInput {
  kind: string;
  subjectId: string;
  orgId: string | null;
  title: string;
  /** Department id per level, first level first. */
  departments: string[];
  canReturn?: boolean;
}

const levelsOf = (v: string[] | string): string[] => (typeof v === 'string' ? JSON.parse(v) : v);

/** Opens a review of a subject at its first level. Runs inside the caller's transaction. */
export async function submit(trx: Db, ctx: AuditContext, input: SubmitInput): Promise<string> {
  const open = await trx
    .selectFrom('reviews')
    .select('id')
    .where('subjectKind', '=', input.kind)
    .where('subjectId', '=', input.subjectId)
    .where('state', 'in', ['pending', 'returned'])
    .executeTakeFirst();
  if (open) throw conflict('REVIEW_ALREADY_OPEN', '已提交审核，请等待主管部门审核');
  const id = newId();
  const now = ctx.now.toISOString();
  await trx
    .insertInto('reviews')
    .values({
      id,
      subjectKind: input.kind,
      subjectId: input.subjectId,
      orgId: input.orgId,
      title: input.title,
      state: 'pending',
      level: 1,
      levelsJson: JSON.stringify(input.departments),
      departmentId: input.departments[0],
      canReturn: !!input.canReturn,
      reason: null,
      submittedBy: ctx.actor?.userId ?? null,
      submittedAt: now,
      updatedAt: now,
      decidedAt: null,
    })
    .execute();
  await addEvent(
    trx,
    ctx,
    { id, subjectKind: input.kind, subjectId: input.subjectId },
    'submit',
    null,
    'pending',
    1,
    null,
    null,
  );
  await record(trx, ctx, {
    action: 'review.submit',
    subjectKind: input.kind,
    subjectId: input.subjectId,
    toState: 'pending',
    detail: { reviewId: id },
  });
  await reviewQueued(trx, {
    id,
    subjectKind: input.kind,
    title: input.title,
    departmentId: input.departments[0],
    level: 1,
  });
  return id;
}

async function addEvent(
  trx: Db,
  ctx: AuditContext,
  r: { id: string; subjectKind: string; subjectId: string },
  action: string,
  from: string | null,
  to: string,
  level: number,
  reason: string | null,
  departmentId: string | null,
) {
  await trx
    .insertInto('reviewEvents')
    .values({
      id: newId(),
      reviewId: r.id,
      subjectKind: r.subjectKind,
      subjectId: r.subjectId,
      actorId: ctx.actor?.userId ?? null,
      actorName: ctx.actor?.realName ?? '系统',
      departmentId,
      action,
      fromState: from,
      toState: to,
      level,
      reason,
      at: ctx.now.toISOString(),
    })
    .execute();
}

/** Moves a review one step; the one transition function of the mechanism. */
async function transition(
  trx: Db,
  ctx: AuditContext,
  reviewId: string,
  action: ReviewAction,
  reason: string | null,
  check: (r: { departmentId: string; orgId: string | null }) => void,
) {
  const r = await trx.selectFrom('reviews').selectAll().where('id', '=', reviewId).executeTakeFirst();
  if (!r) throw notFound('审核事项');
  check(r);
  const levels = levelsOf(r.levelsJson);
  const step = nextReviewStep(
    { state: r.state, level: r.level, levels: levels.length, canReturn: r.canReturn },
    action,
  );
  if (!step) throw conflict('REVIEW_WRONG_STATE', `当前状态（${r.state}）不能执行该操作`);
  if (step.needsReason && !reason) throw badInput('REASON_REQUIRED', '请填写原因', { reason: '必填' });
  const departmentId = levels[step.level - 1];
  const now = ctx.now.toISOString();
  const final = step.state === 'approved' || step.state === 'rejected' || step.state === 'withdrawn';
  // optimistic: a concurrent decision on the same review loses and gets a 409
  const res = await trx
    .updateTable('reviews')
    .set({
      state: step.state,
      level: step.level,
      departmentId,
      reason: step.needsReason ? reason : r.reason,
      updatedAt: now,
      decidedAt: final ? now : null,
    })
    .where('id', '=', r.id)
    .where('state', '=', r.state)
    .where('level', '=', r.level)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('REVIEW_CHANGED', '该事项已被他人处理，请刷新');
  await addEvent(
    trx,
    ctx,
    r,
    action,
    r.state,
    step.state,
    r.level,
    reason,
    action === 'resubmit' || action === 'withdraw' ? null : r.departmentId,
  );
  await record(trx, ctx, {
    action: `review.${action}`,
    subjectKind: r.subjectKind,
    subjectId: r.subjectId,
    fromState: `${r.state}@${r.level}`,
    toState: `${step.state}@${step.level}`,
    detail: { reviewId: r.id, reason },
  });
  // passed on to the next level, or back from the owner: the department now in charge is told
  if (step.state === 'pending')
    await reviewQueued(trx, { id: r.id, subjectKind: r.subjectKind, title: r.title, departmentId, level: step.level });
  const subject = subjectOf(r.subjectKind);
  if (step.state === 'approved') await subject.onApproved(trx, r.subjectId, ctx);
  if (step.state === 'rejected') await subject.onRejected(trx, r.subjectId, reason!, ctx);
  if (step.state === 'returned') await subject.onReturned?.(trx, r.subjectId, reason!, ctx);
  return { state: step.state as ReviewState, level: step.level };
}

/** A department decides: approve, reject with a reason, or return for more material where the kind allows it. */
export async function decide(
  deps: Deps,
  ctx: AuditContext,
  reviewId: string,
  action: 'approve' | 'reject' | 'return',
  reason?: string,
) {
  const actor = ctx.actor;
  if (!actor?.department) throw forbidden();
  return deps.database.db.transaction().execute((trx) =>
    transition(trx, ctx, reviewId, action, reason?.trim() || null, (r) => {
      if (r.departmentId !== actor.department!.id) throw forbidden('该事项不在本部门的审核环节');
    }),
  );
}

/** The owner resubmits a returned subject; it goes back to the level that returned it. */
export async function resubmit(trx: Db, ctx: AuditContext, kind: string, subjectId: string) {
  const r = await latestReview(trx, kind, subjectId);
  if (!r) throw notFound('审核事项');
  return transition(trx, ctx, r.id, 'resubmit', null, () => undefined);
}

export async function withdraw(trx: Db, ctx: AuditContext, kind: string, subjectId: string) {
  const r = await latestReview(trx, kind, subjectId);
  if (!r) throw notFound('审核事项');
  return transition(trx, ctx, r.id, 'withdraw', null, () => undefined);
}

export async function latestReview(db: Db, kind: string, subjectId: string) {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('subjectKind', '=', kind)
    .where('subjectId', '=', subjectId)
    .orderBy('submittedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** State and latest reason, as the owner of a subject sees them. */
export async function statusOf(db: Db, kind: string, subjectId: string) {
  const r = await latestReview(db, kind, subjectId);
  return r
    ? {
        reviewId: r.id,
        state: r.state,
        level: r.level,
        reason: r.reason,
        submittedAt: r.submittedAt,
        decidedAt: r.decidedAt,
        open: isOpenReview(r.state),
      }
    : null;
}

export async function history(db: Db, kind: string, subjectId: string) {
  return db
    .selectFrom('reviewEvents')
    .leftJoin('departments', 'departments.id', 'reviewEvents.departmentId')
    .select([
      'reviewEvents.id',
      'reviewEvents.action',
      'reviewEvents.fromState',
      'reviewEvents.toState',
      'reviewEvents.level',
      'reviewEvents.actorName',
      'departments.name as departmentName',
      'reviewEvents.reason',
      'reviewEvents.at',
    ])
    .where('reviewEvents.subjectKind', '=', kind)
    .where('reviewEvents.subjectId', '=', subjectId)
    .orderBy('reviewEvents.at')
    .orderBy('reviewEvents.id')
    .execute();
}

export interface QueueFilter {
  kind?: string;
  state?: ReviewState;
  scope: 'todo' | 'done' | 'all';
  from?: string;
  to?: string;
  q?: string;
  page: number;
  pageSize: number;
}

const itemColumns = [
  'reviews.id',
  'reviews.subjectKind',
  'reviews.subjectId',
  'reviews.orgId',
  'organizations.name as orgName',
  'reviews.title',
  'reviews.state',
  'reviews.level',
  'reviews.levelsJson',
  'reviews.departmentId',
  'departments.name as departmentName',
  'reviews.reason',
  'reviews.submittedAt',
  'reviews.decidedAt',
] as const;

function toItem(r: { levelsJson: string[] | string } & Record<string, unknown>) {
  const { levelsJson, ...rest } = r;
  return { ...rest, levels: levelsOf(levelsJson).length } as never;
}

/** A department's queue: todo = waiting at this department; done = decided by it; all = both. */
export async function queue(db: Db, actor: Actor, f: QueueFilter) {
  const dept = actor.department!.id;
  let q = db
    .selectFrom('reviews')
    .innerJoin('departments', 'departments.id', 'reviews.departmentId')
    .leftJoin('organizations', 'organizations.id', 'reviews.orgId');
  const mine = (eb: any) =>
    eb.exists(
      eb
        .selectFrom('reviewEvents')
        .select('reviewEvents.id')
        .whereRef('reviewEvents.reviewId', '=', 'reviews.id')
        .where('reviewEvents.departmentId', '=', dept),
    );
  if (f.scope === 'todo') q = q.where('reviews.departmentId', '=', dept).where('reviews.state', '=', 'pending');
  else if (f.scope === 'done') q = q.where(mine);
  else q = q.where((eb) => eb.or([eb('reviews.departmentId', '=', dept), mine(eb)]));
  if (f.kind) q = q.where('reviews.subjectKind', '=', f.kind);
  if (f.state) q = q.where('reviews.state', '=', f.state);
  if (f.from) q = q.where('reviews.submittedAt', '>=', new Date(`${f.from}T00:00:00+08:00`).toISOString());
  if (f.to)
    q = q.where(
      'reviews.submittedAt',
      '<',
      new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000).toISOString(),
    );
  if (f.q)
    q = q.where((eb) => eb.or([contains(eb.ref('reviews.title'), f.q!), contains(eb.ref('organizations.name'), f.q!)]));
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .select([...itemColumns])
    .orderBy('reviews.submittedAt', f.scope === 'todo' ? 'asc' : 'desc')
    .orderBy('reviews.id')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  return { items: rows.map(toItem), total: Number(total.n), page: f.page, pageSize: f.pageSize };
}

/** One page for the reviewer: the review, the subject, its history, and what this reviewer may do now. */
export async function detail(db: Db, actor: Actor, reviewId: string) {
  const row = await db
    .selectFrom('reviews')
    .innerJoin('departments', 'departments.id', 'reviews.departmentId')
    .leftJoin('organizations', 'organizations.id', 'reviews.orgId')
    .select([...itemColumns, 'reviews.canReturn'])
    .where('reviews.id', '=', reviewId)
    .executeTakeFirst();
  if (!row) throw notFound('审核事项');
  const dept = actor.department!.id;
  const involved = row.departmentId === dept || levelsOf(row.levelsJson).includes(dept);
  if (!involved) throw forbidden('该事项不属于本部门');
  const { canReturn, ...item } = row;
  const actions: ('approve' | 'reject' | 'return')[] =
    row.state === 'pending' && row.departmentId === dept
      ? ['approve', 'reject', ...(canReturn ? ['return' as const] : [])]
      : [];
  return {
    review: toItem(item),
    subject: await subjectOf(row.subjectKind).describe(db, row.subjectId),
    history: await history(db, row.subjectKind, row.subjectId),
    actions,
  };
}
