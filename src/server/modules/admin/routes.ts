import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreateDeptAccountBody, Department, DeptAccount, DeptAccountPage, DeptAccountsQuery, ResetPasswordBody, UpdateDeptAccountBody } from '../../../contracts/admin';
import { IdParams, Ok } from '../../../contracts/common';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

export async function adminRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['admin'];
  const config = { policy: 'sysadmin' as const };
  const db = deps.database.db;

  r.get('/admin/departments', { config, schema: { tags, summary: '主管部门（省科技厅与 16 个市科技局）', response: { 200: z.array(Department) } } },
    async () => svc.departments(db));

  r.get('/admin/department-accounts', { config, schema: { tags, summary: '部门账号列表', querystring: DeptAccountsQuery, response: { 200: DeptAccountPage } } },
    async (req) => svc.list(db, req.query));

  r.post('/admin/department-accounts', { config, schema: { tags, summary: '新增部门账号', body: CreateDeptAccountBody, response: { 201: DeptAccount } } },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.body)));

  r.put('/admin/department-accounts/:id', { config, schema: { tags, summary: '编辑部门账号', params: IdParams, body: UpdateDeptAccountBody, response: { 200: DeptAccount } } },
    async (req) => svc.update(deps, req, req.params.id, req.body));

  r.post('/admin/department-accounts/:id/disable', { config, schema: { tags, summary: '停用部门账号（立即结束其会话）', params: IdParams, response: { 200: DeptAccount } } },
    async (req) => svc.setDisabled(deps, req, req.params.id, true));

  r.post('/admin/department-accounts/:id/enable', { config, schema: { tags, summary: '启用部门账号', params: IdParams, response: { 200: DeptAccount } } },
    async (req) => svc.setDisabled(deps, req, req.params.id, false));

  r.post('/admin/department-accounts/:id/reset-password', { config, schema: { tags, summary: '重置部门账号密码（下次登录须修改）', params: IdParams, body: ResetPasswordBody, response: { 200: Ok } } },
    async (req) => { await svc.resetPassword(deps, req, req.params.id, req.body.password); return { ok: true as const }; });
}
