import { isValidUscc } from '../../../domain/uscc';
import type { Deps } from '../../deps';
import { hashToken } from '../../http/session';
import type { ProviderConfig } from './provider-config';

export type LoginMode = 'person' | 'legal';

/** Why an external login was refused; the web's error page explains each in Chinese and English. */
export type RefusalReason =
  | 'PROVIDER_DOWN'
  | 'PROVIDER_ERROR'
  | 'UNKNOWN_PROVIDER'
  | 'STATE_INVALID'
  | 'LOGIN_FAILED'
  | 'CLAIMS_MISSING'
  | 'USCC_INVALID'
  | 'NOT_LEGAL'
  | 'NOT_PERSON'
  | 'MOBILE_TAKEN'
  | 'IDENTITY_TAKEN'
  | 'ACCOUNT_LINKED'
  | 'ACCOUNT_DISABLED';

export class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly subject: string | null = null,
    detail?: string,
  ) {
    super(detail ?? reason);
  }
}

export interface MappedIdentity {
  subject: string;
  kind: LoginMode;
  name: string;
  mobile: string | null;
  idCardHash: string | null;
  orgName: string | null;
  uscc: string | null;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() && !v.includes('\u0000') ? v.trim() : null);

/**
 * The provider's claims (ID token and userinfo, merged) read with the provider's claim names. A legal person is
 * whoever carries a USCC; its check character must hold. The identity-card number is kept only as a hash.
 */
export function mapClaims(deps: Deps, p: ProviderConfig, claims: Record<string, unknown>, mode: LoginMode) {
  const n = p.claims;
  const subject = text(claims[n.subject]) ?? (typeof claims[n.subject] === 'number' ? String(claims[n.subject]) : null);
  if (!subject || subject.length > 255) throw new Refusal('CLAIMS_MISSING', null, `no ${n.subject}`);
  const uscc = text(claims[n.uscc])?.toUpperCase() ?? null;
  const kind: LoginMode = uscc ? 'legal' : 'person';
  if (mode === 'legal' && kind !== 'legal') throw new Refusal('NOT_LEGAL', subject);
  if (mode === 'person' && kind !== 'person') throw new Refusal('NOT_PERSON', subject);
  if (uscc && !isValidUscc(uscc)) throw new Refusal('USCC_INVALID', subject, uscc);
  const orgName = text(claims[n.orgName])?.slice(0, 100) ?? null;
  const name = (text(claims[n.name]) ?? orgName)?.slice(0, 50) ?? null;
  if (!name || (kind === 'legal' && !orgName)) throw new Refusal('CLAIMS_MISSING', subject, 'no name');
  const mobileRaw = text(claims[n.mobile])?.replace(/^\+?86/, '') ?? null;
  const idCard = text(claims[n.idCard])?.toUpperCase() ?? null;
  return {
    subject,
    kind,
    name,
    // a legal person's account is the organisation's: a representative's mobile stays with their own account
    mobile: kind === 'person' && mobileRaw && /^1\d{10}$/.test(mobileRaw) ? mobileRaw : null,
    idCardHash: idCard ? hashToken(deps, `idcard:${idCard}`) : null,
    orgName,
    uscc,
  } satisfies MappedIdentity;
}
