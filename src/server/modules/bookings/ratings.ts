/** 用户评价 on an instrument's public page: the distribution of stars and the latest comments, names masked. */
import { notFound } from '../../../domain/errors';
import type { Db } from '../../db/connect';

/** The consumer's name on a public comment: the first characters only. */
const masked = (name: string) => `${[...name].slice(0, 2).join('')}****`;

export async function ratings(db: Db, instrumentId: string) {
  const inst = await db
    .selectFrom('instruments')
    .select(['state', 'ratingSum', 'ratingCount'])
    .where('id', '=', instrumentId)
    .executeTakeFirst();
  if (!inst || inst.state !== 'listed') throw notFound('仪器');
  const base = db
    .selectFrom('bookingRatings')
    .innerJoin('bookingItems', 'bookingItems.bookingId', 'bookingRatings.bookingId')
    .where('bookingItems.instrumentId', '=', instrumentId);
  const [dist, recent] = await Promise.all([
    base
      .select(['bookingRatings.stars', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('bookingRatings.stars')
      .execute(),
    base
      .innerJoin('bookings', 'bookings.id', 'bookingRatings.bookingId')
      .innerJoin('organizations', 'organizations.id', 'bookings.consumerOrgId')
      .select(['bookingRatings.stars', 'bookingRatings.comment', 'bookingRatings.createdAt', 'organizations.name'])
      .orderBy('bookingRatings.createdAt', 'desc')
      .limit(5)
      .execute(),
  ]);
  const distribution = [0, 0, 0, 0, 0];
  for (const d of dist) distribution[d.stars - 1] = Number(d.n);
  const count = Number(inst.ratingCount);
  return {
    average: count ? Math.round((Number(inst.ratingSum) / count) * 10) / 10 : null,
    count,
    distribution,
    recent: recent.map((r) => ({ stars: r.stars, comment: r.comment, orgName: masked(r.name), at: r.createdAt })),
  };
}
