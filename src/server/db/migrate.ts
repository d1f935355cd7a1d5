import { Migrator } from 'kysely';
import type { Db } from './connect';
import { migrationProvider } from './migrations';

/** `schema`: on PostgreSQL, keep Kysely's migration tables in that schema (tests run one schema per file side by side). */
export async function migrateToLatest(db: Db, schema?: string) {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  return results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
}
