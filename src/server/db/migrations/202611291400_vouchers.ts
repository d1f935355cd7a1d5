import type { Kysely } from 'kysely';
import { DEFAULT_POLICY } from '../../../domain/voucher';
import { columnTypes } from './columns';

/** Innovation vouchers: policy versions, claims with their caps ledger, payout batches. */
export async function up(db: Kysely<any>) {
  const { ts, json, money } = columnTypes(db);

  await db.schema.createTable('voucher_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('effective_from', 'text', (c) => c.notNull().unique())
    .addColumn('policy_json', json, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // the reported Shandong rules, in force from the start; the province department adds versions
  await db.insertInto('voucher_policies').values({
    id: 'policy-default', effective_from: '2020-01-01', policy_json: JSON.stringify(DEFAULT_POLICY), note: '初始政策（省级：枣庄、临沂、德州、聊城、滨州、菏泽及省财政直管县 60%，其他地市 40%，每家企业每年 50 万元；聊城市级 30%，合计 65 万元）',
    created_by: null, created_at: new Date().toISOString(),
  }).execute();

  await db.schema.createTable('payout_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('no', 'text', (c) => c.notNull().unique())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('claim_count', 'integer', (c) => c.notNull())
    .addColumn('total_fen', money, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('confirmed_by', 'text', (c) => c.references('users.id'))
    .addColumn('confirmed_at', ts)
    .execute();

  await db.schema.createTable('voucher_claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('no', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('booking_id', 'text', (c) => c.notNull().references('bookings.id'))
    .addColumn('consumer_org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('provider_org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('city_code', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull().references('voucher_policies.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('fee_fen', money, (c) => c.notNull())
    .addColumn('rate_bp', 'integer', (c) => c.notNull())
    .addColumn('amount_fen', money, (c) => c.notNull())
    .addColumn('review_id', 'text', (c) => c.references('reviews.id'))
    .addColumn('verify_code', 'text', (c) => c.notNull().unique())
    .addColumn('batch_id', 'text', (c) => c.references('payout_batches.id'))
    .addColumn('is_released', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('approved_at', ts)
    .addColumn('paid_at', ts)
    .execute();
  await db.schema.createIndex('voucher_claims_booking_kind_uq').on('voucher_claims').columns(['booking_id', 'kind']).unique().execute();
  await db.schema.createIndex('voucher_claims_consumer_idx').on('voucher_claims').columns(['consumer_org_id', 'created_at']).execute();
  await db.schema.createIndex('voucher_claims_batch_idx').on('voucher_claims').columns(['batch_id']).execute();

  // what each enterprise has reserved per year; the row is locked while a settlement computes against the caps
  await db.schema.createTable('voucher_ledgers')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('provincial_fen', money, (c) => c.notNull().defaultTo(0))
    .addColumn('municipal_fen', money, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('voucher_ledgers_pk', ['org_id', 'year'])
    .execute();

  // the consumer's answer at settlement: does the service have another public subsidy?
  await db.schema.alterTable('bookings').addColumn('has_other_subsidy', 'boolean').execute();
}

export async function down(db: Kysely<any>) {
  await db.schema.alterTable('bookings').dropColumn('has_other_subsidy').execute();
  for (const t of ['voucher_ledgers', 'voucher_claims', 'payout_batches', 'voucher_policies']) await db.schema.dropTable(t).ifExists().execute();
}
