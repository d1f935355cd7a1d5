import type { Db } from '../../db/connect';
import type { AuditContext } from '../audit/service';

/**
 * What the reviews module needs from a reviewed subject. A module registers one per kind at start;
 * the hooks run inside the review's transaction, so the subject's state and the review never disagree.
 */
export interface ReviewSubject {
  kind: string;
  label: string;
  onApproved(trx: Db, subjectId: string, ctx: AuditContext): Promise<void>;
  onRejected(trx: Db, subjectId: string, reason: string, ctx: AuditContext): Promise<void>;
  onReturned?(trx: Db, subjectId: string, reason: string, ctx: AuditContext): Promise<void>;
  /** The subject as the reviewer sees it on the detail page. */
  describe(db: Db, subjectId: string): Promise<Record<string, unknown>>;
}

const registry = new Map<string, ReviewSubject>();
export function registerSubject(s: ReviewSubject) {
  registry.set(s.kind, s);
}
export function subjectOf(kind: string): ReviewSubject {
  const s = registry.get(kind);
  if (!s) throw new Error(`no review subject registered for ${kind}`);
  return s;
}
export const subjectKinds = () => [...registry.values()].map((s) => ({ kind: s.kind, label: s.label }));

/** Told whenever a review arrives at a department's level (submitted, passed on to the next level, resubmitted). */
export type QueueListener = (
  trx: Db,
  r: { id: string; subjectKind: string; title: string; departmentId: string; level: number },
) => Promise<void>;
let queueListener: QueueListener | null = null;
export function onReviewQueued(fn: QueueListener) {
  queueListener = fn;
}
export const reviewQueued: QueueListener = async (trx, r) => {
  if (queueListener) await queueListener(trx, r);
};
