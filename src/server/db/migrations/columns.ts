import { PostgresAdapter, type Kysely } from 'kysely';

/** Column types chosen per dialect, so that one migration serves both databases. */
export function columnTypes(db: Kysely<any>) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    pg,
    ts: (pg ? 'timestamptz' : 'text') as 'text',
    json: (pg ? 'jsonb' : 'text') as 'text',
    money: 'bigint' as const,
  };
}
