import { sql, type Kysely } from 'kysely';
import { columnTypes } from './columns';

/** Instruments, files, reference data, the preselection list, bulk imports, and the search structures. */
export async function up(db: Kysely<any>) {
  const { ts, json, money, pg } = columnTypes(db);

  await db.schema.createTable('categories')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.createTable('service_fields')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('organizations.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('thumb_key', 'text')
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.createTable('instruments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('internal_no', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('category_code', 'text', (c) => c.notNull().references('categories.code'))
    .addColumn('model', 'text')
    .addColumn('manufacturer', 'text')
    .addColumn('country', 'text')
    .addColumn('value_fen', money)
    .addColumn('purchase_date', 'text')
    .addColumn('start_use_date', 'text')
    .addColumn('source', 'text')
    .addColumn('specs', 'text')
    .addColumn('functions', 'text')
    .addColumn('service_content', 'text')
    .addColumn('fee_standard', 'text')
    .addColumn('sharing_mode', 'text', (c) => c.notNull().defaultTo('external'))
    .addColumn('run_status', 'text', (c) => c.notNull().defaultTo('正常'))
    .addColumn('city_code', 'text', (c) => c.references('cities.code'))
    .addColumn('district', 'text')
    .addColumn('street', 'text')
    .addColumn('room', 'text')
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('staff_json', json)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('is_disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reject_reason', 'text')
    .addColumn('service_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rating_sum', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rating_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('listed_at', ts)
    .execute();
  await db.schema.createIndex('instruments_org_no_uq').on('instruments').columns(['org_id', 'internal_no']).unique().execute();
  await db.schema.createIndex('instruments_org_state_idx').on('instruments').columns(['org_id', 'state', 'updated_at']).execute();
  await db.schema.createIndex('instruments_served_idx').on('instruments').columns(['state', 'service_count', 'id']).execute();
  await db.schema.createIndex('instruments_purchase_idx').on('instruments').columns(['state', 'purchase_date', 'id']).execute();
  await db.schema.createIndex('instruments_category_idx').on('instruments').columns(['category_code']).execute();
  await db.schema.createIndex('instruments_city_idx').on('instruments').columns(['city_code']).execute();

  await db.schema.createTable('instrument_fields')
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addColumn('field_code', 'text', (c) => c.notNull().references('service_fields.code'))
    .addPrimaryKeyConstraint('instrument_fields_pk', ['instrument_id', 'field_code'])
    .execute();
  await db.schema.createIndex('instrument_fields_field_idx').on('instrument_fields').columns(['field_code', 'instrument_id']).execute();

  await db.schema.createTable('instrument_files')
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addColumn('file_id', 'text', (c) => c.notNull().references('files.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('instrument_files_pk', ['instrument_id', 'file_id'])
    .execute();

  // 1- and 2-character grams of the search text: trigram indexes find nothing below 3 characters
  await db.schema.createTable('instrument_grams')
    .addColumn('gram', 'text', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('instrument_grams_pk', ['gram', 'instrument_id'])
    .execute();
  await db.schema.createIndex('instrument_grams_instrument_idx').on('instrument_grams').column('instrument_id').execute();

  if (pg) {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`create index instruments_search_trgm on instruments using gin (search_text public.gin_trgm_ops)`.execute(db);
  } else {
    await sql`create virtual table instrument_fts using fts5(instrument_id unindexed, search_text, tokenize = 'trigram')`.execute(db);
  }

  await db.schema.createTable('cart_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cart_items_user_uq').on('cart_items').columns(['user_id', 'instrument_id']).unique().execute();

  await db.schema.createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors_json', json)
    .addColumn('message', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .execute();
  await db.schema.createIndex('import_jobs_org_idx').on('import_jobs').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>) {
  const { pg } = columnTypes(db);
  if (!pg) await sql`drop table if exists instrument_fts`.execute(db);
  for (const t of ['import_jobs', 'cart_items', 'instrument_grams', 'instrument_files', 'instrument_fields', 'instruments', 'files', 'service_fields', 'categories']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
