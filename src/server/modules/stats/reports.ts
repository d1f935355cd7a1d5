/**
 * 年度开放共享评价: the department opens a round (year, scope, value threshold); the platform fills each
 * organisation's report with the computed figures in the structure of the three indicator groups; the organisation
 * adds the narrative parts and submits; the department reviews it through the one review mechanism and grades it
 * 优秀 / 良好 / 合格 / 较差 (the grade is given with the approval; an approval without a grade is refused).
 */
import type { FastifyRequest } from 'fastify';
import { badInput, conflict, DomainError, notFound } from '../../../domain/errors';
import { cityName } from '../../../domain/reference';
import { GRADE_LABEL, type Grade } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { SharingReportState, SharingReportsTable } from '../../db/types-stats';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record, type AuditContext } from '../audit/service';
import { notify } from '../messages/service';
import * as reviews from '../reviews/service';
import type { ReviewSubject } from '../reviews/subjects';
import { summary } from './queries';

export const REPORT_KIND = 'sharing_report';
export const REPORT_STATE_LABEL: Record<SharingReportState, string> = {
  draft: '待填报',
  pending: '待审核',
  returned: '已退回',
  graded: '已评级',
  rejected: '未通过',
};

/** The computed part of a report, in the three groups of the 2026 rules. */
export async function reportFigures(db: Db, orgId: string, year: number, thresholdFen: number) {
  const s = await summary(db, { kind: 'org', orgId }, { year, thresholdFen });
  return {
    organization: {
      declared: s.declared,
      listedAbove: s.listedAbove,
      openRateBp: s.openRateBp,
      instruments: s.instruments,
    },
    operation: {
      runHours: s.runHours,
      effectiveHours: s.effectiveHours,
      avgEffectiveHours: s.avgEffectiveHours,
      quotaHours: s.quotaHours,
      quotaUseBp: s.quotaUseBp,
      measuredInstruments: s.measuredInstruments,
    },
    sharing: {
      externalHours: s.externalHours,
      avgExternalHours: s.avgExternalHours,
      shareRateBp: s.shareRateBp,
      services: s.services,
      externalServices: s.externalServices,
      servedOrgs: s.servedOrgs,
      incomeFen: s.incomeFen,
      externalIncomeFen: s.externalIncomeFen,
      avgRatingCenti: s.avgRatingCenti,
      ratingCount: s.ratingCount,
    },
  };
}
export type ReportFigures = Awaited<ReturnType<typeof reportFigures>>;

export interface RoundInput {
  year: number;
  title: string;
  cityCode?: string | null;
  thresholdFen: number;
  dueDate?: string | null;
}

/** 开启评价: one report per approved organisation in scope that declares an instrument at or above the threshold. */
export async function openRound(deps: Deps, req: FastifyRequest, input: RoundInput) {
  const ctx = auditCtx(deps, req);
  const db = deps.database.db;
  const actor = req.actor!;
  if (input.cityCode) {
    const city = await db.selectFrom('cities').select('code').where('code', '=', input.cityCode).executeTakeFirst();
    if (!city) throw badInput('CITY_UNKNOWN', '请检查评价范围', { cityCode: '没有这个城市' });
  }
  const same = await db
    .selectFrom('sharingRounds')
    .select('id')
    .where('year', '=', input.year)
    .where((eb) => (input.cityCode ? eb('scopeCityCode', '=', input.cityCode) : eb('scopeCityCode', 'is', null)))
    .executeTakeFirst();
  if (same) throw conflict('ROUND_EXISTS', '该年度、该范围的评价已开启', { year: '已开启' });
  let orgs = db
    .selectFrom('organizations')
    .select(['organizations.id', 'organizations.cityCode'])
    .where('organizations.state', '=', 'approved')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('instruments')
          .select('instruments.id')
          .whereRef('instruments.orgId', '=', 'organizations.id')
          .where('instruments.valueFen', '>=', input.thresholdFen),
      ),
    );
  if (input.cityCode) orgs = orgs.where('organizations.cityCode', '=', input.cityCode);
  const list = await orgs.execute();
  const id = newId();
  const now = ctx.now.toISOString();
  const filled = await Promise.all(
    list.map(async (o) => ({ o, figures: await reportFigures(db, o.id, input.year, input.thresholdFen) })),
  );
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sharingRounds')
      .values({
        id,
        year: input.year,
        title: input.title.trim(),
        scopeCityCode: input.cityCode ?? null,
        thresholdFen: input.thresholdFen,
        dueDate: input.dueDate ?? null,
        departmentId: actor.department!.id,
        createdBy: actor.userId,
        createdAt: now,
      })
      .execute();
    for (const { o, figures } of filled) {
      await trx
        .insertInto('sharingReports')
        .values({
          id: newId(),
          roundId: id,
          orgId: o.id,
          cityCode: o.cityCode,
          state: 'draft',
          figuresJson: JSON.stringify(figures),
          team: null,
          management: null,
          outcomes: null,
          proposedGrade: null,
          grade: null,
          gradeComment: null,
          figuresAt: now,
          submittedAt: null,
          gradedAt: null,
          updatedAt: now,
        })
        .execute();
      await notify(
        deps,
        trx,
        { adminsOf: o.id },
        {
          title: `${input.year} 年度开放共享评价已开启`,
          body: `请在${input.dueDate ? ` ${input.dueDate} 前` : '规定时间内'}补充评价报告的说明部分并提交。`,
          link: '/member/sharing-reports',
          subjectKind: REPORT_KIND,
          subjectId: id,
        },
      );
    }
    await record(trx, ctx, {
      action: 'sharing.round.open',
      subjectKind: 'sharing_round',
      subjectId: id,
      detail: { year: input.year, cityCode: input.cityCode ?? null, reports: list.length },
    });
  });
  return { id, reports: list.length };
}

/** May the caller read the report? Its organisation's admins; the province; the city bureau of its city. */
function mayRead(actor: Actor, r: Pick<SharingReportsTable, 'orgId' | 'cityCode'>) {
  if (actor.kind === 'person')
    return actor.org?.id === r.orgId && (actor.org.role === 'admin' || actor.org.role === 'legal');
  if (actor.kind === 'department')
    return actor.department?.level === 'province' || actor.department?.cityCode === r.cityCode;
  return false;
}

/** A report the caller may read; anyone else is told it does not exist. */
export async function loadReport(db: Db, actor: Actor, id: string) {
  const r = await db.selectFrom('sharingReports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r || !mayRead(actor, r)) throw notFound('评价报告');
  return r;
}

export async function reportView(db: Db, actor: Actor, id: string) {
  const r = await loadReport(db, actor, id);
  const [round, org, review] = await Promise.all([
    db.selectFrom('sharingRounds').selectAll().where('id', '=', r.roundId).executeTakeFirstOrThrow(),
    db.selectFrom('organizations').select(['name', 'type']).where('id', '=', r.orgId).executeTakeFirstOrThrow(),
    reviews.statusOf(db, REPORT_KIND, id),
  ]);
  const own = actor.kind === 'person';
  return {
    id: r.id,
    roundId: r.roundId,
    year: round.year,
    roundTitle: round.title,
    thresholdFen: Number(round.thresholdFen),
    dueDate: round.dueDate,
    orgId: r.orgId,
    orgName: org.name,
    cityName: cityName(r.cityCode),
    state: r.state,
    stateLabel: REPORT_STATE_LABEL[r.state],
    figures: (typeof r.figuresJson === 'string' ? JSON.parse(r.figuresJson) : r.figuresJson) as ReportFigures,
    figuresAt: r.figuresAt,
    team: r.team,
    management: r.management,
    outcomes: r.outcomes,
    grade: r.grade,
    gradeLabel: r.grade ? GRADE_LABEL[r.grade as Grade] : null,
    gradeComment: r.gradeComment,
    submittedAt: r.submittedAt,
    gradedAt: r.gradedAt,
    reviewId: review?.reviewId ?? null,
    reviewReason: review?.reason ?? null,
    canEdit: own && (r.state === 'draft' || r.state === 'returned'),
    canGrade: actor.kind === 'department' && r.state === 'pending',
  };
}

export interface Narrative {
  team: string;
  management: string;
  outcomes: string;
}

async function ownForEdit(db: Db, actor: Actor, id: string) {
  const r = await loadReport(db, actor, id);
  if (actor.kind !== 'person') throw notFound('评价报告');
  if (r.state !== 'draft' && r.state !== 'returned')
    throw new DomainError(409, 'REPORT_WRONG_STATE', `评价报告${REPORT_STATE_LABEL[r.state]}，不能修改`, undefined, {
      state: r.state,
    });
  return r;
}

async function guarded(trx: Db, r: SharingReportsTable, set: Partial<SharingReportsTable>) {
  const res = await trx
    .updateTable('sharingReports')
    .set(set)
    .where('id', '=', r.id)
    .where('state', '=', r.state)
    .where('updatedAt', '=', r.updatedAt)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('REPORT_CHANGED', '评价报告已被修改，请刷新后重试');
}

export async function saveNarrative(deps: Deps, req: FastifyRequest, id: string, n: Narrative) {
  const ctx = auditCtx(deps, req);
  const r = await ownForEdit(deps.database.db, req.actor!, id);
  await deps.database.db.transaction().execute(async (trx) => {
    await guarded(trx, r, {
      team: n.team.trim(),
      management: n.management.trim(),
      outcomes: n.outcomes.trim(),
      updatedAt: ctx.now.toISOString(),
    });
    await record(trx, ctx, { action: 'sharing.report.save', subjectKind: REPORT_KIND, subjectId: id, orgId: r.orgId });
  });
  return reportView(deps.database.db, req.actor!, id);
}

/** 提交: the figures are computed again (late data counts), the narrative must be complete, the review opens. */
export async function submitReport(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  const db = deps.database.db;
  const r = await ownForEdit(db, req.actor!, id);
  const missing: Record<string, string> = {};
  for (const k of ['team', 'management', 'outcomes'] as const) if (!r[k]?.trim()) missing[k] = '必填';
  if (Object.keys(missing).length) throw badInput('REPORT_INCOMPLETE', '请先填写评价报告的说明部分', missing);
  const round = await db.selectFrom('sharingRounds').selectAll().where('id', '=', r.roundId).executeTakeFirstOrThrow();
  const figures = await reportFigures(db, r.orgId, round.year, Number(round.thresholdFen));
  const org = await db.selectFrom('organizations').select('name').where('id', '=', r.orgId).executeTakeFirstOrThrow();
  await db.transaction().execute(async (trx) => {
    const now = ctx.now.toISOString();
    await guarded(trx, r, {
      state: 'pending',
      figuresJson: JSON.stringify(figures),
      figuresAt: now,
      submittedAt: now,
      proposedGrade: null,
      updatedAt: now,
    });
    if (r.state === 'returned') await reviews.resubmit(trx, ctx, REPORT_KIND, id);
    else
      await reviews.submit(trx, ctx, {
        kind: REPORT_KIND,
        subjectId: id,
        orgId: r.orgId,
        title: `${round.year} 年度开放共享评价报告：${org.name}`,
        departments: [round.departmentId],
        canReturn: true,
      });
    await record(trx, ctx, {
      action: 'sharing.report.submit',
      subjectKind: REPORT_KIND,
      subjectId: id,
      fromState: r.state,
      toState: 'pending',
      orgId: r.orgId,
    });
  });
  return reportView(db, req.actor!, id);
}

/** 评级: the grade is kept with the report, then the review is approved; the approval hook makes it final. */
export async function gradeReport(deps: Deps, req: FastifyRequest, id: string, grade: Grade, comment: string | null) {
  const ctx = auditCtx(deps, req);
  const db = deps.database.db;
  const r = await loadReport(db, req.actor!, id);
  if (r.state !== 'pending')
    throw new DomainError(409, 'REPORT_WRONG_STATE', `评价报告${REPORT_STATE_LABEL[r.state]}，不能评级`, undefined, {
      state: r.state,
    });
  const review = await reviews.latestReview(db, REPORT_KIND, id);
  if (!review) throw notFound('审核事项');
  await guarded(db, r, { proposedGrade: grade, gradeComment: comment?.trim() || null, updatedAt: r.updatedAt });
  await reviews.decide(deps, ctx, review.id, 'approve');
  return reportView(db, req.actor!, id);
}

async function setState(trx: Db, id: string, state: SharingReportState, set: Partial<SharingReportsTable> = {}) {
  await trx
    .updateTable('sharingReports')
    .set({ state, ...set })
    .where('id', '=', id)
    .execute();
}

export const reportSubject: ReviewSubject = {
  kind: REPORT_KIND,
  label: '开放共享评价报告',
  async onApproved(trx, id, ctx: AuditContext) {
    const r = await trx.selectFrom('sharingReports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (!r.proposedGrade)
      throw badInput('GRADE_REQUIRED', '请在评价报告页面给出评级（优秀、良好、合格或较差）后通过', {
        grade: '必填',
      });
    const now = ctx.now.toISOString();
    await setState(trx, id, 'graded', { grade: r.proposedGrade, gradedAt: now, updatedAt: now });
    await record(trx, ctx, {
      action: 'sharing.report.grade',
      subjectKind: REPORT_KIND,
      subjectId: id,
      fromState: 'pending',
      toState: 'graded',
      orgId: r.orgId,
      detail: { grade: r.proposedGrade },
    });
  },
  async onRejected(trx, id, _reason, ctx) {
    await setState(trx, id, 'rejected', { updatedAt: ctx.now.toISOString() });
  },
  async onReturned(trx, id, _reason, ctx) {
    await setState(trx, id, 'returned', { proposedGrade: null, updatedAt: ctx.now.toISOString() });
  },
  async describe(db, id) {
    const r = await db
      .selectFrom('sharingReports')
      .innerJoin('sharingRounds', 'sharingRounds.id', 'sharingReports.roundId')
      .innerJoin('organizations', 'organizations.id', 'sharingReports.orgId')
      .select([
        'sharingRounds.year',
        'organizations.name as orgName',
        'sharingReports.figuresJson',
        'sharingReports.team',
        'sharingReports.management',
        'sharingReports.outcomes',
      ])
      .where('sharingReports.id', '=', id)
      .executeTakeFirst();
    return r ? { ...r, link: `/sharing/reports/${id}` } : {};
  },
};
