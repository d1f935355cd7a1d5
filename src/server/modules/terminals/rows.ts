/**
 * Multi-row inserts for the ingest's hot path, written as SQL text with parameters (one statement per part of up
 * to `per` rows) instead of built through the query builder: at 1,000 readings a second, building and compiling a
 * few hundred value nodes per statement was a good part of the ingest's time. Column and conflict names are
 * constants of this module's callers, never input; every value is a bound parameter.
 */
import { CompiledQuery } from 'kysely';
import type { Db } from '../../db/connect';
import type { Compilable } from '../../db/pg-trips';

export interface RowsSpec {
  table: string;
  /** snake_case column names, in the order of each row's values */
  columns: readonly string[];
  /** what follows the values: `on conflict … do …`, `returning …` */
  tail: string;
  dialect: 'sqlite' | 'postgres';
}

/** The statements of `insertRows`, not run yet: to send with others (readTogether, writeAtCommit). */
export function insertStatements<R = Record<string, unknown>>(
  trx: Db,
  spec: RowsSpec,
  rows: unknown[][],
  per = 400,
): Compilable<R>[] {
  const out: Compilable<R>[] = [];
  const head = `insert into ${spec.table} (${spec.columns.join(', ')}) values `;
  for (let k = 0; k < rows.length; k += per) {
    const part = rows.slice(k, k + per);
    const params: unknown[] = [];
    const groups: string[] = [];
    for (const row of part) {
      const marks: string[] = [];
      for (const v of row) {
        params.push(v);
        marks.push(spec.dialect === 'postgres' ? `$${params.length}` : '?');
      }
      groups.push(`(${marks.join(', ')})`);
    }
    const q = CompiledQuery.raw(`${head}${groups.join(', ')} ${spec.tail}`, params) as CompiledQuery<R>;
    out.push({ compile: () => q, execute: async () => (await trx.executeQuery<R>(q)).rows });
  }
  return out;
}

/** Inserts rows (value arrays in `columns` order), `per` rows a statement; returns the rows any `returning` gave. */
export async function insertRows<R = Record<string, unknown>>(
  trx: Db,
  spec: RowsSpec,
  rows: unknown[][],
  per = 400,
): Promise<R[]> {
  const out: R[] = [];
  for (const statement of insertStatements<R>(trx, spec, rows, per)) out.push(...(await statement.execute()));
  return out;
}

/** `on conflict (key) do update set c = excluded.c, …` for the given columns. */
export const upsertTail = (key: readonly string[], update: readonly string[]) =>
  `on conflict (${key.join(', ')}) do update set ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
