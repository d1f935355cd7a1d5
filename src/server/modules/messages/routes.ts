import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../contracts/common';
import { MessagePage, MessageQuery, UnreadCount } from '../../../contracts/messages';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

export async function messageRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['messages'];
  const { db } = deps.database;
  const cfg = { policy: 'user' as const, allowStaleOrg: true };

  r.get(
    '/messages',
    {
      config: cfg,
      schema: {
        tags,
        summary: '消息中心：我的消息（可只看未读）',
        querystring: MessageQuery,
        response: { 200: MessagePage },
      },
    },
    async (req) => svc.list(db, req.actor!.userId, req.query),
  );
  r.get(
    '/messages/unread-count',
    { config: cfg, schema: { tags, summary: '未读消息数', response: { 200: UnreadCount } } },
    async (req) => ({ unread: await svc.unreadCount(db, req.actor!.userId) }),
  );
  r.post(
    '/messages/:id/read',
    { config: cfg, schema: { tags, summary: '标记为已读', params: IdParams, response: { 200: UnreadCount } } },
    async (req) => svc.markRead(deps, req.actor!.userId, req.params.id),
  );
  r.post(
    '/messages/read-all',
    { config: cfg, schema: { tags, summary: '全部标记为已读', response: { 200: UnreadCount } } },
    async (req) => svc.markAllRead(deps, req.actor!.userId),
  );
}
