/** Settings of the sharing evaluation, kept as one row of the site settings (key 'stats.settings'). */
import { z } from 'zod';
import { DEFAULT_QUOTA } from '../../../domain/sharing-indicators';
import type { Db } from '../../db/connect';

export const StatsSettings = z.strictObject({
  /** 定额机时 per year */
  generalQuotaHours: z.number().int().min(1).max(8784),
  specialQuotaHours: z.number().int().min(1).max(8784),
  /** category prefixes (2–6 digits) whose instruments are 专用 (special) */
  specialCategoryPrefixes: z.array(z.string().regex(/^\d{2,6}$/, '分类代码为 2–6 位数字')).max(50),
  /** idle: running hours below this share of the quota (basis points) … */
  idleThresholdBp: z.number().int().min(0).max(10_000),
  /** … and no booking in this many months */
  idleMonths: z.number().int().min(1).max(36),
});
export type StatsSettingsT = z.infer<typeof StatsSettings>;

export const DEFAULT_SETTINGS: StatsSettingsT = {
  generalQuotaHours: DEFAULT_QUOTA.generalHours,
  specialQuotaHours: DEFAULT_QUOTA.specialHours,
  specialCategoryPrefixes: ['10', '11'],
  idleThresholdBp: 1000,
  idleMonths: 6,
};
const KEY = 'stats.settings';

export async function statsSettings(db: Db): Promise<StatsSettingsT> {
  const row = await db.selectFrom('siteSettings').select('valueJson').where('key', '=', KEY).executeTakeFirst();
  const stored = typeof row?.valueJson === 'string' ? JSON.parse(row.valueJson) : (row?.valueJson ?? {});
  return { ...DEFAULT_SETTINGS, ...(stored as Partial<StatsSettingsT>) };
}

export async function saveStatsSettings(db: Db, value: StatsSettingsT) {
  const json = JSON.stringify(value);
  await db
    .insertInto('siteSettings')
    .values({ key: KEY, valueJson: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson: json }))
    .execute();
  return statsSettings(db);
}

export const isSpecialCategory = (s: StatsSettingsT, categoryCode: string) =>
  s.specialCategoryPrefixes.some((p) => categoryCode.startsWith(p));
export const quotaOf = (s: StatsSettingsT) => ({
  generalHours: s.generalQuotaHours,
  specialHours: s.specialQuotaHours,
});
