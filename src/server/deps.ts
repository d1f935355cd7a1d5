import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config';
import type { Database } from './db/connect';
import type { Clock } from './platform/clock';
import type { Mailer } from './platform/mail';
import type { SmsSender } from './platform/sms';
import type { Storage } from './platform/storage';

/** Everything a service needs from the outside world; tests build their own. */
export interface Deps {
  config: Config;
  database: Database;
  clock: Clock;
  mailer: Mailer;
  sms: SmsSender;
  storage: Storage;
  log: FastifyBaseLogger | Console;
  /** the statistics refresher and the MQTT ingest run in the background process (main.ts), not in the app */
  backgroundProcess?: boolean;
}

/** What the jobs without a request behind them need (the background process builds only this: background/worker.ts). */
export type JobDeps = Pick<Deps, 'config' | 'database' | 'clock' | 'log'>;
