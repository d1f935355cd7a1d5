/** Monthly payout batches (兑付批次) of approved claims, by the province department; confirming marks them 已兑付. */
import { newWorkbook } from '../../platform/excel';
import type { FastifyRequest } from 'fastify';
import { conflict, notFound, ruleBroken } from '../../../domain/errors';
import { VOUCHER_KIND_LABEL } from '../../../domain/voucher';
import type { Db } from '../../db/connect';
import { nextInSeries } from '../../db/counters';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { notify } from '../messages/service';
import { formatYuan } from '../../../domain/money';

const STATE_LABEL = { draft: '待确认', confirmed: '已兑付' } as const;

const view = (b: {
  id: string;
  no: string;
  month: string;
  state: 'draft' | 'confirmed';
  claimCount: number;
  totalFen: number;
  createdAt: string;
  confirmedAt: string | null;
}) => ({
  id: b.id,
  no: b.no,
  month: b.month,
  state: b.state,
  stateLabel: STATE_LABEL[b.state],
  claimCount: Number(b.claimCount),
  totalFen: Number(b.totalFen),
  createdAt: b.createdAt,
  confirmedAt: b.confirmedAt,
});

export async function list(db: Db, q: { page: number; pageSize: number }) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('payoutBatches')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    db
      .selectFrom('payoutBatches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

/** The month's end in China time, as an instant: claims approved before it may go into that month's batch. */
const monthEnd = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1) - 8 * 3600_000).toISOString();
};

/** A draft batch of every approved claim not yet in a batch, approved up to the end of the month. */
export async function create(deps: Deps, req: FastifyRequest, month: string) {
  const ctx = auditCtx(deps, req);
  return deps.database.db.transaction().execute(async (trx) => {
    const draft = await trx.selectFrom('payoutBatches').select('no').where('state', '=', 'draft').executeTakeFirst();
    if (draft) throw conflict('PAYOUT_DRAFT_OPEN', `批次 ${draft.no} 尚未确认，请先确认或删除`);
    const claims = await trx
      .selectFrom('voucherClaims')
      .innerJoin('reviews', 'reviews.id', 'voucherClaims.reviewId')
      .select(['voucherClaims.id', 'voucherClaims.amountFen'])
      .where('reviews.state', '=', 'approved')
      .where('voucherClaims.batchId', 'is', null)
      .where('voucherClaims.approvedAt', '<', monthEnd(month))
      .execute();
    if (!claims.length)
      throw ruleBroken('PAYOUT_NOTHING', `截至 ${month} 月底没有待兑付的审核通过申请`, { month: '没有待兑付的申请' });
    const id = newId();
    const no = `DF${month.replace('-', '')}${String(await nextInSeries(trx, `payout:${month}`)).padStart(2, '0')}`;
    const total = claims.reduce((s, c) => s + Number(c.amountFen), 0);
    await trx
      .insertInto('payoutBatches')
      .values({
        id,
        no,
        month,
        state: 'draft',
        claimCount: claims.length,
        totalFen: total,
        createdBy: ctx.actor!.userId,
        createdAt: ctx.now.toISOString(),
        confirmedBy: null,
        confirmedAt: null,
      })
      .execute();
    await trx
      .updateTable('voucherClaims')
      .set({ batchId: id })
      .where(
        'id',
        'in',
        claims.map((c) => c.id),
      )
      .execute();
    await record(trx, ctx, {
      action: 'voucher.payout.create',
      subjectKind: 'payout_batch',
      subjectId: id,
      toState: 'draft',
      detail: { no, month, count: claims.length, totalFen: total },
    });
    return detail(trx, id);
  });
}

async function claimsOf(db: Db, id: string) {
  return db
    .selectFrom('voucherClaims')
    .innerJoin('organizations', 'organizations.id', 'voucherClaims.consumerOrgId')
    .select([
      'voucherClaims.id',
      'voucherClaims.no',
      'voucherClaims.kind',
      'voucherClaims.amountFen',
      'voucherClaims.approvedAt',
      'voucherClaims.consumerOrgId',
      'organizations.name as consumerName',
      'organizations.bankName',
      'organizations.bankAccount',
      'organizations.bankAccountName',
    ])
    .where('voucherClaims.batchId', '=', id)
    .orderBy('voucherClaims.no')
    .execute();
}

export async function detail(db: Db, id: string) {
  const b = await db.selectFrom('payoutBatches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!b) throw notFound('兑付批次');
  const claims = await claimsOf(db, id);
  return {
    ...view(b),
    claims: claims.map((c) => ({
      id: c.id,
      no: c.no,
      kindLabel: VOUCHER_KIND_LABEL[c.kind],
      consumerName: c.consumerName,
      amountFen: Number(c.amountFen),
      bankName: c.bankName,
      bankAccount: c.bankAccount,
      bankAccountName: c.bankAccountName,
      approvedAt: c.approvedAt,
    })),
  };
}

/** 删除 of a draft batch: its claims wait for the next one. */
export async function remove(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  await deps.database.db.transaction().execute(async (trx) => {
    const b = await trx.selectFrom('payoutBatches').select(['state', 'no']).where('id', '=', id).executeTakeFirst();
    if (!b) throw notFound('兑付批次');
    if (b.state !== 'draft') throw conflict('PAYOUT_CONFIRMED', '已确认兑付的批次不能删除');
    await trx.updateTable('voucherClaims').set({ batchId: null }).where('batchId', '=', id).execute();
    await trx.deleteFrom('payoutBatches').where('id', '=', id).where('state', '=', 'draft').execute();
    await record(trx, ctx, {
      action: 'voucher.payout.delete',
      subjectKind: 'payout_batch',
      subjectId: id,
      fromState: 'draft',
      detail: { no: b.no },
    });
  });
  return { ok: true as const };
}

/** 确认兑付: the batch and each of its claims are paid (已兑付); each enterprise is told. */
export async function confirm(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  const now = ctx.now.toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('payoutBatches')
      .set({ state: 'confirmed', confirmedBy: ctx.actor!.userId, confirmedAt: now })
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const b = await trx.selectFrom('payoutBatches').select('state').where('id', '=', id).executeTakeFirst();
      if (!b) throw notFound('兑付批次');
      throw conflict('PAYOUT_CONFIRMED', '该批次已确认兑付');
    }
    await trx.updateTable('voucherClaims').set({ paidAt: now }).where('batchId', '=', id).execute();
    const claims = await claimsOf(trx, id);
    await record(trx, ctx, {
      action: 'voucher.payout.confirm',
      subjectKind: 'payout_batch',
      subjectId: id,
      fromState: 'draft',
      toState: 'confirmed',
      detail: { count: claims.length },
    });
    for (const c of claims) {
      await notify(
        deps,
        trx,
        { adminsOf: c.consumerOrgId },
        {
          title: `创新券已兑付 ${c.no}`,
          body: `您的${VOUCHER_KIND_LABEL[c.kind]} ${c.no}（${formatYuan(Number(c.amountFen))}）已兑付，请注意查收。`,
          link: `/member/vouchers/${c.id}`,
          subjectKind: 'voucher_claim',
          subjectId: c.id,
        },
      );
    }
    return detail(trx, id);
  });
}

/** The batch with the bank details of each enterprise, for the finance office. */
export async function exportXlsx(db: Db, id: string): Promise<{ name: string; data: Buffer }> {
  const b = await detail(db, id);
  const wb = await newWorkbook();
  const ws = wb.addWorksheet(`兑付批次 ${b.no}`);
  ws.columns = [
    { header: '申请编号', key: 'no', width: 18 },
    { header: '类别', key: 'kind', width: 12 },
    { header: '企业名称', key: 'name', width: 32 },
    { header: '开户银行', key: 'bank', width: 24 },
    { header: '账户名称', key: 'accountName', width: 32 },
    { header: '银行账号', key: 'account', width: 24 },
    { header: '兑付金额（元）', key: 'amount', width: 16, style: { numFmt: '#,##0.00' } },
  ];
  ws.getRow(1).font = { bold: true };
  for (const c of b.claims)
    ws.addRow({
      no: c.no,
      kind: c.kindLabel,
      name: c.consumerName,
      bank: c.bankName ?? '',
      accountName: c.bankAccountName ?? '',
      account: c.bankAccount ?? '',
      amount: c.amountFen / 100,
    });
  const sum = ws.addRow({ no: '合计', amount: b.totalFen / 100 });
  sum.font = { bold: true };
  return { name: `创新券兑付批次-${b.no}.xlsx`, data: Buffer.from(await wb.xlsx.writeBuffer()) };
}
