/**
 * The caps under concurrency: 50 settlements of one enterprise at the same moment, near its yearly cap, can never
 * together exceed it. On PostgreSQL the requests run truly in parallel on the pool; on SQLite the write
 * transactions are serialised by BEGIN IMMEDIATE. Both must end with the ledger and the claims at or under the cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capYear } from '../../../domain/voucher';
import { createTestApp, type TestApp } from '../../test/harness';
import { bookingWorld, type World } from '../bookings/testing';
import { newId } from '../../db/ids';
import { awaitingSettlement, CLAIM_SLOTS, SETTLEMENT_SLOTS } from './testing';

let t: TestApp;
let w: World;
const CAP = 50_000_000; // ¥500,000, the default provincial cap
const USED = 45_100_000; // already reserved this year by earlier claims
const FEE = 3_000_000; // ¥30,000 per booking → 40% = ¥12,000 each

beforeAll(async () => {
  t = await createTestApp();
  w = await bookingWorld(t);
});
afterAll(async () => {
  await t?.close();
});

/** The documents of a booking written straight to the database (50 × 5 uploads would only test uploading). */
async function attachDocuments(bookingId: string) {
  const now = t.clock.now().toISOString();
  for (const slot of [...SETTLEMENT_SLOTS, ...CLAIM_SLOTS]) {
    const fileId = newId();
    await t.database.db
      .insertInto('files')
      .values({
        id: fileId,
        orgId: w.consumer.org.id,
        purpose: 'booking_file',
        storageKey: `test/${fileId}.pdf`,
        thumbKey: null,
        originalName: `${slot}.pdf`,
        mime: 'application/pdf',
        size: 100,
        sha256: '0'.repeat(64),
        createdBy: w.consumer.memberId,
        createdAt: now,
      })
      .execute();
    await t.database.db.insertInto('bookingFiles').values({ bookingId, fileId, slot, createdAt: now }).execute();
  }
}

describe('50 parallel settlements near the cap', () => {
  it('reserve at most the cap: the ledger equals earlier use plus the claims, and never exceeds it', async () => {
    const year = capYear(t.clock.now());
    await t.database.db
      .insertInto('voucherLedgers')
      .values({ orgId: w.consumer.org.id, year, provincialFen: USED, municipalFen: 0 })
      .execute();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = await awaitingSettlement(t, w, FEE);
      await attachDocuments(id);
      ids.push(id);
    }
    const results = await Promise.all(
      ids.map((id) =>
        w.consumer.member.post(`/api/bookings/${id}/settle`, {
          voucher: { otherSubsidy: false, provincial: true, municipal: false },
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c >= 500)).toEqual([]);
    const won = results.filter((r) => r.statusCode === 200).length;
    const refused = results.filter((r) => r.statusCode === 422 && r.data.error.code === 'VOUCHER_NOTHING_LEFT').length;
    expect(won + refused).toBe(50);

    const claims = await t.database.db
      .selectFrom('voucherClaims')
      .select(['amountFen', 'bookingId'])
      .where('consumerOrgId', '=', w.consumer.org.id)
      .execute();
    const reserved = claims.reduce((s, c) => s + Number(c.amountFen), 0);
    const ledger = await t.database.db
      .selectFrom('voucherLedgers')
      .select('provincialFen')
      .where('orgId', '=', w.consumer.org.id)
      .where('year', '=', year)
      .executeTakeFirstOrThrow();
    // 4,900,000 fen were left: four full claims of 1,200,000 and one of the last 100,000
    expect(USED + reserved).toBe(CAP);
    expect(Number(ledger.provincialFen)).toBe(CAP);
    expect(claims.length).toBe(won);
    expect(won).toBe(5);
    expect(claims.map((c) => Number(c.amountFen)).sort((a, b) => a - b)).toEqual([
      100_000, 1_200_000, 1_200_000, 1_200_000, 1_200_000,
    ]);
    // a refused settlement changed nothing: its booking still waits
    const states = await t.database.db.selectFrom('bookings').select(['id', 'state']).where('id', 'in', ids).execute();
    expect(states.filter((s) => s.state === 'completed').length).toBe(won);
    expect(states.filter((s) => s.state === 'awaiting_settlement').length).toBe(refused);
    console.log(
      `caps proof (${t.database.dialect}): ${won} claims reserved ${reserved} fen; earlier ${USED}; total ${USED + reserved} of cap ${CAP}; ${refused} refused`,
    );
  }, 120_000);
});
