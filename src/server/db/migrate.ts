import { Migrator, sql } from 'kysely';
import type { Db } from './connect';
import { migrationProvider } from './migrations';

/** `schema`: on PostgreSQL, keep Kysely's migration tables in that schema (tests run one schema per file side by side). */
export async function migrateToLatest(db: Db, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  return results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
}

/**
 * How many migrations are not applied yet (0 once they all are; then remembered, since a running app adds none).
 * It reads Kysely's migration table itself: Kysely's own check introspects every schema of the database, which on
 * PostgreSQL fails while another schema is being dropped.
 */
const allApplied = new WeakSet<Db>();
export async function migrationsPending(db: Db): Promise<number> {
  if (allApplied.has(db)) return 0;
  const names = Object.keys(await migrationProvider.getMigrations());
  const done = await sql<{ name: string }>`select name from kysely_migration`
    .execute(db)
    .then((r) => new Set(r.rows.map((row) => row.name)))
    .catch(() => new Set<string>()); // no migration table yet: nothing is applied
  const pending = names.filter((n) => !done.has(n)).length;
  if (!pending) allApplied.add(db);
  return pending;
}
