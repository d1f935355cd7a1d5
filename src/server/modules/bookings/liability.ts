import { DEFAULT_LIABILITY_TEXT } from '../../../domain/booking';
import type { Db } from '../../db/connect';

export const LIABILITY_KEY = 'booking.liability';

/** The 责任说明 in force: the site setting `booking.liability` ({ text }), or the default text. */
export async function liabilityText(db: Db): Promise<string> {
  const row = await db
    .selectFrom('siteSettings')
    .select('valueJson')
    .where('key', '=', LIABILITY_KEY)
    .executeTakeFirst();
  return liabilityFrom(row?.valueJson);
}

/** The 责任说明 of the setting's stored value (none: the default text), for a statement that read it alongside. */
export function liabilityFrom(valueJson: unknown): string {
  const v = (typeof valueJson === 'string' ? JSON.parse(valueJson) : valueJson) as { text?: string } | null | undefined;
  return v?.text?.trim() ? v.text : DEFAULT_LIABILITY_TEXT;
}

/** 站点设置 → 责任说明: bookings submitted afterwards store the new text; submitted ones keep theirs. */
export async function saveLiabilityText(db: Db, text: string) {
  const valueJson = JSON.stringify({ text });
  await db
    .insertInto('siteSettings')
    .values({ key: LIABILITY_KEY, valueJson })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson }))
    .execute();
}
