/**
 * The two reads the live hub (terminals/live.ts) makes of terminal_state all day, on the request thread:
 * - the poll, four times a second: the states the other instances wrote since the last read,
 *   `updated_at > ? and writer != ?`. Indexed by `updated_at` alone, every state this instance wrote within the
 *   window (about 3,000 at 1,000 readings a second) was read from the table only to be dropped: 4.6 ms a poll on
 *   average and up to 16 ms measured, which searches waited behind. With the writer in the index, they are
 *   dropped in the index;
 * - the offline sweep: the terminals online and silent since the cutoff, `is_offline = ? and last_received_at < ?`,
 *   which scanned the table (3.9 ms a sweep at 10,000 terminals).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>) {
  await db.schema
    .createIndex('terminal_state_updated_writer_idx')
    .on('terminal_state')
    .columns(['updated_at', 'writer'])
    .execute();
  await db.schema.dropIndex('terminal_state_updated_idx').execute();
  await db.schema
    .createIndex('terminal_state_silent_idx')
    .on('terminal_state')
    .columns(['is_offline', 'last_received_at'])
    .execute();
}

export async function down(db: Kysely<any>) {
  await db.schema.dropIndex('terminal_state_silent_idx').execute();
  await db.schema.createIndex('terminal_state_updated_idx').on('terminal_state').columns(['updated_at']).execute();
  await db.schema.dropIndex('terminal_state_updated_writer_idx').execute();
}
