/**
 * 物联网监测: terminals of an organisation's instruments (register, rotate the key, disable, enable), coverage for
 * the departments, live status, measured usage and the provider's annotations, and the booking comparison.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AnnotationBody, TerminalView } from '../../../contracts/terminals';
import { conflict, notFound, ruleBroken } from '../../../domain/errors';
import { hoursDiffer, shanghaiDay } from '../../../domain/terminal-usage';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { mayManage, mayViewUnlisted } from '../instruments/policy';
import { newTerminalId, newTerminalKey, sealKey } from './keys';
import { liveHub } from './live';
import { topicOf } from './mqtt';
import { terminalSettings } from './settings';
import { bookingUsage } from './usage';

type View = z.infer<typeof TerminalView>;

async function instrumentOf(deps: Deps, id: string) {
  return deps.database.db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select([
      'instruments.id',
      'instruments.name',
      'instruments.orgId',
      'instruments.state',
      'instruments.valueFen',
      'organizations.departmentId',
    ])
    .where('instruments.id', '=', id)
    .executeTakeFirst();
}

/** The instrument, if the actor may see its usage (its organisation or its departments); else 404. */
async function visibleInstrument(deps: Deps, actor: Actor | null, id: string) {
  const i = await instrumentOf(deps, id);
  if (!i || !mayViewUnlisted(actor, i)) throw notFound('仪器');
  return i;
}

async function managedInstrument(deps: Deps, actor: Actor | null, id: string) {
  const i = await instrumentOf(deps, id);
  if (!i || !mayManage(actor, i.orgId)) throw notFound('仪器');
  return i;
}

async function views(deps: Deps, where: { orgId?: string; id?: string }): Promise<View[]> {
  let q = deps.database.db
    .selectFrom('terminals')
    .innerJoin('instruments', 'instruments.id', 'terminals.instrumentId')
    .select([
      'terminals.id',
      'terminals.instrumentId',
      'instruments.name as instrumentName',
      'terminals.label',
      'terminals.isDisabled',
      'terminals.keyVersion',
      'terminals.createdAt',
      'terminals.keyRotatedAt',
    ]);
  if (where.orgId) q = q.where('terminals.orgId', '=', where.orgId);
  if (where.id) q = q.where('terminals.id', '=', where.id);
  const rows = await q.orderBy('terminals.createdAt').execute();
  const hub = await liveHub(deps);
  return rows.map((r) => {
    const v = hub.view(r.instrumentId);
    return { ...r, status: v.status, lastMessageAt: v.lastMessageAt, clockSkewed: v.clockSkewed };
  });
}

const withKey = (deps: Deps, terminal: View, key: string) => ({
  terminal,
  key,
  topic: topicOf(deps.config.MQTT_TOPIC_PREFIX, terminal.id),
});

export async function register(deps: Deps, req: FastifyRequest, body: { instrumentId: string; label?: string }) {
  const i = await managedInstrument(deps, req.actor, body.instrumentId);
  const key = newTerminalKey();
  const id = newTerminalId();
  const now = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('terminals').select('id').where('instrumentId', '=', i.id).executeTakeFirst();
    if (existing) throw conflict('TERMINAL_EXISTS', '该仪器已登记监测终端', { instrumentId: '该仪器已登记监测终端' });
    await trx
      .insertInto('terminals')
      .values({
        id,
        instrumentId: i.id,
        orgId: i.orgId,
        label: body.label || null,
        keySealed: sealKey(deps.config, key),
        keyVersion: 1,
        isDisabled: false,
        createdBy: req.actor!.userId,
        createdAt: now,
        keyRotatedAt: null,
        disabledAt: null,
      })
      .execute();
    await record(trx, auditCtx(deps, req), {
      action: 'terminal.register',
      subjectKind: 'terminal',
      subjectId: id,
      detail: { instrumentId: i.id },
    });
  });
  return withKey(deps, (await views(deps, { id }))[0], key);
}

async function ownTerminal(deps: Deps, actor: Actor | null, id: string) {
  const t = await deps.database.db.selectFrom('terminals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t || !mayManage(actor, t.orgId)) throw notFound('监测终端');
  return t;
}

export async function rotate(deps: Deps, req: FastifyRequest, id: string) {
  const t = await ownTerminal(deps, req.actor, id);
  const key = newTerminalKey();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('terminals')
      .set({
        keySealed: sealKey(deps.config, key),
        keyVersion: t.keyVersion + 1,
        keyRotatedAt: deps.clock.now().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await record(trx, auditCtx(deps, req), {
      action: 'terminal.rotate_key',
      subjectKind: 'terminal',
      subjectId: id,
      detail: { keyVersion: t.keyVersion + 1 },
    });
  });
  return withKey(deps, (await views(deps, { id }))[0], key);
}

export async function setDisabled(deps: Deps, req: FastifyRequest, id: string, disabled: boolean) {
  const t = await ownTerminal(deps, req.actor, id);
  if (t.isDisabled === disabled) throw conflict('TERMINAL_STATE', disabled ? '监测终端已停用' : '监测终端未停用');
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('terminals')
      .set({ isDisabled: disabled, disabledAt: disabled ? deps.clock.now().toISOString() : null })
      .where('id', '=', id)
      .execute();
    await record(trx, auditCtx(deps, req), {
      action: disabled ? 'terminal.disable' : 'terminal.enable',
      subjectKind: 'terminal',
      subjectId: id,
      fromState: disabled ? 'enabled' : 'disabled',
      toState: disabled ? 'disabled' : 'enabled',
    });
  });
  return (await views(deps, { id }))[0];
}

/** 我的仪器: every instrument of the organisation, whether it needs a terminal, its terminal and today's hours. */
export async function mine(deps: Deps, actor: Actor) {
  const orgId = actor.org!.id;
  const { thresholdFen } = await terminalSettings(deps.database.db);
  const db = deps.database.db;
  const today = shanghaiDay(deps.clock.now().getTime());
  const [instruments, terminals, daily] = await Promise.all([
    db
      .selectFrom('instruments')
      .select(['id', 'name', 'valueFen'])
      .where('orgId', '=', orgId)
      .orderBy('createdAt', 'desc')
      .limit(2000)
      .execute(),
    views(deps, { orgId }),
    db
      .selectFrom('instrumentUsageDaily')
      .innerJoin('instruments', 'instruments.id', 'instrumentUsageDaily.instrumentId')
      .select(['instrumentUsageDaily.instrumentId', 'inUseSeconds', 'poweredSeconds'])
      .where('instruments.orgId', '=', orgId)
      .where('day', '=', today)
      .execute(),
  ]);
  const byInstrument = new Map(terminals.map((t) => [t.instrumentId, t]));
  const todayOf = new Map(daily.map((d) => [d.instrumentId, d]));
  return {
    thresholdFen,
    items: instruments.map((i) => ({
      instrumentId: i.id,
      name: i.name,
      valueFen: Number(i.valueFen),
      needsTerminal: Number(i.valueFen) >= thresholdFen,
      terminal: byInstrument.get(i.id) ?? null,
      todayInUseSeconds: Number(todayOf.get(i.id)?.inUseSeconds ?? 0),
      todayPoweredSeconds: Number(todayOf.get(i.id)?.poweredSeconds ?? 0),
    })),
  };
}

/** Live status of listed instruments (anyone), or of the caller's own or supervised ones. */
export async function live(deps: Deps, actor: Actor | null, ids: string[]) {
  if (!ids.length) return { items: [] };
  const { thresholdFen } = await terminalSettings(deps.database.db);
  const rows = await deps.database.db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .leftJoin('terminals', 'terminals.instrumentId', 'instruments.id')
    .select([
      'instruments.id',
      'instruments.orgId',
      'instruments.state',
      'instruments.valueFen',
      'organizations.departmentId',
      'terminals.id as terminalId',
    ])
    .where('instruments.id', 'in', ids)
    .execute();
  const hub = await liveHub(deps);
  return {
    items: rows
      .filter((r) => r.state === 'listed' || mayViewUnlisted(actor, r))
      .map((r) => {
        const v = hub.view(r.id);
        return {
          instrumentId: r.id,
          needsTerminal: Number(r.valueFen) >= thresholdFen,
          hasTerminal: !!r.terminalId,
          status: r.terminalId ? v.status : ('none' as const),
          lastMessageAt: r.terminalId ? v.lastMessageAt : null,
          clockSkewed: v.clockSkewed,
        };
      }),
  };
}

/** May the actor follow the instrument's live status (listed, or its own / supervised)? */
export async function mayFollow(deps: Deps, actor: Actor | null, id: string) {
  const i = await instrumentOf(deps, id);
  if (!i || (i.state !== 'listed' && !mayViewUnlisted(actor, i))) throw notFound('仪器');
}

export const dayBounds = (from: string, to: string) => {
  if (from > to) throw ruleBroken('RANGE', '结束日期不能早于开始日期', { to: '结束日期不能早于开始日期' });
  const start = Date.parse(`${from}T00:00:00+08:00`);
  const end = Date.parse(`${to}T00:00:00+08:00`) + 86_400_000;
  if (end - start > 93 * 86_400_000) throw ruleBroken('RANGE', '查询范围最多 93 天', { to: '查询范围最多 93 天' });
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
};

export async function usage(deps: Deps, actor: Actor | null, id: string, from: string, to: string) {
  await visibleInstrument(deps, actor, id);
  const { start, end } = dayBounds(from, to);
  const db = deps.database.db;
  const [intervals, daily, annotations] = await Promise.all([
    db
      .selectFrom('usageIntervals')
      .select(['id', 'kind', 'startedAt', 'endedAt', 'isOpen', 'isCut'])
      .where('instrumentId', '=', id)
      .where('endedAt', '>=', start)
      .where('startedAt', '<', end)
      .orderBy('startedAt')
      .limit(5000)
      .execute(),
    db
      .selectFrom('instrumentUsageDaily')
      .select(['day', 'poweredSeconds', 'inUseSeconds', 'serviceSeconds', 'externalServiceSeconds'])
      .where('instrumentId', '=', id)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('usageAnnotations as a')
      .innerJoin('users', 'users.id', 'a.createdBy')
      .select(['a.id', 'a.startedAt', 'a.endedAt', 'a.reason', 'a.note', 'a.createdAt', 'users.realName'])
      .where('a.instrumentId', '=', id)
      .where('a.endedAt', '>=', start)
      .where('a.startedAt', '<', end)
      .orderBy('a.startedAt')
      .execute(),
  ]);
  return {
    intervals,
    daily: daily.map((d) => ({
      day: d.day,
      poweredSeconds: Number(d.poweredSeconds),
      inUseSeconds: Number(d.inUseSeconds),
      serviceSeconds: Number(d.serviceSeconds),
      externalServiceSeconds: Number(d.externalServiceSeconds),
    })),
    annotations: annotations.map(({ realName, ...a }) => ({
      ...a,
      reason: a.reason as z.infer<typeof AnnotationBody>['reason'],
      createdByName: realName,
    })),
  };
}

/** The provider's note on a time range; audited. The measured intervals are not touched. */
export async function annotate(deps: Deps, req: FastifyRequest, id: string, body: z.infer<typeof AnnotationBody>) {
  await managedInstrument(deps, req.actor, id);
  const startedAt = new Date(body.startedAt).toISOString();
  const endedAt = new Date(body.endedAt).toISOString();
  if (endedAt <= startedAt) throw ruleBroken('RANGE', '结束时间须晚于开始时间', { endedAt: '结束时间须晚于开始时间' });
  const row = {
    id: newId(),
    instrumentId: id,
    startedAt,
    endedAt,
    reason: body.reason,
    note: body.note || null,
    createdBy: req.actor!.userId,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('usageAnnotations').values(row).execute();
    await record(trx, auditCtx(deps, req), {
      action: 'terminal.annotate',
      subjectKind: 'instrument',
      subjectId: id,
      detail: { startedAt, endedAt, reason: body.reason },
    });
  });
  const { createdBy: _by, instrumentId: _i, ...view } = row;
  const by = await deps.database.db
    .selectFrom('users')
    .select('realName')
    .where('id', '=', row.createdBy)
    .executeTakeFirst();
  return { ...view, createdByName: by?.realName ?? '' };
}

/** Registered against measured hours of a booking: its two parties and the provider's department. */
export async function forBooking(deps: Deps, actor: Actor | null, bookingId: string) {
  const b = await deps.database.db
    .selectFrom('bookings')
    .innerJoin('organizations', 'organizations.id', 'bookings.providerOrgId')
    .select(['bookings.consumerOrgId', 'bookings.providerOrgId', 'bookings.state', 'organizations.departmentId'])
    .where('bookings.id', '=', bookingId)
    .executeTakeFirst();
  const party =
    actor?.kind === 'person' &&
    (actor.org?.id === b?.providerOrgId || (actor.org?.id === b?.consumerOrgId && b?.state !== 'draft'));
  if (!b || !(party || mayViewUnlisted(actor, { orgId: b.providerOrgId, departmentId: b.departmentId })))
    throw notFound('预约单');
  const { marginPercent } = await terminalSettings(deps.database.db);
  const u = await bookingUsage(deps.database.db, bookingId, deps.clock.now().getTime());
  return {
    marginPercent,
    period: u.period && { from: new Date(u.period.from).toISOString(), to: new Date(u.period.to).toISOString() },
    items: u.items.map((i) => ({
      instrumentId: i.instrumentId,
      registeredHours: i.registeredHours,
      measuredHours: Math.round((i.measuredSeconds / 3600) * 100) / 100,
      differs: hoursDiffer(i.registeredHours, i.measuredSeconds, marginPercent),
    })),
  };
}
