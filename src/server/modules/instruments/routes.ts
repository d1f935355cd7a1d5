import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, Ok } from '../../../contracts/common';
import { StoredFile } from '../../../contracts/files';
import {
  InstrumentFields,
  InstrumentFileParams,
  InstrumentPage,
  InstrumentSaveReply,
  InstrumentView,
  MyInstrumentsQuery,
} from '../../../contracts/instruments';
import { ReviewEvent } from '../../../contracts/reviews';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { registerFileAccess } from '../files/service';
import * as svc from './service';

export async function instrumentRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['instruments'];
  const db = deps.database.db;
  registerFileAccess(svc.PICTURE, svc.fileAccess);
  registerFileAccess(svc.ATTACHMENT, svc.fileAccess);

  r.post(
    '/instruments',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '发布仪器（保存为草稿）',
        body: InstrumentFields,
        response: { 201: InstrumentSaveReply },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.body)),
  );

  r.get(
    '/instruments/mine',
    {
      config: { policy: 'member' },
      schema: {
        tags,
        summary: '我的仪器：状态筛选、搜索与分页',
        querystring: MyInstrumentsQuery,
        response: { 200: InstrumentPage },
      },
    },
    async (req) => svc.mine(db, req.actor!, req.query),
  );

  r.get(
    '/instruments/:id',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '仪器详情（已入网的对所有人公开；其他仅本单位与主管部门可见）',
        params: IdParams,
        response: { 200: InstrumentView },
      },
    },
    async (req) => svc.view(db, req.actor, req.params.id),
  );

  r.get(
    '/instruments/:id/history',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '仪器入网审核历史', params: IdParams, response: { 200: z.array(ReviewEvent) } },
    },
    async (req) => svc.history(db, req.actor!, req.params.id),
  );

  r.put(
    '/instruments/:id',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '编辑仪器（保存；已入网仪器修改后直接生效）',
        params: IdParams,
        body: InstrumentFields,
        response: { 200: InstrumentSaveReply },
      },
    },
    async (req) => svc.update(deps, req, req.params.id, req.body),
  );

  r.delete(
    '/instruments/:id',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '删除草稿仪器（连同图片与附件）', params: IdParams, response: { 200: Ok } },
    },
    async (req) => svc.remove(deps, req, req.params.id),
  );

  r.post(
    '/instruments/:id/submit',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '提交至主管部门审核', params: IdParams, response: { 200: InstrumentSaveReply } },
    },
    async (req) => svc.submit(deps, req, req.params.id),
  );

  r.post(
    '/instruments/:id/disable',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '停用已入网仪器', params: IdParams, response: { 200: InstrumentSaveReply } },
    },
    async (req) => svc.setDisabled(deps, req, req.params.id, true),
  );

  r.post(
    '/instruments/:id/enable',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '启用已停用的仪器', params: IdParams, response: { 200: InstrumentSaveReply } },
    },
    async (req) => svc.setDisabled(deps, req, req.params.id, false),
  );

  r.post(
    '/instruments/:id/pictures',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '上传仪器图片（multipart/form-data，字段 file；JPG、PNG、WebP，≤ 5 MB，最多 9 张）',
        params: IdParams,
        response: { 201: StoredFile },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addFile(deps, req, req.params.id, 'picture')),
  );

  r.post(
    '/instruments/:id/attachments',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '上传仪器附件（multipart/form-data，字段 file；PDF、Word、Excel，≤ 20 MB，最多 10 个）',
        params: IdParams,
        response: { 201: StoredFile },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addFile(deps, req, req.params.id, 'attachment')),
  );

  r.delete(
    '/instruments/:id/files/:fileId',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '删除仪器图片或附件', params: InstrumentFileParams, response: { 200: Ok } },
    },
    async (req) => svc.removeFile(deps, req, req.params.id, req.params.fileId),
  );
}
