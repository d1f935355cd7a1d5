import { describe, expect, it } from 'vitest';
import {
  advance,
  clockSkewed,
  cut,
  dailyTotals,
  daysBetween,
  emptyCursor,
  hoursDiffer,
  isLate,
  liveStatus,
  replay,
  shanghaiDay,
  type BookingPeriod,
  type Reading,
} from './terminal-usage';

const T0 = Date.parse('2026-12-01T00:00:00Z'); // 08:00 in Shanghai
const MIN = 60_000;
const HEARTBEAT = 5 * MIN;
const ids = () => {
  let n = 0;
  return () => `i${++n}`;
};
/** Readings from a compact notation: [minute, 'off' | 'on' | 'use']. */
const readings = (...steps: [number, 'off' | 'on' | 'use'][]): Reading[] =>
  steps.map(([m, s], i) => ({ seq: i + 1, at: T0 + m * MIN, power: s !== 'off', inUse: s === 'use' }));
const shape = (r: ReturnType<typeof replay>) =>
  r.intervals.map((i) => [
    i.kind,
    (i.startedAt - T0) / MIN,
    (i.endedAt - T0) / MIN,
    i.isOpen ? 'open' : i.isCut ? 'cut' : 'closed',
  ]);

describe('intervals from readings', () => {
  const cases: { name: string; steps: [number, 'off' | 'on' | 'use'][]; want: unknown[] }[] = [
    {
      name: 'nothing on',
      steps: [
        [0, 'off'],
        [1, 'off'],
      ],
      want: [],
    },
    {
      name: 'on, heartbeats extend the open interval',
      steps: [
        [0, 'on'],
        [1, 'on'],
        [2, 'on'],
      ],
      want: [['powered', 0, 2, 'open']],
    },
    {
      name: 'a session of use inside a powered interval',
      steps: [
        [0, 'on'],
        [1, 'use'],
        [3, 'use'],
        [4, 'on'],
        [6, 'off'],
      ],
      want: [
        ['powered', 0, 6, 'closed'],
        ['in_use', 1, 4, 'closed'],
      ],
    },
    {
      name: 'in use while off counts as off',
      steps: [
        [0, 'off'],
        [1, 'off'],
      ],
      want: [],
    },
    {
      name: 'straight from off to in use opens both',
      steps: [
        [0, 'use'],
        [2, 'off'],
      ],
      want: [
        ['powered', 0, 2, 'closed'],
        ['in_use', 0, 2, 'closed'],
      ],
    },
    {
      name: 'a gap beyond the heartbeat cuts at the last reading',
      steps: [
        [0, 'use'],
        [2, 'use'],
        [20, 'use'],
        [21, 'use'],
      ],
      want: [
        ['powered', 0, 2, 'cut'],
        ['in_use', 0, 2, 'cut'],
        ['powered', 20, 21, 'open'],
        ['in_use', 20, 21, 'open'],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(shape(replay(readings(...c.steps), HEARTBEAT, ids()))).toEqual(c.want));
  }

  it('reordered readings give the same intervals as ordered ones', () => {
    const ordered = readings([0, 'on'], [1, 'use'], [2, 'use'], [3, 'on'], [4, 'off']);
    const shuffled = [ordered[3], ordered[0], ordered[4], ordered[2], ordered[1]];
    expect(shape(replay(shuffled, HEARTBEAT, ids()))).toEqual(shape(replay(ordered, HEARTBEAT, ids())));
  });

  it('a late or repeated reading is recognised', () => {
    const c = emptyCursor();
    advance(c, { seq: 5, at: T0 + 5 * MIN, power: true, inUse: false }, HEARTBEAT, ids());
    expect(isLate(c, { seq: 5, at: T0 + 5 * MIN, power: true, inUse: false })).toBe(true);
    expect(isLate(c, { seq: 4, at: T0 + 6 * MIN, power: true, inUse: false })).toBe(true);
    expect(isLate(c, { seq: 6, at: T0 + 4 * MIN, power: true, inUse: false })).toBe(true);
    expect(isLate(c, { seq: 6, at: T0 + 6 * MIN, power: true, inUse: false })).toBe(false);
  });

  it('the offline cut closes open intervals at the last reading', () => {
    const { cursor } = replay(readings([0, 'use'], [3, 'use']), HEARTBEAT, ids());
    const closed = cut(cursor);
    expect(closed.map((i) => [i.kind, (i.endedAt - T0) / MIN, i.isCut, i.isOpen])).toEqual([
      ['powered', 3, true, false],
      ['in_use', 3, true, false],
    ]);
    expect(cursor.open).toEqual({});
  });
});

describe('live status', () => {
  const cases: [string, { power: boolean; inUse: boolean } | null, number | null, string][] = [
    ['no terminal reading yet', null, null, 'none'],
    ['in use', { power: true, inUse: true }, T0, 'in_use'],
    ['powered and idle', { power: true, inUse: false }, T0, 'idle'],
    ['off', { power: false, inUse: false }, T0, 'off'],
    ['silent beyond the heartbeat', { power: true, inUse: true }, T0 - HEARTBEAT - 1, 'offline'],
  ];
  for (const [name, c, last, want] of cases) it(name, () => expect(liveStatus(c, last, T0, HEARTBEAT)).toBe(want));
});

describe('daily totals (Asia/Shanghai days)', () => {
  const H = 3_600_000;
  const day = '2026-12-01';
  const at = (hhmm: string, d = day) => Date.parse(`${d}T${hhmm}:00+08:00`);
  const iv = (kind: 'powered' | 'in_use', from: number, to: number) => ({ kind, startedAt: from, endedAt: to });
  const booking = (from: number, to: number, external: boolean): BookingPeriod => ({
    bookingId: 'b',
    from,
    to,
    external,
  });
  const cases: {
    name: string;
    day?: string;
    intervals: ReturnType<typeof iv>[];
    bookings?: BookingPeriod[];
    want: [number, number, number, number];
  }[] = [
    { name: 'no intervals', intervals: [], want: [0, 0, 0, 0] },
    {
      name: 'a working day',
      intervals: [iv('powered', at('08:00'), at('18:00')), iv('in_use', at('09:00'), at('11:30'))],
      want: [10 * H, 2.5 * H, 0, 0].map((x) => x / 1000) as [number, number, number, number],
    },
    {
      name: 'across midnight: the part before midnight',
      intervals: [iv('in_use', at('22:00'), at('02:00', '2026-12-02'))],
      want: [0, 2 * 3600, 0, 0],
    },
    {
      name: 'across midnight: the part after midnight',
      day: '2026-12-02',
      intervals: [iv('in_use', at('22:00'), at('02:00', '2026-12-02'))],
      want: [0, 2 * 3600, 0, 0],
    },
    {
      name: 'in use inside an internal booking’s test period',
      intervals: [iv('in_use', at('09:00'), at('12:00'))],
      bookings: [booking(at('10:00'), at('20:00'), false)],
      want: [0, 3 * 3600, 2 * 3600, 0],
    },
    {
      name: 'overlapping bookings count once; the external one as external',
      intervals: [iv('in_use', at('09:00'), at('12:00'))],
      bookings: [booking(at('08:00'), at('11:00'), true), booking(at('10:00'), at('20:00'), false)],
      want: [0, 3 * 3600, 3 * 3600, 2 * 3600],
    },
    {
      name: 'overlapping intervals of one kind count once',
      intervals: [iv('powered', at('08:00'), at('10:00')), iv('powered', at('09:00'), at('11:00'))],
      want: [3 * 3600, 0, 0, 0],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = dailyTotals(c.day ?? day, c.intervals, c.bookings ?? []);
      expect([t.poweredSeconds, t.inUseSeconds, t.serviceSeconds, t.externalServiceSeconds]).toEqual(c.want);
    });
  }

  it('days are split at Shanghai midnight', () => {
    expect(shanghaiDay(Date.parse('2026-12-01T15:59:59Z'))).toBe('2026-12-01');
    expect(shanghaiDay(Date.parse('2026-12-01T16:00:00Z'))).toBe('2026-12-02');
    expect(daysBetween(at('23:00'), at('01:00', '2026-12-02'))).toEqual(['2026-12-01', '2026-12-02']);
  });
});

describe('registered against measured hours, and the terminal clock', () => {
  const cases: [string, number | null, number, boolean][] = [
    ['nothing registered', null, 3600, false],
    ['equal', 1, 3600, false],
    ['within the margin', 1.15, 3600, false],
    ['beyond the margin', 2, 3600, true],
    ['short sessions: a quarter of an hour is always allowed', 0.4, 600, false],
  ];
  for (const [name, registered, measured, want] of cases)
    it(name, () => expect(hoursDiffer(registered, measured, 20)).toBe(want));
  it('a clock far off is flagged', () => {
    expect(clockSkewed(T0, T0 + 299_000, 300_000)).toBe(false);
    expect(clockSkewed(T0, T0 + 301_000, 300_000)).toBe(true);
    expect(clockSkewed(T0 + 301_000, T0, 300_000)).toBe(true);
  });
});
