import { DEFAULT_LIABILITY_TEXT } from '../../../domain/booking';
import type { Db } from '../../db/connect';

export const LIABILITY_KEY = 'booking.liability';

/** The 责任说明 in force: the site setting `booking.liability` ({ text }), or the default text. */
export async function liabilityText(db: Db): Promise<string> {
  const row = await db.selectFrom('siteSettings').select('valueJson').where('key', '=', LIABILITY_KEY).executeTakeFirst();
  const v = (typeof row?.valueJson === 'string' ? JSON.parse(row.valueJson) : row?.valueJson) as { text?: string } | undefined;
  return v?.text?.trim() ? v.text : DEFAULT_LIABILITY_TEXT;
}
