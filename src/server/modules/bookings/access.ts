/** Who a caller is to a booking, and the booking as that caller may see it. */
import type { FastifyRequest } from 'fastify';
import { maySeeBooking, type BookingActor } from '../../../domain/booking';
import { notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import type { BookingsTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';

export const KIND = 'booking';
export type BookingRow = BookingsTable;

export function actorOf(
  actor: Actor | null,
  b: Pick<BookingRow, 'consumerOrgId' | 'providerOrgId' | 'applicantId'>,
): BookingActor {
  const org = actor?.kind === 'person' ? actor.org : null;
  const party = !org ? null : org.id === b.consumerOrgId ? 'consumer' : org.id === b.providerOrgId ? 'provider' : null;
  return {
    party,
    isAdmin: !!party && (org!.role === 'admin' || org!.role === 'legal'),
    isApplicant: actor?.userId === b.applicantId,
  };
}

export const loadRow = (db: Db, id: string) =>
  db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * The booking for a caller who may see it: a member of the consumer organisation, or of the provider organisation
 * once it is submitted. Everyone else learns nothing (404), and the attempt is recorded.
 * (Departments will see bookings that a voucher claim refers to, with the voucher issue.)
 */
export async function loadVisible(
  deps: Deps,
  req: FastifyRequest,
  id: string,
): Promise<{ row: BookingRow; who: BookingActor }> {
  const { db } = deps.database;
  const row = await loadRow(db, id);
  if (!row) throw notFound('预约单');
  const who = actorOf(req.actor, row);
  if (!maySeeBooking(row.state, who)) {
    await record(db, auditCtx(deps, req), {
      action: 'permission.denied',
      subjectKind: KIND,
      subjectId: id,
      detail: { method: req.method, route: req.routeOptions.url },
    });
    throw notFound('预约单');
  }
  return { row, who };
}
