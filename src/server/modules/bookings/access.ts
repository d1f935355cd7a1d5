/** Who a caller is to a booking, and the booking as that caller may see it. */
import type { FastifyRequest } from 'fastify';
import { PostgresAdapter } from 'kysely';
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

/** The booking's row; `forUpdate` also takes its row lock for the rest of the transaction (PostgreSQL). */
export const loadRow = (db: Db, id: string, forUpdate = false) =>
  db
    .selectFrom('bookings')
    .selectAll()
    .where('id', '=', id)
    .$if(forUpdate && db.getExecutor().adapter instanceof PostgresAdapter, (q) => q.forUpdate())
    .executeTakeFirst();

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
  const row = await loadRow(deps.database.db, id);
  return { row: row!, who: await visibleTo(deps, req, id, row) };
}

/**
 * Who the caller is to a booking read already (undefined: none such); 404, and an audit entry, when they may not
 * see it.
 */
export async function visibleTo(
  deps: Deps,
  req: FastifyRequest,
  id: string,
  row: Pick<BookingRow, 'state' | 'consumerOrgId' | 'providerOrgId' | 'applicantId'> | undefined,
): Promise<BookingActor> {
  if (!row) throw notFound('预约单');
  const who = actorOf(req.actor, row);
  if (!maySeeBooking(row.state, who)) {
    await recordDenied(deps, req, id);
    throw notFound('预约单');
  }
  return who;
}

const recordDenied = (deps: Deps, req: FastifyRequest, id: string) =>
  record(deps.database.db, auditCtx(deps, req), {
    action: 'permission.denied',
    subjectKind: KIND,
    subjectId: id,
    detail: { method: req.method, route: req.routeOptions.url },
  });

/**
 * A command on a booking the caller may see, in one transaction whose first read is the booking (with its row lock
 * when `lock`: for changes that read other rows before they write, such as the files of a slot; PostgreSQL needs
 * it, SQLite's write transactions are serial already). One read instead of `loadVisible` before the transaction
 * and another inside it. A caller who may not see it gets 404, and the attempt is recorded after the rollback.
 */
export async function inVisibleBooking<T>(
  deps: Deps,
  req: FastifyRequest,
  id: string,
  work: (trx: Db, row: BookingRow) => Promise<T>,
  o: { lock?: boolean } = {},
): Promise<T> {
  let denied = false;
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const row = await loadRow(trx, id, o.lock);
      if (!row) throw notFound('预约单');
      if (!maySeeBooking(row.state, actorOf(req.actor, row))) {
        denied = true;
        throw notFound('预约单');
      }
      return work(trx, row);
    });
  } catch (e) {
    if (denied) await recordDenied(deps, req, id);
    throw e;
  }
}
