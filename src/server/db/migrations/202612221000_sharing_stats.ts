import type { Kysely } from 'kysely';
import { columnTypes } from './columns';

/** The sharing evaluation (issue 15): aggregates per instrument and organisation and period, rounds and reports. */
export async function up(db: Kysely<any>) {
  const { ts, json, money } = columnTypes(db);
  const sums = (t: any) =>
    t
      .addColumn('measured', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('run_s', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('effective_s', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('external_s', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('registered_s', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('quota_s', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('services', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('external_services', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('income_fen', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('external_income_fen', money, (c: any) => c.notNull().defaultTo(0))
      .addColumn('rating_sum', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('rating_count', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('bookings', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('updated_at', ts, (c: any) => c.notNull());

  // period: 'YYYY-MM' (a Shanghai month) or 'YYYY' (the sum of its months)
  await sums(
    db.schema
      .createTable('stats_instrument_period')
      .addColumn('instrument_id', 'text', (c) => c.notNull().references('instruments.id'))
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('city_code', 'text', (c) => c.notNull())
      .addColumn('org_type', 'text', (c) => c.notNull())
      .addColumn('category_code', 'text', (c) => c.notNull())
      .addColumn('special', 'integer', (c) => c.notNull().defaultTo(0)),
  )
    .addPrimaryKeyConstraint('stats_instrument_period_pk', ['instrument_id', 'period'])
    .execute();
  await db.schema
    .createIndex('stats_instrument_period_org_idx')
    .on('stats_instrument_period')
    .columns(['org_id', 'period'])
    .execute();
  await db.schema
    .createIndex('stats_instrument_period_rank_idx')
    .on('stats_instrument_period')
    .columns(['period', 'effective_s'])
    .execute();

  await sums(
    db.schema
      .createTable('stats_org_period')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('city_code', 'text', (c) => c.notNull())
      .addColumn('org_type', 'text', (c) => c.notNull())
      .addColumn('instruments', 'integer', (c) => c.notNull().defaultTo(0)),
  )
    .addPrimaryKeyConstraint('stats_org_period_pk', ['org_id', 'period'])
    .execute();
  await db.schema
    .createIndex('stats_org_period_period_idx')
    .on('stats_org_period')
    .columns(['period', 'city_code'])
    .execute();

  // completed services per provider, consumer and period: the distinct organisations served
  await db.schema
    .createTable('stats_served')
    .addColumn('provider_org_id', 'text', (c) => c.notNull())
    .addColumn('consumer_org_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('org_type', 'text', (c) => c.notNull())
    .addColumn('services', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_served_pk', ['provider_org_id', 'period', 'consumer_org_id'])
    .execute();
  await db.schema.createIndex('stats_served_period_idx').on('stats_served').columns(['period', 'city_code']).execute();

  // how far the aggregates have read each change feed (bookings, measured usage)
  await db.schema
    .createTable('stats_feed')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('watermark', 'text', (c) => c.notNull())
    .addColumn('refreshed_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bookings_updated_idx').on('bookings').columns(['updated_at']).execute();
  await db.schema
    .createIndex('instrument_usage_daily_updated_idx')
    .on('instrument_usage_daily')
    .columns(['updated_at'])
    .execute();

  await db.schema
    .createTable('sharing_rounds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('scope_city_code', 'text')
    .addColumn('threshold_fen', money, (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sharing_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('round_id', 'text', (c) => c.notNull().references('sharing_rounds.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('figures_json', json, (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('management', 'text')
    .addColumn('outcomes', 'text')
    .addColumn('proposed_grade', 'text')
    .addColumn('grade', 'text')
    .addColumn('grade_comment', 'text')
    .addColumn('figures_at', ts, (c) => c.notNull())
    .addColumn('submitted_at', ts)
    .addColumn('graded_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sharing_reports_round_org_uq')
    .on('sharing_reports')
    .columns(['round_id', 'org_id'])
    .unique()
    .execute();
  await db.schema.createIndex('sharing_reports_org_idx').on('sharing_reports').columns(['org_id']).execute();
}

export async function down(db: Kysely<any>) {
  for (const t of [
    'sharing_reports',
    'sharing_rounds',
    'stats_feed',
    'stats_served',
    'stats_org_period',
    'stats_instrument_period',
  ])
    await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('bookings_updated_idx').execute();
  await db.schema.dropIndex('instrument_usage_daily_updated_idx').execute();
}
