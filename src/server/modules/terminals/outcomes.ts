/**
 * Counts of terminal messages by outcome, per app (the tests build several apps in one process): metrics.ts counts
 * them into the app's registry; the background process, which loads no registry, tallies them for the server.
 */
import type { Deps, JobDeps } from '../../deps';

export type Outcome = 'applied' | 'duplicate' | 'malformed' | 'unknown' | 'disabled' | 'signature' | 'topic';
export const REFUSED: Outcome[] = ['malformed', 'unknown', 'disabled', 'signature', 'topic'];

/** Where each app's (each database object's) outcomes go: its registry's counter, or the background process's tally. */
const sinks = new WeakMap<object, (outcome: Outcome, n: number) => void>();

export function countInto(database: object, sink: (outcome: Outcome, n: number) => void) {
  sinks.set(database, sink);
}

export function count(deps: JobDeps, outcomes: Outcome[]) {
  const sink = sinks.get(deps.database);
  if (sink) for (const o of outcomes) sink(o, 1);
}

/** Counts the background process tallied, into this app's counter. */
export function addCounts(deps: Deps, tally: Partial<Record<Outcome, number>>) {
  const sink = sinks.get(deps.database);
  if (sink) for (const [o, n] of Object.entries(tally)) sink(o as Outcome, n);
}
