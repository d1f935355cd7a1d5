/**
 * The statistics' marks in stats_feed, one row per source: the feeds' watermarks ('bookings', 'usage',
 * 'instruments'), what each year's idle list was computed with ('idle:<year>') and the version of the aggregates
 * ('version', which a dashboard's kept answer is checked against).
 */
import type { Db } from '../../db/connect';

export async function readMark(db: Db, source: string): Promise<string | undefined> {
  return (await db.selectFrom('statsFeed').select('watermark').where('source', '=', source).executeTakeFirst())
    ?.watermark;
}
export async function writeMark(db: Db, source: string, watermark: string, nowIso: string) {
  await db
    .insertInto('statsFeed')
    .values({ source, watermark, refreshedAt: nowIso })
    .onConflict((oc) => oc.column('source').doUpdateSet({ watermark, refreshedAt: nowIso }))
    .execute();
}

/**
 * The version of the aggregates: moved by every pass that changed something, a rebuild and a change of the settings.
 * A dashboard's answer is kept while the version stays (queries.ts).
 */
export const statsVersion = async (db: Db) => (await readMark(db, 'version')) ?? '';
export const bumpStatsVersion = (db: Db, now: Date) => writeMark(db, 'version', now.toISOString(), now.toISOString());
