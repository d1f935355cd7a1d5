/** What backup.ts writes and restore.ts checks: the manifest, table counts on both databases, the pg tools. */
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import SQLite from 'better-sqlite3';
import type pg from 'pg';

export const MANIFEST = 'manifest.json';
export const FILES_DIR = 'files';
export const FORMAT = 'isp-backup/1';

/** A mistake of the operator's (wrong directory, missing option, server still running): printed without a stack. */
export class OpsError extends Error {}

export interface FileEntry {
  key: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  createdAt: string;
  durationMs: number;
  dialect: 'sqlite' | 'postgres';
  database: {
    /** database.sqlite (a copy made by SQLite's online backup) or database.pgdump (pg_dump --format=custom) */
    file: string;
    bytes: number;
    sha256: string;
    /** rows per table at the moment of the copy (`schema.table` on PostgreSQL) */
    tables: Record<string, number>;
  };
  files: { storage: 'local' | 's3'; count: number; bytes: number; items: FileEntry[] };
}

export const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** Rows per table of a SQLite file (the copy, so that the counts are those of the copy). */
export function sqliteTableCounts(file: string): Record<string, number> {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      names.map((n) => [
        n,
        Number(
          db
            .prepare(`select count(*) from "${n.replace(/"/g, '""')}"`)
            .pluck()
            .get(),
        ),
      ]),
    );
  } finally {
    db.close();
  }
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Rows per table of every user schema, through the given client (inside the caller's snapshot transaction if any). */
export async function pgTableCounts(client: pg.Client | pg.PoolClient): Promise<Record<string, number>> {
  const { rows } = await client.query<{ table_schema: string; table_name: string }>(
    `select table_schema, table_name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg_toast%'
     order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const r of rows) {
    const res = await client.query<{ n: string | number }>(
      `select count(*) as n from ${ident(r.table_schema)}.${ident(r.table_name)}`,
    );
    counts[`${r.table_schema}.${r.table_name}`] = Number(res.rows[0].n);
  }
  return counts;
}

/**
 * libpq's tools take the URL as it is, but a password in their arguments shows in `ps`: it goes in PGPASSWORD.
 */
export function pgToolConnection(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

/** Runs pg_dump / pg_restore; a failure carries its stderr, a missing tool says what to install. */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new OpsError(
              `${tool} was not found: install the PostgreSQL client tools of the server's major version (Debian: postgresql-client)`,
            )
          : e,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new OpsError(`${tool} failed (exit ${code}):\n${stderr.trim()}`));
    });
  });
}

/** The counts that differ between two table maps (restore's check), as readable lines. */
export function countDifferences(expected: Record<string, number>, found: Record<string, number>): string[] {
  return Object.entries(expected)
    .filter(([table, n]) => found[table] !== n)
    .map(([table, n]) => `${table}: ${n} rows in the backup, ${found[table] ?? 'no table'} after the restore`);
}
