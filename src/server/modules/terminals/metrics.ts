/**
 * Counts of terminal messages by outcome, per app (the tests build several apps in one process): exposed in
 * /metrics as `terminal_messages_total{outcome}` through the app's registry (system/metrics.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { Deps } from '../../deps';

export type Outcome = 'applied' | 'duplicate' | 'malformed' | 'unknown' | 'disabled' | 'signature' | 'topic';
export const REFUSED: Outcome[] = ['malformed', 'unknown', 'disabled', 'signature', 'topic'];

const counters = new WeakMap<object, Counter<'outcome'>>();

export function registerTerminalMetrics(registry: Registry, deps: Deps) {
  counters.set(
    deps.database,
    new Counter({
      name: 'terminal_messages_total',
      help: 'Terminal readings received, by outcome (applied, duplicate, or refused: malformed, unknown, disabled, signature, topic)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  );
}

export function count(deps: Deps, outcomes: Outcome[]) {
  const c = counters.get(deps.database);
  if (!c) return;
  for (const o of outcomes) c.inc({ outcome: o });
}
