import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * Several instances share one outbox (issue 11): a dispatcher first claims due rows (state `sending`, its own
 * `claim_token`, `claimed_at`), sends them outside the claiming statement, and marks them `sent`. A row whose claim
 * is older than the lease (its instance died mid-send) is due again. The index serves that expiry lookup.
 */
export async function up(db: Kysely<any>) {
  const { ts } = columnTypes(db);
  await db.schema.alterTable('mail_outbox').addColumn('claim_token', 'text').execute();
  await db.schema.alterTable('mail_outbox').addColumn('claimed_at', ts).execute();
  await db.schema.createIndex('mail_outbox_claim_idx').on('mail_outbox').columns(['state', 'claimed_at']).execute();
}

export async function down(db: Kysely<any>) {
  await db.schema.dropIndex('mail_outbox_claim_idx').execute();
  await db.schema.alterTable('mail_outbox').dropColumn('claimed_at').execute();
  await db.schema.alterTable('mail_outbox').dropColumn('claim_token').execute();
}
