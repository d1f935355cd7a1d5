/**
 * Keeps what catalogue search reads up to date. Every module that writes an instrument calls `reindexInstrument`
 * in the same transaction, after its write; an organisation rename calls `reindexOrganization`; a write that
 * changes what the catalogue shows without touching the searched text (service counts, ratings …) calls
 * `catalogueChanged` with the instruments' ids.
 *
 * - `instruments.search_text` is the normalised text a keyword must be a substring of (text.ts), for every
 *   instrument. The catalogue finds in memory (snapshot.ts, finder.ts): nothing else is written per instrument.
 * - A change that can be seen in the catalogue is written to the change feed (`catalogueChanged`), inside the
 *   same transaction, so that every app instance patches its in-memory catalogue exactly when the data changes.
 */
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../../db/connect';
import { wroteLocally } from './feed';
import { writeAtCommit } from '../../db/pg-trips';
import { buildSearchText } from './text';

export type SearchDialect = 'sqlite' | 'postgres';

/**
 * Marks the catalogue as changed: takes the next number of the change feed (`catalogue_feed`, one row: its row
 * lock, held to the end of the transaction, orders the writers, so numbers become visible in order and none is
 * skipped) and names the instruments under it in `catalogue_changes`. Call it in the transaction of any write that
 * changes what the catalogue shows and does not go through reindexInstrument (service counts, ratings, pictures …),
 * naming every instrument it changed: every app instance reads the feed after the number it holds and patches its
 * in-memory catalogue with the named instruments only (snapshot.ts) — at once in the process that wrote, within
 * a fifth of a second elsewhere (feed.ts).
 */
export async function catalogueChanged(trx: Db, instrumentIds: string[]): Promise<void> {
  const ids = [...new Set(instrumentIds)];
  if (!ids.length) return;
  const changedAt = new Date().toISOString();
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    // one statement, sent with the commit (db/pg-trips.ts): the feed's row lock is held only from it to the commit,
    // in the same message. On PostgreSQL each statement is a trip through the event loop, which under a search load
    // takes milliseconds; with the number and the names as two statements early in the transaction, writers queued
    // on the lock at 50 writes/s (write p99 over 400 ms)
    const taken = sql<{ seq: number | string }>`
      with head as (update catalogue_feed set seq = seq + 1 where id = 1 returning seq)
      insert into catalogue_changes (seq, instrument_id, changed_at)
      select head.seq, changed.id, ${changedAt}::timestamptz from head, unnest(${ids}::text[]) as changed(id)
      returning seq`;
    const statement = { compile: () => taken.compile(trx), execute: async () => (await taken.execute(trx)).rows };
    await writeAtCommit(trx, statement, (rows) => wroteLocally(Number(rows[0].seq)));
    return;
  }
  const head = await trx
    .updateTable('catalogueFeed')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq);
  for (const part of chunks(ids, CHUNK)) {
    await trx
      .insertInto('catalogueChanges')
      .values(part.map((instrumentId) => ({ seq, instrumentId, changedAt })))
      .execute();
  }
  // searches in this process read the head until they hold this number: the writer sees its write at once
  wroteLocally(seq);
}

const CHUNK = 500;
const chunks = <T>(xs: T[], n: number) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/**
 * Rebuilds the search text of many instruments at once (imports, renames, the benchmark) and marks the catalogue
 * changed for those it may show. Only drafts that were never listed are left out: an import of 10,000 drafts
 * changes nothing in the catalogue. Every other instrument is named (listed ones, deleted ones, and anything
 * that ever was listed), which may name a few too many — harmless, a patch reads them again — and never too few.
 */
export async function reindexInstruments(trx: Db, _dialect: SearchDialect, instrumentIds: string[]): Promise<void> {
  const ids = [...new Set(instrumentIds)];
  if (!ids.length) return;
  const changed: string[] = [];
  for (const part of chunks(ids, CHUNK)) {
    const rows = await trx
      .selectFrom('instruments')
      .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
      .select([
        'instruments.id',
        'instruments.name',
        'instruments.nameEn',
        'instruments.model',
        'instruments.manufacturer',
        'instruments.specs',
        'instruments.functions',
        'instruments.state',
        'instruments.listedAt',
        'instruments.searchText',
        'organizations.name as orgName',
      ])
      .where('instruments.id', 'in', part)
      .execute();
    const found = new Set(rows.map((r) => r.id));
    for (const id of part) if (!found.has(id)) changed.push(id); // deleted
    for (const r of rows) {
      const text = buildSearchText(r);
      if (text !== r.searchText)
        await trx.updateTable('instruments').set({ searchText: text }).where('id', '=', r.id).execute();
      if (mayShowInCatalogue(r)) changed.push(r.id);
    }
  }
  if (changed.length) await catalogueChanged(trx, changed);
}

/** Whether the catalogue may show, or have shown, the instrument: all but the drafts never listed. */
export const mayShowInCatalogue = (r: { state: string; listedAt: string | null }) =>
  r.state !== 'draft' || r.listedAt !== null;

/** Rebuilds the search text of one instrument and marks the catalogue changed. Call it after every write of an instrument. */
export async function reindexInstrument(trx: Db, dialect: SearchDialect, instrumentId: string): Promise<void> {
  await reindexInstruments(trx, dialect, [instrumentId]);
}

/** After an organisation is renamed: its name is part of the search text of all its instruments. */
export async function reindexOrganization(trx: Db, dialect: SearchDialect, orgId: string): Promise<void> {
  // every listed one is named in the catalogue version, so its organisation's new name and city show too
  const rows = await trx.selectFrom('instruments').select('id').where('orgId', '=', orgId).execute();
  await reindexInstruments(
    trx,
    dialect,
    rows.map((r) => r.id),
  );
}
