import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/** Supply/demand posts, notices, and districts (the reference data below cities). */
export async function up(db: Kysely<any>) {
  const { ts, json, money } = columnTypes(db);

  await db.schema.createTable('posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('categories_json', json, (c) => c.notNull())
    .addColumn('fields_json', json, (c) => c.notNull())
    .addColumn('amount_fen', money)
    .addColumn('amount_note', 'text')
    .addColumn('contact_name', 'text', (c) => c.notNull())
    .addColumn('contact_phone', 'text', (c) => c.notNull())
    .addColumn('contact_email', 'text')
    .addColumn('valid_until', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('is_visible', 'boolean', (c) => c.notNull().defaultTo(false))
    // the version the public sees (set at each approval); the columns above are the owner's working copy
    .addColumn('published_json', json)
    .addColumn('reject_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('published_at', ts)
    .execute();
  await db.schema.createIndex('posts_org_idx').on('posts').columns(['org_id', 'updated_at']).execute();
  await db.schema.createIndex('posts_public_idx').on('posts').columns(['is_visible', 'valid_until', 'published_at']).execute();

  await db.schema.createTable('post_files')
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('file_id', 'text', (c) => c.notNull().references('files.id'))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('post_files_pk', ['post_id', 'file_id'])
    .execute();

  await db.schema.createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('is_pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_published', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('published_at', ts)
    .addColumn('author_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notices_public_idx').on('notices').columns(['is_published', 'published_at']).execute();

  await db.schema.createTable('districts')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('city_code', 'text', (c) => c.notNull().references('cities.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>) {
  for (const t of ['districts', 'notices', 'post_files', 'posts']) await db.schema.dropTable(t).ifExists().execute();
}
