/** Test helpers for vouchers: a booking waiting for settlement with a given fee, and the claim documents. */
import type { TestApp } from '../../test/harness';
import { pdf, upload } from '../files/testing';
import { bookingBody, ok, type World } from '../bookings/testing';

/** A booking of the world's first instrument, driven to 待结算 with exactly `feeFen` as its total. */
export async function awaitingSettlement(t: TestApp, w: World, feeFen: number): Promise<string> {
  const id = ok(await w.consumer.member.post('/api/bookings', bookingBody(t, [w.instruments[0]])), 201).data
    .id as string;
  ok(await w.consumer.member.post(`/api/bookings/${id}/submit`, { liabilityAccepted: true }));
  ok(await w.provider.admin.post(`/api/bookings/${id}/accept`, {}));
  const version = ok(await w.provider.admin.get(`/api/bookings/${id}`)).data.version;
  ok(
    await w.provider.admin.post(`/api/bookings/${id}/results/submit`, {
      items: [
        {
          instrumentId: w.instruments[0],
          resultText: '检测完成',
          machineHours: 1,
          fees: [{ name: '测试费', quantity: 1, unit: '项', unitPriceFen: feeFen }],
        },
      ],
      otherFeeFen: 0,
      version,
    }),
  );
  return id;
}

export const SETTLEMENT_SLOTS = ['report', 'invoice'] as const;
export const CLAIM_SLOTS = ['contract', 'result_proof', 'relevance_proof'] as const;

/** Uploads documents of the given slots as the consumer's member. */
export async function uploadDocs(w: World, bookingId: string, slots: readonly string[]) {
  for (const slot of slots)
    ok(
      await upload(
        w.consumer.member,
        `/api/bookings/${bookingId}/files?slot=${slot}`,
        pdf(slot),
        `${slot}.pdf`,
        'application/pdf',
      ),
      201,
    );
}
