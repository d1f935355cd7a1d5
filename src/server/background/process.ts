/**
 * The background process: the statistics refresher, the MQTT ingest and the live hub's poll and offline sweep run in
 * a child process of their own, with their own database connection, as a second instance on the same database would
 * (BACKGROUND_PROCESS, on by default in main.ts). The process and every thread in it run at nice 10, so the cores go
 * to the requests first: its heap is collected by its own V8 helper threads, at its priority. (As a worker thread,
 * with the process's helper threads at nice 0 collecting its heap, the search p99 during 1,000 readings/s rose
 * 20–22% in four runs; as a process, see decision 0003.) A pass of the refresher or a batch of readings then costs
 * the server nothing but the database's own locking: on SQLite a request's write may wait for a background
 * transaction (a few ms), reads never do. The process writes terminal statuses under the server's name and sends
 * it the rows it committed, for its live hub (terminals/live.ts); aggregates reach it through their version in
 * stats_feed. Tests build apps without it; the app then runs the jobs itself.
 *
 * A process that dies is started again after a second: what it had not acknowledged stays with the broker. It exits
 * as soon as its IPC channel closes, so a server killed outright leaves no ingest behind it holding the MQTT client
 * ids that the next server's process takes over.
 *
 * The process runs worker.ts bundled into one ES module (dist/background/worker-<hash>.mjs, its packages imported
 * from node_modules as usual), with plain `node`: the server runs under tsx, whose TypeScript loader would cost the
 * child a loader thread of its own and ≈ 30 MB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop as stopEsbuild } from 'esbuild';
import type { Config } from '../config';
import type { ConnectOptions } from '../db/connect';
import type { Deps } from '../deps';
import { applyPacket, writerOf, type LivePacket } from '../modules/terminals/live';
import { addCounts, type Outcome } from '../modules/terminals/outcomes';

export interface WorkerData {
  config: Config;
  /** the database the server uses (tests: their own SQLite file or PostgreSQL schema) */
  connection: ConnectOptions;
  /** the server's name on the terminal status rows the process writes (terminals/live.ts writeAs) */
  writer: string;
}
export type ToWorker = { type: 'start'; data: WorkerData } | { type: 'stop' };
export type FromWorker =
  | { type: 'started' }
  /** the last message before a stop's exit: once it is written, so are the counts sent before it */
  | { type: 'stopped' }
  | { type: 'counts'; tally: Partial<Record<Outcome, number>> }
  | { type: 'live'; packet: LivePacket };

const RESTART_MS = 1000;
const STOP_TIMEOUT_MS = 15_000;

export interface BackgroundProcess {
  /** resolves once the process's jobs have started (the MQTT connections are up) */
  started: Promise<void>;
  /** the refresher stops, the ingest's batch being written commits and is acknowledged, the connection closes */
  stop(): Promise<void>;
  /** the running process's id (its CPU and memory are the server's too: the benchmark adds them) */
  pid(): number | undefined;
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

export function startBackgroundProcess(deps: Deps, connection: ConnectOptions): BackgroundProcess {
  let stopping = false;
  let child: ChildProcess | null = null;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const bundle = bundledWorker();
  const spawn = async () => {
    const file = await bundle;
    if (stopping) return;
    // advanced serialisation: the live packets' Float64Array crosses as it is
    const c = fork(file, [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = c;
    c.on('message', (m: FromWorker) => {
      if (m.type === 'counts') addCounts(deps, m.tally);
      else if (m.type === 'live') applyPacket(deps, m.packet);
      else if (m.type === 'started') markStarted();
    });
    c.on('error', (e) => {
      deps.log.error(`background process failed: ${String(e)}`);
      markStarted(); // the server goes on; the process is started again (exit)
    });
    c.on('exit', (code, signal) => {
      if (stopping) return;
      deps.log.error(`background process exited (${signal ?? `code ${code}`}); starting it again in ${RESTART_MS} ms`);
      setTimeout(start, RESTART_MS).unref();
    });
    const data: WorkerData = { config: deps.config, connection, writer: writerOf(deps.database) };
    c.send({ type: 'start', data } satisfies ToWorker);
  };
  let spawned: Promise<void> = Promise.resolve();
  const start = () => {
    if (stopping) return;
    spawned = spawn().catch((e: unknown) => {
      deps.log.error(`background process not started: ${String(e)}`);
      markStarted();
    });
  };
  start();
  return {
    started,
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      await spawned;
      const c = child as ChildProcess | null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const done = new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        setTimeout(resolve, STOP_TIMEOUT_MS).unref();
      });
      if (c.connected) c.send({ type: 'stop' } satisfies ToWorker);
      await done;
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}
