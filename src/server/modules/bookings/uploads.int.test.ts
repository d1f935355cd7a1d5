/**
 * A booking's files: judged by their content (not their name), with a size limit, in slots that only the right
 * party may fill in the right state, at most five per slot, removable while the slot is open, and served as
 * attachments to the two parties only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../../test/harness';
import { exe, officeZip, pdf, png, upload } from '../files/testing';
import { bookingWorld, driveTo, ok, person, refusal, storedBooking, type World } from './testing';

let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.database.db;
const fileCount = async () =>
  Number(
    (
      await db()
        .selectFrom('files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const linksOf = (id: string) =>
  db()
    .selectFrom('bookingFiles')
    .select(['fileId', 'slot'])
    .where('bookingId', '=', id)
    .orderBy('createdAt')
    .orderBy('fileId')
    .execute();
/** Every object in the upload directory. */
function objects(): string[] {
  const root = t.deps.config.uploadDir;
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}
const url = (id: string, slot: string) => `/api/bookings/${id}/files?slot=${slot}`;

describe('by content', () => {
  it('a renamed .exe called report.pdf is 415 and nothing is stored', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const [files, objs] = [await fileCount(), objects().length];
    const res = await upload(w.consumer.member, url(id, 'report'), exe(), 'report.pdf', 'application/pdf');
    expect(res.statusCode).toBe(415);
    expect(res.data.error.code).toBe('FILE_TYPE_NOT_ALLOWED');
    expect(res.data.error.fields.file).toBeTruthy();
    const asPng = await upload(w.consumer.member, url(id, 'invoice'), exe(), 'invoice.png', 'image/png');
    expect(asPng.statusCode).toBe(415);
    const text = await upload(
      w.consumer.member,
      url(id, 'invoice'),
      Buffer.from('发票号码 12345\n金额 1903.00\n'),
      'invoice.pdf',
      'application/pdf',
    );
    expect(text.statusCode).toBe(415);
    const zip = await upload(w.consumer.member, url(id, 'invoice'), officeZip('other'), 'invoice.docx');
    expect(zip.statusCode).toBe(415);
    expect(await fileCount()).toBe(files);
    expect(objects().length).toBe(objs);
    expect(await linksOf(id)).toEqual([]);
  });

  it('a file over 20 MB is 413 and nothing is stored', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const [files, objs] = [await fileCount(), objects().length];
    const big = Buffer.concat([pdf('big'), Buffer.alloc(20 * 1024 * 1024 + 1, 0x20)]);
    const res = await upload(w.consumer.member, url(id, 'report'), big, '大报告.pdf', 'application/pdf');
    expect(res.statusCode).toBe(413);
    expect(res.data.error.code).toBe('FILE_TOO_LARGE');
    expect(res.data.error.fields.file).toBeTruthy();
    expect(await fileCount()).toBe(files);
    expect(objects().length).toBe(objs);
    expect(await linksOf(id)).toEqual([]);
  });

  it('PDF, PNG and Word are accepted, named by their real type, and linked to their slot', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const a = ok(
      await upload(w.consumer.member, url(id, 'report'), pdf('检测报告'), '检测报告', 'application/octet-stream'),
      201,
    ).data;
    expect(a).toMatchObject({ name: '检测报告.pdf', mime: 'application/pdf', thumbUrl: null });
    const image = await png(320, 240);
    const b = ok(await upload(w.consumer.member, url(id, 'invoice'), image, '发票扫描件.PNG', 'image/png'), 201).data;
    expect(b).toMatchObject({ name: '发票扫描件.png', mime: 'image/png', size: image.length });
    expect(b.thumbUrl).toBe(`/api/files/${b.id}/thumb`);
    const c = ok(await upload(w.consumer.member, url(id, 'invoice'), officeZip('word'), '发票说明.docx'), 201).data;
    expect(c.name).toBe('发票说明.docx');
    expect(await linksOf(id)).toEqual(
      expect.arrayContaining([
        { fileId: a.id, slot: 'report' },
        { fileId: b.id, slot: 'invoice' },
        { fileId: c.id, slot: 'invoice' },
      ]),
    );
    const row = await db().selectFrom('files').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ purpose: 'booking_file', orgId: w.consumer.org.id, createdBy: w.consumer.memberId });
    const view = ok(await w.provider.admin.get(`/api/bookings/${id}`)).data;
    expect(view.files.report.map((f: any) => f.id)).toEqual([a.id]);
    expect(view.files.invoice.map((f: any) => f.id).sort()).toEqual([b.id, c.id].sort());
  });
});

describe('slots', () => {
  it('result_report: only a provider admin, only in 待测试', async () => {
    const id = await driveTo(t, w, 'accepted');
    const files = await fileCount();
    const cases: [Client, number, string][] = [
      [w.provider.member, 403, 'BOOKING_ADMIN_ONLY'],
      [w.consumer.member, 403, 'BOOKING_WRONG_PARTY'],
      [w.consumer.admin, 403, 'BOOKING_WRONG_PARTY'],
      [w.third.admin, 404, 'NOT_FOUND'],
    ];
    for (const [c, status, code] of cases) {
      expect(refusal(await upload(c, url(id, 'result_report'), pdf(), '报告.pdf', 'application/pdf'))).toMatchObject({
        status,
        code,
      });
    }
    expect(await fileCount()).toBe(files);
    const f = ok(
      await upload(
        w.provider.admin,
        url(id, 'result_report'),
        pdf('provider'),
        '受托方检测报告.pdf',
        'application/pdf',
      ),
      201,
    ).data;
    expect(await linksOf(id)).toEqual([{ fileId: f.id, slot: 'result_report' }]);
    // the consumer's slots are not open while testing
    expect(refusal(await upload(w.consumer.member, url(id, 'report'), pdf(), '报告.pdf', 'application/pdf'))).toEqual({
      status: 409,
      code: 'BOOKING_WRONG_STATE',
      state: 'accepted',
    });
    expect(refusal(await upload(w.consumer.member, url(id, 'invoice'), pdf(), '发票.pdf', 'application/pdf'))).toEqual({
      status: 409,
      code: 'BOOKING_WRONG_STATE',
      state: 'accepted',
    });

    // once the results are submitted the provider's slot is closed
    const later = await driveTo(t, w, 'awaiting_settlement');
    expect(
      refusal(await upload(w.provider.admin, url(later, 'result_report'), pdf(), '报告.pdf', 'application/pdf')),
    ).toEqual({ status: 409, code: 'BOOKING_WRONG_STATE', state: 'awaiting_settlement' });
    const submitted = await driveTo(t, w, 'submitted');
    expect(
      refusal(await upload(w.provider.admin, url(submitted, 'result_report'), pdf(), '报告.pdf', 'application/pdf')),
    ).toEqual({ status: 409, code: 'BOOKING_WRONG_STATE', state: 'submitted' });
    expect(await fileCount()).toBe(files + 1);
  });

  it('report and invoice: only the consumer (applicant or admin), only in 待结算', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const colleague = await person(t, w.consumer.org.id);
    const files = await fileCount();
    for (const slot of ['report', 'invoice']) {
      expect(refusal(await upload(w.provider.admin, url(id, slot), pdf(), 'x.pdf', 'application/pdf'))).toMatchObject({
        status: 403,
        code: 'BOOKING_WRONG_PARTY',
      });
      expect(refusal(await upload(w.provider.member, url(id, slot), pdf(), 'x.pdf', 'application/pdf'))).toMatchObject({
        status: 403,
        code: 'BOOKING_WRONG_PARTY',
      });
      expect(refusal(await upload(colleague.client, url(id, slot), pdf(), 'x.pdf', 'application/pdf'))).toMatchObject({
        status: 403,
        code: 'BOOKING_APPLICANT_ONLY',
      });
      expect(refusal(await upload(w.third.member, url(id, slot), pdf(), 'x.pdf', 'application/pdf'))).toMatchObject({
        status: 404,
      });
    }
    expect(await fileCount()).toBe(files);
    ok(await upload(w.consumer.member, url(id, 'report'), pdf('r'), '报告.pdf', 'application/pdf'), 201);
    ok(await upload(w.consumer.admin, url(id, 'invoice'), pdf('i'), '发票.pdf', 'application/pdf'), 201);
    ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
    // completed: every slot is closed
    for (const slot of ['report', 'invoice']) {
      expect(refusal(await upload(w.consumer.member, url(id, slot), pdf(), 'x.pdf', 'application/pdf'))).toEqual({
        status: 409,
        code: 'BOOKING_WRONG_STATE',
        state: 'completed',
      });
    }
    expect(
      refusal(await upload(w.provider.admin, url(id, 'result_report'), pdf(), 'x.pdf', 'application/pdf')),
    ).toEqual({ status: 409, code: 'BOOKING_WRONG_STATE', state: 'completed' });
    expect(await fileCount()).toBe(files + 2);
    // and an unknown slot is a bad request
    expect(
      (await upload(w.consumer.member, url(id, 'no_such_slot'), pdf(), 'x.pdf', 'application/pdf')).statusCode,
    ).toBe(400);
  });

  it('a draft has no open slot for anyone', async () => {
    const id = await driveTo(t, w, 'draft');
    expect(refusal(await upload(w.consumer.member, url(id, 'report'), pdf(), 'x.pdf', 'application/pdf'))).toEqual({
      status: 409,
      code: 'BOOKING_WRONG_STATE',
      state: 'draft',
    });
    expect(
      (await upload(w.provider.admin, url(id, 'result_report'), pdf(), 'x.pdf', 'application/pdf')).statusCode,
    ).toBe(404);
    expect(await linksOf(id)).toEqual([]);
  });

  it('at most 5 files per slot (422 for the sixth), counted per slot', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    for (let k = 0; k < 5; k++)
      ok(await upload(w.consumer.member, url(id, 'report'), pdf(`r${k}`), `报告${k}.pdf`, 'application/pdf'), 201);
    const files = await fileCount();
    const sixth = await upload(w.consumer.member, url(id, 'report'), pdf('r6'), '报告6.pdf', 'application/pdf');
    expect(refusal(sixth)).toMatchObject({ status: 422, code: 'TOO_MANY_FILES' });
    expect(sixth.data.error.fields.file).toBeTruthy();
    expect(await fileCount()).toBe(files);
    ok(await upload(w.consumer.member, url(id, 'invoice'), pdf('i'), '发票.pdf', 'application/pdf'), 201);
    const links = await linksOf(id);
    expect(links.filter((l) => l.slot === 'report')).toHaveLength(5);
    expect(links.filter((l) => l.slot === 'invoice')).toHaveLength(1);
    // removing one makes room again
    ok(await w.consumer.member.del(`/api/bookings/${id}/files/${links.find((l) => l.slot === 'report')!.fileId}`));
    ok(await upload(w.consumer.member, url(id, 'report'), pdf('r7'), '报告7.pdf', 'application/pdf'), 201);
    expect((await linksOf(id)).filter((l) => l.slot === 'report')).toHaveLength(5);
  });

  it('eight uploads at once (a multi-file picker) still keep 5 in the slot, and nothing of the refused ones', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const [files, objs] = [await fileCount(), objects().length];
    const res = await Promise.all(
      Array.from({ length: 8 }, (_, k) =>
        upload(w.consumer.member, url(id, 'invoice'), pdf(`invoice ${k}`), `发票${k}.pdf`, 'application/pdf'),
      ),
    );
    expect(res.filter((r) => r.statusCode === 201)).toHaveLength(5);
    expect(res.filter((r) => r.statusCode === 422).map((r) => r.data.error.code)).toEqual(
      Array(3).fill('TOO_MANY_FILES'),
    );
    expect((await linksOf(id)).filter((l) => l.slot === 'invoice')).toHaveLength(5);
    expect(await fileCount()).toBe(files + 5);
    expect(objects().length).toBe(objs + 5);
  });
});

describe('removing and serving', () => {
  it('a file is removed (row, link and object) by whoever may fill its slot, while the slot is open', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const colleague = await person(t, w.consumer.org.id);
    const f = ok(
      await upload(w.consumer.member, url(id, 'report'), pdf('to remove'), '待删除.pdf', 'application/pdf'),
      201,
    ).data;
    const keep = ok(
      await upload(w.consumer.member, url(id, 'invoice'), pdf('keep'), '发票.pdf', 'application/pdf'),
      201,
    ).data;
    const objs = objects().length;
    expect(refusal(await w.provider.admin.del(`/api/bookings/${id}/files/${f.id}`))).toMatchObject({
      status: 403,
      code: 'BOOKING_WRONG_PARTY',
    });
    expect(refusal(await colleague.client.del(`/api/bookings/${id}/files/${f.id}`))).toMatchObject({
      status: 403,
      code: 'BOOKING_APPLICANT_ONLY',
    });
    expect((await w.third.admin.del(`/api/bookings/${id}/files/${f.id}`)).statusCode).toBe(404);
    // a file of another booking cannot be removed through this one
    const other = await driveTo(t, w, 'awaiting_settlement');
    expect((await w.consumer.member.del(`/api/bookings/${other}/files/${f.id}`)).statusCode).toBe(404);
    expect((await w.consumer.member.del(`/api/bookings/${id}/files/no-such-file`)).statusCode).toBe(404);
    expect((await linksOf(id)).map((l) => l.fileId).sort()).toEqual([f.id, keep.id].sort());

    ok(await w.consumer.member.del(`/api/bookings/${id}/files/${f.id}`));
    expect(await linksOf(id)).toEqual([{ fileId: keep.id, slot: 'invoice' }]);
    expect(await db().selectFrom('files').select('id').where('id', '=', f.id).executeTakeFirst()).toBeUndefined();
    expect(objects().length).toBe(objs - 1);
    expect((await w.consumer.member.get(`/api/files/${f.id}`)).statusCode).toBe(404);
    expect((await w.consumer.member.del(`/api/bookings/${id}/files/${f.id}`)).statusCode).toBe(404);

    // after settlement the files stay
    ok(await upload(w.consumer.member, url(id, 'report'), pdf('r'), '报告.pdf', 'application/pdf'), 201);
    ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
    expect(refusal(await w.consumer.member.del(`/api/bookings/${id}/files/${keep.id}`))).toEqual({
      status: 409,
      code: 'BOOKING_WRONG_STATE',
      state: 'completed',
    });
    expect((await linksOf(id)).map((l) => l.fileId)).toContain(keep.id);
    expect((await storedBooking(t, id)).state).toBe('completed');
  });

  it('a file is served as an attachment, with its bytes, to the two parties only', async () => {
    const id = await driveTo(t, w, 'accepted');
    const bytes = pdf('受托方的检测报告');
    const f = ok(
      await upload(w.provider.admin, url(id, 'result_report'), bytes, '检测报告 第1版.pdf', 'application/pdf'),
      201,
    ).data;
    for (const c of [w.provider.admin, w.provider.member, w.consumer.member, w.consumer.admin]) {
      const res = ok(await c.get(f.url));
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="____ _1_.pdf"; filename*=UTF-8''${encodeURIComponent('检测报告 第1版.pdf')}`,
      );
      expect(res.headers['cache-control']).toBe('private, no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.rawPayload.equals(bytes)).toBe(true);
    }
    for (const c of [w.third.admin, w.third.member, new Client(t.app)]) {
      const res = await c.get(f.url);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('%PDF');
    }
  });
});
