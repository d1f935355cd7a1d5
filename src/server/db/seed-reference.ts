import { cityBureauName, OUT_OF_PROVINCE, PROVINCE, SHANDONG_CITIES } from '../../domain/reference';
import type { Config } from '../config';
import type { Clock } from '../platform/clock';
import { hashPassword } from '../platform/passwords';
import type { Db } from './connect';
import { newId } from './ids';

/** Reference data every installation needs: cities, the province and 16 city departments, the system administrator. Idempotent. */
export async function seedReference(db: Db, config: Config, clock: Clock) {
  const have = await db.selectFrom('cities').select('code').execute();
  if (have.length === 0) {
    await db.insertInto('cities').values([
      ...SHANDONG_CITIES.map(([code, name], i) => ({ code, name, isInProvince: true, isEnabled: true, sort: i + 1 })),
      { code: OUT_OF_PROVINCE.code, name: OUT_OF_PROVINCE.name, isInProvince: false, isEnabled: true, sort: 99 },
    ]).execute();
  }
  const depts = await db.selectFrom('departments').select('code').execute();
  if (depts.length === 0) {
    await db.insertInto('departments').values([
      { id: newId(), code: PROVINCE.code, name: PROVINCE.department, level: 'province', cityCode: null },
      ...SHANDONG_CITIES.map(([code, name]) => ({ id: newId(), code, name: cityBureauName(name), level: 'city' as const, cityCode: code })),
    ]).execute();
  }
  const admin = await db.selectFrom('users').select('id').where('kind', '=', 'sysadmin').executeTakeFirst();
  if (!admin) {
    const now = clock.now().toISOString();
    await db.insertInto('users').values({
      id: newId(), username: config.ADMIN_USERNAME, mobile: null, email: null, realName: '系统管理员', passwordHash: await hashPassword(config.ADMIN_PASSWORD),
      kind: 'sysadmin', departmentId: null, isDisabled: false, mustChangePassword: false, lockedUntil: null, createdAt: now, updatedAt: now,
    }).execute();
  }
}
