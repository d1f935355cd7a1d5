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
}
