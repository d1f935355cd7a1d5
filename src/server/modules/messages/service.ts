/**
 * 消息中心: in-app messages, one row per recipient, written in the transaction of the transition that causes them,
 * with an email through the mail outbox for recipients who have an address (a failing mail server never blocks or
 * rolls back the transition: the outbox retries).
 */
import { notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';

export interface Notice {
  title: string;
  body: string;
  link: string | null;
  subjectKind: string;
  subjectId: string;
}

/** Tells each user once (duplicates dropped); returns the number of messages written. */
export async function notify(deps: Deps, trx: Db, userIds: string[], n: Notice): Promise<number> {
  const ids = [...new Set(userIds)];
  if (!ids.length) return 0;
  const now = deps.clock.now().toISOString();
  await trx
    .insertInto('messages')
    .values(
      ids.map((userId) => ({
        id: newId(),
        userId,
        title: n.title,
        body: n.body,
        link: n.link,
        subjectKind: n.subjectKind,
        subjectId: n.subjectId,
        readAt: null,
        createdAt: now,
      })),
    )
    .execute();
  const users = await trx
    .selectFrom('users')
    .select(['email', 'realName'])
    .where('id', 'in', ids)
    .where('isDisabled', '=', false)
    .execute();
  for (const u of users) {
    if (!u.email) continue;
    const link = n.link ? `\n\n查看详情：${deps.config.PUBLIC_URL}${n.link}` : '';
    await deps.mailer.enqueue(
      trx,
      u.email,
      `【${deps.config.SITE_NAME}】${n.title}`,
      `${u.realName}，您好：\n\n${n.body}${link}\n\n（本邮件由系统自动发送，请勿回复）`,
    );
  }
  return ids.length;
}

/** The admins (and the legal representative account) of an organisation. */
export async function orgAdmins(db: Db, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('userId')
    .where('orgId', '=', orgId)
    .where('role', 'in', ['admin', 'legal'])
    .execute();
  return rows.map((r) => r.userId);
}

const view = (r: {
  id: string;
  title: string;
  body: string;
  link: string | null;
  subjectKind: string | null;
  readAt: string | null;
  createdAt: string;
}) => ({
  id: r.id,
  title: r.title,
  body: r.body,
  link: r.link,
  subjectKind: r.subjectKind,
  isRead: !!r.readAt,
  createdAt: r.createdAt,
});

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .where('readAt', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function list(db: Db, userId: string, q: { page: number; pageSize: number; unread?: '1' | '0' }) {
  let base = db.selectFrom('messages').where('userId', '=', userId);
  if (q.unread === '1') base = base.where('readAt', 'is', null);
  if (q.unread === '0') base = base.where('readAt', 'is not', null);
  const [rows, total, unread] = await Promise.all([
    base
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    unreadCount(db, userId),
  ]);
  return { items: rows.map(view), total: Number(total?.n ?? 0), page: q.page, pageSize: q.pageSize, unread };
}

/** Marks one of the user's own messages read; another user's message does not exist for them. */
export async function markRead(deps: Deps, userId: string, id: string) {
  const { db } = deps.database;
  const row = await db
    .selectFrom('messages')
    .select(['id', 'readAt'])
    .where('id', '=', id)
    .where('userId', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('消息');
  if (!row.readAt)
    await db
      .updateTable('messages')
      .set({ readAt: deps.clock.now().toISOString() })
      .where('id', '=', id)
      .where('readAt', 'is', null)
      .execute();
  return { unread: await unreadCount(db, userId) };
}

export async function markAllRead(deps: Deps, userId: string) {
  const { db } = deps.database;
  await db
    .updateTable('messages')
    .set({ readAt: deps.clock.now().toISOString() })
    .where('userId', '=', userId)
    .where('readAt', 'is', null)
    .execute();
  return { unread: 0 };
}
