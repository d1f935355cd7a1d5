/**
 * Every transition of the booking machine through HTTP, and every refusal with its status code and error code:
 * wrong party, wrong role, wrong state, stale version, bad input, missing files, ratings once, multi-instrument
 * bookings, cross-organisation and disabled instruments, and the service count that only completion increases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, makeInstrument, makeOrg } from '../../test/factories';
import { pdf, upload } from '../files/testing';
import {
  bookingBody,
  bookingWorld,
  driveTo,
  ok,
  person,
  refusal,
  resultsBody,
  serviceCounts,
  setDisabled,
  snapshotOf,
  storedBooking,
  storedEvents,
  type World,
} from './testing';

let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
});
afterAll(async () => {
  await t?.close();
});

const shanghaiDay = (offsetDays: number) =>
  new Date(t.clock.now().getTime() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
const version = async (id: string) => Number((await storedBooking(t, id)).version);

describe('each transition, stored with its history', () => {
  it('create (201, 待提交) → save (PUT keeps 待提交, no history) → submit (待受理, liability stored)', async () => {
    const created = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [w.instruments[0]])), 201).data;
    expect(created).toMatchObject({ state: 'draft', stateLabel: '待提交', version: 1 });
    const id = created.id as string;
    expect(await storedBooking(t, id)).toMatchObject({
      state: 'draft',
      applicantId: w.consumer.memberId,
      consumerOrgId: w.consumer.org.id,
      providerOrgId: w.provider.org.id,
    });

    const saved = ok(
      await w.consumer.member.put(`/api/bookings/${id}`, bookingBody(t, w.instruments, { purpose: '改为两台仪器' })),
    ).data;
    expect(saved).toMatchObject({ state: 'draft', version: 2 });
    const row = await storedBooking(t, id);
    expect(row.purpose).toBe('改为两台仪器');
    const items = await t.database.db
      .selectFrom('bookingItems')
      .select('instrumentId')
      .where('bookingId', '=', id)
      .orderBy('sort')
      .execute();
    expect(items.map((i) => i.instrumentId)).toEqual(w.instruments);
    expect((await storedEvents(t, id)).map((e) => e.action)).toEqual(['create']);

    const submitted = ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true })).data;
    expect(submitted).toMatchObject({ state: 'submitted', stateLabel: '待受理', version: 3 });
    const after = await storedBooking(t, id);
    expect(after.submittedAt).toBeTruthy();
    expect(after.liabilityText).toBeTruthy();
    expect(after.liabilityAcceptedAt).toBeTruthy();
    const events = await storedEvents(t, id);
    expect(events.map((e) => [e.action, e.fromState, e.toState, e.actorId, e.orgId])).toEqual([
      ['create', null, 'draft', w.consumer.memberId, w.consumer.org.id],
      ['submit', 'draft', 'submitted', w.consumer.memberId, w.consumer.org.id],
    ]);
  });

  it('delete of a draft (200): the row, its items and its history go', async () => {
    const id = await driveTo(t, w, 'draft');
    ok(await w.consumer.member.del(`/api/bookings/${id}`));
    const s = await snapshotOf(t, id);
    expect(s.row).toBeUndefined();
    expect(s.items).toEqual([]);
    expect(s.events).toEqual([]);
  });

  it('withdraw of a submitted booking (200, 已撤回) with its comment', async () => {
    const id = await driveTo(t, w, 'submitted');
    expect(
      ok(await w.consumer.member.post(`/api/bookings/${id}/withdraw`, { comment: '项目调整' })).data,
    ).toMatchObject({ state: 'withdrawn', stateLabel: '已撤回' });
    expect((await storedBooking(t, id)).state).toBe('withdrawn');
    expect((await storedEvents(t, id)).at(-1)).toMatchObject({
      action: 'withdraw',
      fromState: 'submitted',
      toState: 'withdrawn',
      comment: '项目调整',
    });
  });

  it('decline (200, 已拒绝) with its reason; a reason of fewer than 2 characters is 400', async () => {
    const id = await driveTo(t, w, 'submitted');
    const short = await w.provider.admin.post(`/api/bookings/${id}/decline`, { reason: '否' });
    expect(short.statusCode).toBe(400);
    expect(short.data.error.fields.reason).toBeTruthy();
    const missing = await w.provider.admin.post(`/api/bookings/${id}/decline`, {});
    expect(missing.statusCode).toBe(400);
    expect((await storedBooking(t, id)).state).toBe('submitted');
    ok(await w.provider.admin.post(`/api/bookings/${id}/decline`, { reason: '样品不在检测范围内' }));
    expect(await storedBooking(t, id)).toMatchObject({ state: 'rejected', declineReason: '样品不在检测范围内' });
    expect((await storedEvents(t, id)).at(-1)).toMatchObject({
      action: 'decline',
      fromState: 'submitted',
      toState: 'rejected',
      actorId: w.provider.adminId,
      orgId: w.provider.org.id,
      comment: '样品不在检测范围内',
    });
  });

  it('accept (200, 待测试) with a planned test date; a date in the past is 400 and changes nothing', async () => {
    const id = await driveTo(t, w, 'submitted');
    const past = await w.provider.admin.post(`/api/bookings/${id}/accept`, { plannedTestDate: shanghaiDay(-1) });
    expect(past.statusCode).toBe(400);
    expect(past.data.error.fields.plannedTestDate).toBeTruthy();
    const bad = await w.provider.admin.post(`/api/bookings/${id}/accept`, { plannedTestDate: '2026/12/01' });
    expect(bad.statusCode).toBe(400);
    expect((await storedBooking(t, id)).state).toBe('submitted');
    ok(
      await w.provider.admin.post(`/api/bookings/${id}/accept`, {
        plannedTestDate: shanghaiDay(3),
        comment: '周三送样',
      }),
    );
    expect(await storedBooking(t, id)).toMatchObject({ state: 'accepted', plannedTestDate: shanghaiDay(3) });
    expect((await storedBooking(t, id)).acceptedAt).toBeTruthy();
    expect((await storedEvents(t, id)).at(-1)).toMatchObject({
      action: 'accept',
      fromState: 'submitted',
      toState: 'accepted',
      comment: '周三送样',
    });
  });

  it('save results (stays 待测试, no history) → submit results (待结算) with the total in fen', async () => {
    const id = await driveTo(t, w, 'accepted');
    const v = await version(id);
    const saved = ok(
      await w.provider.admin.put(`/api/bookings/${id}/results`, resultsBody(w.instruments, v, { otherFeeFen: 0 })),
    ).data;
    expect(saved).toMatchObject({ state: 'accepted', version: v + 1 });
    // per instrument ¥750.00 + ¥151.50 = ¥901.50, two instruments
    expect(Number((await storedBooking(t, id)).totalFeeFen)).toBe(180_300);
    expect((await storedEvents(t, id)).map((e) => e.action)).toEqual(['create', 'submit', 'accept']);

    const done = ok(
      await w.provider.admin.post(`/api/bookings/${id}/results/submit`, resultsBody(w.instruments, v + 1)),
    ).data;
    expect(done).toMatchObject({ state: 'awaiting_settlement', stateLabel: '待结算' });
    const row = await storedBooking(t, id);
    expect(Number(row.totalFeeFen)).toBe(190_300);
    expect(row.resultsAt).toBeTruthy();
    const items = await t.database.db
      .selectFrom('bookingItems')
      .selectAll()
      .where('bookingId', '=', id)
      .orderBy('sort')
      .execute();
    expect(items.map((i) => [i.resultText, Number(i.subtotalFen)])).toEqual([
      ['第 1 台仪器检测完成，数据见报告', 90_150],
      ['第 2 台仪器检测完成，数据见报告', 90_150],
    ]);
    expect((await storedEvents(t, id)).at(-1)).toMatchObject({
      action: 'submit_results',
      fromState: 'accepted',
      toState: 'awaiting_settlement',
    });
  });

  it('settle (已完成) and rate (history, stays 已完成)', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=report`,
        pdf('r'),
        '检测报告.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=invoice`,
        pdf('i'),
        '发票.pdf',
        'application/pdf',
      ),
      201,
    );
    expect(ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, { comment: '已付款' })).data).toMatchObject({
      state: 'completed',
      stateLabel: '已完成',
    });
    const row = await storedBooking(t, id);
    expect(row.state).toBe('completed');
    expect(row.completedAt).toBeTruthy();
    ok(await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 4, comment: '结果可靠' }));
    expect((await storedBooking(t, id)).state).toBe('completed');
    const rating = await t.database.db
      .selectFrom('bookingRatings')
      .selectAll()
      .where('bookingId', '=', id)
      .executeTakeFirstOrThrow();
    expect(rating).toMatchObject({ stars: 4, comment: '结果可靠', raterId: w.consumer.memberId });
    expect((await storedEvents(t, id)).slice(-2).map((e) => [e.action, e.fromState, e.toState])).toEqual([
      ['settle', 'awaiting_settlement', 'completed'],
      ['rate', 'completed', 'completed'],
    ]);
  });
});

describe('refusals: wrong party and role (403)', () => {
  it('the consumer may not take provider actions (BOOKING_WRONG_PARTY), the provider may not take consumer actions', async () => {
    const submitted = await driveTo(t, w, 'submitted');
    const before = await snapshotOf(t, submitted);
    for (const [c, url, body] of [
      [w.consumer.admin, `/api/bookings/${submitted}/accept`, {}],
      [w.consumer.admin, `/api/bookings/${submitted}/decline`, { reason: '委托方不能拒绝' }],
      [w.provider.admin, `/api/bookings/${submitted}/withdraw`, {}],
    ] as const) {
      const res = await c.post(url, body);
      expect(refusal(res), url).toMatchObject({ status: 403, code: 'BOOKING_WRONG_PARTY' });
    }
    expect(await snapshotOf(t, submitted)).toEqual(before);

    const accepted = await driveTo(t, w, 'accepted');
    const v = await version(accepted);
    expect(
      refusal(await w.consumer.admin.put(`/api/bookings/${accepted}/results`, resultsBody(w.instruments, v))),
    ).toMatchObject({ status: 403, code: 'BOOKING_WRONG_PARTY' });
    expect(
      refusal(await w.consumer.admin.post(`/api/bookings/${accepted}/results/submit`, resultsBody(w.instruments, v))),
    ).toMatchObject({ status: 403, code: 'BOOKING_WRONG_PARTY' });

    const awaiting = await driveTo(t, w, 'awaiting_settlement');
    expect(refusal(await w.provider.admin.post(`/api/bookings/${awaiting}/settle`, {}))).toMatchObject({
      status: 403,
      code: 'BOOKING_WRONG_PARTY',
    });

    const completed = await driveTo(t, w, 'completed');
    expect(
      refusal(await w.provider.admin.post(`/api/bookings/${completed}/rating`, { stars: 5, comment: '' })),
    ).toMatchObject({ status: 403, code: 'BOOKING_WRONG_PARTY' });
    expect((await storedBooking(t, accepted)).state).toBe('accepted');
    expect((await storedBooking(t, awaiting)).state).toBe('awaiting_settlement');
    expect(
      await t.database.db
        .selectFrom('bookingRatings')
        .select('bookingId')
        .where('bookingId', '=', completed)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('a provider member (not admin) may not accept, decline or register results (403), nor upload the result report (BOOKING_ADMIN_ONLY)', async () => {
    const submitted = await driveTo(t, w, 'submitted');
    for (const [url, body] of [
      [`/api/bookings/${submitted}/accept`, {}],
      [`/api/bookings/${submitted}/decline`, { reason: '成员不能拒绝' }],
    ] as const) {
      const res = await w.provider.member.post(url, body);
      expect(res.statusCode, url).toBe(403);
      expect(res.data.error.code).toBe('FORBIDDEN');
    }
    expect((await storedBooking(t, submitted)).state).toBe('submitted');
    const accepted = await driveTo(t, w, 'accepted');
    const v = await version(accepted);
    expect(
      (await w.provider.member.put(`/api/bookings/${accepted}/results`, resultsBody(w.instruments, v))).statusCode,
    ).toBe(403);
    expect(
      (await w.provider.member.post(`/api/bookings/${accepted}/results/submit`, resultsBody(w.instruments, v)))
        .statusCode,
    ).toBe(403);
    const up = await upload(
      w.provider.member,
      `/api/bookings/${accepted}/files?slot=result_report`,
      pdf(),
      '报告.pdf',
      'application/pdf',
    );
    expect(refusal(up)).toMatchObject({ status: 403, code: 'BOOKING_ADMIN_ONLY' });
    expect(await storedBooking(t, accepted)).toMatchObject({ state: 'accepted', version: v });
  });

  it('a consumer colleague who is not the applicant gets BOOKING_APPLICANT_ONLY; the applicant may act', async () => {
    const colleague = await person(t, w.consumer.org.id, 'member', '委托方同事');
    const draft = await driveTo(t, w, 'draft');
    for (const [method, url, body] of [
      ['PUT', `/api/bookings/${draft}`, bookingBody(t, w.instruments)],
      ['DELETE', `/api/bookings/${draft}`, undefined],
      ['POST', `/api/bookings/${draft}/submit`, { liabilityAccepted: true }],
    ] as const) {
      const res = await colleague.client.request(method, url, body);
      expect(refusal(res), `${method} ${url}`).toMatchObject({ status: 403, code: 'BOOKING_APPLICANT_ONLY' });
    }
    expect(await storedBooking(t, draft)).toMatchObject({ state: 'draft', version: 1 });
    const submitted = await driveTo(t, w, 'submitted');
    expect(refusal(await colleague.client.post(`/api/bookings/${submitted}/withdraw`, {}))).toMatchObject({
      status: 403,
      code: 'BOOKING_APPLICANT_ONLY',
    });
    const completed = await driveTo(t, w, 'completed');
    expect(
      refusal(await colleague.client.post(`/api/bookings/${completed}/rating`, { stars: 3, comment: '' })),
    ).toMatchObject({ status: 403, code: 'BOOKING_APPLICANT_ONLY' });
    ok(await w.consumer.member.post(`/api/bookings/${submitted}/withdraw`, {}));
    expect((await storedBooking(t, submitted)).state).toBe('withdrawn');
  });
});

describe('refusals: wrong state (409 BOOKING_WRONG_STATE with the state)', () => {
  it('every action outside its state is 409 with the current state, and nothing changes', async () => {
    const ids = {
      submitted: await driveTo(t, w, 'submitted'),
      accepted: await driveTo(t, w, 'accepted'),
      awaiting_settlement: await driveTo(t, w, 'awaiting_settlement'),
      completed: await driveTo(t, w, 'completed'),
    };
    const rejected = await driveTo(t, w, 'submitted');
    ok(await w.provider.admin.post(`/api/bookings/${rejected}/decline`, { reason: '仪器维修' }));
    const before = await Promise.all([...Object.values(ids), rejected].map((i) => snapshotOf(t, i)));
    const v = (id: string) => before.find((b) => b.row?.id === id)!.row!.version;

    const cases: [string, typeof w.consumer.member, 'POST' | 'PUT' | 'DELETE', string, unknown][] = [
      ['submitted', w.consumer.member, 'PUT', `/api/bookings/${ids.submitted}`, bookingBody(t, w.instruments)],
      ['submitted', w.consumer.member, 'DELETE', `/api/bookings/${ids.submitted}`, undefined],
      ['submitted', w.consumer.member, 'POST', `/api/bookings/${ids.submitted}/submit`, { liabilityAccepted: true }],
      ['submitted', w.consumer.member, 'POST', `/api/bookings/${ids.submitted}/settle`, {}],
      [
        'submitted',
        w.provider.admin,
        'PUT',
        `/api/bookings/${ids.submitted}/results`,
        resultsBody(w.instruments, v(ids.submitted)),
      ],
      ['accepted', w.consumer.member, 'PUT', `/api/bookings/${ids.accepted}`, bookingBody(t, w.instruments)],
      ['accepted', w.consumer.member, 'DELETE', `/api/bookings/${ids.accepted}`, undefined],
      ['accepted', w.consumer.member, 'POST', `/api/bookings/${ids.accepted}/withdraw`, {}],
      ['accepted', w.provider.admin, 'POST', `/api/bookings/${ids.accepted}/accept`, {}],
      ['accepted', w.provider.admin, 'POST', `/api/bookings/${ids.accepted}/decline`, { reason: '太晚了' }],
      ['accepted', w.consumer.member, 'POST', `/api/bookings/${ids.accepted}/settle`, {}],
      [
        'awaiting_settlement',
        w.provider.admin,
        'POST',
        `/api/bookings/${ids.awaiting_settlement}/results/submit`,
        resultsBody(w.instruments, v(ids.awaiting_settlement)),
      ],
      [
        'awaiting_settlement',
        w.consumer.member,
        'POST',
        `/api/bookings/${ids.awaiting_settlement}/rating`,
        { stars: 5, comment: '' },
      ],
      ['awaiting_settlement', w.consumer.member, 'DELETE', `/api/bookings/${ids.awaiting_settlement}`, undefined],
      ['completed', w.consumer.member, 'POST', `/api/bookings/${ids.completed}/settle`, {}],
      ['completed', w.consumer.member, 'POST', `/api/bookings/${ids.completed}/withdraw`, {}],
      [
        'completed',
        w.provider.admin,
        'PUT',
        `/api/bookings/${ids.completed}/results`,
        resultsBody(w.instruments, v(ids.completed)),
      ],
      ['rejected', w.provider.admin, 'POST', `/api/bookings/${rejected}/accept`, {}],
      ['rejected', w.consumer.member, 'POST', `/api/bookings/${rejected}/withdraw`, {}],
      ['rejected', w.consumer.member, 'POST', `/api/bookings/${rejected}/submit`, { liabilityAccepted: true }],
    ];
    for (const [state, c, method, url, body] of cases) {
      const res = await c.request(method, url, body);
      expect(refusal(res), `${method} ${url} in ${state}`).toEqual({ status: 409, code: 'BOOKING_WRONG_STATE', state });
      expect(res.data.error.stateLabel).toBeTruthy();
    }
    const after = await Promise.all([...Object.values(ids), rejected].map((i) => snapshotOf(t, i)));
    expect(after).toEqual(before);
  });
});

describe('refusals: bad input', () => {
  it('results with a stale version are 409 BOOKING_STALE; results for instruments not in the booking are 400', async () => {
    const id = await driveTo(t, w, 'accepted');
    const v = await version(id);
    ok(await w.provider.admin.put(`/api/bookings/${id}/results`, resultsBody(w.instruments, v, { otherFeeFen: 1 })));
    const stale = await w.provider.admin.put(
      `/api/bookings/${id}/results`,
      resultsBody(w.instruments, v, { otherFeeFen: 2 }),
    );
    expect(refusal(stale)).toEqual({ status: 409, code: 'BOOKING_STALE', state: 'accepted' });
    const staleSubmit = await w.provider.admin.post(
      `/api/bookings/${id}/results/submit`,
      resultsBody(w.instruments, v),
    );
    expect(refusal(staleSubmit)).toMatchObject({ status: 409, code: 'BOOKING_STALE' });
    expect(await storedBooking(t, id)).toMatchObject({ state: 'accepted', version: v + 1 });
    expect(Number((await storedBooking(t, id)).otherFeeFen)).toBe(1);

    const foreign = await w.provider.admin.put(
      `/api/bookings/${id}/results`,
      resultsBody([w.instruments[0], w.otherOrgInstrument], v + 1),
    );
    expect(foreign.statusCode).toBe(400);
    expect(foreign.data.error.code).toBe('RESULTS_INVALID');
    expect(Object.keys(foreign.data.error.fields)).toEqual(['items.1.instrumentId']);
    const twice = await w.provider.admin.put(
      `/api/bookings/${id}/results`,
      resultsBody([w.instruments[0], w.instruments[0]], v + 1),
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.data.error.fields.items).toBeTruthy();
    const incomplete = await w.provider.admin.post(
      `/api/bookings/${id}/results/submit`,
      resultsBody([w.instruments[0]], v + 1),
    );
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.data.error.code).toBe('RESULTS_INCOMPLETE');
    expect(Object.keys(incomplete.data.error.fields)).toEqual(['items.1.resultText']);
    const negative = await w.provider.admin.put(
      `/api/bookings/${id}/results`,
      resultsBody(w.instruments, v + 1, { otherFeeFen: -1 }),
    );
    expect(negative.statusCode).toBe(400);
    expect(negative.data.error.fields.otherFeeFen).toBeTruthy();
    expect(await storedBooking(t, id)).toMatchObject({ state: 'accepted', version: v + 1 });
  });

  it('submit of an incomplete draft is 400 naming the fields; without the liability acceptance 400', async () => {
    const id = ok(
      await w.consumer.member.post('/api/bookings', {
        instruments: [{ instrumentId: w.instruments[0], testItems: '形貌' }],
        samples: [{ name: '试样', quantity: 1 }],
        purpose: '研发',
      }),
      201,
    ).data.id;
    const res = await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true });
    expect(res.statusCode).toBe(400);
    expect(res.data.error.code).toBe('BOOKING_INCOMPLETE');
    expect(Object.keys(res.data.error.fields).sort()).toEqual([
      'contactName',
      'contactPhone',
      'expectedFrom',
      'expectedTo',
      'projectName',
      'projectSource',
      'samples.0.disposal',
      'samples.0.form',
      'samples.0.unit',
    ]);
    const noLiability = await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: false });
    expect(noLiability.statusCode).toBe(400);
    expect(noLiability.data.error.fields.liabilityAccepted).toBeTruthy();
    const pastDates = await driveTo(t, w, 'draft');
    ok(
      await w.consumer.member.put(
        `/api/bookings/${pastDates}`,
        bookingBody(t, w.instruments, { expectedFrom: shanghaiDay(-2), expectedTo: shanghaiDay(3) }),
      ),
    );
    const past = await w.consumer.member.post(`/api/bookings/${pastDates}/submit`, { liabilityAccepted: true });
    expect(past.statusCode).toBe(400);
    expect(Object.keys(past.data.error.fields)).toEqual(['expectedFrom']);
    const reversed = await w.consumer.member.post(
      '/api/bookings',
      bookingBody(t, w.instruments, { expectedFrom: shanghaiDay(5), expectedTo: shanghaiDay(2) }),
    );
    expect(reversed.statusCode).toBe(400);
    expect(reversed.data.error.fields.expectedTo).toBeTruthy();
    expect((await storedBooking(t, id)).state).toBe('draft');
    expect((await storedBooking(t, pastDates)).state).toBe('draft');
  });

  it('settle without the report and the invoice is 422 naming what is missing', async () => {
    const id = await driveTo(t, w, 'awaiting_settlement');
    const counts = await serviceCounts(t, w.instruments);
    const none = await w.consumer.member.post(`/api/bookings/${id}/settle`, {});
    expect(none.statusCode).toBe(422);
    expect(none.data.error.code).toBe('SETTLEMENT_FILES_MISSING');
    expect(Object.keys(none.data.error.fields).sort()).toEqual(['invoice', 'report']);
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=report`,
        pdf('r'),
        '检测报告.pdf',
        'application/pdf',
      ),
      201,
    );
    const half = await w.consumer.member.post(`/api/bookings/${id}/settle`, {});
    expect(half.statusCode).toBe(422);
    expect(Object.keys(half.data.error.fields)).toEqual(['invoice']);
    expect((await storedBooking(t, id)).state).toBe('awaiting_settlement');
    expect(await serviceCounts(t, w.instruments)).toEqual(counts);
  });

  it('a rating is given once (409 the second time) and stars are 1–5 (400)', async () => {
    const id = await driveTo(t, w, 'completed');
    for (const stars of [0, 6, 3.5, -1]) {
      const res = await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars, comment: '' });
      expect(res.statusCode, String(stars)).toBe(400);
      expect(res.data.error.fields.stars).toBeTruthy();
    }
    expect((await w.consumer.member.post(`/api/bookings/${id}/rating`, { comment: '没有星' })).statusCode).toBe(400);
    const sums = async () =>
      (
        await t.database.db
          .selectFrom('instruments')
          .select(['ratingSum', 'ratingCount'])
          .where('id', 'in', w.instruments)
          .orderBy('id')
          .execute()
      ).map((r) => [Number(r.ratingSum), Number(r.ratingCount)]);
    const before = await sums();
    ok(await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 2, comment: '报告晚了' }));
    const second = await w.consumer.admin.post(`/api/bookings/${id}/rating`, { stars: 5, comment: '改成五星' });
    expect(refusal(second)).toMatchObject({ status: 409, code: 'ALREADY_RATED' });
    const after = await sums();
    expect(after).toEqual(before.map(([s, c]) => [s + 2, c + 1]));
    expect(
      await t.database.db.selectFrom('bookingRatings').select('stars').where('bookingId', '=', id).execute(),
    ).toEqual([{ stars: 2 }]);
    expect((await storedEvents(t, id)).filter((e) => e.action === 'rate')).toHaveLength(1);
  });
});

describe('instruments of a booking', () => {
  it('a booking of three instruments of one organisation runs to completion with fees per instrument', async () => {
    const third = await makeInstrument(t, w.provider.org.id, { name: '激光共聚焦显微镜', model: 'LSM 980' });
    const three = [...w.instruments, third.id];
    const id = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, three)), 201).data.id;
    const view = ok(await w.consumer.member.get(`/api/bookings/${id}`)).data;
    expect(view.instruments.map((i: any) => i.instrumentId)).toEqual(three);
    expect(view.provider.id).toBe(w.provider.org.id);
    ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
    ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, {}));
    const v = await version(id);
    const body = resultsBody(three, v, { otherFeeFen: 0 });
    body.items[2].fees = [{ name: '测试费', quantity: 1.25, unit: '小时', unitPriceFen: 33_333 }];
    ok(await w.provider.admin.post(`/api/bookings/${id}/results/submit`, body));
    const items = await t.database.db
      .selectFrom('bookingItems')
      .select(['instrumentId', 'subtotalFen'])
      .where('bookingId', '=', id)
      .orderBy('sort')
      .execute();
    // 1.25 × 333.33 = 416.6625 → ¥416.66 (41,666 fen, half up on the 0.25 fen)
    expect(items.map((i) => Number(i.subtotalFen))).toEqual([90_150, 90_150, 41_666]);
    expect(Number((await storedBooking(t, id)).totalFeeFen)).toBe(221_966);
    const before = await serviceCounts(t, three);
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=report`,
        pdf('r'),
        '检测报告.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=invoice`,
        pdf('i'),
        '发票.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
    expect(await serviceCounts(t, three)).toEqual(before.map((n) => n + 1));
  });

  it('instruments of two organisations are refused at create and at save (422 BOOKING_MIXED_PROVIDERS), nothing stored', async () => {
    const bookings = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('bookings')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const n = await bookings();
    const mixed = await w.consumer.member.post(
      '/api/bookings',
      bookingBody(t, [...w.instruments, w.otherOrgInstrument]),
    );
    expect(refusal(mixed)).toMatchObject({ status: 422, code: 'BOOKING_MIXED_PROVIDERS' });
    expect(mixed.data.error.message).toContain(w.provider.org.name);
    expect(mixed.data.error.message).toContain(w.third.org.name);
    expect(mixed.data.error.fields.instruments).toBeTruthy();
    expect(await bookings()).toBe(n);

    const id = await driveTo(t, w, 'draft');
    const before = await snapshotOf(t, id);
    const save = await w.consumer.member.put(
      `/api/bookings/${id}`,
      bookingBody(t, [w.instruments[0], w.otherOrgInstrument]),
    );
    expect(refusal(save)).toMatchObject({ status: 422, code: 'BOOKING_MIXED_PROVIDERS' });
    expect(await snapshotOf(t, id)).toEqual(before);
    const unknown = await w.consumer.member.post('/api/bookings', bookingBody(t, ['no-such-instrument']));
    expect(refusal(unknown)).toMatchObject({ status: 422, code: 'INSTRUMENT_NOT_LISTED' });
  });

  it('a disabled instrument is refused at create, and at submit when disabled after the draft was saved', async () => {
    const extra = await makeInstrument(t, w.provider.org.id, { name: '电感耦合等离子体质谱仪' });
    await setDisabled(t, extra.id, true);
    const create = await w.consumer.member.post('/api/bookings', bookingBody(t, [w.instruments[0], extra.id]));
    expect(refusal(create)).toMatchObject({ status: 422, code: 'INSTRUMENT_DISABLED' });
    expect(create.data.error.message).toContain('电感耦合等离子体质谱仪');

    await setDisabled(t, extra.id, false);
    const id = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [w.instruments[0], extra.id])), 201).data
      .id;
    await setDisabled(t, extra.id, true);
    const submit = await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true });
    expect(refusal(submit)).toMatchObject({ status: 422, code: 'INSTRUMENT_DISABLED' });
    expect(await storedBooking(t, id)).toMatchObject({ state: 'draft', submittedAt: null, liabilityText: null });
    await setDisabled(t, extra.id, false);
    ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
    expect((await storedBooking(t, id)).state).toBe('submitted');
  });
});

describe('the service count', () => {
  it('rises only on completion (not on reject, withdraw or any earlier step), and the catalogue sorts by it', async () => {
    // a provider of its own, so that the catalogue's order is this test's alone
    const { org } = await makeOrg(t, { name: '烟台先进材料研究院', type: 'institute', cityCode: '370600' });
    const admin = await as(t, await addMember(t, org.id, 'admin'));
    const a = await makeInstrument(t, org.id, { name: '透射电子显微镜', purchaseDate: '2015-01-01' });
    const b = await makeInstrument(t, org.id, { name: '原子力显微镜', purchaseDate: '2016-01-01' });
    const ids = [a.id, b.id];
    const served = async () => {
      const page = ok(await w.third.member.get(`/api/catalogue/instruments?org=${org.id}&sort=served&dir=desc`)).data;
      return page.items.map((i: any) => [i.id, i.serviceCount]);
    };
    expect(await serviceCounts(t, ids)).toEqual([0, 0]);

    const steps = ['draft', 'submitted', 'accepted', 'awaiting_settlement'] as const;
    let id = '';
    for (const until of steps) {
      id = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [b.id])), 201).data.id;
      if (until !== 'draft')
        ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
      if (until === 'accepted' || until === 'awaiting_settlement')
        ok(await admin.post(`/api/bookings/${id}/accept`, {}));
      if (until === 'awaiting_settlement')
        ok(await admin.post(`/api/bookings/${id}/results/submit`, resultsBody([b.id], await version(id))));
      expect(await serviceCounts(t, ids), until).toEqual([0, 0]);
    }
    const declined = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [b.id])), 201).data.id;
    ok(await w.consumer.member.post(`/api/bookings/${declined}/submit`, { liabilityAccepted: true }));
    ok(await admin.post(`/api/bookings/${declined}/decline`, { reason: '暂停服务' }));
    const withdrawn = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [b.id])), 201).data.id;
    ok(await w.consumer.member.post(`/api/bookings/${withdrawn}/submit`, { liabilityAccepted: true }));
    ok(await w.consumer.member.post(`/api/bookings/${withdrawn}/withdraw`, {}));
    expect(await serviceCounts(t, ids)).toEqual([0, 0]);
    expect((await served()).map(([, n]: [string, number]) => n)).toEqual([0, 0]);

    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=report`,
        pdf('r'),
        '检测报告.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${id}/files?slot=invoice`,
        pdf('i'),
        '发票.pdf',
        'application/pdf',
      ),
      201,
    );
    ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {}));
    expect(await serviceCounts(t, ids)).toEqual([0, 1]);
    // rating does not count as service
    ok(await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 5, comment: '' }));
    expect(await serviceCounts(t, ids)).toEqual([0, 1]);
    expect(await served()).toEqual([
      [b.id, 1],
      [a.id, 0],
    ]);

    // two completions of the other one put it first
    for (let k = 0; k < 2; k++) {
      {
        const x = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [a.id])), 201).data.id;
        ok(await w.consumer.member.post(`/api/bookings/${x}/submit`, { liabilityAccepted: true }));
        ok(await admin.post(`/api/bookings/${x}/accept`, {}));
        ok(await admin.post(`/api/bookings/${x}/results/submit`, resultsBody([a.id], await version(x))));
        ok(
          await upload(
            w.consumer.member,
            `/api/bookings/${x}/files?slot=report`,
            pdf('r'),
            '检测报告.pdf',
            'application/pdf',
          ),
          201,
        );
        ok(
          await upload(
            w.consumer.member,
            `/api/bookings/${x}/files?slot=invoice`,
            pdf('i'),
            '发票.pdf',
            'application/pdf',
          ),
          201,
        );
        ok(await w.consumer.member.post(`/api/bookings/${x}/settle`, {}));
      }
    }
    expect(await serviceCounts(t, ids)).toEqual([2, 1]);
    expect(await served()).toEqual([
      [a.id, 2],
      [b.id, 1],
    ]);
    const asc = ok(await w.third.member.get(`/api/catalogue/instruments?org=${org.id}&sort=served&dir=asc`)).data;
    expect(asc.items.map((i: any) => i.id)).toEqual([b.id, a.id]);
  });
});
