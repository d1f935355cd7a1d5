import { describe, expect, it } from 'vitest';
import {
  instrumentStateLabel,
  isCalendarDate,
  missingForSubmit,
  nextInstrumentPosition,
  recordRuleErrors,
  refusalMessage,
  REQUIRED_FOR_SUBMIT,
  shanghaiDate,
  type InstrumentAction,
  type InstrumentState,
} from './instrument';

const STATES: InstrumentState[] = ['draft', 'pending', 'listed', 'rejected'];
const ACTIONS: InstrumentAction[] = ['save', 'attach', 'submit', 'approve', 'reject', 'disable', 'enable', 'delete'];
type To = InstrumentState | 'gone' | `${InstrumentState}+disabled`;

/** The listing machine written out: from (state, disabled?) × action → to. Missing = refused. */
const TABLE: Record<string, Partial<Record<InstrumentAction, To>>> = {
  draft: { save: 'draft', attach: 'draft', submit: 'pending', delete: 'gone' },
  pending: { approve: 'listed', reject: 'rejected' },
  rejected: { save: 'rejected', attach: 'rejected', submit: 'pending' },
  listed: { save: 'listed', attach: 'listed', disable: 'listed+disabled' },
  'listed+disabled': { save: 'listed+disabled', attach: 'listed+disabled', enable: 'listed' },
};

describe('the instrument listing machine', () => {
  it('follows the table for every position and action', () => {
    const positions = [
      ...STATES.map((s) => ({ state: s, isDisabled: false })),
      { state: 'listed' as const, isDisabled: true },
    ];
    for (const p of positions) {
      const from = p.isDisabled ? `${p.state}+disabled` : p.state;
      for (const a of ACTIONS) {
        const next = nextInstrumentPosition(p, a);
        const got =
          next === null ? null : next === 'gone' ? 'gone' : next.isDisabled ? `${next.state}+disabled` : next.state;
        expect(got, `${from} × ${a}`).toBe(TABLE[from][a] ?? null);
      }
    }
  });

  it("explains a refusal in the owner's words", () => {
    expect(refusalMessage({ state: 'pending', isDisabled: false }, 'save')).toContain('审核中');
    expect(refusalMessage({ state: 'listed', isDisabled: false }, 'submit')).toContain('无需再次提交');
    expect(refusalMessage({ state: 'listed', isDisabled: false }, 'delete')).toContain('草稿');
    expect(refusalMessage({ state: 'draft', isDisabled: false }, 'disable')).toContain('已入网');
  });

  it('labels a disabled listed instrument 已停用 and the rest by state', () => {
    expect(instrumentStateLabel('listed', true)).toBe('已停用');
    expect(instrumentStateLabel('listed', false)).toBe('已入网');
    expect(instrumentStateLabel('rejected', false)).toBe('未通过');
    expect(instrumentStateLabel('pending', false)).toBe('待审核');
  });
});

describe('required for 提交', () => {
  const complete = {
    name: '透射电子显微镜',
    categoryCode: '010101',
    model: 'JEM-2100F',
    manufacturer: '日本电子株式会社',
    valueFen: 1_200_000_000,
    purchaseDate: '2015-03-01',
    specs: '点分辨率 0.19 nm',
    functions: '高分辨成像',
    serviceContent: '纳米材料结构表征',
    feeStandard: '800 元/小时',
    cityCode: '370200',
    contactName: '李老师',
    contactPhone: '0532-66781234',
  };

  it('a complete record misses nothing, and pictures are not among the requirements', () => {
    expect(missingForSubmit(complete)).toEqual({});
    expect(REQUIRED_FOR_SUBMIT as readonly string[]).not.toContain('pictures');
  });

  it('names every missing or blank field with its label', () => {
    expect(missingForSubmit({ ...complete, model: '  ', valueFen: null, contactPhone: undefined })).toEqual({
      model: '请填写规格型号',
      valueFen: '请填写原值',
      contactPhone: '请填写联系电话',
    });
    expect(Object.keys(missingForSubmit({})).sort()).toEqual([...REQUIRED_FOR_SUBMIT].sort());
  });

  it('a value of zero fen counts as filled in (it is a number, not a blank)', () => {
    expect(missingForSubmit({ ...complete, valueFen: 0 })).toEqual({});
  });
});

describe('rules between fields', () => {
  it('knows real calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('1900-01-01')).toBe(false);
  });

  it('refuses impossible and future dates, and use before purchase', () => {
    const today = '2026-11-29';
    expect(recordRuleErrors({ purchaseDate: '2020-01-01', startUseDate: '2020-02-01' }, today)).toEqual({});
    expect(recordRuleErrors({ purchaseDate: '2026-02-30' }, today)).toEqual({ purchaseDate: '日期无效' });
    expect(recordRuleErrors({ purchaseDate: '2026-11-30' }, today)).toEqual({ purchaseDate: '购置日期不能晚于今天' });
    expect(recordRuleErrors({ purchaseDate: '2020-05-01', startUseDate: '2020-04-30' }, today)).toEqual({
      startUseDate: '启用日期不能早于购置日期',
    });
    expect(recordRuleErrors({ purchaseDate: null, startUseDate: '2020-04-30' }, today)).toEqual({});
  });

  it('takes today in Asia/Shanghai', () => {
    expect(shanghaiDate(new Date('2026-11-29T15:59:59Z'))).toBe('2026-11-29');
    expect(shanghaiDate(new Date('2026-11-29T16:00:00Z'))).toBe('2026-11-30');
  });
});
