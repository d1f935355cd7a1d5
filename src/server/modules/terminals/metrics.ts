/**
 * Counts of terminal messages by outcome, per app (the tests build several apps in one process): exposed in
 * /metrics as `terminal_messages_total{outcome}` through the app's registry (system/metrics.ts).
 */
import { Counter, type Registry } from 'prom-client';
import type { Deps } from '../../deps';
import { countInto } from './outcomes';

export function registerTerminalMetrics(registry: Registry, deps: Deps) {
  const counter = new Counter({
    name: 'terminal_messages_total',
    help:
      'Terminal readings received, by outcome ' +
      '(applied, duplicate, or refused: malformed, unknown, disabled, signature, topic)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  countInto(deps.database, (outcome, n) => counter.inc({ outcome }, n));
}
