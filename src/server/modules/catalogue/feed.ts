/**
 * Keeps each app instance's snapshot current from the change feed in the database (indexer.ts writes it).
 *
 * - At start the snapshot is built once (`startCatalogue`); /api/ready says when it is there.
 * - Every FOLLOW_MS a timer reads the feed's head (one primary-key lookup). When it is ahead of the snapshot, the
 *   changes in between are read with the named instruments' current rows, in one statement (changedRows), and the
 *   snapshot patched in place (snapshot.ts `apply`): another instance's write shows within FOLLOW_MS and a
 *   catch-up. The timer also prunes changes older than a day.
 * - A write made in this process (`wroteLocally`, called by the indexer with its feed number) is visible at once:
 *   until the snapshot holds that number, a search catches up to it, without reading the head (followLocal).
 *   Searches at once wait for the one catch-up under way. Otherwise a search reads nothing from the database.
 * - Only a gap the feed cannot cover (the changes were pruned: the instance was away for a day) builds the whole
 *   snapshot again, in the background: requests are served from the current one until the new one is installed.
 */
import { PostgresAdapter, sql } from 'kysely';
import { DomainError } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { clear, newCaches, newStats, type CacheStats } from './cache';
import { apply, build, COLUMNS, type Orgs, type Snapshot, type Source } from './snapshot';

interface State {
  snap: Snapshot | null;
  /** the first build, or the rebuild after a gap */
  building: Promise<Snapshot> | null;
  catching: Promise<unknown> | null;
  stats: CacheStats;
  cacheOn: boolean;
  /** how long a request waits for the first build before it is told to come back (null: as long as it takes) */
  startWaitMs: number | null;
  timer: NodeJS.Timeout | null;
  prunedAt: number;
  builtMs: number | null;
  /** the read of the head under way, and the one that starts when it ends (sharedHead) */
  headRead: Promise<number> | null;
  nextHeadRead: Promise<number> | null;
  /** head reads made, for the tests and the benchmark's figures */
  headReads: number;
}

const states = new WeakMap<Db, State>();
function stateOf(db: Db): State {
  let s = states.get(db);
  if (!s) {
    s = {
      snap: null,
      building: null,
      catching: null,
      stats: newStats(),
      cacheOn: true,
      startWaitMs: null,
      timer: null,
      prunedAt: Date.now(),
      builtMs: null,
      headRead: null,
      nextHeadRead: null,
      headReads: 0,
    };
    states.set(db, s);
  }
  return s;
}

/** Above this many changed instruments in one catch-up, building afresh is cheaper than patching. */
const PATCH_MAX = 50_000;
/** How often the head is read for writes made by other instances (or processes): visible within this and a catch-up. */
const FOLLOW_MS = 200;
const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_CHANGES_MS = 24 * 3_600_000;

export async function readHead(db: Db): Promise<number> {
  const row = await db.selectFrom('catalogueFeed').select('seq').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

function rebuild(db: Db, st: State): Promise<Snapshot> {
  if (st.building) return st.building;
  const t0 = Date.now();
  const p = (async () => {
    const seq = await readHead(db); // before the data: a snapshot is never labelled newer than what it holds
    const s = await build(db, seq, newCaches(st.cacheOn, st.stats));
    st.snap = s;
    st.stats.rebuilds++;
    st.builtMs = Date.now() - t0;
    // the rows read for the build are garbage now: where the process allows it (node --expose-gc, as `npm start`
    // and the benchmark run it), collect them at once so that their memory goes back to the system
    (globalThis as { gc?: () => void }).gc?.();
    return s;
  })();
  st.building = p;
  p.then(
    () => {
      st.building = null;
    },
    () => {
      st.building = null;
    },
  );
  return p;
}

/**
 * The changes after `from` up to `head`, each with the current row of its instrument when that is listed (with its
 * organisation, first picture and fields): one statement, so that a catch-up is one trip to the database. An
 * instrument changed twice in the range comes twice; at most `PATCH_MAX + 1` changes are read.
 */
function changedRows(db: Db, from: number, head: number) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const fieldList = pg
    ? sql<string | null>`string_agg(f.field_code, ',')`
    : sql<string | null>`group_concat(f.field_code, ',')`;
  return db
    .selectFrom('catalogueChanges as c')
    .leftJoin('instruments as i', (j) => j.onRef('i.id', '=', 'c.instrumentId').on('i.state', '=', 'listed'))
    .leftJoin('organizations as o', 'o.id', 'i.orgId')
    .select(COLUMNS.map((c) => `i.${c}` as const))
    .select((eb) => [
      'c.seq',
      'c.instrumentId as changedId',
      'o.name as orgName',
      'o.cityCode as orgCityCode',
      'o.type as orgType',
      eb
        .selectFrom('instrumentFiles as p')
        .select('p.fileId')
        .whereRef('p.instrumentId', '=', 'c.instrumentId')
        .where('p.kind', '=', 'picture')
        .orderBy('p.sort')
        .orderBy('p.fileId')
        .limit(1)
        .as('picture'),
      eb
        .selectFrom('instrumentFields as f')
        .select(fieldList.as('codes'))
        .whereRef('f.instrumentId', '=', 'c.instrumentId')
        .as('fieldCodes'),
    ])
    .where('c.seq', '>', from)
    .where('c.seq', '<=', head)
    .limit(PATCH_MAX + 1)
    .execute();
}

/**
 * Patches the snapshot with the changes up to `head` (one read, changedRows). Returns false when the feed does not
 * hold every number in between: a gap (the changes were pruned) starts a rebuild; a head taken from this process's
 * own writes (`trusted: false`) may name a number whose transaction rolled back, and the caller reads the real head.
 */
async function catchUp(db: Db, st: State, head: number, trusted = true): Promise<boolean> {
  const snap = st.snap!;
  const from = snap.seq;
  const rows = await changedRows(db, from, head);
  const seqs = new Set(rows.map((r) => Number(r.seq)));
  if (seqs.size !== head - from || rows.length > PATCH_MAX) {
    if (!trusted) return false;
    void rebuild(db, st).catch(() => undefined);
    return true;
  }
  const fresh = new Map<string, Source | null>();
  const fieldCodes = new Map<string, string[]>();
  const orgs: Orgs = new Map();
  for (const r of rows) {
    if (r.id == null || r.orgName == null) {
      fresh.set(r.changedId, null);
      continue;
    }
    const source = {} as Record<string, unknown>;
    for (const c of COLUMNS) source[c] = r[c];
    fresh.set(r.id, { ...(source as Omit<Source, 'picture'>), picture: r.picture ?? null });
    fieldCodes.set(r.id, r.fieldCodes ? r.fieldCodes.split(',') : []);
    orgs.set(r.orgId!, { name: r.orgName, cityCode: r.orgCityCode ?? '', type: r.orgType! });
  }
  if (st.snap !== snap || snap.seq !== from) return true; // a rebuild was installed meanwhile: it reads the head again
  apply(snap, fresh, fieldCodes, orgs);
  snap.seq = head;
  st.stats.patches++;
  return true;
}

/**
 * The highest feed number a write in this process has taken (its transaction may not have committed yet). Kept for
 * the process, not per database: an instance whose snapshot is behind it reads the head, which is never wrong, at
 * worst one lookup more than needed.
 */
let localSeq = 0;
/** Called by the indexer with the feed number a catalogue write took: searches here will read the head until they hold it. */
export function wroteLocally(seq: number) {
  if (seq > localSeq) localSeq = seq;
}

/**
 * The feed's head as read after this call began, one read shared by every caller that can take it. A read begun
 * before a call may miss a write that committed just before the call, so such a caller takes the next read, begun
 * when the one under way ends; every call meanwhile shares that one. The timer and the searches that fall back to
 * the head (a local number the feed does not hold) share it.
 */
function sharedHead(db: Db, st: State): Promise<number> {
  if (!st.headRead) {
    st.headReads++;
    const read: Promise<number> = readHead(db).finally(() => {
      if (st.headRead === read) st.headRead = null;
    });
    st.headRead = read;
    return read;
  }
  st.nextHeadRead ??= st.headRead
    .catch(() => undefined)
    .then(() => {
      st.nextHeadRead = null;
      return sharedHead(db, st);
    });
  return st.nextHeadRead;
}

/**
 * For a search after a write made here: the snapshot catches up to that write's number without reading the head.
 * The number is committed by then but for a write still under way on SQLite (its transaction holds the one
 * connection, so the read waits for its end) or one that rolled back; when the feed does not hold it, the head is
 * read as for any other instance's write.
 */
async function followLocal(db: Db, st: State): Promise<Snapshot> {
  const target = localSeq;
  if (st.catching) await st.catching;
  if (st.snap!.seq < target && !st.building && !st.catching) {
    st.catching = catchUp(db, st, target, false).finally(() => {
      st.catching = null;
    });
    await st.catching;
  }
  return st.snap!.seq >= target || st.building ? st.snap! : follow(db, st);
}

/** Brings the snapshot up to the feed's head as read now. */
async function follow(db: Db, st: State): Promise<Snapshot> {
  const head = await sharedHead(db, st);
  while (st.snap!.seq < head) {
    if (st.building) break; // a gap: serve the current snapshot until the rebuild is installed
    if (!st.catching)
      st.catching = catchUp(db, st, head).finally(() => {
        st.catching = null;
      });
    await st.catching;
  }
  return st.snap!;
}

const starting = () => new DomainError(503, 'CATALOGUE_STARTING', '仪器目录正在载入，请稍后再试');

/** The snapshot, holding every write made in this process before this call, and others' up to FOLLOW_MS ago: every search starts here. */
export async function snapshot(db: Db): Promise<Snapshot> {
  const st = stateOf(db);
  if (!st.snap) {
    const first = rebuild(db, st);
    if (st.startWaitMs === null) await first;
    else {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        first,
        new Promise<null>((r) => {
          timer = setTimeout(() => r(null), st.startWaitMs!);
        }),
      ]);
      clearTimeout(timer);
      if (!waited) throw starting();
    }
  }
  return st.snap!.seq < localSeq ? followLocal(db, st) : st.snap!;
}

/**
 * Starts keeping the catalogue of `db` in memory: the first build now, then a catch-up every second and a prune
 * of old changes every ten minutes. `cache: false` switches the result cache off; `startWaitMs` bounds how long a
 * request waits for the first build (production: the p99 target; tests wait for it).
 */
export function startCatalogue(db: Db, opts: { cache: boolean; startWaitMs?: number | null }) {
  const st = stateOf(db);
  st.cacheOn = opts.cache;
  if (st.snap) st.snap.caches.on = opts.cache;
  if (opts.startWaitMs !== undefined) st.startWaitMs = opts.startWaitMs;
  if (!st.snap) void rebuild(db, st).catch(() => undefined);
  if (st.timer) return;
  st.timer = setInterval(() => {
    if (!st.snap || st.building || st.catching) return;
    void follow(db, st).catch(() => undefined);
    if (Date.now() - st.prunedAt > PRUNE_EVERY_MS) {
      st.prunedAt = Date.now();
      void db
        .deleteFrom('catalogueChanges')
        .where('changedAt', '<', new Date(Date.now() - KEEP_CHANGES_MS).toISOString())
        .execute()
        .catch(() => undefined);
    }
  }, FOLLOW_MS);
  st.timer.unref();
}

export function stopCatalogue(db: Db) {
  const st = stateOf(db);
  if (st.timer) clearInterval(st.timer);
  st.timer = null;
}

/** For /api/ready and the metrics: built or not, listed instruments, the feed number held. */
export function catalogueStatus(db: Db) {
  const s = stateOf(db).snap;
  return { built: !!s, instruments: s?.live ?? 0, seq: s?.seq ?? 0 };
}

export const cacheStats = (db: Db) => ({
  ...stateOf(db).stats,
  buildMs: stateOf(db).builtMs,
  headReads: stateOf(db).headReads,
});

/** For the benchmark: forget every kept result so that a measurement starts cold. */
export function dropCaches(db: Db) {
  const s = stateOf(db).snap;
  if (s) clear(s.caches);
}
