import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * Instrument terminals (issue 14): the terminals and their keys, every accepted reading (unique per terminal and
 * sequence), each terminal's cursor and live status, the usage intervals, the provider's annotations, and the
 * measured machine-hours per instrument and day.
 */
export async function up(db: Kysely<any>) {
  const { ts, json } = columnTypes(db);
  await db.schema
    .createTable('terminals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instrument_id', 'text', (c) => c.notNull().unique().references('instruments.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('label', 'text')
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('key_rotated_at', ts)
    .addColumn('disabled_at', ts)
    .execute();
  await db.schema.createIndex('terminals_org_idx').on('terminals').columns(['org_id']).execute();

  await db.schema
    .createTable('terminal_state')
    .addColumn('terminal_id', 'text', (c) => c.primaryKey().references('terminals.id'))
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_at', ts, (c) => c.notNull())
    .addColumn('last_received_at', ts, (c) => c.notNull())
    .addColumn('is_powered', 'boolean', (c) => c.notNull())
    .addColumn('is_in_use', 'boolean', (c) => c.notNull())
    .addColumn('is_offline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_clock_skewed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('open_json', json)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('writer', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('terminal_state_updated_idx').on('terminal_state').columns(['updated_at']).execute();
  await db.schema
    .createIndex('terminal_state_instrument_idx')
    .on('terminal_state')
    .columns(['instrument_id'])
    .execute();

  await db.schema
    .createTable('terminal_messages')
    .addColumn('terminal_id', 'text', (c) => c.notNull().references('terminals.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('is_powered', 'boolean', (c) => c.notNull())
    .addColumn('is_in_use', 'boolean', (c) => c.notNull())
    .addColumn('is_late', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_clock_skewed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('received_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('terminal_messages_pk', ['terminal_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('terminal_messages_at_idx')
    .on('terminal_messages')
    .columns(['terminal_id', 'at'])
    .execute();

  await db.schema
    .createTable('usage_intervals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('terminal_id', 'text', (c) => c.notNull().references('terminals.id'))
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts, (c) => c.notNull())
    .addColumn('is_open', 'boolean', (c) => c.notNull())
    .addColumn('is_cut', 'boolean', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('usage_intervals_instrument_idx')
    .on('usage_intervals')
    .columns(['instrument_id', 'ended_at'])
    .execute();
  await db.schema
    .createIndex('usage_intervals_terminal_idx')
    .on('usage_intervals')
    .columns(['terminal_id', 'ended_at'])
    .execute();

  await db.schema
    .createTable('usage_annotations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('usage_annotations_instrument_idx')
    .on('usage_annotations')
    .columns(['instrument_id', 'started_at'])
    .execute();

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
  for (const t of [
    'instrument_usage_daily',
    'usage_annotations',
    'usage_intervals',
    'terminal_messages',
    'terminal_state',
    'terminals',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
