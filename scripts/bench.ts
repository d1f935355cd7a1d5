/**
 * Catalogue benchmark (issues 3, 4 and 10): `npm run bench [-- options]`. This process builds the database and
 * is the load generator; the servers run in child processes of their own (scripts/bench-server.ts), so that the
 * load never shares a thread with a server.
 *
 * 1. Builds the database with the deterministic generator (scripts/generate.ts): 100,000 instruments in 2,000
 *    organisations (--smoke: 2,000 in 40) and 100,000 bookings (scripts/bench-bookings.ts; --smoke 2,000), in a
 *    temporary DATA_DIR/platform.sqlite, or with `--database postgres` in a fresh database `bench_<hex>` created
 *    on the server of DATABASE_URL (dropped at the end). It lists what the write mix will act on, then closes.
 * 2. Starts `node --import tsx src/server/main.ts` (PORT a free port, HOST=127.0.0.1, SEED_DEMO=false,
 *    LOG_LEVEL=warn, BENCH_ROUTES=true, CATALOGUE_CACHE=off for the flat cases) and times it until GET /api/ready
 *    answers 200 (ready_s: the server builds its catalogue on start).
 * 3. Runs every case of issue 10's targets, each followed by the baseline route GET /api/bench/baseline (a constant
 *    JSON body of about a search reply's size) driven with the same connections over the same servers; ratio =
 *    searches/s ÷ baseline requests/s. Before the cases of a server: 1 s (smoke 0.5 s) of another sequence of the
 *    mix to compile the code, then the catalogue's caches are emptied (GET /api/bench/catalogue-stats?drop=1).
 *    - flat:    flat mix, cache off, 16 keep-alive connections (scripts/bench-mix.ts: a uniform draw over 40,000
 *               URLs made from words that occur in the data, filters, deep pages and cursors, every sort);
 *    - flat64:  the same with 64 connections (0 errors);
 *    - mixed:   flat, 16 connections, while 10 writes/s go through the API (scripts/bench-writes.ts: 结算, 评价,
 *               停用/启用, edits of name, model and specifications, each by its organisation's admin, paced
 *               open-loop); the ratio is judged against the read-only flat ratio of the same run;
 *    - mixed50: the same at 50 writes/s;
 *    - multi:   with `--instances N` (PostgreSQL): N servers on the one database, searches over all, 10 writes/s
 *               on the first; every edit's token is looked for on the others every 20 ms (propagation_p99_ms);
 *    - search:  the Zipf mix of issue 3 on a server with the cache on, 8 connections, for 10 s and until 2,000
 *               distinct queries were asked (cache_hit_ratio: share of requests whose whole result was kept);
 *    then, on that server, a 10,000-row Excel import (import_10k_s) and booking life cycles with list reads
 *    (scripts/bench-bookings.ts: lifecycles_per_s, transition_p99_ms, booking_list_p99_ms, booking_errors).
 * 4. Prints a summary with PASS/FAIL against each target (ratios as they are; p99 targets scaled by
 *    5,000 ÷ baseline_rps when the baseline serves fewer than 5,000 requests/s) and, as the last line, one JSON
 *    object with the figures of every case run: search_* / baseline_rps / ratio / cache_hit_ratio (Zipf),
 *    flat_*, flat64_*, mixed_* with writes_per_s and write_p99_ms, mixed50_* with writes50_per_s and
 *    write50_p99_ms, multi_* with propagation_p99_ms, each case's <case>_baseline_rps and <case>_errors,
 *    import_10k_s, the booking figures, ready_s, rss_mb (the servers' largest VmRSS at the end of a case, with
 *    the anonymous memory of each one's background process), rss_peak_mb (VmHWM, the same way), load_avg (1-minute
 *    load average at the end), <case>_server_cpu_ms (the servers' CPU per search request, their background processes'
 *    included, from /proc: less sensitive to other load than requests/s) and `cases` (every figure in detail).
 *
 * Options: --smoke (2,000 instruments and bookings, 2 s per case, SQLite unless --database; exits non-zero on any
 * request error), --database sqlite|postgres, --instruments N (400000 for the large case), --seconds S,
 * --instances N (PostgreSQL: adds the multi case), --import-rows R. Naming one case runs just it and its
 * baseline: --mix flat|zipf, --no-cache, --connections N (alias --concurrency), --writes N (writes/s). --bookings runs
 * only the booking life cycles (no search case, no import).
 * BENCH_DATA_DIR=<dir> (SQLite) or BENCH_PGDB=<name> (PostgreSQL) uses that database, building it only when it
 * does not exist yet, and keeps it (each run adds its imported drafts and its writes; bookings are then skipped).
 * BENCH_KEEP=1 keeps the temporary directory or database.
 */
import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/server/config';
import { connect } from '../src/server/db/connect';
import { migrateToLatest } from '../src/server/db/migrate';
import { seedReference } from '../src/server/db/seed-reference';
import { systemClock } from '../src/server/platform/clock';
import { loadCatalogue } from './generate';
import {
  describeBookingBench,
  listWriteTargets,
  prepareBookings,
  runBookingBench,
  type BookingFixture,
  type WriteTargets,
} from './bench-bookings';
import { createImportAdmin, timeImport } from './bench-import';
import { createPgDatabase, dropPgDatabase, killAll, rssMb, startServer, type Server } from './bench-server';
import {
  caseFields,
  defaultCases,
  judge,
  runCase,
  singleCase,
  warmUp,
  type CaseResult,
  type CaseSpec,
} from './bench-cases';
import { WritePool } from './bench-writes';
import type { LoadResult } from './bench-load';

// ------------------------------------------------------------------ options

const args = process.argv.slice(2);
const opt = (name: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : undefined;
};
const SMOKE = args.includes('--smoke');
const DIALECT = (opt('database') ?? 'sqlite') as 'sqlite' | 'postgres';
if (DIALECT !== 'sqlite' && DIALECT !== 'postgres') throw new Error(`--database ${DIALECT}: sqlite or postgres`);
const PG_URL = process.env.DATABASE_URL;
if (DIALECT === 'postgres' && !PG_URL) throw new Error('--database postgres needs DATABASE_URL');
const N = Number(opt('instruments') ?? (SMOKE ? 2_000 : 100_000));
const SECONDS = Number(opt('seconds') ?? (SMOKE ? 2 : 10));
const IMPORT_ROWS = Number(opt('import-rows') ?? 10_000);
const INSTANCES = Number(opt('instances') ?? 1);
if (INSTANCES > 1 && DIALECT !== 'postgres')
  throw new Error('--instances N needs --database postgres (several servers on one database)');
const MIX = opt('mix') as 'flat' | 'zipf' | undefined;
if (MIX && MIX !== 'flat' && MIX !== 'zipf') throw new Error(`--mix ${MIX}: flat or zipf`);
const NO_CACHE = args.includes('--no-cache');
const CONNECTIONS = opt('connections') ?? opt('concurrency');
const WRITES = opt('writes');
const SINGLE = !!(MIX || NO_CACHE || CONNECTIONS || WRITES);
/** --bookings: only the booking life cycles (issue 4's scenario) on a freshly built database, no search case */
const BOOKINGS_ONLY = args.includes('--bookings');
const DATA_DIR = process.env.BENCH_DATA_DIR;
if (DATA_DIR && DIALECT !== 'sqlite') throw new Error('BENCH_DATA_DIR is for SQLite');
const PG_DB = process.env.BENCH_PGDB;
if (PG_DB && DIALECT !== 'postgres') throw new Error('BENCH_PGDB is for PostgreSQL');

const started = Date.now();
const log = (...a: unknown[]) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`, ...a);

const CASES: CaseSpec[] = BOOKINGS_ONLY
  ? []
  : SINGLE
    ? [
        singleCase(
          MIX ?? (NO_CACHE ? 'flat' : 'zipf'),
          !NO_CACHE,
          Number(CONNECTIONS ?? (MIX === 'zipf' || (!MIX && !NO_CACHE) ? 8 : 16)),
          Number(WRITES ?? 0),
          INSTANCES,
        ),
      ]
    : defaultCases(INSTANCES);

/** Each booking and instrument is written once: enough of each kind for every case with writes, and some over. */
const PER_KIND = Math.ceil((CASES.reduce((s, c) => s + c.writes * SECONDS, 0) / 4) * 1.2) + 5;

// ------------------------------------------------------------------ the database

interface Built {
  orgs: number;
  n: number;
  fixture: BookingFixture | null;
  importAdmin: string;
  targets: WriteTargets;
}

/** Builds (or reuses) the run's database in this process, lists what the writes need, and closes it again. */
async function buildDatabase(dataDir: string, databaseUrl: string | undefined, reuse: boolean): Promise<Built> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const database = connect(databaseUrl ? { databaseUrl } : { sqliteFile: config.sqliteFile });
  try {
    await migrateToLatest(database.db);
    let orgs: { id: string }[];
    let fixture: BookingFixture | null = null;
    let n = N;
    const t0 = Date.now();
    if (reuse) {
      orgs = await database.db.selectFrom('organizations').select('id').orderBy('id').execute();
      const c = await database.db
        .selectFrom('instruments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('internalNo', 'like', 'YQ%')
        .executeTakeFirstOrThrow();
      n = Number(c.n);
      log(
        `reusing ${databaseUrl ? `database ${PG_DB}` : dataDir}: ${n.toLocaleString('en')} generated instruments, ${orgs.length.toLocaleString('en')} organisations`,
      );
    } else {
      await seedReference(database.db, config, systemClock);
      const loaded = await loadCatalogue(database, N, log);
      orgs = loaded.orgs;
      log(
        `database built in ${((Date.now() - t0) / 1000).toFixed(1)} s (indexing ${loaded.indexS.toFixed(1)} s), ${orgs.length.toLocaleString('en')} organisations`,
      );
      fixture = await prepareBookings(database, { bookings: SMOKE ? 2_000 : 100_000, orgs: loaded.orgs, log });
      log(`bookings: ${fixture.bookings.toLocaleString('en')} written in ${fixture.buildS.toFixed(1)} s`);
      // the catalogue benchmark does not look at the statistics: the generated history is marked as aggregated, or
      // the server's first feed pass would read every generated booking while the cases run (the statistics have
      // their own benchmark, --stats, which builds the aggregates); the writes of the cases are aggregated live
      const now = new Date().toISOString();
      for (const source of ['bookings', 'usage'])
        await database.db
          .insertInto('statsFeed')
          .values({ source, watermark: now, refreshedAt: now })
          .onConflict((oc) => oc.column('source').doUpdateSet({ watermark: now, refreshedAt: now }))
          .execute();
    }
    const importAdmin = await createImportAdmin(database.db, orgs[0].id);
    const exclude = new Set(fixture?.pairs.flatMap((p) => p.instrumentIds) ?? []);
    const targets = await listWriteTargets(
      database.db,
      { settle: PER_KIND, rate: PER_KIND, instruments: 2 * PER_KIND },
      exclude,
    );
    if (CASES.some((c) => c.writes))
      log(
        `writes: ${PER_KIND} of each kind wanted; the database has ${targets.settle.length} settlements, ${targets.rate.length} ratings, ${targets.instruments.length} instruments in the organisations chosen`,
      );
    // the load above wrote ~0.5 GB of WAL on PostgreSQL: its checkpoint (asked for by max_wal_size) would write the
    // loaded pages out while the cases run, and every page's first change after it logs the whole page. The cases
    // measure the platform, not the aftermath of the load, so the load's checkpoint is taken now (SQLite: its WAL
    // is folded into the database file)
    if (databaseUrl) await sql`checkpoint`.execute(database.db);
    else await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    return { orgs: orgs.length, n, fixture, importAdmin, targets };
  } finally {
    await database.close();
  }
}

// ------------------------------------------------------------------ run

async function main() {
  // npm run bench -- --terminals N: the terminal ingest benchmark (scripts/bench-terminals.ts)
  if (args.includes('--terminals')) return (await import('./bench-terminals')).runTerminalBench(args);
  // npm run bench -- --stats: the sharing statistics benchmark (scripts/bench-stats.ts)
  if (args.includes('--stats')) return (await import('./bench-stats')).runStatsBench(args);
  log(
    `catalogue benchmark: ${DIALECT}, ${N.toLocaleString('en')} instruments, ${SECONDS} s per case, ${CASES.length} case(s): ${CASES.map((c) => c.key).join(', ')}; ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}${SMOKE ? ' (smoke)' : ''}`,
  );
  const dir = DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'isp-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  let pgDb: { name: string; url: string; existed: boolean } | undefined;
  const servers: Server[] = [];
  const results: CaseResult[] = [];
  let errors = 0;
  const firstErrors: string[] = [];
  const stopAll = async () => {
    while (servers.length) await servers.pop()!.stop();
  };
  try {
    if (DIALECT === 'postgres') pgDb = await createPgDatabase(PG_URL!, PG_DB);
    const reuse = pgDb ? pgDb.existed : fs.existsSync(path.join(dir, 'platform.sqlite'));
    const built = await buildDatabase(dir, pgDb?.url, reuse);
    const start = async (cache: boolean, label: string) => {
      const s = await startServer({ dataDir: dir, databaseUrl: pgDb?.url, cache, label, log });
      servers.push(s);
      return s;
    };
    const baselines = new Map<string, { load: LoadResult; cpuMs: number | null }>();
    let readyS: number | null = null;
    const rss = { now: 0, peak: 0 };
    const sample = () => {
      for (const s of servers) {
        const m = rssMb(s.pid);
        rss.now = Math.max(rss.now, m.rss ?? 0);
        rss.peak = Math.max(rss.peak, m.peak ?? 0);
      }
    };
    let imp: Awaited<ReturnType<typeof timeImport>> | null = null;
    let bookings: Awaited<ReturnType<typeof runBookingBench>> | null = null;

    // servers with the cache off for the flat cases, then one with it on for the Zipf case (same database, in turn)
    for (const cache of [false, true]) {
      const mine = CASES.filter((c) => c.cache === cache);
      if (!mine.length && !(cache && BOOKINGS_ONLY)) continue;
      const first = await start(cache, cache ? 'cache-on' : 'cache-off');
      readyS ??= first.readyS;
      const mixes = [...new Set(mine.map((c) => c.mix))];
      for (const m of mixes) await warmUp([first], m, SMOKE ? 0.5 : 1, log);
      const pool = mine.some((c) => c.writes)
        ? await WritePool.prepare(first.port, built.targets, PER_KIND, log)
        : undefined;
      for (const spec of mine) {
        while (servers.length < spec.instances) {
          const s = await start(cache, `${cache ? 'cache-on' : 'cache-off'}-${servers.length + 1}`);
          await warmUp([s], spec.mix, SMOKE ? 0.5 : 1, log);
        }
        const r = await runCase(spec, servers.slice(0, spec.instances), {
          seconds: SECONDS,
          minDistinct: spec.mix === 'zipf' && !SMOKE ? 2_000 : 0,
          pool,
          baselines,
          log,
        });
        results.push(r);
        sample();
        const e = r.search.errors + r.baseline.errors + (r.writes?.errors ?? 0);
        if (e) {
          errors += e;
          firstErrors.push(`${spec.key}: ${r.search.firstError ?? r.baseline.firstError ?? r.writes?.first_error}`);
        }
      }
      pool?.close();
      if (cache && !SINGLE) {
        if (!BOOKINGS_ONLY) {
          imp = await timeImport(first.base, built.importAdmin, IMPORT_ROWS, log);
          log(`import:   ${imp.created.toLocaleString('en')} rows in ${imp.seconds.toFixed(2)} s`);
        }
        // last, because settling and rating change the catalogue (service counts, ratings)
        if (built.fixture)
          bookings = await runBookingBench(first.base, built.fixture, { seconds: SECONDS, concurrency: 8, log });
        else log('bookings: skipped on a reused database (the fixture is written when the database is built)');
        sample();
        if (bookings?.booking_errors) {
          errors += bookings.booking_errors;
          firstErrors.push(`bookings: ${bookings.first_error}`);
        }
      }
      await stopAll();
    }

    // ---- summary
    const loadAvg = os.loadavg()[0];
    const readOnly = results.find((r) => r.spec.key === 'flat');
    console.log('');
    console.log(
      `Summary (${DIALECT}, ${built.n.toLocaleString('en')} instruments in ${built.orgs.toLocaleString('en')} organisations, ${SECONDS} s per case, load average ${loadAvg.toFixed(2)}${SMOKE ? ', smoke: the targets are for 100,000 instruments' : ''}):`,
    );
    console.log(
      `  server ready ${readyS?.toFixed(2)} s after its start (target ≤ 10 s at 100,000 on a quiet machine); RSS ${rss.now} MB at the end of a case, peak ${rss.peak} MB (target < 400 MB at 100,000)`,
    );
    for (const r of results) {
      console.log(
        `  ${r.spec.key.padEnd(8)} ${r.spec.title}: p50 ${r.search.p50.toFixed(1)} ms, p99 ${r.search.p99.toFixed(1)} ms, ${r.search.rps.toFixed(0)}/s over ${r.search.distinct.toLocaleString('en')} distinct; baseline ${r.baseline.rps.toFixed(0)}/s; ratio ${r.ratio.toFixed(4)}; server CPU ${r.serverCpuMs?.toFixed(2)} ms per search, ${r.baselineCpuMs?.toFixed(2)} per baseline request${r.cacheHitRatio != null && r.spec.cache ? `; cache hits ${(r.cacheHitRatio * 100).toFixed(1)}%` : ''}`,
      );
      if (r.writes)
        console.log(
          `           writes ${r.writes.writes_per_s}/s of ${r.spec.writes}/s, p99 ${r.writes.write_p99_ms} ms (${Object.entries(
            r.writes.write_p99_by_kind,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join(
              ', ',
            )}), errors ${r.writes.errors}${r.writes.propagation_p99_ms !== undefined ? `, visible on the other instances after p99 ${r.writes.propagation_p99_ms} ms` : ''}`,
        );
      for (const line of judge(r, readOnly, built.n)) console.log(line);
    }
    if (imp)
      console.log(
        `  import of ${IMPORT_ROWS.toLocaleString('en')} rows ${imp.seconds.toFixed(2)} s (target ≤ 15 s for 10,000)`,
      );
    if (built.fixture && bookings) {
      for (const line of describeBookingBench(built.fixture, bookings)) console.log(line);
      const t = bookings.transition_p99_ms ?? Infinity;
      console.log(
        `    ${t <= 20 ? 'PASS' : 'FAIL'}  transition p99: ${bookings.transition_p99_ms} ms ≤ 20 ms ` +
          `(issue 10, at 100,000 bookings, ${bookings.transition_paced_rate} life cycles begun per second; ` +
          `flat out, ${bookings.transition_p99_saturated_ms} ms)`,
      );
    }
    if (errors) console.log(`  ${errors} request errors; first: ${firstErrors.join(' | ')}`);
    console.log(`  total ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(
      JSON.stringify({
        instruments: built.n,
        database: DIALECT,
        ...(INSTANCES > 1 ? { instances: INSTANCES } : {}),
        ...Object.assign({}, ...results.map(caseFields)),
        ...(imp
          ? IMPORT_ROWS === 10_000
            ? { import_10k_s: +imp.seconds.toFixed(2) }
            : { import_10k_s: null, import_rows: IMPORT_ROWS, import_s: +imp.seconds.toFixed(2) }
          : {}),
        ...(bookings && built.fixture
          ? {
              bookings: built.fixture.bookings,
              lifecycles_per_s: bookings.lifecycles_per_s,
              transition_p99_ms: bookings.transition_p99_ms,
              transition_paced_rate: bookings.transition_paced_rate,
              transition_p99_saturated_ms: bookings.transition_p99_saturated_ms,
              booking_list_p99_ms: bookings.booking_list_p99_ms,
              booking_errors: bookings.booking_errors,
            }
          : {}),
        ready_s: readyS == null ? null : +readyS.toFixed(2),
        rss_mb: rss.now || null,
        rss_peak_mb: rss.peak || null,
        load_avg: +loadAvg.toFixed(2),
        errors,
        cases: results.map((r) => ({
          key: r.spec.key,
          mix: r.spec.mix,
          cache: r.spec.cache,
          connections: r.spec.connections,
          writes: r.spec.writes,
          instances: r.spec.instances,
          requests: r.search.requests,
          distinct: r.search.distinct,
          p50_ms: +r.search.p50.toFixed(2),
          p99_ms: +r.search.p99.toFixed(2),
          rps: +r.search.rps.toFixed(1),
          mean_kb: +(r.search.meanBytes / 1024).toFixed(1),
          baseline_rps: +r.baseline.rps.toFixed(1),
          baseline_p99_ms: +r.baseline.p99.toFixed(2),
          ratio: +r.ratio.toFixed(4),
          server_cpu_ms: r.serverCpuMs == null ? null : +r.serverCpuMs.toFixed(2),
          baseline_cpu_ms: r.baselineCpuMs == null ? null : +r.baselineCpuMs.toFixed(2),
          errors: r.search.errors,
          cache_hit_ratio: r.cacheHitRatio == null ? null : +r.cacheHitRatio.toFixed(4),
          rebuilds: r.rebuilds,
          patches: r.patches,
          rss_mb: r.rssMb,
          ...(r.writes ? { write: r.writes } : {}),
        })),
      }),
    );
    if (errors) throw new Error(`${errors} request errors; first: ${firstErrors.join(' | ')}`);
  } finally {
    await stopAll().catch(() => killAll());
    // on stderr: the JSON object stays the last line of stdout
    if (pgDb && (PG_DB || process.env.BENCH_KEEP === '1')) console.error(`kept database ${pgDb.name}`);
    else if (pgDb) await dropPgDatabase(PG_URL!, pgDb.name);
    if (DATA_DIR || process.env.BENCH_KEEP === '1') console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    killAll();
    process.exit(1);
  },
);
