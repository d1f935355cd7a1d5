import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import { writeAtCommit } from '../../db/pg-trips';
import type { Actor } from '../../http/actor';

export interface AuditEntry {
  action: string;
  subjectKind?: string | null;
  subjectId?: string | null;
  fromState?: string | null;
  toState?: string | null;
  detail?: Record<string, unknown> | null;
  /** Overrides when there is no actor yet (failed login). */
  actorId?: string | null;
  actorName?: string | null;
  orgId?: string | null;
}

export interface AuditContext {
  actor: Actor | null;
  ip: string | null;
  now: Date;
}

const auditRow = (ctx: AuditContext, e: AuditEntry) => ({
  id: newId(),
  at: ctx.now.toISOString(),
  actorId: e.actorId !== undefined ? e.actorId : (ctx.actor?.userId ?? null),
  actorName: e.actorName !== undefined ? e.actorName : (ctx.actor?.realName ?? null),
  orgId: e.orgId !== undefined ? e.orgId : (ctx.actor?.org?.id ?? ctx.actor?.department?.id ?? null),
  ip: ctx.ip,
  action: e.action,
  subjectKind: e.subjectKind ?? null,
  subjectId: e.subjectId ?? null,
  fromState: e.fromState ?? null,
  toState: e.toState ?? null,
  detailJson: e.detail ? JSON.stringify(e.detail) : null,
});

/** Every state change, login, logout and refusal is recorded here, inside the transaction of the change. */
export async function record(db: Db, ctx: AuditContext, e: AuditEntry) {
  // nothing reads the log back in the change's transaction: on PostgreSQL the entry goes with the commit
  await writeAtCommit(db, db.insertInto('auditLog').values(auditRow(ctx, e)));
}

/** `record` of many entries (bulk writes such as the Excel import), in multi-row statements. */
export async function recordMany(db: Db, ctx: AuditContext, entries: AuditEntry[]) {
  for (let i = 0; i < entries.length; i += 500) {
    await db
      .insertInto('auditLog')
      .values(entries.slice(i, i + 500).map((e) => auditRow(ctx, e)))
      .execute();
  }
}
