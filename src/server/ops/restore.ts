/**
 * npm run restore -- DIR: puts a backup (ops/backup.ts) back: the database replaced, the files written back to the
 * configured store, then both checked against the manifest. The app must be stopped: a running server would keep
 * writing into the database it had open. Restore refuses while one is seen (another PostgreSQL session on the
 * database, another process with the SQLite file open) unless `force` is given.
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
  countDifferences,
  pgTableCounts,
  pgToolConnection,
  runPgTool,
  sha256,
  sqliteTableCounts,
  type Manifest,
} from './manifest';

export interface RestoreOptions {
  config: Config;
  dir: string | undefined;
  /** restore even though other sessions or processes have the database open */
  force?: boolean;
  storage?: Storage;
  log?: (line: string) => void;
}

export interface RestoreReport {
  tables: number;
  rows: number;
  files: number;
  bytes: number;
}

function readManifest(dir: string | undefined): { dir: string; manifest: Manifest } {
  if (!dir) throw new OpsError('Missing the backup directory: npm run restore -- DIR');
  const root = path.resolve(dir);
  const file = path.join(root, MANIFEST);
  if (!fs.existsSync(file)) throw new OpsError(`No ${MANIFEST} in ${root}: not a finished backup of npm run backup.`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new OpsError(`${file} is not valid JSON: the backup is damaged.`);
  }
  if (manifest?.format !== FORMAT) throw new OpsError(`${file} is not a manifest of format ${FORMAT}.`);
  return { dir: root, manifest };
}

/** Every byte is checked before anything is replaced: a damaged backup must not destroy a working database. */
function verifyBackup(dir: string, m: Manifest) {
  const problems: string[] = [];
  const dbFile = path.join(dir, m.database.file);
  if (!fs.existsSync(dbFile)) problems.push(`${m.database.file} is missing`);
  else if (sha256(fs.readFileSync(dbFile)) !== m.database.sha256)
    problems.push(`${m.database.file} does not match its SHA-256`);
  for (const f of m.files.items) {
    const file = path.join(dir, FILES_DIR, ...f.key.split('/'));
    if (!fs.existsSync(file)) problems.push(`file ${f.key} is missing`);
    else if (sha256(fs.readFileSync(file)) !== f.sha256) problems.push(`file ${f.key} does not match its SHA-256`);
  }
  if (problems.length)
    throw new OpsError(
      `The backup in ${dir} is damaged; nothing was changed:\n  ${problems.slice(0, 20).join('\n  ')}`,
    );
}

/** The processes of this machine that have the file open (Linux /proc; elsewhere nothing can be seen). */
function processesHolding(file: string): number[] {
  if (!fs.existsSync(file) || !fs.existsSync('/proc/self/fd')) return [];
  const target = fs.realpathSync(file);
  const holders: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    if (
      fds.some((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      })
    )
      holders.push(Number(pid));
  }
  return holders;
}

function restoreSqlite(o: RestoreOptions, dir: string, m: Manifest) {
  const file = o.config.sqliteFile;
  const holders = processesHolding(file);
  if (holders.length && !o.force)
    throw new OpsError(
      `${file} is open in process ${holders.join(', ')}: stop the app before restoring (or give --force).`,
    );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const staged = `${file}.restoring`;
  fs.copyFileSync(path.join(dir, m.database.file), staged);
  const check = new SQLite(staged, { fileMustExist: true });
  const integrity = check.pragma('integrity_check', { simple: true });
  check.close();
  if (integrity !== 'ok') throw new OpsError(`The restored copy fails SQLite's integrity check: ${String(integrity)}`);
  // a -wal left beside the old file would be replayed into the new one: both go before the new file takes its place
  for (const side of ['-wal', '-shm', '-journal']) fs.rmSync(file + side, { force: true });
  fs.renameSync(staged, file);
  return sqliteTableCounts(file);
}

async function restorePostgres(o: RestoreOptions, dir: string, m: Manifest) {
  const url = o.config.DATABASE_URL!;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const others = (
      await client.query<{ pid: number; client_addr: string | null; application_name: string }>(
        'select pid, client_addr, application_name from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      )
    ).rows;
    if (others.length && !o.force) {
      const who = others
        .slice(0, 5)
        .map(
          (r) =>
            `pid ${r.pid} from ${r.client_addr ?? 'a local socket'}${r.application_name ? ` (${r.application_name})` : ''}`,
        )
        .join(', ');
      throw new OpsError(
        `${others.length} other session(s) are connected to the database (${who}): stop the app instances before restoring (or give --force).`,
      );
    }
    const { dbname, env } = pgToolConnection(url);
    // one transaction: a failure leaves the database as it was
    await runPgTool(
      'pg_restore',
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--single-transaction',
        '--exit-on-error',
        `--dbname=${dbname}`,
        path.join(dir, m.database.file),
      ],
      env,
    );
    return await pgTableCounts(client);
  } finally {
    await client.end();
  }
}

export async function restore(o: RestoreOptions): Promise<RestoreReport> {
  const log = o.log ?? (() => undefined);
  const { dir, manifest: m } = readManifest(o.dir);
  const dialect = o.config.DATABASE_URL ? 'postgres' : 'sqlite';
  if (m.dialect !== dialect) {
    throw new OpsError(
      `The backup is of a ${m.dialect} database, but this configuration uses ${dialect}${dialect === 'postgres' ? ' (DATABASE_URL is set)' : ' (DATABASE_URL is not set)'}.`,
    );
  }
  log(`checking the backup of ${m.createdAt} (${m.database.file}, ${m.files.count} files)`);
  verifyBackup(dir, m);

  log(`restoring the ${dialect} database`);
  const counts = dialect === 'postgres' ? await restorePostgres(o, dir, m) : restoreSqlite(o, dir, m);
  const wrongCounts = countDifferences(m.database.tables, counts);
  if (wrongCounts.length)
    throw new OpsError(`The restored database differs from the manifest:\n  ${wrongCounts.join('\n  ')}`);

  const storage = o.storage ?? storageFromConfig(o.config);
  log(
    `restoring ${m.files.count} files to ${storage.kind === 's3' ? `bucket ${o.config.S3_BUCKET}` : o.config.uploadDir}`,
  );
  const wrongFiles: string[] = [];
  for (const f of m.files.items) {
    await storage.write(f.key, fs.readFileSync(path.join(dir, FILES_DIR, ...f.key.split('/'))));
    // read back from the store, not from the backup: this is what the app will serve
    const back = await storage.get(f.key).catch(() => null);
    if (!back || sha256(back) !== f.sha256) wrongFiles.push(f.key);
  }
  if (wrongFiles.length)
    throw new OpsError(
      `${wrongFiles.length} file(s) read back differently from the store: ${wrongFiles.slice(0, 10).join(', ')}`,
    );

  const report = {
    tables: Object.keys(counts).length,
    rows: Object.values(m.database.tables).reduce((a, b) => a + b, 0),
    files: m.files.count,
    bytes: m.files.bytes,
  };
  log(
    `done: ${report.tables} tables, ${report.rows} rows, ${report.files} files (${report.bytes} bytes), all as in the manifest`,
  );
  return report;
}
