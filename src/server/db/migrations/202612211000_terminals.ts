import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/** Instrument terminals (issue 14): measured machine-hours per instrument and day. */
export async function up(db: Kysely<any>) {
  const { ts } = columnTypes(db);
  await db.schema
    .createTable('instrument_usage_daily')
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('powered_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('in_use_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('service_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('external_service_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('instrument_usage_daily_pk', ['instrument_id', 'day'])
    .execute();
  await db.schema.createIndex('instrument_usage_daily_day_idx').on('instrument_usage_daily').columns(['day']).execute();
}

export async function down(db: Kysely<any>) {
  await db.schema.dropTable('instrument_usage_daily').execute();
}
