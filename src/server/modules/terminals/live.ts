/**
 * Live status, the same on every instance: each instance keeps the status of every instrument with a terminal in
 * memory, read at start from `terminal_state`; then the rows this instance's ingest commits go in at once, and
 * every POLL_MS a poll reads the rows the other instances wrote since (the row's version orders them). Open
 * instrument pages get changes through server-sent events; the catalogue's "idle now" filter reads the idle set.
 * The catalogue snapshot never holds a status, so it is never rebuilt for one. The offline sweep (liveness) cuts the
 * open intervals of a terminal silent for longer than the heartbeat and marks it offline, idempotently, on whichever
 * instance comes first. The poll and the sweep run in the background process when there is one (runLiveJobs), which
 * sends the server what they read, so that the request thread makes no read of its own for either.
 */
import crypto from 'node:crypto';
import { liveStatus, type LiveStatus } from '../../../domain/terminal-usage';
import type { Database } from '../../db/connect';
import type { Deps, JobDeps } from '../../deps';

const POLL_MS = 250;
/** rows committed late by a slow transaction still fall inside this window of the next reads */
const OVERLAP_MS = 3000;

export interface LiveRow {
  instrumentId: string;
  terminalId: string;
  isPowered: boolean;
  isInUse: boolean;
  isOffline: boolean;
  isClockSkewed: boolean;
  lastAt: string;
  lastReceivedAt: string;
  version: number;
  updatedAt: string;
}

export interface LiveView {
  instrumentId: string;
  status: LiveStatus;
  lastMessageAt: string | null;
  clockSkewed: boolean;
}

type Listener = (v: LiveView) => void;

/**
 * What the hub keeps of an instrument's terminal: flags and numbers, changed in place by each reading. Keeping the
 * rows themselves (five strings each, replaced a thousand times a second) gave the request thread's collector
 * objects that lived long enough to be promoted and then died: 24 more scavenges a minute and twice the full
 * collections during 1,000 readings/s.
 */
export interface LiveState {
  terminalId: string;
  isPowered: boolean;
  isInUse: boolean;
  isOffline: boolean;
  isClockSkewed: boolean;
  /** ms since the epoch */
  lastAt: number;
  lastReceivedAt: number;
  version: number;
}

/** Rows committed by the background process as it sends them: two strings a row, and four numbers a row (flags,
 * times, version) in a buffer that is handed over, not copied. */
export interface LivePacket {
  ids: string[];
  nums: Float64Array;
}
const NUMS = 4;
const flagsOf = (r: Pick<LiveRow, 'isPowered' | 'isInUse' | 'isOffline' | 'isClockSkewed'>) =>
  (r.isPowered ? 1 : 0) | (r.isInUse ? 2 : 0) | (r.isOffline ? 4 : 0) | (r.isClockSkewed ? 8 : 0);

export function packLive(rows: LiveRow[]): LivePacket {
  const ids: string[] = new Array(rows.length * 2);
  const nums = new Float64Array(rows.length * NUMS);
  rows.forEach((r, i) => {
    ids[2 * i] = r.instrumentId;
    ids[2 * i + 1] = r.terminalId;
    const o = i * NUMS;
    nums[o] = flagsOf(r);
    nums[o + 1] = Date.parse(r.lastAt);
    nums[o + 2] = Date.parse(r.lastReceivedAt);
    nums[o + 3] = r.version;
  });
  return { ids, nums };
}

export class LiveHub {
  readonly rows = new Map<string, LiveState>();
  private listeners = new Map<string, Set<Listener>>();
  private loading: Promise<void> | null = null;
  private stopJobs: (() => void) | null = null;
  private readonly poller: LivePoller;

  constructor(private readonly deps: Deps) {
    this.poller = new LivePoller(deps, (rows) => {
      for (const r of rows) this.apply(r);
    });
  }

  private get heartbeatMs() {
    return this.deps.config.TERMINAL_HEARTBEAT_SECONDS * 1000;
  }

  private statusOf(r: LiveState | undefined, now: number): LiveStatus {
    if (!r) return 'none';
    if (r.isOffline) return 'offline';
    return liveStatus({ power: r.isPowered, inUse: r.isInUse }, r.lastReceivedAt, now, this.heartbeatMs);
  }

  view(instrumentId: string): LiveView {
    const r = this.rows.get(instrumentId);
    return {
      instrumentId,
      status: this.statusOf(r, this.deps.clock.now().getTime()),
      lastMessageAt: r ? new Date(r.lastAt).toISOString() : null,
      clockSkewed: !!r?.isClockSkewed,
    };
  }

  /** Instruments idle now (powered, not in use, heard from within the heartbeat). */
  idleIds(): Set<string> {
    const out = new Set<string>();
    const now = this.deps.clock.now().getTime();
    for (const [id, r] of this.rows) if (this.statusOf(r, now) === 'idle') out.add(id);
    return out;
  }

  subscribe(instrumentId: string, fn: Listener) {
    let set = this.listeners.get(instrumentId);
    if (!set) this.listeners.set(instrumentId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(instrumentId);
    };
  }

  /** A row this instance wrote or read: kept when newer, and told to the instrument's listeners. */
  apply(r: LiveRow) {
    this.put(r.instrumentId, r.terminalId, flagsOf(r), Date.parse(r.lastAt), Date.parse(r.lastReceivedAt), r.version);
  }

  /** The rows of a packet from the background process. */
  applyPacket({ ids, nums }: LivePacket) {
    for (let i = 0; i < ids.length / 2; i++) {
      const o = i * NUMS;
      this.put(ids[2 * i], ids[2 * i + 1], nums[o], nums[o + 1], nums[o + 2], nums[o + 3]);
    }
  }

  private put(
    instrumentId: string,
    terminalId: string,
    flags: number,
    lastAt: number,
    lastReceivedAt: number,
    version: number,
  ) {
    let known = this.rows.get(instrumentId);
    if (known && known.terminalId === terminalId && known.version >= version) return;
    if (!known) this.rows.set(instrumentId, (known = { terminalId } as LiveState));
    // in place: the record and its fields stay where they are
    if (known.terminalId !== terminalId) known.terminalId = terminalId;
    known.isPowered = (flags & 1) !== 0;
    known.isInUse = (flags & 2) !== 0;
    known.isOffline = (flags & 4) !== 0;
    known.isClockSkewed = (flags & 8) !== 0;
    known.lastAt = lastAt;
    known.lastReceivedAt = lastReceivedAt;
    known.version = version;
    const ls = this.listeners.get(instrumentId);
    if (ls?.size) {
      const v = this.view(instrumentId);
      for (const fn of ls) fn(v);
    }
  }

  forget(instrumentId: string) {
    this.rows.delete(instrumentId);
  }

  /** Reads everything once; then, without the background process, polls and sweeps on timers (with it, the process
   * does, off the request thread, and sends what it read). */
  start() {
    // a first read that failed (the database away for a moment) is tried again by the next caller
    this.loading ??= this.poller.poll().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    if (!this.deps.backgroundProcess) this.stopJobs ??= runLiveJobs(this.deps, this.poller);
    return this.loading;
  }

  stop() {
    this.stopJobs?.();
    this.stopJobs = null;
    this.listeners.clear();
  }
}

/** Reads the state rows the other instances wrote since the last read (with an overlap), for a sink. */
export class LivePoller {
  private watermark = '';
  private polling = false;

  constructor(
    private readonly deps: JobDeps,
    private readonly sink: (rows: LiveRow[]) => void,
  ) {}

  async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      // never beyond this instance's clock: a row stamped by an instance whose clock is ahead must not hide the
      // rows of the others (instances' clocks agree within the overlap)
      const readAt = this.deps.clock.now().toISOString();
      const mark = Math.min(Date.parse(this.watermark), Date.parse(readAt));
      const since = this.watermark ? new Date(mark - OVERLAP_MS).toISOString() : '';
      let q = this.deps.database.db
        .selectFrom('terminalState')
        .select([
          'instrumentId',
          'terminalId',
          'isPowered',
          'isInUse',
          'isOffline',
          'isClockSkewed',
          'lastAt',
          'lastReceivedAt',
          'version',
          'updatedAt',
        ]);
      if (since) q = q.where('updatedAt', '>', since).where('writer', '!=', writerOf(this.deps.database));
      const rows = await q.execute();
      for (const r of rows) if (r.updatedAt > this.watermark) this.watermark = r.updatedAt;
      if (rows.length) this.sink(rows);
      // an empty table still sets the mark, so that the next reads ask for what changed since, not for everything
      this.watermark ||= readAt;
    } finally {
      this.polling = false;
    }
  }
}

/**
 * The poll (every POLL_MS) and the offline sweep, on timers: in the background process when it runs (whose poller
 * sends what it reads to the server's hub), else in the hub. On SQLite each poll walks the index entries of
 * every state written within the overlap (3,000 at 1,000 readings/s), 1–7 ms on the thread that runs it.
 */
export function runLiveJobs(deps: JobDeps, poller: LivePoller) {
  const poll = setInterval(() => void poller.poll().catch(() => undefined), POLL_MS);
  const sweepMs = Math.min(5000, Math.max(500, deps.config.TERMINAL_HEARTBEAT_SECONDS * 100));
  const sweep = setInterval(() => void sweepOffline(deps).catch(() => undefined), sweepMs);
  poll.unref();
  sweep.unref();
  return () => {
    clearInterval(poll);
    clearInterval(sweep);
  };
}

const hubs = new WeakMap<Database, LiveHub>();
const writers = new WeakMap<Database, string>();

/** This instance's name on the rows it writes (one per database connection, as one per process in production). */
export function writerOf(database: Database): string {
  let w = writers.get(database);
  if (!w) writers.set(database, (w = crypto.randomBytes(6).toString('hex')));
  return w;
}

const forwards = new WeakMap<Database, (rows: LiveRow[]) => void>();
/**
 * The background process writes as its server's instance: under the server's name, and it sends the rows
 * it commits to the server's hub (applyPacket there) instead of leaving them to the poll, which skips this
 * instance's rows (at 1,000 readings a second it would read each row a dozen times over, OVERLAP_MS / POLL_MS).
 */
export function writeAs(database: Database, writer: string, forward: (rows: LiveRow[]) => void) {
  writers.set(database, writer);
  forwards.set(database, forward);
}

/** Rows this instance has just committed: into its own hub at once (the others read them from the table). */
export function applyLocal(deps: JobDeps, rows: LiveRow[]) {
  const hub = hubs.get(deps.database);
  if (hub) for (const r of rows) hub.apply(r);
  else forwards.get(deps.database)?.(rows);
}

/** The rows the background process committed, into this instance's hub. */
export function applyPacket(deps: JobDeps, packet: LivePacket) {
  hubs.get(deps.database)?.applyPacket(packet);
}
const depsOf = new WeakMap<Database, Deps>();

/** The app's dependencies, so that the catalogue (which holds only the database) can ask for the idle set. */
export function rememberDeps(deps: Deps) {
  depsOf.set(deps.database, deps);
}

/** 空闲 now, for the catalogue's filter: the instruments whose terminal reports them powered and idle. */
export async function idleInstrumentIds(database: Database): Promise<Set<string>> {
  const deps = depsOf.get(database);
  return deps ? (await liveHub(deps)).idleIds() : new Set();
}

/** This instance's hub (one per database connection, as one per process in production). */
export async function liveHub(deps: Deps): Promise<LiveHub> {
  let hub = hubs.get(deps.database);
  if (!hub) hubs.set(deps.database, (hub = new LiveHub(deps)));
  await hub.start();
  return hub;
}

export function stopLiveHub(deps: Deps) {
  hubs.get(deps.database)?.stop();
  hubs.delete(deps.database);
}

/**
 * 离线: terminals silent for longer than the heartbeat. Their open intervals end at the last reading (they already
 * do) and are marked cut; the cursor forgets them, so the next reading opens new ones.
 */
export async function sweepOffline(deps: JobDeps) {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.config.TERMINAL_HEARTBEAT_SECONDS * 1000).toISOString();
  const silent = await deps.database.db
    .selectFrom('terminalState')
    .select(['terminalId', 'openJson', 'lastReceivedAt'])
    .where('isOffline', '=', false)
    .where('lastReceivedAt', '<', cutoff)
    .limit(2000)
    .execute();
  for (const s of silent) {
    await deps.database.db.transaction().execute(async (trx) => {
      const marked = await trx
        .updateTable('terminalState')
        .set((eb) => ({
          isOffline: true,
          openJson: JSON.stringify({}),
          version: eb('version', '+', 1),
          writer: '',
          updatedAt: now.toISOString(),
        }))
        .where('terminalId', '=', s.terminalId)
        .where('isOffline', '=', false)
        .where('lastReceivedAt', '=', s.lastReceivedAt)
        .executeTakeFirst();
      if (!Number(marked.numUpdatedRows)) return;
      const ids = Object.values((s.openJson ?? {}) as Record<string, { id: string }>).map((o) => o.id);
      if (ids.length)
        await trx.updateTable('usageIntervals').set({ isOpen: false, isCut: true }).where('id', 'in', ids).execute();
    });
  }
  return silent.length;
}
