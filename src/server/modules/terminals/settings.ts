/** 站点设置 → 物联网监测: the value from which an instrument needs a terminal, and the allowed machine-hour difference. */
import { z } from 'zod';
import type { Db } from '../../db/connect';

export const TERMINAL_SETTINGS_KEY = 'terminals';

export const TerminalSettings = z.strictObject({
  /** instruments worth this much or more need a terminal (fen); Shandong 2024: ¥300,000 */
  thresholdFen: z.number().int().min(0).max(1_000_000_000_000),
  /** registered machine hours that differ from the measured ones by more than this share are flagged */
  marginPercent: z.number().int().min(0).max(1000),
});
export type TerminalSettingsT = z.infer<typeof TerminalSettings>;

export const DEFAULT_TERMINAL_SETTINGS: TerminalSettingsT = { thresholdFen: 30_000_000, marginPercent: 20 };

export async function terminalSettings(db: Db): Promise<TerminalSettingsT> {
  const row = await db
    .selectFrom('siteSettings')
    .select('valueJson')
    .where('key', '=', TERMINAL_SETTINGS_KEY)
    .executeTakeFirst();
  const v = (typeof row?.valueJson === 'string' ? JSON.parse(row.valueJson) : row?.valueJson) as
    Partial<TerminalSettingsT> | undefined;
  return { ...DEFAULT_TERMINAL_SETTINGS, ...v };
}

export async function saveTerminalSettings(db: Db, value: TerminalSettingsT) {
  const valueJson = JSON.stringify(value);
  await db
    .insertInto('siteSettings')
    .values({ key: TERMINAL_SETTINGS_KEY, valueJson })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson }))
    .execute();
  return terminalSettings(db);
}
