import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CreateDeptAccountBody,
  Department,
  LiabilityBody,
  DeptAccount,
  DeptAccountPage,
  DeptAccountsQuery,
  RefCreateBody,
  RefItemParams,
  RefList,
  RefParams,
  RefUpdateBody,
  ResetPasswordBody,
  SiteSettingsBody,
  UpdateDeptAccountBody,
  UserPage,
  UsersQuery,
} from '../../../contracts/admin';
import { IdParams, Ok } from '../../../contracts/common';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';
import * as reference from './reference';
import * as users from './users';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { SiteInfo, saveSiteInfo, siteInfo } from '../system/site';
import { liabilityText, saveLiabilityText } from '../bookings/liability';

export async function adminRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['admin'];
  const config = { policy: 'sysadmin' as const };
  const db = deps.database.db;

  r.get(
    '/admin/departments',
    {
      config,
      schema: { tags, summary: '主管部门（省科技厅与 16 个市科技局）', response: { 200: z.array(Department) } },
    },
    async () => svc.departments(db),
  );

  r.get(
    '/admin/department-accounts',
    {
      config,
      schema: { tags, summary: '部门账号列表', querystring: DeptAccountsQuery, response: { 200: DeptAccountPage } },
    },
    async (req) => svc.list(db, req.query),
  );

  r.post(
    '/admin/department-accounts',
    { config, schema: { tags, summary: '新增部门账号', body: CreateDeptAccountBody, response: { 201: DeptAccount } } },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.body)),
  );

  r.put(
    '/admin/department-accounts/:id',
    {
      config,
      schema: {
        tags,
        summary: '编辑部门账号',
        params: IdParams,
        body: UpdateDeptAccountBody,
        response: { 200: DeptAccount },
      },
    },
    async (req) => svc.update(deps, req, req.params.id, req.body),
  );

  r.post(
    '/admin/department-accounts/:id/disable',
    {
      config,
      schema: { tags, summary: '停用部门账号（立即结束其会话）', params: IdParams, response: { 200: DeptAccount } },
    },
    async (req) => svc.setDisabled(deps, req, req.params.id, true),
  );

  r.post(
    '/admin/department-accounts/:id/enable',
    { config, schema: { tags, summary: '启用部门账号', params: IdParams, response: { 200: DeptAccount } } },
    async (req) => svc.setDisabled(deps, req, req.params.id, false),
  );

  r.post(
    '/admin/department-accounts/:id/reset-password',
    {
      config,
      schema: {
        tags,
        summary: '重置部门账号密码（下次登录须修改）',
        params: IdParams,
        body: ResetPasswordBody,
        response: { 200: Ok },
      },
    },
    async (req) => {
      await svc.resetPassword(deps, req, req.params.id, req.body.password);
      return { ok: true as const };
    },
  );

  // ---- reference data (基础数据)
  r.get(
    '/admin/reference/:kind',
    {
      config,
      schema: {
        tags,
        summary: '基础数据：仪器分类、服务领域、地市、区县（含使用数）',
        params: RefParams,
        response: { 200: RefList },
      },
    },
    async (req) => reference.list(db, req.params.kind),
  );
  r.post(
    '/admin/reference/:kind',
    {
      config,
      schema: { tags, summary: '新增基础数据项', params: RefParams, body: RefCreateBody, response: { 201: RefList } },
    },
    async (req, reply) => reply.status(201).send(await reference.create(deps, req, req.params.kind, req.body)),
  );
  r.put(
    '/admin/reference/:kind/:code',
    {
      config,
      schema: {
        tags,
        summary: '重命名基础数据项',
        params: RefItemParams,
        body: RefUpdateBody,
        response: { 200: RefList },
      },
    },
    async (req) => reference.rename(deps, req, req.params.kind, req.params.code, req.body),
  );
  r.post(
    '/admin/reference/:kind/:code/disable',
    {
      config,
      schema: {
        tags,
        summary: '停用（已使用的项只能停用，不能删除）',
        params: RefItemParams,
        response: { 200: RefList },
      },
    },
    async (req) => reference.setEnabled(deps, req, req.params.kind, req.params.code, false),
  );
  r.post(
    '/admin/reference/:kind/:code/enable',
    { config, schema: { tags, summary: '启用', params: RefItemParams, response: { 200: RefList } } },
    async (req) => reference.setEnabled(deps, req, req.params.kind, req.params.code, true),
  );

  // ---- site settings (站点设置): the system administrator and the province department
  r.get(
    '/admin/site',
    { config: { policy: 'auditor' }, schema: { tags, summary: '站点设置', response: { 200: SiteInfo } } },
    async () => siteInfo(deps),
  );
  r.put(
    '/admin/site',
    {
      config: { policy: 'auditor' },
      schema: {
        tags,
        summary: '保存站点设置（站名、标识文字、省份、页脚联系方式）',
        body: SiteSettingsBody,
        response: { 200: SiteInfo },
      },
    },
    async (req) => {
      const before = await siteInfo(deps);
      const saved = await saveSiteInfo(deps, req.body);
      const changed = Object.keys(req.body).filter(
        (k) => (req.body as Record<string, string>)[k] !== (before as Record<string, string>)[k],
      );
      await record(db, auditCtx(deps, req), {
        action: 'site.update',
        subjectKind: 'site',
        subjectId: 'site',
        detail: { changed },
      });
      return saved;
    },
  );

  // ---- 责任说明 of bookings (a site setting; each booking stores the text accepted at 提交)
  r.get(
    '/admin/booking-liability',
    {
      config: { policy: 'auditor' },
      schema: { tags, summary: '预约责任说明（当前文本）', response: { 200: LiabilityBody } },
    },
    async () => ({ text: await liabilityText(db) }),
  );
  r.put(
    '/admin/booking-liability',
    {
      config: { policy: 'auditor' },
      schema: {
        tags,
        summary: '修改预约责任说明（此后提交的预约单使用新文本）',
        body: LiabilityBody,
        response: { 200: LiabilityBody },
      },
    },
    async (req) => {
      await saveLiabilityText(db, req.body.text);
      await record(db, auditCtx(deps, req), {
        action: 'site.booking_liability',
        subjectKind: 'site',
        subjectId: 'booking.liability',
        detail: { length: req.body.text.length },
      });
      return { text: await liabilityText(db) };
    },
  );

  // ---- users (用户管理)
  r.get(
    '/admin/users',
    {
      config,
      schema: {
        tags,
        summary: '用户管理：查找用户，查看所属单位与角色（不含密码）',
        querystring: UsersQuery,
        response: { 200: UserPage },
      },
    },
    async (req) => users.list(deps, req.query),
  );
  r.post(
    '/admin/users/:id/lock',
    { config, schema: { tags, summary: '锁定账号（立即结束其会话）', params: IdParams, response: { 200: Ok } } },
    async (req) => users.setLocked(deps, req, req.params.id, true),
  );
  r.post(
    '/admin/users/:id/unlock',
    { config, schema: { tags, summary: '解锁账号', params: IdParams, response: { 200: Ok } } },
    async (req) => users.setLocked(deps, req, req.params.id, false),
  );
  r.post(
    '/admin/users/:id/force-reset',
    {
      config,
      schema: {
        tags,
        summary: '强制重置密码（原密码失效，结束会话，发送重置链接）',
        params: IdParams,
        response: { 200: Ok },
      },
    },
    async (req) => users.forceReset(deps, req, req.params.id),
  );
}
