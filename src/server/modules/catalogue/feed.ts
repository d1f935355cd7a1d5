/**
 * Keeps each app instance's snapshot current from the change feed in the database (indexer.ts writes it).
 *
 * - At start the snapshot is built once (`startCatalogue`); /api/ready says when it is there.
 * - Every FOLLOW_MS a timer reads the feed's head (one primary-key lookup). When it is ahead of the snapshot, the
 *   changes in between are read, the named instruments' rows read again, and the snapshot patched in place
 *   (snapshot.ts `apply`): another instance's write shows within FOLLOW_MS and a catch-up. The timer also prunes
 *   changes older than a day.
 * - A write made in this process (`wroteLocally`, called by the indexer with its feed number) is visible at once:
 *   until the snapshot holds that number, every search reads the head first and catches up. Searches at once share
 *   one read of the head (sharedHead) and wait for the one catch-up under way. Otherwise a search reads nothing
 *   from the database.
 * - Only a gap the feed cannot cover (the changes were pruned: the instance was away for a day) builds the whole
 *   snapshot again, in the background: requests are served from the current one until the new one is installed.
 */
import { DomainError } from '../../../domain/errors';
import type { Db } from '../../db/connect';
import { clear, newCaches, newStats, type CacheStats } from './cache';
import { apply, build, COLUMNS, firstPictures, type Orgs, type Snapshot, type Source } from './snapshot';

interface State {
  snap: Snapshot | null;
  /** the first build, or the rebuild after a gap */
  building: Promise<Snapshot> | null;
  catching: Promise<void> | null;
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
const CHUNK = 500;
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

/** Reads the changed instruments' rows and patches the snapshot up to `head`; a gap starts a rebuild instead. */
async function catchUp(db: Db, st: State, head: number) {
  const snap = st.snap!;
  const from = snap.seq;
  const rows = await db
    .selectFrom('catalogueChanges')
    .select(['seq', 'instrumentId'])
    .where('seq', '>', from)
    .where('seq', '<=', head)
    .execute();
  const seqs = new Set(rows.map((r) => Number(r.seq)));
  const ids = [...new Set(rows.map((r) => r.instrumentId))];
  if (seqs.size !== head - from || ids.length > PATCH_MAX) {
    void rebuild(db, st).catch(() => undefined);
    return;
  }
  const fresh = new Map<string, Source | null>(ids.map((id) => [id, null]));
  const fieldCodes = new Map<string, string[]>();
  const orgIds = new Set<string>();
  for (let k = 0; k < ids.length; k += CHUNK) {
    const part = ids.slice(k, k + CHUNK);
    const rows = (
      await db
        .selectFrom('instruments')
        .select([...COLUMNS])
        .where('id', 'in', part)
        .execute()
    ).filter((r) => r.state === 'listed');
    const pictures = await firstPictures(
      db,
      rows.map((r) => r.id),
    );
    for (const r of rows) {
      fresh.set(r.id, { ...r, picture: pictures.get(r.id) ?? null });
      orgIds.add(r.orgId);
    }
    for (const f of await db
      .selectFrom('instrumentFields')
      .select(['instrumentId', 'fieldCode'])
      .where('instrumentId', 'in', part)
      .execute()) {
      (fieldCodes.get(f.instrumentId) ?? fieldCodes.set(f.instrumentId, []).get(f.instrumentId)!).push(f.fieldCode);
    }
  }
  const orgs: Orgs = new Map();
  const orgList = [...orgIds];
  for (let k = 0; k < orgList.length; k += CHUNK) {
    for (const o of await db
      .selectFrom('organizations')
      .select(['id', 'name', 'cityCode', 'type'])
      .where('id', 'in', orgList.slice(k, k + CHUNK))
      .execute()) {
      orgs.set(o.id, { name: o.name, cityCode: o.cityCode ?? '', type: o.type });
    }
  }
  if (st.snap !== snap || snap.seq !== from) return; // a rebuild was installed meanwhile: it reads the head again
  apply(snap, fresh, fieldCodes, orgs);
  snap.seq = head;
  st.stats.patches++;
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
 * when the one under way ends; every call meanwhile shares that one. After a local write, 16 searches at once
 * then cost one or two reads of the head instead of 16 (on PostgreSQL each is a query through the pool).
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

/** For a search after a write made here: the catch-up under way may bring it, else the snapshot follows the head. */
async function followLocal(db: Db, st: State): Promise<Snapshot> {
  if (st.catching) await st.catching;
  return st.snap!.seq >= localSeq ? st.snap! : follow(db, st);
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
