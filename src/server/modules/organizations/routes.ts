import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../contracts/common';
import {
  OrgFields,
  OrgProfile,
  OrgSaveReply,
  OrgSearchPage,
  OrgSearchQuery,
  OrgView,
} from '../../../contracts/organizations';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as reviews from '../reviews/service';
import { ReviewEvent } from '../../../contracts/reviews';
import * as svc from './service';

export async function organizationRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['organizations'];
  const db = deps.database.db;

  r.get(
    '/orgs/search',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '按名称或统一社会信用代码查找已入网单位',
        querystring: OrgSearchQuery,
        response: { 200: OrgSearchPage },
      },
    },
    async (req) => svc.search(db, req.query.q, req.query.page, req.query.pageSize),
  );

  r.get(
    '/orgs/:id/profile',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '已入网单位的公开信息', params: IdParams, response: { 200: OrgProfile } },
    },
    async (req) => svc.profile(db, req.params.id),
  );

  r.post(
    '/orgs',
    {
      config: { policy: 'person' },
      schema: {
        tags,
        summary: '注册单位（保存为草稿，注册人成为法人账号）',
        body: OrgFields,
        response: { 201: OrgSaveReply },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.actor!, req.body)),
  );

  r.get(
    '/orgs/mine',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '单位基本信息（含入网状态与审核意见）', response: { 200: OrgView } },
    },
    async (req) => svc.view(deps, req.actor!),
  );

  r.put(
    '/orgs/mine',
    {
      config: { policy: 'orgAdmin', allowStaleOrg: true },
      schema: { tags, summary: '编辑单位信息（保存）', body: OrgFields, response: { 200: OrgSaveReply } },
    },
    async (req) => svc.save(deps, req, req.actor!, req.body),
  );

  r.post(
    '/orgs/mine/submit',
    {
      config: { policy: 'orgAdmin', allowStaleOrg: true },
      schema: { tags, summary: '提交至主管部门审核', response: { 200: OrgSaveReply } },
    },
    async (req) => svc.submit(deps, req, req.actor!),
  );

  r.get(
    '/orgs/mine/history',
    {
      config: { policy: 'member' },
      schema: {
        tags,
        summary: '入网与变更的审核历史',
        response: { 200: z.array(ReviewEvent.extend({ kind: z.string() })) },
      },
    },
    async (req) => {
      const id = req.actor!.org!.id;
      const [a, b] = await Promise.all([reviews.history(db, svc.JOIN, id), reviews.history(db, svc.CHANGE, id)]);
      return [...a.map((e) => ({ ...e, kind: svc.JOIN })), ...b.map((e) => ({ ...e, kind: svc.CHANGE }))].sort((x, y) =>
        x.at.localeCompare(y.at),
      );
    },
  );
}
