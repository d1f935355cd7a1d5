import { sql, type Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * Catalogue search finds in memory (modules/catalogue/finder.ts, docs/decisions/0001-catalogue-search.md): the
 * gram table, the FTS5 trigram table (SQLite) and the pg_trgm index (PostgreSQL) are no longer read. Dropping them
 * makes every catalogue write and import cheaper and the database smaller; `instruments.search_text` stays.
 */
export async function up(db: Kysely<any>) {
  const { pg } = columnTypes(db);
  await db.schema.dropTable('instrument_grams').ifExists().execute();
  if (pg) await sql`drop index if exists instruments_search_trgm`.execute(db);
  else await sql`drop table if exists instrument_fts`.execute(db);
}

/** Recreates the structures empty, as 202611291000_instruments defined them (the code that filled them is gone). */
export async function down(db: Kysely<any>) {
  const { pg } = columnTypes(db);
  await db.schema.createTable('instrument_grams')
    .addColumn('gram', 'text', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('instrument_grams_pk', ['gram', 'instrument_id'])
    .execute();
  await db.schema.createIndex('instrument_grams_instrument_idx').on('instrument_grams').column('instrument_id').execute();
  if (pg) await sql`create index instruments_search_trgm on instruments using gin (search_text public.gin_trgm_ops)`.execute(db);
  else await sql`create virtual table instrument_fts using fts5(instrument_id unindexed, search_text, tokenize = 'trigram')`.execute(db);
}
