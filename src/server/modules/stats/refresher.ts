/**
 * Keeps the aggregates current: a pass over the change feeds every STATS_REFRESH_MS, one pass at a time, and never
 * more than a tenth of the time. A pass recomputes the instruments, organisations and city roll-ups the feeds
 * touched, in transactions that hold the database (on SQLite, the one connection) while they run; under a steady
 * stream of changes (bookings settled all day, terminals reporting every 10 s) back-to-back passes kept it busy and
 * every write and reading waited seconds behind them. After a pass that took t ms the next starts no sooner than
 * 9 t later, so the statistics lag more under load instead of the platform.
 */
import type { Deps } from '../../deps';
import { refreshStats } from './aggregates';

/** the share of time a busy refresher may take */
const DUTY = 0.1;

export function startStatsRefresh(deps: Deps): () => void {
  const every = deps.config.STATS_REFRESH_MS;
  if (!every) return () => undefined;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(pass, ms);
    timer.unref();
  };
  const pass = () => {
    const t0 = performance.now();
    refreshStats(deps.database.db, deps.clock.now())
      // a pass still running when the server closes finds the database gone: not worth a warning
      .catch((e: unknown) => stopped || deps.log.warn(`stats refresh failed: ${String(e)}`))
      .finally(() => schedule(Math.max(every, ((performance.now() - t0) * (1 - DUTY)) / DUTY)));
  };
  schedule(every);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
