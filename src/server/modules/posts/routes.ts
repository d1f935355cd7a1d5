import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, Ok } from '../../../contracts/common';
import { StoredFile } from '../../../contracts/files';
import {
  MyPostPage,
  MyPostsQuery,
  PostFields,
  PostMatches,
  PostSaveReply,
  PostView,
  PublicPostDetail,
  PublicPostPage,
  PublicPostsQuery,
} from '../../../contracts/posts';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { registerFileAccess } from '../files/service';
import * as svc from './service';

const FileParams = z.strictObject({ id: z.string().min(1).max(64), fileId: z.string().min(1).max(64) });

export async function postRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['posts'];
  const admin = { policy: 'orgAdmin' as const };
  registerFileAccess(svc.ATTACHMENT, svc.fileAccess);

  r.get(
    '/posts',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '供需信息：已发布且在有效期内的供给与需求',
        querystring: PublicPostsQuery,
        response: { 200: PublicPostPage },
      },
    },
    async (req) => svc.publicList(deps, req.query),
  );
  r.get(
    '/posts/mine',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '我的需求：本单位的供需信息', querystring: MyPostsQuery, response: { 200: MyPostPage } },
    },
    async (req) => svc.mine(deps, req.actor!, req.query),
  );
  r.get(
    '/posts/:id',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '供需信息详情（联系方式仅登录用户可见）',
        params: IdParams,
        response: { 200: PublicPostDetail },
      },
    },
    async (req) => svc.publicDetail(deps, req.actor, req.params.id),
  );
  r.get(
    '/posts/:id/matches',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '匹配提示：需求 → 相关仪器；供给 → 该单位的仪器',
        params: IdParams,
        response: { 200: PostMatches },
      },
    },
    async (req) => svc.matches(deps, req.params.id),
  );
  r.get(
    '/posts/:id/edit',
    {
      config: admin,
      schema: {
        tags,
        summary: '编辑用：工作稿、已发布版本、状态与可执行操作',
        params: IdParams,
        response: { 200: PostView },
      },
    },
    async (req) => svc.ownView(deps, req, req.params.id),
  );
  r.post(
    '/posts',
    {
      config: admin,
      schema: { tags, summary: '新增供需信息（保存为草稿）', body: PostFields, response: { 201: PostSaveReply } },
    },
    async (req, reply) => reply.status(201).send(await svc.create(deps, req, req.body)),
  );
  r.put(
    '/posts/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: '保存（已发布的信息修改后重新审核，原版本在审核通过前继续展示）',
        params: IdParams,
        body: PostFields,
        response: { 200: PostSaveReply },
      },
    },
    async (req) => svc.update(deps, req, req.params.id, req.body),
  );
  for (const action of ['submit', 'disable', 'enable'] as const) {
    const summary = { submit: '提交审核', disable: '停用（不再公开展示）', enable: '启用（重新审核）' }[action];
    r.post(
      `/posts/:id/${action}`,
      { config: admin, schema: { tags, summary, params: IdParams, response: { 200: PostSaveReply } } },
      async (req) => (await svc.act(deps, req, req.params.id, action))!,
    );
  }
  r.delete(
    '/posts/:id',
    {
      config: admin,
      schema: { tags, summary: '删除未发布过的草稿或未通过的信息', params: IdParams, response: { 200: Ok } },
    },
    async (req) => {
      await svc.act(deps, req, req.params.id, 'delete');
      return { ok: true as const };
    },
  );
  r.post(
    '/posts/:id/attachments',
    {
      config: admin,
      schema: {
        tags,
        summary: '上传附件（multipart，字段 file；PDF、Word、Excel、图片，≤ 20 MB，最多 5 个）',
        params: IdParams,
        response: { 201: StoredFile },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addAttachment(deps, req, req.params.id)),
  );
  r.delete(
    '/posts/:id/attachments/:fileId',
    { config: admin, schema: { tags, summary: '删除附件', params: FileParams, response: { 200: Ok } } },
    async (req) => svc.removeAttachment(deps, req, req.params.id, req.params.fileId),
  );
}
