import { Migrator } from 'kysely';
import type { Db } from './connect';
import { migrationProvider } from './migrations';

export async function migrateToLatest(db: Db) {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  return results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
}
