import { describe, expect, it } from 'vitest';
import {
  availableActions,
  BOOKING_STATES,
  bookingDay,
  bookingStep,
  formatBookingNo,
  lineFen,
  missingForSubmit,
  nextBookingStep,
  quantityHundredths,
  totalFen,
  type BookingAction,
  type BookingActor,
  type BookingState,
} from './booking';

const consumer: BookingActor = { party: 'consumer', isAdmin: false, isApplicant: true };
const consumerAdmin: BookingActor = { party: 'consumer', isAdmin: true, isApplicant: false };
const consumerOther: BookingActor = { party: 'consumer', isAdmin: false, isApplicant: false };
const provider: BookingActor = { party: 'provider', isAdmin: true, isApplicant: false };
const providerMember: BookingActor = { party: 'provider', isAdmin: false, isApplicant: false };
const stranger: BookingActor = { party: null, isAdmin: true, isApplicant: false };

/** The whole table of legal moves, written out: every other (state, action) pair must be refused. */
const LEGAL: Record<string, BookingState | 'gone'> = {
  'draft/save': 'draft',
  'draft/delete': 'gone',
  'draft/submit': 'submitted',
  'submitted/withdraw': 'withdrawn',
  'submitted/accept': 'accepted',
  'submitted/decline': 'rejected',
  'accepted/save_results': 'accepted',
  'accepted/submit_results': 'awaiting_settlement',
  'awaiting_settlement/settle': 'completed',
  'completed/rate': 'completed',
};
const ACTIONS: BookingAction[] = [
  'save',
  'delete',
  'submit',
  'withdraw',
  'accept',
  'decline',
  'save_results',
  'submit_results',
  'settle',
  'rate',
];
const PROVIDER_ACTIONS = new Set<BookingAction>(['accept', 'decline', 'save_results', 'submit_results']);

describe('the booking machine', () => {
  it('allows exactly the legal moves to the right party, and refuses every other pair with 409', () => {
    for (const s of BOOKING_STATES) {
      for (const a of ACTIONS) {
        const who = PROVIDER_ACTIONS.has(a) ? provider : consumer;
        const step = nextBookingStep(s, a, who);
        const legal = LEGAL[`${s}/${a}`];
        if (legal) expect(step, `${s}/${a}`).toEqual({ to: legal, needsReason: a === 'decline' });
        else if (s === 'draft' && who.party === 'provider')
          expect('refusal' in step && step.refusal.status, `${s}/${a}`).toBe(404);
        else expect('refusal' in step && step.refusal.status, `${s}/${a}`).toBe(409);
      }
    }
  });

  it('final states have no way out', () => {
    for (const s of ['rejected', 'withdrawn'] as BookingState[]) {
      expect(availableActions(s, consumerAdmin)).toEqual([]);
      expect(availableActions(s, provider)).toEqual([]);
    }
    expect(availableActions('completed', consumer)).toEqual(['rate']);
  });

  it('guards the party and the role', () => {
    const refusal = (s: BookingState, a: BookingAction, who: BookingActor) => {
      const step = nextBookingStep(s, a, who);
      return 'refusal' in step ? [step.refusal.status, step.refusal.code] : null;
    };
    expect(refusal('submitted', 'accept', consumerAdmin)).toEqual([403, 'BOOKING_WRONG_PARTY']);
    expect(refusal('submitted', 'accept', providerMember)).toEqual([403, 'BOOKING_ADMIN_ONLY']);
    expect(refusal('awaiting_settlement', 'settle', provider)).toEqual([403, 'BOOKING_WRONG_PARTY']);
    expect(refusal('draft', 'submit', consumerOther)).toEqual([403, 'BOOKING_APPLICANT_ONLY']);
    expect(refusal('draft', 'submit', consumerAdmin)).toBeNull();
    // the provider never sees a draft, and a stranger sees nothing: both as "does not exist"
    expect(refusal('draft', 'accept', provider)).toEqual([404, 'NOT_FOUND']);
    for (const s of BOOKING_STATES) expect(refusal(s, 'save', stranger)).toEqual([404, 'NOT_FOUND']);
  });

  it('maps states to steps of the step bar', () => {
    expect(BOOKING_STATES.map((s) => [s, bookingStep(s)])).toEqual([
      ['draft', 0],
      ['submitted', 1],
      ['accepted', 2],
      ['awaiting_settlement', 3],
      ['completed', 4],
      ['rejected', 1],
      ['withdrawn', 1],
    ]);
  });
});

describe('the human number', () => {
  it('is YY, the China-time day and a 4-digit sequence', () => {
    expect(formatBookingNo('20261129', 1)).toBe('YY202611290001');
    expect(formatBookingNo('20261129', 12345)).toBe('YY2026112912345');
    // 2026-11-29 16:30 UTC is already 30 November in Beijing
    expect(bookingDay(new Date('2026-11-29T16:30:00Z'))).toBe('20261130');
    expect(bookingDay(new Date('2026-11-29T15:59:59Z'))).toBe('20261129');
    expect(() => formatBookingNo('2026-11-29', 1)).toThrow();
    expect(() => formatBookingNo('20261129', 0)).toThrow();
  });
});

describe('fees in fen', () => {
  it('multiplies quantity by unit price, rounding half up to the fen', () => {
    expect(lineFen({ quantity: 2.5, unitPriceFen: 30_000 })).toBe(75_000);
    expect(lineFen({ quantity: 3, unitPriceFen: 5_050 })).toBe(15_150);
    expect(lineFen({ quantity: 0.33, unitPriceFen: 101 })).toBe(33); // 33.33 → 33
    expect(lineFen({ quantity: 0.5, unitPriceFen: 101 })).toBe(51); // 50.5 → 51
    expect(lineFen({ quantity: 1.1, unitPriceFen: 3 })).toBe(3); // 3.3 → 3, no float drift
  });

  it('is exact at the largest allowed amounts', () => {
    expect(lineFen({ quantity: 100_000, unitPriceFen: 1_000_000_000 })).toBe(100_000_000_000_000);
    // 9,999,999 hundredths × 999,999,999 fen = 9,999,998,990,000,001 (above 2^53) / 100 = 99,999,989,900,000.01
    expect(lineFen({ quantity: 99_999.99, unitPriceFen: 999_999_999 })).toBe(99_999_989_900_000);
  });

  it('refuses more than two decimals, zero and negative amounts', () => {
    expect(quantityHundredths(1.005)).toBeNull();
    expect(quantityHundredths(0)).toBeNull();
    expect(quantityHundredths(-1)).toBeNull();
    expect(quantityHundredths(1.25)).toBe(125);
    expect(() => lineFen({ quantity: 1, unitPriceFen: 1.5 })).toThrow(RangeError);
    expect(() => totalFen([], -1)).toThrow(RangeError);
  });

  it('sums every item and the other fees', () => {
    expect(
      totalFen(
        [
          { quantity: 2.5, unitPriceFen: 30_000 },
          { quantity: 3, unitPriceFen: 5_050 },
        ],
        10_000,
      ),
    ).toBe(100_150);
    expect(totalFen([], 0)).toBe(0);
  });
});

describe('what 提交 requires', () => {
  const complete = {
    instruments: [{ testItems: '形貌' }],
    samples: [{ name: '试样', quantity: 1, unit: '块', form: '固体', hazards: null, disposal: 'return' as const }],
    purpose: '研发',
    expectedFrom: '2026-12-01',
    expectedTo: '2026-12-10',
    projectName: '项目',
    projectSource: '省重点研发',
    contactName: '王',
    contactPhone: '13900000000',
  };
  it('nothing when complete; each missing field by its key', () => {
    expect(missingForSubmit(complete, '2026-11-29')).toEqual({});
    const m = missingForSubmit(
      {
        ...complete,
        instruments: [{ testItems: ' ' }],
        samples: [{ ...complete.samples[0], quantity: null, disposal: null }],
        purpose: null,
      },
      '2026-11-29',
    );
    expect(Object.keys(m).sort()).toEqual([
      'instruments.0.testItems',
      'purpose',
      'samples.0.disposal',
      'samples.0.quantity',
    ]);
    expect(missingForSubmit({ ...complete, expectedFrom: '2026-11-28' }, '2026-11-29')).toHaveProperty('expectedFrom');
    expect(missingForSubmit({ ...complete, expectedTo: '2026-11-30' }, '2026-11-29')).toHaveProperty('expectedTo');
  });
});
