/**
 * Reference data (基础数据): instrument categories (the 6-digit tree), service fields, cities and districts.
 * Items can be added and renamed; one that is in use can only be disabled (existing records keep it, new ones
 * cannot pick it). Every change is in the audit log.
 */
import type { FastifyRequest } from 'fastify';
import { badInput, conflict, notFound } from '../../../domain/errors';
import { isUniqueViolation, type Db } from '../../db/connect';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';

export type RefKind = 'categories' | 'fields' | 'cities' | 'districts';
const TABLE = { categories: 'categories', fields: 'serviceFields', cities: 'cities', districts: 'districts' } as const;
const NOUN: Record<RefKind, string> = { categories: '仪器分类', fields: '服务领域', cities: '地市', districts: '区县' };

/** How many records use each code. */
async function usage(db: Db, kind: RefKind): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (rows: { code: string | null; n: number | string | bigint }[]) => {
    for (const r of rows) if (r.code) out.set(r.code, (out.get(r.code) ?? 0) + Number(r.n));
  };
  if (kind === 'categories') {
    add(
      await db
        .selectFrom('instruments')
        .select(['categoryCode as code', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('categoryCode')
        .execute(),
    );
  } else if (kind === 'fields') {
    add(
      await db
        .selectFrom('instrumentFields')
        .select(['fieldCode as code', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('fieldCode')
        .execute(),
    );
  } else if (kind === 'cities') {
    add(
      await db
        .selectFrom('organizations')
        .select(['cityCode as code', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('cityCode')
        .execute(),
    );
    add(
      await db
        .selectFrom('instruments')
        .select(['cityCode as code', (eb) => eb.fn.countAll<number>().as('n')])
        .where('cityCode', 'is not', null)
        .groupBy('cityCode')
        .execute(),
    );
  } else {
    const names = await db.selectFrom('districts').select(['code', 'name']).execute();
    const byName = new Map(names.map((d) => [d.name, d.code]));
    const rows = await db
      .selectFrom('organizations')
      .select(['district', (eb) => eb.fn.countAll<number>().as('n')])
      .where('district', 'is not', null)
      .groupBy('district')
      .execute();
    add(rows.map((r) => ({ code: byName.get(r.district!) ?? null, n: r.n })));
  }
  return out;
}

export async function list(db: Db, kind: RefKind) {
  const used = await usage(db, kind);
  let items: {
    code: string;
    name: string;
    parentCode: string | null;
    level: number | null;
    isEnabled: boolean;
    sort: number;
  }[];
  if (kind === 'categories')
    items = (await db.selectFrom('categories').selectAll().orderBy('sort').orderBy('code').execute()).map((r) => ({
      ...r,
      isEnabled: !!r.isEnabled,
    }));
  else if (kind === 'districts')
    items = (
      await db.selectFrom('districts').selectAll().orderBy('cityCode').orderBy('sort').orderBy('code').execute()
    ).map((r) => ({
      code: r.code,
      name: r.name,
      parentCode: r.cityCode,
      level: null,
      isEnabled: !!r.isEnabled,
      sort: r.sort,
    }));
  else
    items = (
      await db
        .selectFrom(TABLE[kind])
        .select(['code', 'name', 'isEnabled', 'sort'])
        .orderBy('sort')
        .orderBy('code')
        .execute()
    ).map((r) => ({ ...r, parentCode: null, level: null, isEnabled: !!r.isEnabled }));
  // a category is used by its own instruments and by those of the kinds under it
  const usageOf = (code: string) =>
    kind !== 'categories'
      ? (used.get(code) ?? 0)
      : [...used]
          .filter(([c]) =>
            code.endsWith('0000')
              ? c.startsWith(code.slice(0, 2))
              : code.endsWith('00')
                ? c.startsWith(code.slice(0, 4))
                : c === code,
          )
          .reduce((s, [, n]) => s + n, 0);
  return { kind, items: items.map((i) => ({ ...i, usage: usageOf(i.code) })) };
}

function categoryParent(code: string): { parent: string | null; level: number } | null {
  if (!/^\d{6}$/.test(code)) return null;
  if (code.endsWith('0000')) return { parent: null, level: 1 };
  if (code.endsWith('00')) return { parent: `${code.slice(0, 2)}0000`, level: 2 };
  return { parent: `${code.slice(0, 4)}00`, level: 3 };
}

export async function create(
  deps: Deps,
  req: FastifyRequest,
  kind: RefKind,
  b: { code: string; name: string; parentCode?: string | null; sort?: number },
) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const sort = b.sort ?? 1000;
  try {
    await db.transaction().execute(async (trx) => {
      if (kind === 'categories') {
        const p = categoryParent(b.code);
        if (!p)
          throw badInput('REF_INVALID', '仪器分类代码为 6 位数字', {
            code: '6 位数字：大类 2 位、中类 2 位、小类 2 位',
          });
        if (
          p.parent &&
          !(await trx.selectFrom('categories').select('code').where('code', '=', p.parent).executeTakeFirst())
        ) {
          throw badInput('REF_INVALID', `上级分类 ${p.parent} 不存在，请先添加上级分类`, {
            code: `上级分类 ${p.parent} 不存在`,
          });
        }
        await trx
          .insertInto('categories')
          .values({ code: b.code, name: b.name, parentCode: p.parent, level: p.level, isEnabled: true, sort })
          .execute();
      } else if (kind === 'districts') {
        if (
          !b.parentCode ||
          !(await trx.selectFrom('cities').select('code').where('code', '=', b.parentCode).executeTakeFirst())
        )
          throw badInput('REF_INVALID', '请选择所属地市', { parentCode: '请选择所属地市' });
        await trx
          .insertInto('districts')
          .values({ code: b.code, cityCode: b.parentCode, name: b.name, isEnabled: true, sort })
          .execute();
      } else if (kind === 'cities') {
        if (!/^\d{6}$/.test(b.code))
          throw badInput('REF_INVALID', '地市代码为 6 位数字（GB/T 2260）', { code: '6 位数字' });
        await trx
          .insertInto('cities')
          .values({ code: b.code, name: b.name, isInProvince: true, isEnabled: true, sort })
          .execute();
      } else {
        await trx.insertInto('serviceFields').values({ code: b.code, name: b.name, isEnabled: true, sort }).execute();
      }
      await record(trx, ctx, {
        action: `reference.${kind}.create`,
        subjectKind: kind,
        subjectId: b.code,
        detail: { name: b.name, parentCode: b.parentCode ?? null },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw conflict('REF_CODE_TAKEN', `${NOUN[kind]}代码 ${b.code} 已存在`, { code: '代码已存在' });
    throw e;
  }
  return list(db, kind);
}

async function current(db: Db, kind: RefKind, code: string) {
  const row = await db
    .selectFrom(TABLE[kind])
    .select(['code', 'name', 'isEnabled'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!row) throw notFound(NOUN[kind]);
  return row;
}

export async function rename(
  deps: Deps,
  req: FastifyRequest,
  kind: RefKind,
  code: string,
  b: { name: string; sort?: number },
) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const before = await current(db, kind, code);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable(TABLE[kind])
      .set({ name: b.name, ...(b.sort !== undefined ? { sort: b.sort } : {}) })
      .where('code', '=', code)
      .execute();
    if (kind === 'districts')
      await trx.updateTable('organizations').set({ district: b.name }).where('district', '=', before.name).execute();
    await record(trx, ctx, {
      action: `reference.${kind}.rename`,
      subjectKind: kind,
      subjectId: code,
      detail: { from: before.name, to: b.name },
    });
  });
  return list(db, kind);
}

export async function setEnabled(deps: Deps, req: FastifyRequest, kind: RefKind, code: string, enabled: boolean) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const before = await current(db, kind, code);
  if (!!before.isEnabled === enabled)
    throw conflict('REF_UNCHANGED', enabled ? `该${NOUN[kind]}已启用` : `该${NOUN[kind]}已停用`);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable(TABLE[kind]).set({ isEnabled: enabled }).where('code', '=', code).execute();
    await record(trx, ctx, {
      action: `reference.${kind}.${enabled ? 'enable' : 'disable'}`,
      subjectKind: kind,
      subjectId: code,
      detail: { name: before.name },
    });
  });
  return list(db, kind);
}
