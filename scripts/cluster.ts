/**
 * `npm run test:cluster` (issue 11, "Several instances"): three app instances on one fresh PostgreSQL database behind
 * Debian's nginx, the browser journeys of e2e/ through the proxy, one instance stopped and started again while they
 * run, and the outbox's mail counted at a real SMTP server.
 *
 *   npx tsx scripts/cluster.ts [--signal TERM|KILL] [--keep]
 *
 * - The database `isp_cluster_<random>` is made on CLUSTER_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   and dropped at the end; the instances share one DATA_DIR (uploads) under a temporary directory.
 * - nginx runs in the foreground with its own config, logs and temp paths in that directory, on a free loopback
 *   port: round robin over the three (so one session's requests land on all of them), X-Forwarded-For (the
 *   instances run with TRUST_PROXY=127.0.0.1), passive health checks (max_fails/fail_timeout) and
 *   `proxy_next_upstream error timeout http_502 http_503`. No upstream keep-alive: each request opens its own
 *   connection, so an instance that has stopped listening refuses it before anything is sent, and nginx passes even
 *   a POST on to the next instance.
 * - When the access log holds KILL_AT requests, instance 2 gets SIGTERM (--signal KILL: SIGKILL, which may turn the
 *   one request it is serving into a 502 that is not acknowledged to anyone), and starts again once it has exited.
 * - Prints one JSON line (requests per instance, sessions spread over instances, journeys, mails, the stopped
 *   instance, errors) and exits non-zero on any failure. --keep leaves the temporary directory and the database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
const PG_URL = process.env.CLUSTER_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTANCES = 3;
/** The requests nginx has logged when instance 2 is stopped: well inside the first journeys. */
const KILL_AT = 150;
const args = process.argv.slice(2);
const signal: NodeJS.Signals =
  args.includes('--signal') && args[args.indexOf('--signal') + 1] === 'KILL' ? 'SIGKILL' : 'SIGTERM';
const keep = args.includes('--keep');

const log = (...a: unknown[]) => console.log('[cluster]', ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ app instances

interface Instance {
  n: number;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  logFile: string;
}

function startInstance(n: number, port: number, env: Record<string, string>, dir: string): Instance {
  const logFile = path.join(dir, `instance-${n}.log`);
  const out = fs.openSync(logFile, 'a');
  const base = { ...process.env };
  delete base.TEST_DATABASE_URL;
  // node itself rather than npx tsx: the pid is the server's, so SIGTERM reaches its graceful shutdown directly
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...base, ...env, PORT: String(port), HOST: '127.0.0.1' },
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { n, port, child, exited, logFile };
}

async function waitReady(i: Instance, ms = 120_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (i.child.exitCode !== null || i.child.signalCode)
      throw new Error(`instance ${i.n} exited:\n${fs.readFileSync(i.logFile, 'utf8').slice(-3000)}`);
    if ((await httpStatus(`http://127.0.0.1:${i.port}/api/ready`)) === 200) return;
    await sleep(250);
  }
  throw new Error(`instance ${i.n} not ready after ${ms} ms`);
}

async function stopInstance(i: Instance): Promise<number | null> {
  if (i.child.exitCode !== null || i.child.signalCode) return i.child.exitCode;
  i.child.kill('SIGTERM');
  const code = await Promise.race([i.exited, sleep(25_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    try {
      process.kill(-i.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    return await i.exited;
  }
  return code;
}

// ------------------------------------------------------------------ nginx

function nginxConfig(dir: string, listen: number, upstreams: number[]) {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # which session a request belongs to, without writing its secret into the log: the first 8 characters of the cookie
  map $cookie_sid $session_tag { "~^(?<head>.{8})" $head; default ""; }
  log_format cluster escape=json '{"t":$msec,"status":$status,"method":"$request_method","uri":"$uri","upstream":"$upstream_addr","upstreamStatus":"$upstream_status","session":"$session_tag"}';
  upstream app {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${listen};
    access_log ${dir}/access.log cluster;
    client_max_body_size 25m;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 2s;
    proxy_read_timeout 120s;
    proxy_next_upstream_tries ${upstreams.length};
    location / {
      proxy_pass http://app;
      proxy_next_upstream error timeout http_502 http_503;
    }
    # during a rolling redeploy the instances serve different builds: a hashed asset that one of them does not
    # have yet (or any more) is asked of the next
    location /assets/ {
      proxy_pass http://app;
      proxy_next_upstream error timeout http_502 http_503 http_404;
    }
  }
}
`;
}

interface Hit {
  t: number;
  status: number;
  method: string;
  uri: string;
  upstream: string;
  upstreamStatus: string;
  session: string;
}
const readAccessLog = (file: string): Hit[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Hit)
    : [];

// ------------------------------------------------------------------ mail

function startSmtp(): Promise<{ server: SMTPServer; port: number; deliveries: Map<string, number> }> {
  const deliveries = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo)
          deliveries.set(r.address.toLowerCase(), (deliveries.get(r.address.toLowerCase()) ?? 0) + 1);
        done();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.server.address() as net.AddressInfo).port, deliveries }),
    ),
  );
}

// ------------------------------------------------------------------ the run

async function main() {
  const errors: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-cluster-'));
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'data']) fs.mkdirSync(path.join(dir, d));
  // nginx started as root runs its worker as another user, which writes request and reply bodies too large for its
  // buffers (a batch of terminal readings, an upload, an export) into these folders
  fs.chmodSync(dir, 0o755);
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.chmodSync(path.join(dir, d), 0o777);
  const database = `isp_cluster_${crypto.randomBytes(5).toString('hex')}`;
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${database}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  log(`database ${database}, files in ${dir}`);

  const instances: Instance[] = [];
  let nginx: ChildProcess | null = null;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
  const summary: Record<string, unknown> = { instances: INSTANCES, database: 'postgres' };
  try {
    if (!fs.existsSync(NGINX))
      throw new Error(`${NGINX} not found: install Debian's nginx (scripts/system-packages.sh)`);
    log('building the web app once (npm run build: dist/web switched to a build of its own)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);

    smtp = await startSmtp();
    const env = {
      DATABASE_URL: dbUrl.toString(),
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '127.0.0.1',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    };
    const ports: number[] = [];
    for (let n = 1; n <= INSTANCES; n++) ports.push(await freePort());
    // the first seeds the demo data; the others start once it is ready, so that nobody races it on an empty database
    instances.push(startInstance(1, ports[0], { ...env, SEED_DEMO: 'true' }, dir));
    await waitReady(instances[0]);
    for (let n = 2; n <= INSTANCES; n++)
      instances.push(startInstance(n, ports[n - 1], { ...env, SEED_DEMO: 'false' }, dir));
    await Promise.all(instances.slice(1).map((i) => waitReady(i)));
    log(`instances ready on ports ${ports.join(', ')}`);

    const proxyPort = await freePort();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, proxyPort, ports));
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'nginx-error.log')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const baseUrl = `http://127.0.0.1:${proxyPort}`;
    for (let k = 0; k < 40 && (await httpStatus(`${baseUrl}/api/ready`)) !== 200; k++) await sleep(250);
    if ((await httpStatus(`${baseUrl}/api/ready`)) !== 200)
      throw new Error(
        `nginx does not answer on ${baseUrl}: ${fs.readFileSync(path.join(dir, 'nginx-error.log'), 'utf8').slice(-2000)}`,
      );
    log(`nginx on ${baseUrl}`);

    // ---- the budget of the first load (issue 11), from one instance as a browser gets it, before anything else
    // changes the demo data that the home page shows
    const size = spawnSync('node', ['scripts/first-load.mjs', `http://127.0.0.1:${ports[0]}/`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const sizeLine = size.stdout.trim().split('\n').at(-1) ?? '';
    try {
      summary.first_load = JSON.parse(sizeLine);
    } catch {
      summary.first_load = sizeLine;
    }
    log(`first load: ${sizeLine}`);
    if (size.status !== 0) {
      throw new Error(`the home page's first load is over its budget: ${size.stderr.trim() || sizeLine}`);
    }

    // ---- the journeys, with instance 2 stopped and started again while they run (E2E_PORT: a journey that opens
    // the portal by a host name of its own builds its address from it)
    const accessLog = path.join(dir, 'access.log');
    const report = path.join(dir, 'journeys.json');
    const journeys = spawn('npx', ['playwright', 'test', '-c', 'playwright.cluster.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, CLUSTER_BASE_URL: baseUrl, CLUSTER_REPORT: report, E2E_PORT: String(proxyPort) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const journeysDone = new Promise<number | null>((resolve) => journeys.once('exit', (code) => resolve(code)));
    let finished = false;
    void journeysDone.then(() => {
      finished = true;
    });
    const victim = instances[1];
    const killed: Record<string, unknown> = { instance: victim.n, port: victim.port, signal };
    while (!finished && readAccessLog(accessLog).length < KILL_AT) await sleep(100);
    if (finished) errors.push(`the journeys ended before ${KILL_AT} requests: nothing was stopped during them`);
    else {
      const t0 = Date.now();
      killed.atRequest = readAccessLog(accessLog).length;
      if (signal === 'SIGKILL') process.kill(-victim.child.pid!, 'SIGKILL');
      else victim.child.kill('SIGTERM');
      const code = await victim.exited;
      killed.exitCode = code;
      killed.stopMs = Date.now() - t0;
      if (signal === 'SIGTERM' && code !== 0) errors.push(`instance ${victim.n} exited with ${code} after SIGTERM`);
      log(
        `instance ${victim.n} stopped by ${signal} at request ${killed.atRequest} (exit ${code}, ${killed.stopMs} ms); starting it again`,
      );
      const again = startInstance(victim.n, victim.port, { ...env, SEED_DEMO: 'false' }, dir);
      instances[1] = again;
      await waitReady(again);
      killed.downMs = Date.now() - t0;
      killed.restartedAtRequest = readAccessLog(accessLog).length;
    }
    const journeysExit = await journeysDone;
    summary.killed = killed;
    const results = fs.existsSync(report)
      ? (JSON.parse(fs.readFileSync(report, 'utf8')) as {
          stats: { expected: number; unexpected: number; flaky: number; skipped: number };
        })
      : null;
    summary.journeys = results
      ? {
          passed: results.stats.expected,
          failed: results.stats.unexpected,
          flaky: results.stats.flaky,
          skipped: results.stats.skipped,
        }
      : null;
    if (journeysExit !== 0) errors.push(`the journeys failed (playwright exit ${journeysExit})`);
    if (!results || results.stats.expected === 0) errors.push('no journey passed');

    // ---- mail: wait until the outbox is worked off, then compare the deliveries with the sent rows per address
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    try {
      const until = Date.now() + 60_000;
      let pending = 0;
      do {
        pending = Number(
          (await db.query(`select count(*) as n from mail_outbox where state in ('queued', 'sending')`)).rows[0].n,
        );
        if (pending) await sleep(1_000);
      } while (pending && Date.now() < until);
      await sleep(500); // a delivery the SMTP server has accepted but whose row is being marked
      const rows = (
        await db.query(`select lower(to_addr) as addr, state, count(*) as n from mail_outbox group by 1, 2`)
      ).rows as { addr: string; state: string; n: string }[];
      const sentTo = new Map<string, number>();
      let queuedTotal = 0,
        sent = 0,
        failed = 0;
      for (const r of rows) {
        queuedTotal += Number(r.n);
        if (r.state === 'sent') {
          sent += Number(r.n);
          sentTo.set(r.addr, (sentTo.get(r.addr) ?? 0) + Number(r.n));
        }
        if (r.state === 'failed') failed += Number(r.n);
      }
      let delivered = 0,
        duplicates = 0,
        missing = 0;
      for (const [addr, n] of smtp.deliveries) {
        delivered += n;
        duplicates += Math.max(0, n - (sentTo.get(addr) ?? 0));
      }
      for (const [addr, n] of sentTo) missing += Math.max(0, n - (smtp.deliveries.get(addr) ?? 0));
      summary.mails = { queued: queuedTotal, sent, delivered, duplicates, missing, failed, stillPending: pending };
      if (queuedTotal === 0) errors.push('the journeys queued no mail: nothing to count');
      if (duplicates) errors.push(`${duplicates} mails were delivered more than once`);
      if (missing || pending || failed)
        errors.push(`mail not delivered: ${missing} missing, ${pending} pending, ${failed} failed`);
    } finally {
      await db.end();
    }

    // ---- requests per instance, and sessions spread over instances (from nginx's log)
    const hits = readAccessLog(accessLog);
    const perInstance: Record<string, number> = Object.fromEntries(ports.map((p, k) => [`instance-${k + 1}:${p}`, 0]));
    const bySession = new Map<string, Set<string>>();
    let retried = 0,
      serverErrors = 0;
    for (const h of hits) {
      const tried = h.upstream.split(/,\s*/).filter((u) => u && u !== '-');
      if (tried.length > 1) retried++;
      if (h.status >= 500) {
        serverErrors++;
        errors.push(`${h.status} for ${h.method} ${h.uri} (upstream ${h.upstream})`);
      }
      const last = tried.at(-1);
      const k = last ? ports.indexOf(Number(last.split(':').at(-1))) : -1;
      if (k >= 0) perInstance[`instance-${k + 1}:${ports[k]}`]++;
      if (h.session && k >= 0)
        (bySession.get(h.session) ?? bySession.set(h.session, new Set()).get(h.session)!).add(String(k + 1));
    }
    const spread = [...bySession.values()].map((s) => s.size);
    summary.requests = hits.length;
    summary.perInstance = perInstance;
    summary.retriedOnAnotherInstance = retried;
    summary.serverErrors = serverErrors;
    summary.sessions = {
      seen: spread.length,
      onSeveralInstances: spread.filter((n) => n > 1).length,
      onAllInstances: spread.filter((n) => n === INSTANCES).length,
    };
    if (Object.values(perInstance).some((n) => n === 0)) errors.push('an instance served no request');
    if (!spread.some((n) => n > 1)) errors.push('no session had its requests served by more than one instance');

    // ---- a graceful stop of every instance
    const exits: (number | null)[] = [];
    for (const i of instances) exits.push(await stopInstance(i));
    summary.exitCodes = exits;
    if (exits.some((c) => c !== 0)) errors.push(`instances exited with ${exits.join(', ')} after SIGTERM`);
  } catch (e) {
    errors.push(String((e as Error).stack ?? e));
  } finally {
    for (const i of instances)
      if (i.child.exitCode === null && !i.child.signalCode) {
        try {
          process.kill(-i.child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await Promise.race([new Promise((r) => nginx!.once('exit', r)), sleep(5_000)]);
    }
    if (smtp) await new Promise<void>((r) => smtp!.server.close(() => r()));
    if (errors.length) {
      for (const f of [...instances.map((i) => i.logFile), path.join(dir, 'nginx-error.log')]) {
        if (fs.existsSync(f)) log(`--- the end of ${path.basename(f)}:\n${fs.readFileSync(f, 'utf8').slice(-2000)}`);
      }
    }
    if (!keep) {
      await admin
        .query(`drop database if exists ${database} with (force)`)
        .catch((e) => errors.push(`drop database: ${e}`));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await admin.end();
  }
  summary.errors = errors;
  console.log(JSON.stringify({ cluster: summary }));
  if (errors.length) {
    log(`FAILED: ${errors.length} error(s)`);
    process.exit(1);
  }
  log('passed');
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
