/**
 * 机时差异 for the departments: the bookings of the organisations a department supervises (the province: all) whose
 * test period (受理 to 提交检测结果, or until now while the results are not submitted) overlaps a date range, per
 * instrument with a terminal and with hours registered at 检测结果登记, the registered hours against the hours
 * measured in that period; by default only those that differ beyond the margin. The MAX_COMPARED most recently
 * accepted booking instruments of the range are compared (the reply says when there are more).
 */
import { hoursDiffer, measuredSeconds } from '../../../domain/terminal-usage';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { scope } from './reports';
import { dayBounds } from './service';
import { terminalSettings } from './settings';

const MAX_COMPARED = 2000;
const TESTED = ['accepted', 'awaiting_settlement', 'completed'] as const;

export interface DifferencesQueryT {
  from: string;
  to: string;
  only: 'differs' | 'all';
  page: number;
  pageSize: number;
}

export async function differences(deps: Deps, actor: Actor, q: DifferencesQueryT) {
  const { start, end } = dayBounds(q.from, q.to);
  const db = deps.database.db;
  const s = scope(actor);
  let query = db
    .selectFrom('bookingItems as bi')
    .innerJoin('bookings as b', 'b.id', 'bi.bookingId')
    .innerJoin('terminals as t', 't.instrumentId', 'bi.instrumentId')
    .innerJoin('instruments as i', 'i.id', 'bi.instrumentId')
    .innerJoin('organizations as p', 'p.id', 'b.providerOrgId')
    .innerJoin('organizations as c', 'c.id', 'b.consumerOrgId')
    .select([
      'b.id as bookingId',
      'b.no as bookingNo',
      'b.acceptedAt',
      'b.resultsAt',
      'p.name as providerOrgName',
      'c.name as consumerOrgName',
      'bi.instrumentId',
      'i.name as instrumentName',
      'bi.machineHours',
    ])
    .where('b.state', 'in', [...TESTED])
    .where('b.acceptedAt', 'is not', null)
    .where('b.acceptedAt', '<', end)
    .where((eb) => eb.or([eb('b.resultsAt', 'is', null), eb('b.resultsAt', '>=', start)]))
    .where('bi.machineHours', 'is not', null)
    .orderBy('b.acceptedAt', 'desc')
    .orderBy('b.id')
    .orderBy('bi.sort')
    .limit(MAX_COMPARED + 1);
  if (s.orgId !== undefined) query = query.where('p.id', '=', s.orgId);
  if (s.departmentId) query = query.where('p.departmentId', '=', s.departmentId);
  const found = await query.execute();
  const truncated = found.length > MAX_COMPARED;
  const rows = found.slice(0, MAX_COMPARED);

  // the in-use intervals of those instruments over the test periods, read per 200 instruments
  const ids = [...new Set(rows.map((r) => r.instrumentId))];
  const byInstrument = new Map<string, { kind: 'powered' | 'in_use'; startedAt: number; endedAt: number }[]>();
  const now = deps.clock.now().toISOString();
  const periodEnd = (r: (typeof rows)[number]) => r.resultsAt ?? now;
  if (rows.length) {
    const from = rows.reduce((m, r) => (r.acceptedAt! < m ? r.acceptedAt! : m), rows[0].acceptedAt!);
    const to = rows.reduce((m, r) => (periodEnd(r) > m ? periodEnd(r) : m), periodEnd(rows[0]));
    for (let k = 0; k < ids.length; k += 200) {
      const intervals = await db
        .selectFrom('usageIntervals')
        .select(['instrumentId', 'kind', 'startedAt', 'endedAt'])
        .where('instrumentId', 'in', ids.slice(k, k + 200))
        .where('kind', '=', 'in_use')
        .where('endedAt', '>=', from)
        .where('startedAt', '<', to)
        .execute();
      for (const r of intervals) {
        let list = byInstrument.get(r.instrumentId);
        if (!list) byInstrument.set(r.instrumentId, (list = []));
        list.push({ kind: r.kind, startedAt: Date.parse(r.startedAt), endedAt: Date.parse(r.endedAt) });
      }
    }
  }
  const { marginPercent } = await terminalSettings(db);
  const compared = rows.map((r) => {
    const period = { from: Date.parse(r.acceptedAt!), to: Date.parse(periodEnd(r)) };
    const measured = measuredSeconds(byInstrument.get(r.instrumentId) ?? [], period);
    const registeredHours = Number(r.machineHours);
    return {
      bookingId: r.bookingId,
      bookingNo: r.bookingNo,
      providerOrgName: r.providerOrgName,
      consumerOrgName: r.consumerOrgName,
      instrumentId: r.instrumentId,
      instrumentName: r.instrumentName,
      periodFrom: r.acceptedAt!,
      /** null while the results are not submitted: the period runs until now */
      periodTo: r.resultsAt,
      registeredHours,
      measuredHours: Math.round((measured / 3600) * 100) / 100,
      differs: hoursDiffer(registeredHours, measured, marginPercent),
    };
  });
  const shown = q.only === 'differs' ? compared.filter((r) => r.differs) : compared;
  return {
    items: shown.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
    total: shown.length,
    page: q.page,
    pageSize: q.pageSize,
    marginPercent,
    truncated,
  };
}
