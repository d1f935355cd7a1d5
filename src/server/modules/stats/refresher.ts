/** Keeps the aggregates current: a pass over the change feeds every STATS_REFRESH_MS, one pass at a time. */
import type { Deps } from '../../deps';
import { refreshStats } from './aggregates';

export function startStatsRefresh(deps: Deps): () => void {
  const every = deps.config.STATS_REFRESH_MS;
  if (!every) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshStats(deps.database.db, deps.clock.now())
      .catch((e: unknown) => deps.log.warn(`stats refresh failed: ${String(e)}`))
      .finally(() => (running = false));
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
