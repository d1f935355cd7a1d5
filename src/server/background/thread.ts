/**
 * The background thread: the statistics refresher and the MQTT ingest run in a worker thread of their own, with their
 * own database connection, as a second instance on the same database would (BACKGROUND_THREAD, on by default in
 * main.ts). A pass of the refresher or a batch of a thousand readings a second then costs the thread that answers
 * requests nothing but the database's own locking: on SQLite a request's write may wait for a background
 * transaction (a few ms, busy_timeout), reads never do. The thread writes terminal statuses under the main
 * thread's name and sends it the rows it committed, for its live hub (terminals/live.ts); aggregates reach it
 * through their version in stats_feed. Tests build apps without it; the app then runs both jobs itself.
 *
 * A thread that dies is started again after a second: what it had not acknowledged stays with the broker.
 *
 * The thread runs worker.ts bundled into one ES module (dist/background/worker-<hash>.mjs, its packages imported
 * from node_modules as usual): the server runs under tsx, whose TypeScript loader a worker does not inherit, and
 * registering it again costs the worker a loader thread of its own and ≈ 30 MB.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build, stop as stopEsbuild } from 'esbuild';
import type { Config } from '../config';
import type { ConnectOptions } from '../db/connect';
import type { Deps } from '../deps';
import { applyPacket, writerOf, type LivePacket } from '../modules/terminals/live';
import { addCounts, type Outcome } from '../modules/terminals/outcomes';

export interface WorkerData {
  config: Config;
  /** the database the main thread uses (tests: their own SQLite file or PostgreSQL schema) */
  connection: ConnectOptions;
  /** the main thread's name on the terminal status rows it writes (terminals/live.ts writeAs) */
  writer: string;
}
export type ToWorker = { type: 'stop' };
export type FromWorker =
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'counts'; tally: Partial<Record<Outcome, number>> }
  | { type: 'live'; packet: LivePacket };

const RESTART_MS = 1000;
const STOP_TIMEOUT_MS = 15_000;

export interface BackgroundThread {
  /** resolves once the thread's jobs have started (the MQTT connections are up) */
  started: Promise<void>;
  /** the refresher stops, the ingest's batch being written commits and is acknowledged, the connection closes */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** worker.ts as one ES module, written once per content (several servers started from one folder share it). */
async function bundledWorker(): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  // esbuild's service is a process of its own: not needed once the bundle is there
  await stopEsbuild();
  const code = out.outputFiles[0].contents;
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  // inside the project, so that its imports resolve from node_modules
  const file = path.join(ROOT, 'dist', 'background', `worker-${hash}.mjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return file;
}

export function startBackgroundThread(deps: Deps, connection: ConnectOptions): BackgroundThread {
  let stopping = false;
  let worker: Worker | null = null;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const bundle = bundledWorker();
  const spawn = async () => {
    const file = await bundle;
    if (stopping) return;
    const w = new Worker(file, {
      workerData: { config: deps.config, connection, writer: writerOf(deps.database) } satisfies WorkerData,
    });
    worker = w;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'counts') addCounts(deps, m.tally);
      else if (m.type === 'live') applyPacket(deps, m.packet);
      else if (m.type === 'started') markStarted();
    });
    w.on('error', (e) => {
      deps.log.error(`background thread failed: ${String(e)}`);
      markStarted(); // the server goes on; the thread is started again (exit)
    });
    w.on('exit', (code) => {
      if (stopping) return;
      deps.log.error(`background thread exited (code ${code}); starting it again in ${RESTART_MS} ms`);
      setTimeout(start, RESTART_MS).unref();
    });
  };
  let spawned: Promise<void> = Promise.resolve();
  const start = () => {
    if (stopping) return;
    spawned = spawn().catch((e: unknown) => {
      deps.log.error(`background thread not started: ${String(e)}`);
      markStarted();
    });
  };
  start();
  return {
    started,
    async stop() {
      stopping = true;
      await spawned;
      const w = worker;
      if (!w) return;
      const done = new Promise<void>((resolve) => {
        w.on('message', (m: FromWorker) => m.type === 'stopped' && resolve());
        w.once('exit', () => resolve());
        setTimeout(resolve, STOP_TIMEOUT_MS).unref();
      });
      w.postMessage({ type: 'stop' } satisfies ToWorker);
      await done;
      await w.terminate();
    },
  };
}
