import { buildApp } from './app';
import { loadConfig } from './config';
import { connect } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { seedReference } from './db/seed-reference';
import { DEMO_ACCOUNTS, seedDemo } from './db/seed-demo';
import { seedDemoBookings } from './db/seed-demo-bookings';
import { seedDemoPosts } from './db/seed-demo-posts';
import { systemClock } from './platform/clock';
import { createMailer } from './platform/mail';
import { logSmsSender } from './platform/sms';
import { localStorage } from './platform/storage';
import { startCatalogue } from './modules/catalogue/feed';

async function main() {
  let config;
  try { config = loadConfig(); } catch (e) { console.error(String((e as Error).message)); process.exit(2); }
  const database = connect({ databaseUrl: config.DATABASE_URL, sqliteFile: config.sqliteFile });
  const applied = await migrateToLatest(database.db);
  await seedReference(database.db, config, systemClock);
  const seeded = config.SEED_DEMO === 'true' ? await seedDemo(database.db, systemClock) : false;
  const log = console;
  const mailer = createMailer({ db: database.db, clock: systemClock, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, log: { info: (o, m) => log.info(m, JSON.stringify(o)), warn: (o, m) => log.warn(m, JSON.stringify(o)) } });
  const app = await buildApp({ config, database, clock: systemClock, mailer, sms: logSmsSender({ info: (o, m) => log.info(m, JSON.stringify(o)) }), storage: localStorage(config.uploadDir), log });
  if (seeded) {
    await seedDemoBookings(app, database.db);
    await seedDemoPosts(app, config);
  }
  mailer.start();
  // the catalogue is being built in memory since the routes were registered; until it is there (/api/ready), a
  // search is told to come back instead of waiting longer than a search may take
  startCatalogue(database.db, { cache: config.CATALOGUE_CACHE === 'on', startWaitMs: 50 });
  await app.listen({ port: config.PORT, host: config.HOST });

  console.log(`\n  ${config.SITE_NAME}`);
  console.log(`  http://localhost:${config.PORT}   database: ${database.dialect}${applied.length ? `   migrations applied: ${applied.length}` : ''}${seeded ? '   demo data seeded' : ''}`);
  console.log(`  system administrator: ${config.ADMIN_USERNAME} / ${config.ADMIN_PASSWORD === 'Admin@12345' ? 'Admin@12345 (default; set ADMIN_PASSWORD)' : '(ADMIN_PASSWORD)'}`);
  if (config.SEED_DEMO === 'true') {
    console.log('  demo accounts (password for all: Demo@2026):');
    for (const a of DEMO_ACCOUNTS) console.log(`    ${a.role.padEnd(16)} ${a.login.padEnd(22)} ${a.name}`);
  }
  const stop = async () => { mailer.stop(); await app.close(); await database.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((e) => { console.error(e); process.exit(1); });
