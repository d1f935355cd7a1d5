import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  PostgresDialect,
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
}

// node-postgres: bigint and count(*) as numbers, timestamps as ISO strings — normalised here, not in callers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());
pg.types.setTypeParser(1114, (v) => new Date(v + 'Z').toISOString());

/** SQLite write transactions take the write lock at BEGIN, so that two writers never deadlock on upgrade. */
class ImmediateSqliteDriver extends SqliteDriver {
  async beginTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
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
function wrapSqlite(raw: SQLite.Database): SQLite.Database {
  const prepare = raw.prepare.bind(raw);
  (raw as unknown as { prepare: unknown }).prepare = (sql: string) => {
    const stmt = prepare(sql);
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'all' || prop === 'run' || prop === 'get' || prop === 'iterate') {
          return (params?: unknown[]) =>
            (value as (p?: unknown[]) => unknown).call(target, Array.isArray(params) ? params.map(bindable) : params);
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return raw;
}

export interface ConnectOptions {
  databaseUrl?: string;
  sqliteFile?: string;
  pgSchema?: string;
  poolMax?: number;
}

export function connect(o: ConnectOptions): Database {
  if (o.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: o.databaseUrl,
      max: o.poolMax ?? 10,
      ...(o.pgSchema ? { options: `-c search_path=${o.pgSchema},public` } : {}),
    });
    const dialect: Dialect = 'postgres';
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool }),
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
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  const dialect: Dialect = 'sqlite';
  const db = new Kysely<DB>({
    dialect: new ImmediateSqliteDialect({ database: wrapSqlite(raw) }),
    plugins: [new CamelCasePlugin(), new NormalizeRowsPlugin(dialect)],
  });
  return { db, dialect, close: () => db.destroy() };
}

/** A unique violation on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return (
    err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
