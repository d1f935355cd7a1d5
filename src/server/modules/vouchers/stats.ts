/** Totals of claims for the department console: by month, city or provider, of one year. */
import { cityName } from '../../../domain/reference';
import { capYear } from '../../../domain/voucher';
import type { Db } from '../../db/connect';
import type { Actor } from '../../http/actor';
import { stateOf } from './claims';

export async function stats(db: Db, actor: Actor, q: { year?: number; by: 'month' | 'city' | 'provider' }, now: Date) {
  const year = q.year ?? capYear(now);
  let base = db
    .selectFrom('voucherClaims')
    .innerJoin('reviews', 'reviews.id', 'voucherClaims.reviewId')
    .innerJoin('organizations as p', 'p.id', 'voucherClaims.providerOrgId')
    .select([
      'voucherClaims.createdAt',
      'voucherClaims.cityCode',
      'voucherClaims.providerOrgId',
      'p.name as providerName',
      'voucherClaims.amountFen',
      'voucherClaims.paidAt',
      'voucherClaims.isReleased',
      'reviews.state as reviewState',
      'reviews.level as reviewLevel',
    ])
    .where('voucherClaims.year', '=', year);
  // a city bureau sees its city; the province sees all
  if (actor.department?.level === 'city')
    base = base.where('voucherClaims.cityCode', '=', actor.department.cityCode ?? '-');
  const rows = await base.execute();
  const groups = new Map<
    string,
    { key: string; label: string; claims: number; reservedFen: number; approvedFen: number; paidFen: number }
  >();
  const totals = { claims: 0, reservedFen: 0, approvedFen: 0, paidFen: 0 };
  for (const r of rows) {
    const month = new Date(new Date(r.createdAt).getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    const [key, label] =
      q.by === 'month'
        ? [month, month]
        : q.by === 'city'
          ? [r.cityCode, cityName(r.cityCode)]
          : [r.providerOrgId, r.providerName];
    const g = groups.get(key) ?? { key, label, claims: 0, reservedFen: 0, approvedFen: 0, paidFen: 0 };
    const state = stateOf(r);
    const amount = Number(r.amountFen);
    for (const t of [g, totals]) {
      t.claims++;
      if (!r.isReleased) t.reservedFen += amount;
      if (state === 'approved' || state === 'paid') t.approvedFen += amount;
      if (state === 'paid') t.paidFen += amount;
    }
    groups.set(key, g);
  }
  return {
    year,
    by: q.by,
    rows: [...groups.values()].sort((a, b) =>
      q.by === 'month' ? a.key.localeCompare(b.key) : b.reservedFen - a.reservedFen,
    ),
    totals,
  };
}
