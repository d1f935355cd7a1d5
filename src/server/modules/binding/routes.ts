import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams } from '../../../contracts/common';
import {
  BindBody,
  BindingDecisionBody,
  Member,
  MemberPage,
  MembersQuery,
  MyBinding,
  OrgRequestPage,
  OrgRequestsQuery,
  RequestStateZ,
  RoleBody,
  UnbindBody,
  UserIdParams,
} from '../../../contracts/binding';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

const Created = z.object({ id: z.string() });
const Decided = z.object({ id: z.string(), state: RequestStateZ });

/** Binding of people to organisations (manual §3.2): the person applies, the organisation's admins decide. */
export async function bindingRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['binding'];
  const db = deps.database.db;

  // ---- the person

  r.get(
    '/binding/mine',
    {
      config: { policy: 'person' },
      schema: { tags, summary: '我的单位绑定：当前单位与绑定/解绑申请', response: { 200: MyBinding } },
    },
    async (req) => svc.mine(db, req.actor!),
  );

  r.post(
    '/binding/requests',
    {
      config: { policy: 'person' },
      schema: { tags, summary: '申请绑定已入网单位', body: BindBody, response: { 201: Created } },
    },
    async (req, reply) => reply.status(201).send(await svc.requestBind(deps, req, req.actor!, req.body)),
  );

  // leaving stays possible while the organisation's info is overdue: a plain member cannot update it
  r.post(
    '/binding/unbind',
    {
      config: { policy: 'member', allowStaleOrg: true },
      schema: { tags, summary: '申请解除与本单位的绑定（法人账号不可）', body: UnbindBody, response: { 201: Created } },
    },
    async (req, reply) => reply.status(201).send(await svc.requestUnbind(deps, req, req.actor!, req.body)),
  );

  r.post(
    '/binding/requests/:id/cancel',
    {
      config: { policy: 'person', allowStaleOrg: true },
      schema: { tags, summary: '撤回本人待审核的申请', params: IdParams, response: { 200: Decided } },
    },
    async (req) => svc.cancel(deps, req, req.actor!, req.params.id),
  );

  // ---- the organisation's admins

  r.get(
    '/orgs/mine/binding-requests',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '本单位的绑定/解绑申请',
        querystring: OrgRequestsQuery,
        response: { 200: OrgRequestPage },
      },
    },
    async (req) => svc.orgRequests(db, req.actor!, req.query),
  );

  r.post(
    '/orgs/mine/binding-requests/:id/decision',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '审核绑定/解绑申请（不通过须填原因）',
        params: IdParams,
        body: BindingDecisionBody,
        response: { 200: Decided },
      },
    },
    async (req) => svc.decide(deps, req, req.actor!, req.params.id, req.body),
  );

  r.get(
    '/orgs/mine/members',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '本单位成员与角色', querystring: MembersQuery, response: { 200: MemberPage } },
    },
    async (req) => svc.members(db, req.actor!, req.query),
  );

  r.post(
    '/orgs/mine/members/:userId/role',
    {
      config: { policy: 'legal' },
      schema: {
        tags,
        summary: '法人账号任免单位管理员',
        params: UserIdParams,
        body: RoleBody,
        response: { 200: Member },
      },
    },
    async (req) => svc.setRole(deps, req, req.actor!, req.params.userId, req.body.role),
  );
}
