/**
 * GET /metrics in the Prometheus text format (issue 11): requests by route pattern and status, the mail outbox,
 * the catalogue's lag behind the change feed, the database pool, and the process (event-loop delay, memory, CPU).
 *
 * - Each app has a registry of its own: tests build several apps in one process, and prom-client's global default
 *   registry would mix their counts (and refuse a metric registered twice).
 * - The process metrics (prom-client's default metrics) live in one registry per process and are merged into each
 *   scrape: they describe the process, not the app, and each `collectDefaultMetrics` call starts an event-loop
 *   monitor and a GC observer that are never stopped, so one per app would pile up in a test process.
 * - The outbox and the catalogue head are read from the database when scraped, so every instance reports the
 *   shared outbox and its own snapshot's distance from the shared feed.
 * - Readable from loopback (the socket's address, never X-Forwarded-For, which a client writes itself; and not
 *   through a proxy) or with `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 403.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DomainError } from '../../../domain/errors';
import type { Deps } from '../../deps';
import { catalogueStatus, readHead } from '../catalogue/feed';
import { registerTerminalMetrics } from '../terminals/metrics';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processWide: Registry | null = null;
function processMetrics(): Registry {
  if (!processWide) {
    processWide = new Registry();
    collectDefaultMetrics({ register: processWide });
  }
  return processWide;
}

/** Compares digests, so neither the token's length nor its first differing character shows in the time taken. */
function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

/**
 * Loopback is the socket's address, never one a header names. A request that a proxy forwarded (nginx on the same
 * machine connects from loopback too) carries the proxy's forwarding header, so it needs the token like any other.
 */
export function metricsAllowed(req: FastifyRequest, token: string | undefined): boolean {
  const h = req.headers;
  const forwarded = h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined;
  return (LOOPBACK.has(req.socket.remoteAddress ?? '') && !forwarded) || tokenMatches(h.authorization, token);
}

interface Sample {
  outbox: { depth: number; oldestAgeSeconds: number; failed: number };
  catalogue: { built: boolean; instruments: number; snapshotSeq: number; headSeq: number };
}

/** What the gauges show, read from the database once per scrape (the gauges' collect() calls run together). */
function sampler(deps: Deps) {
  const db = deps.database.db;
  let pending: Promise<Sample | null> | null = null;
  async function read(): Promise<Sample> {
    const [byState, headSeq] = await Promise.all([
      db
        .selectFrom('mailOutbox')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.min('createdAt').as('oldest')])
        .where('state', 'in', ['queued', 'sending', 'failed'])
        .groupBy('state')
        .execute(),
      readHead(db),
    ]);
    // waiting to go: queued, or claimed by a dispatcher that is sending it (or died doing so)
    const waiting = byState.filter((r) => r.state !== 'failed');
    const oldest = waiting.map((r) => String(r.oldest)).sort()[0];
    const c = catalogueStatus(db);
    return {
      outbox: {
        depth: waiting.reduce((n, r) => n + Number(r.n), 0),
        oldestAgeSeconds: oldest ? Math.max(0, (deps.clock.now().getTime() - new Date(oldest).getTime()) / 1000) : 0,
        failed: Number(byState.find((r) => r.state === 'failed')?.n ?? 0),
      },
      catalogue: { built: c.built, instruments: c.instruments, snapshotSeq: c.seq, headSeq },
    };
  }
  return () => {
    // a failed read leaves the gauges empty for this scrape (absent, not stale), and the scrape still answers
    pending ??= read()
      .catch((e: unknown) => {
        deps.log.warn({ err: String(e) }, 'metrics: database read failed');
        return null;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
}

/** A gauge set at scrape time from the sample; empty when the sample could not be read. */
function sampledGauge(
  registry: Registry,
  sample: () => Promise<Sample | null>,
  name: string,
  help: string,
  value: (s: Sample) => number,
) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const s = await sample();
      if (s) this.set(value(s));
      else this.reset();
    },
  });
}

export function registerMetrics(app: FastifyInstance, deps: Deps) {
  const registry = new Registry();
  // started with the first app rather than at the first scrape, so that the CPU counters cover the process's work
  const processRegistry = processMetrics();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and status',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    // the pattern, never the raw URL: ids in paths would make a series per record
    const route = req.is404 ? 'unmatched' : (req.routeOptions.url ?? 'unmatched');
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  registerTerminalMetrics(registry, deps);
  const sample = sampler(deps);
  sampledGauge(
    registry,
    sample,
    'mail_outbox_depth',
    'Mails waiting to be sent (queued, or being sent)',
    (s) => s.outbox.depth,
  );
  sampledGauge(
    registry,
    sample,
    'mail_outbox_oldest_age_seconds',
    'Age of the oldest mail waiting to be sent (0 when none waits)',
    (s) => s.outbox.oldestAgeSeconds,
  );
  sampledGauge(registry, sample, 'mail_outbox_failed', 'Mails given up after the last retry', (s) => s.outbox.failed);
  sampledGauge(
    registry,
    sample,
    'catalogue_built',
    '1 when this instance holds its catalogue snapshot in memory',
    (s) => (s.catalogue.built ? 1 : 0),
  );
  sampledGauge(
    registry,
    sample,
    'catalogue_instruments',
    "Listed instruments in this instance's catalogue snapshot",
    (s) => s.catalogue.instruments,
  );
  sampledGauge(
    registry,
    sample,
    'catalogue_snapshot_seq',
    "Change-feed number this instance's snapshot holds",
    (s) => s.catalogue.snapshotSeq,
  );
  sampledGauge(
    registry,
    sample,
    'catalogue_feed_head_seq',
    'Change-feed number in the database (the newest catalogue write)',
    (s) => s.catalogue.headSeq,
  );
  sampledGauge(
    registry,
    sample,
    'catalogue_lag_changes',
    "Catalogue writes this instance's snapshot does not hold yet (head − snapshot)",
    (s) => Math.max(0, s.catalogue.headSeq - s.catalogue.snapshotSeq),
  );

  // PostgreSQL: the pg pool. SQLite: one connection that Kysely's driver lends to one query at a time.
  const pool = () => deps.database.poolStats?.() ?? { total: 1, idle: 1, waiting: 0 };
  new Gauge({
    name: 'db_pool_connections',
    help: 'Open database connections',
    registers: [registry],
    collect() {
      this.set(pool().total);
    },
  });
  new Gauge({
    name: 'db_pool_idle_connections',
    help: 'Open database connections not in use',
    registers: [registry],
    collect() {
      this.set(pool().idle);
    },
  });
  new Gauge({
    name: 'db_pool_waiting_queries',
    help: 'Queries waiting for a database connection',
    registers: [registry],
    collect() {
      this.set(pool().waiting);
    },
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAllowed(req, deps.config.METRICS_TOKEN)) {
      throw new DomainError(
        403,
        'METRICS_FORBIDDEN',
        '监控指标仅限本机访问，或携带有效的监控令牌（Authorization: Bearer）',
      );
    }
    const merged = Registry.merge([registry, processRegistry]);
    return reply
      .type(merged.contentType)
      .header('cache-control', 'no-store')
      .send(await merged.metrics());
  });
}
