import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, deptUser, instrumentBody, makeInstrument, makeOrg } from '../../test/factories';
import { exe, jpeg, multipart, officeZip, pdf, png, upload } from './testing';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.database.db;
const fileRow = (id: string) => db().selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
const fileCount = async () =>
  Number(
    (
      await db()
        .selectFrom('files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
/** Every object in the upload directory. */
function stored(): string[] {
  const root = t.deps.config.uploadDir;
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

async function orgWithDraft(cityCode = '370100') {
  const { org } = await makeOrg(t, { cityCode });
  const admin = await as(t, await addMember(t, org.id, 'admin'));
  const member = await as(t, await addMember(t, org.id, 'member'));
  const res = await admin.post('/api/instruments', instrumentBody({ cityCode }));
  expect(res.statusCode).toBe(201);
  return { org, admin, member, id: res.data.id as string };
}

describe('pictures', () => {
  it('a real PNG is stored with a thumbnail and served with its type, nosniff and its name', async () => {
    const { admin, member, id } = await orgWithDraft();
    const data = await png(1200, 900);
    const res = await upload(admin, `/api/instruments/${id}/pictures`, data, '扫描电镜 外观.png', 'image/png');
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({
      name: '扫描电镜 外观.png',
      mime: 'image/png',
      size: data.length,
      url: `/api/files/${res.data.id}`,
      thumbUrl: `/api/files/${res.data.id}/thumb`,
    });

    const row = (await fileRow(res.data.id))!;
    expect(row).toMatchObject({
      purpose: 'instrument_picture',
      mime: 'image/png',
      size: data.length,
      sha256: crypto.createHash('sha256').update(data).digest('hex'),
    });
    expect(row.thumbKey).toBeTruthy();
    expect(Buffer.compare(await t.deps.storage.get(row.storageKey), data)).toBe(0);
    const thumbMeta = await sharp(await t.deps.storage.get(row.thumbKey!)).metadata();
    expect(thumbMeta).toMatchObject({ format: 'webp', width: 320, height: 240 });
    const link = await db()
      .selectFrom('instrumentFiles')
      .selectAll()
      .where('fileId', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({ instrumentId: id, kind: 'picture', sort: 0 });

    const got = await member.get(res.data.url);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(
      `inline; filename="____ __.png"; filename*=UTF-8''${encodeURIComponent('扫描电镜 外观.png')}`,
    );
    expect(got.headers['cache-control']).toBe('private, no-cache');
    expect(Buffer.compare(got.rawPayload, data)).toBe(0);

    const thumb = await member.get(res.data.thumbUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.headers['x-content-type-options']).toBe('nosniff');
    expect(thumb.headers['content-disposition']).toMatch(/^inline; /);

    const view = (await member.get(`/api/instruments/${id}`)).data;
    expect(view.pictures).toEqual([res.data]);
    expect(
      (await member.get('/api/instruments/mine')).data.items.find((i: { id: string }) => i.id === id),
    ).toMatchObject({ pictureUrl: res.data.thumbUrl, pictureCount: 1, attachmentCount: 0 });
  });

  it('takes the type from the content: a JPEG named .png is a JPEG, and keeps its real extension', async () => {
    const { admin, id } = await orgWithDraft();
    const res = await upload(admin, `/api/instruments/${id}/pictures`, await jpeg(), 'photo.png', 'image/png');
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ mime: 'image/jpeg', name: 'photo.jpg' });
  });

  it('refuses a renamed .exe called photo.jpg with 415, keeping nothing', async () => {
    const { admin, id } = await orgWithDraft();
    const files = await fileCount();
    const objects = stored().length;
    const res = await upload(admin, `/api/instruments/${id}/pictures`, exe(), 'photo.jpg', 'image/jpeg');
    expect(res.statusCode).toBe(415);
    expect(res.data.error).toMatchObject({
      code: 'FILE_TYPE_NOT_ALLOWED',
      message: '文件内容与类型不符，仅支持 JPG、PNG、WebP 图片',
    });
    expect(res.data.error.fields.file).toBeTruthy();
    expect(await fileCount()).toBe(files);
    expect(stored().length).toBe(objects);
    expect(await db().selectFrom('instrumentFiles').select('fileId').where('instrumentId', '=', id).execute()).toEqual(
      [],
    );
  });

  it('refuses an image that only looks like a PNG (415) and a PDF as a picture (415)', async () => {
    const { admin, id } = await orgWithDraft();
    const files = await fileCount();
    const fake = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      crypto.randomBytes(5000),
    ]);
    const broken = await upload(admin, `/api/instruments/${id}/pictures`, fake, 'broken.png', 'image/png');
    expect(broken.statusCode).toBe(415);
    expect(broken.data.error.code).toBe('IMAGE_UNREADABLE');
    expect(broken.data.error.fields.file).toBeTruthy();
    const doc = await upload(admin, `/api/instruments/${id}/pictures`, pdf(), 'manual.jpg', 'image/jpeg');
    expect(doc.statusCode).toBe(415);
    expect(await fileCount()).toBe(files);
  });

  it('refuses a 6 MB picture with 413, keeping nothing', async () => {
    const { admin, id } = await orgWithDraft();
    const files = await fileCount();
    const objects = stored().length;
    const big = Buffer.concat([await jpeg(), crypto.randomBytes(6 * 1024 * 1024)]);
    const res = await upload(admin, `/api/instruments/${id}/pictures`, big, 'big.jpg', 'image/jpeg');
    expect(res.statusCode).toBe(413);
    expect(res.data.error).toMatchObject({ code: 'FILE_TOO_LARGE', message: '文件过大，图片不能超过 5 MB' });
    expect(res.data.error.fields.file).toBeTruthy();
    expect(await fileCount()).toBe(files);
    expect(stored().length).toBe(objects);
  });

  it('takes at most 9 pictures', async () => {
    const { admin, id } = await orgWithDraft();
    const small = await png(40, 30);
    for (let i = 0; i < 9; i++)
      expect((await upload(admin, `/api/instruments/${id}/pictures`, small, `p${i}.png`)).statusCode).toBe(201);
    const files = await fileCount();
    const tenth = await upload(admin, `/api/instruments/${id}/pictures`, small, 'p9.png');
    expect(tenth.statusCode).toBe(422);
    expect(tenth.data.error.fields.file).toBe('每台仪器最多上传 9 张图片');
    expect(await fileCount()).toBe(files);
    const sorts = (
      await db().selectFrom('instrumentFiles').select('sort').where('instrumentId', '=', id).orderBy('sort').execute()
    ).map((r) => r.sort);
    expect(sorts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('answers a request without a file, or not multipart, with the file field named', async () => {
    const { admin, id } = await orgWithDraft();
    const json = await admin.post(`/api/instruments/${id}/pictures`, {});
    expect(json.statusCode).toBe(415);
    expect(json.data.error.fields.file).toBeTruthy();
    const m = multipart(Buffer.from('x'), 'x.png');
    const noFile = Buffer.from(
      m.body.toString('latin1').replace(/; filename="x.png"\r\nContent-Type: application\/octet-stream/, ''),
      'latin1',
    );
    const res = await admin.request('POST', `/api/instruments/${id}/pictures`, noFile, {
      'content-type': m.contentType,
    });
    expect(res.statusCode).toBe(400);
    expect(res.data.error.fields.file).toBeTruthy();
  });
});

describe('attachments', () => {
  it('a PDF is stored and served as a download with its name', async () => {
    const { admin, member, id } = await orgWithDraft();
    const data = pdf();
    const res = await upload(admin, `/api/instruments/${id}/attachments`, data, '操作规程.pdf', 'application/pdf');
    expect(res.statusCode).toBe(201);
    expect(res.data).toMatchObject({ name: '操作规程.pdf', mime: 'application/pdf', thumbUrl: null });
    expect((await fileRow(res.data.id))!).toMatchObject({
      purpose: 'instrument_attachment',
      thumbKey: null,
      size: data.length,
    });
    const got = await member.get(res.data.url);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('操作规程.pdf')}`,
    );
    expect(Buffer.compare(got.rawPayload, data)).toBe(0);
    expect((await member.get(`${res.data.url}/thumb`)).statusCode).toBe(404);
  });

  it('takes Word and Excel by content, and refuses pictures and other archives', async () => {
    const { admin, id } = await orgWithDraft();
    const docx = await upload(admin, `/api/instruments/${id}/attachments`, officeZip('word'), '收费标准.docx');
    expect(docx.statusCode).toBe(201);
    expect(docx.data.mime).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const xlsx = await upload(admin, `/api/instruments/${id}/attachments`, officeZip('xl'), 'list.bin');
    expect(xlsx.data).toMatchObject({
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      name: 'list.xlsx',
    });
    const files = await fileCount();
    const picture = await upload(
      admin,
      `/api/instruments/${id}/attachments`,
      await png(40, 30),
      'a.pdf',
      'application/pdf',
    );
    expect(picture.statusCode).toBe(415);
    expect(picture.data.error.message).toBe('文件内容与类型不符，仅支持 PDF、Word、Excel 文件');
    expect((await upload(admin, `/api/instruments/${id}/attachments`, officeZip('other'), 'a.docx')).statusCode).toBe(
      415,
    );
    expect((await upload(admin, `/api/instruments/${id}/attachments`, exe(), 'setup.pdf')).statusCode).toBe(415);
    expect(await fileCount()).toBe(files);
  });

  it('a removed attachment is gone from the database, the storage and the URL', async () => {
    const { admin, member, id } = await orgWithDraft();
    const res = await upload(admin, `/api/instruments/${id}/attachments`, pdf(), 'a.pdf');
    const row = (await fileRow(res.data.id))!;
    expect((await member.del(`/api/instruments/${id}/files/${row.id}`)).statusCode).toBe(403);
    expect((await admin.del(`/api/instruments/${id}/files/${row.id}`)).statusCode).toBe(200);
    expect(await fileRow(row.id)).toBeUndefined();
    await expect(t.deps.storage.get(row.storageKey)).rejects.toThrow();
    expect((await admin.get(res.data.url)).statusCode).toBe(404);
    expect((await admin.del(`/api/instruments/${id}/files/${row.id}`)).statusCode).toBe(404);
  });
});

describe('who may read a file', () => {
  it("a draft's files are for its organisation and its reviewers; once listed, for everyone", async () => {
    const { admin, member, id } = await orgWithDraft('370100');
    const pic = await upload(admin, `/api/instruments/${id}/pictures`, await png(200, 100), 'p.png');
    const doc = await upload(admin, `/api/instruments/${id}/attachments`, pdf(), 'a.pdf');
    const urls = [pic.data.url, pic.data.thumbUrl, doc.data.url];
    const visitor = new Client(t.app);
    const stranger = await as(t, (await makeOrg(t)).legal);
    const otherCity = await as(t, await deptUser(t, '370200'));
    const inCharge = await as(t, await deptUser(t, '370100'));
    for (const url of urls) {
      for (const [who, c] of [
        ['visitor', visitor],
        ['another organisation', stranger],
        ['another city', otherCity],
      ] as const) {
        const res = await c.get(url);
        expect(res.statusCode, `${who} ${url}`).toBe(404);
        expect(res.data.error.code).toBe('NOT_FOUND');
        expect(res.headers['content-type']).toMatch(/json/);
      }
      expect((await member.get(url)).statusCode, url).toBe(200);
      expect((await inCharge.get(url)).statusCode, url).toBe(200);
    }

    // pending: still private
    await admin.post(`/api/instruments/${id}/submit`);
    expect((await visitor.get(pic.data.url)).statusCode).toBe(404);
    const review = await db().selectFrom('reviews').select('id').where('subjectId', '=', id).executeTakeFirstOrThrow();
    expect((await inCharge.post(`/api/reviews/${review.id}/decision`, { action: 'approve' })).statusCode).toBe(200);
    for (const url of urls) {
      const res = await visitor.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=600');
    }
    // public detail lists them
    const view = (await visitor.get(`/api/instruments/${id}`)).data;
    expect(view.pictures.map((p: { id: string }) => p.id)).toEqual([pic.data.id]);
    expect(view.attachments.map((p: { id: string }) => p.id)).toEqual([doc.data.id]);
  });

  it('a listed instrument that is disabled keeps its pictures public; an unknown id is 404', async () => {
    const { org } = await makeOrg(t);
    const admin = await as(t, await addMember(t, org.id, 'admin'));
    const inst = await makeInstrument(t, org.id);
    const pic = await upload(admin, `/api/instruments/${inst.id}/pictures`, await png(60, 40), 'p.png');
    expect(pic.statusCode).toBe(201);
    await admin.post(`/api/instruments/${inst.id}/disable`);
    expect((await new Client(t.app).get(pic.data.url)).statusCode).toBe(200);
    expect((await new Client(t.app).get(`/api/files/${crypto.randomUUID()}`)).statusCode).toBe(404);
  });
});
