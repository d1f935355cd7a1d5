/**
 * 消息中心: in-app messages, one row per recipient, written in the transaction of the transition that causes them,
 * with an email through the mail outbox for recipients who have an address (a failing mail server never blocks or
 * rolls back the transition: the outbox retries).
 */
import { notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import { writeAtCommit } from '../../db/pg-trips';
import type { Deps } from '../../deps';

export interface Notice {
  title: string;
  body: string;
  link: string | null;
  subjectKind: string;
  subjectId: string;
}

/**
 * Whom a notice is for: users by id, and the admins (and the legal representative account) of an organisation
 * (`adminsOf`), less `except` (the user who acted).
 */
export interface Recipients {
  users?: string[];
  adminsOf?: string;
  except?: string | null;
}

/**
 * Tells each recipient once (duplicates dropped), with a mail to those with an address and an account in use;
 * returns the number of messages written. The recipients are read in one statement, and the messages and mails are
 * written with the transaction's commit (db/pg-trips.ts).
 */
export async function notify(deps: Deps, trx: Db, to: Recipients, n: Notice): Promise<number> {
  const named = [...new Set(to.users ?? [])];
  if (!named.length && !to.adminsOf) return 0;
  const found = await trx
    .selectFrom('users')
    .select(['id', 'email', 'realName', 'isDisabled'])
    .where((eb) =>
      eb.or([
        ...(named.length ? [eb('id', 'in', named)] : []),
        ...(to.adminsOf
          ? [
              eb(
                'id',
                'in',
                eb
                  .selectFrom('memberships')
                  .select('userId')
                  .where('orgId', '=', to.adminsOf)
                  .where('role', 'in', ['admin', 'legal']),
              ),
            ]
          : []),
      ]),
    )
    .execute();
  // the users named first, in their order, then the admins
  const rank = (id: string) => (named.includes(id) ? named.indexOf(id) : named.length);
  const users = found.filter((u) => u.id !== to.except).sort((a, b) => rank(a.id) - rank(b.id));
  if (!users.length) return 0;
  const now = deps.clock.now().toISOString();
  await writeAtCommit(
    trx,
    trx.insertInto('messages').values(
      users.map((u) => ({
        id: newId(),
        userId: u.id,
        title: n.title,
        body: n.body,
        link: n.link,
        subjectKind: n.subjectKind,
        subjectId: n.subjectId,
        readAt: null,
        createdAt: now,
      })),
    ),
  );
  for (const u of users) {
    if (!u.email || u.isDisabled) continue;
    const link = n.link ? `\n\n查看详情：${deps.config.PUBLIC_URL}${n.link}` : '';
    await deps.mailer.enqueue(
      trx,
      u.email,
      `【${deps.config.SITE_NAME}】${n.title}`,
      `${u.realName}，您好：\n\n${n.body}${link}\n\n（本邮件由系统自动发送，请勿回复）`,
    );
  }
  return users.length;
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
