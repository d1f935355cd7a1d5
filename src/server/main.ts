import { buildApp } from './app';
import { loadConfig } from './config';
import { connect } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { seedReference } from './db/seed-reference';
import { DEMO_ACCOUNTS, seedDemo } from './db/seed-demo';
import { seedDemoBookings } from './db/seed-demo-bookings';
import { seedDemoPosts } from './db/seed-demo-posts';
import { seedDemoPictures } from './db/demo-pictures';
import { systemClock } from './platform/clock';
import { createMailer } from './platform/mail';
import { logSmsSender } from './platform/sms';
import { storageFromConfig } from './platform/storage';
import { startCatalogue, stopCatalogue } from './modules/catalogue/feed';
import { drainImports } from './modules/imports/service';
import { MqttIngest } from './modules/terminals/mqtt';
import { startBackgroundProcess } from './background/process';
import type { Deps } from './deps';
import { seedDemoTerminals } from './modules/terminals/demo-history';

/** How long a graceful shutdown may take before the process exits anyway (a stuck request or mail server). */
const SHUTDOWN_TIMEOUT_MS = 20_000;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(String((e as Error).message));
    process.exit(2);
  }
  const connection = { databaseUrl: config.DATABASE_URL, sqliteFile: config.sqliteFile };
  // SQLite: with the background process, its connection checkpoints the write-ahead log, not the requests' commits
  const database = connect({
    ...connection,
    walCheckpoints: config.BACKGROUND_PROCESS === 'on' ? 'elsewhere' : 'auto',
  });
  const applied = await migrateToLatest(database.db);
  await seedReference(database.db, config, systemClock);
  const seeded = config.SEED_DEMO === 'true' ? await seedDemo(database.db, systemClock) : false;
  const log = console;
  const mailer = createMailer({
    db: database.db,
    clock: systemClock,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    log: { info: (o, m) => log.info(m, JSON.stringify(o)), warn: (o, m) => log.warn(m, JSON.stringify(o)) },
  });
  const storage = storageFromConfig(config);
  const deps: Deps = {
    config,
    database,
    clock: systemClock,
    mailer,
    sms: logSmsSender({ info: (o, m) => log.info(m, JSON.stringify(o)) }),
    storage,
    log,
    backgroundProcess: config.BACKGROUND_PROCESS === 'on',
  };
  const app = await buildApp(deps);
  if (seeded) {
    await seedDemoPictures({ db: database.db, storage, clock: systemClock });
    await seedDemoBookings(app, database.db);
    await seedDemoPosts(app, config);
    await seedDemoTerminals(deps);
  }
  mailer.start();
  // the catalogue is being built in memory since the routes were registered; until it is there (/api/ready), a
  // search is told to come back instead of waiting longer than a search may take
  startCatalogue(database.db, { cache: config.CATALOGUE_CACHE === 'on', startWaitMs: 50 });
  await app.listen({ port: config.PORT, host: config.HOST });
  // the statistics refresher and the terminal readings over MQTT (when MQTT_URL is set; acknowledged to the broker
  // only once stored): in the background process, or here
  const background = deps.backgroundProcess ? startBackgroundProcess(deps, connection) : null;
  const terminals = background ? null : new MqttIngest(deps);

  console.log(`\n  ${config.SITE_NAME}`);
  console.log(
    `  ${config.PUBLIC_URL}   database: ${database.dialect}${applied.length ? `   migrations applied: ${applied.length}` : ''}${seeded ? '   demo data seeded' : ''}`,
  );
  console.log(
    `  public address (links in mail, QR code of printed vouchers): ${config.PUBLIC_URL}${config.publicUrlIsDefault ? ' (the address listened on; set PUBLIC_URL for another)' : ' (PUBLIC_URL)'}`,
  );
  console.log(
    `  system administrator: ${config.ADMIN_USERNAME} / ${config.ADMIN_PASSWORD === 'Admin@12345' ? 'Admin@12345 (default; set ADMIN_PASSWORD)' : '(ADMIN_PASSWORD)'}`,
  );
  if (config.SEED_DEMO === 'true') {
    console.log('  demo accounts (password for all: Demo@2026):');
    for (const a of DEMO_ACCOUNTS) console.log(`    ${a.role.padEnd(16)} ${a.login.padEnd(22)} ${a.name}`);
  }
  // Graceful shutdown (SIGTERM from a redeploy, Ctrl-C): app.close() stops listening at once (a proxy's next
  // connection is refused and goes to another instance), closes idle keep-alive sockets (Fastify's default
  // forceCloseConnections 'idle'), answers requests that still arrive on open connections, /api/ready included,
  // with 503 and `Connection: close` (return503OnClosing, default true), and resolves when the running requests
  // have been answered. Then the mail step in progress and a running import finish before the database closes.
  // A second signal, or SHUTDOWN_TIMEOUT_MS, exits at once with code 1 (what was acknowledged is committed already).
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting at once`);
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => {
      console.error(`shutdown still waiting after ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting at once`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      stopCatalogue(database.db);
      // no new connections at once, while the terminal ingest lets the batch being written commit and be
      // acknowledged (the rest stays with the broker) and the background process exits; the database closes after both
      await Promise.all([background ? background.stop() : terminals!.stop(), app.close()]);
      await mailer.stop();
      await drainImports();
      await database.close();
      process.exit(0);
    } catch (e) {
      console.error('shutdown failed', e);
      process.exit(1);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // only now, with the signals handled: the MQTT connections may take seconds, and a signal meanwhile must still
  // shut down gracefully (the background process starts its jobs on its own)
  await terminals?.start();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
