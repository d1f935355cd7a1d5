/**
 * Background jobs give way to requests between their statements, and take at most a share of the thread.
 *
 * better-sqlite3 runs a statement synchronously and Kysely resolves it as a promise, so a job that awaits statement
 * after statement never returns to the event loop: a statistics pass of a few hundred statements held every request
 * (and the I/O that reads them) for its whole length. Through `givingWay(db)` each statement's result waits for the
 * next turn of the loop, so requests that arrived meanwhile run first; a request then waits for one statement of the
 * job, not for the job. Kysely hands a result to its plugins before it lets the connection go, so that turn is all
 * the wait there may be: a longer one would hold the connection (on SQLite the one there is) and every request's
 * statements with it.
 *
 * Giving way alone still lets a long job take every other turn (half of a busy server's thread). So the job calls
 * `rest(db)` between its pieces of work, outside any statement: after a stretch of t ms of work it waits
 * t × (1 − share) / share, and takes at most `share` of the time however long it is. On PostgreSQL the stretch
 * includes the wait for the server's answers, so there the share is of wall time, not of the thread.
 */
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import type { Db } from './connect';

class GiveWayPlugin implements KyselyPlugin {
  /** when the job last rested */
  since = performance.now();
  constructor(readonly share: number) {}
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return args.result;
  }
}
const plugins = new WeakMap<object, GiveWayPlugin>();

/**
 * The database as a background job should use it: every statement gives way to the requests waiting, and `rest`
 * keeps the job to `share` of the time (counted from now: make one per run of the job). A transaction runs straight
 * through, on the plain database: resting or giving way inside it would make every request wait for the connection.
 * Its time counts towards the stretch the next `rest` ends.
 */
export function givingWay(db: Db, share = 1): Db {
  const plugin = new GiveWayPlugin(share);
  const giving = db.withPlugin(plugin);
  const proxy = new Proxy(giving, {
    get(target, key) {
      if (key === 'transaction') return () => db.transaction();
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  plugins.set(proxy, plugin);
  return proxy;
}

/** Between two pieces of a job's work: rests as its share asks (nothing on a database not given by `givingWay`). */
export async function rest(db: Db): Promise<void> {
  const p = plugins.get(db);
  if (!p || p.share >= 1) return;
  const worked = performance.now() - p.since;
  const wait = (worked * (1 - p.share)) / p.share;
  // the rest does not keep a closing process alive
  if (wait >= 1) await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
  p.since = performance.now();
}
