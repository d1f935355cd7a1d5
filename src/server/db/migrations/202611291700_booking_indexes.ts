import { sql, type Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * The lists 我的预约 / 我的被预约 at 100,000 bookings (issue 4; measured by scripts/bench-bookings.ts). Per side, two
 * B-tree indexes that answer a list page from the index alone: the 全部 tab in time order, and a state tab in time
 * order; both end with `id` (the tie-break of the order and what the page query returns), so a deep page skips index
 * entries, not rows, and the tab counts read one of them. A search (`search_text LIKE '%term%'`) must not read the
 * wide rows of a large organisation one by one:
 * - SQLite: `search_text` is the last column of both indexes, so the counts and the page of a search read only them;
 * - PostgreSQL: a B-tree entry is limited to about 2.7 kB and `search_text` has no such bound, so instead one GIN
 *   index per side over (organisation, trigrams of search_text) (pg_trgm, and btree_gin for the organisation column)
 *   finds the organisation's matching rows directly. A term shorter than three characters has no trigram and reads
 *   the organisation's rows, as before.
 * They replace the four indexes of 202611291100_bookings, which they make redundant.
 */
export async function up(db: Kysely<any>) {
  const { pg } = columnTypes(db);
  const text = pg ? [] : ['search_text'];
  for (const side of ['consumer', 'provider'] as const) {
    await db.schema.dropIndex(`bookings_${side}_idx`).ifExists().execute();
    await db.schema.dropIndex(`bookings_${side}_time_idx`).ifExists().execute();
    await db.schema.createIndex(`bookings_${side}_list_idx`).on('bookings').columns([`${side}_org_id`, 'created_at', 'id', 'state', ...text]).execute();
    await db.schema.createIndex(`bookings_${side}_tab_idx`).on('bookings').columns([`${side}_org_id`, 'state', 'created_at', 'id', ...text]).execute();
  }
  if (pg) {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`create extension if not exists btree_gin with schema public`.execute(db);
    for (const side of ['consumer', 'provider'] as const) {
      await sql`create index ${sql.raw(`bookings_${side}_search`)} on bookings using gin (${sql.raw(`${side}_org_id`)}, search_text public.gin_trgm_ops)`.execute(db);
    }
  }
}

export async function down(db: Kysely<any>) {
  const { pg } = columnTypes(db);
  if (pg) for (const side of ['consumer', 'provider'] as const) await sql`drop index if exists ${sql.raw(`bookings_${side}_search`)}`.execute(db);
  for (const side of ['consumer', 'provider'] as const) {
    await db.schema.dropIndex(`bookings_${side}_list_idx`).ifExists().execute();
    await db.schema.dropIndex(`bookings_${side}_tab_idx`).ifExists().execute();
    await db.schema.createIndex(`bookings_${side}_idx`).on('bookings').columns([`${side}_org_id`, 'state', 'created_at']).execute();
    await db.schema.createIndex(`bookings_${side}_time_idx`).on('bookings').columns([`${side}_org_id`, 'created_at']).execute();
  }
}
