/**
 * The instruments of a booking: those asked for, checked (they exist, are listed and enabled, belong to one
 * organisation, and not the caller's), with the names the refusals give.
 */
import { ruleBroken } from '../../../domain/errors';
import { isBookable } from '../../../domain/instrument';
import type { Db } from '../../db/connect';

export interface Picked {
  id: string;
  name: string;
  orgId: string;
  orgName: string;
  state: string;
  isDisabled: boolean;
}

/**
 * The instruments asked for, checked: they exist and are listed and enabled, they belong to one organisation, and
 * that organisation is not the caller's. Refusals name the instruments.
 */
export async function pickInstruments(
  db: Db,
  ids: string[],
  consumerOrgId: string,
): Promise<{ providerOrgId: string; providerName: string; rows: Picked[] }> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await db
        .selectFrom('instruments')
        .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
        .select([
          'instruments.id',
          'instruments.name',
          'instruments.orgId',
          'organizations.name as orgName',
          'instruments.state',
          'instruments.isDisabled',
        ])
        .where('instruments.id', 'in', unique)
        .execute()
    : [];
  return checkPicked(unique, rows, consumerOrgId);
}

/** The checks of pickInstruments on rows already read (`rows` holds the instruments of `unique` that exist). */
export function checkPicked(
  unique: string[],
  rows: (Omit<Picked, 'isDisabled'> & { isDisabled: unknown })[],
  consumerOrgId: string,
): { providerOrgId: string; providerName: string; rows: Picked[] } {
  const byId = new Map(rows.map((r) => [r.id, { ...r, isDisabled: !!r.isDisabled }]));
  const missing = unique.filter((id) => {
    const r = byId.get(id);
    return !r || r.state !== 'listed';
  });
  if (missing.length)
    throw ruleBroken('INSTRUMENT_NOT_LISTED', '所选仪器不存在或尚未入网，请重新选择', {
      instruments: '所选仪器不存在或尚未入网',
    });
  const picked = unique.map((id) => byId.get(id)!);
  const orgs = [...new Set(picked.map((r) => r.orgId))];
  if (orgs.length > 1) {
    const names = [...new Set(picked.map((r) => r.orgName))].join('、');
    throw ruleBroken(
      'BOOKING_MIXED_PROVIDERS',
      `一个预约单只能预约同一单位的仪器（所选仪器分属：${names}），请按单位分别预约`,
      { instruments: '只能添加同一单位的仪器' },
    );
  }
  const disabled = picked.filter((r) => !isBookable(r.state as 'listed', r.isDisabled));
  if (disabled.length)
    throw ruleBroken('INSTRUMENT_DISABLED', `仪器已停用，不能预约：${disabled.map((r) => r.name).join('、')}`, {
      instruments: '包含已停用的仪器',
    });
  if (orgs[0] === consumerOrgId)
    throw ruleBroken('BOOKING_OWN_ORG', '不能预约本单位的仪器', { instruments: '不能预约本单位的仪器' });
  return { providerOrgId: orgs[0], providerName: picked[0].orgName, rows: picked };
}
