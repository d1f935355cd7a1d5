/**
 * Redemption claims (兑付申请): filed at settlement inside the booking's transaction, reviewed through the one review
 * mechanism (provincial: city bureau then province; municipal: city bureau), returned for more material and
 * resubmitted, rejected (releasing the reserved amount), or approved and later paid out in a batch.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BOOKING_STATE_LABEL } from '../../../domain/booking';
import { DomainError, notFound, ruleBroken } from '../../../domain/errors';
import { shanghaiDate } from '../../../domain/instrument';
import { formatYuan } from '../../../domain/money';
import { cityName } from '../../../domain/reference';
import {
  capYear,
  CLAIM_DOCUMENTS,
  CLAIM_STATE_LABEL,
  claimStateOf,
  formatClaimNo,
  missingDocuments,
  quote,
  VOUCHER_KIND_LABEL,
  type ClaimState,
  type VoucherConsumer,
  type VoucherKind,
  type VoucherPart,
  type VoucherQuote,
  type YearUsage,
} from '../../../domain/voucher';
import type { Db } from '../../db/connect';
import { nextInSeries } from '../../db/counters';
import { newId } from '../../db/ids';
import type { BookingsTable, VoucherClaimsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record, type AuditContext } from '../audit/service';
import * as files from '../files/service';
import { notify } from '../messages/service';
import * as reviews from '../reviews/service';
import type { ReviewSubject } from '../reviews/subjects';
import { lockedUsage, release, reserve, usage } from './ledger';
import { policyOn } from './policy';
import { contains } from '../../db/like';

export const KIND = 'voucher_claim';
type Claim = VoucherClaimsTable;
type Booking = BookingsTable;

export interface Choice {
  otherSubsidy: boolean;
  provincial: boolean;
  municipal: boolean;
}

async function consumerFacts(db: Db, orgId: string): Promise<VoucherConsumer & { name: string }> {
  const o = await db
    .selectFrom('organizations')
    .leftJoin('cities', 'cities.code', 'organizations.cityCode')
    .select([
      'organizations.name',
      'organizations.cityCode',
      'organizations.district',
      'organizations.type',
      'organizations.isSmallMicro',
      'organizations.isVoucherApplicant',
      'cities.isInProvince',
    ])
    .where('organizations.id', '=', orgId)
    .executeTakeFirstOrThrow();
  return {
    name: o.name,
    cityCode: o.cityCode,
    district: o.district,
    type: o.type,
    isSmallMicro: o.isSmallMicro == null ? null : !!o.isSmallMicro,
    isVoucherApplicant: o.isVoucherApplicant == null ? null : !!o.isVoucherApplicant,
    isInProvince: !!o.isInProvince,
  };
}

const providerCity = async (db: Db, orgId: string) =>
  (await db.selectFrom('organizations').select('cityCode').where('id', '=', orgId).executeTakeFirstOrThrow()).cityCode;

/** The slots of a booking's files that a claim needs (invoice and report come from the settlement). */
export const CLAIM_SLOTS = ['contract', 'result_proof', 'relevance_proof'] as const;

async function slotsOf(db: Db, bookingId: string): Promise<Set<string>> {
  return new Set(
    (await db.selectFrom('bookingFiles').select('slot').where('bookingId', '=', bookingId).execute()).map(
      (r) => r.slot,
    ),
  );
}

/** The voucher section for a booking waiting for settlement: parts, amounts, caps and the documents. */
export async function quoteFor(
  db: Db,
  b: Booking,
  choice: Choice,
  now: Date,
  locked?: YearUsage,
): Promise<{ quote: VoucherQuote; policyId: string; year: number; consumer: VoucherConsumer & { name: string } }> {
  const policy = await policyOn(db, shanghaiDate(now));
  const year = capYear(now);
  const consumer = await consumerFacts(db, b.consumerOrgId);
  const q = quote({
    feeFen: Number(b.totalFeeFen),
    policy: policy.policy,
    consumer,
    providerCity: await providerCity(db, b.providerOrgId),
    usage: locked ?? (await usage(db, b.consumerOrgId, year)),
    otherSubsidy: choice.otherSubsidy,
    choose: { provincial: choice.provincial, municipal: choice.municipal },
  });
  return { quote: q, policyId: policy.id, year, consumer };
}

export async function quoteView(db: Db, b: Booking, choice: Choice, now: Date) {
  const { quote: q, policyId, year } = await quoteFor(db, b, choice, now);
  const have = await slotsOf(db, b.id);
  const part = (p: VoucherQuote['provincial']) => ({ ...p, label: VOUCHER_KIND_LABEL[p.kind] });
  return {
    show: q.show,
    feeFen: q.feeFen,
    selfPayFen: q.selfPayFen,
    year,
    policyId,
    provincial: part(q.provincial),
    municipal: q.municipal ? part(q.municipal) : null,
    documents: (['report', 'invoice', ...CLAIM_SLOTS] as const).map((slot) => ({
      slot,
      label: CLAIM_DOCUMENTS[slot],
      uploaded: have.has(slot),
    })),
  };
}

const refuse = (code: string, message: string, fields: Record<string, string>) =>
  new DomainError(422, code, message, fields);

async function departmentsFor(db: Db, kind: VoucherKind, cityCode: string): Promise<string[]> {
  const city = await db
    .selectFrom('departments')
    .select('id')
    .where('level', '=', 'city')
    .where('cityCode', '=', cityCode)
    .executeTakeFirst();
  const province = await db
    .selectFrom('departments')
    .select('id')
    .where('level', '=', 'province')
    .executeTakeFirstOrThrow();
  const first = city?.id ?? province.id;
  return kind === 'provincial' && first !== province.id ? [first, province.id] : [first];
}

/**
 * At 结算, in the booking's transaction: checks the choice against the rules (whatever the client computed), locks
 * the enterprise's year, files one claim per chosen part, reserves the amounts and opens the reviews.
 */
export async function fileClaims(
  deps: Deps,
  trx: Db,
  ctx: AuditContext,
  b: Booking,
  choice: Choice | null | undefined,
): Promise<Claim[]> {
  if (!choice || (!choice.provincial && !choice.municipal)) return [];
  const year = capYear(ctx.now);
  const locked = await lockedUsage(trx, b.consumerOrgId, year);
  const { quote: q, policyId, consumer } = await quoteFor(trx, b, choice, ctx.now, locked);
  if (choice.municipal && !q.municipal)
    throw refuse('VOUCHER_NOT_AVAILABLE', '所在地市未开通市级创新券', { 'voucher.municipal': '未开通' });
  const parts: VoucherPart[] = [
    ...(choice.provincial ? [q.provincial] : []),
    ...(choice.municipal && q.municipal ? [q.municipal] : []),
  ];
  for (const p of parts) {
    if (!p.eligible)
      throw refuse('VOUCHER_NOT_ELIGIBLE', `不能申请${VOUCHER_KIND_LABEL[p.kind]}：${p.problems.join('；')}`, {
        [`voucher.${p.kind}`]: p.problems.join('；'),
      });
    if (p.amountFen <= 0)
      throw refuse(
        'VOUCHER_NOTHING_LEFT',
        `${VOUCHER_KIND_LABEL[p.kind]}本年度可用额度已用完或服务费用为零，不能申请`,
        { [`voucher.${p.kind}`]: '可用额度为零' },
      );
  }
  const missing = missingDocuments(await slotsOf(trx, b.id));
  if (missing.length) {
    throw refuse(
      'CLAIM_DOCUMENTS_MISSING',
      `申请创新券须上传：${missing.map((d) => CLAIM_DOCUMENTS[d]).join('、')}`,
      Object.fromEntries(missing.map((d) => [d, `请上传${CLAIM_DOCUMENTS[d]}`])),
    );
  }
  const out: Claim[] = [];
  const now = ctx.now.toISOString();
  for (const p of parts) {
    const no = formatClaimNo(
      year,
      p.kind,
      await nextInSeries(trx, `claim:${year}:${p.kind === 'provincial' ? 'P' : 'M'}`),
    );
    const claim: Claim = {
      id: newId(),
      no,
      kind: p.kind,
      bookingId: b.id,
      consumerOrgId: b.consumerOrgId,
      providerOrgId: b.providerOrgId,
      cityCode: consumer.cityCode,
      policyId,
      year,
      feeFen: Number(b.totalFeeFen),
      rateBp: p.rateBp,
      amountFen: p.amountFen,
      reviewId: null,
      verifyCode: crypto.randomBytes(12).toString('base64url'),
      batchId: null,
      isReleased: false,
      createdAt: now,
      approvedAt: null,
      paidAt: null,
    };
    await trx.insertInto('voucherClaims').values(claim).execute();
    await reserve(trx, b.consumerOrgId, year, p.kind, p.amountFen);
    const reviewId = await reviews.submit(trx, ctx, {
      kind: KIND,
      subjectId: claim.id,
      orgId: b.consumerOrgId,
      title: `${VOUCHER_KIND_LABEL[p.kind]}兑付：${consumer.name} ${no}（${formatYuan(p.amountFen)}）`,
      departments: await departmentsFor(trx, p.kind, consumer.cityCode),
      canReturn: true,
    });
    await trx.updateTable('voucherClaims').set({ reviewId }).where('id', '=', claim.id).execute();
    await record(trx, ctx, {
      action: 'voucher.claim.file',
      subjectKind: KIND,
      subjectId: claim.id,
      toState: 'city_review',
      orgId: b.consumerOrgId,
      detail: { no, kind: p.kind, amountFen: p.amountFen, bookingNo: b.no },
    });
    out.push({ ...claim, reviewId });
  }
  return out;
}

// ------------------------------------------------------------------ reading

interface ClaimRow extends Claim {
  bookingNo: string;
  consumerName: string;
  providerName: string;
  reviewState: 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn';
  reviewLevel: number;
  reason: string | null;
  applicantId: string;
}

function claimRows(db: Db) {
  return db
    .selectFrom('voucherClaims')
    .innerJoin('bookings', 'bookings.id', 'voucherClaims.bookingId')
    .innerJoin('organizations as c', 'c.id', 'voucherClaims.consumerOrgId')
    .innerJoin('organizations as p', 'p.id', 'voucherClaims.providerOrgId')
    .innerJoin('reviews', 'reviews.id', 'voucherClaims.reviewId')
    .selectAll('voucherClaims')
    .select([
      'bookings.no as bookingNo',
      'bookings.applicantId',
      'c.name as consumerName',
      'p.name as providerName',
      'reviews.state as reviewState',
      'reviews.level as reviewLevel',
      'reviews.reason',
    ]);
}

export const stateOf = (r: Pick<ClaimRow, 'reviewState' | 'reviewLevel' | 'paidAt'>): ClaimState =>
  claimStateOf({ state: r.reviewState, level: r.reviewLevel }, !!r.paidAt);

const STAGE: Record<ClaimState, string> = {
  city_review: '市科技局审核',
  province_review: '省科技厅审核',
  returned: '企业补充材料',
  approved: '待兑付',
  rejected: '流程结束（不予兑付）',
  paid: '流程结束（已兑付）',
};

/** May this person act on the claim (补充材料, 重新提交): the booking's applicant or an admin of the consumer. */
const mayAct = (actor: Actor | null, r: { consumerOrgId: string; applicantId: string }) =>
  actor?.kind === 'person' &&
  actor.org?.id === r.consumerOrgId &&
  (actor.userId === r.applicantId || actor.org.role === 'admin' || actor.org.role === 'legal');

function item(actor: Actor | null, r: ClaimRow) {
  const state = stateOf(r);
  const act = mayAct(actor, r);
  return {
    id: r.id,
    no: r.no,
    kind: r.kind,
    kindLabel: VOUCHER_KIND_LABEL[r.kind],
    state,
    stateLabel: CLAIM_STATE_LABEL[state],
    stage: STAGE[state],
    bookingId: r.bookingId,
    bookingNo: r.bookingNo,
    consumerName: r.consumerName,
    providerName: r.providerName,
    cityName: cityName(r.cityCode),
    feeFen: Number(r.feeFen),
    rateBp: r.rateBp,
    amountFen: Number(r.amountFen),
    reason: state === 'returned' || state === 'rejected' ? r.reason : null,
    createdAt: r.createdAt,
    approvedAt: r.approvedAt,
    paidAt: r.paidAt,
    actions: [...(state === 'returned' && act ? ['upload' as const, 'resubmit' as const] : []), 'print' as const],
  };
}

/** 我的创新券: the consumer organisation's claims. */
export async function mine(
  db: Db,
  actor: Actor,
  q: { page: number; pageSize: number; state?: ClaimState; q?: string },
) {
  let base = claimRows(db).where('voucherClaims.consumerOrgId', '=', actor.org!.id);
  if (q.q)
    base = base.where((eb) =>
      eb.or([
        contains(eb.ref('voucherClaims.no'), q.q!),
        contains(eb.ref('bookings.no'), q.q!),
        contains(eb.ref('p.name'), q.q!),
      ]),
    );
  // the state is derived from the review, so it is filtered after reading (an organisation has few claims)
  const rows = (await base
    .orderBy('voucherClaims.createdAt', 'desc')
    .orderBy('voucherClaims.id', 'desc')
    .execute()) as ClaimRow[];
  const all = rows.map((r) => item(actor, r)).filter((i) => !q.state || i.state === q.state);
  return {
    items: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
    total: all.length,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/**
 * Who may see a claim: members of the consumer organisation; the departments of its review levels; the province.
 * The provider sees the booking but not the consumer's claim. Everyone else: 404.
 */
export function maySeeClaim(actor: Actor | null, r: { consumerOrgId: string }, levels: string[]): boolean {
  if (!actor) return false;
  if (actor.kind === 'person') return actor.org?.id === r.consumerOrgId;
  if (actor.kind === 'department')
    return actor.department?.level === 'province' || levels.includes(actor.department!.id);
  return false;
}

async function load(db: Db, actor: Actor | null, id: string): Promise<ClaimRow> {
  const r = (await claimRows(db).select('reviews.levelsJson').where('voucherClaims.id', '=', id).executeTakeFirst()) as
    (ClaimRow & { levelsJson: unknown }) | undefined;
  if (!r) throw notFound('兑付申请');
  const levels = (typeof r.levelsJson === 'string' ? JSON.parse(r.levelsJson) : r.levelsJson) as string[];
  if (!maySeeClaim(actor, r, levels)) throw notFound('兑付申请');
  return r;
}

export async function detail(deps: Deps, actor: Actor | null, id: string) {
  return detailOf(deps, actor, await load(deps.database.db, actor, id));
}

/** The claim page of a claim already loaded (and, when loaded for a caller, already checked). */
async function detailOf(deps: Deps, actor: Actor | null, r: ClaimRow) {
  const { db } = deps.database;
  const [instruments, links, history, policy, fee] = await Promise.all([
    db
      .selectFrom('bookingItems')
      .innerJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
      .select('instruments.name')
      .where('bookingItems.bookingId', '=', r.bookingId)
      .orderBy('bookingItems.sort')
      .execute(),
    db
      .selectFrom('bookingFiles')
      .innerJoin('files', 'files.id', 'bookingFiles.fileId')
      .select(['bookingFiles.slot', 'files.id', 'files.originalName', 'files.mime', 'files.size', 'files.thumbKey'])
      .where('bookingFiles.bookingId', '=', r.bookingId)
      .orderBy('bookingFiles.createdAt')
      .execute(),
    reviews.history(db, KIND, r.id),
    db.selectFrom('voucherPolicies').select('effectiveFrom').where('id', '=', r.policyId).executeTakeFirstOrThrow(),
    db
      .selectFrom('voucherClaims')
      .select((eb) => eb.fn.sum<number>('amountFen').as('s'))
      .where('bookingId', '=', r.bookingId)
      .where('isReleased', '=', false)
      .executeTakeFirst(),
  ]);
  const have = new Set(links.map((l) => l.slot));
  return {
    ...item(actor, r),
    instruments: instruments.map((i) => i.name),
    selfPayFen: Number(r.feeFen) - Number(fee?.s ?? 0),
    policyEffectiveFrom: policy.effectiveFrom,
    year: r.year,
    verifyUrl: `${deps.config.PUBLIC_URL}/verify/${r.verifyCode}`,
    documents: (Object.keys(CLAIM_DOCUMENTS) as (keyof typeof CLAIM_DOCUMENTS)[]).map((slot) => ({
      slot,
      label: CLAIM_DOCUMENTS[slot],
      files: links.filter((l) => l.slot === slot).map((l) => files.toStored(l)),
    })),
    missing: missingDocuments(have).map((d) => CLAIM_DOCUMENTS[d]),
    history: history.map((h) => ({ ...h, departmentName: h.departmentName ?? null })),
  };
}

// ------------------------------------------------------------------ 补充材料 and 重新提交

async function loadReturned(deps: Deps, req: FastifyRequest, id: string) {
  const r = await load(deps.database.db, req.actor, id);
  if (!mayAct(req.actor, r)) throw new DomainError(403, 'FORBIDDEN', '只有预约申请人或本单位管理员可以补充材料');
  if (stateOf(r) !== 'returned')
    throw new DomainError(
      409,
      'CLAIM_WRONG_STATE',
      `兑付申请当前为「${CLAIM_STATE_LABEL[stateOf(r)]}」，只有被退回的申请可以补充材料`,
      undefined,
      { state: stateOf(r) },
    );
  return r;
}

/** 补充材料: a document added to the claim's booking while the claim is returned. */
export async function addDocument(deps: Deps, req: FastifyRequest, id: string, slot: keyof typeof CLAIM_DOCUMENTS) {
  const r = await loadReturned(deps, req, id);
  const stored = await files.storeUpload(deps, req, {
    purpose: 'booking_file',
    orgId: r.consumerOrgId,
    allowed: ['document', 'image'],
    maxBytes: 20 * 1024 * 1024,
  });
  const ctx = auditCtx(deps, req);
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('bookingFiles')
      .values({ bookingId: r.bookingId, fileId: stored.id, slot, createdAt: ctx.now.toISOString() })
      .execute();
    await record(trx, ctx, {
      action: 'voucher.claim.document',
      subjectKind: KIND,
      subjectId: id,
      orgId: r.consumerOrgId,
      detail: { slot, fileId: stored.id, name: stored.name },
    });
  });
  const { row: _row, ...out } = stored;
  return out;
}

export async function removeDocument(deps: Deps, req: FastifyRequest, id: string, fileId: string) {
  const r = await loadReturned(deps, req, id);
  const ctx = auditCtx(deps, req);
  const keys = await deps.database.db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('bookingFiles')
      .select('slot')
      .where('bookingId', '=', r.bookingId)
      .where('fileId', '=', fileId)
      .executeTakeFirst();
    if (!link) throw notFound('文件');
    await trx.deleteFrom('bookingFiles').where('bookingId', '=', r.bookingId).where('fileId', '=', fileId).execute();
    await record(trx, ctx, {
      action: 'voucher.claim.document.remove',
      subjectKind: KIND,
      subjectId: id,
      orgId: r.consumerOrgId,
      detail: { slot: link.slot, fileId },
    });
    return files.deleteRows(trx, [fileId]);
  });
  await files.removeStored(deps, keys);
  return { ok: true as const };
}

/** 重新提交: every document present; back to the level that returned it. */
export async function resubmit(deps: Deps, req: FastifyRequest, id: string) {
  const r = await loadReturned(deps, req, id);
  const missing = missingDocuments(await slotsOf(deps.database.db, r.bookingId));
  if (missing.length)
    throw ruleBroken(
      'CLAIM_DOCUMENTS_MISSING',
      `请先上传：${missing.map((d) => CLAIM_DOCUMENTS[d]).join('、')}`,
      Object.fromEntries(missing.map((d) => [d, `请上传${CLAIM_DOCUMENTS[d]}`])),
    );
  const ctx = auditCtx(deps, req);
  await deps.database.db.transaction().execute((trx) => reviews.resubmit(trx, ctx, KIND, id));
  return detail(deps, req.actor, id);
}

// ------------------------------------------------------------------ the review subject

async function tellConsumer(deps: Deps, trx: Db, claimId: string, title: string, body: string) {
  const c = await trx
    .selectFrom('voucherClaims')
    .innerJoin('bookings', 'bookings.id', 'voucherClaims.bookingId')
    .select(['voucherClaims.consumerOrgId', 'bookings.applicantId'])
    .where('voucherClaims.id', '=', claimId)
    .executeTakeFirstOrThrow();
  await notify(
    deps,
    trx,
    { users: [c.applicantId], adminsOf: c.consumerOrgId },
    {
      title,
      body,
      link: `/member/vouchers/${claimId}`,
      subjectKind: KIND,
      subjectId: claimId,
    },
  );
}

export function claimSubject(deps: Deps): ReviewSubject {
  const get = (trx: Db, id: string) =>
    trx.selectFrom('voucherClaims').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return {
    kind: KIND,
    label: '创新券兑付',
    async onApproved(trx, id, ctx) {
      const c = await get(trx, id);
      await trx.updateTable('voucherClaims').set({ approvedAt: ctx.now.toISOString() }).where('id', '=', id).execute();
      await tellConsumer(
        deps,
        trx,
        id,
        `创新券兑付审核通过 ${c.no}`,
        `您的${VOUCHER_KIND_LABEL[c.kind]}兑付申请 ${c.no}（${formatYuan(Number(c.amountFen))}）已审核通过，将在月度兑付批次中拨付。`,
      );
    },
    async onRejected(trx, id, reason, ctx) {
      const c = await get(trx, id);
      const res = await trx
        .updateTable('voucherClaims')
        .set({ isReleased: true })
        .where('id', '=', id)
        .where('isReleased', '=', false)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) await release(trx, c.consumerOrgId, c.year, c.kind, Number(c.amountFen));
      await record(trx, ctx, {
        action: 'voucher.claim.release',
        subjectKind: KIND,
        subjectId: id,
        orgId: c.consumerOrgId,
        detail: { amountFen: Number(c.amountFen), year: c.year },
      });
      await tellConsumer(
        deps,
        trx,
        id,
        `创新券不予兑付 ${c.no}`,
        `您的${VOUCHER_KIND_LABEL[c.kind]}兑付申请 ${c.no} 不予兑付，理由：${reason}。预留额度已释放。`,
      );
    },
    async onReturned(trx, id, reason) {
      const c = await get(trx, id);
      await tellConsumer(
        deps,
        trx,
        id,
        `创新券申请被退回 ${c.no}`,
        `您的${VOUCHER_KIND_LABEL[c.kind]}兑付申请 ${c.no} 被退回补充材料，原因：${reason}。请补充后重新提交。`,
      );
    },
    async describe(db, id) {
      // the reviews module has already checked that this department may see the review
      const r = (await claimRows(db).where('voucherClaims.id', '=', id).executeTakeFirstOrThrow()) as ClaimRow;
      const d = await detailOf(deps, null, r);
      const b = await db
        .selectFrom('bookings')
        .select(['state', 'purpose', 'projectName', 'completedAt'])
        .where('id', '=', r.bookingId)
        .executeTakeFirstOrThrow();
      return {
        claimId: r.id,
        claimNo: r.no,
        voucherKind: VOUCHER_KIND_LABEL[r.kind],
        consumerName: r.consumerName,
        providerName: r.providerName,
        cityName: cityName(r.cityCode),
        bookingNo: r.bookingNo,
        bookingState: BOOKING_STATE_LABEL[b.state],
        instruments: d.instruments.join('、'),
        purpose: b.purpose,
        projectName: b.projectName,
        feeFen: Number(r.feeFen),
        rateBp: r.rateBp,
        amountFen: Number(r.amountFen),
        selfPayFen: d.selfPayFen,
        policyEffectiveFrom: d.policyEffectiveFrom,
        settledAt: b.completedAt,
        documents: d.documents,
        missing: d.missing,
      };
    },
  };
}

/** Departments see a booking's files where a claim of theirs (or any claim, for the province) refers to the booking. */
export async function departmentMaySeeBooking(db: Db, actor: Actor | null, bookingIds: string[]): Promise<boolean> {
  if (actor?.kind !== 'department' || !bookingIds.length) return false;
  const rows = await db
    .selectFrom('voucherClaims')
    .innerJoin('reviews', 'reviews.id', 'voucherClaims.reviewId')
    .select(['voucherClaims.consumerOrgId', 'reviews.levelsJson'])
    .where('voucherClaims.bookingId', 'in', bookingIds)
    .execute();
  return rows.some((r) =>
    maySeeClaim(actor, r, (typeof r.levelsJson === 'string' ? JSON.parse(r.levelsJson) : r.levelsJson) as string[]),
  );
}
