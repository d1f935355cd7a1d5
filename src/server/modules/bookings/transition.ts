/**
 * The one state-transition helper of bookings: inside the caller's transaction it re-reads the booking, asks the
 * domain machine, writes the change only if the row is still in the state (and version) it was read in, keeps the
 * history, records the audit entry and tells the other party. Two callers racing get one winner and one 409.
 */
import {
  BOOKING_ACTION_LABEL,
  BOOKING_STATE_LABEL,
  nextBookingStep,
  type BookingAction,
  type BookingState,
} from '../../../domain/booking';
import { DomainError, notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import { writeAtCommit } from '../../db/pg-trips';
import type { BookingsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { record, type AuditContext } from '../audit/service';
import { notify } from '../messages/service';
import { actorOf, KIND, loadRow, type BookingRow } from './access';

/** The booking changed under the caller: 409 with the state it is in now. */
export async function changedUnder(trx: Db, id: string): Promise<DomainError> {
  const now = await trx.selectFrom('bookings').select(['state']).where('id', '=', id).executeTakeFirst();
  if (!now) return notFound('预约单');
  const label = BOOKING_STATE_LABEL[now.state];
  return new DomainError(
    409,
    'BOOKING_CHANGED',
    `预约单已被他人处理，当前状态为「${label}」，请刷新后查看`,
    undefined,
    { state: now.state, stateLabel: label },
  );
}

/**
 * Re-reads the booking inside the transaction and returns it with the machine's verdict, or throws the refusal;
 * `lock` takes its row lock with the read (access.ts inVisibleBooking).
 */
export async function decide(
  trx: Db,
  actor: Actor | null,
  id: string,
  action: BookingAction,
  expectedVersion?: number,
  lock = false,
) {
  const row = await loadRow(trx, id, lock);
  if (!row) throw notFound('预约单');
  return decideOn(row, actor, action, expectedVersion);
}

/** The machine's verdict on the booking as read in this transaction (inVisibleBooking), or the refusal thrown. */
export function decideOn(row: BookingRow, actor: Actor | null, action: BookingAction, expectedVersion?: number) {
  const step = nextBookingStep(row.state, action, actorOf(actor, row));
  if ('refusal' in step) {
    const r = step.refusal;
    throw new DomainError(
      r.status,
      r.code,
      r.message,
      undefined,
      r.status === 409 ? { state: row.state, stateLabel: BOOKING_STATE_LABEL[row.state] } : undefined,
    );
  }
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw new DomainError(409, 'BOOKING_STALE', '预约单已在其他页面或由他人修改，请刷新后重试', undefined, {
      state: row.state,
      stateLabel: BOOKING_STATE_LABEL[row.state],
    });
  }
  return { row, to: step.to, needsReason: step.needsReason };
}

export interface Change {
  action: BookingAction;
  to: BookingState;
  set?: Partial<BookingsTable>;
  comment?: string | null;
  /** keep a history entry (state changes always do; a plain save does not) */
  history?: boolean;
  /** whom to tell; by default the other party */
  tell?: { title: string; body: string } | null;
}

/** Writes a decided change: guarded update (state and version), history, audit, messages and mail. */
export async function apply(deps: Deps, trx: Db, ctx: AuditContext, row: BookingRow, c: Change): Promise<BookingRow> {
  const now = ctx.now.toISOString();
  const version = row.version + 1;
  const res = await trx
    .updateTable('bookings')
    .set({ ...c.set, state: c.to, version, updatedAt: now })
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .where('version', '=', row.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw await changedUnder(trx, row.id);
  const who = actorOf(ctx.actor, row);
  const orgId = who.party === 'provider' ? row.providerOrgId : row.consumerOrgId;
  if (c.history ?? c.to !== row.state) {
    // the acting member's organisation came with the session; the system (a timer) has none
    const org =
      ctx.actor?.org?.id === orgId
        ? ctx.actor.org
        : await trx.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirst();
    await writeAtCommit(
      trx,
      trx.insertInto('bookingEvents').values({
        id: newId(),
        bookingId: row.id,
        actorId: ctx.actor?.userId ?? null,
        actorName: ctx.actor?.realName ?? '系统',
        orgId,
        orgName: org?.name ?? null,
        action: c.action,
        fromState: row.state,
        toState: c.to,
        comment: c.comment ?? null,
        at: now,
      }),
    );
  }
  await record(trx, ctx, {
    action: `booking.${c.action}`,
    subjectKind: KIND,
    subjectId: row.id,
    fromState: row.state,
    toState: c.to,
    orgId,
    detail: { no: row.no, ...(c.comment ? { comment: c.comment } : {}) },
  });
  if (c.tell) {
    const to =
      who.party === 'provider'
        ? { users: [row.applicantId], adminsOf: row.consumerOrgId }
        : { adminsOf: row.providerOrgId };
    await notify(
      deps,
      trx,
      { ...to, except: ctx.actor?.userId },
      { ...c.tell, link: `/member/bookings/${row.id}`, subjectKind: KIND, subjectId: row.id },
    );
  }
  return { ...row, ...c.set, state: c.to, version, updatedAt: now };
}

export const actionLabel = (a: string) => BOOKING_ACTION_LABEL[a as BookingAction] ?? a;
