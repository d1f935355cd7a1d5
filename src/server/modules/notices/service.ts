/** 通知公告: notices written by the system administrator or the province department, shown on the home page. */
import type { FastifyRequest } from 'fastify';
import { notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { NoticesTable } from '../../db/types';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { contains } from '../../db/like';

interface Body {
  title: string;
  body: string;
  isPinned: boolean;
  isPublished: boolean;
}

const view = (r: NoticesTable & { authorName: string | null }) => ({
  id: r.id,
  title: r.title,
  body: r.body,
  isPinned: !!r.isPinned,
  isPublished: !!r.isPublished,
  publishedAt: r.publishedAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  authorName: r.authorName,
});

function rows(db: Db) {
  return db
    .selectFrom('notices')
    .leftJoin('users', 'users.id', 'notices.authorId')
    .selectAll('notices')
    .select('users.realName as authorName');
}

export async function list(db: Db, q: { page: number; pageSize: number; q?: string }, publishedOnly: boolean) {
  let base = db.selectFrom('notices');
  if (publishedOnly) base = base.where('isPublished', '=', true);
  if (q.q) base = base.where((eb) => contains(eb.ref('title'), q.q!));
  const ids = await base
    .select('id')
    .orderBy('isPinned', 'desc')
    .orderBy('publishedAt', 'desc')
    .orderBy('createdAt', 'desc')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const found = ids.length
    ? await rows(db)
        .where(
          'notices.id',
          'in',
          ids.map((i) => i.id),
        )
        .execute()
    : [];
  const byId = new Map(found.map((r) => [r.id, r]));
  return { items: ids.map((i) => view(byId.get(i.id)!)), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

export async function get(db: Db, id: string, publishedOnly: boolean) {
  const r = await rows(db).where('notices.id', '=', id).executeTakeFirst();
  if (!r || (publishedOnly && !r.isPublished)) throw notFound('公告');
  return view(r);
}

export async function create(deps: Deps, req: FastifyRequest, b: Body) {
  const ctx = auditCtx(deps, req);
  const id = newId();
  const now = ctx.now.toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('notices')
      .values({
        id,
        title: b.title,
        body: b.body,
        isPinned: b.isPinned,
        isPublished: b.isPublished,
        publishedAt: b.isPublished ? now : null,
        authorId: ctx.actor!.userId,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    await record(trx, ctx, {
      action: 'notice.create',
      subjectKind: 'notice',
      subjectId: id,
      detail: { title: b.title, isPublished: b.isPublished },
    });
  });
  return get(deps.database.db, id, false);
}

export async function update(deps: Deps, req: FastifyRequest, id: string, b: Body) {
  const ctx = auditCtx(deps, req);
  const before = await get(deps.database.db, id, false);
  const now = ctx.now.toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('notices')
      .set({
        title: b.title,
        body: b.body,
        isPinned: b.isPinned,
        isPublished: b.isPublished,
        publishedAt: b.isPublished ? (before.publishedAt ?? now) : null,
        updatedAt: now,
      })
      .where('id', '=', id)
      .execute();
    await record(trx, ctx, {
      action: 'notice.update',
      subjectKind: 'notice',
      subjectId: id,
      detail: { title: b.title, isPublished: b.isPublished },
    });
  });
  return get(deps.database.db, id, false);
}

export async function remove(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  const before = await get(deps.database.db, id, false);
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('notices').where('id', '=', id).execute();
    await record(trx, ctx, {
      action: 'notice.delete',
      subjectKind: 'notice',
      subjectId: id,
      detail: { title: before.title },
    });
  });
  return { ok: true as const };
}
