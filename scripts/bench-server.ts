/**
 * The benchmark's servers (scripts/bench.ts): each is the real server (src/server/main.ts) in a child process of
 * its own, so that the load generator never shares a thread with it; and the PostgreSQL database of a run.
 *
 * - startServer spawns `node --expose-gc --max-semi-space-size=4 --import tsx src/server/main.ts` (the flags of `npm start`) on a free loopback port with the database of the run
 *   (DATA_DIR for SQLite, DATABASE_URL for PostgreSQL), SEED_DEMO=false, LOG_LEVEL=warn, BENCH_ROUTES=true and
 *   CATALOGUE_CACHE=off when asked; it times the start until GET /api/ready answers 200 (ready_s). A server that
 *   has no /api/ready yet is taken as ready once its first search answers.
 * - catalogueStats reads GET /api/bench/catalogue-stats (`drop` empties the catalogue's caches first); rssMb reads
 *   the child's VmRSS (and VmHWM, its peak) from /proc.
 * - every child is killed when the benchmark exits, fails or is interrupted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

type Log = (...a: unknown[]) => void;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The node flags `npm start` runs the server with (package.json), read from there so that both stay one. */
export const SERVER_NODE_FLAGS: string[] = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.match(
    /tsx ((?:--[\w-]+(?:=\S+)? )*)src\/server\/main\.ts/,
  )?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);

export interface ServerOptions {
  /** SQLite: the directory that holds platform.sqlite (and uploads) */
  dataDir: string;
  /** PostgreSQL: the run's database */
  databaseUrl?: string;
  cache: boolean;
  label: string;
  log: Log;
  /** seconds to wait for /api/ready (default 600) */
  timeoutS?: number;
}

export interface Server {
  label: string;
  port: number;
  base: string;
  pid: number;
  child: ChildProcess;
  /** seconds from spawn to /api/ready answering 200 */
  readyS: number;
  /** whether the server has /api/ready and /api/bench/catalogue-stats */
  hasReady: boolean;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of children) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      for (const c of children) {
        try {
          c.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
      process.exit(130);
    });
  }
}

/** Kills every server still running (on errors; each normally stops with stop()). */
export function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  children.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** One GET with a fresh connection: status and body (or status 0 when the connection is refused). */
export function probe(port: number, url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: url, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

export async function startServer(o: ServerOptions): Promise<Server> {
  hookExit();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: o.dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    BENCH_ROUTES: 'true',
    CATALOGUE_CACHE: o.cache ? 'on' : 'off',
    STATS_CACHE: o.cache ? 'on' : 'off',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  delete env.DATABASE_URL;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  const t0 = Date.now();
  // the node flags of `npm start` (package.json): see docs/ARCHITECTURE.md, Memory
  const child = spawn(
    process.execPath,
    // BENCH_SERVER_FLAGS: more node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them
    [
      ...SERVER_NODE_FLAGS,
      ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      'src/server/main.ts',
    ],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let output = '';
  let exited: string | null = null;
  const keep = (c: Buffer) => {
    const s = c.toString();
    output = (output + s).slice(-4000);
    // warnings and errors of the server, as they come (LOG_LEVEL=warn); the banner is not repeated
    for (const line of s.split('\n'))
      if (/"level":(40|50|60)|Error|error/.test(line)) o.log(`  [${o.label}] ${line.slice(0, 400)}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, sig) => {
    exited = `exited with ${code ?? sig}`;
    children.delete(child);
  });

  const until = t0 + (o.timeoutS ?? 600) * 1000;
  let hasReady = true,
    nudged = false;
  for (;;) {
    if (exited) throw new Error(`server ${o.label} ${exited} before it was ready:\n${output}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`server ${o.label} not ready after ${o.timeoutS ?? 600} s:\n${output}`);
    }
    const r = await probe(port, '/api/ready');
    if (r.status === 200) break;
    if (r.status === 503 && !nudged && Date.now() - t0 > 3_000) {
      // a server that builds its catalogue on the first search rather than on start: ask one (not awaited)
      nudged = true;
      void probe(port, '/api/catalogue/instruments?pageSize=1', 600_000);
    }
    if (r.status === 404) {
      // a server without /api/ready: ready once its first search answers (the snapshot is then built)
      hasReady = false;
      if ((await probe(port, '/api/catalogue/instruments?pageSize=1', 600_000)).status === 200) break;
    }
    await new Promise((res) => setTimeout(res, r.status ? 50 : 100));
  }
  const readyS = (Date.now() - t0) / 1000;
  o.log(
    `server ${o.label}: pid ${child.pid}, http://127.0.0.1:${port}, catalogue cache ${o.cache ? 'on' : 'off'}, ready in ${readyS.toFixed(2)} s${hasReady ? '' : ' (no /api/ready: timed to the first search)'}`,
  );
  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  };
  return { label: o.label, port, base: `http://127.0.0.1:${port}`, pid: child.pid!, child, readyS, hasReady, stop };
}

export interface CatalogueStats {
  resultHits: number;
  resultCountsHits: number;
  resultMisses: number;
  termHits: number;
  termMisses: number;
  rebuilds: number;
  patches: number;
  finderBuilds?: number;
  built?: boolean;
  instruments?: number;
  seq?: number;
  rssMb?: number;
}

/** The catalogue's counters (null when the server has no such route); `drop` empties its caches first. */
export async function catalogueStats(s: Server, drop = false): Promise<CatalogueStats | null> {
  const r = await probe(s.port, `/api/bench/catalogue-stats${drop ? '?drop=1' : ''}`);
  if (r.status !== 200) return null;
  try {
    return JSON.parse(r.body) as CatalogueStats;
  } catch {
    return null;
  }
}

/** A server's process and its children (the background process, background/process.ts), from /proc. */
function withChildren(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const kids = fs.readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(' ').map(Number));
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * The server's resident memory now and at its peak, in MB (from /proc; null where there is none), with the private
 * memory of its children (the background process): their anonymous pages. Their file pages are the node binary and
 * the modules the server has mapped too (47 MB of the background process's 72 MB at rest), counted once. The peak is
 * the server's own peak plus its children's memory now.
 */
export function rssMb(pid: number): { rss: number | null; peak: number | null } {
  let rss: number | null = null;
  let peak: number | null = null;
  for (const p of withChildren(pid)) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      const own = p === pid ? kb('VmRSS') : kb('RssAnon') + kb('RssShmem');
      rss = (rss ?? 0) + own;
      peak = (peak ?? 0) + (p === pid ? kb('VmHWM') : own);
    } catch {
      /* gone meanwhile */
    }
  }
  return { rss: rss === null ? null : Math.round(rss / 1024), peak: peak === null ? null : Math.round(peak / 1024) };
}

/**
 * The server's CPU time so far (user + system) with its running children's, in ms (from /proc/<pid>/stat, 100 ticks
 * a second; null where there is none).
 */
export function cpuMs(pid: number): number | null {
  let ms: number | null = null;
  for (const p of withChildren(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms = (ms ?? 0) + (Number(f[11]) + Number(f[12])) * 10; // fields 14 and 15 (utime, stime), after the command name
    } catch {
      /* gone meanwhile */
    }
  }
  return ms;
}

// ------------------------------------------------------------------ PostgreSQL: a database per run

/** Creates `bench_<hex>` (or `name`, when it does not exist) on the server of `url`; returns its URL. */
export async function createPgDatabase(
  url: string,
  name?: string,
): Promise<{ name: string; url: string; existed: boolean }> {
  const db = name ?? `bench_${crypto.randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`bad database name ${db}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const existed = (await c.query('select 1 from pg_database where datname = $1', [db])).rowCount === 1;
    if (!existed) await c.query(`create database ${db}`);
    const u = new URL(url);
    u.pathname = `/${db}`;
    return { name: db, url: u.toString(), existed };
  } finally {
    await c.end();
  }
}

export async function dropPgDatabase(url: string, name: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
  } finally {
    await c.end();
  }
}
