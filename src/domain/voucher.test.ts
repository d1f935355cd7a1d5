import { describe, expect, it } from 'vitest';
import {
  capYear,
  claimStateOf,
  DEFAULT_POLICY,
  formatClaimNo,
  missingDocuments,
  policyErrors,
  policyInForce,
  provincialRateBp,
  quote,
  shareOf,
  type QuoteInput,
  type VoucherConsumer,
  type VoucherPolicy,
} from './voucher';

const WAN = 1_000_000;
const smallIn = (cityCode: string, o: Partial<VoucherConsumer> = {}): VoucherConsumer => ({
  cityCode,
  district: null,
  isInProvince: true,
  type: 'enterprise',
  isSmallMicro: true,
  isVoucherApplicant: true,
  ...o,
});
const JINAN = '370100',
  ZAOZHUANG = '370400',
  LIAOCHENG = '371500',
  QINGDAO = '370200';
const base = (o: Partial<QuoteInput>): QuoteInput => ({
  feeFen: 100_000,
  policy: DEFAULT_POLICY,
  consumer: smallIn(JINAN),
  providerCity: JINAN,
  usage: { provincialFen: 0, municipalFen: 0 },
  otherSubsidy: false,
  choose: { provincial: true, municipal: true },
  ...o,
});

/** [case, input, provincial fen, municipal fen (null = no municipal part), self-pay fen, section shown] */
const CASES: [string, Partial<QuoteInput>, number, number | null, number, boolean][] = [
  ['济南 40%', {}, 40_000, null, 60_000, true],
  ['枣庄 60%', { consumer: smallIn(ZAOZHUANG) }, 60_000, null, 40_000, true],
  [
    'province-direct county in 济南 district list gets 60%',
    { consumer: smallIn(JINAN, { district: '平原县' }) },
    60_000,
    null,
    40_000,
    true,
  ],
  ['a fee of 1 fen floors to 0', { feeFen: 1 }, 0, null, 1, true],
  ['a fee of 3 fen at 60% floors to 1', { feeFen: 3, consumer: smallIn(ZAOZHUANG) }, 1, null, 2, true],
  ['99 fen at 40% = 39.6 → 39', { feeFen: 99 }, 39, null, 60, true],
  [
    'cap exactly reached by this claim',
    { feeFen: 125 * WAN, usage: { provincialFen: 0, municipalFen: 0 } },
    50 * WAN,
    null,
    75 * WAN,
    true,
  ],
  [
    'remaining cap limits the share',
    { feeFen: 10 * WAN, usage: { provincialFen: 49 * WAN, municipalFen: 0 } },
    1 * WAN,
    null,
    9 * WAN,
    true,
  ],
  ['cap already reached', { usage: { provincialFen: 50 * WAN, municipalFen: 0 } }, 0, null, 100_000, true],
  [
    'cap already exceeded by earlier claims (policy lowered)',
    { usage: { provincialFen: 60 * WAN, municipalFen: 0 } },
    0,
    null,
    100_000,
    true,
  ],
  ['聊城 60% + 30%', { consumer: smallIn(LIAOCHENG) }, 60_000, 30_000, 10_000, true],
  [
    '聊城 both caps leave exactly 1 fen',
    { consumer: smallIn(LIAOCHENG), feeFen: 10 * WAN, usage: { provincialFen: 49 * WAN, municipalFen: 15 * WAN - 1 } },
    1 * WAN,
    1,
    9 * WAN - 1,
    true,
  ],
  [
    '聊城 combined cap already reached',
    { consumer: smallIn(LIAOCHENG), feeFen: 10 * WAN, usage: { provincialFen: 50 * WAN, municipalFen: 15 * WAN } },
    0,
    0,
    10 * WAN,
    true,
  ],
  [
    '聊城 combined cap leaves part of the municipal share',
    { consumer: smallIn(LIAOCHENG), feeFen: 10 * WAN, usage: { provincialFen: 45 * WAN, municipalFen: 14 * WAN } },
    5 * WAN,
    1 * WAN,
    4 * WAN,
    true,
  ],
  [
    '聊城 municipal cap alone',
    { consumer: smallIn(LIAOCHENG), feeFen: 10 * WAN, usage: { provincialFen: 0, municipalFen: 14 * WAN + 50 } },
    6 * WAN,
    1 * WAN - 50,
    3 * WAN + 50,
    true,
  ],
  [
    '聊城 only provincial chosen',
    { consumer: smallIn(LIAOCHENG), choose: { provincial: true, municipal: false } },
    60_000,
    0,
    40_000,
    true,
  ],
  [
    'not small or micro: nothing, no section',
    { consumer: smallIn(JINAN, { isSmallMicro: false }) },
    0,
    null,
    100_000,
    false,
  ],
  [
    'said no when joining: no section',
    { consumer: smallIn(LIAOCHENG, { isVoucherApplicant: false }) },
    0,
    0,
    100_000,
    false,
  ],
  [
    'outside the province: no section',
    { consumer: smallIn('000000', { isInProvince: false }) },
    0,
    null,
    100_000,
    false,
  ],
  ['a university: no section', { consumer: smallIn(JINAN, { type: 'university' }) }, 0, null, 100_000, false],
  ['other public subsidy: section shown, nothing granted', { otherSubsidy: true }, 0, null, 100_000, true],
  ['zero fee', { feeFen: 0 }, 0, null, 0, true],
];

const sameCityPolicy: VoucherPolicy = {
  ...DEFAULT_POLICY,
  municipal: {
    [QINGDAO]: {
      enabled: true,
      rateBp: 2000,
      yearlyCapFen: 10 * WAN,
      combinedCapFen: 60 * WAN,
      sameCityProvider: true,
      sameConditions: false,
    },
  },
};

describe('voucher amounts (table of cases, in fen)', () => {
  it.each(CASES)('%s', (_name, input, provincial, municipal, selfPay, show) => {
    const q = quote(base(input));
    expect(q.provincial.amountFen).toBe(provincial);
    expect(q.municipal ? q.municipal.amountFen : null).toBe(municipal);
    expect(q.selfPayFen).toBe(selfPay);
    expect(q.show).toBe(show);
    expect(q.provincial.amountFen + (q.municipal?.amountFen ?? 0) + q.selfPayFen).toBe(q.feeFen);
    expect(q.provincial.amountFen).toBeLessThanOrEqual(q.feeFen);
  });

  it('a municipal voucher that needs the provider in the same city', () => {
    const inCity = quote(base({ policy: sameCityPolicy, consumer: smallIn(QINGDAO), providerCity: QINGDAO }));
    expect(inCity.municipal).toMatchObject({ eligible: true, amountFen: 20_000 });
    const elsewhere = quote(base({ policy: sameCityPolicy, consumer: smallIn(QINGDAO), providerCity: JINAN }));
    expect(elsewhere.municipal).toMatchObject({ eligible: false, amountFen: 0 });
    expect(elsewhere.municipal!.problems).toContain('市级创新券仅限本市服务机构提供的服务');
  });

  it('municipal conditions that differ from the provincial ones keep the section for a larger enterprise', () => {
    const big = smallIn(QINGDAO, { isSmallMicro: false, isVoucherApplicant: false });
    const q = quote(base({ policy: sameCityPolicy, consumer: big, providerCity: QINGDAO }));
    expect(q.show).toBe(true);
    expect(q.provincial).toMatchObject({ eligible: false, amountFen: 0 });
    expect(q.municipal).toMatchObject({ eligible: true, amountFen: 20_000 });
  });

  it('is exact for very large fees (above 2^53 / 10,000)', () => {
    expect(shareOf(9_007_199_254_740, 6000)).toBe(5_404_319_552_844);
    expect(shareOf(1e13, 4000)).toBe(4e12);
  });

  it('rates by city and county', () => {
    const p = DEFAULT_POLICY.provincial;
    for (const c of ['370400', '371300', '371400', '371500', '371600', '371700'])
      expect(provincialRateBp(p, { cityCode: c, district: null })).toBe(6000);
    for (const c of ['370100', '370200', '370700'])
      expect(provincialRateBp(p, { cityCode: c, district: '历下区' })).toBe(4000);
    expect(provincialRateBp(p, { cityCode: '370100', district: '高唐县' })).toBe(6000);
  });
});

describe('policy versions', () => {
  const versions = [
    { id: 'a', effectiveFrom: '2026-01-01' },
    { id: 'b', effectiveFrom: '2026-07-01' },
    { id: 'c', effectiveFrom: '2027-01-01' },
  ];
  it('uses the version in force on the day', () => {
    expect(policyInForce(versions, '2025-12-31')).toBeNull();
    expect(policyInForce(versions, '2026-01-01')!.id).toBe('a');
    expect(policyInForce(versions, '2026-06-30')!.id).toBe('a');
    expect(policyInForce(versions, '2026-07-01')!.id).toBe('b');
    expect(policyInForce(versions, '2030-01-01')!.id).toBe('c');
  });
  it('refuses impossible settings, naming the field', () => {
    const bad: VoucherPolicy = {
      provincial: { ...DEFAULT_POLICY.provincial, highRateBp: 12_000 },
      municipal: { '371500': { ...DEFAULT_POLICY.municipal['371500'], combinedCapFen: 1 } },
    };
    expect(Object.keys(policyErrors(bad, ['370400', '371300', '371400', '371500', '371600', '371700'])).sort()).toEqual(
      ['municipal.371500.combinedCapFen', 'provincial.highRateBp'],
    );
    expect(policyErrors(DEFAULT_POLICY, ['370400', '371300', '371400', '371500', '371600', '371700'])).toEqual({});
  });
  it('the cap period is the calendar year in China', () => {
    expect(capYear(new Date('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(capYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
  });
});

describe('claims', () => {
  it('state follows the review level and payment', () => {
    expect(claimStateOf({ state: 'pending', level: 1 }, false)).toBe('city_review');
    expect(claimStateOf({ state: 'pending', level: 2 }, false)).toBe('province_review');
    expect(claimStateOf({ state: 'returned', level: 2 }, false)).toBe('returned');
    expect(claimStateOf({ state: 'approved', level: 2 }, false)).toBe('approved');
    expect(claimStateOf({ state: 'approved', level: 2 }, true)).toBe('paid');
    expect(claimStateOf({ state: 'rejected', level: 1 }, false)).toBe('rejected');
  });
  it('needs every document', () => {
    expect(missingDocuments(['invoice', 'report'])).toEqual(['contract', 'result_proof', 'relevance_proof']);
    expect(missingDocuments(['contract', 'invoice', 'report', 'result_proof', 'relevance_proof'])).toEqual([]);
  });
  it('numbers', () => {
    expect(formatClaimNo(2026, 'provincial', 123)).toBe('QJ2026P000123');
    expect(formatClaimNo(2026, 'municipal', 1)).toBe('QJ2026M000001');
  });
});
