/**
 * 物联网监测: the rules that turn a terminal's readings (power on/off, in use/idle) into usage intervals, and usage
 * intervals into daily totals. Pure: no I/O, times in epoch milliseconds.
 *
 * - A reading says what the instrument was doing from its time on. In use implies powered (in use while off is off).
 * - An open interval ends at the time of the last reading; a reading extends it, a change closes it at the reading's
 *   time and (if the new state is on) opens the next one there.
 * - A gap longer than the heartbeat timeout between two readings cuts the open intervals at the last reading
 *   (marked cut); the next reading opens new ones. The offline sweep does the same when no reading comes at all.
 * - Daily totals are the overlap of the intervals with an Asia/Shanghai calendar day; service seconds are the in-use
 *   seconds inside the union of the instrument's booking test periods, external ones inside the periods of bookings
 *   whose consumer is another organisation.
 */

export type IntervalKind = 'powered' | 'in_use';
export type LiveStatus = 'in_use' | 'idle' | 'off' | 'offline' | 'none';

export interface Reading {
  seq: number;
  at: number;
  power: boolean;
  inUse: boolean;
}

export interface Interval {
  id: string;
  kind: IntervalKind;
  startedAt: number;
  endedAt: number;
  isOpen: boolean;
  isCut: boolean;
}

/** What the platform remembers of a terminal between readings. */
export interface Cursor {
  lastSeq: number;
  lastAt: number;
  power: boolean;
  inUse: boolean;
  open: Partial<Record<IntervalKind, Interval>>;
}

export const emptyCursor = (): Cursor => ({ lastSeq: -1, lastAt: -Infinity, power: false, inUse: false, open: {} });

/** A reading is late when the cursor has already applied a later one (by sequence or by time). */
export const isLate = (c: Cursor, r: Reading) => r.seq <= c.lastSeq || r.at < c.lastAt;

const wanted = (r: Pick<Reading, 'power' | 'inUse'>): Record<IntervalKind, boolean> => ({
  powered: r.power,
  in_use: r.power && r.inUse,
});

/**
 * Applies one reading in order. Returns the intervals it created or changed (the caller stores them); `newId` names a
 * new interval.
 */
export function advance(c: Cursor, r: Reading, heartbeatMs: number, newId: () => string): Interval[] {
  const touched = new Set<Interval>();
  if (c.lastAt !== -Infinity && r.at - c.lastAt > heartbeatMs) cut(c, touched);
  const want = wanted(r);
  for (const kind of ['powered', 'in_use'] as const) {
    const open = c.open[kind];
    if (open) {
      open.endedAt = Math.max(open.endedAt, r.at);
      touched.add(open);
      if (!want[kind]) {
        open.isOpen = false;
        delete c.open[kind];
      }
    } else if (want[kind]) {
      const iv: Interval = { id: newId(), kind, startedAt: r.at, endedAt: r.at, isOpen: true, isCut: false };
      c.open[kind] = iv;
      touched.add(iv);
    }
  }
  c.lastSeq = Math.max(c.lastSeq, r.seq);
  c.lastAt = Math.max(c.lastAt, r.at);
  c.power = r.power;
  c.inUse = r.power && r.inUse;
  return [...touched];
}

/** Closes the open intervals at the last reading and marks them cut (offline, or a gap beyond the heartbeat). */
export function cut(c: Cursor, touched = new Set<Interval>()): Interval[] {
  for (const kind of ['powered', 'in_use'] as const) {
    const open = c.open[kind];
    if (!open) continue;
    open.isOpen = false;
    open.isCut = true;
    touched.add(open);
    delete c.open[kind];
  }
  return [...touched];
}

/** Intervals from readings alone (sorted by time, then sequence): the unit table's oracle and the late-reading replay. */
export function replay(readings: Reading[], heartbeatMs: number, newId: () => string, from = emptyCursor()) {
  const all = new Map<string, Interval>();
  const sorted = [...readings].sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const r of sorted) for (const iv of advance(from, r, heartbeatMs, newId)) all.set(iv.id, iv);
  return { cursor: from, intervals: [...all.values()].sort((a, b) => a.startedAt - b.startedAt) };
}

/** The live status shown on the catalogue and the instrument page. */
export function liveStatus(
  c: Pick<Cursor, 'power' | 'inUse'> | null,
  lastReceivedAt: number | null,
  now: number,
  heartbeatMs: number,
): LiveStatus {
  if (!c || lastReceivedAt == null) return 'none';
  if (now - lastReceivedAt > heartbeatMs) return 'offline';
  return !c.power ? 'off' : c.inUse ? 'in_use' : 'idle';
}

// ------------------------------------------------------------------ days (Asia/Shanghai)

const DAY = 86_400_000;
const SHANGHAI = 8 * 3_600_000;

export const shanghaiDay = (t: number) => new Date(t + SHANGHAI).toISOString().slice(0, 10);
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) - SHANGHAI;

/** The Shanghai days that [from, to] touches, first to last. */
export function daysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = dayStart(shanghaiDay(from)); t <= to; t += DAY) out.push(shanghaiDay(t));
  return out;
}

export interface Period {
  from: number;
  to: number;
}

/** A booking's test period on an instrument: from 受理 (accepted) to 提交检测结果 (results), or open while 待测试. */
export interface BookingPeriod extends Period {
  bookingId: string;
  external: boolean;
}

const overlap = (a: Period, b: Period) => Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));

/** Sorted, merged periods (so overlapping bookings never count a second twice). */
export function union(periods: Period[]): Period[] {
  const out: Period[] = [];
  for (const p of [...periods].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && p.from <= last.to) last.to = Math.max(last.to, p.to);
    else if (p.to > p.from) out.push({ from: p.from, to: p.to });
  }
  return out;
}

/** Seconds of `intervals` inside `window`, and inside both `window` and the (merged) `periods`. */
function seconds(intervals: Period[], window: Period, periods: Period[] = [window]) {
  let ms = 0;
  for (const iv of union(intervals)) {
    const clipped = { from: Math.max(iv.from, window.from), to: Math.min(iv.to, window.to) };
    if (clipped.to <= clipped.from) continue;
    for (const p of periods) ms += overlap(clipped, p);
  }
  return Math.round(ms / 1000);
}

export interface DailyTotals {
  poweredSeconds: number;
  inUseSeconds: number;
  serviceSeconds: number;
  externalServiceSeconds: number;
}

/** One instrument's totals for one Shanghai day. */
export function dailyTotals(
  day: string,
  intervals: Pick<Interval, 'kind' | 'startedAt' | 'endedAt'>[],
  bookings: BookingPeriod[],
): DailyTotals {
  const window = { from: dayStart(day), to: dayStart(day) + DAY };
  const of = (kind: IntervalKind) =>
    intervals.filter((i) => i.kind === kind).map((i) => ({ from: i.startedAt, to: i.endedAt }));
  const inUse = of('in_use');
  return {
    poweredSeconds: seconds(of('powered'), window),
    inUseSeconds: seconds(inUse, window),
    serviceSeconds: seconds(inUse, window, union(bookings)),
    externalServiceSeconds: seconds(inUse, window, union(bookings.filter((b) => b.external))),
  };
}

/** In-use seconds of an instrument inside one booking's test period (what 检测结果登记's machine hours are compared with). */
export const measuredSeconds = (intervals: Pick<Interval, 'kind' | 'startedAt' | 'endedAt'>[], period: Period) =>
  seconds(
    intervals.filter((i) => i.kind === 'in_use').map((i) => ({ from: i.startedAt, to: i.endedAt })),
    period,
  );

/** The registered machine hours differ from the measured ones by more than `marginPercent` of the measured hours. */
export function hoursDiffer(registeredHours: number | null, measured: number, marginPercent: number): boolean {
  if (registeredHours == null) return false;
  const registered = registeredHours * 3600;
  const allowed = Math.max(measured * (marginPercent / 100), 15 * 60);
  return Math.abs(registered - measured) > allowed;
}

/** A terminal's clock is far off when its time differs from the time of arrival by more than the allowed skew. */
export const clockSkewed = (terminalAt: number, receivedAt: number, maxSkewMs: number) =>
  Math.abs(terminalAt - receivedAt) > maxSkewMs;
