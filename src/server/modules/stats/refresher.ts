/**
 * Keeps the aggregates current: a pass over the change feeds every STATS_REFRESH_MS, one pass at a time, and never
 * more than STATS_REFRESH_SHARE of the time (3% by default). A pass recomputes the instruments, organisations and
 * city roll-ups the feeds touched; under a steady stream of changes (bookings settled all day, terminals reporting
 * every 10 s) it can take seconds of work, and on SQLite every statement of it runs on the thread that runs the
 * refresher. So a pass runs through `givingWay(db, share)` (db/give-way.ts): after each statement it lets whatever
 * waits run, and between its pieces (a chunk of instruments, a city's slices, a slice of an idle list) it rests
 * t × (1 − share) / share after t ms of work. Under load the statistics lag (`aggregate_lag_s`) instead of the
 * platform. Its transactions are small, since a request's own statements wait for the connection while one is open.
 *
 * The share was a tenth while the refresher ran on the server's thread. In the background process it still takes
 * CPU from the searches of a two-core machine: during 1,000 terminal readings/s the process used 33–38% of a core at
 * a tenth and 26–31% at 3% (decision 0003, third round). What it costs: under that load the statistics trail by
 * minutes instead of about a minute and a half; at rest a change still reaches them within seconds.
 */
import type { JobDeps } from '../../deps';
import { givingWay } from '../../db/give-way';
import { refreshStats } from './aggregates';

export function startStatsRefresh(deps: JobDeps): () => void {
  const every = deps.config.STATS_REFRESH_MS;
  if (!every) return () => undefined;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(pass, every);
    timer.unref();
  };
  const pass = () => {
    refreshStats(givingWay(deps.database.db, deps.config.STATS_REFRESH_SHARE), deps.clock.now())
      // a pass still running when the server closes finds the database gone: not worth a warning
      .catch((e: unknown) => stopped || deps.log.warn(`stats refresh failed: ${String(e)}`))
      .finally(schedule);
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
