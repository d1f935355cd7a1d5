/**
 * Realistic working days of a simulated terminal, deterministic from (terminal, day): power on in the morning,
 * sessions of use with idle periods between them, power off in the evening, weekends mostly off, and now and then a
 * terminal that drops out for a while (it sends nothing). The simulator (scripts/terminals.ts) and the demo seed's
 * week of history both read from it.
 */
import { dayStart, shanghaiDay } from '../../../domain/terminal-usage';

const MIN = 60_000;

/** mulberry32: a small seeded generator, so that a terminal's day is the same wherever it is computed. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (s: string) => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

export interface DayPlan {
  on: number | null;
  off: number | null;
  sessions: [number, number][];
  silent: [number, number] | null;
}

/** One terminal's plan for one Shanghai day. */
export function dayPlan(terminalId: string, day: string): DayPlan {
  const rand = seeded(hash(`${terminalId}|${day}`));
  const start = dayStart(day);
  const weekday = new Date(start + 8 * 3_600_000).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  if (rand() < (weekend ? 0.75 : 0.08)) return { on: null, off: null, sessions: [], silent: null };
  const on = start + (7.5 * 60 + Math.floor(rand() * 120)) * MIN;
  const off = start + (17 * 60 + Math.floor(rand() * 150)) * MIN;
  const sessions: [number, number][] = [];
  let t = on + Math.floor(5 + rand() * 40) * MIN;
  while (t < off - 30 * MIN) {
    const end = Math.min(off - 5 * MIN, t + Math.floor(20 + rand() * 100) * MIN);
    sessions.push([t, end]);
    t = end + Math.floor(10 + rand() * 60) * MIN;
  }
  const silent: [number, number] | null =
    rand() < 0.05 ? [on + 120 * MIN, on + Math.floor(140 + rand() * 120) * MIN] : null;
  return { on, off, sessions, silent };
}

/** What the terminal reports at `t`, or null when it is silent (dropped out). */
export function stateAt(terminalId: string, t: number): { power: boolean; inUse: boolean } | null {
  const p = dayPlan(terminalId, shanghaiDay(t));
  if (p.silent && t >= p.silent[0] && t < p.silent[1]) return null;
  const power = p.on !== null && p.off !== null && t >= p.on && t < p.off;
  return { power, inUse: power && p.sessions.some(([a, b]) => t >= a && t < b) };
}
