import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/**
 * Roll-ups of the sharing aggregates for the dashboards (issue 15): sums per (period, city, organisation type,
 * category level), instrument counts per (city, type, category level), the idle instruments of each year, and the
 * indexes the feed passes and rankings read by.
 */
export async function up(db: Kysely<any>) {
  const { money } = columnTypes(db);
  let t = db.schema
    .createTable('stats_slice_period')
    .addColumn('period', 'text', (c) => c.notNull())
    // '' = all categories, else a class (2 digits) or a subclass (4 digits)
    .addColumn('cat', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('org_type', 'text', (c) => c.notNull());
  for (const col of ['measured', 'services', 'external_services', 'rating_sum', 'rating_count', 'bookings'])
    t = t.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
  for (const col of [
    'run_s',
    'effective_s',
    'external_s',
    'registered_s',
    'quota_s',
    'income_fen',
    'external_income_fen',
  ])
    t = t.addColumn(col, money, (c) => c.notNull().defaultTo(0));
  await t.addPrimaryKeyConstraint('stats_slice_period_pk', ['period', 'cat', 'city_code', 'org_type']).execute();

  await db.schema
    .createTable('stats_slice_instruments')
    .addColumn('cat', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('org_type', 'text', (c) => c.notNull())
    .addColumn('listed', 'integer', (c) => c.notNull())
    .addColumn('declared', 'integer', (c) => c.notNull())
    .addColumn('listed_above', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_slice_instruments_pk', ['cat', 'city_code', 'org_type'])
    .execute();

  // per organisation and category level, a year's sums: the organisations' ranking within a category
  let o = db.schema
    .createTable('stats_org_cat')
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('cat', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('org_type', 'text', (c) => c.notNull());
  for (const col of ['measured', 'services', 'external_services', 'rating_sum', 'rating_count'])
    o = o.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
  for (const col of ['run_s', 'effective_s', 'external_s', 'quota_s', 'income_fen', 'external_income_fen'])
    o = o.addColumn(col, money, (c) => c.notNull().defaultTo(0));
  await o.addPrimaryKeyConstraint('stats_org_cat_pk', ['period', 'city_code', 'cat', 'org_id']).execute();
  await db.schema
    .createIndex('stats_org_cat_rank_idx')
    .on('stats_org_cat')
    .columns(['period', 'cat', 'effective_s'])
    .execute();

  // the idle instruments of a year (listed, below the share of the quota, no booking in the window)
  await db.schema
    .createTable('stats_idle')
    .addColumn('year', 'text', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('org_type', 'text', (c) => c.notNull())
    .addColumn('category_code', 'text', (c) => c.notNull())
    .addColumn('run_s', money, (c) => c.notNull().defaultTo(0))
    .addColumn('quota_s', money, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('stats_idle_pk', ['year', 'instrument_id'])
    .execute();
  await db.schema
    .createIndex('stats_idle_city_idx')
    .on('stats_idle')
    .columns(['year', 'city_code', 'org_type', 'instrument_id'])
    .execute();
  await db.schema.createIndex('stats_idle_org_idx').on('stats_idle').columns(['org_id', 'year']).execute();

  await db.schema
    .createIndex('stats_org_period_rank_idx')
    .on('stats_org_period')
    .columns(['period', 'effective_s'])
    .execute();
  await db.schema
    .createIndex('stats_org_period_city_rank_idx')
    .on('stats_org_period')
    .columns(['period', 'city_code', 'effective_s'])
    .execute();
  await db.schema
    .createIndex('stats_instrument_period_city_idx')
    .on('stats_instrument_period')
    .columns(['period', 'city_code', 'effective_s'])
    .execute();
  await db.schema
    .createIndex('stats_served_consumer_idx')
    .on('stats_served')
    .columns(['period', 'consumer_org_id', 'city_code', 'org_type'])
    .execute();
  await db.schema.createIndex('instruments_updated_idx').on('instruments').columns(['updated_at']).execute();
}

export async function down(db: Kysely<any>) {
  for (const t of ['stats_idle', 'stats_org_cat', 'stats_slice_instruments', 'stats_slice_period'])
    await db.schema.dropTable(t).execute();
  for (const i of [
    'stats_org_period_rank_idx',
    'stats_org_period_city_rank_idx',
    'stats_instrument_period_city_idx',
    'stats_served_consumer_idx',
    'instruments_updated_idx',
  ])
    await db.schema.dropIndex(i).execute();
}
