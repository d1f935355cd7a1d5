import { z } from 'zod';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseProviders, type ProviderConfig } from './modules/identity/provider-config';

/** One entry of TRUST_PROXY as proxy-addr (Fastify's trustProxy) accepts it; a bad one would stop Fastify with a vaguer error. */
function isProxyEntry(raw: string): boolean {
  const entry = raw.trim();
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const schema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
      .optional(),
    SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
    SESSION_MAX_HOURS: z.coerce.number().int().positive().default(12),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z.string().default('大型科学仪器设备协作共用网 <noreply@localhost>'),
    SITE_NAME: z.string().default('山东省大型科学仪器设备协作共用网'),
    /** unset: the address the app listens on, http://<HOST, or localhost for a wildcard HOST>:<PORT> (publicUrlDefault) */
    PUBLIC_URL: z.string().url().optional(),
    ADMIN_USERNAME: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/)
      .default('sysadmin'),
    ADMIN_PASSWORD: z.string().min(8).default('Admin@12345'),
    SEED_DEMO: z.enum(['true', 'false']).default('true'),
    COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
    /** a CJK font for printed vouchers (TTF, OTF or TTC); the Debian package fonts-noto-cjk provides the default */
    PDF_FONT: z.string().default('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
    /** the font's PostScript name inside a collection (.ttc) */
    PDF_FONT_NAME: z.string().default('NotoSansCJKsc-Regular'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** the catalogue's result cache (kept results of searches); `off` computes every search afresh (the benchmark's cold case) */
    CATALOGUE_CACHE: z.enum(['on', 'off']).default('on'),
    STATS_CACHE: z.enum(['on', 'off']).default('on'),
    /** how often (ms) the sharing statistics read the change feeds into their aggregates; 0 switches the timer off */
    STATS_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
    /**
     * the share of the time a busy statistics pass may take (refresher.ts): under a steady stream of changes the
     * statistics lag instead of the requests slowing down
     */
    STATS_REFRESH_SHARE: z.coerce.number().min(0.01).max(1).default(0.03),
    /**
     * `on`: the statistics refresher, the MQTT ingest and the live status's poll and sweep run in a child process at
     * nice 10 with their own database connection, so that none takes time from the requests (background/process.ts);
     * `off`: in the server's own thread
     */
    BACKGROUND_PROCESS: z.enum(['on', 'off']).default('on'),
    /** `true`: the benchmark's routes /api/bench/catalogue-stats (loopback only); never in production */
    BENCH_ROUTES: z.enum(['true', 'false']).default('false'),
    /**
     * The proxies whose X-Forwarded-For is believed: off by default (the socket's address is the client's); a
     * comma-separated list of addresses or CIDRs (`127.0.0.1,10.0.0.0/8`), or `loopback`. The client's address is
     * then the nearest one in X-Forwarded-For that is not a trusted proxy: list every proxy hop, and nothing else.
     */
    TRUST_PROXY: z
      .string()
      .refine(
        (v) => v.split(',').every(isProxyEntry),
        'must be a comma-separated list of addresses or CIDRs (127.0.0.1,10.0.0.0/8) or loopback, linklocal, uniquelocal',
      )
      .optional(),
    /** a bearer token that lets /metrics be read from other addresses than loopback */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** the MQTT broker the instrument terminals publish to (mqtt://host:port); unset: no MQTT ingest (HTTP ingest only) */
    MQTT_URL: z
      .string()
      .regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://')
      .optional(),
    MQTT_USERNAME: z.string().optional(),
    MQTT_PASSWORD: z.string().optional(),
    /** the stable base of this instance's MQTT client ids (persistent sessions); default isp-<host name>-<PORT> */
    MQTT_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional(),
    /** topics are <prefix>/<terminal id>/status */
    MQTT_TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_/-]{1,60}$/)
      .default('isp/terminals'),
    /** the shared-subscription group: instances in one group split the messages ($share/<group>/…) */
    MQTT_SHARE_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .default('isp'),
    /**
     * MQTT connections per instance. Each hands over one message at a time, so this caps a batch: 256 and 50 ms
     * gather about 60 readings a batch at 1,000 readings/s (16 at 64 and 10 ms), and the process writing them took
     * 26–29% of a core instead of 33% (decision 0003)
     */
    MQTT_INGEST_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(256),
    /** how long the first reading of a batch waits for more before the batch is written (ms) */
    MQTT_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1000).default(50),
    /** a terminal that sends nothing for this long is 离线, and its open intervals are cut */
    TERMINAL_HEARTBEAT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
    /** a terminal whose time differs from the time of arrival by more is flagged (clock far off) */
    TERMINAL_MAX_SKEW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /** seals the terminal keys in the database (AES-256-GCM); unset: SESSION_SECRET */
    TERMINAL_KEY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** uploaded files in an S3-compatible store instead of DATA_DIR/uploads (several instances on several machines) */
    S3_ENDPOINT: z.string().url().optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
      .optional(),
    S3_REGION: z.string().default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    /** `true` (the default) addresses the bucket as a path (http://host/bucket/key), as MinIO and most local stores need */
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
    /** `false`: persons and legal persons log in only through the identity providers; department accounts and the system administrator keep their local login */
    AUTH_LOCAL: z.enum(['true', 'false']).default('true'),
    /** the unified identity providers (issue 13): one by OIDC_ISSUER … or several as a JSON list (modules/identity/provider-config.ts) */
    OIDC_PROVIDERS: z.string().optional(),
    OIDC_ISSUER: z.string().optional(),
    OIDC_ID: z.string().optional(),
    OIDC_NAME: z.string().optional(),
    OIDC_NAME_EN: z.string().optional(),
    OIDC_CLIENT_ID: z.string().optional(),
    OIDC_CLIENT_SECRET: z.string().optional(),
    OIDC_SCOPES: z.string().optional(),
    OIDC_CLAIM_SUBJECT: z.string().optional(),
    OIDC_CLAIM_NAME: z.string().optional(),
    OIDC_CLAIM_MOBILE: z.string().optional(),
    OIDC_CLAIM_ID_CARD: z.string().optional(),
    OIDC_CLAIM_ORG_NAME: z.string().optional(),
    OIDC_CLAIM_USCC: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    const idp = parseProviders(c);
    if ('variable' in idp) ctx.addIssue({ code: 'custom', path: [idp.variable], message: idp.message });
    // half an S3 setting would silently keep files on the local disk of one machine: refuse it instead
    const pairs = [
      ['S3_ENDPOINT', 'S3_BUCKET'],
      ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
    ] as const;
    for (const [a, b] of pairs) {
      for (const [set, missing] of [
        [a, b],
        [b, a],
      ] as const) {
        if (c[set] !== undefined && c[missing] === undefined)
          ctx.addIssue({ code: 'custom', path: [missing], message: `must be set together with ${set}` });
      }
    }
  });

export type Config = Omit<z.infer<typeof schema>, 'PUBLIC_URL'> & {
  /** the address links in mail and the QR code of printed vouchers point to */
  PUBLIC_URL: string;
  /** true when PUBLIC_URL was not set and is the address the app listens on */
  publicUrlIsDefault: boolean;
  sqliteFile: string;
  uploadDir: string;
  /** the identity providers parsed from OIDC_* (empty: none configured) */
  identityProviders: ProviderConfig[];
};

/** The address the app listens on, as a browser on this machine or the network would reach it. */
export function publicUrlDefault(host: string, port: number): string {
  const h = host.trim();
  const name = ['', '0.0.0.0', '::', '[::]', '::0'].includes(h) ? 'localhost' : isIP(h) === 6 ? `[${h}]` : h;
  return `http://${name}:${port}`;
}

/** Parse the environment once; a bad value stops the start with its name and the fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(
      `Invalid configuration:\n${lines.join('\n')}\nFix the environment variable(s) above (see README.md, 配置 / Configuration).`,
    );
  }
  const c = parsed.data;
  return {
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? publicUrlDefault(c.HOST, c.PORT)).replace(/\/+$/, ''),
    publicUrlIsDefault: c.PUBLIC_URL === undefined,
    sqliteFile: path.resolve(c.DATA_DIR, 'platform.sqlite'),
    uploadDir: path.resolve(c.DATA_DIR, 'uploads'),
    identityProviders: (parseProviders(c) as { providers: ProviderConfig[] }).providers,
  };
}
