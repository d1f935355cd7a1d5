/**
 * Keeps the search structures of instruments up to date. Every module that writes an instrument calls
 * `reindexInstrument` in the same transaction, after its write; an organisation rename calls `reindexOrganization`.
 *
 * - `instruments.search_text` is built for every instrument (own lists can search it too).
 * - The gram table (both databases) and FTS5 (SQLite) hold listed instruments only: only they are in the
 *   catalogue, and a 10,000-row import of drafts should not write millions of gram rows.
 * - A change that can be seen in the catalogue replaces the catalogue version (`catalogueChanged`), inside the
 *   same transaction, so that in-memory results of the catalogue are dropped exactly when the data changes.
 */
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import { buildSearchText, gramsOf } from './text';

export type SearchDialect = 'sqlite' | 'postgres';

/** The row of site_settings that holds the catalogue version (a random token replaced on every change). */
export const VERSION_KEY = 'catalogue.version';

/** What each catalogue version changed, as seen by this process: token → the token it replaced and its instruments (null: not known). */
const journal = new Map<string, { prev: string | null; ids: string[] | null }>();
const JOURNAL_MAX = 10_000;
export const journalEntry = (token: string) => journal.get(token);

/**
 * Marks the catalogue as changed. Call it in the transaction of any write that changes what the catalogue
 * shows and does not go through reindexInstrument (service counts, ratings …), naming the instruments when
 * known: then the catalogue patches its snapshot with them instead of rebuilding it.
 */
export async function catalogueChanged(trx: Db, instrumentIds: string[] | null = null): Promise<void> {
  // the row lock makes the versions one chain: a concurrent writer waits, then reads the token this one wrote
  let current = trx.selectFrom('siteSettings').select('valueJson').where('key', '=', VERSION_KEY);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) current = current.forUpdate();
  const prev = await current.executeTakeFirst();
  const token = newId();
  const value = JSON.stringify(token);
  await trx.insertInto('siteSettings').values({ key: VERSION_KEY, valueJson: value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson: value })).execute();
  journal.set(token, { prev: prev ? String(prev.valueJson) : null, ids: instrumentIds ? [...instrumentIds] : null });
  if (journal.size > JOURNAL_MAX) journal.delete(journal.keys().next().value!);
}

const CHUNK = 500;
const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Gram rows of many instruments in few statements: arrays (PostgreSQL) or one JSON document (SQLite) instead of thousands of parameters. */
async function insertGrams(trx: Db, dialect: SearchDialect, grams: Map<string, string[]>) {
  let part: [string, string[]][] = [];
  let size = 0;
  const flush = async () => {
    if (!part.length) return;
    if (dialect === 'postgres') {
      // in key order: B-tree inserts land next to each other
      const pairs: [string, string][] = [];
      for (const [id, gs] of part) for (const x of gs) pairs.push([x, id]);
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
      await sql`insert into instrument_grams (gram, instrument_id) select * from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[])`.execute(trx);
    } else {
      await sql`insert into instrument_grams (gram, instrument_id) select g.value, i.key from json_each(${JSON.stringify(Object.fromEntries(part))}) i, json_each(i.value) g`.execute(trx);
    }
    part = [];
    size = 0;
  };
  for (const entry of grams) {
    part.push(entry);
    size += entry[1].length;
    if (size >= 50_000) await flush();
  }
  await flush();
}

/** SQLite: the FTS row of an instrument carries the instrument's rowid, so that it can be replaced without a scan. */
async function replaceFts(trx: Db, ids: string[], drop: Set<string>, add: Set<string>) {
  for (const id of ids) {
    if (!drop.has(id)) continue;
    const r = await sql`delete from instrument_fts where rowid = (select rowid from instruments where id = ${id}) and instrument_id = ${id}`.execute(trx);
    // the rowids no longer line up (after a VACUUM, or a deleted instrument): find the row the slow way
    if (Number(r.numAffectedRows ?? 0) === 0) await sql`delete from instrument_fts where instrument_id = ${id}`.execute(trx);
  }
  for (const part of chunks(ids.filter((id) => add.has(id)), CHUNK)) {
    await sql`insert into instrument_fts (rowid, instrument_id, search_text)
      select i.rowid, i.id, i.search_text from instruments i
      where i.id in (${sql.join(part)}) and not exists (select 1 from instrument_fts f where f.rowid = i.rowid)`.execute(trx);
    await sql`insert into instrument_fts (instrument_id, search_text)
      select i.id, i.search_text from instruments i
      where i.id in (${sql.join(part)}) and not exists (select 1 from instrument_fts f where f.rowid = i.rowid and f.instrument_id = i.id)`.execute(trx);
  }
}

/** Rebuilds the search text and structures of many instruments at once (imports, renames, the benchmark). */
export async function reindexInstruments(trx: Db, dialect: SearchDialect, instrumentIds: string[]): Promise<void> {
  const ids = [...new Set(instrumentIds)];
  if (!ids.length) return;
  const changed: string[] = [];
  for (const part of chunks(ids, CHUNK)) {
    const rows = await trx.selectFrom('instruments').innerJoin('organizations', 'organizations.id', 'instruments.orgId')
      .select(['instruments.id', 'instruments.name', 'instruments.nameEn', 'instruments.model', 'instruments.manufacturer', 'instruments.specs',
        'instruments.functions', 'instruments.state', 'instruments.searchText', 'organizations.name as orgName'])
      .where('instruments.id', 'in', part).execute();
    const indexed = await trx.selectFrom('instrumentGrams').select('instrumentId').where('instrumentId', 'in', part).groupBy('instrumentId').execute();
    const wasIndexed = new Set(indexed.map((r) => r.instrumentId));
    const found = new Set(rows.map((r) => r.id));
    const listed = new Set(rows.filter((r) => r.state === 'listed').map((r) => r.id));
    // a deleted instrument leaves its FTS row behind (grams go by cascade)
    const missing = part.filter((id) => !found.has(id));
    changed.push(...new Set([...listed, ...wasIndexed, ...missing]));

    // only what changed is rewritten: a listed instrument whose text stayed (停用, a count …) keeps its rows
    const drop = new Set<string>();
    const add = new Set<string>();
    for (const r of rows) {
      const text = buildSearchText(r);
      const textChanged = text !== r.searchText;
      if (textChanged) await trx.updateTable('instruments').set({ searchText: text }).where('id', '=', r.id).execute();
      r.searchText = text;
      if (wasIndexed.has(r.id) && (textChanged || !listed.has(r.id))) drop.add(r.id);
      if (listed.has(r.id) && (textChanged || !wasIndexed.has(r.id))) add.add(r.id);
    }
    if (drop.size) await trx.deleteFrom('instrumentGrams').where('instrumentId', 'in', [...drop]).execute();
    const grams = new Map<string, string[]>();
    for (const r of rows) if (add.has(r.id)) grams.set(r.id, gramsOf(r.searchText));
    await insertGrams(trx, dialect, grams);
    if (dialect === 'sqlite') {
      for (const id of missing) await sql`delete from instrument_fts where instrument_id = ${id}`.execute(trx);
      await replaceFts(trx, rows.map((r) => r.id), drop, add);
    }
  }
  if (changed.length) await catalogueChanged(trx, changed);
}

/** Rebuilds search_text, the gram rows and (SQLite) the FTS row of one instrument. Call it after every write of an instrument. */
export async function reindexInstrument(trx: Db, dialect: 'sqlite' | 'postgres', instrumentId: string): Promise<void> {
  await reindexInstruments(trx, dialect, [instrumentId]);
}

/** After an organisation is renamed: its name is part of the search text of all its instruments. */
export async function reindexOrganization(trx: Db, dialect: 'sqlite' | 'postgres', orgId: string): Promise<void> {
  // every listed one is named in the catalogue version, so its organisation's new name and city show too
  const rows = await trx.selectFrom('instruments').select('id').where('orgId', '=', orgId).execute();
  await reindexInstruments(trx, dialect, rows.map((r) => r.id));
}
