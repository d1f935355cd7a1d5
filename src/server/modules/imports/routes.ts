import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../contracts/common';
import { ImportJobList, ImportJobView, ImportQuery, ImportStartReply } from '../../../contracts/imports';
import { badInput, DomainError } from '../../../domain/errors';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { attachment, XLSX_MIME } from '../../platform/excel';
import * as svc from './service';

export async function importRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['imports'];

  r.get(
    '/instruments/import/template',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '模板下载：仪器批量导入模板（.xlsx）' },
    },
    async (req, reply) => {
      const data = await svc.template(deps, req.actor!);
      return reply
        .header('content-type', XLSX_MIME)
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment('仪器批量导入模板.xlsx', 'instrument-import-template.xlsx'))
        .send(data);
    },
  );

  r.post(
    '/instruments/import',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '上传：批量导入仪器（multipart/form-data，一个 .xlsx 文件）',
        description:
          '`mode=all`：任一行有误则不导入；`mode=valid`：只导入正确的行。立即返回任务编号，进度见 /instruments/import/jobs/{id}。',
        querystring: ImportQuery,
        response: { 202: ImportStartReply },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart())
        throw new DomainError(415, 'NOT_MULTIPART', '请以 multipart/form-data 上传一个 .xlsx 文件', {
          file: '请选择文件',
        });
      const part = await req.file();
      if (!part) throw badInput('FILE_REQUIRED', '请选择要上传的 .xlsx 文件', { file: '请选择文件' });
      let data: Buffer;
      try {
        data = await part.toBuffer();
      } catch (e) {
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new DomainError(413, 'FILE_TOO_LARGE', '文件不能超过 20 MB', { file: '文件过大' });
        throw e;
      }
      return reply.status(202).send(await svc.start(deps, req, { fileName: part.filename, data }, req.query.mode));
    },
  );

  r.get(
    '/instruments/import/jobs',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '本单位最近的导入任务', response: { 200: ImportJobList } },
    },
    async (req) => svc.list(deps, req.actor!),
  );

  r.get(
    '/instruments/import/jobs/:id',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '导入进度与结果（前 200 个问题）', params: IdParams, response: { 200: ImportJobView } },
    },
    async (req) => svc.view(deps, req.actor!, req.params.id),
  );

  r.get(
    '/instruments/import/jobs/:id/report',
    {
      config: { policy: 'orgAdmin' },
      schema: { tags, summary: '错误报告下载（.xlsx：行号、列、问题）', params: IdParams },
    },
    async (req, reply) => {
      const { data, fileName } = await svc.report(deps, req.actor!, req.params.id);
      return reply
        .header('content-type', XLSX_MIME)
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment(fileName, 'import-errors.xlsx'))
        .send(data);
    },
  );
}
