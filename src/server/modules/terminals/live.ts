/**
 * Live status, the same on every instance: each instance keeps the status of every instrument with a terminal in
 * memory, read at start from `terminal_state`; then the rows this instance's ingest commits go in at once, and
 * every POLL_MS it reads the rows the other instances wrote since (the row's version orders them). Open instrument pages get changes through server-sent events; the
 * catalogue's "idle now" filter reads the idle set. The catalogue snapshot never holds a status, so it is never
 * rebuilt for one. The offline sweep (liveness) runs here too: it cuts the open intervals of a terminal silent for
 * longer than the heartbeat and marks it offline, idempotently, on whichever instance comes first.
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

export class LiveHub {
  readonly rows = new Map<string, LiveRow>();
  private listeners = new Map<string, Set<Listener>>();
  private watermark = '';
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private polling = false;

  constructor(private readonly deps: Deps) {}

  private get heartbeatMs() {
    return this.deps.config.TERMINAL_HEARTBEAT_SECONDS * 1000;
  }

  view(instrumentId: string): LiveView {
    const r = this.rows.get(instrumentId);
    const now = this.deps.clock.now().getTime();
    const status: LiveStatus = !r
      ? 'none'
      : r.isOffline
        ? 'offline'
        : liveStatus({ power: r.isPowered, inUse: r.isInUse }, Date.parse(r.lastReceivedAt), now, this.heartbeatMs);
    return { instrumentId, status, lastMessageAt: r?.lastAt ?? null, clockSkewed: !!r?.isClockSkewed };
  }

  /** Instruments idle now (powered, not in use, heard from within the heartbeat). */
  idleIds(): Set<string> {
    const out = new Set<string>();
    for (const id of this.rows.keys()) if (this.view(id).status === 'idle') out.add(id);
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

  /** Reads the rows written since the last read (with an overlap) and tells the listeners of each change. */
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
      for (const r of rows) {
        if (r.updatedAt > this.watermark) this.watermark = r.updatedAt;
        this.apply(r);
      }
      // an empty table still sets the mark, so that the next reads ask for what changed since, not for everything
      this.watermark ||= readAt;
    } finally {
      this.polling = false;
    }
  }

  /** A row this instance wrote or read: kept when newer, and told to the instrument's listeners. */
  apply(r: LiveRow) {
    const known = this.rows.get(r.instrumentId);
    if (known && known.terminalId === r.terminalId && known.version >= r.version) return;
    this.rows.set(r.instrumentId, r);
    const ls = this.listeners.get(r.instrumentId);
    if (ls?.size) {
      const v = this.view(r.instrumentId);
      for (const fn of ls) fn(v);
    }
  }

  forget(instrumentId: string) {
    this.rows.delete(instrumentId);
  }

  start() {
    // a first read that failed (the database away for a moment) is tried again by the next caller
    this.loading ??= this.poll().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    this.timer ??= setInterval(() => void this.poll().catch(() => undefined), POLL_MS);
    this.timer.unref();
    const sweepMs = Math.min(5000, Math.max(500, this.heartbeatMs / 10));
    this.sweepTimer ??= setInterval(() => void sweepOffline(this.deps).catch(() => undefined), sweepMs);
    this.sweepTimer.unref();
    return this.loading;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.timer = this.sweepTimer = null;
    this.listeners.clear();
  }
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
 * The background thread writes as its main thread's instance: under the main thread's name, and it sends the rows
 * it commits to the main thread's hub (applyLocal there) instead of leaving them to the poll, which skips this
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
export async function sweepOffline(deps: Deps) {
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
