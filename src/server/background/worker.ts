/**
 * The background process (see process.ts): the server's configuration, its own connection to the same database, and
 * the jobs that run all day without a request behind them: the statistics refresher, the MQTT ingest, and the live
 * hub's poll and offline sweep. It sends the server the terminal statuses it committed or read and the ingest's
 * outcome counts, and stops when told to: the batch being written commits and is acknowledged, the rest stays with
 * the broker. When the server is gone (its IPC channel closed), it exits at once: what it had not acknowledged stays
 * with the broker too.
 */
import fs from 'node:fs';
import os from 'node:os';
import { connect } from '../db/connect';
import type { JobDeps } from '../deps';
import { systemClock } from '../platform/clock';
import { startStatsRefresh } from '../modules/stats/refresher';
import { countInto, type Outcome } from '../modules/terminals/outcomes';
import { LivePoller, packLive, runLiveJobs, writeAs, type LiveRow } from '../modules/terminals/live';
import { MqttIngest } from '../modules/terminals/mqtt';
import type { FromWorker, ToWorker, WorkerData } from './process';

/** how often the write-ahead log is checkpointed (50 writes/s add about 100 pages in this time) */
const CHECKPOINT_MS = 200;
const NICE = 10;

/**
 * Requests come first: every thread of this process at nice 10, V8's helper threads that collect its heap included.
 * On Linux a thread has a priority of its own: the threads already running are each set, and those started later
 * (libuv's pool) inherit it. Elsewhere the process's priority covers them all.
 */
function yieldToRequests() {
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) os.setPriority(Number(tid), NICE);
  } catch {
    try {
      os.setPriority(NICE);
    } catch {
      /* not permitted: the same priority as the requests */
    }
  }
}

const post = (m: FromWorker) => process.send?.(m);

async function run({ config, connection, writer }: WorkerData) {
  // the MQTT ingest (one batch at a time) and the statistics refresher share this pool
  const database = connect({ ...connection, poolMax: 6 });
  const sendLive = (rows: LiveRow[]) => post({ type: 'live', packet: packLive(rows) });
  writeAs(database, writer, sendLive);
  const deps: JobDeps = { config, database, clock: systemClock, log: console };

  // outcome counts, sent once a second rather than per batch
  let tally: Partial<Record<Outcome, number>> = {};
  countInto(database, (outcome, n) => (tally[outcome] = (tally[outcome] ?? 0) + n));
  const flush = () => {
    if (Object.keys(tally).length) post({ type: 'counts', tally });
    tally = {};
  };
  const counter = setInterval(flush, 1000);

  // the server's connection leaves the write-ahead log to this one (connect's walCheckpoints): copying it into the
  // database file and syncing costs this process the time, not a request's commit
  const checkpoints = database.checkpoint ? setInterval(database.checkpoint, CHECKPOINT_MS) : null;

  const stopStats = startStatsRefresh(deps);
  // the live hub's poll of the other instances' states and the offline sweep: what they read goes to the server
  const stopLive = runLiveJobs(deps, new LivePoller(deps, sendLive));
  const ingest = new MqttIngest(deps);

  process.on('message', (m: ToWorker) => {
    if (m.type !== 'stop') return;
    void (async () => {
      stopStats();
      stopLive();
      await ingest.stop();
      clearInterval(counter);
      if (checkpoints) clearInterval(checkpoints);
      flush();
      await database.close();
      // the last counts and this go before the exit
      await new Promise<void>((sent) =>
        process.send!({ type: 'stopped' } satisfies FromWorker, undefined, {}, () => sent()),
      );
      process.exit(0);
    })();
  });

  await ingest.start();
  post({ type: 'started' });
}

// the server gone (killed, or its channel closed): nothing here is acknowledged that is not committed
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group, and systemd's stop every process of the service: the server stops this
// one itself (a batch being written commits and is acknowledged first), or its going closes the channel
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
yieldToRequests();
process.once('message', (m: ToWorker) => {
  if (m.type === 'start')
    run(m.data).catch((e: unknown) => {
      console.error(`background process: ${String(e)}`);
      process.exit(1);
    });
});
