// Runs the integration tests on PostgreSQL. Each test file makes its own fresh schema and drops it afterwards.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const url = process.env.TEST_DATABASE_URL;
if (!url) {
  console.error(
    '\n  test:pg needs TEST_DATABASE_URL, for example:\n    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run test:pg\n',
  );
  process.exit(1);
}
const c = new pg.Client({ connectionString: url });
try {
  await c.connect();
  const r = await c.query('select version()');
  // extensions the migrations use, created once here: parallel test files creating them at the same moment can collide
  await c.query('create extension if not exists pg_trgm with schema public');
  await c.query('create extension if not exists btree_gin with schema public');
  console.log(`test:pg on ${r.rows[0].version.split(',')[0]} (${url.replace(/:[^:@/]*@/, ':***@')})`);
} catch (e) {
  console.error(`\n  cannot connect to TEST_DATABASE_URL: ${e.message}\n`);
  process.exit(1);
} finally {
  await c.end().catch(() => undefined);
}
const res = spawnSync('npx', ['vitest', 'run', '--project', 'int', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: process.env,
});
process.exit(res.status ?? 1);
