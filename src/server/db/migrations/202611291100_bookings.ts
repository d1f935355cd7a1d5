import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/** Bookings (预约单) with their instruments, files, history and rating; the number counters; the message centre. */
export async function up(db: Kysely<any>) {
  const { ts, json, money } = columnTypes(db);

  // human numbers: one row per series (booking:20261129, claim:2026:P …) with the last sequence handed out
  await db.schema.createTable('counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();

  await db.schema.createTable('bookings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('no', 'text', (c) => c.notNull().unique())
    .addColumn('consumer_org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('provider_org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('applicant_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('samples_json', json)
    .addColumn('purpose', 'text')
    .addColumn('expected_from', 'text')
    .addColumn('expected_to', 'text')
    .addColumn('project_name', 'text')
    .addColumn('project_no', 'text')
    .addColumn('project_source', 'text')
    .addColumn('project_funding_fen', money)
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('remark', 'text')
    .addColumn('liability_text', 'text')
    .addColumn('liability_accepted_at', ts)
    .addColumn('planned_test_date', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('other_fee_fen', money, (c) => c.notNull().defaultTo(0))
    .addColumn('other_fee_note', 'text')
    .addColumn('total_fee_fen', money, (c) => c.notNull().defaultTo(0))
    .addColumn('result_note', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('submitted_at', ts)
    .addColumn('accepted_at', ts)
    .addColumn('results_at', ts)
    .addColumn('completed_at', ts)
    .execute();
  await db.schema.createIndex('bookings_consumer_idx').on('bookings').columns(['consumer_org_id', 'state', 'created_at']).execute();
  await db.schema.createIndex('bookings_consumer_time_idx').on('bookings').columns(['consumer_org_id', 'created_at']).execute();
  await db.schema.createIndex('bookings_provider_idx').on('bookings').columns(['provider_org_id', 'state', 'created_at']).execute();
  await db.schema.createIndex('bookings_provider_time_idx').on('bookings').columns(['provider_org_id', 'created_at']).execute();

  await db.schema.createTable('booking_items')
    .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('test_items', 'text')
    .addColumn('result_text', 'text')
    .addColumn('machine_hours', 'double precision')
    .addColumn('fees_json', json)
    .addColumn('subtotal_fen', money, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('booking_items_pk', ['booking_id', 'instrument_id'])
    .execute();
  await db.schema.createIndex('booking_items_instrument_idx').on('booking_items').columns(['instrument_id']).execute();

  await db.schema.createTable('booking_files')
    .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
    .addColumn('file_id', 'text', (c) => c.notNull().references('files.id'))
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('booking_files_pk', ['booking_id', 'file_id'])
    .execute();

  await db.schema.createTable('booking_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.references('organizations.id'))
    .addColumn('org_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_events_booking_idx').on('booking_events').columns(['booking_id', 'at']).execute();

  await db.schema.createTable('booking_ratings')
    .addColumn('booking_id', 'text', (c) => c.primaryKey().references('bookings.id').onDelete('cascade'))
    .addColumn('stars', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('rater_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('subject_kind', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('read_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_user_idx').on('messages').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('messages_unread_idx').on('messages').columns(['user_id', 'read_at']).execute();
}

export async function down(db: Kysely<any>) {
  for (const t of ['messages', 'booking_ratings', 'booking_events', 'booking_files', 'booking_items', 'bookings', 'counters']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
