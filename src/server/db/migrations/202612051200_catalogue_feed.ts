import { sql, type Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * The catalogue's change feed (issue 10, docs/decisions/0002-live-catalogue.md): every catalogue write takes the
 * next number of `catalogue_feed` (one row, updated in the write's transaction, so its row lock orders the writers
 * and numbers are never skipped or reordered) and names its instruments in `catalogue_changes` under that number.
 * Every app instance keeps its in-memory catalogue current by reading the changes after the number it holds.
 * The catalogue version kept in site_settings by the first design goes.
 */
export async function up(db: Kysely<any>) {
  const { ts } = columnTypes(db);
  await db.schema.createTable('catalogue_feed')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('catalogue_feed').values({ id: 1, seq: 0 }).execute();
  await db.schema.createTable('catalogue_changes')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_changes_pk', ['seq', 'instrument_id'])
    .execute();
  await sql`delete from site_settings where key = 'catalogue.version'`.execute(db);
}

export async function down(db: Kysely<any>) {
  await db.schema.dropTable('catalogue_changes').execute();
  await db.schema.dropTable('catalogue_feed').execute();
}
