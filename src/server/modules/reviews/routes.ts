import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../contracts/common';
import { DecideBody, QueueQuery, ReviewDetail, ReviewPage } from '../../../contracts/reviews';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { auditCtx } from '../../http/session';
import * as svc from './service';
import { subjectKinds } from './subjects';

export async function reviewRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['reviews'];
  const db = deps.database.db;

  r.get(
    '/reviews/kinds',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '审核事项类型',
        response: { 200: z.array(z.object({ kind: z.string(), label: z.string() })) },
      },
    },
    async () => subjectKinds(),
  );

  r.get(
    '/reviews',
    {
      config: { policy: 'reviewer' },
      schema: { tags, summary: '本部门审核队列', querystring: QueueQuery, response: { 200: ReviewPage } },
    },
    async (req) => svc.queue(db, req.actor!, req.query),
  );

  r.get(
    '/reviews/:id',
    {
      config: { policy: 'reviewer' },
      schema: { tags, summary: '审核详情：事项、材料与历史', params: IdParams, response: { 200: ReviewDetail } },
    },
    async (req) => svc.detail(db, req.actor!, req.params.id),
  );

  r.post(
    '/reviews/:id/decision',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '审核通过 / 不通过（须填原因）/ 退回',
        params: IdParams,
        body: DecideBody,
        response: { 200: z.object({ state: z.string(), level: z.number() }) },
      },
    },
    async (req) => svc.decide(deps, auditCtx(deps, req), req.params.id, req.body.action, req.body.reason),
  );
}
