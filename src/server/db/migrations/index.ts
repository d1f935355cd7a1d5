import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './202611290900_foundation';

/** Migrations are listed here (not discovered on disk) so that tsx, Vitest and a bundle load them the same way. */
const all: Record<string, Migration> = {
  '202611290900_foundation': foundation,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => all };
