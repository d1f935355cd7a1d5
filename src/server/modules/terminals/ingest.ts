/**
 * The one ingest path of terminal readings, for MQTT and HTTP alike: parse, authenticate (known, enabled terminal;
 * HMAC of the signed text with its key; the topic names the same terminal), then one transaction per batch:
 * store the readings ((terminal, seq) unique: a repeat is never applied twice), advance each terminal's cursor
 * (a late reading replays the terminal from before it), write the intervals and the cursor, recompute the touched
 * daily totals. Refused readings are counted (metrics.ts) and never written. On PostgreSQL a batch without late
 * readings is five trips, ten before (db/pg-trips.ts): the keys; the begin, the lock, the readings and the cursors;
 * the intervals; the day's intervals and bookings; the cursors and the daily totals with the commit.
 */
import type { z } from 'zod';
import { ReadingBody } from '../../../contracts/terminals';
import {
  advance,
  clockSkewed,
  emptyCursor,
  isLate,
  replay,
  type Cursor,
  type Interval,
  type Reading,
} from '../../../domain/terminal-usage';
import type { Db } from '../../db/connect';
type Dialect = 'sqlite' | 'postgres';
import { newId } from '../../db/ids';
import { readTogether, writeAtCommit } from '../../db/pg-trips';
import type { JobDeps } from '../../deps';
import { openKey, signatureValid, signedText } from './keys';
import { applyLocal, writerOf, type LiveRow } from './live';
import { count, type Outcome } from './outcomes';
import { insertRows, insertStatements, upsertTail } from './rows';
import { recomputeDaily, TouchedDays, type Touched } from './usage';

const ReadingMessage = ReadingBody;
export type ReadingMessageT = z.infer<typeof ReadingMessage>;

export interface Incoming {
  /** the MQTT payload, or an HTTP body already parsed */
  body: Buffer | string | unknown;
  /** the terminal id named by the MQTT topic */
  topicTerminal?: string;
  via: 'mqtt' | 'http' | 'demo';
  /** when it arrived, if not now (the demo seed's history) */
  receivedAt?: number;
}

interface Accepted extends ReadingMessageT {
  instrumentId: string;
  skewed: boolean;
}

function parse(i: Incoming): ReadingMessageT | null {
  try {
    const raw = Buffer.isBuffer(i.body) || typeof i.body === 'string' ? JSON.parse(String(i.body)) : i.body;
    const r = ReadingMessage.safeParse(raw);
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const keyCache = new Map<string, string>();
function keyOf(deps: JobDeps, sealed: string) {
  let k = keyCache.get(sealed);
  if (k === undefined) {
    k = openKey(deps.config, sealed);
    if (keyCache.size > 50_000) keyCache.clear();
    keyCache.set(sealed, k);
  }
  return k;
}

/** Authenticates a batch; returns the accepted readings and each message's outcome so far. */
async function authenticate(deps: JobDeps, batch: Incoming[]) {
  const outcomes: Outcome[] = new Array(batch.length);
  const parsed = batch.map(parse);
  const ids = [...new Set(parsed.filter((p) => p).map((p) => p!.terminal))];
  const rows = ids.length
    ? await deps.database.db
        .selectFrom('terminals')
        .select(['id', 'instrumentId', 'keySealed', 'isDisabled'])
        .where('id', 'in', ids)
        .execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const now = deps.clock.now().getTime();
  const maxSkew = deps.config.TERMINAL_MAX_SKEW_SECONDS * 1000;
  const accepted: (Accepted & { index: number })[] = [];
  parsed.forEach((m, index) => {
    const i = batch[index];
    const t = m && byId.get(m.terminal);
    if (!m) outcomes[index] = 'malformed';
    else if (!t) outcomes[index] = 'unknown';
    else if (i.topicTerminal !== undefined && i.topicTerminal !== m.terminal) outcomes[index] = 'topic';
    else if (t.isDisabled) outcomes[index] = 'disabled';
    else if (!signatureValid(keyOf(deps, t.keySealed), signedText(m), m.sig)) outcomes[index] = 'signature';
    else
      accepted.push({
        ...m,
        index,
        instrumentId: t.instrumentId,
        skewed: clockSkewed(m.at, i.receivedAt ?? now, maxSkew),
      });
  });
  return { outcomes, accepted };
}

/**
 * The open intervals as the cursor row keeps them. Keys without underscores: on PostgreSQL the JSON comes back as an
 * object, and the camel-case plugin would turn `in_use` into `inUse`.
 */
type Stored = { id: string; startedAt: number; endedAt: number };
type OpenJson = { powered?: Stored; inUse?: Stored };
const KEY = { powered: 'powered', in_use: 'inUse' } as const;

const toCursor = (s: {
  lastSeq: number;
  lastAt: string;
  isPowered: boolean;
  isInUse: boolean;
  openJson: unknown;
}): Cursor => {
  const open = (s.openJson ?? {}) as OpenJson;
  const c: Cursor = {
    lastSeq: Number(s.lastSeq),
    lastAt: Date.parse(s.lastAt),
    power: s.isPowered,
    inUse: s.isInUse,
    open: {},
  };
  for (const kind of ['powered', 'in_use'] as const) {
    const o = open[KEY[kind]];
    if (o) c.open[kind] = { ...o, kind, isOpen: true, isCut: false };
  }
  return c;
};
const openJson = (c: Cursor): OpenJson => {
  const out: OpenJson = {};
  for (const kind of ['powered', 'in_use'] as const) {
    const iv = c.open[kind];
    if (iv) out[KEY[kind]] = { id: iv.id, startedAt: iv.startedAt, endedAt: iv.endedAt };
  }
  return out;
};

const iso = (t: number) => new Date(t).toISOString();
const intervalRow = (terminalId: string, instrumentId: string, iv: Interval) => ({
  id: iv.id,
  terminalId,
  instrumentId,
  kind: iv.kind,
  startedAt: iso(iv.startedAt),
  endedAt: iso(iv.endedAt),
  isOpen: iv.isOpen,
  isCut: iv.isCut,
});

const INTERVAL_COLUMNS = [
  'id',
  'terminal_id',
  'instrument_id',
  'kind',
  'started_at',
  'ended_at',
  'is_open',
  'is_cut',
] as const;
const intervalValues = (r: ReturnType<typeof intervalRow>) => [
  r.id,
  r.terminalId,
  r.instrumentId,
  r.kind,
  r.startedAt,
  r.endedAt,
  r.isOpen,
  r.isCut,
];
async function upsertIntervals(trx: Db, dialect: Dialect, rows: ReturnType<typeof intervalRow>[]) {
  await insertRows(
    trx,
    {
      table: 'usage_intervals',
      columns: INTERVAL_COLUMNS,
      tail: upsertTail(['id'], ['ended_at', 'is_open', 'is_cut']),
      dialect,
    },
    rows.map(intervalValues),
  );
}

const MESSAGE_COLUMNS = [
  'terminal_id',
  'seq',
  'at',
  'is_powered',
  'is_in_use',
  'is_late',
  'is_clock_skewed',
  'via',
  'received_at',
] as const;
const STATE_COLUMNS = [
  'terminal_id',
  'instrument_id',
  'last_seq',
  'last_at',
  'last_received_at',
  'is_powered',
  'is_in_use',
  'is_offline',
  'is_clock_skewed',
  'open_json',
  'version',
  'writer',
  'updated_at',
] as const;

/** Replays a terminal from before its earliest late reading: the intervals from there on are made again. */
async function replayTerminal(trx: Db, deps: JobDeps, terminalId: string, lateAt: number, touched: Touched) {
  const after = await trx
    .selectFrom('usageIntervals')
    .select(['startedAt'])
    .where('terminalId', '=', terminalId)
    .where('endedAt', '>=', iso(lateAt))
    .execute();
  const from = Math.min(lateAt, ...after.map((r) => Date.parse(r.startedAt)));
  await trx
    .deleteFrom('usageIntervals')
    .where('terminalId', '=', terminalId)
    .where('endedAt', '>=', iso(from))
    .execute();
  const readings = await trx
    .selectFrom('terminalMessages')
    .select(['seq', 'at', 'isPowered', 'isInUse'])
    .where('terminalId', '=', terminalId)
    .where('at', '>=', iso(from))
    .execute();
  const { cursor, intervals } = replay(
    readings.map((r) => ({ seq: Number(r.seq), at: Date.parse(r.at), power: r.isPowered, inUse: r.isInUse })),
    deps.config.TERMINAL_HEARTBEAT_SECONDS * 1000,
    newId,
  );
  touched.add(from, cursor.lastAt);
  return { cursor, intervals };
}

/** Applies authenticated readings in one transaction; returns the outcome of each message of the batch. */
export async function ingestBatch(deps: JobDeps, batch: Incoming[]): Promise<Outcome[]> {
  const { outcomes, accepted } = await authenticate(deps, batch);
  if (accepted.length) {
    const now = deps.clock.now().toISOString();
    const heartbeat = deps.config.TERMINAL_HEARTBEAT_SECONDS * 1000;
    const writer = writerOf(deps.database);
    const dialect = deps.database.dialect;
    const written: LiveRow[] = [];
    let afterCommit = () => undefined as void;
    await deps.database.db.transaction().execute(async (trx) => {
      // one trip on PostgreSQL (with the begin): the lock, the readings, the cursors.
      // One writer per terminal at a time, whichever instance or ingest (MQTT, HTTP) the reading came through
      // (PostgreSQL; SQLite's write transactions are serialised already): the cursor is read and written under
      // this lock, which comes first. (terminal, seq) unique: what is already stored (or twice in this batch) is a
      // duplicate.
      const terminalIds = [...new Set(accepted.map((m) => m.terminal))].sort();
      const lock = trx.selectFrom('terminals').select('id').where('id', 'in', terminalIds).orderBy('id').forUpdate();
      const messages = insertStatements<{ terminalId: string; seq: number | string }>(
        trx,
        {
          table: 'terminal_messages',
          columns: MESSAGE_COLUMNS,
          tail: 'on conflict (terminal_id, seq) do nothing returning terminal_id, seq',
          dialect,
        },
        accepted.map((m) => {
          const i = batch[m.index];
          return [
            m.terminal,
            m.seq,
            iso(m.at),
            m.power,
            m.inUse,
            false,
            m.skewed,
            i.via,
            i.receivedAt ? iso(i.receivedAt) : now,
          ];
        }),
      );
      const cursors = trx.selectFrom('terminalState').selectAll().where('terminalId', 'in', terminalIds);
      const results = (await readTogether(trx, [
        ...(dialect === 'postgres' ? [lock] : []),
        ...messages,
        cursors,
      ])) as unknown[][];
      const inserted = results.slice(dialect === 'postgres' ? 1 : 0, -1).flat() as {
        terminalId: string;
        seq: number;
      }[];
      const states = results[results.length - 1] as Awaited<ReturnType<typeof cursors.execute>>;
      const fresh = new Set<string>();
      for (const r of inserted) fresh.add(`${r.terminalId}|${Number(r.seq)}`);
      const byTerminal = new Map<string, (Accepted & { index: number })[]>();
      for (const m of accepted) {
        const k = `${m.terminal}|${m.seq}`;
        if (!fresh.delete(k)) {
          outcomes[m.index] = 'duplicate';
          continue;
        }
        outcomes[m.index] = 'applied';
        byTerminal.set(m.terminal, [...(byTerminal.get(m.terminal) ?? []), m]);
      }
      if (!byTerminal.size) return;
      const stateOf = new Map(states.map((s) => [s.terminalId, s]));
      const intervals: ReturnType<typeof intervalRow>[] = [];
      const stateRows: (LiveRow & { lastSeq: number; openJson: string; writer: string })[] = [];
      const lateKeys: { terminalId: string; seq: number }[] = [];
      const touched = new TouchedDays();
      for (const [terminalId, msgs] of byTerminal) {
        const instrumentId = msgs[0].instrumentId;
        const s = stateOf.get(terminalId);
        let cursor = s ? toCursor(s) : emptyCursor();
        msgs.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const late = msgs.filter((m) => isLate(cursor, m));
        const day = touched.of(instrumentId);
        if (late.length) {
          for (const m of late) lateKeys.push({ terminalId, seq: m.seq });
          const r = await replayTerminal(trx, deps, terminalId, Math.min(...late.map((m) => m.at)), day);
          cursor = r.cursor;
          for (const iv of r.intervals) intervals.push(intervalRow(terminalId, instrumentId, iv));
        } else {
          const changed = new Map<string, Interval>();
          for (const m of msgs) {
            const reading: Reading = { seq: m.seq, at: m.at, power: m.power, inUse: m.inUse };
            for (const iv of advance(cursor, reading, heartbeat, newId)) changed.set(iv.id, iv);
          }
          for (const iv of changed.values()) {
            intervals.push(intervalRow(terminalId, instrumentId, iv));
            day.add(iv.startedAt, iv.endedAt);
          }
        }
        stateRows.push({
          terminalId,
          instrumentId,
          lastSeq: cursor.lastSeq,
          lastAt: iso(cursor.lastAt),
          lastReceivedAt: now,
          isPowered: cursor.power,
          isInUse: cursor.inUse,
          isOffline: false,
          isClockSkewed: msgs[msgs.length - 1].skewed,
          openJson: JSON.stringify(openJson(cursor)),
          version: (s?.version ?? 0) + 1,
          writer,
          updatedAt: now,
        });
      }
      await upsertIntervals(trx, dialect, intervals);
      for (const k of lateKeys)
        await trx
          .updateTable('terminalMessages')
          .set({ isLate: true })
          .where('terminalId', '=', k.terminalId)
          .where('seq', '=', k.seq)
          .execute();
      await recomputeDaily(trx, touched, now, dialect);
      // the cursors go with the commit (one trip on PostgreSQL). The version counts every write of the row in the
      // database itself: the offline sweep of another instance may have written it since it was read here, and the
      // hubs keep a row only when its version is higher. ("terminalId": the rows a held write returns come as
      // PostgreSQL names them.)
      const versionOf = new Map<string, number>();
      for (const statement of insertStatements<{ terminalId: string; version: number }>(
        trx,
        {
          table: 'terminal_state',
          columns: STATE_COLUMNS,
          tail: `${upsertTail(
            ['terminal_id'],
            STATE_COLUMNS.filter((c) => c !== 'terminal_id' && c !== 'instrument_id' && c !== 'version'),
          )}, version = terminal_state.version + 1 returning terminal_id as "terminalId", version`,
          dialect,
        },
        stateRows.map((r) => [
          r.terminalId,
          r.instrumentId,
          r.lastSeq,
          r.lastAt,
          r.lastReceivedAt,
          r.isPowered,
          r.isInUse,
          r.isOffline,
          r.isClockSkewed,
          r.openJson,
          r.version,
          r.writer,
          r.updatedAt,
        ]),
        300,
      ))
        await writeAtCommit(trx, statement, (rows) => {
          for (const v of rows) versionOf.set(v.terminalId, Number(v.version));
        });
      // read once the commit has answered (on SQLite the versions are there already)
      afterCommit = () => {
        for (const r of stateRows) written.push({ ...r, version: versionOf.get(r.terminalId) ?? r.version });
      };
    });
    afterCommit();
    applyLocal(deps, written);
  }
  count(deps, outcomes);
  return outcomes;
}
