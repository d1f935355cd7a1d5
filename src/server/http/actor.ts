import type { MemberRole } from '../../domain/binding';
import type { OrgState } from '../../domain/organization';

/** Who is calling, loaded once per request from the session. */
export interface Actor {
  userId: string;
  realName: string;
  kind: 'person' | 'department' | 'sysadmin';
  sessionId: string;
  csrfToken: string;
  department: { id: string; name: string; level: 'province' | 'city'; cityCode: string | null } | null;
  org: { id: string; name: string; role: MemberRole; state: OrgState; infoUpdatedAt: string | null } | null;
}

/** Named access rules; every route names one in `config.policy`. */
export type Policy =
  | 'public' // anyone, also visitors
  | 'user' // any logged-in account
  | 'person' // a natural person's account (not a department or the system administrator)
  | 'member' // bound to an organisation
  | 'orgAdmin' // org admin or legal representative account
  | 'legal' // legal representative account
  | 'reviewer' // city or province department
  | 'province' // province department
  | 'auditor' // system administrator or province department
  | 'sysadmin';

export function allows(policy: Policy, a: Actor | null): boolean {
  switch (policy) {
    case 'public':
      return true;
    case 'user':
      return !!a;
    case 'person':
      return a?.kind === 'person';
    case 'member':
      return a?.kind === 'person' && !!a.org;
    case 'orgAdmin':
      return a?.kind === 'person' && (a.org?.role === 'admin' || a.org?.role === 'legal');
    case 'legal':
      return a?.kind === 'person' && a.org?.role === 'legal';
    case 'reviewer':
      return a?.kind === 'department';
    case 'province':
      return a?.kind === 'department' && a.department?.level === 'province';
    case 'auditor':
      return a?.kind === 'sysadmin' || (a?.kind === 'department' && a.department?.level === 'province');
    case 'sysadmin':
      return a?.kind === 'sysadmin';
  }
}

export const POLICIES: Policy[] = [
  'public',
  'user',
  'person',
  'member',
  'orgAdmin',
  'legal',
  'reviewer',
  'province',
  'auditor',
  'sysadmin',
];
