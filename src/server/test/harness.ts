import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { connect, type Database } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { seedReference } from '../db/seed-reference';
import type { Deps } from '../deps';
import { TestClock } from '../platform/clock';
import { createMailer } from '../platform/mail';
import { logSmsSender } from '../platform/sms';
import { storageFromConfig } from '../platform/storage';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  clock: TestClock;
  database: Database;
  sms: ReturnType<typeof logSmsSender>;
  /** where the database is, so that another app instance can open it (createSecondInstance) */
  connection: { databaseUrl?: string; pgSchema?: string; sqliteFile: string };
  close(): Promise<void>;
}

/**
 * Test files run side by side on one PostgreSQL database. Kysely's migrator introspects every schema of it, and that
 * query fails when another file drops its schema at the same moment; so migrations hold this advisory lock shared and
 * a drop holds it alone.
 */
const SCHEMA_LOCK = 424242;

async function withSchemaLock<T>(url: string, mode: 'shared' | 'alone', work: (c: pg.Client) => Promise<T>) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [
      SCHEMA_LOCK,
    ]);
    return await work(c);
  } finally {
    await c.end(); // ends the session, which releases the lock
  }
}

async function dropSchema(url: string, schema: string) {
  await withSchemaLock(url, 'alone', (c) => c.query(`drop schema if exists ${schema} cascade`));
}

const quiet = { info: () => undefined, warn: () => undefined };

/**
 * A real app on a real database: a fresh SQLite file, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set.
 * `env` overrides configuration (for example SMTP_URL).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  opts: { web?: string | null } = {},
): Promise<TestApp> {
  const pgUrl = process.env.TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isp-test-'));
  let schema: string | undefined;
  if (pgUrl) {
    schema = `t_${crypto.randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  }
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret', ...env });
  const connection = { databaseUrl: pgUrl, pgSchema: schema, sqliteFile: path.join(dir, 'test.sqlite') };
  const database = connect({ ...connection, poolMax: 5 });
  try {
    if (pgUrl) await withSchemaLock(pgUrl, 'shared', () => migrateToLatest(database.db, schema));
    else await migrateToLatest(database.db);
  } catch (e) {
    await database.close();
    if (pgUrl && schema) await dropSchema(pgUrl, schema);
    throw e;
  }
  const clock = new TestClock();
  await seedReference(database.db, config, clock);
  const mailer = createMailer({ db: database.db, clock, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, log: quiet });
  const sms = logSmsSender(quiet);
  const deps: Deps = { config, database, clock, mailer, sms, storage: storageFromConfig(config), log: console };
  const app = await buildApp(deps, opts);
  await app.ready();
  return {
    app,
    deps,
    clock,
    database,
    sms,
    connection,
    async close() {
      await app.close();
      await mailer.stop();
      await database.close();
      if (pgUrl && schema) await dropSchema(pgUrl, schema);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Another app instance on the same database as `t` (the same SQLite file or PostgreSQL schema), with its own
 * Database object (its own connections, so its own in-memory catalogue), as a second server process would have.
 * Close it before `t`: closing `t` drops the database.
 */
export async function createSecondInstance(t: TestApp): Promise<TestApp> {
  const database = connect({ ...t.connection, poolMax: 5 });
  const config = t.deps.config;
  const mailer = createMailer({
    db: database.db,
    clock: t.clock,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    log: quiet,
  });
  const sms = logSmsSender(quiet);
  const deps: Deps = { ...t.deps, database, mailer, sms };
  const app = await buildApp(deps);
  try {
    await app.ready();
  } catch (e) {
    await mailer.stop();
    await database.close();
    throw e;
  }
  return {
    app,
    deps,
    clock: t.clock,
    database,
    sms,
    connection: t.connection,
    async close() {
      await app.close();
      await mailer.stop();
      await database.close();
    },
  };
}

export type Res = LightMyRequestResponse & { data: any };

/** A browser-like client: keeps cookies and sends the CSRF header on writes. */
export class Client {
  cookies: Record<string, string> = {};
  constructor(readonly app: FastifyInstance) {}

  private cookieHeader() {
    return Object.entries(this.cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    if (method !== 'GET' && !this.cookies.csrf) await this.request('GET', '/api/auth/me');
    const h: Record<string, string> = { ...headers };
    if (Object.keys(this.cookies).length) h.cookie = this.cookieHeader();
    if (method !== 'GET' && this.cookies.csrf && !('x-csrf-token' in headers)) h['x-csrf-token'] = this.cookies.csrf;
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
      else {
        payload = JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
    }
    const res = await this.app.inject({ method, url, payload, headers: h });
    this.keep(res);
    let data: unknown;
    try {
      data = res.json();
    } catch {
      data = res.body;
    }
    return Object.assign(res, { data });
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body ?? {});
  }
  put(url: string, body?: unknown) {
    return this.request('PUT', url, body ?? {});
  }
  del(url: string) {
    return this.request('DELETE', url);
  }

  async login(identifier: string, password: string, mode: 'person' | 'legal' = 'person') {
    const res = await this.post('/api/auth/login', { identifier, password, mode });
    if (res.statusCode !== 200) throw new Error(`login ${identifier} failed: ${res.statusCode} ${res.body}`);
    return this;
  }
}
