/**
 * npm run backup -- --out DIR: a consistent copy of the database and of the uploaded files, taken while the app runs.
 *
 * The database is copied first and the files after it, so every file a copied row names is there (a file uploaded
 * meanwhile is copied too and is merely unused; only a file deleted in the seconds between the two is missed).
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../config';
import { storageFromConfig, type Storage } from '../platform/storage';
import {
  FILES_DIR,
  FORMAT,
  MANIFEST,
  OpsError,
  pgTableCounts,
  pgToolConnection,
  runPgTool,
  sha256,
  sqliteTableCounts,
  type FileEntry,
  type Manifest,
} from './manifest';

export interface BackupOptions {
  config: Config;
  /** the target directory: absent or empty */
  out: string | undefined;
  /** the store to copy from; by default the configured one (storageFromConfig) */
  storage?: Storage;
  log?: (line: string) => void;
}

function prepareTarget(out: string | undefined): string {
  if (!out) throw new OpsError('Missing --out DIR: the directory to write the backup to (it must be absent or empty).');
  const dir = path.resolve(out);
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new OpsError(`${dir} is a file, not a directory.`);
    if (fs.readdirSync(dir).length)
      throw new OpsError(
        `${dir} is not empty: give a new or empty directory, so that no earlier backup is mixed into this one.`,
      );
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** SQLite's online backup API: pages are copied while others write; the copy is one consistent state. */
async function backupSqlite(file: string, target: string): Promise<Record<string, number>> {
  if (!fs.existsSync(file))
    throw new OpsError(`No SQLite database at ${file}: check DATA_DIR (or set DATABASE_URL for PostgreSQL).`);
  const source = new SQLite(file, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(target);
  } finally {
    source.close();
  }
  // one self-contained file (no -wal beside it); the app turns WAL back on when it opens the restored file
  const copy = new SQLite(target);
  copy.pragma('journal_mode = DELETE');
  copy.close();
  return sqliteTableCounts(target);
}

/**
 * pg_dump inside a snapshot exported by our own transaction, so that the row counts in the manifest are those of
 * the very state that pg_dump writes, whatever the app commits meanwhile.
 */
async function backupPostgres(databaseUrl: string, target: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0].id;
    const { dbname, env } = pgToolConnection(databaseUrl);
    await runPgTool(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, `--file=${target}`, `--dbname=${dbname}`],
      env,
    );
    const counts = await pgTableCounts(client);
    await client.query('commit');
    return counts;
  } finally {
    await client.end();
  }
}

async function copyFiles(storage: Storage, target: string, log: (line: string) => void): Promise<FileEntry[]> {
  const keys: string[] = [];
  for await (const key of storage.keys()) keys.push(key);
  keys.sort();
  const items: FileEntry[] = [];
  for (const key of keys) {
    let data: Buffer;
    try {
      data = await storage.get(key);
    } catch (e) {
      // deleted by the app between the listing and now: it is no longer anyone's file
      if ((e as { status?: number }).status === 404) continue;
      throw e;
    }
    const file = path.join(target, ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    items.push({ key, bytes: data.length, sha256: sha256(data) });
    if (items.length % 500 === 0) log(`  files: ${items.length} of ${keys.length}`);
  }
  return items;
}

export async function backup(o: BackupOptions): Promise<Manifest> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const createdAt = new Date(started).toISOString();
  const dir = prepareTarget(o.out);
  const dialect = o.config.DATABASE_URL ? 'postgres' : 'sqlite';
  const dbFile = path.join(dir, dialect === 'postgres' ? 'database.pgdump' : 'database.sqlite');
  log(`backup of the ${dialect} database to ${dbFile}`);
  const tables =
    dialect === 'postgres'
      ? await backupPostgres(o.config.DATABASE_URL!, dbFile)
      : await backupSqlite(o.config.sqliteFile, dbFile);
  const dbData = fs.readFileSync(dbFile);

  const storage = o.storage ?? storageFromConfig(o.config);
  log(`backup of the uploaded files (${storage.kind === 's3' ? `bucket ${o.config.S3_BUCKET}` : o.config.uploadDir})`);
  const items = await copyFiles(storage, path.join(dir, FILES_DIR), log);

  const manifest: Manifest = {
    format: FORMAT,
    createdAt,
    durationMs: Date.now() - started,
    dialect,
    database: { file: path.basename(dbFile), bytes: dbData.length, sha256: sha256(dbData), tables },
    files: { storage: storage.kind, count: items.length, bytes: items.reduce((n, f) => n + f.bytes, 0), items },
  };
  // written last: a directory with a manifest is a finished backup
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  const rows = Object.values(tables).reduce((a, b) => a + b, 0);
  log(
    `done in ${manifest.durationMs} ms: ${Object.keys(tables).length} tables, ${rows} rows, ${items.length} files (${manifest.files.bytes} bytes)`,
  );
  return manifest;
}
