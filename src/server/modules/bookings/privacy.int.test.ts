/**
 * Who sees a booking: the members of its two organisations (the provider only once it is submitted). A third
 * organisation's member and admin, a person without an organisation, the departments and a visitor see nothing of
 * it — not the booking, not its files, not a line in their lists or exports — and none of the write routes changes
 * anything for them.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type Res, type TestApp } from '../../test/harness';
import { as, deptUser, makeUser } from '../../test/factories';
import { pdf, png, upload } from '../files/testing';
import {
  bookingBody,
  bookingWorld,
  driveTo,
  ok,
  person,
  resultsBody,
  snapshotOf,
  storedBooking,
  type World,
} from './testing';

let t: TestApp;
let w: World;
/** bookings of the world in each state, with files where the state has them */
const ids: Record<'draft' | 'submitted' | 'accepted' | 'awaiting_settlement' | 'completed', string> = {} as never;
const fileIds: string[] = [];
let nos: string[] = [];
let outsiders: {
  name: string;
  client: Client;
  kind: 'visitor' | 'noOrg' | 'department' | 'thirdMember' | 'thirdAdmin';
}[];

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
  ids.draft = await driveTo(t, w, 'draft');
  ids.submitted = await driveTo(t, w, 'submitted');
  ids.accepted = await driveTo(t, w, 'accepted');
  fileIds.push(
    ok(
      await upload(
        w.provider.admin,
        `/api/bookings/${ids.accepted}/files?slot=result_report`,
        pdf('provider report'),
        '受托方报告.pdf',
        'application/pdf',
      ),
      201,
    ).data.id,
  );
  ids.awaiting_settlement = await driveTo(t, w, 'awaiting_settlement');
  fileIds.push(
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${ids.awaiting_settlement}/files?slot=report`,
        await png(64, 64),
        '报告照片.png',
        'image/png',
      ),
      201,
    ).data.id,
  );
  ids.completed = await driveTo(t, w, 'completed');
  ok(await w.consumer.member.post(`/api/bookings/${ids.completed}/rating`, { stars: 5, comment: '很好' }));
  const completedFiles = await t.database.db
    .selectFrom('bookingFiles')
    .select('fileId')
    .where('bookingId', '=', ids.completed)
    .execute();
  fileIds.push(...completedFiles.map((f) => f.fileId));
  nos = (await t.database.db.selectFrom('bookings').select('no').where('id', 'in', Object.values(ids)).execute()).map(
    (r) => r.no,
  );
  outsiders = [
    { name: 'visitor', client: new Client(t.app), kind: 'visitor' },
    {
      name: 'person without organisation',
      client: await as(t, await makeUser(t, { realName: '个人用户' })),
      kind: 'noOrg',
    },
    { name: 'city department', client: await as(t, await deptUser(t, '370100')), kind: 'department' },
    { name: 'province department', client: await as(t, await deptUser(t, '370000')), kind: 'department' },
    { name: 'third organisation member', client: w.third.member, kind: 'thirdMember' },
    { name: 'third organisation admin', client: w.third.admin, kind: 'thirdAdmin' },
    {
      name: 'third organisation legal',
      client: await as(
        t,
        await t.database.db
          .selectFrom('users')
          .innerJoin('memberships', 'memberships.userId', 'users.id')
          .select(['users.username', 'users.mobile'])
          .where('memberships.orgId', '=', w.third.org.id)
          .where('memberships.role', '=', 'legal')
          .executeTakeFirstOrThrow(),
      ),
      kind: 'thirdAdmin',
    },
  ];
});
afterAll(async () => {
  await t?.close();
});

/**
 * What an outsider gets for a booking: a visitor must log in (401); a member of another organisation finds no such
 * booking (404); a person without an organisation and a department may not use the members' routes (403) — or, should
 * departments one day read bookings a voucher claim refers to, find no such booking (404).
 */
const expectedRead = (kind: string): number[] =>
  kind === 'visitor' ? [401] : kind === 'noOrg' || kind === 'department' ? [403, 404] : [404];

async function rowsOf(res: Res): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.worksheets[0].eachRow((row) => {
    out.push((row.values as unknown[]).map((v) => String(v ?? '')).join('|'));
  });
  return out;
}

describe('a third organisation, a person without one, the departments and a visitor', () => {
  it('cannot read any booking: 404 for another organisation (as for an id that does not exist), 403/401 for the rest', async () => {
    for (const o of outsiders) {
      const none = await o.client.get('/api/bookings/no-such-booking');
      for (const [state, id] of Object.entries(ids)) {
        const res = await o.client.get(`/api/bookings/${id}`);
        expect(expectedRead(o.kind), `${o.name} ${state}`).toContain(res.statusCode);
        // nothing to tell this booking from one that does not exist
        expect(res.statusCode).toBe(none.statusCode);
        expect(res.data.error.code).toBe(none.data.error.code);
        expect(res.body).not.toContain(w.consumer.org.name);
        expect(nos.some((no) => res.body.includes(no))).toBe(false);
      }
    }
    const denied = await t.database.db
      .selectFrom('auditLog')
      .select('subjectId')
      .where('action', '=', 'permission.denied')
      .where('subjectId', 'in', Object.values(ids))
      .execute();
    expect(new Set(denied.map((d) => d.subjectId))).toEqual(new Set(Object.values(ids)));
  });

  it('cannot fetch its files (404), though both parties can', async () => {
    expect(fileIds.length).toBeGreaterThanOrEqual(4);
    for (const f of fileIds) {
      expect(ok(await w.consumer.member.get(`/api/files/${f}`)).headers['cache-control']).toBe('private, no-cache');
      ok(await w.provider.member.get(`/api/files/${f}`));
      for (const o of outsiders) {
        const res = await o.client.get(`/api/files/${f}`);
        expect(res.statusCode, `${o.name} ${f}`).toBe(404);
        expect(res.data.error.code).toBe('NOT_FOUND');
        expect((await o.client.get(`/api/files/${f}/thumb`)).statusCode).toBe(404);
      }
    }
  });

  it('finds none of them in its lists or exports', async () => {
    for (const o of outsiders) {
      for (const side of ['consumer', 'provider']) {
        const list = await o.client.get(`/api/bookings?side=${side}&pageSize=100`);
        const exp = await o.client.get(`/api/bookings/export?side=${side}`);
        if (o.kind === 'thirdMember' || o.kind === 'thirdAdmin') {
          ok(list);
          expect(list.data.items.filter((i: any) => Object.values(ids).includes(i.id))).toEqual([]);
          expect(list.data.total).toBe(0);
          expect(Object.values(list.data.counts).every((n) => n === 0)).toBe(true);
          // searching by a number does not find it either
          expect(ok(await o.client.get(`/api/bookings?side=${side}&q=${nos[0]}`)).data.total).toBe(0);
          ok(exp);
          const rows = await rowsOf(exp);
          expect(rows).toHaveLength(1); // the header only
          expect(rows.join('\n')).not.toMatch(/YY\d{12}/);
        } else {
          // refused outright (no organisation, no side to list)
          expect(list.statusCode, o.name).toBe(o.kind === 'visitor' ? 401 : 403);
          expect(exp.statusCode, o.name).toBe(o.kind === 'visitor' ? 401 : 403);
          expect(nos.some((no) => list.body.includes(no))).toBe(false);
        }
      }
    }
  });

  it('changes nothing through any write route', async () => {
    const before = await Promise.all(Object.values(ids).map((id) => snapshotOf(t, id)));
    const version = (id: string) => before.find((b) => b.row?.id === id)!.row!.version;
    const writes: ['POST' | 'PUT' | 'DELETE', string, unknown, 'member' | 'orgAdmin'][] = [
      ['PUT', `/api/bookings/${ids.draft}`, bookingBody(t, w.instruments, { purpose: '篡改' }), 'member'],
      ['POST', `/api/bookings/${ids.draft}/submit`, { liabilityAccepted: true }, 'member'],
      ['DELETE', `/api/bookings/${ids.draft}`, undefined, 'member'],
      ['POST', `/api/bookings/${ids.submitted}/withdraw`, {}, 'member'],
      ['POST', `/api/bookings/${ids.submitted}/accept`, {}, 'orgAdmin'],
      ['POST', `/api/bookings/${ids.submitted}/decline`, { reason: '无关单位拒绝' }, 'orgAdmin'],
      ['PUT', `/api/bookings/${ids.accepted}/results`, resultsBody(w.instruments, version(ids.accepted)), 'orgAdmin'],
      [
        'POST',
        `/api/bookings/${ids.accepted}/results/submit`,
        resultsBody(w.instruments, version(ids.accepted)),
        'orgAdmin',
      ],
      ['DELETE', `/api/bookings/${ids.accepted}/files/${fileIds[0]}`, undefined, 'member'],
      ['DELETE', `/api/bookings/${ids.awaiting_settlement}/files/${fileIds[1]}`, undefined, 'member'],
      ['POST', `/api/bookings/${ids.awaiting_settlement}/settle`, {}, 'member'],
      ['POST', `/api/bookings/${ids.completed}/rating`, { stars: 1, comment: '恶意差评' }, 'member'],
    ];
    const uploads: [string, string][] = [
      [ids.accepted, 'result_report'],
      [ids.awaiting_settlement, 'report'],
      [ids.awaiting_settlement, 'invoice'],
    ];
    const files = Number(
      (
        await t.database.db
          .selectFrom('files')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    for (const o of outsiders) {
      for (const [method, url, body, policy] of writes) {
        const res = await o.client.request(method, url, body);
        const expected = o.kind === 'thirdMember' && policy === 'orgAdmin' ? [403] : expectedRead(o.kind);
        expect(expected, `${o.name} ${method} ${url}`).toContain(res.statusCode);
      }
      for (const [id, slot] of uploads) {
        const res = await upload(
          o.client,
          `/api/bookings/${id}/files?slot=${slot}`,
          pdf('intruder'),
          '伪造.pdf',
          'application/pdf',
        );
        expect(expectedRead(o.kind), `${o.name} upload ${slot}`).toContain(res.statusCode);
      }
    }
    expect(await Promise.all(Object.values(ids).map((id) => snapshotOf(t, id)))).toEqual(before);
    expect(
      Number(
        (
          await t.database.db
            .selectFrom('files')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(files);
    for (const f of fileIds) ok(await w.consumer.member.get(`/api/files/${f}`));
  });
});

describe('the two parties', () => {
  it("the provider does not see the consumer's draft (404, not listed, cannot act on it) until it is submitted", async () => {
    const id = await driveTo(t, w, 'draft');
    const before = await snapshotOf(t, id);
    for (const c of [w.provider.admin, w.provider.member]) {
      expect((await c.get(`/api/bookings/${id}`)).statusCode).toBe(404);
      const list = ok(await c.get('/api/bookings?side=provider&pageSize=100')).data;
      expect(list.items.map((i: any) => i.id)).not.toContain(id);
      expect(list.counts.draft).toBeUndefined();
      expect(list.items.every((i: any) => i.state !== 'draft')).toBe(true);
      expect(ok(await c.get(`/api/bookings?side=provider&q=${before.row!.no}`)).data.total).toBe(0);
      expect((await c.put(`/api/bookings/${id}`, bookingBody(t, w.instruments))).statusCode).toBe(404);
      expect((await c.del(`/api/bookings/${id}`)).statusCode).toBe(404);
      expect((await c.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true })).statusCode).toBe(404);
    }
    expect(await snapshotOf(t, id)).toEqual(before);
    ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
    expect(ok(await w.provider.member.get(`/api/bookings/${id}`)).data).toMatchObject({
      id,
      party: 'provider',
      state: 'submitted',
      actions: [],
    });
    expect(ok(await w.provider.admin.get(`/api/bookings/${id}`)).data.actions.sort()).toEqual(['accept', 'decline']);
    expect(
      ok(await w.provider.member.get('/api/bookings?side=provider&pageSize=100')).data.items.map((i: any) => i.id),
    ).toContain(id);
  });

  it("consumer members see their colleagues' bookings; only the applicant or a consumer admin may act on one", async () => {
    const colleague = await person(t, w.consumer.org.id, 'member', '委托方同事');
    // the admin's booking is visible to a plain member
    const byAdmin = ok(await w.consumer.admin.post('/api/bookings', bookingBody(t, w.instruments)), 201).data.id;
    const seen = ok(await colleague.client.get(`/api/bookings/${byAdmin}`)).data;
    expect(seen).toMatchObject({ party: 'consumer', applicant: { id: w.consumer.adminId }, actions: [] });
    expect(
      ok(await colleague.client.get('/api/bookings?side=consumer&state=draft&pageSize=100')).data.items.map(
        (i: any) => i.id,
      ),
    ).toContain(byAdmin);

    // a member's booking: the colleague cannot submit it, the admin can
    const id = await driveTo(t, w, 'draft');
    expect(ok(await colleague.client.get(`/api/bookings/${id}`)).data.applicant.id).toBe(w.consumer.memberId);
    const refused = await colleague.client.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.data.error.code).toBe('BOOKING_APPLICANT_ONLY');
    expect((await storedBooking(t, id)).state).toBe('draft');
    ok(await w.consumer.admin.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
    expect((await storedBooking(t, id)).state).toBe('submitted');

    // at settlement: the colleague can neither upload nor settle, the admin can do both
    ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, {}));
    ok(
      await w.provider.admin.post(
        `/api/bookings/${id}/results/submit`,
        resultsBody(w.instruments, Number((await storedBooking(t, id)).version)),
      ),
    );
    const up = await upload(
      colleague.client,
      `/api/bookings/${id}/files?slot=report`,
      pdf(),
      '报告.pdf',
      'application/pdf',
    );
    expect(up.statusCode).toBe(403);
    expect(up.data.error.code).toBe('BOOKING_APPLICANT_ONLY');
    ok(
      await upload(w.consumer.admin, `/api/bookings/${id}/files?slot=report`, pdf('r'), '报告.pdf', 'application/pdf'),
      201,
    );
    ok(
      await upload(w.consumer.admin, `/api/bookings/${id}/files?slot=invoice`, pdf('i'), '发票.pdf', 'application/pdf'),
      201,
    );
    const settle = await colleague.client.post(`/api/bookings/${id}/settle`, {});
    expect(settle.statusCode).toBe(403);
    expect(settle.data.error.code).toBe('BOOKING_APPLICANT_ONLY');
    expect((await storedBooking(t, id)).state).toBe('awaiting_settlement');
    ok(await w.consumer.admin.post(`/api/bookings/${id}/settle`, {}));
    expect((await storedBooking(t, id)).state).toBe('completed');
    // and the colleague may read its files, as a member of the organisation
    const f = ok(await colleague.client.get(`/api/bookings/${id}`)).data.files.report[0];
    ok(await colleague.client.get(f.url));
  });
});
