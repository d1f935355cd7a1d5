import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  AcceptBody,
  BookingExportQuery,
  BookingFields,
  BookingFileParams,
  BookingListQuery,
  BookingPage,
  BookingSaveReply,
  BookingStart,
  BookingStartQuery,
  BookingUploadQuery,
  BookingView,
  DeclineBody,
  Liability,
  RateBody,
  RatingSummary,
  ResultsBody,
  SettleBody,
  SubmitBody,
} from '../../../contracts/bookings';
import { IdParams, Ok } from '../../../contracts/common';
import { StoredFile } from '../../../contracts/files';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { attachment, XLSX_MIME } from '../../platform/excel';
import { registerFileAccess } from '../files/service';
import { actorOf } from './access';
import * as cmd from './commands';
import * as form from './form';
import * as q from './queries';
import { ratings } from './ratings';
import { liabilityText } from './liability';
import { maySeeBooking } from '../../../domain/booking';
import { departmentMaySeeBooking } from '../vouchers/claims';

const CommentBody = z.strictObject({ comment: z.string().trim().max(500, '最多 500 个字符').nullable().optional() });

export async function bookingRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['bookings'];
  const { db } = deps.database;
  const member = { policy: 'member' as const };

  // a booking's files: members of the two organisations, as the booking itself; departments where a voucher claim refers to it
  registerFileAccess(cmd.FILE_PURPOSE, async (fdb, actor, f) => {
    const rows = await fdb
      .selectFrom('bookingFiles')
      .innerJoin('bookings', 'bookings.id', 'bookingFiles.bookingId')
      .select([
        'bookings.id',
        'bookings.state',
        'bookings.consumerOrgId',
        'bookings.providerOrgId',
        'bookings.applicantId',
      ])
      .where('bookingFiles.fileId', '=', f.id)
      .execute();
    if (rows.some((b) => maySeeBooking(b.state, actorOf(actor, b)))) return 'private';
    return (await departmentMaySeeBooking(
      fdb,
      actor,
      rows.map((b) => b.id),
    ))
      ? 'private'
      : false;
  });

  r.get(
    '/bookings/liability',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '责任说明（站点设置 booking.liability）', response: { 200: Liability } },
    },
    async () => ({ text: await liabilityText(db) }),
  );

  r.get(
    '/bookings/start',
    {
      config: member,
      schema: {
        tags,
        summary: '立即预约：检查所选仪器（同一单位、可预约）并给出表单初值',
        querystring: BookingStartQuery,
        response: { 200: BookingStart },
      },
    },
    async (req) => q.start(deps, req.actor!, req.query.instruments),
  );

  r.post(
    '/bookings',
    {
      config: member,
      schema: { tags, summary: '新建预约单（保存为待提交）', body: BookingFields, response: { 201: BookingSaveReply } },
    },
    async (req, reply) => reply.status(201).send(await form.create(deps, req, req.body)),
  );

  r.get(
    '/bookings',
    {
      config: member,
      schema: {
        tags,
        summary: '我的预约（side=consumer）/ 我的被预约（side=provider）：状态页签与数量、搜索、分页',
        querystring: BookingListQuery,
        response: { 200: BookingPage },
      },
    },
    async (req) => q.list(db, req.actor!, req.query),
  );

  r.get(
    '/bookings/export',
    {
      config: member,
      schema: { tags, summary: '导出预约列表（.xlsx，最多 10,000 行）', querystring: BookingExportQuery },
    },
    async (req, reply) => {
      const data = await q.exportXlsx(db, req.actor!, req.query);
      const name = req.query.side === 'consumer' ? '我的预约.xlsx' : '我的被预约.xlsx';
      return reply
        .header('content-type', XLSX_MIME)
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment(name, 'bookings.xlsx'))
        .send(data);
    },
  );

  r.get(
    '/bookings/:id',
    {
      config: member,
      schema: {
        tags,
        summary: '预约单详情（委托方与受托方成员可见），含可执行操作与历史',
        params: IdParams,
        response: { 200: BookingView },
      },
    },
    async (req) => q.view(deps, req, req.params.id),
  );

  r.put(
    '/bookings/:id',
    {
      config: member,
      schema: {
        tags,
        summary: '保存待提交的预约单',
        params: IdParams,
        body: BookingFields,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => form.update(deps, req, req.params.id, req.body),
  );

  r.delete(
    '/bookings/:id',
    { config: member, schema: { tags, summary: '删除待提交的预约单', params: IdParams, response: { 200: Ok } } },
    async (req) => form.remove(deps, req, req.params.id),
  );

  r.post(
    '/bookings/:id/submit',
    {
      config: member,
      schema: {
        tags,
        summary: '提交预约单（须同意责任说明）→ 待受理',
        params: IdParams,
        body: SubmitBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => form.submit(deps, req, req.params.id),
  );

  r.post(
    '/bookings/:id/withdraw',
    {
      config: member,
      schema: {
        tags,
        summary: '撤回待受理的预约单',
        params: IdParams,
        body: CommentBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => form.withdraw(deps, req, req.params.id, req.body.comment ?? null),
  );

  r.post(
    '/bookings/:id/accept',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '受理 → 待测试（可填计划检测日期）',
        params: IdParams,
        body: AcceptBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.accept(deps, req, req.params.id, req.body),
  );

  r.post(
    '/bookings/:id/decline',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '不予受理（须填理由）→ 已拒绝',
        params: IdParams,
        body: DeclineBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.decline(deps, req, req.params.id, req.body.reason),
  );

  r.put(
    '/bookings/:id/results',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '检测结果登记：保存',
        params: IdParams,
        body: ResultsBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.saveResults(deps, req, req.params.id, req.body, false),
  );

  r.post(
    '/bookings/:id/results/submit',
    {
      config: { policy: 'orgAdmin' },
      schema: {
        tags,
        summary: '检测结果登记：提交 → 待结算',
        params: IdParams,
        body: ResultsBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.saveResults(deps, req, req.params.id, req.body, true),
  );

  r.post(
    '/bookings/:id/files',
    {
      config: member,
      schema: {
        tags,
        summary:
          '上传预约文件（multipart，字段 file；slot=result_report 受托方检测报告 | report 检测报告 | invoice 发票；PDF、Word、Excel、图片，≤ 20 MB）',
        params: IdParams,
        querystring: BookingUploadQuery,
        response: { 201: StoredFile },
      },
    },
    async (req, reply) => reply.status(201).send(await cmd.addFile(deps, req, req.params.id, req.query.slot)),
  );

  r.delete(
    '/bookings/:id/files/:fileId',
    { config: member, schema: { tags, summary: '删除预约文件', params: BookingFileParams, response: { 200: Ok } } },
    async (req) => cmd.removeFile(deps, req, req.params.id, req.params.fileId),
  );

  r.post(
    '/bookings/:id/settle',
    {
      config: member,
      schema: {
        tags,
        summary: '结算（须已上传检测报告和发票）→ 已完成',
        params: IdParams,
        body: SettleBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.settle(deps, req, req.params.id, req.body.comment ?? null, req.body.voucher ?? null),
  );

  r.post(
    '/bookings/:id/rating',
    {
      config: member,
      schema: {
        tags,
        summary: '评价（1–5 星与评语，每个预约一次）',
        params: IdParams,
        body: RateBody,
        response: { 200: BookingSaveReply },
      },
    },
    async (req) => cmd.rate(deps, req, req.params.id, req.body.stars, req.body.comment),
  );

  r.get(
    '/instruments/:id/ratings',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '仪器评价汇总：平均分、数量、分布与最近评价',
        params: IdParams,
        response: { 200: RatingSummary },
      },
    },
    async (req) => ratings(db, req.params.id),
  );
}
