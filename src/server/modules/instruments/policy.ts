import type { Actor } from '../../http/actor';

export interface Owner {
  orgId: string;
  departmentId: string;
}

/**
 * Who may see an instrument that is not listed (draft, pending, rejected) and its files: the members of the owning
 * organisation, the department in charge of it (its city bureau, or the province for provincial units) and the
 * province department, which oversees all reviews. Everyone else is told it does not exist.
 */
export function mayViewUnlisted(actor: Actor | null, o: Owner): boolean {
  if (!actor) return false;
  if (actor.kind === 'person') return actor.org?.id === o.orgId;
  if (actor.kind === 'department')
    return actor.department?.id === o.departmentId || actor.department?.level === 'province';
  return false;
}

/** An admin (or the legal representative account) of the owning organisation. */
export const mayManage = (actor: Actor | null, orgId: string): boolean =>
  actor?.kind === 'person' && actor.org?.id === orgId && (actor.org.role === 'admin' || actor.org.role === 'legal');
