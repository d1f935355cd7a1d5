/** 预选清单: each person's saved instruments, grouped by the owning organisation. */
import { CART_LIMIT, type CartItemT } from '../../../contracts/cart';
import { ruleBroken } from '../../../domain/errors';
import { isBookable } from '../../../domain/instrument';
import { cityName } from '../../../domain/reference';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';

async function countOf(db: Db, userId: string) {
  const r = await db
    .selectFrom('cartItems')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function view(db: Db, userId: string) {
  const rows = await db
    .selectFrom('cartItems')
    .innerJoin('instruments', 'instruments.id', 'cartItems.instrumentId')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .leftJoin('categories', 'categories.code', 'instruments.categoryCode')
    .select([
      'cartItems.instrumentId',
      'cartItems.createdAt',
      'instruments.name',
      'instruments.nameEn',
      'instruments.model',
      'instruments.manufacturer',
      'instruments.categoryCode',
      'categories.name as categoryName',
      'instruments.valueFen',
      'instruments.serviceCount',
      'instruments.sharingMode',
      'instruments.runStatus',
      'instruments.state',
      'instruments.isDisabled',
      'instruments.orgId',
      'organizations.name as orgName',
      'organizations.cityCode as orgCity',
    ])
    .where('cartItems.userId', '=', userId)
    .orderBy('cartItems.createdAt', 'desc')
    .orderBy('cartItems.id', 'desc')
    .execute();
  const ids = rows.map((r) => r.instrumentId);
  const firstPic = new Map<string, string>();
  if (ids.length) {
    const pics = await db
      .selectFrom('instrumentFiles')
      .select(['instrumentId', 'fileId'])
      .where('instrumentId', 'in', ids)
      .where('kind', '=', 'picture')
      .orderBy('instrumentId')
      .orderBy('sort')
      .orderBy('fileId')
      .execute();
    for (const p of pics) if (!firstPic.has(p.instrumentId)) firstPic.set(p.instrumentId, p.fileId);
  }
  // groups in the order of their newest item; items newest first
  const groups = new Map<string, { orgId: string; orgName: string; cityName: string | null; items: CartItemT[] }>();
  let disabledCount = 0;
  for (const r of rows) {
    let g = groups.get(r.orgId);
    if (!g) groups.set(r.orgId, (g = { orgId: r.orgId, orgName: r.orgName, cityName: cityName(r.orgCity), items: [] }));
    const disabled = !!r.isDisabled || r.state !== 'listed';
    if (disabled) disabledCount++;
    const pic = firstPic.get(r.instrumentId);
    g.items.push({
      instrumentId: r.instrumentId,
      name: r.name,
      nameEn: r.nameEn,
      model: r.model,
      manufacturer: r.manufacturer,
      categoryName: r.categoryName ?? r.categoryCode,
      valueFen: r.valueFen == null ? null : Number(r.valueFen),
      serviceCount: Number(r.serviceCount),
      sharingMode: r.sharingMode,
      runStatus: r.runStatus,
      pictureUrl: pic ? `/api/files/${pic}/thumb` : null,
      isDisabled: disabled,
      isBookable: isBookable(r.state, !!r.isDisabled),
      addedAt: r.createdAt,
    });
  }
  return { groups: [...groups.values()], total: rows.length, disabledCount };
}

/** 加入预选: only listed instruments; ones already in the list are skipped. All or nothing. */
export async function add(db: Db, userId: string, instrumentIds: string[], now: Date) {
  const wanted = [...new Set(instrumentIds)];
  return db.transaction().execute(async (trx) => {
    const listed = await trx
      .selectFrom('instruments')
      .select('id')
      .where('id', 'in', wanted)
      .where('state', '=', 'listed')
      .execute();
    const ok = new Set(listed.map((r) => r.id));
    const refused = wanted.filter((id) => !ok.has(id));
    if (refused.length) {
      throw ruleBroken(
        'INSTRUMENT_NOT_LISTED',
        refused.length === wanted.length
          ? '仪器不存在或尚未入网，不能加入预选清单'
          : `有 ${refused.length} 台仪器不存在或尚未入网，未加入预选清单`,
        { instrumentIds: '包含未入网的仪器' },
      );
    }
    const have = await trx
      .selectFrom('cartItems')
      .select('instrumentId')
      .where('userId', '=', userId)
      .where('instrumentId', 'in', wanted)
      .execute();
    const already = new Set(have.map((r) => r.instrumentId));
    const fresh = wanted.filter((id) => !already.has(id));
    const before = await countOf(trx, userId);
    if (before + fresh.length > CART_LIMIT) {
      throw ruleBroken('CART_FULL', `预选清单最多 ${CART_LIMIT} 台仪器，请先清理`, {
        instrumentIds: `最多 ${CART_LIMIT} 台`,
      });
    }
    // one millisecond apart, so that "newest first" keeps the order in which they were chosen
    const base = now.getTime();
    if (fresh.length) {
      await trx
        .insertInto('cartItems')
        .values(
          fresh.map((instrumentId, k) => ({
            id: newId(),
            userId,
            instrumentId,
            createdAt: new Date(base + k).toISOString(),
          })),
        )
        .onConflict((oc) => oc.columns(['userId', 'instrumentId']).doNothing())
        .execute();
    }
    const total = await countOf(trx, userId);
    return { added: total - before, total };
  });
}

async function removed(db: Db, userId: string, run: () => Promise<{ numDeletedRows: bigint }>) {
  const r = await run();
  return { removed: Number(r.numDeletedRows), total: await countOf(db, userId) };
}

export const removeItem = (db: Db, userId: string, instrumentId: string) =>
  removed(db, userId, () =>
    db
      .deleteFrom('cartItems')
      .where('userId', '=', userId)
      .where('instrumentId', '=', instrumentId)
      .executeTakeFirstOrThrow(),
  );

/** One organisation's group. */
export const removeOrg = (db: Db, userId: string, orgId: string) =>
  removed(db, userId, () =>
    db
      .deleteFrom('cartItems')
      .where('userId', '=', userId)
      .where('instrumentId', 'in', (eb) => eb.selectFrom('instruments').select('id').where('orgId', '=', orgId))
      .executeTakeFirstOrThrow(),
  );

export const clear = (db: Db, userId: string) =>
  removed(db, userId, () => db.deleteFrom('cartItems').where('userId', '=', userId).executeTakeFirstOrThrow());

/** 清除停用仪器: the disabled ones (and any that is no longer listed). */
export const clearDisabled = (db: Db, userId: string) =>
  removed(db, userId, () =>
    db
      .deleteFrom('cartItems')
      .where('userId', '=', userId)
      .where('instrumentId', 'in', (eb) =>
        eb
          .selectFrom('instruments')
          .select('id')
          .where((w) => w.or([w('isDisabled', '=', true), w('state', '!=', 'listed')])),
      )
      .executeTakeFirstOrThrow(),
  );
