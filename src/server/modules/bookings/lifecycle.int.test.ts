import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness';
import { pdf, upload } from '../files/testing';
import { bookingBody, bookingWorld, driveTo, ok, resultsBody, type World } from './testing';

let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
});
afterAll(async () => {
  await t?.close();
});

const stored = (id: string) =>
  t.database.db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the whole life cycle', () => {
  it('create → submit → accept → results → settle → rate, with history, fees, service count and rating', async () => {
    const created = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data;
    expect(created).toMatchObject({ state: 'draft', stateLabel: '待提交' });
    expect(created.no).toMatch(/^YY\d{8}\d{4}$/);
    const id = created.id;

    const noLiability = await w.consumer.member.post(`/api/bookings/${id}/submit`, {});
    expect(noLiability.statusCode).toBe(400);
    expect((await stored(id)).state).toBe('draft');

    expect(ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true })).data.state).toBe(
      'submitted',
    );
    const afterSubmit = await stored(id);
    expect(afterSubmit.liabilityText).toContain('委托方');
    expect(afterSubmit.liabilityAcceptedAt).toBeTruthy();

    expect(ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, { comment: '请周三送样' })).data.state).toBe(
      'accepted',
    );
    const v = ok(await w.provider.admin.get(`/api/bookings/${id}`)).data.version;
    ok(await w.provider.admin.put(`/api/bookings/${id}/results`, resultsBody(w.instruments, v)));
    expect((await stored(id)).state).toBe('accepted');
    const v2 = ok(await w.provider.admin.get(`/api/bookings/${id}`)).data.version;
    expect(
      ok(await w.provider.admin.post(`/api/bookings/${id}/results/submit`, resultsBody(w.instruments, v2))).data.state,
    ).toBe('awaiting_settlement');
    // per instrument: 2.5 h × ¥300 = ¥750.00, 3 × ¥50.50 = ¥151.50 → ¥901.50; two instruments + ¥100 other = ¥1,903.00
    expect(Number((await stored(id)).totalFeeFen)).toBe(190_300);

    const early = await w.consumer.member.post(`/api/bookings/${id}/settle`, {});
    expect(early.statusCode).toBe(422);
    expect(Object.keys(early.data.error.fields).sort()).toEqual(['invoice', 'report']);
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
    expect(ok(await w.consumer.member.post(`/api/bookings/${id}/settle`, {})).data.state).toBe('completed');

    const counts = await t.database.db
      .selectFrom('instruments')
      .select(['id', 'serviceCount'])
      .where('id', 'in', w.instruments)
      .execute();
    expect(counts.map((c) => Number(c.serviceCount))).toEqual([1, 1]);

    ok(await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 5, comment: '服务专业，出报告快' }));
    const twice = await w.consumer.member.post(`/api/bookings/${id}/rating`, { stars: 1, comment: '再评一次' });
    expect(twice.statusCode).toBe(409);
    const summary = ok(await w.third.member.get(`/api/instruments/${w.instruments[0]}/ratings`)).data;
    expect(summary).toMatchObject({ average: 5, count: 1, distribution: [0, 0, 0, 0, 1] });
    expect(summary.recent[0].comment).toBe('服务专业，出报告快');
    expect(summary.recent[0].orgName).not.toBe(w.consumer.org.name);

    const view = ok(await w.consumer.member.get(`/api/bookings/${id}`)).data;
    expect(view.history.map((e: any) => [e.action, e.fromState, e.toState])).toEqual([
      ['create', null, 'draft'],
      ['submit', 'draft', 'submitted'],
      ['accept', 'submitted', 'accepted'],
      ['submit_results', 'accepted', 'awaiting_settlement'],
      ['settle', 'awaiting_settlement', 'completed'],
      ['rate', 'completed', 'completed'],
    ]);
    expect(view.history[2]).toMatchObject({ orgName: w.provider.org.name, comment: '请周三送样' });
    expect(view.rating).toMatchObject({ stars: 5 });
    expect(view.actions).toEqual([]);
  });

  it('numbers are unique, sequential per day and never reused after a draft is deleted', async () => {
    const a = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data;
    ok(await w.consumer.member.del(`/api/bookings/${a.id}`));
    const b = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data;
    expect(Number(b.no.slice(-4))).toBe(Number(a.no.slice(-4)) + 1);
    expect(
      await t.database.db.selectFrom('bookings').select('id').where('id', '=', a.id).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('decline needs a reason and ends the booking; the consumer may withdraw a submitted one', async () => {
    const id = await driveTo(t, w, 'submitted');
    expect((await w.provider.admin.post(`/api/bookings/${id}/decline`, { reason: '' })).statusCode).toBe(400);
    ok(await w.provider.admin.post(`/api/bookings/${id}/decline`, { reason: '仪器检修中，暂停服务' }));
    expect(await stored(id)).toMatchObject({ state: 'rejected', declineReason: '仪器检修中，暂停服务' });
    expect((await w.provider.admin.post(`/api/bookings/${id}/accept`, {})).statusCode).toBe(409);

    const id2 = await driveTo(t, w, 'submitted');
    ok(await w.consumer.member.post(`/api/bookings/${id2}/withdraw`, {}));
    expect((await stored(id2)).state).toBe('withdrawn');
  });

  it('refuses instruments of two organisations, disabled ones, and its own', async () => {
    const mixed = await w.consumer.member.post(
      '/api/bookings',
      bookingBody(t, [w.instruments[0], w.otherOrgInstrument]),
    );
    expect(mixed.statusCode).toBe(422);
    expect(mixed.data.error.code).toBe('BOOKING_MIXED_PROVIDERS');
    expect(mixed.data.error.message).toContain(w.third.org.name);
    const own = await w.third.member.post('/api/bookings', bookingBody(t, [w.otherOrgInstrument]));
    expect(own.statusCode).toBe(422);
    expect(own.data.error.code).toBe('BOOKING_OWN_ORG');
    const before = await t.database.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await t.database.db
      .updateTable('instruments')
      .set({ isDisabled: true })
      .where('id', '=', w.instruments[1])
      .execute();
    try {
      const disabled = await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments));
      expect(disabled.statusCode).toBe(422);
      expect(disabled.data.error.code).toBe('INSTRUMENT_DISABLED');
    } finally {
      await t.database.db
        .updateTable('instruments')
        .set({ isDisabled: false })
        .where('id', '=', w.instruments[1])
        .execute();
    }
    const after = await t.database.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('submit names every missing field', async () => {
    const id = ok(
      await w.consumer.member.post('/api/bookings', { instruments: [{ instrumentId: w.instruments[0] }] }),
      201,
    ).data.id;
    const res = await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true });
    expect(res.statusCode).toBe(400);
    expect(res.data.error.code).toBe('BOOKING_INCOMPLETE');
    expect(Object.keys(res.data.error.fields)).toEqual(
      expect.arrayContaining([
        'instruments.0.testItems',
        'samples',
        'purpose',
        'expectedFrom',
        'expectedTo',
        'projectName',
        'projectSource',
      ]),
    );
    expect((await stored(id)).state).toBe('draft');
  });
});
