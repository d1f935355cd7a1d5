import { categoryRows } from '../../domain/categories';
import { cityBureauName, OUT_OF_PROVINCE, PROVINCE, SERVICE_FIELDS, SHANDONG_CITIES } from '../../domain/reference';
import type { Config } from '../config';
import type { Clock } from '../platform/clock';
import { hashPassword } from '../platform/passwords';
import type { Db } from './connect';
import { newId } from './ids';

/** Reference data every installation needs: cities, the province and 16 city departments, the system administrator. Idempotent. */
export async function seedReference(db: Db, config: Config, clock: Clock) {
  const have = await db.selectFrom('cities').select('code').execute();
  if (have.length === 0) {
    await db
      .insertInto('cities')
      .values([
        ...SHANDONG_CITIES.map(([code, name], i) => ({ code, name, isInProvince: true, isEnabled: true, sort: i + 1 })),
        { code: OUT_OF_PROVINCE.code, name: OUT_OF_PROVINCE.name, isInProvince: false, isEnabled: true, sort: 99 },
      ])
      .execute();
  }
  const depts = await db.selectFrom('departments').select('code').execute();
  if (depts.length === 0) {
    await db
      .insertInto('departments')
      .values([
        { id: newId(), code: PROVINCE.code, name: PROVINCE.department, level: 'province', cityCode: null },
        ...SHANDONG_CITIES.map(([code, name]) => ({
          id: newId(),
          code,
          name: cityBureauName(name),
          level: 'city' as const,
          cityCode: code,
        })),
      ])
      .execute();
  }
  const cats = await db.selectFrom('categories').select('code').limit(1).execute();
  if (cats.length === 0) {
    await db
      .insertInto('categories')
      .values(
        categoryRows().map((c, i) => ({
          code: c.code,
          name: c.name,
          parentCode: c.parent,
          level: c.level,
          isEnabled: true,
          sort: i,
        })),
      )
      .execute();
  }
  const fields = await db.selectFrom('serviceFields').select('code').limit(1).execute();
  if (fields.length === 0) {
    await db
      .insertInto('serviceFields')
      .values(
        SERVICE_FIELDS.map((name, i) => ({
          code: `F${String(i + 1).padStart(2, '0')}`,
          name,
          isEnabled: true,
          sort: i + 1,
        })),
      )
      .execute();
  }
  const admin = await db.selectFrom('users').select('id').where('kind', '=', 'sysadmin').executeTakeFirst();
  if (!admin) {
    const now = clock.now().toISOString();
    await db
      .insertInto('users')
      .values({
        id: newId(),
        username: config.ADMIN_USERNAME,
        mobile: null,
        email: null,
        realName: '系统管理员',
        passwordHash: await hashPassword(config.ADMIN_PASSWORD),
        kind: 'sysadmin',
        departmentId: null,
        isDisabled: false,
        mustChangePassword: false,
        lockedUntil: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
  }
}
