import { z } from 'zod';

/** Claim names of a provider: what the platform reads from the ID token and userinfo. */
const ClaimNames = z
  .object({
    subject: z.string().min(1).default('sub'),
    name: z.string().min(1).default('name'),
    mobile: z.string().min(1).default('phone_number'),
    idCard: z.string().min(1).default('id_card_number'),
    orgName: z.string().min(1).default('org_name'),
    uscc: z.string().min(1).default('uscc'),
  })
  .strict();

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http on loopback only (the local provider of `npm run idp` and the tests). */
const endpoint = z
  .string()
  .url()
  .refine((v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
  }, 'must be an https:// address (http:// only on loopback)');

const ProviderSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'must be 2–32 lowercase letters, digits or -'),
    name: z.string().min(1).max(40),
    /** the name on the English pages (the Chinese name when unset) */
    nameEn: z.string().min(1).max(60).optional(),
    /** oidc: discovery from the issuer; oauth2: explicit endpoints and userinfo (NRII's national platform) */
    type: z.enum(['oidc', 'oauth2']).default('oidc'),
    issuer: endpoint.optional(),
    authorizationEndpoint: endpoint.optional(),
    tokenEndpoint: endpoint.optional(),
    userinfoEndpoint: endpoint.optional(),
    endSessionEndpoint: endpoint.optional(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    scopes: z.string().min(1).optional(),
    /** which of 个人登录 / 法人登录 the provider serves */
    modes: z
      .array(z.enum(['person', 'legal']))
      .min(1)
      .default(['person', 'legal']),
    claims: ClaimNames.default(ClaimNames.parse({})),
  })
  .strict()
  .superRefine((p, ctx) => {
    const need =
      p.type === 'oidc'
        ? (['issuer'] as const)
        : (['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const);
    for (const k of need)
      if (!p[k]) ctx.addIssue({ code: 'custom', path: [k], message: `required for type ${p.type}` });
  })
  .transform((p) => ({ ...p, scopes: p.scopes ?? (p.type === 'oidc' ? 'openid profile' : 'profile') }));

export type ProviderConfig = z.output<typeof ProviderSchema>;

/** The variables of one provider set by environment (OIDC_*); OIDC_PROVIDERS (a JSON list) names several. */
export interface ProviderEnv {
  OIDC_PROVIDERS?: string;
  OIDC_ISSUER?: string;
  OIDC_ID?: string;
  OIDC_NAME?: string;
  OIDC_NAME_EN?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_SCOPES?: string;
  OIDC_CLAIM_SUBJECT?: string;
  OIDC_CLAIM_NAME?: string;
  OIDC_CLAIM_MOBILE?: string;
  OIDC_CLAIM_ID_CARD?: string;
  OIDC_CLAIM_ORG_NAME?: string;
  OIDC_CLAIM_USCC?: string;
}

type Parsed = { providers: ProviderConfig[] } | { variable: keyof ProviderEnv; message: string };

/** Reads the providers from the environment; a bad value is reported with the variable to fix. */
export function parseProviders(env: ProviderEnv): Parsed {
  const problem = (variable: keyof ProviderEnv, e: z.ZodError) => ({
    variable,
    message: e.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`).join('; '),
  });
  if (env.OIDC_PROVIDERS) {
    let raw: unknown;
    try {
      raw = JSON.parse(env.OIDC_PROVIDERS);
    } catch {
      return { variable: 'OIDC_PROVIDERS', message: 'must be a JSON list of providers' };
    }
    const r = z.array(ProviderSchema).min(1).safeParse(raw);
    if (!r.success) return problem('OIDC_PROVIDERS', r.error);
    const ids = r.data.map((p) => p.id);
    if (new Set(ids).size !== ids.length) return { variable: 'OIDC_PROVIDERS', message: 'provider ids must differ' };
    return { providers: r.data };
  }
  if (!env.OIDC_ISSUER) return { providers: [] };
  const claims = Object.fromEntries(
    Object.entries({
      subject: env.OIDC_CLAIM_SUBJECT,
      name: env.OIDC_CLAIM_NAME,
      mobile: env.OIDC_CLAIM_MOBILE,
      idCard: env.OIDC_CLAIM_ID_CARD,
      orgName: env.OIDC_CLAIM_ORG_NAME,
      uscc: env.OIDC_CLAIM_USCC,
    }).filter(([, v]) => v),
  );
  const r = ProviderSchema.safeParse({
    id: env.OIDC_ID ?? 'province',
    name: env.OIDC_NAME ?? '山东省统一身份认证',
    nameEn: env.OIDC_NAME_EN ?? (env.OIDC_NAME ? undefined : 'Shandong Unified Identity'),
    type: 'oidc',
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    scopes: env.OIDC_SCOPES,
    claims,
  });
  if (!r.success) {
    const first = r.error.issues[0]?.path[0];
    const byField: Record<string, keyof ProviderEnv> = {
      issuer: 'OIDC_ISSUER',
      clientId: 'OIDC_CLIENT_ID',
      clientSecret: 'OIDC_CLIENT_SECRET',
      name: 'OIDC_NAME',
      nameEn: 'OIDC_NAME_EN',
      id: 'OIDC_ID',
      scopes: 'OIDC_SCOPES',
    };
    return problem(byField[String(first)] ?? 'OIDC_ISSUER', r.error);
  }
  return { providers: [r.data] };
}
