/** Lists of rounds and reports: a department sees the rounds and the reports of its scope; an organisation its own. */
import { cityName } from '../../../domain/reference';
import { GRADE_LABEL, type Grade } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';
import type { Actor } from '../../http/actor';
import { notFound } from '../../../domain/errors';
import { REPORT_STATE_LABEL } from './reports';

const cityOf = (actor: Actor) => (actor.department?.level === 'city' ? (actor.department.cityCode ?? '-') : null);

export async function rounds(db: Db, actor: Actor) {
  const city = cityOf(actor);
  const list = await db
    .selectFrom('sharingRounds')
    .selectAll()
    .orderBy('year', 'desc')
    .orderBy('createdAt', 'desc')
    .execute();
  let counts = db
    .selectFrom('sharingReports')
    .select((eb) => ['roundId', 'state', eb.fn.countAll<number>().as('n')])
    .groupBy(['roundId', 'state']);
  if (city) counts = counts.where('cityCode', '=', city);
  const byRound = new Map<string, Record<string, number>>();
  for (const c of await counts.execute()) {
    const m = byRound.get(c.roundId) ?? {};
    m[c.state] = Number(c.n);
    byRound.set(c.roundId, m);
  }
  return list
    .filter((r) => !city || !r.scopeCityCode || r.scopeCityCode === city)
    .map((r) => {
      const states = byRound.get(r.id) ?? {};
      return {
        id: r.id,
        year: r.year,
        title: r.title,
        scopeName: r.scopeCityCode ? cityName(r.scopeCityCode) : '全省',
        thresholdFen: Number(r.thresholdFen),
        dueDate: r.dueDate,
        createdAt: r.createdAt,
        reports: Object.values(states).reduce((a, b) => a + b, 0),
        submitted: (states.pending ?? 0) + (states.graded ?? 0) + (states.rejected ?? 0),
        graded: states.graded ?? 0,
      };
    });
}

/** A round's reports in the caller's scope, a page at a time (a province round has one per organisation). */
export async function roundReports(db: Db, actor: Actor, roundId: string, page = 1, size = 50) {
  const round = await db.selectFrom('sharingRounds').selectAll().where('id', '=', roundId).executeTakeFirst();
  const city = cityOf(actor);
  if (!round || (city && round.scopeCityCode && round.scopeCityCode !== city)) throw notFound('评价');
  let q = db
    .selectFrom('sharingReports')
    .innerJoin('organizations', 'organizations.id', 'sharingReports.orgId')
    .select([
      'sharingReports.id',
      'sharingReports.orgId',
      'organizations.name as orgName',
      'sharingReports.cityCode',
      'sharingReports.state',
      'sharingReports.grade',
      'sharingReports.figuresJson',
      'sharingReports.submittedAt',
    ])
    .where('sharingReports.roundId', '=', roundId)
    .orderBy('organizations.name')
    .orderBy('sharingReports.id');
  if (city) q = q.where('sharingReports.cityCode', '=', city);
  let count = db
    .selectFrom('sharingReports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('roundId', '=', roundId);
  if (city) count = count.where('cityCode', '=', city);
  const [list, total] = await Promise.all([
    q
      .limit(size)
      .offset((page - 1) * size)
      .execute(),
    count.executeTakeFirst(),
  ]);
  return {
    round: { id: round.id, year: round.year, title: round.title },
    total: Number(total?.n ?? 0),
    page,
    size,
    items: list.map((r) => {
      const f = (typeof r.figuresJson === 'string' ? JSON.parse(r.figuresJson) : r.figuresJson) as {
        operation: { effectiveHours: number };
        sharing: { externalHours: number; shareRateBp: number };
        organization: { openRateBp: number };
      };
      return {
        id: r.id,
        orgId: r.orgId,
        orgName: r.orgName,
        cityName: cityName(r.cityCode),
        state: r.state,
        stateLabel: REPORT_STATE_LABEL[r.state],
        grade: r.grade,
        gradeLabel: r.grade ? GRADE_LABEL[r.grade as Grade] : null,
        submittedAt: r.submittedAt,
        effectiveHours: f.operation.effectiveHours,
        externalHours: f.sharing.externalHours,
        shareRateBp: f.sharing.shareRateBp,
        openRateBp: f.organization.openRateBp,
      };
    }),
  };
}

export async function myReports(db: Db, actor: Actor) {
  const list = await db
    .selectFrom('sharingReports')
    .innerJoin('sharingRounds', 'sharingRounds.id', 'sharingReports.roundId')
    .select([
      'sharingReports.id',
      'sharingRounds.year',
      'sharingRounds.title',
      'sharingRounds.dueDate',
      'sharingReports.state',
      'sharingReports.grade',
      'sharingReports.updatedAt',
    ])
    .where('sharingReports.orgId', '=', actor.org!.id)
    .orderBy('sharingRounds.year', 'desc')
    .orderBy('sharingReports.id')
    .execute();
  return list.map((r) => ({
    ...r,
    stateLabel: REPORT_STATE_LABEL[r.state],
    gradeLabel: r.grade ? GRADE_LABEL[r.grade as Grade] : null,
  }));
}
