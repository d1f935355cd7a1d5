/**
 * The background thread (see thread.ts): the main thread's configuration, its own connection to the same database,
 * and the jobs that run all day without a request behind them: the statistics refresher, the MQTT ingest, and the
 * live hub's poll and offline sweep. It sends the main thread the terminal statuses it committed or read and the
 * ingest's outcome counts, and stops when told to:
 * the batch being written commits and is acknowledged, the rest stays with the broker.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../db/connect';
import type { JobDeps } from '../deps';
import { systemClock } from '../platform/clock';
import { startStatsRefresh } from '../modules/stats/refresher';
import { countInto, type Outcome } from '../modules/terminals/outcomes';
import { LivePoller, packLive, runLiveJobs, writeAs, type LiveRow } from '../modules/terminals/live';
import { MqttIngest } from '../modules/terminals/mqtt';
import type { FromWorker, ToWorker, WorkerData } from './thread';

const port = parentPort!;

/**
 * Requests come first: on Linux a thread has a priority of its own, so this one runs at nice 10 and takes the cores
 * the request thread leaves (/proc/thread-self names the thread; elsewhere the thread keeps the process's priority).
 */
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 10);
} catch {
  /* not Linux: the same priority as the requests */
}
/** how often the write-ahead log is checkpointed (50 writes/s add about 100 pages in this time) */
const CHECKPOINT_MS = 200;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const { config, connection, writer } = workerData as WorkerData;
// the MQTT ingest (one batch at a time) and the statistics refresher share this pool
const database = connect({ ...connection, poolMax: 6 });
const sendLive = (rows: LiveRow[]) => {
  const packet = packLive(rows);
  post({ type: 'live', packet }, [packet.nums.buffer as ArrayBuffer]);
};
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

// the main thread's connection leaves the write-ahead log to this one (connect's walCheckpoints): copying it into
// the database file and syncing costs this thread the time, not a request's commit
const checkpoints = database.checkpoint ? setInterval(database.checkpoint, CHECKPOINT_MS) : null;

const stopStats = startStatsRefresh(deps);
// the live hub's poll of the other instances' states and the offline sweep: what they read goes to the main thread
const stopLive = runLiveJobs(deps, new LivePoller(deps, sendLive));
const ingest = new MqttIngest(deps);

port.on('message', (m: ToWorker) => {
  if (m.type !== 'stop') return;
  void (async () => {
    stopStats();
    stopLive();
    await ingest.stop();
    clearInterval(counter);
    if (checkpoints) clearInterval(checkpoints);
    flush();
    await database.close();
    post({ type: 'stopped' });
  })();
});

await ingest.start();
post({ type: 'started' });
