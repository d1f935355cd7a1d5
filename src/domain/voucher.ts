/**
 * Innovation vouchers (创新券): the policy, eligibility at settlement, the subsidy in fen within yearly caps, and the
 * claim's stages. Pure: no I/O. Rates are basis points (6000 = 60%); amounts are integer fen; every share is floored.
 */
export type VoucherKind = 'provincial' | 'municipal';
export const VOUCHER_KIND_LABEL: Record<VoucherKind, string> = { provincial: '省级创新券', municipal: '市级创新券' };

export interface ProvincialPolicy {
  /** cities whose enterprises get the higher rate */
  highRateCities: string[];
  highRateBp: number;
  defaultRateBp: number;
  /** province-direct counties (省财政直接管理县) that also get the higher rate, matched against the organisation's district */
  directCounties: string[];
  yearlyCapFen: number;
}

export interface MunicipalPolicy {
  enabled: boolean;
  rateBp: number;
  yearlyCapFen: number;
  /** provincial + municipal of one enterprise in one year */
  combinedCapFen: number;
  /** the provider must be in the consumer's city */
  sameCityProvider: boolean;
  /** eligibility as for the provincial voucher; otherwise any enterprise of the city without other subsidy */
  sameConditions: boolean;
}

export interface VoucherPolicy {
  provincial: ProvincialPolicy;
  municipal: Record<string, MunicipalPolicy>;
}

const WAN = 1_000_000; // 1 万元 in fen
/** The reported Shandong defaults: 60% for 枣庄, 临沂, 德州, 聊城, 滨州, 菏泽, 40% elsewhere, ¥500,000 a year; 聊城 +30%, ¥650,000 combined. */
export const DEFAULT_POLICY: VoucherPolicy = {
  provincial: {
    highRateCities: ['370400', '371300', '371400', '371500', '371600', '371700'],
    highRateBp: 6000,
    defaultRateBp: 4000,
    directCounties: ['高唐县', '沂水县', '郯城县', '平原县', '曹县', '郓城县', '邹平市', '莒县', '利津县', '宁阳县'],
    yearlyCapFen: 50 * WAN,
  },
  municipal: {
    '371500': {
      enabled: true,
      rateBp: 3000,
      yearlyCapFen: 15 * WAN,
      combinedCapFen: 65 * WAN,
      sameCityProvider: false,
      sameConditions: true,
    },
  },
};

/** Why a policy is not acceptable, by field; {} when it is. */
export function policyErrors(p: VoucherPolicy, cityCodes: string[]): Record<string, string> {
  const e: Record<string, string> = {};
  const bp = (v: number) => Number.isInteger(v) && v >= 0 && v <= 10_000;
  const fen = (v: number) => Number.isInteger(v) && v >= 0 && v <= 1e12;
  if (!bp(p.provincial.highRateBp)) e['provincial.highRateBp'] = '比例须在 0%～100% 之间';
  if (!bp(p.provincial.defaultRateBp)) e['provincial.defaultRateBp'] = '比例须在 0%～100% 之间';
  if (!fen(p.provincial.yearlyCapFen)) e['provincial.yearlyCapFen'] = '年度上限须为不小于 0 的金额';
  const unknown = p.provincial.highRateCities.filter((c) => !cityCodes.includes(c));
  if (unknown.length) e['provincial.highRateCities'] = `地市不存在：${unknown.join('、')}`;
  for (const [city, m] of Object.entries(p.municipal)) {
    if (!cityCodes.includes(city)) e[`municipal.${city}`] = '地市不存在';
    if (!bp(m.rateBp)) e[`municipal.${city}.rateBp`] = '比例须在 0%～100% 之间';
    if (!fen(m.yearlyCapFen)) e[`municipal.${city}.yearlyCapFen`] = '年度上限须为不小于 0 的金额';
    if (!fen(m.combinedCapFen)) e[`municipal.${city}.combinedCapFen`] = '合计上限须为不小于 0 的金额';
    else if (m.combinedCapFen < m.yearlyCapFen) e[`municipal.${city}.combinedCapFen`] = '合计上限不能小于市级年度上限';
  }
  return e;
}

// ------------------------------------------------------------------ eligibility

export interface VoucherConsumer {
  cityCode: string;
  district: string | null;
  isInProvince: boolean;
  type: string;
  isSmallMicro: boolean | null;
  isVoucherApplicant: boolean | null;
}

/** The manual's note on settlement: in the province, small or micro enterprise, said yes when joining, no other subsidy. */
export function provincialProblems(c: VoucherConsumer, otherSubsidy: boolean): string[] {
  const out: string[] = [];
  if (!c.isInProvince) out.push('单位所在地市不在省内');
  if (c.type !== 'enterprise') out.push('仅企业可以申请创新券');
  if (c.isSmallMicro !== true) out.push('仅小微企业可以申请省级创新券');
  if (c.isVoucherApplicant !== true) out.push('单位入网时未选择申请创新券');
  if (otherSubsidy) out.push('该项服务已享受其他财政资金补助');
  return out;
}

export function municipalProblems(
  c: VoucherConsumer,
  providerCity: string,
  m: MunicipalPolicy | undefined,
  otherSubsidy: boolean,
): string[] {
  if (!m?.enabled) return ['所在地市未开通市级创新券'];
  const out = m.sameConditions
    ? provincialProblems(c, otherSubsidy)
    : [
        ...(!c.isInProvince ? ['单位所在地市不在省内'] : []),
        ...(c.type !== 'enterprise' ? ['仅企业可以申请创新券'] : []),
        ...(otherSubsidy ? ['该项服务已享受其他财政资金补助'] : []),
      ];
  if (m.sameCityProvider && providerCity !== c.cityCode) out.push('市级创新券仅限本市服务机构提供的服务');
  return out;
}

export function provincialRateBp(p: ProvincialPolicy, c: Pick<VoucherConsumer, 'cityCode' | 'district'>): number {
  const direct = !!c.district && p.directCounties.some((d) => d === c.district);
  return p.highRateCities.includes(c.cityCode) || direct ? p.highRateBp : p.defaultRateBp;
}

// ------------------------------------------------------------------ amounts

/** fee × rate, floored to the fen; exact for every fee (BigInt product). */
export const shareOf = (feeFen: number, rateBp: number) => Number((BigInt(feeFen) * BigInt(rateBp)) / 10_000n);

/** What an enterprise has already reserved this year (claims not rejected), per kind. */
export interface YearUsage {
  provincialFen: number;
  municipalFen: number;
}

export interface VoucherPart {
  kind: VoucherKind;
  eligible: boolean;
  problems: string[];
  rateBp: number;
  /** the share before caps */
  shareFen: number;
  /** what is left of the caps before this settlement */
  remainingCapFen: number;
  /** the subsidy if chosen: min(share, remaining caps, what the fee leaves) */
  amountFen: number;
}

export interface VoucherQuote {
  /** false: no voucher section at all (the consumer can use neither) */
  show: boolean;
  provincial: VoucherPart;
  municipal: VoucherPart | null;
  feeFen: number;
  /** what the enterprise pays itself with the parts chosen */
  selfPayFen: number;
}

export interface QuoteInput {
  feeFen: number;
  policy: VoucherPolicy;
  consumer: VoucherConsumer;
  providerCity: string;
  usage: YearUsage;
  otherSubsidy: boolean;
  choose: { provincial: boolean; municipal: boolean };
}

/**
 * The voucher section of a settlement: the provincial part first, then the municipal part within the combined cap.
 * A part that is not eligible or not chosen contributes nothing. Never above the fee or the remaining caps.
 */
export function quote(i: QuoteInput): VoucherQuote {
  if (!Number.isInteger(i.feeFen) || i.feeFen < 0) throw new RangeError('feeFen');
  const pp = i.policy.provincial;
  const pProblems = provincialProblems(i.consumer, i.otherSubsidy);
  const pRate = provincialRateBp(pp, i.consumer);
  const pShare = shareOf(i.feeFen, pRate);
  const pRemaining = Math.max(0, pp.yearlyCapFen - i.usage.provincialFen);
  const pAmount = !pProblems.length && i.choose.provincial ? Math.min(pShare, pRemaining, i.feeFen) : 0;
  const provincial: VoucherPart = {
    kind: 'provincial',
    eligible: !pProblems.length,
    problems: pProblems,
    rateBp: pRate,
    shareFen: pShare,
    remainingCapFen: pRemaining,
    amountFen: pAmount,
  };

  const mp = i.policy.municipal[i.consumer.cityCode];
  let municipal: VoucherPart | null = null;
  if (mp?.enabled) {
    const mProblems = municipalProblems(i.consumer, i.providerCity, mp, i.otherSubsidy);
    const mShare = shareOf(i.feeFen, mp.rateBp);
    const mRemaining = Math.max(
      0,
      Math.min(
        mp.yearlyCapFen - i.usage.municipalFen,
        mp.combinedCapFen - i.usage.provincialFen - i.usage.municipalFen - pAmount,
      ),
    );
    const mAmount =
      !mProblems.length && i.choose.municipal ? Math.max(0, Math.min(mShare, mRemaining, i.feeFen - pAmount)) : 0;
    municipal = {
      kind: 'municipal',
      eligible: !mProblems.length,
      problems: mProblems,
      rateBp: mp.rateBp,
      shareFen: mShare,
      remainingCapFen: mRemaining,
      amountFen: mAmount,
    };
  }
  // the manual: where the municipal conditions equal the provincial ones and the consumer is not eligible, no section.
  // Judged without the "other subsidy" answer, which is asked inside the section.
  const show =
    !provincialProblems(i.consumer, false).length ||
    (!!mp?.enabled && !municipalProblems(i.consumer, i.providerCity, mp, false).length);
  return {
    show,
    provincial,
    municipal,
    feeFen: i.feeFen,
    selfPayFen: i.feeFen - pAmount - (municipal?.amountFen ?? 0),
  };
}

/** The version in force on a day: the latest whose effective date is not after it; null before the first. */
export function policyInForce<T extends { effectiveFrom: string }>(versions: T[], day: string): T | null {
  let best: T | null = null;
  for (const v of versions) if (v.effectiveFrom <= day && (!best || v.effectiveFrom > best.effectiveFrom)) best = v;
  return best;
}

/** The calendar year of a time in China (the cap period). */
export const capYear = (at: Date) => new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();

// ------------------------------------------------------------------ claims

export type ClaimState = 'city_review' | 'province_review' | 'returned' | 'approved' | 'rejected' | 'paid';
export const CLAIM_STATE_LABEL: Record<ClaimState, string> = {
  city_review: '待审核（市级）',
  province_review: '待审核（省级）',
  returned: '已退回',
  approved: '审核通过',
  rejected: '不予兑付',
  paid: '已兑付',
};

/** The claim's state from its review: level 1 is the city bureau, level 2 (provincial vouchers only) the province. */
export function claimStateOf(
  review: { state: 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn'; level: number },
  paid: boolean,
): ClaimState {
  if (paid) return 'paid';
  switch (review.state) {
    case 'pending':
      return review.level >= 2 ? 'province_review' : 'city_review';
    case 'returned':
      return 'returned';
    case 'approved':
      return 'approved';
    default:
      return 'rejected';
  }
}

/** Documents of a claim (the invoice and the test report come from the settlement). */
export const CLAIM_DOCUMENTS = {
  contract: '服务合同',
  invoice: '发票',
  report: '检测报告',
  result_proof: '服务结果证明',
  relevance_proof: '科技创新相关性证明',
} as const;
export type ClaimDocument = keyof typeof CLAIM_DOCUMENTS;
/** Instrument bookings are testing and analysis services, so the relevance proof is always required. */
export const REQUIRED_DOCUMENTS: ClaimDocument[] = ['contract', 'invoice', 'report', 'result_proof', 'relevance_proof'];
export const missingDocuments = (have: Iterable<string>): ClaimDocument[] => {
  const s = new Set(have);
  return REQUIRED_DOCUMENTS.filter((d) => !s.has(d));
};

/** `QJ` + year + kind letter + sequence: QJ2026P000123. */
export const formatClaimNo = (year: number, kind: VoucherKind, seq: number) =>
  `QJ${year}${kind === 'provincial' ? 'P' : 'M'}${String(seq).padStart(6, '0')}`;
