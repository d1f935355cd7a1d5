import { describe, expect, it } from 'vitest';
import {
  avgRatingCenti,
  effectiveSeconds,
  externalSeconds,
  hoursToSeconds,
  INDICATORS,
  isIdle,
  itemIncomeFen,
  monthRange,
  openRateBp,
  perInstrument,
  quotaSeconds,
  quotaUseBp,
  runSeconds,
  secondsToHours,
  shanghaiMonth,
  shareRateBp,
  type UsageFacts,
} from './sharing-indicators';

const h = hoursToSeconds;
const measured = (inUse: number, service: number, external: number) => ({
  inUseSeconds: h(inUse),
  serviceSeconds: h(service),
  externalServiceSeconds: h(external),
});
const registered = (all: number, external: number) => ({ seconds: h(all), externalSeconds: h(external) });

/** name, facts, expected hours: run, effective, external, and the share rate in bp */
const usageCases: [string, UsageFacts, number, number, number, number][] = [
  ['no terminal, nothing registered', { measured: null, registered: registered(0, 0) }, 0, 0, 0, 0],
  ['no terminal: registered hours count', { measured: null, registered: registered(12.5, 5) }, 12.5, 12.5, 5, 4000],
  ['no terminal, all external', { measured: null, registered: registered(3, 3) }, 3, 3, 3, 10_000],
  ['terminal wins for running hours', { measured: measured(40, 10, 4), registered: registered(8, 2) }, 40, 40, 4, 1000],
  [
    'registered above measured: effective takes the registration (preparation, post-processing)',
    { measured: measured(6, 6, 6), registered: registered(8, 8) },
    6,
    8,
    6,
    7500,
  ],
  ['terminal with no use', { measured: measured(0, 0, 0), registered: registered(0, 0) }, 0, 0, 0, 0],
  [
    'national 2025 averages',
    { measured: measured(1599, 400, 273), registered: registered(0, 0) },
    1599,
    1599,
    273,
    1707,
  ],
];

describe('machine hours', () => {
  it.each(usageCases)('%s', (_name, facts, run, effective, external, bp) => {
    expect(secondsToHours(runSeconds(facts))).toBe(run);
    expect(secondsToHours(effectiveSeconds(facts))).toBe(effective);
    expect(secondsToHours(externalSeconds(facts))).toBe(external);
    expect(shareRateBp(externalSeconds(facts), effectiveSeconds(facts))).toBe(bp);
  });
});

describe('quota hours', () => {
  const cases: [string, boolean, number, number, number, number][] = [
    // name, special, months, run hours, quota hours, use bp
    ['general instrument, a year', false, 12, 1400, 1400, 10_000],
    ['special instrument, a year', true, 12, 400, 800, 5000],
    ['general, one month', false, 1, 58.3, 116.7, 4997],
    ['idle general', false, 12, 0, 1400, 0],
    ['above quota', true, 12, 1000, 800, 12_500],
  ];
  it.each(cases)('%s', (_n, special, months, run, quota, bp) => {
    const q = quotaSeconds(special, months);
    expect(secondsToHours(q)).toBe(quota);
    expect(quotaUseBp(h(run), q)).toBe(bp);
  });
  it('follows the settings', () => {
    expect(secondsToHours(quotaSeconds(false, 12, { generalHours: 1600, specialHours: 900 }))).toBe(1600);
    expect(secondsToHours(quotaSeconds(true, 6, { generalHours: 1600, specialHours: 900 }))).toBe(450);
  });
});

describe('money, ratings, rates', () => {
  const income: [number, number, number, number][] = [
    // subtotal fen, position, other fee fen, income fen
    [90_150, 0, 10_000, 100_150],
    [90_150, 1, 10_000, 90_150],
    [0, 0, 0, 0],
  ];
  it.each(income)('income of an item %i at %i with other fee %i is %i fen', (sub, sort, other, fen) =>
    expect(itemIncomeFen(sub, sort, other)).toBe(fen),
  );
  const ratings: [number, number, number][] = [
    [0, 0, 0],
    [5, 1, 500],
    [14, 3, 467],
    [9, 2, 450],
  ];
  it.each(ratings)('sum %i of %i ratings averages %i hundredths', (sum, n, centi) =>
    expect(avgRatingCenti(sum, n)).toBe(centi),
  );
  const open: [number, number, number][] = [
    [0, 0, 0],
    [3, 4, 7500],
    [4, 4, 10_000],
    [1, 3, 3333],
  ];
  it.each(open)('listed %i of declared %i: open rate %i bp', (l, d, bp) => expect(openRateBp(l, d)).toBe(bp));
  it('averages per instrument', () => {
    expect(secondsToHours(perInstrument(h(3198), 2))).toBe(1599);
    expect(perInstrument(100, 0)).toBe(0);
  });
});

describe('idle instruments', () => {
  const cases: [string, number, boolean, number, number, boolean][] = [
    // name, run hours, special, threshold bp, recent bookings, idle
    ['no use, no booking', 0, false, 1000, 0, true],
    ['below 10 % of 1,400 h, no booking', 139, false, 1000, 0, true],
    ['at 10 %', 140, false, 1000, 0, false],
    ['below, but booked lately', 10, false, 1000, 1, false],
    ['special: 10 % of 800 h', 79, true, 1000, 0, true],
  ];
  it.each(cases)('%s', (_n, run, special, threshold, recent, idle) =>
    expect(isIdle(h(run), quotaSeconds(special, 12), threshold, recent)).toBe(idle),
  );
});

describe('calendar', () => {
  it('counts an instant in its Shanghai month', () => {
    expect(shanghaiMonth('2026-01-31T16:00:00.000Z')).toBe('2026-02');
    expect(shanghaiMonth('2026-01-31T15:59:59.999Z')).toBe('2026-01');
    expect(monthRange('2026-12')).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
  });
  it('defines every indicator in both languages', () => {
    for (const d of INDICATORS) expect(d.zh && d.en && d.definitionZh && d.definitionEn).toBeTruthy();
  });
});
