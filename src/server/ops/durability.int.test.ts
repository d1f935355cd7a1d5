/**
 * Nothing acknowledged is lost (issue 11): the real server as a child process (`node --import tsx src/server/main.ts`,
 * as `npm start` runs it minus the build), a booking write load over HTTP, `kill -9` in the middle, a restart on the
 * same data, and every write that got a 2xx read back from the database itself. Then a graceful stop: SIGTERM
 * while a request is still arriving answers it, closes the idle keep-alive sockets and exits 0.
 *
 * SQLite by default (a temporary DATA_DIR; the database runs in WAL with synchronous=NORMAL, db/connect.ts: a
 * commit is in the WAL file, that is in the OS page cache, when the reply is sent, and a killed process does not
 * take the page cache with it; only a power cut could lose the last commits, which synchronous=FULL would keep).
 * With TEST_DATABASE_URL (npm run test:pg) a fresh PostgreSQL database `isp_kill_<random>` is made and dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Browser, type Reply } from '../../../scripts/bench-bookings';
import { connect } from '../db/connect';

const ROOT = path.resolve(__dirname, '../../..');
const PG_URL = process.env.TEST_DATABASE_URL;
const DEMO_PASSWORD = 'Demo@2026';
/** Life-cycle clients writing at once, and how many acknowledged writes to reach before the kill. */
const WRITERS = 6;
const KILL_AFTER_ACKS = 300;

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

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: Record<string, string>): Server {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.TEST_DATABASE_URL;
  // node itself, not npx: the pid is the server's, so that a signal reaches it and nothing in between;
  // detached, so that the kill -9 can take its process group (tsx's esbuild helper) along
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...base, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(port: number, server: Server, ms = 90_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server.child.exitCode !== null)
      throw new Error(`server exited with ${server.child.exitCode}:\n${server.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/api/ready', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready after ${ms} ms:\n${server.output()}`);
}

const shanghaiDay = (plusDays: number) =>
  new Date(Date.now() + 8 * 3_600_000 + plusDays * 86_400_000).toISOString().slice(0, 10);
const bookingBody = (n: number, instrumentId: string) => ({
  instruments: [{ instrumentId, testItems: '物相分析' }],
  samples: [{ name: '铝合金试样', quantity: 3, unit: '块', form: '固体', hazards: '无', disposal: 'return' }],
  purpose: '新型铝合金热处理工艺研发',
  expectedFrom: shanghaiDay(1),
  expectedTo: shanghaiDay(10),
  projectName: '高强铝合金关键技术研究',
  projectNo: `2026KILL${n}`,
  projectSource: '山东省重点研发计划',
  projectFundingFen: 50_000_000,
  contactName: '王工',
  contactPhone: '13912340000',
  contactEmail: 'wang@example.com',
});

const agents: http.Agent[] = [];
function browser(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return new Browser('127.0.0.1', port, agent);
}
async function loginAs(port: number, identifier: string) {
  const b = browser(port);
  await b.request('GET', '/api/auth/me');
  const r = await b.json('POST', '/api/auth/login', { identifier, password: DEMO_PASSWORD, mode: 'legal' });
  if (r.status !== 200) throw new Error(`login ${identifier}: ${r.status} ${r.text}`);
  return b;
}

/** What the server acknowledged of one booking, and the one write sent after it that got no answer (the kill). */
interface Acked {
  state: string;
  version: number;
  unanswered?: string;
}

let dataDir = '';
let databaseName = '';
let databaseUrl: string | undefined;
let port = 0;
let server: Server | null = null;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-kill-'));
  if (PG_URL) {
    databaseName = `isp_kill_${crypto.randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${databaseName}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${databaseName}`;
    databaseUrl = u.toString();
  }
  port = await freePort();
});

afterAll(async () => {
  for (const a of agents) a.destroy();
  if (server && server.child.exitCode === null) {
    process.kill(-server.child.pid!, 'SIGKILL');
    await server.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseName) {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${databaseName} with (force)`);
    await admin.end();
  }
});

const serverEnv = () => ({
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  SEED_DEMO: 'true',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});

describe(`kill -9 and SIGTERM of the real server (${PG_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  const acked = new Map<string, Acked>();
  let acknowledgedWrites = 0;

  test('kill -9 under a booking write load, restart: every acknowledged write is in the database in its acknowledged state', async () => {
    server = startServer(serverEnv());
    await waitReady(port, server);

    // the demo enterprise (济南华测, its legal account) books instruments of 山东大学, whose legal account accepts
    const anon = browser(port);
    const orgs = await anon.json('GET', `/api/catalogue/orgs?q=${encodeURIComponent('山东大学')}`);
    const universityId = orgs.data.items.find((o: { orgName: string }) => o.orgName === '山东大学').orgId as string;
    const listed = await anon.json('GET', `/api/catalogue/instruments?org=${universityId}&pageSize=20`);
    const instrumentIds = (listed.data.items as { id: string; isBookable: boolean }[])
      .filter((i) => i.isBookable)
      .map((i) => i.id);
    expect(instrumentIds.length).toBeGreaterThan(0);
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, async () => ({
        consumer: await loginAs(port, 'jnhc'),
        provider: await loginAs(port, 'sdu'),
      })),
    );

    let killed = false;
    let unexpected: string | null = null;
    let n = 0;
    /** One write: on a 2xx the booking's acknowledged state moves on; without an answer (the kill) it is noted as unanswered. */
    const write = async (
      id: string | null,
      call: () => Promise<Reply>,
      expectStatus: number,
    ): Promise<Reply | null> => {
      let r: Reply;
      try {
        r = await call();
      } catch (e) {
        if (!killed) unexpected ??= `before the kill: ${(e as Error).message}`;
        return null;
      }
      if (r.status !== expectStatus) {
        unexpected ??= `${r.status} ${r.text.slice(0, 200)}`;
        return null;
      }
      acknowledgedWrites++;
      acked.set(r.data.id, { state: r.data.state, version: r.data.version });
      if (id && id !== r.data.id) unexpected ??= `reply for ${r.data.id} to a write of ${id}`;
      return r;
    };
    const transition = (id: string, to: string, call: () => Promise<Reply>) => {
      acked.get(id)!.unanswered = to;
      return write(id, call, 200);
    };
    const lifecycles = writers.map(async ({ consumer, provider }) => {
      while (!killed && !unexpected) {
        const k = n++;
        const created = await write(
          null,
          () => consumer.json('POST', '/api/bookings', bookingBody(k, instrumentIds[k % instrumentIds.length])),
          201,
        );
        if (!created) return;
        const id = created.data.id as string;
        if (
          !(await transition(id, 'submitted', () =>
            consumer.json('POST', `/api/bookings/${id}/submit`, { liabilityAccepted: true }),
          ))
        )
          return;
        // every third is declined, the others accepted: two different paths out of 待受理
        if (k % 3 === 2) {
          if (
            !(await transition(id, 'rejected', () =>
              provider.json('POST', `/api/bookings/${id}/decline`, { reason: '设备检修期间暂停对外服务' }),
            ))
          )
            return;
        } else if (
          !(await transition(id, 'accepted', () =>
            provider.json('POST', `/api/bookings/${id}/accept`, { plannedTestDate: shanghaiDay(2) }),
          ))
        )
          return;
      }
    });
    const killer = (async () => {
      const until = Date.now() + 30_000;
      while (acknowledgedWrites < KILL_AFTER_ACKS && !unexpected && Date.now() < until)
        await new Promise((r) => setTimeout(r, 5));
      killed = true;
      process.kill(-server!.child.pid!, 'SIGKILL');
    })();
    await Promise.all([...lifecycles, killer]);
    expect(await server.exited).toBeNull(); // killed by the signal: no exit code
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(unexpected).toBeNull();
    expect(acknowledgedWrites).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    server = startServer(serverEnv());
    await waitReady(port, server);
    const database = connect(databaseUrl ? { databaseUrl } : { sqliteFile: path.join(dataDir, 'platform.sqlite') });
    let found = 0,
      advancedByUnanswered = 0;
    const missing: string[] = [];
    try {
      const rows = await database.db
        .selectFrom('bookings')
        .select(['id', 'state', 'version'])
        .where('id', 'in', [...acked.keys()])
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, a] of acked) {
        const row = byId.get(id);
        if (row && row.state === a.state && row.version === a.version) found++;
        // the write in flight at the kill may have committed without its answer reaching the client
        else if (row && a.unanswered && row.state === a.unanswered && row.version === a.version + 1) {
          found++;
          advancedByUnanswered++;
        } else
          missing.push(
            `${id}: acknowledged ${a.state} v${a.version}, found ${row ? `${row.state} v${row.version}` : 'nothing'}`,
          );
      }
    } finally {
      await database.close();
    }
    console.log(
      `kill -9 (${PG_URL ? 'postgres' : 'sqlite'}): ${acknowledgedWrites} writes acknowledged on ${acked.size} bookings; ${found} bookings found in their acknowledged state (${advancedByUnanswered} one step further by the write in flight at the kill)`,
    );
    expect(missing).toEqual([]);
    expect(found).toBe(acked.size);
  }, 180_000);

  test('SIGTERM answers the request still arriving, closes idle keep-alive connections, refuses new ones and exits 0', async () => {
    expect(server?.child.exitCode).toBeNull(); // the restarted server of the test above
    const consumer = await loginAs(port, 'jnhc');
    const idle = browser(port);
    expect((await idle.request('GET', '/api/health')).status).toBe(200); // its keep-alive socket stays open, idle

    const instrumentId = [
      ...((await browser(port).json('GET', '/api/catalogue/instruments?pageSize=50')).data.items as {
        id: string;
        isBookable: boolean;
        orgName: string;
      }[]),
    ].find((i) => i.isBookable && i.orgName === '山东大学')!.id;
    // a booking whose body is still on its way when the signal comes: the server has routed it and must finish it
    const body = Buffer.from(JSON.stringify(bookingBody(999_999, instrumentId)));
    const cookies = (consumer as unknown as { cookies: Map<string, string> }).cookies;
    const refused = deferred<string>();
    const sigtermAt = deferred<number>();
    const reply = new Promise<{ status: number; text: string; connection: string | undefined }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/bookings',
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            'x-csrf-token': cookies.get('csrf')!,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode!, text, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 100));
      setTimeout(() => {
        const t0 = Date.now();
        server!.child.kill('SIGTERM');
        // a new connection is refused at once: a proxy sends the request to another instance
        setTimeout(() => {
          http
            .get({ host: '127.0.0.1', port, path: '/api/ready', agent: false }, (res) => {
              res.resume();
              refused.resolve(`answered ${res.statusCode}`);
            })
            .on('error', (e) => refused.resolve((e as NodeJS.ErrnoException).code ?? String(e)));
          setTimeout(() => {
            req.end(body.subarray(100));
            sigtermAt.resolve(t0);
          }, 300);
        }, 200);
      }, 300);
    });
    const answered = await reply;
    expect(answered.status, answered.text).toBe(201);
    expect(answered.connection).toBe('close');
    expect(await refused.promise).toBe('ECONNREFUSED');
    const code = await server!.exited;
    const stopMs = Date.now() - (await sigtermAt.promise);
    expect(code, server!.output()).toBe(0);
    // the idle keep-alive socket did not hold the process for Fastify's 72 s keep-alive timeout, nor the 20 s limit
    expect(stopMs).toBeLessThan(10_000);
    const id = JSON.parse(answered.text).id as string;
    const database = connect(databaseUrl ? { databaseUrl } : { sqliteFile: path.join(dataDir, 'platform.sqlite') });
    try {
      const row = await database.db.selectFrom('bookings').select(['state']).where('id', '=', id).executeTakeFirst();
      expect(row?.state).toBe('draft');
    } finally {
      await database.close();
    }
    console.log(
      `SIGTERM: the request in flight answered 201, new connection ${await refused.promise}, exit 0 ${stopMs} ms after the signal`,
    );
  }, 120_000);
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
