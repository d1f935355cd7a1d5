/**
 * Keeps the aggregates current: a pass over the change feeds every STATS_REFRESH_MS, one pass at a time, and never
 * more than a tenth of the time. A pass recomputes the instruments, organisations and city roll-ups the feeds
 * touched; under a steady stream of changes (bookings settled all day, terminals reporting every 10 s) it can take
 * seconds of work, and on SQLite every statement of it runs on the server's one thread. So a pass runs through
 * `givingWay(db, DUTY)` (db/give-way.ts): after each statement it lets the requests waiting run, and between its
 * pieces (a chunk of instruments, a city's slices, a slice of an idle list) it rests 9 t after t ms of work. A
 * request waits for one statement, not a pass, and under load the statistics lag (`aggregate_lag_s`) instead of the
 * platform. Its transactions are small, since a request's own statements wait for the connection while one is open.
 */
import type { JobDeps } from '../../deps';
import { givingWay } from '../../db/give-way';
import { refreshStats } from './aggregates';

/** the share of time a busy refresher may take */
const DUTY = 0.1;

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
    refreshStats(givingWay(deps.database.db, DUTY), deps.clock.now())
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
