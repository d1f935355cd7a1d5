/**
 * Racing requests through the whole HTTP stack (app.inject runs them concurrently: on PostgreSQL each request takes
 * its own pooled connection; on SQLite write transactions are serialised by BEGIN IMMEDIATE). Either way exactly one
 * of two conflicting requests wins, the other gets a 409 with the state the booking is in now, and what is stored
 * agrees with the winner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_STATE_LABEL } from '../../../domain/booking';
import type { Client, Res, TestApp } from '../../test/harness';
import { createTestApp } from '../../test/harness';
import { pdf, upload } from '../files/testing';
import {
  bookingBody,
  bookingWorld,
  driveTo,
  ok,
  person,
  resultsBody,
  storedBooking,
  storedEvents,
  type World,
} from './testing';

let t: TestApp;
let w: World;
let secondAdmin: Client;
let secondAdminId: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
  const p = await person(t, w.provider.org.id, 'admin', '受托方第二管理员');
  secondAdmin = p.client;
  secondAdminId = p.id;
});
afterAll(async () => {
  await t?.close();
});

const ROUNDS = 10;

/** One winner (200) and one loser (409 with the state stored now); returns [winner index, loser]. */
function oneWinner(results: Res[]): { winner: number; loser: Res } {
  const codes = results.map((r) => r.statusCode).sort();
  expect(codes, results.map((r) => r.body).join('\n')).toEqual([200, 409]);
  const winner = results.findIndex((r) => r.statusCode === 200);
  return { winner, loser: results[1 - winner] };
}

describe('booking numbers', () => {
  it('bookings created in parallel get distinct, consecutive numbers', async () => {
    const n = 8;
    const clients = [w.consumer.member, w.consumer.admin, w.third.member, w.third.admin];
    const res = await Promise.all(
      Array.from({ length: n }, (_, k) =>
        clients[k % clients.length].post('/api/bookings', bookingBody(t, w.instruments)),
      ),
    );
    for (const r of res) ok(r, 201);
    const nos = res.map((r) => r.data.no as string).sort();
    expect(new Set(nos).size).toBe(n);
    const day = nos[0].slice(2, 10);
    expect(nos.every((no) => no.slice(2, 10) === day)).toBe(true);
    const seqs = nos.map((no) => Number(no.slice(10)));
    expect(seqs).toEqual(Array.from({ length: n }, (_, k) => seqs[0] + k));
    const stored = await t.database.db
      .selectFrom('bookings')
      .select('no')
      .where(
        'id',
        'in',
        res.map((r) => r.data.id),
      )
      .execute();
    expect(stored.map((s) => s.no).sort()).toEqual(nos);
    // and the next one follows on
    const next = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, w.instruments)), 201).data
      .no as string;
    expect(Number(next.slice(10))).toBe(seqs[n - 1] + 1);
  });
});

describe('受理 and 不予受理 at the same moment', () => {
  it(`exactly one wins, ${ROUNDS} times over; the loser sees the state stored; one decision in the history`, async () => {
    const wins = { accept: 0, decline: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const id = await driveTo(t, w, 'submitted');
      // alternate who sends first, so that neither request is always ahead
      const send = [
        () => w.provider.admin.post(`/api/bookings/${id}/accept`, { comment: `受理 ${round}` }),
        () => secondAdmin.post(`/api/bookings/${id}/decline`, { reason: `不予受理 ${round}` }),
      ];
      const order = round % 2 ? [1, 0] : [0, 1];
      const raced = await Promise.all(order.map((k) => send[k]()));
      const results = order[0] === 0 ? raced : [raced[1], raced[0]];
      const { winner, loser } = oneWinner(results);
      const expected = winner === 0 ? 'accepted' : 'rejected';
      wins[winner === 0 ? 'accept' : 'decline']++;

      expect(results[winner].data.state).toBe(expected);
      expect(['BOOKING_CHANGED', 'BOOKING_WRONG_STATE']).toContain(loser.data.error.code);
      expect(loser.data.error).toMatchObject({ state: expected, stateLabel: BOOKING_STATE_LABEL[expected] });

      const row = await storedBooking(t, id);
      expect(row.state).toBe(expected);
      expect(row.version).toBe(3);
      expect(row.declineReason).toBe(expected === 'rejected' ? `不予受理 ${round}` : null);
      const decisions = (await storedEvents(t, id)).filter((e) => e.fromState === 'submitted');
      expect(decisions).toHaveLength(1);
      expect(decisions[0]).toMatchObject(
        expected === 'accepted'
          ? { action: 'accept', toState: 'accepted', actorId: w.provider.adminId, comment: `受理 ${round}` }
          : { action: 'decline', toState: 'rejected', actorId: secondAdminId, comment: `不予受理 ${round}` },
      );
      // the consumer was told once, of the decision that stands
      const told = await t.database.db
        .selectFrom('messages')
        .select('title')
        .where('subjectId', '=', id)
        .where('userId', '=', w.consumer.memberId)
        .execute();
      expect(told).toHaveLength(1);
      expect(told[0].title).toContain(expected === 'accepted' ? '已受理' : '未被受理');
    }
    expect(wins.accept + wins.decline).toBe(ROUNDS);
  });

  it('two admins both pressing 受理: one 200, one 409, one history entry', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await driveTo(t, w, 'submitted');
      const results = await Promise.all([
        w.provider.admin.post(`/api/bookings/${id}/accept`, {}),
        secondAdmin.post(`/api/bookings/${id}/accept`, {}),
      ]);
      const { loser } = oneWinner(results);
      expect(loser.data.error.state).toBe('accepted');
      expect((await storedEvents(t, id)).filter((e) => e.action === 'accept')).toHaveLength(1);
      expect((await storedBooking(t, id)).version).toBe(3);
    }
  });
});

describe('结算 while a file is being removed', () => {
  it('never completes a booking without its test report: either the settlement or the removal is refused', async () => {
    for (let round = 0; round < 6; round++) {
      const id = await driveTo(t, w, 'awaiting_settlement');
      const report = ok(
        await upload(
          w.consumer.member,
          `/api/bookings/${id}/files?slot=report`,
          pdf('r'),
          '检测报告.pdf',
          'application/pdf',
        ),
        201,
      ).data.id;
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
      const [settle, remove] = await Promise.all([
        w.consumer.member.post(`/api/bookings/${id}/settle`, {}),
        w.consumer.admin.del(`/api/bookings/${id}/files/${report}`),
      ]);
      const row = await storedBooking(t, id);
      const reports = await t.database.db
        .selectFrom('bookingFiles')
        .select('fileId')
        .where('bookingId', '=', id)
        .where('slot', '=', 'report')
        .execute();
      if (settle.statusCode === 200) {
        expect(remove.statusCode).toBe(409);
        expect(remove.data.error.state).toBe('completed');
        expect(row.state).toBe('completed');
        expect(reports).toHaveLength(1);
      } else {
        expect(settle.statusCode).toBe(422);
        expect(settle.data.error.fields.report).toBeTruthy();
        expect(remove.statusCode).toBe(200);
        expect(row.state).toBe('awaiting_settlement');
        expect(reports).toHaveLength(0);
      }
    }
  });
});

describe('two tabs registering results', () => {
  const tab = (id: string, v: number, otherFeeFen: number, note: string) =>
    resultsBody(w.instruments, v, { otherFeeFen, resultNote: note });

  it(`two submits of the same version: exactly one applied, ${ROUNDS} times over; totals are the winner's`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = await driveTo(t, w, 'accepted');
      const v = Number((await storedBooking(t, id)).version);
      const bodies = [tab(id, v, 10_000, `标签页 A ${round}`), tab(id, v, 25_000, `标签页 B ${round}`)];
      bodies[1].items[0].fees = [{ name: '机时费', quantity: 1, unit: '小时', unitPriceFen: 12_345 }];
      bodies[1].items[0].resultText = `B 的结果 ${round}`;
      const results = await Promise.all([
        w.provider.admin.post(`/api/bookings/${id}/results/submit`, bodies[0]),
        secondAdmin.post(`/api/bookings/${id}/results/submit`, bodies[1]),
      ]);
      const { winner, loser } = oneWinner(results);
      expect(['BOOKING_CHANGED', 'BOOKING_STALE', 'BOOKING_WRONG_STATE']).toContain(loser.data.error.code);
      expect(loser.data.error.state).toBe('awaiting_settlement');

      // A: 2 × (75,000 + 15,150) + 10,000 = 190,300; B: (12,345) + 90,150 + 25,000 = 127,495
      const expected =
        winner === 0
          ? { total: 190_300, subtotals: [90_150, 90_150], first: '第 1 台仪器检测完成，数据见报告' }
          : { total: 127_495, subtotals: [12_345, 90_150], first: `B 的结果 ${round}` };
      const row = await storedBooking(t, id);
      expect(row).toMatchObject({
        state: 'awaiting_settlement',
        version: v + 1,
        resultNote: bodies[winner].resultNote,
        otherFeeFen: bodies[winner].otherFeeFen,
      });
      expect(Number(row.totalFeeFen)).toBe(expected.total);
      const items = await t.database.db
        .selectFrom('bookingItems')
        .select(['subtotalFen', 'resultText'])
        .where('bookingId', '=', id)
        .orderBy('sort')
        .execute();
      expect(items.map((i) => Number(i.subtotalFen))).toEqual(expected.subtotals);
      expect(items[0].resultText).toBe(expected.first);
      expect((await storedEvents(t, id)).filter((e) => e.action === 'submit_results')).toHaveLength(1);
      expect(
        await t.database.db
          .selectFrom('messages')
          .select('id')
          .where('subjectId', '=', id)
          .where('userId', '=', w.consumer.memberId)
          .where('title', 'like', '检测结果已登记%')
          .execute(),
      ).toHaveLength(1);
    }
  });

  it('two saves of the same version: exactly one applied (the other 409), the version moves by one', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await driveTo(t, w, 'accepted');
      const v = Number((await storedBooking(t, id)).version);
      const bodies = [tab(id, v, 111, 'A'), tab(id, v, 222, 'B')];
      const results = await Promise.all([
        w.provider.admin.put(`/api/bookings/${id}/results`, bodies[0]),
        secondAdmin.put(`/api/bookings/${id}/results`, bodies[1]),
      ]);
      const { winner, loser } = oneWinner(results);
      expect(['BOOKING_CHANGED', 'BOOKING_STALE']).toContain(loser.data.error.code);
      expect(loser.data.error.state).toBe('accepted');
      const row = await storedBooking(t, id);
      expect(row).toMatchObject({ state: 'accepted', version: v + 1, resultNote: bodies[winner].resultNote });
      expect(Number(row.otherFeeFen)).toBe(bodies[winner].otherFeeFen);
      expect(Number(row.totalFeeFen)).toBe(180_300 + bodies[winner].otherFeeFen);
      expect((await storedEvents(t, id)).map((e) => e.action)).toEqual(['create', 'submit', 'accept']);
    }
  });

  it('a save and a submit of the same version: one applies, the other is refused', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await driveTo(t, w, 'accepted');
      const v = Number((await storedBooking(t, id)).version);
      const results = await Promise.all([
        w.provider.admin.put(`/api/bookings/${id}/results`, tab(id, v, 1, 'save')),
        secondAdmin.post(`/api/bookings/${id}/results/submit`, tab(id, v, 2, 'submit')),
      ]);
      const { winner } = oneWinner(results);
      const row = await storedBooking(t, id);
      expect(row.version).toBe(v + 1);
      expect(row.state).toBe(winner === 0 ? 'accepted' : 'awaiting_settlement');
      expect(row.resultNote).toBe(winner === 0 ? 'save' : 'submit');
      expect((await storedEvents(t, id)).filter((e) => e.action === 'submit_results')).toHaveLength(
        winner === 0 ? 0 : 1,
      );
    }
  });
});
