/** What the consumer and the provider do to a booking; every change goes through transition.ts. */
import type { FastifyRequest } from 'fastify';
import {
  BOOKING_FIELD_LABELS,
  BOOKING_STATE_LABEL,
  bookingDay,
  formatBookingNo,
  lineFen,
  missingForSubmit,
  nextBookingStep,
  type BookingState,
} from '../../../domain/booking';
import { badInput, conflict, DomainError, ruleBroken } from '../../../domain/errors';
import { formatYuan } from '../../../domain/money';
import { isBookable, shanghaiDate } from '../../../domain/instrument';
import type { BookingFieldsT, ResultsBodyT } from '../../../contracts/bookings';
import { isUniqueViolation, type Db } from '../../db/connect';
import { nextInSeries } from '../../db/counters';
import { newId } from '../../db/ids';
import { writeAtCommit } from '../../db/pg-trips';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { catalogueChanged } from '../catalogue/indexer';
import * as files from '../files/service';
import { fileClaims, type Choice } from '../vouchers/claims';
import { inVisibleBooking, KIND, loadVisible, type BookingRow } from './access';
import { liabilityText } from './liability';
import { apply, decide, decideOn } from './transition';

const clean = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);

// ------------------------------------------------------------------ the instruments of a booking

interface Picked {
  id: string;
  name: string;
  orgId: string;
  orgName: string;
  state: string;
  isDisabled: boolean;
}

/**
 * The instruments asked for, checked: they exist and are listed and enabled, they belong to one organisation, and
 * that organisation is not the caller's. Refusals name the instruments.
 */
export async function pickInstruments(
  db: Db,
  ids: string[],
  consumerOrgId: string,
): Promise<{ providerOrgId: string; providerName: string; rows: Picked[] }> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await db
        .selectFrom('instruments')
        .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
        .select([
          'instruments.id',
          'instruments.name',
          'instruments.orgId',
          'organizations.name as orgName',
          'instruments.state',
          'instruments.isDisabled',
        ])
        .where('instruments.id', 'in', unique)
        .execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, { ...r, isDisabled: !!r.isDisabled }]));
  const missing = unique.filter((id) => {
    const r = byId.get(id);
    return !r || r.state !== 'listed';
  });
  if (missing.length)
    throw ruleBroken('INSTRUMENT_NOT_LISTED', '所选仪器不存在或尚未入网，请重新选择', {
      instruments: '所选仪器不存在或尚未入网',
    });
  const picked = unique.map((id) => byId.get(id)!);
  const orgs = [...new Set(picked.map((r) => r.orgId))];
  if (orgs.length > 1) {
    const names = [...new Set(picked.map((r) => r.orgName))].join('、');
    throw ruleBroken(
      'BOOKING_MIXED_PROVIDERS',
      `一个预约单只能预约同一单位的仪器（所选仪器分属：${names}），请按单位分别预约`,
      { instruments: '只能添加同一单位的仪器' },
    );
  }
  const disabled = picked.filter((r) => !isBookable(r.state as 'listed', r.isDisabled));
  if (disabled.length)
    throw ruleBroken('INSTRUMENT_DISABLED', `仪器已停用，不能预约：${disabled.map((r) => r.name).join('、')}`, {
      instruments: '包含已停用的仪器',
    });
  if (orgs[0] === consumerOrgId)
    throw ruleBroken('BOOKING_OWN_ORG', '不能预约本单位的仪器', { instruments: '不能预约本单位的仪器' });
  return { providerOrgId: orgs[0], providerName: picked[0].orgName, rows: picked };
}

// ------------------------------------------------------------------ numbers and search text

/** The next number of the day: unique, and never reused (also after a draft is deleted). */
async function nextNo(trx: Db, now: Date): Promise<string> {
  const day = bookingDay(now);
  return formatBookingNo(day, await nextInSeries(trx, `booking:${day}`));
}

/**
 * The booking's search text: its number, both organisations' names (read only when not known), its instruments and
 * its project.
 */
async function searchText(
  trx: Db,
  no: string,
  orgs: { id: string; name?: string | null }[],
  instrumentNames: string[],
  f: BookingFieldsT,
) {
  const unknown = orgs.filter((o) => !o.name).map((o) => o.id);
  const read = unknown.length
    ? await trx.selectFrom('organizations').select(['id', 'name']).where('id', 'in', unknown).execute()
    : [];
  const names = orgs.map((o) => o.name ?? read.find((r) => r.id === o.id)?.name ?? '');
  return [no, ...names, ...instrumentNames, f.projectName ?? '', f.projectNo ?? ''].join(' ').toLowerCase();
}

const formColumns = (f: BookingFieldsT) => ({
  samplesJson: JSON.stringify(f.samples ?? []),
  purpose: clean(f.purpose),
  expectedFrom: f.expectedFrom ?? null,
  expectedTo: f.expectedTo ?? null,
  projectName: clean(f.projectName),
  projectNo: clean(f.projectNo),
  projectSource: clean(f.projectSource),
  projectFundingFen: f.projectFundingFen ?? null,
  contactName: clean(f.contactName),
  contactPhone: clean(f.contactPhone),
  contactEmail: clean(f.contactEmail),
  remark: clean(f.remark),
});

function dateErrors(f: BookingFieldsT) {
  if (f.expectedFrom && f.expectedTo && f.expectedTo < f.expectedFrom)
    throw badInput('BOOKING_INVALID', '期望完成日期不能早于开始日期', { expectedTo: '不能早于开始日期' });
}

/** The booking's items replaced: nothing reads them back in the form's transaction (sent with its commit). */
async function writeItems(trx: Db, bookingId: string, f: BookingFieldsT, picked: Picked[]) {
  await writeAtCommit(trx, trx.deleteFrom('bookingItems').where('bookingId', '=', bookingId));
  const tests = new Map(f.instruments.map((i) => [i.instrumentId, clean(i.testItems)]));
  await writeAtCommit(
    trx,
    trx.insertInto('bookingItems').values(
      picked.map((p, k) => ({
        bookingId,
        instrumentId: p.id,
        sort: k,
        testItems: tests.get(p.id) ?? null,
        resultText: null,
        machineHours: null,
        feesJson: '[]',
        subtotalFen: 0,
      })),
    ),
  );
}

// ------------------------------------------------------------------ consumer: the form

const saveReply = (r: { id: string; no: string; state: BookingState; version: number }) => ({
  id: r.id,
  no: r.no,
  state: r.state,
  stateLabel: BOOKING_STATE_LABEL[r.state],
  version: r.version,
});

/** 保存 of a new booking: a draft (待提交) of the caller's organisation with a number of its own. */
export async function create(deps: Deps, req: FastifyRequest, f: BookingFieldsT) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const actor = req.actor!;
  dateErrors(f);
  const p = await pickInstruments(
    db,
    f.instruments.map((i) => i.instrumentId),
    actor.org!.id,
  );
  return db.transaction().execute(async (trx) => {
    const now = ctx.now.toISOString();
    const id = newId();
    const no = await nextNo(trx, ctx.now);
    const text = await searchText(
      trx,
      no,
      [actor.org!, { id: p.providerOrgId, name: p.providerName }],
      p.rows.map((r) => r.name),
      f,
    );
    // the booking, its items and its history go with the commit: nothing reads them back before
    await writeAtCommit(
      trx,
      trx.insertInto('bookings').values({
        id,
        no,
        consumerOrgId: actor.org!.id,
        providerOrgId: p.providerOrgId,
        applicantId: actor.userId,
        state: 'draft',
        version: 1,
        ...formColumns(f),
        liabilityText: null,
        liabilityAcceptedAt: null,
        plannedTestDate: null,
        declineReason: null,
        otherFeeFen: 0,
        otherFeeNote: null,
        totalFeeFen: 0,
        resultNote: null,
        searchText: text,
        createdAt: now,
        updatedAt: now,
        submittedAt: null,
        acceptedAt: null,
        resultsAt: null,
        completedAt: null,
        hasOtherSubsidy: null,
      }),
    );
    await writeItems(trx, id, f, p.rows);
    await writeAtCommit(
      trx,
      trx.insertInto('bookingEvents').values({
        id: newId(),
        bookingId: id,
        actorId: actor.userId,
        actorName: actor.realName,
        orgId: actor.org!.id,
        orgName: actor.org!.name,
        action: 'create',
        fromState: null,
        toState: 'draft',
        comment: null,
        at: now,
      }),
    );
    await record(trx, ctx, {
      action: 'booking.create',
      subjectKind: KIND,
      subjectId: id,
      toState: 'draft',
      orgId: actor.org!.id,
      detail: { no },
    });
    return saveReply({ id, no, state: 'draft', version: 1 });
  });
}

/** 保存 of a draft: the form again, instruments included (still of one organisation). */
export async function update(deps: Deps, req: FastifyRequest, id: string, f: BookingFieldsT) {
  const ctx = auditCtx(deps, req);
  const { row } = await loadVisible(deps, req, id);
  dateErrors(f);
  const p = await pickInstruments(
    deps.database.db,
    f.instruments.map((i) => i.instrumentId),
    row.consumerOrgId,
  );
  return deps.database.db.transaction().execute(async (trx) => {
    const d = await decide(trx, req.actor, id, 'save');
    const set = {
      ...formColumns(f),
      providerOrgId: p.providerOrgId,
      searchText: await searchText(
        trx,
        d.row.no,
        [
          { id: d.row.consumerOrgId, name: req.actor?.org?.id === d.row.consumerOrgId ? req.actor.org.name : null },
          { id: p.providerOrgId, name: p.providerName },
        ],
        p.rows.map((r) => r.name),
        f,
      ),
    };
    const next = await apply(deps, trx, ctx, d.row, { action: 'save', to: 'draft', set, tell: null });
    await writeItems(trx, id, f, p.rows);
    return saveReply(next);
  });
}

/** 删除 of a draft, with its items and history; the number is not reused. */
export async function remove(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  await inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'delete');
    const res = await trx
      .deleteFrom('bookings')
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .where('version', '=', d.row.version)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw conflict('BOOKING_CHANGED', '预约单已变化，请刷新后重试');
    await record(trx, ctx, {
      action: 'booking.delete',
      subjectKind: KIND,
      subjectId: id,
      fromState: 'draft',
      orgId: d.row.consumerOrgId,
      detail: { no: d.row.no },
    });
  });
  return { ok: true as const };
}

/** The stored form, in the shape the submit check reads. */
async function draftOf(trx: Db, row: BookingRow) {
  const items = await trx
    .selectFrom('bookingItems')
    .select(['instrumentId', 'testItems'])
    .where('bookingId', '=', row.id)
    .orderBy('sort')
    .execute();
  const samples = (
    typeof row.samplesJson === 'string' ? JSON.parse(row.samplesJson) : (row.samplesJson ?? [])
  ) as BookingFieldsT['samples'];
  return {
    items,
    draft: {
      instruments: items,
      samples: samples.map((s) => ({
        name: s.name,
        quantity: s.quantity ?? null,
        unit: s.unit ?? null,
        form: s.form ?? null,
        hazards: s.hazards ?? null,
        disposal: s.disposal ?? null,
      })),
      purpose: row.purpose,
      expectedFrom: row.expectedFrom,
      expectedTo: row.expectedTo,
      projectName: row.projectName,
      projectSource: row.projectSource,
      contactName: row.contactName,
      contactPhone: row.contactPhone,
    },
  };
}

/** 提交: the form must be complete, the instruments still bookable, and the 责任说明 accepted; → 待受理. */
export async function submit(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'submit');
    const text = await liabilityText(trx);
    const { items, draft } = await draftOf(trx, d.row);
    const missing = missingForSubmit(draft, shanghaiDate(ctx.now));
    if (Object.keys(missing).length) {
      const names = [
        ...new Set(
          Object.keys(missing).map(
            (k) =>
              BOOKING_FIELD_LABELS[k.replace(/^(\w+)\.\d+\.(\w+)$/, '$2') as keyof typeof BOOKING_FIELD_LABELS] ??
              BOOKING_FIELD_LABELS[k.split('.')[0] as keyof typeof BOOKING_FIELD_LABELS] ??
              k,
          ),
        ),
      ];
      throw badInput('BOOKING_INCOMPLETE', `请完善以下信息后再提交：${names.join('、')}`, missing);
    }
    await pickInstruments(
      trx,
      items.map((i) => i.instrumentId),
      d.row.consumerOrgId,
    );
    const names = await instrumentNames(trx, id);
    const consumer = await trx
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', d.row.consumerOrgId)
      .executeTakeFirstOrThrow();
    const next = await apply(deps, trx, ctx, d.row, {
      action: 'submit',
      to: 'submitted',
      set: { liabilityText: text, liabilityAcceptedAt: ctx.now.toISOString(), submittedAt: ctx.now.toISOString() },
      tell: {
        title: `新的预约申请 ${d.row.no}`,
        body: `${consumer.name}提交了预约单 ${d.row.no}（${names}），请及时受理。`,
      },
    });
    return saveReply(next);
  });
}

async function instrumentNames(trx: Db, bookingId: string): Promise<string> {
  const rows = await trx
    .selectFrom('bookingItems')
    .innerJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
    .select('instruments.name')
    .where('bookingItems.bookingId', '=', bookingId)
    .orderBy('bookingItems.sort')
    .execute();
  return rows.map((r) => r.name).join('、');
}

/** 撤回: the consumer takes back a booking the provider has not accepted yet. */
export async function withdraw(deps: Deps, req: FastifyRequest, id: string, comment: string | null) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'withdraw');
    return saveReply(
      await apply(deps, trx, ctx, d.row, {
        action: 'withdraw',
        to: 'withdrawn',
        comment: clean(comment),
        tell: {
          title: `预约单已撤回 ${d.row.no}`,
          body: `委托方已撤回预约单 ${d.row.no}${clean(comment) ? `，说明：${clean(comment)}` : ''}。`,
        },
      }),
    );
  });
}

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
  const items = await trx.selectFrom('bookingItems').select(['instrumentId']).where('bookingId', '=', row.id).execute();
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
  return { lines, total };
}

async function writeResults(trx: Db, row: BookingRow, lines: Awaited<ReturnType<typeof resultsSet>>['lines']) {
  for (const l of lines) {
    await trx
      .updateTable('bookingItems')
      .set({
        resultText: clean(l.resultText),
        machineHours: l.machineHours ?? null,
        feesJson: JSON.stringify(l.fees),
        subtotalFen: l.subtotalFen,
      })
      .where('bookingId', '=', row.id)
      .where('instrumentId', '=', l.instrumentId)
      .execute();
  }
}

/** 检测结果登记 → 保存 (stays 待测试) or 提交 (→ 待结算). A form loaded before another tab's save is refused. */
export async function saveResults(deps: Deps, req: FastifyRequest, id: string, b: ResultsBodyT, andSubmit: boolean) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, andSubmit ? 'submit_results' : 'save_results', b.version);
    const { lines, total } = await resultsSet(trx, d.row, b);
    if (andSubmit) {
      const all = await trx
        .selectFrom('bookingItems')
        .select(['instrumentId'])
        .where('bookingId', '=', id)
        .orderBy('sort')
        .execute();
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
  const slotFull = async (db: Db) => {
    const have = await db
      .selectFrom('bookingFiles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('bookingId', '=', id)
      .where('slot', '=', slot)
      .executeTakeFirst();
    if (Number(have?.n ?? 0) >= MAX_FILES_PER_SLOT)
      throw ruleBroken('TOO_MANY_FILES', `${SLOT_LABEL[slot]}最多上传 ${MAX_FILES_PER_SLOT} 个文件`, {
        file: `最多 ${MAX_FILES_PER_SLOT} 个`,
      });
  };
  await slotFull(deps.database.db);
  const orgId = req.actor!.org!.id;
  const stored = await files.storeUpload(deps, req, {
    purpose: FILE_PURPOSE,
    orgId,
    allowed: ['document', 'image'],
    maxBytes: BOOKING_FILE_MAX_BYTES,
  });
  const ctx = auditCtx(deps, req);
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      // parallel uploads (a multi-file picker) are counted again under the booking's row lock
      await decide(trx, req.actor, id, SLOT_ACTION[slot], undefined, true);
      await slotFull(trx);
      await trx
        .insertInto('bookingFiles')
        .values({ bookingId: id, fileId: stored.id, slot, createdAt: ctx.now.toISOString() })
        .execute();
      await record(trx, ctx, {
        action: 'booking.file.add',
        subjectKind: KIND,
        subjectId: id,
        orgId,
        detail: { slot, fileId: stored.id, name: stored.name },
      });
    });
  } catch (e) {
    await files.discard(deps, stored.id);
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
