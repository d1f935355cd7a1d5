import type { FastifyInstance } from 'fastify';
import { Notice, NoticeBody, NoticePage, NoticeQuery } from '../../../contracts/admin';
import { IdParams, Ok } from '../../../contracts/common';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

export async function noticeRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['notices'];
  const { db } = deps.database;
  const editors = { policy: 'auditor' as const }; // the system administrator and the province department

  r.get(
    '/notices',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '通知公告（已发布，置顶在前）',
        querystring: NoticeQuery,
        response: { 200: NoticePage },
      },
    },
    async (req) => svc.list(db, req.query, true),
  );
  r.get(
    '/notices/:id',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '公告详情', params: IdParams, response: { 200: Notice } },
    },
    async (req) => svc.get(db, req.params.id, true),
  );
  r.get(
    '/admin/notices',
    {
      config: editors,
      schema: {
        tags,
        summary: '公告管理：全部公告（含未发布）',
        querystring: NoticeQuery,
        response: { 200: NoticePage },
      },
    },
    async (req) => svc.list(db, req.query, false),
  );
  r.post(
    '/admin/notices',
    { config: editors, schema: { tags, summary: '新增公告', body: NoticeBody, response: { 201: Notice } } },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.body)),
  );
  r.put(
    '/admin/notices/:id',
    {
      config: editors,
      schema: { tags, summary: '编辑公告', params: IdParams, body: NoticeBody, response: { 200: Notice } },
    },
    async (req) => svc.update(deps, req, req.params.id, req.body),
  );
  r.delete(
    '/admin/notices/:id',
    { config: editors, schema: { tags, summary: '删除公告', params: IdParams, response: { 200: Ok } } },
    async (req) => svc.remove(deps, req, req.params.id),
  );
}
