/** What the provider and the consumer do to a booking after 提交; every change goes through transition.ts. */
import type { FastifyRequest } from 'fastify';
import { BOOKING_STATE_LABEL, lineFen, nextBookingStep } from '../../../domain/booking';
import { badInput, conflict, DomainError, ruleBroken } from '../../../domain/errors';
import { formatYuan } from '../../../domain/money';
import { shanghaiDate } from '../../../domain/instrument';
import type { ResultsBodyT } from '../../../contracts/bookings';
import { isUniqueViolation, type Db } from '../../db/connect';
import { writeAtCommit } from '../../db/pg-trips';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { catalogueChanged } from '../catalogue/indexer';
import * as files from '../files/service';
import { fileClaims, type Choice } from '../vouchers/claims';
import { inVisibleBooking, KIND, loadVisible, type BookingRow } from './access';
import { clean, saveReply } from './form';
import { apply, decide, decideOn } from './transition';

// ------------------------------------------------------------------ provider: 受理 and results

export async function accept(
  deps: Deps,
  req: FastifyRequest,
  id: string,
  b: { plannedTestDate?: string | null; comment?: string | null },
) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    if (b.plannedTestDate && b.plannedTestDate < shanghaiDate(ctx.now))
      throw badInput('BOOKING_INVALID', '计划检测日期不能早于今天', { plannedTestDate: '不能早于今天' });
    const d = decideOn(row, req.actor, 'accept');
    const planned = b.plannedTestDate ? `，计划检测日期 ${b.plannedTestDate}` : '';
    return saveReply(
      await apply(deps, trx, ctx, d.row, {
        action: 'accept',
        to: 'accepted',
        comment: clean(b.comment),
        set: { plannedTestDate: b.plannedTestDate ?? null, acceptedAt: ctx.now.toISOString() },
        tell: { title: `预约已受理 ${d.row.no}`, body: `您的预约单 ${d.row.no} 已被受理${planned}。请按约定送样。` },
      }),
    );
  });
}

export async function decline(deps: Deps, req: FastifyRequest, id: string, reason: string) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'decline');
    return saveReply(
      await apply(deps, trx, ctx, d.row, {
        action: 'decline',
        to: 'rejected',
        comment: reason,
        set: { declineReason: reason },
        tell: { title: `预约未被受理 ${d.row.no}`, body: `您的预约单 ${d.row.no} 未被受理，理由：${reason}` },
      }),
    );
  });
}

/** The fee lines of the body checked against the booking's instruments; amounts in fen. */
async function resultsSet(trx: Db, row: BookingRow, b: ResultsBodyT) {
  const items = await trx
    .selectFrom('bookingItems')
    .select(['instrumentId'])
    .where('bookingId', '=', row.id)
    .orderBy('sort')
    .execute();
  const known = new Set(items.map((i) => i.instrumentId));
  const errors: Record<string, string> = {};
  b.items.forEach((i, k) => {
    if (!known.has(i.instrumentId)) errors[`items.${k}.instrumentId`] = '该仪器不在本预约单中';
  });
  if (new Set(b.items.map((i) => i.instrumentId)).size !== b.items.length) errors.items = '同一仪器只能登记一次';
  if (Object.keys(errors).length) throw badInput('RESULTS_INVALID', '检测结果中的仪器与预约单不符', errors);
  const lines = b.items.map((i) => {
    const fees = i.fees.map((f) => ({ ...f, amountFen: lineFen(f) }));
    return { ...i, fees, subtotalFen: fees.reduce((s, f) => s + f.amountFen, 0) };
  });
  const total = lines.reduce((s, l) => s + l.subtotalFen, 0) + b.otherFeeFen;
  return { items, lines, total };
}

/** The lines written with the commit: nothing reads the items back in the transaction. */
async function writeResults(trx: Db, row: BookingRow, lines: Awaited<ReturnType<typeof resultsSet>>['lines']) {
  for (const l of lines) {
    await writeAtCommit(
      trx,
      trx
        .updateTable('bookingItems')
        .set({
          resultText: clean(l.resultText),
          machineHours: l.machineHours ?? null,
          feesJson: JSON.stringify(l.fees),
          subtotalFen: l.subtotalFen,
        })
        .where('bookingId', '=', row.id)
        .where('instrumentId', '=', l.instrumentId),
    );
  }
}

/** 检测结果登记 → 保存 (stays 待测试) or 提交 (→ 待结算). A form loaded before another tab's save is refused. */
export async function saveResults(deps: Deps, req: FastifyRequest, id: string, b: ResultsBodyT, andSubmit: boolean) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, andSubmit ? 'submit_results' : 'save_results', b.version);
    const { items: all, lines, total } = await resultsSet(trx, d.row, b);
    if (andSubmit) {
      const byId = new Map(lines.map((l) => [l.instrumentId, l]));
      const missing: Record<string, string> = {};
      all.forEach((i, k) => {
        if (!clean(byId.get(i.instrumentId)?.resultText)) missing[`items.${k}.resultText`] = '请填写检测结果';
      });
      if (Object.keys(missing).length)
        throw badInput('RESULTS_INCOMPLETE', '请为每台仪器填写检测结果后再提交', missing);
    }
    await writeResults(trx, d.row, lines);
    const set = {
      otherFeeFen: b.otherFeeFen,
      otherFeeNote: clean(b.otherFeeNote),
      totalFeeFen: total,
      resultNote: clean(b.resultNote),
      ...(andSubmit ? { resultsAt: ctx.now.toISOString() } : {}),
    };
    const next = await apply(
      deps,
      trx,
      ctx,
      d.row,
      andSubmit
        ? {
            action: 'submit_results',
            to: 'awaiting_settlement',
            set,
            tell: {
              title: `检测结果已登记 ${d.row.no}`,
              body: `预约单 ${d.row.no} 的检测结果已登记，费用合计 ${formatYuan(total)}，请上传检测报告和发票完成结算。`,
            },
          }
        : { action: 'save_results', to: 'accepted', set, tell: null },
    );
    return saveReply(next);
  });
}

// ------------------------------------------------------------------ files

export const FILE_PURPOSE = 'booking_file';
const SLOT_ACTION = {
  result_report: 'save_results',
  report: 'settle',
  invoice: 'settle',
  contract: 'settle',
  result_proof: 'settle',
  relevance_proof: 'settle',
} as const;
const SLOT_LABEL = {
  result_report: '检测报告（受托方）',
  report: '检测报告',
  invoice: '发票',
  contract: '服务合同',
  result_proof: '服务结果证明',
  relevance_proof: '科技创新相关性证明',
} as const;
export const MAX_FILES_PER_SLOT = 5;
export const BOOKING_FILE_MAX_BYTES = 20 * 1024 * 1024;

/** Upload into a slot the caller may fill now: the provider's report while testing; report and invoice at settlement. */
export async function addFile(deps: Deps, req: FastifyRequest, id: string, slot: keyof typeof SLOT_ACTION) {
  const { row, who } = await loadVisible(deps, req, id);
  const step = nextBookingStep(row.state, SLOT_ACTION[slot], who);
  if ('refusal' in step) {
    const r = step.refusal;
    throw new DomainError(
      r.status,
      r.code,
      r.status === 409 ? `预约单当前为「${BOOKING_STATE_LABEL[row.state]}」，不能上传${SLOT_LABEL[slot]}` : r.message,
      undefined,
      { state: row.state },
    );
  }
  // the slot is counted under the booking's row lock (parallel uploads of a multi-file picker); a full slot
  // discards the stored objects. The file's row, its link and the audit entry go with the commit.
  const orgId = req.actor!.org!.id;
  const stored = await files.storeUploadObjects(deps, req, {
    purpose: FILE_PURPOSE,
    orgId,
    allowed: ['document', 'image'],
    maxBytes: BOOKING_FILE_MAX_BYTES,
  });
  const ctx = auditCtx(deps, req);
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      await decide(trx, req.actor, id, SLOT_ACTION[slot], undefined, true);
      const have = await trx
        .selectFrom('bookingFiles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('bookingId', '=', id)
        .where('slot', '=', slot)
        .executeTakeFirst();
      if (Number(have?.n ?? 0) >= MAX_FILES_PER_SLOT)
        throw ruleBroken('TOO_MANY_FILES', `${SLOT_LABEL[slot]}最多上传 ${MAX_FILES_PER_SLOT} 个文件`, {
          file: `最多 ${MAX_FILES_PER_SLOT} 个`,
        });
      await writeAtCommit(trx, trx.insertInto('files').values(stored.row));
      await writeAtCommit(
        trx,
        trx
          .insertInto('bookingFiles')
          .values({ bookingId: id, fileId: stored.id, slot, createdAt: ctx.now.toISOString() }),
      );
      await record(trx, ctx, {
        action: 'booking.file.add',
        subjectKind: KIND,
        subjectId: id,
        orgId,
        detail: { slot, fileId: stored.id, name: stored.name },
      });
    });
  } catch (e) {
    await files.removeStored(deps, [stored.row.storageKey, stored.row.thumbKey]);
    throw e;
  }
  const { row: _r, ...out } = stored;
  return out;
}

export async function removeFile(deps: Deps, req: FastifyRequest, id: string, fileId: string) {
  await loadVisible(deps, req, id);
  const ctx = auditCtx(deps, req);
  const link = await deps.database.db
    .selectFrom('bookingFiles')
    .select(['slot'])
    .where('bookingId', '=', id)
    .where('fileId', '=', fileId)
    .executeTakeFirst();
  if (!link) throw new DomainError(404, 'NOT_FOUND', '文件不存在');
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    // the row lock: not while a settlement is reading the files
    await decide(trx, req.actor, id, SLOT_ACTION[link.slot], undefined, true);
    await trx.deleteFrom('bookingFiles').where('bookingId', '=', id).where('fileId', '=', fileId).execute();
    await record(trx, ctx, {
      action: 'booking.file.remove',
      subjectKind: KIND,
      subjectId: id,
      orgId: req.actor!.org!.id,
      detail: { slot: link.slot, fileId },
    });
    return files.deleteRows(trx, [fileId]);
  });
  await files.removeStored(deps, keys);
  return { ok: true as const };
}

// ------------------------------------------------------------------ consumer: 结算 and 评价

/**
 * 结算: with the test report and the invoice uploaded, the booking is completed and each of its instruments has
 * served once more (the catalogue sorts by that count). With vouchers chosen, the redemption claims are filed and
 * their amounts reserved in this same transaction (vouchers/claims.ts).
 */
export async function settle(
  deps: Deps,
  req: FastifyRequest,
  id: string,
  comment: string | null,
  voucher: Choice | null = null,
) {
  const ctx = auditCtx(deps, req);
  // with the row lock: the files read below stay until the commit (a parallel removal waits)
  return inVisibleBooking(
    deps,
    req,
    id,
    async (trx, row) => {
      const d = decideOn(row, req.actor, 'settle');
      const slots = await trx.selectFrom('bookingFiles').select('slot').where('bookingId', '=', id).execute();
      const missing: Record<string, string> = {};
      if (!slots.some((s) => s.slot === 'report')) missing.report = '请上传检测报告';
      if (!slots.some((s) => s.slot === 'invoice')) missing.invoice = '请上传发票';
      if (Object.keys(missing).length)
        throw ruleBroken(
          'SETTLEMENT_FILES_MISSING',
          `结算前请上传${Object.keys(missing)
            .map((k) => (k === 'report' ? '检测报告' : '发票'))
            .join('和')}`,
          missing,
        );
      // vouchers: checked against the rules and the caps again here, whatever the page showed; claims filed with
      // the completion
      const claims = await fileClaims(deps, trx, ctx, d.row, voucher);
      const next = await apply(deps, trx, ctx, d.row, {
        action: 'settle',
        to: 'completed',
        comment: clean(comment) ?? (claims.length ? `申请创新券：${claims.map((c) => c.no).join('、')}` : null),
        set: { completedAt: ctx.now.toISOString(), hasOtherSubsidy: voucher ? voucher.otherSubsidy : null },
        tell: {
          title: `预约单已结算 ${d.row.no}`,
          body: `委托方已完成预约单 ${d.row.no} 的结算，费用合计 ${formatYuan(Number(d.row.totalFeeFen))}。`,
        },
      });
      const served = await trx
        .updateTable('instruments')
        .set((eb) => ({ serviceCount: eb('serviceCount', '+', 1) }))
        .where('id', 'in', instrumentsOf(trx, id))
        .returning('id')
        .execute();
      await catalogueChanged(
        trx,
        served.map((r) => r.id),
      );
      return saveReply(next);
    },
    { lock: true },
  );
}

/** The instruments of a booking, as a subquery: changed in the statement that names them (one trip fewer). */
const instrumentsOf = (trx: Db, bookingId: string) =>
  trx.selectFrom('bookingItems').select('instrumentId').where('bookingId', '=', bookingId);

/** 评价: 1–5 stars and a comment, once per booking; each instrument of the booking gets the rating. */
export async function rate(deps: Deps, req: FastifyRequest, id: string, stars: number, comment: string) {
  const ctx = auditCtx(deps, req);
  try {
    return await inVisibleBooking(deps, req, id, async (trx, row) => {
      const d = decideOn(row, req.actor, 'rate');
      // a second rating breaks the unique key: at once on SQLite, at the commit on PostgreSQL; 409 either way
      await writeAtCommit(
        trx,
        trx.insertInto('bookingRatings').values({
          bookingId: id,
          stars,
          comment: clean(comment),
          raterId: req.actor!.userId,
          createdAt: ctx.now.toISOString(),
        }),
      );
      const rated = await trx
        .updateTable('instruments')
        .set((eb) => ({ ratingSum: eb('ratingSum', '+', stars), ratingCount: eb('ratingCount', '+', 1) }))
        .where('id', 'in', instrumentsOf(trx, id))
        .returning('id')
        .execute();
      const next = await apply(deps, trx, ctx, d.row, {
        action: 'rate',
        to: 'completed',
        history: true,
        comment: `${stars} 星${clean(comment) ? `：${clean(comment)}` : ''}`,
        tell: {
          title: `收到新的评价 ${d.row.no}`,
          body: `委托方对预约单 ${d.row.no} 给出了 ${stars} 星评价${clean(comment) ? `：${clean(comment)}` : '。'}`,
        },
      });
      await catalogueChanged(
        trx,
        rated.map((r) => r.id),
      );
      return saveReply(next);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('ALREADY_RATED', '该预约已评价，每个预约只能评价一次');
    throw e;
  }
}
