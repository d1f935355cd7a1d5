/** Reading bookings: the form's start, the detail view, the two lists with counts, the Excel export. */
import { newWorkbook } from '../../platform/excel';
import type { FastifyRequest } from 'fastify';
import {
  availableActions,
  BOOKING_STATE_LABEL,
  BOOKING_STATES,
  bookingStep,
  type BookingAction,
  type BookingState,
  type Party,
} from '../../../domain/booking';
import { isBookable } from '../../../domain/instrument';
import { cityName } from '../../../domain/reference';
import type { BookingViewT } from '../../../contracts/bookings';
import type { Db } from '../../db/connect';
import { contains } from '../../db/like';
import { readTogether } from '../../db/pg-trips';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import * as files from '../files/service';
import { actorOf, visibleTo } from './access';
import { pickInstruments } from './picking';
import { liabilityText } from './liability';
import { actionLabel } from './transition';

const parse = <T>(v: unknown, d: T): T => (v == null ? d : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

async function orgBrief(db: Db, id: string) {
  const o = await db
    .selectFrom('organizations')
    .select(['id', 'name', 'cityCode'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { id: o.id, name: o.name, cityName: cityName(o.cityCode) };
}

/** 立即预约: the instruments asked for (one organisation, bookable), the 责任说明 and the caller's contact details. */
export async function start(deps: Deps, actor: Actor, raw: string) {
  const { db } = deps.database;
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 20);
  const p = await pickInstruments(db, ids, actor.org!.id);
  const rows = await db
    .selectFrom('instruments')
    .innerJoin('categories', 'categories.code', 'instruments.categoryCode')
    .select([
      'instruments.id',
      'instruments.name',
      'instruments.model',
      'instruments.feeStandard',
      'instruments.state',
      'instruments.isDisabled',
      'categories.name as categoryName',
    ])
    .where(
      'instruments.id',
      'in',
      p.rows.map((r) => r.id),
    )
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const me = await db
    .selectFrom('users')
    .select(['realName', 'mobile', 'email'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  return {
    provider: await orgBrief(db, p.providerOrgId),
    instruments: p.rows.map((r) => {
      const i = byId.get(r.id)!;
      return {
        instrumentId: i.id,
        name: i.name,
        model: i.model,
        categoryName: i.categoryName,
        feeStandard: i.feeStandard,
        isBookable: isBookable(i.state, !!i.isDisabled),
      };
    }),
    liabilityText: await liabilityText(db),
    contact: { name: me.realName, phone: me.mobile, email: me.email },
  };
}

const stored = (f: { id: string; originalName: string; mime: string; size: number; thumbKey: string | null }) =>
  files.toStored(f);

/** The booking page: everything both parties may see, the actions the caller may take now, and the history. */
export async function view(deps: Deps, req: FastifyRequest, id: string): Promise<BookingViewT> {
  const { db } = deps.database;
  // the booking with its parties, and what hangs off it, in one trip (PostgreSQL); who may see it is decided after
  const [[row], items, links, events, [rating]] = await readTogether(db, [
    db
      .selectFrom('bookings')
      .innerJoin('users', 'users.id', 'bookings.applicantId')
      .innerJoin('organizations as c', 'c.id', 'bookings.consumerOrgId')
      .innerJoin('organizations as p', 'p.id', 'bookings.providerOrgId')
      .selectAll('bookings')
      .select([
        'users.realName as applicantName',
        'c.name as consumerName',
        'c.cityCode as consumerCity',
        'p.name as providerName',
        'p.cityCode as providerCity',
      ])
      .where('bookings.id', '=', id),
    db
      .selectFrom('bookingItems')
      .innerJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
      .innerJoin('categories', 'categories.code', 'instruments.categoryCode')
      .select([
        'bookingItems.instrumentId',
        'instruments.name',
        'instruments.model',
        'instruments.feeStandard',
        'instruments.state',
        'instruments.isDisabled',
        'categories.name as categoryName',
        'bookingItems.testItems',
        'bookingItems.resultText',
        'bookingItems.machineHours',
        'bookingItems.feesJson',
        'bookingItems.subtotalFen',
      ])
      .where('bookingItems.bookingId', '=', id)
      .orderBy('bookingItems.sort'),
    db
      .selectFrom('bookingFiles')
      .innerJoin('files', 'files.id', 'bookingFiles.fileId')
      .select(['bookingFiles.slot', 'files.id', 'files.originalName', 'files.mime', 'files.size', 'files.thumbKey'])
      .where('bookingFiles.bookingId', '=', id)
      .orderBy('bookingFiles.createdAt'),
    db.selectFrom('bookingEvents').selectAll().where('bookingId', '=', id).orderBy('at').orderBy('id'),
    db.selectFrom('bookingRatings').select(['stars', 'comment', 'createdAt']).where('bookingId', '=', id),
  ] as const);
  const who = await visibleTo(deps, req, id, row);
  const consumer = { id: row.consumerOrgId, name: row.consumerName, cityName: cityName(row.consumerCity) };
  const provider = { id: row.providerOrgId, name: row.providerName, cityName: cityName(row.providerCity) };
  const applicant = { id: row.applicantId, realName: row.applicantName };
  let actions: BookingAction[] = availableActions(row.state, who);
  if (rating) actions = actions.filter((a) => a !== 'rate');
  const slot = (s: string) => links.filter((l) => l.slot === s).map(stored);
  return {
    id: row.id,
    no: row.no,
    state: row.state,
    stateLabel: BOOKING_STATE_LABEL[row.state],
    step: bookingStep(row.state),
    version: row.version,
    party: who.party as Party,
    actions,
    consumer,
    provider,
    applicant: { id: applicant.id, name: applicant.realName },
    instruments: items.map((i) => ({
      instrumentId: i.instrumentId,
      name: i.name,
      model: i.model,
      categoryName: i.categoryName,
      isBookable: isBookable(i.state, !!i.isDisabled),
      feeStandard: i.feeStandard,
      testItems: i.testItems,
      resultText: i.resultText,
      machineHours: i.machineHours == null ? null : Number(i.machineHours),
      fees: parse(i.feesJson, []),
      subtotalFen: Number(i.subtotalFen),
    })),
    samples: parse(row.samplesJson, []),
    purpose: row.purpose,
    expectedFrom: row.expectedFrom,
    expectedTo: row.expectedTo,
    projectName: row.projectName,
    projectNo: row.projectNo,
    projectSource: row.projectSource,
    projectFundingFen: row.projectFundingFen == null ? null : Number(row.projectFundingFen),
    contactName: row.contactName,
    contactPhone: row.contactPhone,
    contactEmail: row.contactEmail,
    remark: row.remark,
    liabilityText: row.liabilityText,
    liabilityAcceptedAt: row.liabilityAcceptedAt,
    plannedTestDate: row.plannedTestDate,
    declineReason: row.declineReason,
    otherFeeFen: Number(row.otherFeeFen),
    otherFeeNote: row.otherFeeNote,
    totalFeeFen: Number(row.totalFeeFen),
    resultNote: row.resultNote,
    files: {
      result_report: slot('result_report'),
      report: slot('report'),
      invoice: slot('invoice'),
      contract: slot('contract'),
      result_proof: slot('result_proof'),
      relevance_proof: slot('relevance_proof'),
    },
    rating: rating ? { stars: rating.stars, comment: rating.comment, createdAt: rating.createdAt } : null,
    createdAt: row.createdAt,
    submittedAt: row.submittedAt,
    acceptedAt: row.acceptedAt,
    resultsAt: row.resultsAt,
    completedAt: row.completedAt,
    history: events.map((e) => ({
      id: e.id,
      action: e.action,
      actionLabel: e.action === 'create' ? '创建预约单' : actionLabel(e.action),
      fromState: e.fromState,
      toState: e.toState,
      actorName: e.actorName,
      orgName: e.orgName,
      comment: e.comment,
      at: e.at,
    })),
  };
}

// ------------------------------------------------------------------ lists

export interface ListQuery {
  side: Party;
  state?: string;
  q?: string;
}

/** The caller's organisation's bookings on one side; the provider never sees the consumer's drafts. */
function scoped(db: Db, orgId: string, q: ListQuery) {
  let base = db
    .selectFrom('bookings')
    .where(q.side === 'consumer' ? 'bookings.consumerOrgId' : 'bookings.providerOrgId', '=', orgId);
  if (q.side === 'provider') base = base.where('bookings.state', '!=', 'draft');
  const term = q.q?.trim().toLowerCase();
  if (term) base = base.where((eb) => contains(eb.ref('bookings.searchText'), term));
  return base;
}

/** The statements of one page: its rows, and the instrument names of its bookings (both from the page's ids). */
function pageQueries(db: Db, actor: Actor, q: ListQuery, page: { limit: number; offset: number }) {
  const orgId = actor.org!.id;
  let base = scoped(db, orgId, q);
  if (q.state) base = base.where('bookings.state', '=', q.state as BookingState);
  // the page's ids from the list indexes alone (migration 202611291700_booking_indexes), so that a deep page skips
  // index entries, not joined rows; the joins are made for the page's rows only
  const ids = base
    .select('bookings.id')
    .orderBy('bookings.createdAt', 'desc')
    .orderBy('bookings.id', 'desc')
    .limit(page.limit)
    .offset(page.offset);
  const other = q.side === 'consumer' ? 'bookings.providerOrgId' : 'bookings.consumerOrgId';
  const rows = db
    .selectFrom('bookings')
    .where('bookings.id', 'in', ids)
    .innerJoin('organizations', 'organizations.id', other)
    .innerJoin('users', 'users.id', 'bookings.applicantId')
    .select([
      'bookings.id',
      'bookings.no',
      'bookings.state',
      'bookings.totalFeeFen',
      'bookings.createdAt',
      'bookings.submittedAt',
      'bookings.updatedAt',
      'bookings.completedAt',
      'bookings.consumerOrgId',
      'bookings.providerOrgId',
      'bookings.applicantId',
      'organizations.name as counterpartName',
      'users.realName as applicantName',
      (eb) =>
        eb
          .selectFrom('bookingRatings')
          .select('bookingRatings.stars')
          .whereRef('bookingRatings.bookingId', '=', 'bookings.id')
          .as('stars'),
    ])
    .orderBy('bookings.createdAt', 'desc')
    .orderBy('bookings.id', 'desc');
  const names = db
    .selectFrom('bookingItems')
    .innerJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
    .select(['bookingItems.bookingId', 'instruments.name'])
    .where('bookingItems.bookingId', 'in', ids)
    .orderBy('bookingItems.sort');
  return { rows, names };
}

type PageRows = Awaited<ReturnType<ReturnType<typeof pageQueries>['rows']['execute']>>;
type PageNames = Awaited<ReturnType<ReturnType<typeof pageQueries>['names']['execute']>>;

function listItems(actor: Actor, rows: PageRows, names: PageNames) {
  const byBooking = new Map<string, string[]>();
  for (const n of names) (byBooking.get(n.bookingId) ?? byBooking.set(n.bookingId, []).get(n.bookingId)!).push(n.name);
  return rows.map((r) => {
    let actions: BookingAction[] = availableActions(r.state, actorOf(actor, r));
    if (r.stars != null) actions = actions.filter((a) => a !== 'rate');
    return {
      id: r.id,
      no: r.no,
      state: r.state,
      stateLabel: BOOKING_STATE_LABEL[r.state],
      counterpartName: r.counterpartName,
      applicantName: r.applicantName,
      instrumentNames: byBooking.get(r.id) ?? [],
      totalFeeFen: Number(r.totalFeeFen),
      createdAt: r.createdAt,
      submittedAt: r.submittedAt,
      updatedAt: r.updatedAt,
      completedAt: r.completedAt,
      actions,
      rated: r.stars != null,
    };
  });
}

/** 我的预约 / 我的被预约: one page, the total of the tab, and the count of every tab (with the same search). */
export async function list(db: Db, actor: Actor, q: ListQuery & { page: number; pageSize: number }) {
  const orgId = actor.org!.id;
  const page = pageQueries(db, actor, q, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
  // the counts, the page and its names in one trip (PostgreSQL: one message on one connection)
  const [grouped, rows, names] = await readTogether(db, [
    scoped(db, orgId, q)
      .select(['bookings.state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('bookings.state'),
    page.rows,
    page.names,
  ] as const);
  const counts: Record<string, number> = { all: 0 };
  for (const s of BOOKING_STATES) if (q.side === 'consumer' || s !== 'draft') counts[s] = 0;
  for (const g of grouped) {
    counts[g.state] = Number(g.n);
    counts.all += Number(g.n);
  }
  const total = q.state ? (counts[q.state] ?? 0) : counts.all;
  return { items: listItems(actor, rows, names), total, page: q.page, pageSize: q.pageSize, counts };
}

export const EXPORT_LIMIT = 10_000;

/** 导出Excel: the rows of the list as filtered (at most 10,000), in an .xlsx. */
export async function exportXlsx(db: Db, actor: Actor, q: ListQuery): Promise<Buffer> {
  const page = pageQueries(db, actor, q, { limit: EXPORT_LIMIT, offset: 0 });
  const rows = listItems(actor, ...(await readTogether(db, [page.rows, page.names] as const)));
  const wb = await newWorkbook();
  const ws = wb.addWorksheet(q.side === 'consumer' ? '我的预约' : '我的被预约');
  ws.columns = [
    { header: '预约单号', key: 'no', width: 18 },
    { header: '状态', key: 'state', width: 10 },
    { header: q.side === 'consumer' ? '受托方（服务单位）' : '委托方（预约单位）', key: 'org', width: 30 },
    { header: '预约仪器', key: 'instruments', width: 40 },
    { header: '申请人', key: 'applicant', width: 12 },
    { header: '费用合计（元）', key: 'fee', width: 14, style: { numFmt: '#,##0.00' } },
    { header: '创建时间', key: 'created', width: 18 },
    { header: '提交时间', key: 'submitted', width: 18 },
    { header: '完成时间', key: 'completed', width: 18 },
  ];
  ws.getRow(1).font = { bold: true };
  const t = (s: string | null) =>
    s ? new Date(new Date(s).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '';
  for (const r of rows) {
    ws.addRow({
      no: r.no,
      state: r.stateLabel,
      org: r.counterpartName,
      instruments: r.instrumentNames.join('、'),
      applicant: r.applicantName,
      fee: r.totalFeeFen / 100,
      created: t(r.createdAt),
      submitted: t(r.submittedAt),
      completed: t(r.completedAt),
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
