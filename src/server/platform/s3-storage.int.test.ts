import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { connect } from '../db/connect';
import { as, addMember, instrumentBody, makeOrg } from '../test/factories';
import { Client, createTestApp, type TestApp } from '../test/harness';
import { pdf, png, upload } from '../modules/files/testing';
import { migrateStorage } from '../ops/storage-migrate';
import { s3Storage } from './s3-storage';
import { startS3, type TestS3 } from './s3-testing';
import { localStorage, newStorageKey, storageFromConfig, type Storage } from './storage';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

/** An organisation admin with a draft instrument to attach files to. */
async function draftInstrument(t: TestApp) {
  const { org } = await makeOrg(t);
  const admin = await as(t, await addMember(t, org.id, 'admin'));
  const res = await admin.post('/api/instruments', instrumentBody());
  expect(res.statusCode).toBe(201);
  return { admin, id: res.data.id as string };
}

const filesOnDisk = (root: string) =>
  fs.existsSync(root)
    ? fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length
    : 0;
const keysOf = async (t: TestApp, fileId: string) => {
  const row = await t.database.db
    .selectFrom('files')
    .select(['storageKey', 'thumbKey'])
    .where('id', '=', fileId)
    .executeTakeFirstOrThrow();
  return [row.storageKey, row.thumbKey].filter((k): k is string => !!k);
};

describe('uploaded files in an S3 bucket (S3_ENDPOINT and S3_BUCKET set)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(s3.env);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an upload goes into the bucket, downloads byte-equal through the API, and its removal removes the objects', async () => {
    expect(t.deps.storage.kind).toBe('s3');
    const { admin, id } = await draftInstrument(t);
    const picture = await png(400, 300);
    const res = await upload(admin, `/api/instruments/${id}/pictures`, picture, '外观.png', 'image/png');
    expect(res.statusCode).toBe(201);
    const keys = await keysOf(t, res.data.id);
    expect(keys).toHaveLength(2); // the picture and its thumbnail
    const inBucket = await s3.list();
    for (const key of keys) expect(inBucket).toContain(key);
    expect(filesOnDisk(t.deps.config.uploadDir)).toBe(0);

    const got = await admin.get(res.data.url);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(Number(got.headers['content-length'])).toBe(picture.length);
    expect(Buffer.compare(got.rawPayload, picture)).toBe(0);
    const thumb = await admin.get(res.data.thumbUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.rawPayload.subarray(8, 12).toString('latin1')).toBe('WEBP');

    expect((await admin.del(`/api/instruments/${id}/files/${res.data.id}`)).statusCode).toBe(200);
    const after = await s3.list();
    for (const key of keys) expect(after).not.toContain(key);
    expect((await admin.get(res.data.url)).statusCode).toBe(404);
  });

  it('an object missing from the bucket is a 404 in the one error format, as a missing local file is', async () => {
    const { admin, id } = await draftInstrument(t);
    const res = await upload(admin, `/api/instruments/${id}/pictures`, await png(64, 48), 'p.png', 'image/png');
    const [key, thumbKey] = await keysOf(t, res.data.id);
    for (const k of [key, thumbKey])
      await s3.client.send(new DeleteObjectCommand({ Bucket: s3.options.bucket, Key: k }));
    for (const url of [res.data.url, res.data.thumbUrl]) {
      // streamed (original) and buffered (thumbnail)
      const missing = await admin.get(url);
      expect(missing.statusCode, url).toBe(404);
      expect(missing.data.error).toMatchObject({ code: 'NOT_FOUND', message: '文件不存在' });
    }
  });
});

describe('the two stores behave alike', () => {
  const localRoot = path.join(os.tmpdir(), `isp-store-${process.pid}`);
  afterAll(() => fs.rmSync(localRoot, { recursive: true, force: true }));
  const stores: [string, () => Storage][] = [
    ['local', () => localStorage(localRoot)],
    ['s3', () => s3Storage({ ...s3.options, listPageSize: 2 })],
  ];
  it.each(stores)(
    '%s: put, get, stream, keys over several list pages, a missing key is a 404, remove',
    async (_name, make) => {
      const store = make();
      const blobs = [Buffer.from('一'), Buffer.alloc(70_000, 7), Buffer.from([0, 1, 2, 255])];
      const keys = await Promise.all(blobs.map((b, i) => store.put(b, ['txt', 'bin', 'pdf'][i])));
      const fixed = newStorageKey('png');
      await store.write(fixed, Buffer.from('fixed'));
      expect(Buffer.compare(await store.get(keys[1]), blobs[1])).toBe(0);
      const chunks: Buffer[] = [];
      for await (const c of await store.stream(keys[2])) chunks.push(c as Buffer);
      expect(Buffer.compare(Buffer.concat(chunks), blobs[2])).toBe(0);

      const listed: string[] = [];
      for await (const k of store.keys()) listed.push(k);
      for (const k of [...keys, fixed]) expect(listed).toContain(k);

      const absent = newStorageKey('png');
      await expect(store.get(absent)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(store.stream(absent)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(store.get('../etc/passwd')).rejects.toThrow(/bad storage key/);
      for (const k of [...keys, fixed]) await store.remove(k);
      const left: string[] = [];
      for await (const k of store.keys()) left.push(k);
      for (const k of [...keys, fixed]) expect(left).not.toContain(k);
    },
  );

  it('objects of a shared bucket that are not uploads are left out of the listing', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.options.bucket, Key: 'notes/readme.txt', Body: 'x' }));
    const listed: string[] = [];
    for await (const k of s3Storage(s3.options).keys()) listed.push(k);
    expect(listed).not.toContain('notes/readme.txt');
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.options.bucket, Key: 'notes/readme.txt' }));
  });
});

describe('configuration', () => {
  it('refuses an S3 endpoint without a bucket (and the reverse, and one key without the other), naming the missing variable', () => {
    expect(() => loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(
      /S3_BUCKET: must be set together with S3_ENDPOINT/,
    );
    expect(() => loadConfig({ S3_BUCKET: 'uploads' })).toThrow(/S3_ENDPOINT: must be set together with S3_BUCKET/);
    expect(() =>
      loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'uploads', S3_ACCESS_KEY_ID: 'k' }),
    ).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(storageFromConfig(loadConfig({ DATA_DIR: os.tmpdir() })).kind).toBe('local');
    expect(storageFromConfig(loadConfig({ ...s3.env })).kind).toBe('s3');
  });
});

describe('npm run storage:migrate', () => {
  let t: TestApp;
  let s3App: FastifyInstance | undefined;
  let closeS3App = async () => undefined as void;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await closeS3App();
    await t?.close();
  });

  it('copies the local files into the bucket, so an app switched to S3 serves them; a second run copies nothing', async () => {
    expect(t.deps.storage.kind).toBe('local');
    const { admin, id } = await draftInstrument(t);
    const picture = await png(200, 150);
    const document = pdf('规程');
    const pic = await upload(admin, `/api/instruments/${id}/pictures`, picture, 'p.png', 'image/png');
    const doc = await upload(admin, `/api/instruments/${id}/attachments`, document, '操作规程.pdf', 'application/pdf');
    expect([pic.statusCode, doc.statusCode]).toEqual([201, 201]);
    const before = (await s3.list()).length;

    // the real command, as an operator runs it: DATA_DIR of the app and the bucket's variables
    const env = { ...process.env, DATA_DIR: t.deps.config.DATA_DIR, LOG_LEVEL: 'silent', ...s3.env };
    const run = await promisify(execFile)('npx', ['tsx', 'scripts/storage-migrate.ts'], { env, cwd: process.cwd() });
    expect(run.stdout).toMatch(/done: 3 copied \(\d+ bytes\), 0 already there/);
    expect((await s3.list()).length).toBe(before + 3);
    const again = await migrateStorage({ config: loadConfig(env) });
    expect(again).toEqual({ copied: 0, skipped: 3, bytes: 0 });

    // the local copies go, so whatever is served now comes from the bucket
    fs.rmSync(t.deps.config.uploadDir, { recursive: true, force: true });
    const config = { ...t.deps.config, ...s3.env }; // the same secrets and directories, now with the bucket
    const database = connect({ ...t.connection, poolMax: 2 });
    s3App = await buildApp({ ...t.deps, config, database, storage: storageFromConfig(config) });
    closeS3App = async () => {
      await s3App?.close();
      await database.close();
    };
    await s3App.ready();
    const viewer = new Client(s3App);
    viewer.cookies = { ...admin.cookies }; // the same session, now answered by the S3-configured instance
    for (const [url, data] of [
      [pic.data.url, picture],
      [doc.data.url, document],
    ] as const) {
      const got = await viewer.get(url);
      expect(got.statusCode, url).toBe(200);
      expect(Buffer.compare(got.rawPayload, data)).toBe(0);
    }
    expect((await viewer.get(pic.data.thumbUrl)).statusCode).toBe(200);
  });

  it('says what is missing when no bucket is configured', async () => {
    await expect(migrateStorage({ config: t.deps.config })).rejects.toThrow(/S3_ENDPOINT and S3_BUCKET are not set/);
  });
});
