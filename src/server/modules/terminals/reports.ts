/**
 * For the departments (and an organisation for itself): terminal coverage of the instruments that need one, and
 * 运行机时 per instrument, organisation or city from the daily totals.
 */
import { sql } from 'kysely';
import { cityName } from '../../../domain/reference';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { dayBounds } from './service';
import { terminalSettings } from './settings';

/** Organisations the actor may see figures of: its own, or those its department supervises (the province: all). */
export function scope(actor: Actor) {
  // a person sees its own organisation's figures, and nothing without one
  if (actor.kind === 'person') return { orgId: actor.org?.id ?? '' };
  if (actor.kind === 'department' && actor.department?.level !== 'province')
    return { departmentId: actor.department!.id };
  return {};
}

export async function coverage(deps: Deps, actor: Actor) {
  const { thresholdFen } = await terminalSettings(deps.database.db);
  const s = scope(actor);
  let q = deps.database.db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .leftJoin('terminals', 'terminals.instrumentId', 'instruments.id')
    .select((eb) => [
      'organizations.id as orgId',
      'organizations.name as orgName',
      eb.fn.count<number>('instruments.id').as('needing'),
      eb.fn.count<number>(sql`case when terminals.is_disabled = ${false} then 1 end`).as('covered'),
      eb.fn.count<number>('terminals.id').as('terminals'),
    ])
    .where('instruments.valueFen', '>=', thresholdFen)
    .where('instruments.state', '!=', 'draft')
    .groupBy(['organizations.id', 'organizations.name'])
    .orderBy('organizations.name');
  if (s.orgId !== undefined) q = q.where('organizations.id', '=', s.orgId);
  if (s.departmentId) q = q.where('organizations.departmentId', '=', s.departmentId);
  const rows = await q.limit(5000).execute();
  return {
    thresholdFen,
    items: rows.map((r) => ({
      ...r,
      needing: Number(r.needing),
      covered: Number(r.covered),
      terminals: Number(r.terminals),
    })),
  };
}

export async function totals(deps: Deps, actor: Actor, by: 'instrument' | 'org' | 'city', from: string, to: string) {
  dayBounds(from, to);
  const s = scope(actor);
  const key = { instrument: 'instruments.id', org: 'organizations.id', city: 'organizations.cityCode' } as const;
  const name = { instrument: 'instruments.name', org: 'organizations.name', city: 'organizations.cityCode' } as const;
  let q = deps.database.db
    .selectFrom('instrumentUsageDaily as d')
    .innerJoin('instruments', 'instruments.id', 'd.instrumentId')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select((eb) => [
      eb.ref(key[by]).as('key'),
      eb.fn.max(name[by]).as('name'),
      eb.fn.sum<number>('d.poweredSeconds').as('poweredSeconds'),
      eb.fn.sum<number>('d.inUseSeconds').as('inUseSeconds'),
      eb.fn.sum<number>('d.serviceSeconds').as('serviceSeconds'),
      eb.fn.sum<number>('d.externalServiceSeconds').as('externalServiceSeconds'),
    ])
    .where('d.day', '>=', from)
    .where('d.day', '<=', to)
    .groupBy(key[by])
    .orderBy('inUseSeconds', 'desc');
  if (s.orgId !== undefined) q = q.where('organizations.id', '=', s.orgId);
  if (s.departmentId) q = q.where('organizations.departmentId', '=', s.departmentId);
  const rows = await q.limit(1000).execute();
  return {
    items: rows.map((r) => ({
      key: String(r.key),
      name: by === 'city' ? (cityName(String(r.key)) ?? String(r.key)) : String(r.name),
      poweredSeconds: Number(r.poweredSeconds),
      inUseSeconds: Number(r.inUseSeconds),
      serviceSeconds: Number(r.serviceSeconds),
      externalServiceSeconds: Number(r.externalServiceSeconds),
    })),
  };
}
