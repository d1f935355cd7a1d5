import { describe, expect, it } from 'vitest';
import {
  canEdit,
  canSubmit,
  FRESHNESS_DAYS,
  mustRefreshInfo,
  ORG_STATE_LABEL,
  REVENUE_LIMIT_FEN,
  STAFF_LIMIT,
  voucherQuestionApplies,
  type OrgState,
} from './organization';

const DAY = 86_400_000;

describe('the voucher question (是否申请创新券)', () => {
  const sme = { cityCode: '370100', staffCount: 499, revenueFen: REVENUE_LIMIT_FEN - 1, type: 'enterprise' };

  it("uses the manual's limits: 500 staff and ¥200 million in fen", () => {
    expect(STAFF_LIMIT).toBe(500);
    expect(REVENUE_LIMIT_FEN).toBe(20_000_000_000);
  });

  it('applies to an in-province enterprise under both limits', () => {
    expect(voucherQuestionApplies(sme)).toBe(true);
    expect(voucherQuestionApplies({ ...sme, staffCount: 0, revenueFen: 0 })).toBe(true);
    expect(voucherQuestionApplies({ ...sme, cityCode: '371700' })).toBe(true);
  });

  it('does not apply at 500 staff or more', () => {
    expect(voucherQuestionApplies({ ...sme, staffCount: 500 })).toBe(false);
    expect(voucherQuestionApplies({ ...sme, staffCount: 10_000 })).toBe(false);
  });

  it('does not apply at ¥200 million revenue or more', () => {
    expect(voucherQuestionApplies({ ...sme, revenueFen: REVENUE_LIMIT_FEN })).toBe(false);
    expect(voucherQuestionApplies({ ...sme, revenueFen: REVENUE_LIMIT_FEN + 1 })).toBe(false);
  });

  it('does not apply outside the province', () => {
    expect(voucherQuestionApplies({ ...sme, cityCode: '000000' })).toBe(false);
    expect(voucherQuestionApplies({ ...sme, cityCode: '' })).toBe(false);
  });

  it('does not apply to organisations other than enterprises', () => {
    for (const type of ['university', 'institute', 'government', 'public_institution', 'other']) {
      expect(voucherQuestionApplies({ ...sme, type }), type).toBe(false);
    }
  });

  it('does not apply while staff count or revenue is unknown', () => {
    expect(voucherQuestionApplies({ ...sme, staffCount: null })).toBe(false);
    expect(voucherQuestionApplies({ ...sme, revenueFen: null })).toBe(false);
    expect(voucherQuestionApplies({ ...sme, staffCount: undefined, revenueFen: undefined })).toBe(false);
  });
});

describe('the 365-day rule', () => {
  const now = new Date('2026-11-29T08:00:00.000Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it('is 365 days', () => expect(FRESHNESS_DAYS).toBe(365));

  it('asks for an update only after more than 365 days', () => {
    expect(mustRefreshInfo(ago(0), now)).toBe(false);
    expect(mustRefreshInfo(ago(364 * DAY), now)).toBe(false);
    expect(mustRefreshInfo(ago(365 * DAY), now)).toBe(false);
    expect(mustRefreshInfo(ago(365 * DAY + 1), now)).toBe(true);
    expect(mustRefreshInfo(ago(366 * DAY), now)).toBe(true);
    expect(mustRefreshInfo(ago(5 * 365 * DAY), now)).toBe(true);
  });

  it('never asks an organisation that has no info date yet (not approved), or one dated in the future', () => {
    expect(mustRefreshInfo(null, now)).toBe(false);
    expect(mustRefreshInfo(ago(-DAY), now)).toBe(false);
  });
});

describe('joining states', () => {
  const states: OrgState[] = ['draft', 'pending', 'approved', 'rejected'];

  it('submits only a draft or a rejected organisation', () => {
    expect(states.filter(canSubmit)).toEqual(['draft', 'rejected']);
  });

  it('edits anything but a pending one', () => {
    expect(states.filter(canEdit)).toEqual(['draft', 'approved', 'rejected']);
  });

  it("names the states in the manual's words", () => {
    expect(ORG_STATE_LABEL).toEqual({ draft: '草稿', pending: '待审核', approved: '已入网', rejected: '未通过' });
  });
});
