import crypto from 'node:crypto';
import { usccCheckChar } from '../../domain/uscc';
import type { Clock } from '../platform/clock';
import { hashPassword } from '../platform/passwords';
import type { Db } from './connect';
import { newId } from './ids';

export const DEMO_PASSWORD = 'Demo@2026';

type OrgType = 'enterprise' | 'university' | 'institute' | 'public_institution';
interface DemoOrg { key: string; name: string; type: OrgType; city: string; affiliation: 'city' | 'province'; staff: number; revenueWan: number; small: boolean | null; voucher: boolean | null; address: string; state?: 'approved' | 'pending' }

/** About twenty organisations of Shandong: universities, institutes and enterprises, large and small. */
const ORGS: DemoOrg[] = [
  { key: 'sdu', name: '山东大学', type: 'university', city: '370100', affiliation: 'province', staff: 9800, revenueWan: 0, small: null, voucher: null, address: '济南市历城区山大南路27号' },
  { key: 'ouc', name: '中国海洋大学', type: 'university', city: '370200', affiliation: 'province', staff: 6100, revenueWan: 0, small: null, voucher: null, address: '青岛市崂山区松岭路238号' },
  { key: 'qdu', name: '青岛大学', type: 'university', city: '370200', affiliation: 'province', staff: 4200, revenueWan: 0, small: null, voucher: null, address: '青岛市崂山区宁夏路308号' },
  { key: 'sdau', name: '山东农业大学', type: 'university', city: '370900', affiliation: 'province', staff: 3600, revenueWan: 0, small: null, voucher: null, address: '泰安市岱宗大街61号' },
  { key: 'ytu', name: '烟台大学', type: 'university', city: '370600', affiliation: 'province', staff: 2300, revenueWan: 0, small: null, voucher: null, address: '烟台市莱山区清泉路30号' },
  { key: 'sdatc', name: '山东省分析测试中心', type: 'institute', city: '370100', affiliation: 'province', staff: 260, revenueWan: 0, small: null, voucher: null, address: '济南市历下区科院路19号' },
  { key: 'qibebt', name: '中国科学院青岛生物能源与过程研究所', type: 'institute', city: '370200', affiliation: 'province', staff: 900, revenueWan: 0, small: null, voucher: null, address: '青岛市崂山区松岭路189号' },
  { key: 'saas', name: '山东省农业科学院', type: 'institute', city: '370100', affiliation: 'province', staff: 2400, revenueWan: 0, small: null, voucher: null, address: '济南市历城区工业北路202号' },
  { key: 'sdim', name: '山东省计量科学研究院', type: 'public_institution', city: '370100', affiliation: 'province', staff: 420, revenueWan: 0, small: null, voucher: null, address: '济南市历下区千佛山东路28号' },
  { key: 'zbinst', name: '淄博市检验检测中心', type: 'public_institution', city: '370300', affiliation: 'city', staff: 180, revenueWan: 0, small: null, voucher: null, address: '淄博市张店区华光路366号' },
  { key: 'weichai', name: '潍柴动力股份有限公司', type: 'enterprise', city: '370700', affiliation: 'city', staff: 45000, revenueWan: 20_000_000, small: false, voucher: null, address: '潍坊市高新区福寿东街197号甲' },
  { key: 'inspur', name: '浪潮电子信息产业股份有限公司', type: 'enterprise', city: '370100', affiliation: 'city', staff: 12000, revenueWan: 6_000_000, small: false, voucher: null, address: '济南市高新区浪潮路1036号' },
  { key: 'jnhc', name: '济南华测精密检测技术有限公司', type: 'enterprise', city: '370100', affiliation: 'city', staff: 46, revenueWan: 1800, small: true, voucher: true, address: '济南市历城区华奥路588号' },
  { key: 'qdht', name: '青岛海泰新材料科技有限公司', type: 'enterprise', city: '370200', affiliation: 'city', staff: 85, revenueWan: 5200, small: true, voucher: true, address: '青岛市黄岛区江山南路480号' },
  { key: 'zzky', name: '枣庄康源生物科技有限公司', type: 'enterprise', city: '370400', affiliation: 'city', staff: 32, revenueWan: 960, small: true, voucher: true, address: '枣庄市薛城区光明大道899号' },
  { key: 'lylh', name: '临沂蓝海环保科技有限公司', type: 'enterprise', city: '371300', affiliation: 'city', staff: 58, revenueWan: 2300, small: true, voucher: true, address: '临沂市兰山区蒙河路12号' },
  { key: 'dzjg', name: '德州精工智能装备有限公司', type: 'enterprise', city: '371400', affiliation: 'city', staff: 140, revenueWan: 8800, small: true, voucher: false, address: '德州市德城区天衢东路1188号' },
  { key: 'lchx', name: '聊城华信新材料有限公司', type: 'enterprise', city: '371500', affiliation: 'city', staff: 210, revenueWan: 15000, small: false, voucher: true, address: '聊城市东昌府区东昌东路77号' },
  { key: 'hzmd', name: '菏泽牡丹生物医药有限公司', type: 'enterprise', city: '371700', affiliation: 'city', staff: 75, revenueWan: 3100, small: true, voucher: true, address: '菏泽市牡丹区长江东路2666号' },
  { key: 'wfxc', name: '潍坊星辰光电科技有限公司', type: 'enterprise', city: '370700', affiliation: 'city', staff: 38, revenueWan: 1200, small: true, voucher: true, address: '潍坊市奎文区健康东街6888号', state: 'pending' },
  { key: 'jnyk', name: '济南源康医疗器械有限公司', type: 'enterprise', city: '370100', affiliation: 'city', staff: 27, revenueWan: 640, small: true, voucher: true, address: '济南市槐荫区经十西路3399号', state: 'pending' },
];

/** The demo accounts; the README lists the same. */
export const DEMO_ACCOUNTS = [
  { role: '个人用户 person', login: '13800000001', name: '张伟（未绑定单位）' },
  { role: '单位成员 member', login: '13800000002', name: '李娜 · 山东省分析测试中心' },
  { role: '单位管理员 admin', login: '13800000003', name: '王强 · 山东省分析测试中心' },
  { role: '法人账号 legal', login: 'sdatc / 法人登录', name: '山东省分析测试中心（也可用统一社会信用代码登录）' },
  { role: '企业法人 legal', login: 'jnhc / 法人登录', name: '济南华测精密检测技术有限公司（小微企业）' },
  { role: '市级审核 city', login: 'jinan_kjj', name: '济南市科学技术局' },
  { role: '省级审核 province', login: 'sd_kjt', name: '山东省科学技术厅' },
  { role: '系统管理员 admin', login: 'sysadmin', name: '系统管理员（密码见 ADMIN_PASSWORD，默认 Admin@12345）' },
] as const;

/** A valid USCC made from a name, so that every start makes the same codes. */
export function demoUscc(prefix: '12' | '91' | '52', cityCode: string, seed: string): string {
  const symbols = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const h = crypto.createHash('sha256').update(seed).digest();
  let body = '';
  for (let i = 0; i < 9; i++) body += symbols[h[i] % 31];
  const first17 = `${prefix}${cityCode}${body}`;
  return first17 + usccCheckChar(first17);
}

/** Seeds demo data on the first start only (no organisation yet). Returns whether it seeded. */
export async function seedDemo(db: Db, clock: Clock): Promise<boolean> {
  const any = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  const now = clock.now().toISOString();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const depts = await db.selectFrom('departments').select(['id', 'code']).execute();
  const deptOf = (code: string) => depts.find((d) => d.code === code)!.id;

  await db.transaction().execute(async (trx) => {
    const user = async (u: { username?: string; mobile?: string; realName: string; email?: string; kind?: 'person' | 'department'; departmentId?: string }) => {
      const id = newId();
      await trx.insertInto('users').values({
        id, username: u.username ?? null, mobile: u.mobile ?? null, email: u.email ?? null, realName: u.realName, passwordHash, kind: u.kind ?? 'person',
        departmentId: u.departmentId ?? null, isDisabled: false, mustChangePassword: false, lockedUntil: null, createdAt: now, updatedAt: now,
      }).execute();
      return id;
    };
    const orgIds: Record<string, string> = {};
    for (const o of ORGS) {
      const legalId = await user({ username: o.key, realName: `${o.name}（法人账号）`, email: `${o.key}@example.org.cn` });
      const id = newId();
      orgIds[o.key] = id;
      const state = o.state ?? 'approved';
      const departmentId = deptOf(o.affiliation === 'province' ? '370000' : o.city);
      await trx.insertInto('organizations').values({
        id, name: o.name, uscc: demoUscc(o.type === 'enterprise' ? '91' : '12', o.city, o.key), type: o.type, cityCode: o.city, affiliation: o.affiliation,
        district: null, address: o.address, postalCode: '250000', legalPerson: ['刘建国', '陈志强', '孙丽华', '周明', '吴海涛'][o.key.length % 5], phone: '0531-88' + String(100000 + o.key.length * 7919).slice(-6),
        foundedOn: '2005-06-18', website: `https://www.${o.key}.example.cn`, intro: `${o.name}是山东省大型科学仪器设备协作共用网成员单位，面向社会开放共享大型科研仪器设备。`,
        staffCount: o.staff, revenueFen: o.revenueWan * 1_000_000, isSmallMicro: o.small, isVoucherApplicant: o.voucher, commitmentAcceptedAt: now,
        bankName: '中国工商银行济南分行', bankAccount: '16020' + String(1000000000 + o.key.length * 104729).slice(-10), bankAccountName: o.name,
        liaisonName: '赵敏', liaisonPhone: '1390531' + String(1000 + o.key.length * 37).slice(-4), liaisonEmail: `liaison@${o.key}.example.cn`,
        state, rejectReason: null, departmentId, legalUserId: legalId, pendingChangeJson: null, infoUpdatedAt: state === 'approved' ? now : null,
        submittedAt: now, approvedAt: state === 'approved' ? now : null, createdAt: now, updatedAt: now,
      }).execute();
      await trx.insertInto('memberships').values({ id: newId(), userId: legalId, orgId: id, role: 'legal', createdAt: now }).execute();
      const reviewId = newId();
      await trx.insertInto('reviews').values({
        id: reviewId, subjectKind: 'organization', subjectId: id, orgId: id, title: `单位入网：${o.name}`, state: state === 'approved' ? 'approved' : 'pending', level: 1,
        levelsJson: JSON.stringify([departmentId]), departmentId, canReturn: false, reason: null, submittedBy: legalId, submittedAt: now, updatedAt: now, decidedAt: state === 'approved' ? now : null,
      }).execute();
      await trx.insertInto('reviewEvents').values({ id: newId(), reviewId, subjectKind: 'organization', subjectId: id, actorId: legalId, actorName: `${o.name}（法人账号）`, departmentId: null, action: 'submit', fromState: null, toState: 'pending', level: 1, reason: null, at: now }).execute();
      if (state === 'approved') {
        await trx.insertInto('reviewEvents').values({ id: newId(), reviewId, subjectKind: 'organization', subjectId: id, actorId: null, actorName: '演示数据', departmentId, action: 'approve', fromState: 'pending', toState: 'approved', level: 1, reason: null, at: now }).execute();
      }
    }
    await user({ mobile: '13800000001', realName: '张伟', email: 'zhangwei@example.com' });
    const member = await user({ mobile: '13800000002', realName: '李娜', email: 'lina@example.com' });
    const admin = await user({ mobile: '13800000003', realName: '王强', email: 'wangqiang@example.com' });
    await trx.insertInto('memberships').values([
      { id: newId(), userId: member, orgId: orgIds.sdatc, role: 'member', createdAt: now },
      { id: newId(), userId: admin, orgId: orgIds.sdatc, role: 'admin', createdAt: now },
    ]).execute();
    await user({ username: 'jinan_kjj', realName: '济南市科技局审核员', kind: 'department', departmentId: deptOf('370100') });
    await user({ username: 'sd_kjt', realName: '省科技厅审核员', kind: 'department', departmentId: deptOf('370000') });
  });
  return true;
}
