import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../domain/errors';
import { TripSavingPostgresDialect } from './pg-trips';
import type { DB } from './types';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}
/** `poolStats` (PostgreSQL only): the pool's connections and the queries waiting for one, for /metrics. */
export interface Database {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  poolStats?: () => PoolStats;
  /**
   * SQLite: copies what the write-ahead log holds into the database file as far as no reader needs it, without
   * waiting for anyone (a PASSIVE checkpoint); for the connection that checkpoints for another (`walCheckpoints`).
   */
  checkpoint?: () => void;
}

// node-postgres: bigint and count(*) as numbers, timestamps as ISO strings — normalised here, not in callers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());
pg.types.setTypeParser(1114, (v) => new Date(v + 'Z').toISOString());

/**
 * How long a statement waits for the write lock of another connection (the background process, a script, another
 * process) before it gives up with 503: what `busy_timeout` gave before, without its blocking sleep.
 */
const BUSY_PATIENCE_MS = 5_000;
const isBusy = (e: unknown) => e instanceof SQLite.SqliteError && e.code.startsWith('SQLITE_BUSY');

/**
 * The one SQLite connection, waiting for a lock without holding the thread. With `busy_timeout`, SQLite sleeps in
 * the statement until the lock is free: the event loop stood still meanwhile, and every request with it, for as long
 * as the background process's transaction lasted (up to 280 ms measured, niced under load). Here the connection runs
 * with `busy_timeout = 0`, and a statement that finds the database locked is tried again after a short timer, so
 * that searches (served from memory) and everything else go on while it waits. Only what can meet another writer's
 * lock waits: `begin immediate`, and a statement outside a transaction; inside one, this connection holds the lock.
 */
class PatientConnection implements DatabaseConnection {
  private inTransaction = false;
  constructor(private readonly inner: DatabaseConnection) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return this.inTransaction ? this.inner.executeQuery<R>(q) : patiently(() => this.inner.executeQuery<R>(q));
  }
  streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(q, chunkSize);
  }
  async begin() {
    await patiently(() => this.inner.executeQuery(CompiledQuery.raw('begin immediate')));
    this.inTransaction = true;
  }
  async end(how: 'commit' | 'rollback') {
    try {
      await this.inner.executeQuery(CompiledQuery.raw(how));
    } finally {
      this.inTransaction = false;
    }
  }
}

async function patiently<T>(run: () => Promise<T>): Promise<T> {
  const until = performance.now() + BUSY_PATIENCE_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 8)) {
    try {
      return await run();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (performance.now() > until)
        throw new DomainError(503, 'DATABASE_BUSY', '系统繁忙，请稍后再试', undefined, { retryAfter: 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** SQLite write transactions take the write lock at BEGIN, so that two writers never deadlock on upgrade. */
class ImmediateSqliteDriver extends SqliteDriver {
  private readonly patient = new WeakMap<DatabaseConnection, PatientConnection>();
  async acquireConnection(): Promise<DatabaseConnection> {
    const c = await super.acquireConnection();
    let p = this.patient.get(c);
    if (!p) this.patient.set(c, (p = new PatientConnection(c)));
    return p;
  }
  async beginTransaction(connection: DatabaseConnection) {
    await (connection as PatientConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection) {
    await (connection as PatientConnection).end('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection) {
    await (connection as PatientConnection).end('rollback');
  }
}
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(cfg);
  }
  createDriver() {
    return new ImmediateSqliteDriver(this.cfg);
  }
}

const BOOL_KEY = /^(is|has|must)(_[a-z]|[A-Z])/;
const JSON_KEY = /(_json|Json)$/;

/** Driver differences in what comes back: SQLite booleans are 0/1 and JSON is text. */
class NormalizeRowsPlugin implements KyselyPlugin {
  constructor(private readonly dialect: Dialect) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows;
    if (!rows?.length) return args.result;
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        const v = row[key];
        if (this.dialect === 'sqlite' && BOOL_KEY.test(key) && (v === 0 || v === 1)) row[key] = v === 1;
        else if (JSON_KEY.test(key) && typeof v === 'string') {
          try {
            row[key] = JSON.parse(v);
          } catch {
            /* keep text */
          }
        }
      }
    }
    return args.result;
  }
}

/** better-sqlite3 cannot bind booleans or Dates: write 1/0 and ISO strings. */
function bindable(v: unknown): unknown {
  if (v === true) return 1;
  if (v === false) return 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}
/** Prepared statements kept, by their SQL: preparing took a tenth of the thread in the booking benchmark. */
const STATEMENTS_KEPT = 500;

/**
 * The connection's `prepare` as Kysely calls it: a statement binds what better-sqlite3 cannot (bindable), and is
 * prepared once and kept (least recently used first out), unless the kept one is still being iterated.
 */
function wrapSqlite(raw: SQLite.Database): SQLite.Database {
  const prepare = raw.prepare.bind(raw);
  const kept = new Map<string, SQLite.Statement>();
  (raw as unknown as { prepare: unknown }).prepare = (sql: string) => {
    const hit = kept.get(sql);
    if (hit && !hit.busy) {
      kept.delete(sql);
      kept.set(sql, hit);
      return hit;
    }
    const stmt = bindingStatement(prepare(sql));
    if (!hit) {
      kept.set(sql, stmt);
      if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
    }
    return stmt;
  };
  return raw;
}
function bindingStatement(stmt: SQLite.Statement): SQLite.Statement {
  return new Proxy(stmt, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'all' || prop === 'run' || prop === 'get' || prop === 'iterate') {
        return (params?: unknown[]) =>
          (value as (p?: unknown[]) => unknown).call(target, Array.isArray(params) ? params.map(bindable) : params);
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface ConnectOptions {
  databaseUrl?: string;
  sqliteFile?: string;
  /**
   * SQLite: `elsewhere` when another connection checkpoints the write-ahead log (the background process). SQLite's own
   * checkpoint runs inside the commit that passes 1,000 pages of log: that commit copies the pages into the database
   * file and syncs it, on the request thread, and every request waits (commit p99 33 ms instead of 5.5 in a loop of
   * small transactions on this machine). Default `auto`: this connection checkpoints as SQLite does by itself.
   */
  walCheckpoints?: 'auto' | 'elsewhere';
  pgSchema?: string;
  poolMax?: number;
}

export function connect(o: ConnectOptions): Database {
  if (o.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: o.databaseUrl,
      max: o.poolMax ?? 10,
      // a connection, once opened, is kept: pg's default closes one idle for 10 s, and its replacement pays the
      // backend's start and a cold catalogue cache (the first statements of each shape plan in 2–5 ms, not 0.4)
      min: o.poolMax ?? 10,
      ...(o.pgSchema ? { options: `-c search_path=${o.pgSchema},public` } : {}),
    });
    const dialect: Dialect = 'postgres';
    const db = new Kysely<DB>({
      dialect: new TripSavingPostgresDialect(pool),
      plugins: [new CamelCasePlugin(), new NormalizeRowsPlugin(dialect)],
    });
    const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { db, dialect, close: () => db.destroy(), poolStats };
  }
  const file = o.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  // no busy_timeout: a statement that meets another connection's lock waits without holding the thread
  // (PatientConnection)
  raw.pragma('busy_timeout = 0');
  raw.pragma('synchronous = NORMAL');
  // the page cache: 8 MB instead of better-sqlite3's 16 MB. The catalogue is served from memory, so the pages read
  // again and again are those of bookings and lists, and the operating system caches the file anyway (issue 10:
  // RSS under 400 MB at 100,000 instruments)
  raw.pragma('cache_size = -8000');
  if (o.walCheckpoints === 'elsewhere') raw.pragma('wal_autocheckpoint = 0');
  // a log that grew while nobody checkpointed is cut back to this when it starts over
  raw.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const dialect: Dialect = 'sqlite';
  const db = new Kysely<DB>({
    dialect: new ImmediateSqliteDialect({ database: wrapSqlite(raw) }),
    plugins: [new CamelCasePlugin(), new NormalizeRowsPlugin(dialect)],
  });
  const checkpoint = () => {
    try {
      if (raw.open) raw.pragma('wal_checkpoint(PASSIVE)');
    } catch (e) {
      // another connection is checkpointing, or holds what this one needs: the next call does it
      if (!/^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: string }).code))) throw e;
    }
  };
  return { db, dialect, close: () => db.destroy(), checkpoint };
}

/** A unique violation on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return (
    err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
