/**
 * PostgreSQL in fewer trips. Under a search load every statement is a trip through the pool and the event loop:
 * Kysely's log timed 2.1–2.4 ms a statement in the booking benchmark, a primary-key read as much as an insert,
 * against a few tenths of a millisecond of work in PostgreSQL (docs/decisions/0002-live-catalogue.md, seventh
 * round). A write was a dozen or more of them. This driver saves two kinds:
 *
 * - **The transaction's `begin`** is not sent alone: it goes with the transaction's first statement, in one
 *   simple-protocol message (`begin; select …`), when that statement's parameters can be written in as literals.
 * - **Writes nobody reads back in the transaction** (an audit entry, a history row, a message, a mail in the
 *   outbox: `writeAtCommit`) are held and sent with the `commit`, in one message.
 *
 * A parameter is written in as a quoted literal, which PostgreSQL types from its context as it does a parameter
 * sent without a type (what node-postgres sends): text, numbers, booleans and arrays of them, exactly as
 * node-postgres would have sent them. Anything else (a Buffer, an object) and any statement that already holds a
 * quote keep the parameters and their own trip. SQLite has no trips (its statements run in this thread), so
 * `writeAtCommit` runs at once there.
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import type { Db } from './connect';

type Scalar = string | number | bigint | boolean | null | undefined;

function literal(v: unknown): string | null {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return pg.escapeLiteral(v);
  if (typeof v === 'number') return Number.isFinite(v) ? `'${v}'` : null;
  if (typeof v === 'bigint' || typeof v === 'boolean') return `'${v}'`;
  if (Array.isArray(v) && v.every((x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x)))
    return pg.escapeLiteral(arrayText(v as Scalar[]));
  return null;
}

/** An array as node-postgres writes it for a parameter: `{"a","b",NULL}`. */
function arrayText(items: Scalar[]): string {
  const element = (x: Scalar) =>
    x === null || x === undefined ? 'NULL' : `"${String(x).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `{${items.map(element).join(',')}}`;
}

/** The statement with its parameters written in, or null when that cannot be done safely. */
export function inlined(q: CompiledQuery): string | null {
  if (!q.parameters.length) return q.sql;
  // a quote or a dollar quote in the text itself: a `$1` inside it must not be touched, so leave it as it is
  if (q.sql.includes("'") || q.sql.includes('$$')) return null;
  const values = q.parameters.map(literal);
  if (values.some((v) => v === null)) return null;
  let ok = true;
  const text = q.sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = values[Number(n) - 1];
    if (v === undefined) ok = false;
    return v ?? '';
  });
  return ok ? text : null;
}

type PgResult = pg.QueryResult & { command: string };
const toLast = (raw: PgResult | PgResult[]) => (Array.isArray(raw) ? raw[raw.length - 1] : raw);
function toResult<R>(raw: PgResult | PgResult[]): QueryResult<R> {
  const r = toLast(raw);
  const writes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(r.command);
  return { rows: (r.rows ?? []) as R[], numAffectedRows: writes ? BigInt(r.rowCount ?? 0) : undefined };
}

interface Held {
  query: CompiledQuery;
  then?: (rows: unknown[]) => void;
}

class TripSavingConnection implements DatabaseConnection {
  /** `begin` asked for and not sent yet: it goes with the next statement */
  private beginHeld = false;
  /** something of this transaction reached the server: a rollback must be sent */
  private begun = false;
  private held: Held[] = [];
  constructor(readonly client: pg.PoolClient) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (this.beginHeld) {
      this.beginHeld = false;
      this.begun = true;
      const text = inlined(q);
      if (text !== null) return toResult<R>(await this.send(`begin;\n${text}`));
      await this.client.query('begin');
    }
    return toResult<R>(await this.send(q.sql, q.parameters));
  }

  /** One message to the server; several statements in it answer with a result each. */
  private async send(text: string, values?: readonly unknown[]): Promise<PgResult | PgResult[]> {
    return (await this.client.query(text, values ? [...values] : undefined)) as unknown as PgResult | PgResult[];
  }

  /** Statements (parameters written in) in one message, with the `begin` still held: one result each. */
  async sendTogether(texts: string[]): Promise<PgResult[]> {
    const begin = this.beginHeld;
    if (begin) {
      this.beginHeld = false;
      this.begun = true;
    }
    const raw = await this.send([...(begin ? ['begin'] : []), ...texts].join(';\n'));
    const results = Array.isArray(raw) ? raw : [raw];
    return begin ? results.slice(1) : results;
  }

  streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('streaming is not used with PostgreSQL here');
  }

  async begin(settings: TransactionSettings) {
    this.held = [];
    if (settings.isolationLevel || settings.accessMode) {
      const how = [settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode];
      await this.client.query(`start transaction ${how.filter(Boolean).join(' ')}`);
      this.begun = true;
    } else this.beginHeld = true;
  }

  hold(h: Held) {
    this.held.push(h);
  }

  async commit() {
    const held = this.held;
    this.held = [];
    const sendBegin = this.beginHeld;
    this.beginHeld = false;
    if (!this.begun && !held.length) return; // nothing was asked of the server
    this.begun = true;
    const texts = held.map((h) => inlined(h.query));
    let rows: unknown[][];
    if (texts.every((t): t is string => t !== null)) {
      const all = [...(sendBegin ? ['begin'] : []), ...texts, 'commit'];
      const raw = await this.send(all.join(';\n'));
      const results = Array.isArray(raw) ? raw : [raw];
      this.checkCommitted(toLast(raw));
      rows = held.map((_h, i) => results[(sendBegin ? 1 : 0) + i].rows ?? []);
    } else {
      if (sendBegin) await this.client.query('begin');
      rows = [];
      for (const h of held) rows.push(toResult(await this.send(h.query.sql, h.query.parameters)).rows);
      this.checkCommitted(toLast(await this.send('commit')));
    }
    this.begun = false;
    // only once committed: a `then` may tell others (the catalogue) about what the transaction wrote
    held.forEach((h, i) => h.then?.(rows[i]));
  }

  /** PostgreSQL answers COMMIT with ROLLBACK when an earlier error left the transaction aborted. */
  private checkCommitted(r: PgResult) {
    if (r.command === 'ROLLBACK') throw new Error('the transaction was aborted and has been rolled back');
  }

  async rollback() {
    this.held = [];
    this.beginHeld = false;
    if (!this.begun) return;
    this.begun = false;
    await this.client.query('rollback');
  }
}

class TripSavingDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, TripSavingConnection>();
  constructor(private readonly pool: pg.Pool) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let c = this.connections.get(client);
    if (!c) this.connections.set(client, (c = new TripSavingConnection(client)));
    return c;
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    await (c as TripSavingConnection).begin(settings);
  }
  async commitTransaction(c: DatabaseConnection) {
    await (c as TripSavingConnection).commit();
  }
  async rollbackTransaction(c: DatabaseConnection) {
    try {
      await (c as TripSavingConnection).rollback();
    } catch (e) {
      // a connection that cannot roll back is not given to anyone else
      (c as TripSavingConnection).client.release(e as Error);
      this.connections.delete((c as TripSavingConnection).client);
      throw e;
    }
  }
  async releaseConnection(c: DatabaseConnection) {
    const client = (c as TripSavingConnection).client;
    if (this.connections.get(client) === c) client.release();
  }
  async destroy() {
    await this.pool.end();
  }
}

/** Kysely's PostgreSQL dialect (its compiler, adapter and introspection) with the driver above. */
export class TripSavingPostgresDialect extends PostgresDialect {
  constructor(private readonly pool: pg.Pool) {
    super({ pool });
  }
  createDriver(): Driver {
    return new TripSavingDriver(this.pool);
  }
}

export interface Compilable<R> {
  compile(): CompiledQuery<R>;
  execute(): Promise<R[]>;
}

/**
 * A write whose effect nothing reads back in this transaction (an audit entry, a history row, a message, a mail):
 * on PostgreSQL inside a transaction it is sent with the commit, in the commit's trip, and fails the commit if it
 * fails; elsewhere it runs at once. `then` gets the rows it returns: held, once the transaction has committed;
 * elsewhere, right after the statement (on SQLite a transaction is this thread's until its commit).
 */
export async function writeAtCommit<R>(db: Db, q: Compilable<R>, then?: (rows: R[]) => void): Promise<void> {
  if (db.isTransaction) {
    const held = await db.getExecutor().provideConnection(async (c) => {
      if (!(c instanceof TripSavingConnection)) return false;
      c.hold({ query: q.compile(), then: then as Held['then'] });
      return true;
    });
    if (held) return;
  }
  const rows = await q.execute();
  then?.(rows);
}

type RowsOf<T> = { -readonly [K in keyof T]: T[K] extends Compilable<infer R> ? R[] : never };

/**
 * Reads that do not depend on each other, in one trip: on PostgreSQL their statements go in one message (in the
 * transaction of `db` when it is one), when every parameter can be written in; else, and on SQLite, one after the
 * other on one connection. The rows come as `execute` gives them (the plugins of `db` applied).
 */
export async function readTogether<T extends readonly Compilable<unknown>[]>(db: Db, qs: T): Promise<RowsOf<T>> {
  const executor = db.getExecutor();
  const compiled = executor.adapter instanceof PostgresAdapter ? qs.map((q) => q.compile()) : [];
  const texts = compiled.map(inlined);
  if (compiled.length && texts.every((t): t is string => t !== null)) {
    const raw = await executor.provideConnection(async (c) =>
      c instanceof TripSavingConnection ? c.sendTogether(texts) : null,
    );
    if (raw) {
      const out: unknown[][] = [];
      for (const [i, r] of raw.entries()) {
        let result: QueryResult<unknown> = { rows: r.rows ?? [] };
        for (const plugin of executor.plugins)
          result = await plugin.transformResult({ result: result as QueryResult<never>, queryId: compiled[i].queryId });
        out.push(result.rows as unknown[]);
      }
      return out as RowsOf<T>;
    }
  }
  const out: unknown[][] = [];
  for (const q of qs) out.push(await q.execute());
  return out as RowsOf<T>;
}
