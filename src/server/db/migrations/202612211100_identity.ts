import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/** Unified identity login (issue 13): external identities, pending logins, and which session came from which provider. */
export async function up(db: Kysely<any>) {
  const { ts } = columnTypes(db);
  await db.schema
    .createTable('external_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id_card_hash', 'text')
    .addColumn('uscc', 'text')
    .addColumn('org_name', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_login_at', ts)
    .addUniqueConstraint('external_identities_subject_uq', ['provider', 'subject'])
    .addUniqueConstraint('external_identities_user_uq', ['user_id', 'provider'])
    .execute();
  await db.schema
    .createTable('identity_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('link_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('identity_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('id_token', 'text')
    .execute();
}

export async function down(db: Kysely<any>) {
  for (const t of ['identity_sessions', 'identity_logins', 'external_identities'])
    await db.schema.dropTable(t).ifExists().execute();
}
