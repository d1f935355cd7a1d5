import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config';
import { bookingWorld, driveTo, bookingBody } from '../modules/bookings/testing';
import { png, upload } from '../modules/files/testing';
import { startS3, type TestS3 } from '../platform/s3-testing';
import { addMember, as, instrumentBody } from '../test/factories';
import { Client, createSecondInstance, createTestApp, type TestApp } from '../test/harness';
import { backup } from './backup';
import { restore } from './restore';

const pgUrl = process.env.TEST_DATABASE_URL;
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `isp-${name}-`));

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * An app on a database of its own: on PostgreSQL a fresh database (pg_dump and pg_restore work on a database), in
 * which the harness makes its schema; on SQLite the harness's fresh file.
 */
async function appOnOwnDatabase(env: Record<string, string>) {
  if (!pgUrl) {
    const t = await createTestApp(env);
    return {
      t,
      config: { ...t.deps.config, sqliteFile: t.connection.sqliteFile } as Config,
      dropDatabase: async () => undefined,
    };
  }
  const name = `isp_backup_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_URL = url.toString();
  try {
    const t = await createTestApp(env);
    return {
      t,
      config: { ...t.deps.config, DATABASE_URL: url.toString() } as Config,
      name,
      dropDatabase: () => adminQuery(`drop database if exists ${name} with (force)`),
    };
  } finally {
    process.env.TEST_DATABASE_URL = pgUrl;
  }
}

const TABLES = [
  'users',
  'organizations',
  'memberships',
  'instruments',
  'bookings',
  'bookingItems',
  'files',
  'sessions',
] as const;

async function countRows(t: TestApp) {
  const db = t.database.db;
  const counts: Record<string, number> = {};
  for (const table of TABLES)
    counts[table] = Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return counts;
}

/** The manifest names tables as stored (snake_case; `schema.table` on PostgreSQL). */
const manifestCount = (tables: Record<string, number>, table: string) => {
  const snake = table.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const key = Object.keys(tables).find((k) => k === snake || k.endsWith(`.${snake}`));
  return key === undefined ? undefined : tables[key];
};

/** Makes data through the API, backs up while writes go on, destroys, restores, and finds every record and file. */
async function roundTrip(storage: 'local' | 's3') {
  const { t, config, dropDatabase } = await appOnOwnDatabase(storage === 's3' ? s3.env : {});
  const out = path.join(tmp('backup'), 'nightly');
  let second: TestApp | undefined;
  try {
    const w = await bookingWorld(t);
    const completed = await driveTo(t, w, 'completed'); // with its report and invoice PDFs
    const admin = await as(t, await addMember(t, w.provider.org.id, 'admin'));
    const draft = (await admin.post('/api/instruments', instrumentBody())).data.id as string;
    const picture = await png(300, 200);
    const pic = await upload(admin, `/api/instruments/${draft}/pictures`, picture, '外观.png', 'image/png');
    expect(pic.statusCode).toBe(201);
    const before = await countRows(t);
    const db = t.database.db;
    const rowsBefore = {
      booking: await db.selectFrom('bookings').selectAll().where('id', '=', completed).executeTakeFirstOrThrow(),
      items: await db
        .selectFrom('bookingItems')
        .selectAll()
        .where('bookingId', '=', completed)
        .orderBy('instrumentId')
        .execute(),
      org: await db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', w.provider.org.id)
        .executeTakeFirstOrThrow(),
      files: await db.selectFrom('files').selectAll().orderBy('id').execute(),
    };
    const urls = rowsBefore.files.map((f) => `/api/files/${f.id}`);
    const originals = await Promise.all(rowsBefore.files.map((f) => t.deps.storage.get(f.storageKey)));

    // the backup is taken while bookings are being written
    const writes = Promise.all(
      [1, 2, 3].map(() => w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments))),
    );
    const manifest = await backup({ config, out });
    const created = (await writes).filter((r) => r.statusCode === 201).length;
    expect(created).toBe(3);

    expect(manifest.dialect).toBe(pgUrl ? 'postgres' : 'sqlite');
    expect(manifest.files).toMatchObject({ storage, count: 4 }); // 2 PDFs, the picture and its thumbnail
    expect(manifest.files.bytes).toBe(manifest.files.items.reduce((n, f) => n + f.bytes, 0));
    const keys = rowsBefore.files
      .flatMap((f) => [f.storageKey, f.thumbKey])
      .filter(Boolean)
      .sort();
    expect(manifest.files.items.map((f) => f.key)).toEqual(keys);
    for (const table of TABLES) {
      if (table === 'bookings' || table === 'bookingItems' || table === 'sessions') continue; // the writes go on meanwhile
      expect(manifestCount(manifest.database.tables, table), table).toBe(before[table]);
    }
    const bookingsInBackup = manifestCount(manifest.database.tables, 'bookings')!;
    expect(bookingsInBackup).toBeGreaterThanOrEqual(before.bookings);
    expect(bookingsInBackup).toBeLessThanOrEqual(before.bookings + 3);

    // restore refuses while the app still has the database open
    await expect(restore({ config, dir: out })).rejects.toThrow(/stop the app/);

    // destroy: the app stops, its database and its files go
    const uploadDir = config.uploadDir;
    await t.close();
    await dropDatabase();
    if (pgUrl) await adminQuery(`create database ${new URL(config.DATABASE_URL!).pathname.slice(1)}`);
    else expect(fs.existsSync(config.sqliteFile)).toBe(false);
    expect(fs.existsSync(uploadDir)).toBe(false);
    if (storage === 's3')
      for (const key of keys) await s3.client.send(new DeleteObjectCommand({ Bucket: s3.options.bucket, Key: key! }));
    if (storage === 's3') expect(await s3.list()).toEqual([]);

    const report = await restore({ config, dir: out });
    expect(report).toMatchObject({ files: 4, bytes: manifest.files.bytes });

    second = await createSecondInstance(t);
    const after = await countRows(second);
    for (const table of TABLES) expect(after[table], table).toBe(manifestCount(manifest.database.tables, table));
    const db2 = second.database.db;
    expect(await db2.selectFrom('bookings').selectAll().where('id', '=', completed).executeTakeFirstOrThrow()).toEqual(
      rowsBefore.booking,
    );
    expect(
      await db2
        .selectFrom('bookingItems')
        .selectAll()
        .where('bookingId', '=', completed)
        .orderBy('instrumentId')
        .execute(),
    ).toEqual(rowsBefore.items);
    expect(
      await db2.selectFrom('organizations').selectAll().where('id', '=', w.provider.org.id).executeTakeFirstOrThrow(),
    ).toEqual(rowsBefore.org);
    expect(await db2.selectFrom('files').selectAll().orderBy('id').execute()).toEqual(rowsBefore.files);
    if (storage === 's3') expect(await s3.list()).toEqual(keys);

    // the sessions came back too: the same people, logged in before, download every file byte-equal
    const consumer = Object.assign(new Client(second.app), { cookies: { ...w.consumer.member.cookies } });
    const provider = Object.assign(new Client(second.app), { cookies: { ...admin.cookies } });
    for (const [k, url] of urls.entries()) {
      let got = await consumer.get(url);
      if (got.statusCode === 404) got = await provider.get(url);
      expect(got.statusCode, url).toBe(200);
      expect(Buffer.compare(got.rawPayload, originals[k]), url).toBe(0);
    }
    expect(Buffer.compare((await provider.get(pic.data.url)).rawPayload, picture)).toBe(0);
    expect((await consumer.get(`/api/bookings/${completed}`)).data).toMatchObject({
      id: completed,
      state: 'completed',
    });
    return { manifest, report, bookingsBefore: before.bookings };
  } finally {
    await second?.close();
    await dropDatabase();
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
  }
}

describe(`backup and restore (${pgUrl ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('local files: data made through the API, backed up while writes go on, destroyed, restored — every record and file is back', async () => {
    const { manifest, report, bookingsBefore } = await roundTrip('local');
    const inBackup = manifestCount(manifest.database.tables, 'bookings');
    console.log(
      `backup round trip (${manifest.dialect}, local files): ${report.tables} tables, ${report.rows} rows, ${report.files} files, ${report.bytes} bytes, backup ${manifest.durationMs} ms; bookings ${bookingsBefore} before, ${inBackup} in the backup while 3 were being written`,
    );
  });

  it('files in S3: the backup downloads every object, the restore puts them back into the bucket', async () => {
    const { manifest } = await roundTrip('s3');
    expect(manifest.files.storage).toBe('s3');
  });
});

describe('operator mistakes get a clear message and change nothing', () => {
  let own: Awaited<ReturnType<typeof appOnOwnDatabase>>;
  beforeAll(async () => {
    own = await appOnOwnDatabase({});
  });
  afterAll(async () => {
    await own?.t.close();
    await own?.dropDatabase();
  });
  const config = () => own.config;

  it('a missing --out, a non-empty target, a directory without a manifest, a damaged backup, the wrong database', async () => {
    await expect(backup({ config: config(), out: undefined })).rejects.toThrow(/Missing --out DIR/);
    const busy = tmp('busy');
    fs.writeFileSync(path.join(busy, 'old.txt'), 'x');
    await expect(backup({ config: config(), out: busy })).rejects.toThrow(/is not empty/);
    await expect(restore({ config: config(), dir: busy })).rejects.toThrow(
      /No manifest.json in .*not a finished backup/,
    );
    await expect(restore({ config: config(), dir: undefined })).rejects.toThrow(/Missing the backup directory/);

    const out = path.join(busy, 'b');
    const manifest = await backup({ config: config(), out });
    const wrongDialect = pgUrl
      ? { ...config(), DATABASE_URL: undefined }
      : { ...config(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    await expect(restore({ config: wrongDialect, dir: out })).rejects.toThrow(
      /The backup is of a .* database, but this configuration uses/,
    );
    fs.appendFileSync(path.join(out, manifest.database.file), 'damage');
    await expect(restore({ config: config(), dir: out, force: true })).rejects.toThrow(
      /damaged; nothing was changed:\n {2}database\.\w+ does not match its SHA-256/,
    );
    const counts = await countRows(own.t);
    expect(manifestCount(manifest.database.tables, 'users')).toBe(counts.users); // the running app's database is as it was
    fs.rmSync(busy, { recursive: true, force: true });
  });

  it('the scripts print the message and exit 2', async () => {
    const dataDir = tmp('cli');
    const run = (script: string, args: string[]) =>
      promisify(execFile)('npx', ['tsx', script, ...args], { env: { ...process.env, DATA_DIR: dataDir } }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const [noOut, noManifest] = await Promise.all([
      run('scripts/backup.ts', []),
      run('scripts/restore.ts', [path.join(dataDir, 'no-such-backup')]),
    ]);
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(noOut).toMatchObject({ code: 2, stderr: expect.stringMatching(/Missing --out DIR/) });
    expect(noManifest).toMatchObject({ code: 2, stderr: expect.stringMatching(/No manifest.json/) });
  });
});
