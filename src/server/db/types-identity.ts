/** Tables of the unified identity login (issue 13): external identities and their links to platform accounts. */

/** One identity at one provider, linked to exactly one platform account (and an account to at most one per provider). */
export interface ExternalIdentitiesTable {
  id: string;
  /** the provider's configured id (OIDC_ID or the `id` in OIDC_PROVIDERS) */
  provider: string;
  /** the provider's subject identifier of the person or legal person */
  subject: string;
  userId: string;
  kind: 'person' | 'legal';
  /** HMAC-SHA-256 (SESSION_SECRET) or SHA-256 of the identity-card number; the number itself is never stored */
  idCardHash: string | null;
  /** a legal person's organisation as the provider named it */
  uscc: string | null;
  orgName: string | null;
  createdAt: string;
  lastLoginAt: string | null;
}

/** A login sent to a provider and not come back yet: single use, short-lived, keyed by the hash of its `state`. */
export interface IdentityLoginsTable {
  stateHash: string;
  provider: string;
  mode: 'person' | 'legal';
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
  /** set when a logged-in local account links an identity */
  linkUserId: string | null;
  expiresAt: string;
}

/** A platform session that began at a provider: the ID token for RP-initiated logout. Ends with the session. */
export interface IdentitySessionsTable {
  sessionId: string;
  provider: string;
  idToken: string | null;
}

export interface IdentityTables {
  externalIdentities: ExternalIdentitiesTable;
  identityLogins: IdentityLoginsTable;
  identitySessions: IdentitySessionsTable;
}
