import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdParams, Ok, PageQuery } from '../../../contracts/common';
import { StoredFile } from '../../../contracts/files';
import {
  ClaimDetail,
  ClaimFileParams,
  ClaimFileQuery,
  ClaimListQuery,
  ClaimPage,
  PayoutCreateBody,
  PayoutDetail,
  PayoutPage,
  QuoteQuery,
  StatsQuery,
  StatsReply,
  VerifyParams,
  VerifyReply,
  VoucherPolicyBody,
  VoucherPolicyVersion,
  VoucherQuote,
} from '../../../contracts/vouchers';
import { DomainError } from '../../../domain/errors';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { attachment, XLSX_MIME } from '../../platform/excel';
import { loadVisible } from '../bookings/access';
import * as claims from './claims';
import * as payout from './payout';
import * as policy from './policy';
import { printClaim, verify } from './print';
import { stats } from './stats';

export async function voucherRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['vouchers'];
  const { db } = deps.database;

  // ---- policy (the province department's settings)
  r.get(
    '/vouchers/policies',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '创新券政策版本（当前生效的标记 inForce）',
        response: { 200: z.array(VoucherPolicyVersion) },
      },
    },
    async () => policy.list(deps),
  );
  r.post(
    '/vouchers/policies',
    {
      config: { policy: 'province' },
      schema: {
        tags,
        summary: '新增创新券政策版本（自生效日起执行，已生效版本不可修改）',
        body: VoucherPolicyBody,
        response: { 201: VoucherPolicyVersion },
      },
    },
    async (req, reply) => reply.status(201).send(await policy.add(deps, req, req.body)),
  );

  // ---- settlement
  r.get(
    '/bookings/:id/voucher-quote',
    {
      config: { policy: 'member' },
      schema: {
        tags,
        summary: '结算：创新券部分（资格、比例、补贴、本年度剩余额度、企业自付）',
        params: IdParams,
        querystring: QuoteQuery,
        response: { 200: VoucherQuote },
      },
    },
    async (req) => {
      const { row, who } = await loadVisible(deps, req, req.params.id);
      if (who.party !== 'consumer')
        throw new DomainError(403, 'BOOKING_WRONG_PARTY', '只有委托方可以查看创新券结算信息');
      if (row.state !== 'awaiting_settlement')
        throw new DomainError(409, 'BOOKING_WRONG_STATE', '只有待结算的预约单可以申请创新券', undefined, {
          state: row.state,
        });
      return claims.quoteView(
        db,
        row,
        {
          otherSubsidy: req.query.otherSubsidy === '1',
          provincial: req.query.provincial === '1',
          municipal: req.query.municipal === '1',
        },
        deps.clock.now(),
      );
    },
  );

  // ---- 我的创新券
  r.get(
    '/vouchers/claims',
    {
      config: { policy: 'member' },
      schema: {
        tags,
        summary: '我的创新券：本单位的兑付申请',
        querystring: ClaimListQuery,
        response: { 200: ClaimPage },
      },
    },
    async (req) => claims.mine(db, req.actor!, req.query),
  );
  r.get(
    '/vouchers/claims/:id',
    {
      config: { policy: 'user' },
      schema: {
        tags,
        summary: '兑付申请详情（委托方成员、审核环节的主管部门与省厅可见）',
        params: IdParams,
        response: { 200: ClaimDetail },
      },
    },
    async (req) => claims.detail(deps, req.actor, req.params.id),
  );
  r.post(
    '/vouchers/claims/:id/files',
    {
      config: { policy: 'member' },
      schema: {
        tags,
        summary: '补充材料（被退回时；multipart，字段 file）',
        params: IdParams,
        querystring: ClaimFileQuery,
        response: { 201: StoredFile },
      },
    },
    async (req, reply) => reply.status(201).send(await claims.addDocument(deps, req, req.params.id, req.query.slot)),
  );
  r.delete(
    '/vouchers/claims/:id/files/:fileId',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '删除补充的材料（被退回时）', params: ClaimFileParams, response: { 200: Ok } },
    },
    async (req) => claims.removeDocument(deps, req, req.params.id, req.params.fileId),
  );
  r.post(
    '/vouchers/claims/:id/resubmit',
    {
      config: { policy: 'member' },
      schema: { tags, summary: '重新提交（回到退回它的审核环节）', params: IdParams, response: { 200: ClaimDetail } },
    },
    async (req) => claims.resubmit(deps, req, req.params.id),
  );
  r.get(
    '/vouchers/claims/:id/print',
    { config: { policy: 'user' }, schema: { tags, summary: '打印创新券（A4 PDF，含验证二维码）', params: IdParams } },
    async (req, reply) => {
      const pdf = await printClaim(deps, req.actor!, req.params.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment(pdf.name, 'voucher.pdf'))
        .send(pdf.data);
    },
  );

  // ---- public verification
  r.get(
    '/verify/:code',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '创新券真伪验证（公开，仅显示编号、双方、金额与状态）',
        params: VerifyParams,
        response: { 200: VerifyReply },
      },
    },
    async (req) => verify(db, req.params.code),
  );

  // ---- department console
  r.get(
    '/vouchers/stats',
    {
      config: { policy: 'reviewer' },
      schema: {
        tags,
        summary: '创新券统计：按月份、地市或服务机构汇总（市局仅本市）',
        querystring: StatsQuery,
        response: { 200: StatsReply },
      },
    },
    async (req) => stats(db, req.actor!, req.query, deps.clock.now()),
  );
  r.get(
    '/vouchers/payouts',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '兑付批次列表', querystring: PageQuery, response: { 200: PayoutPage } },
    },
    async (req) => payout.list(db, req.query),
  );
  r.post(
    '/vouchers/payouts',
    {
      config: { policy: 'province' },
      schema: {
        tags,
        summary: '生成月度兑付批次（截至该月底审核通过、尚未兑付的申请）',
        body: PayoutCreateBody,
        response: { 201: PayoutDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await payout.create(deps, req, req.body.month)),
  );
  r.get(
    '/vouchers/payouts/:id',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '兑付批次详情（含开户银行信息）', params: IdParams, response: { 200: PayoutDetail } },
    },
    async (req) => payout.detail(db, req.params.id),
  );
  r.get(
    '/vouchers/payouts/:id/export',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '导出兑付批次（.xlsx，含银行账户）', params: IdParams },
    },
    async (req, reply) => {
      const x = await payout.exportXlsx(db, req.params.id);
      return reply
        .header('content-type', XLSX_MIME)
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment(x.name, 'payout.xlsx'))
        .send(x.data);
    },
  );
  r.post(
    '/vouchers/payouts/:id/confirm',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '确认兑付：批次内申请标记为已兑付', params: IdParams, response: { 200: PayoutDetail } },
    },
    async (req) => payout.confirm(deps, req, req.params.id),
  );
  r.delete(
    '/vouchers/payouts/:id',
    {
      config: { policy: 'province' },
      schema: { tags, summary: '删除待确认的兑付批次', params: IdParams, response: { 200: Ok } },
    },
    async (req) => payout.remove(deps, req, req.params.id),
  );
}
