import crypto from 'node:crypto';
import { PostgresAdapter } from 'kysely';
import { usccCheckChar } from '../../domain/uscc';
import { generateDemo } from '../../../scripts/generate';
import { reindexInstruments } from '../modules/catalogue/indexer';
import type { Clock } from '../platform/clock';
import { hashPassword } from '../platform/passwords';
import type { Db } from './connect';
import { newId } from './ids';

export const DEMO_PASSWORD = 'Demo@2026';

type OrgType = 'enterprise' | 'university' | 'institute' | 'public_institution';
interface DemoOrg {
  key: string;
  name: string;
  type: OrgType;
  city: string;
  affiliation: 'city' | 'province';
  staff: number;
  revenueWan: number;
  small: boolean | null;
  voucher: boolean | null;
  address: string;
  state?: 'approved' | 'pending';
}

/** About twenty organisations of Shandong: universities, institutes and enterprises, large and small. */
export const ORGS: DemoOrg[] = [
  {
    key: 'sdu',
    name: '山东大学',
    type: 'university',
    city: '370100',
    affiliation: 'province',
    staff: 9800,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '济南市历城区山大南路27号',
  },
  {
    key: 'ouc',
    name: '中国海洋大学',
    type: 'university',
    city: '370200',
    affiliation: 'province',
    staff: 6100,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '青岛市崂山区松岭路238号',
  },
  {
    key: 'qdu',
    name: '青岛大学',
    type: 'university',
    city: '370200',
    affiliation: 'province',
    staff: 4200,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '青岛市崂山区宁夏路308号',
  },
  {
    key: 'sdau',
    name: '山东农业大学',
    type: 'university',
    city: '370900',
    affiliation: 'province',
    staff: 3600,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '泰安市岱宗大街61号',
  },
  {
    key: 'ytu',
    name: '烟台大学',
    type: 'university',
    city: '370600',
    affiliation: 'province',
    staff: 2300,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '烟台市莱山区清泉路30号',
  },
  {
    key: 'sdatc',
    name: '山东省分析测试中心',
    type: 'institute',
    city: '370100',
    affiliation: 'province',
    staff: 260,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '济南市历下区科院路19号',
  },
  {
    key: 'qibebt',
    name: '中国科学院青岛生物能源与过程研究所',
    type: 'institute',
    city: '370200',
    affiliation: 'province',
    staff: 900,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '青岛市崂山区松岭路189号',
  },
  {
    key: 'saas',
    name: '山东省农业科学院',
    type: 'institute',
    city: '370100',
    affiliation: 'province',
    staff: 2400,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '济南市历城区工业北路202号',
  },
  {
    key: 'sdim',
    name: '山东省计量科学研究院',
    type: 'public_institution',
    city: '370100',
    affiliation: 'province',
    staff: 420,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '济南市历下区千佛山东路28号',
  },
  {
    key: 'zbinst',
    name: '淄博市检验检测中心',
    type: 'public_institution',
    city: '370300',
    affiliation: 'city',
    staff: 180,
    revenueWan: 0,
    small: null,
    voucher: null,
    address: '淄博市张店区华光路366号',
  },
  {
    key: 'weichai',
    name: '潍柴动力股份有限公司',
    type: 'enterprise',
    city: '370700',
    affiliation: 'city',
    staff: 45000,
    revenueWan: 20_000_000,
    small: false,
    voucher: null,
    address: '潍坊市高新区福寿东街197号甲',
  },
  {
    key: 'inspur',
    name: '浪潮电子信息产业股份有限公司',
    type: 'enterprise',
    city: '370100',
    affiliation: 'city',
    staff: 12000,
    revenueWan: 6_000_000,
    small: false,
    voucher: null,
    address: '济南市高新区浪潮路1036号',
  },
  {
    key: 'jnhc',
    name: '济南华测精密检测技术有限公司',
    type: 'enterprise',
    city: '370100',
    affiliation: 'city',
    staff: 46,
    revenueWan: 1800,
    small: true,
    voucher: true,
    address: '济南市历城区华奥路588号',
  },
  {
    key: 'qdht',
    name: '青岛海泰新材料科技有限公司',
    type: 'enterprise',
    city: '370200',
    affiliation: 'city',
    staff: 85,
    revenueWan: 5200,
    small: true,
    voucher: true,
    address: '青岛市黄岛区江山南路480号',
  },
  {
    key: 'zzky',
    name: '枣庄康源生物科技有限公司',
    type: 'enterprise',
    city: '370400',
    affiliation: 'city',
    staff: 32,
    revenueWan: 960,
    small: true,
    voucher: true,
    address: '枣庄市薛城区光明大道899号',
  },
  {
    key: 'lylh',
    name: '临沂蓝海环保科技有限公司',
    type: 'enterprise',
    city: '371300',
    affiliation: 'city',
    staff: 58,
    revenueWan: 2300,
    small: true,
    voucher: true,
    address: '临沂市兰山区蒙河路12号',
  },
  {
    key: 'dzjg',
    name: '德州精工智能装备有限公司',
    type: 'enterprise',
    city: '371400',
    affiliation: 'city',
    staff: 140,
    revenueWan: 8800,
    small: true,
    voucher: false,
    address: '德州市德城区天衢东路1188号',
  },
  {
    key: 'lchx',
    name: '聊城华信新材料有限公司',
    type: 'enterprise',
    city: '371500',
    affiliation: 'city',
    staff: 210,
    revenueWan: 15000,
    small: false,
    voucher: true,
    address: '聊城市东昌府区东昌东路77号',
  },
  {
    key: 'hzmd',
    name: '菏泽牡丹生物医药有限公司',
    type: 'enterprise',
    city: '371700',
    affiliation: 'city',
    staff: 75,
    revenueWan: 3100,
    small: true,
    voucher: true,
    address: '菏泽市牡丹区长江东路2666号',
  },
  {
    key: 'wfxc',
    name: '潍坊星辰光电科技有限公司',
    type: 'enterprise',
    city: '370700',
    affiliation: 'city',
    staff: 38,
    revenueWan: 1200,
    small: true,
    voucher: true,
    address: '潍坊市奎文区健康东街6888号',
    state: 'pending',
  },
  {
    key: 'jnyk',
    name: '济南源康医疗器械有限公司',
    type: 'enterprise',
    city: '370100',
    affiliation: 'city',
    staff: 27,
    revenueWan: 640,
    small: true,
    voucher: true,
    address: '济南市槐荫区经十西路3399号',
    state: 'pending',
  },
];

/** The demo identities of the local provider (`npm run idp`, issue 13): 李娜's is linked to her account. */
export const DEMO_IDENTITY = { provider: 'province', memberSubject: 'p-lina' } as const;

/** The demo accounts; the README lists the same. */
export const DEMO_ACCOUNTS = [
  { role: '个人用户 person', login: '13800000001', name: '张伟（未绑定单位）' },
  { role: '单位成员 member', login: '13800000002', name: '李娜 · 山东省分析测试中心' },
  { role: '单位管理员 admin', login: '13800000003', name: '王强 · 山东省分析测试中心' },
  { role: '法人账号 legal', login: 'sdatc / 法人登录', name: '山东省分析测试中心（也可用统一社会信用代码登录）' },
  { role: '企业法人 legal', login: 'jnhc / 法人登录', name: '济南华测精密检测技术有限公司（小微企业）' },
  { role: '市级审核 city', login: 'jinan_kjj', name: '济南市科学技术局' },
  { role: '省级审核 province', login: 'sd_kjt', name: '山东省科学技术厅' },
  {
    role: '统一身份认证 person',
    login: 'zhaomin / 个人登录',
    name: '赵敏（npm run idp 的身份，未绑定单位；sunli 同）',
  },
  { role: '统一身份认证 member', login: 'lina / 个人登录', name: '李娜（已关联 13800000002）' },
  {
    role: '统一身份认证 legal',
    login: 'sdatc… / 法人登录',
    name: '各演示单位的法人（单位简称或统一社会信用代码）；newco 未入网',
  },
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
    const user = async (u: {
      username?: string;
      mobile?: string;
      realName: string;
      email?: string;
      kind?: 'person' | 'department';
      departmentId?: string;
    }) => {
      const id = newId();
      await trx
        .insertInto('users')
        .values({
          id,
          username: u.username ?? null,
          mobile: u.mobile ?? null,
          email: u.email ?? null,
          realName: u.realName,
          passwordHash,
          kind: u.kind ?? 'person',
          departmentId: u.departmentId ?? null,
          isDisabled: false,
          mustChangePassword: false,
          lockedUntil: null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      return id;
    };
    const orgIds: Record<string, string> = {};
    const seedOrgs: SeedOrg[] = [];
    const createdBy: Record<string, string> = {};
    for (const o of ORGS) {
      const legalId = await user({
        username: o.key,
        realName: `${o.name}（法人账号）`,
        email: `${o.key}@example.org.cn`,
      });
      const id = newId();
      orgIds[o.key] = id;
      createdBy[o.key] = legalId;
      const state = o.state ?? 'approved';
      const departmentId = deptOf(o.affiliation === 'province' ? '370000' : o.city);
      if (state === 'approved')
        seedOrgs.push({ id, key: o.key, name: o.name, city: o.city, address: o.address, departmentId });
      await trx
        .insertInto('organizations')
        .values({
          id,
          name: o.name,
          uscc: demoUscc(o.type === 'enterprise' ? '91' : '12', o.city, o.key),
          type: o.type,
          cityCode: o.city,
          affiliation: o.affiliation,
          district: null,
          address: o.address,
          postalCode: '250000',
          legalPerson: ['刘建国', '陈志强', '孙丽华', '周明', '吴海涛'][o.key.length % 5],
          phone: '0531-88' + String(100000 + o.key.length * 7919).slice(-6),
          foundedOn: '2005-06-18',
          website: `https://www.${o.key}.example.cn`,
          intro: `${o.name}是山东省大型科学仪器设备协作共用网成员单位，面向社会开放共享大型科研仪器设备。`,
          staffCount: o.staff,
          revenueFen: o.revenueWan * 1_000_000,
          isSmallMicro: o.small,
          isVoucherApplicant: o.voucher,
          commitmentAcceptedAt: now,
          bankName: '中国工商银行济南分行',
          bankAccount: '16020' + String(1000000000 + o.key.length * 104729).slice(-10),
          bankAccountName: o.name,
          liaisonName: '赵敏',
          liaisonPhone: '1390531' + String(1000 + o.key.length * 37).slice(-4),
          liaisonEmail: `liaison@${o.key}.example.cn`,
          state,
          rejectReason: null,
          departmentId,
          legalUserId: legalId,
          pendingChangeJson: null,
          infoUpdatedAt: state === 'approved' ? now : null,
          submittedAt: now,
          approvedAt: state === 'approved' ? now : null,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await trx
        .insertInto('memberships')
        .values({ id: newId(), userId: legalId, orgId: id, role: 'legal', createdAt: now })
        .execute();
      const reviewId = newId();
      await trx
        .insertInto('reviews')
        .values({
          id: reviewId,
          subjectKind: 'organization',
          subjectId: id,
          orgId: id,
          title: `单位入网：${o.name}`,
          state: state === 'approved' ? 'approved' : 'pending',
          level: 1,
          levelsJson: JSON.stringify([departmentId]),
          departmentId,
          canReturn: false,
          reason: null,
          submittedBy: legalId,
          submittedAt: now,
          updatedAt: now,
          decidedAt: state === 'approved' ? now : null,
        })
        .execute();
      await trx
        .insertInto('reviewEvents')
        .values({
          id: newId(),
          reviewId,
          subjectKind: 'organization',
          subjectId: id,
          actorId: legalId,
          actorName: `${o.name}（法人账号）`,
          departmentId: null,
          action: 'submit',
          fromState: null,
          toState: 'pending',
          level: 1,
          reason: null,
          at: now,
        })
        .execute();
      if (state === 'approved') {
        await trx
          .insertInto('reviewEvents')
          .values({
            id: newId(),
            reviewId,
            subjectKind: 'organization',
            subjectId: id,
            actorId: null,
            actorName: '演示数据',
            departmentId,
            action: 'approve',
            fromState: 'pending',
            toState: 'approved',
            level: 1,
            reason: null,
            at: now,
          })
          .execute();
      }
    }
    await user({ mobile: '13800000001', realName: '张伟', email: 'zhangwei@example.com' });
    const member = await user({ mobile: '13800000002', realName: '李娜', email: 'lina@example.com' });
    // 李娜 linked her unified identity once (issue 13): `npm run idp`'s `lina` logs into this account
    await trx
      .insertInto('externalIdentities')
      .values({
        id: newId(),
        provider: DEMO_IDENTITY.provider,
        subject: DEMO_IDENTITY.memberSubject,
        userId: member,
        kind: 'person',
        idCardHash: null,
        uscc: null,
        orgName: null,
        createdAt: now,
        lastLoginAt: null,
      })
      .execute();
    const admin = await user({ mobile: '13800000003', realName: '王强', email: 'wangqiang@example.com' });
    await trx
      .insertInto('memberships')
      .values([
        { id: newId(), userId: member, orgId: orgIds.sdatc, role: 'member', createdAt: now },
        { id: newId(), userId: admin, orgId: orgIds.sdatc, role: 'admin', createdAt: now },
      ])
      .execute();
    await user({
      username: 'jinan_kjj',
      realName: '济南市科技局审核员',
      kind: 'department',
      departmentId: deptOf('370100'),
    });
    await user({ username: 'sd_kjt', realName: '省科技厅审核员', kind: 'department', departmentId: deptOf('370000') });
    await seedInstruments(trx, seedOrgs, { ...createdBy, sdatc: admin }, now);
  });
  return true;
}

// ------------------------------------------------------------------ demo instruments

/** [name, English name, category, model, manufacturer, country, value in 万元, specs, functions, service content, fee, service fields] */
type Kind = [string, string, string, string, string, string, number, string, string, string, string, string[]];

/** Real kinds of large instruments with their usual makers and models. */
const KINDS: Record<string, Kind> = {
  sem: [
    '场发射扫描电子显微镜',
    'Field Emission Scanning Electron Microscope',
    '010102',
    'SU8010',
    '日立高新技术公司',
    '日本',
    380,
    '二次电子分辨率 1.0 nm（15 kV）、1.3 nm（1 kV）；加速电压 0.1～30 kV；放大倍数 20～800,000×；配牛津 X-Max 80 能谱仪',
    '材料表面微观形貌观察；配合能谱仪进行微区元素定性与半定量分析',
    '金属、陶瓷、高分子、矿物及生物样品的形貌表征与微区成分分析',
    '形貌观察 300 元/小时；能谱分析 200 元/点',
    ['F03', 'F02'],
  ],
  sem2: [
    '扫描电子显微镜',
    'Scanning Electron Microscope',
    '010102',
    'Sigma 300',
    '卡尔蔡司股份公司',
    '德国',
    260,
    '分辨率 1.2 nm（15 kV）；加速电压 0.02～30 kV；可变气压模式 2～133 Pa；配 EBSD 探头',
    '高分辨形貌观察、背散射电子成像、电子背散射衍射（EBSD）织构分析',
    '金属材料断口分析、涂层截面观察、晶粒取向与织构分析',
    '250 元/小时；EBSD 400 元/样',
    ['F03', 'F02'],
  ],
  tem: [
    '透射电子显微镜',
    'Transmission Electron Microscope',
    '010101',
    'JEM-2100F',
    '日本电子株式会社',
    '日本',
    1350,
    '点分辨率 0.23 nm，线分辨率 0.102 nm；加速电压 200 kV；STEM 分辨率 0.2 nm；配 EDS 与 GIF 能量过滤器',
    '高分辨晶格像、选区电子衍射、STEM-HAADF 成像、EDS 元素面分布',
    '纳米材料、催化剂、金属及合金的微观结构表征',
    '高分辨成像 800 元/小时；样品制备另计',
    ['F03'],
  ],
  tem2: [
    '场发射透射电子显微镜',
    'Field Emission Transmission Electron Microscope',
    '010101',
    'Talos F200X',
    '赛默飞世尔科技公司',
    '美国',
    1680,
    '加速电压 80～200 kV；STEM 分辨率 0.16 nm；Super-X 四探头能谱，立体角 0.9 sr',
    '原子尺度成像、快速 EDS 元素面分布、三维重构',
    '能源材料、催化剂、半导体器件的结构与成分分析',
    '1000 元/小时',
    ['F03', 'F01'],
  ],
  fib: [
    '聚焦离子束-扫描电镜双束系统',
    'Dual Beam FIB-SEM',
    '010104',
    'Helios G4 UX',
    '赛默飞世尔科技公司',
    '美国',
    1780,
    '电子束分辨率 0.6 nm（2～15 kV）；离子束分辨率 4.0 nm（30 kV）；配气体注入系统与纳米机械手',
    'TEM 薄片制备、截面加工、三维切片重构、微纳加工',
    '半导体失效分析、透射样品定点制备、微纳结构加工',
    '1200 元/小时',
    ['F01', 'F03'],
  ],
  epma: [
    '电子探针显微分析仪',
    'Electron Probe Microanalyzer',
    '010103',
    'EPMA-1720H',
    '岛津企业管理（中国）有限公司',
    '日本',
    900,
    '5 道波谱仪；元素分析范围 B～U；二次电子分辨率 5 nm；检出限 ≤ 100 ppm',
    '微区元素定量分析、线扫描与面分布',
    '矿物、冶金、地质样品的微区成分定量',
    '600 元/小时',
    ['F03'],
  ],
  lcms: [
    '液相色谱-质谱联用仪',
    'Liquid Chromatograph Mass Spectrometer',
    '010205',
    'Agilent 6545 Q-TOF',
    '安捷伦科技有限公司',
    '美国',
    420,
    '质量分辨率 ≥ 40,000；质量精度 < 1 ppm；质量范围 m/z 20～10,000；采集速率 50 谱/秒',
    '未知物精确质量测定、代谢组学与药物杂质鉴定',
    '药物、食品、环境样品中有机物的定性与定量分析',
    '600 元/样',
    ['F05', 'F09'],
  ],
  lcms2: [
    '超高效液相色谱-三重四极杆质谱联用仪',
    'UPLC-MS/MS',
    '010205',
    'Xevo TQ-XS',
    '沃特世科技（上海）有限公司',
    '美国',
    380,
    '质量范围 m/z 2～2,048；MRM 通道 ≥ 32,768；正负切换 15 ms',
    '痕量目标物定量分析、多残留筛查',
    '农兽药残留、真菌毒素、药物浓度测定',
    '400 元/样',
    ['F09', 'F07'],
  ],
  lcms3: [
    '高分辨液相色谱-质谱联用仪',
    'Orbitrap LC-MS',
    '010205',
    'Orbitrap Exploris 480',
    '赛默飞世尔科技公司',
    '美国',
    650,
    '分辨率 480,000（m/z 200）；质量精度 < 1 ppm（内标）；扫描速度 40 Hz',
    '蛋白质组学、代谢组学、海洋天然产物结构鉴定',
    '蛋白鉴定与定量、小分子结构解析',
    '800 元/样',
    ['F04', 'F05'],
  ],
  gcms: [
    '气相色谱-质谱联用仪',
    'Gas Chromatograph Mass Spectrometer',
    '010204',
    'GCMS-QP2020 NX',
    '岛津企业管理（中国）有限公司',
    '日本',
    150,
    '质量范围 m/z 1.5～1,090；扫描速度 20,000 u/s；EI 灵敏度 1 pg OFN S/N ≥ 1,500',
    '挥发性与半挥发性有机物定性定量分析',
    '环境有机污染物、香精香料、溶剂残留检测',
    '350 元/样',
    ['F08', 'F09'],
  ],
  gcms2: [
    '气相色谱-质谱联用仪',
    'GC-MS',
    '010204',
    '8890-5977B',
    '安捷伦科技有限公司',
    '美国',
    120,
    '质量范围 m/z 1.6～1,050；配顶空进样器与热脱附装置',
    'VOCs 与半挥发性有机物分析',
    '室内空气、土壤及水质有机物检测',
    '300 元/样',
    ['F08'],
  ],
  icpms: [
    '电感耦合等离子体质谱仪',
    'ICP-MS',
    '010202',
    'iCAP RQ',
    '赛默飞世尔科技公司',
    '美国',
    210,
    '质量范围 4～290 amu；检出限 ng/L 级；配 QCell 碰撞反应池',
    '痕量及超痕量元素分析、同位素比值测定',
    '海水、沉积物、生物样品中重金属与微量元素测定',
    '40 元/元素，200 元起',
    ['F04', 'F08'],
  ],
  icpms2: [
    '电感耦合等离子体质谱仪',
    'ICP-MS',
    '010202',
    '7900',
    '安捷伦科技有限公司',
    '美国',
    230,
    '检出限 < 1 ng/L（多数元素）；线性动态范围 11 个数量级；He 模式碰撞池',
    '多元素同时快速测定',
    '食品、药品、环境样品中元素杂质检测',
    '50 元/元素',
    ['F09', 'F05'],
  ],
  icpoes: [
    '电感耦合等离子体发射光谱仪',
    'ICP-OES',
    '010402',
    'Avio 500',
    '珀金埃尔默仪器（上海）有限公司',
    '美国',
    110,
    '波长范围 163～782 nm；双向观测；检出限 μg/L 级',
    '常量及微量元素同时测定',
    '金属材料、化工产品、土壤中多元素测定',
    '30 元/元素',
    ['F06', 'F08'],
  ],
  irms: [
    '稳定同位素比质谱仪',
    'Isotope Ratio Mass Spectrometer',
    '010203',
    'Delta V Advantage',
    '赛默飞世尔科技公司',
    '德国',
    320,
    'δ13C 精度 ≤ 0.06‰；δ15N 精度 ≤ 0.15‰；配元素分析仪与气相色谱接口',
    'C、N、O、H、S 稳定同位素比值测定',
    '海洋生态、食品溯源、地球化学研究',
    '150 元/样',
    ['F04', 'F09'],
  ],
  maldi: [
    '基质辅助激光解吸电离飞行时间质谱仪',
    'MALDI-TOF MS',
    '010201',
    'autoflex maX',
    '布鲁克（北京）科技有限公司',
    '德国',
    400,
    '质量范围 m/z 1～500,000；反射模式分辨率 ≥ 26,000；激光频率 2 kHz',
    '蛋白质、多肽、聚合物分子量测定与微生物鉴定',
    '生物大分子分子量测定、合成聚合物表征',
    '300 元/样',
    ['F05', 'F03'],
  ],
  xrd: [
    'X射线衍射仪',
    'X-ray Diffractometer',
    '010301',
    'SmartLab 9kW',
    '日本理学株式会社',
    '日本',
    280,
    '转靶 9 kW；测角仪半径 300 mm；最小步长 0.0001°；配 HyPix-3000 二维探测器',
    '物相定性定量分析、薄膜掠入射、织构与残余应力测定',
    '粉末、块体、薄膜材料的结构分析',
    '粉末 150 元/样；薄膜 300 元/样',
    ['F03'],
  ],
  xrd2: [
    'X射线衍射仪',
    'X-ray Diffractometer',
    '010301',
    'D8 ADVANCE',
    '布鲁克（北京）科技有限公司',
    '德国',
    240,
    'Cu 靶 3 kW；LynxEye XE-T 探测器；角度重现性 ±0.0001°',
    '物相分析、晶胞参数精修、结晶度测定',
    '无机材料、药物晶型、矿物物相分析',
    '120 元/样',
    ['F03', 'F05'],
  ],
  xrf: [
    '波长色散X射线荧光光谱仪',
    'WDXRF Spectrometer',
    '010302',
    'ZSX Primus IV',
    '日本理学株式会社',
    '日本',
    260,
    '元素范围 Be～U；4 kW 端窗铑靶；微区分析 500 μm',
    '主次量元素定量、无标样半定量分析',
    '水泥、矿石、合金、土壤成分分析',
    '200 元/样',
    ['F03', 'F06'],
  ],
  xps: [
    'X射线光电子能谱仪',
    'X-ray Photoelectron Spectrometer',
    '010303',
    'ESCALAB Xi+',
    '赛默飞世尔科技公司',
    '英国',
    720,
    '能量分辨率 ≤ 0.45 eV（Ag 3d5/2）；最小束斑 20 μm；配离子枪深度剖析',
    '表面元素组成、化学态与深度分布分析',
    '催化剂、电池材料、薄膜表面化学分析',
    '500 元/样；深度剖析另计',
    ['F03', 'F06'],
  ],
  aas: [
    '原子吸收光谱仪',
    'Atomic Absorption Spectrometer',
    '010401',
    'contrAA 800 D',
    '耶拿分析仪器股份公司',
    '德国',
    65,
    '高分辨连续光源；火焰与石墨炉一体；波长范围 185～900 nm',
    '金属元素定量分析',
    '土壤、农产品、饲料中重金属测定',
    '60 元/元素',
    ['F07', 'F09'],
  ],
  uv: [
    '紫外-可见-近红外分光光度计',
    'UV-Vis-NIR Spectrophotometer',
    '010403',
    'Cary 5000',
    '安捷伦科技有限公司',
    '澳大利亚',
    45,
    '波长范围 175～3,300 nm；分辨率 ≤ 0.048 nm；配积分球与变角反射附件',
    '透射、反射、吸收光谱测定',
    '光学薄膜、半导体材料、溶液样品光谱分析',
    '100 元/样',
    ['F03'],
  ],
  ftir: [
    '傅里叶变换红外光谱仪',
    'FTIR Spectrometer',
    '010404',
    'Nicolet iS50',
    '赛默飞世尔科技公司',
    '美国',
    55,
    '光谱范围 15～27,000 cm⁻¹；分辨率 0.09 cm⁻¹；配 ATR 与红外显微镜',
    '有机物官能团鉴定、微区红外成像',
    '高分子材料、药品、涂料成分鉴定',
    '80 元/样',
    ['F06', 'F03'],
  ],
  raman: [
    '激光共聚焦显微拉曼光谱仪',
    'Confocal Raman Microscope',
    '010405',
    'LabRAM HR Evolution',
    '堀场（中国）贸易有限公司',
    '法国',
    210,
    '激光 325/532/785 nm；光谱分辨率 ≤ 0.3 cm⁻¹；空间分辨率 < 1 μm',
    '拉曼光谱与成像、光致发光谱',
    '碳材料、半导体、矿物与文物分析',
    '200 元/小时',
    ['F03', 'F01'],
  ],
  fluor: [
    '稳态瞬态荧光光谱仪',
    'Steady State and Time-resolved Fluorescence Spectrometer',
    '010406',
    'FLS1000',
    '爱丁堡仪器有限公司',
    '英国',
    180,
    '波长范围 200～1,700 nm；寿命测量 5 ps～秒级；量子产率积分球',
    '荧光光谱、荧光寿命与量子产率测定',
    '发光材料、生物探针光物理性质表征',
    '200 元/小时',
    ['F03', 'F05'],
  ],
  gc: [
    '气相色谱仪',
    'Gas Chromatograph',
    '010501',
    '8890',
    '安捷伦科技有限公司',
    '美国',
    38,
    'FID 检出限 < 1.4 pg C/s；柱温箱 4～450 ℃；电子压力控制',
    '有机物分离与定量分析',
    '工业气体、溶剂残留、石化产品组成分析',
    '150 元/样',
    ['F06', 'F08'],
  ],
  gc2: [
    '气相色谱仪',
    'Gas Chromatograph',
    '010501',
    'GC-2030',
    '岛津企业管理（中国）有限公司',
    '日本',
    35,
    '配 FID/ECD/FPD 检测器；自动进样器 150 位',
    '农药残留与挥发性有机物分析',
    '农产品、水质、化工样品检测',
    '120 元/样',
    ['F09', 'F07'],
  ],
  hplc: [
    '高效液相色谱仪',
    'High Performance Liquid Chromatograph',
    '010502',
    '1260 Infinity II',
    '安捷伦科技有限公司',
    '美国',
    42,
    '四元泵，压力 600 bar；DAD 检测器 190～950 nm；柱温箱 4～85 ℃',
    '有机物分离与定量分析',
    '药物含量、食品添加剂、中药成分测定',
    '200 元/样',
    ['F05', 'F09'],
  ],
  uplc: [
    '超高效液相色谱仪',
    'Ultra Performance Liquid Chromatograph',
    '010502',
    'ACQUITY UPLC H-Class',
    '沃特世科技（上海）有限公司',
    '美国',
    68,
    '耐压 15,000 psi；PDA 与荧光检测器；进样精度 RSD < 0.5%',
    '快速高分离度液相分析',
    '农产品品质、功能成分与添加剂测定',
    '220 元/样',
    ['F07', 'F09'],
  ],
  ic: [
    '离子色谱仪',
    'Ion Chromatograph',
    '010503',
    'Dionex ICS-6000',
    '赛默飞世尔科技公司',
    '美国',
    48,
    '双通道；电导与安培检测器；淋洗液自动发生',
    '阴阳离子、有机酸与糖类分析',
    '水质、食品、环境样品离子测定',
    '150 元/样',
    ['F08', 'F09'],
  ],
  nmr: [
    '核磁共振波谱仪',
    'NMR Spectrometer',
    '010601',
    'AVANCE III 600',
    '布鲁克（北京）科技有限公司',
    '瑞士',
    850,
    '600 MHz；BBO 宽带探头与低温探头；1H 灵敏度 ≥ 1,000:1',
    '一维、二维液体核磁谱测定与分子结构解析',
    '有机合成产物、天然产物与药物结构鉴定',
    '1H 100 元/样；13C 300 元/样；二维 500 元/样',
    ['F05', 'F06'],
  ],
  nmr2: [
    '核磁共振波谱仪',
    'NMR Spectrometer',
    '010601',
    'AVANCE NEO 400',
    '布鲁克（北京）科技有限公司',
    '瑞士',
    420,
    '400 MHz；BBFO 智能探头；自动进样器 60 位',
    '常规液体核磁测试',
    '有机化合物结构确认与纯度分析',
    '1H 80 元/样；13C 200 元/样',
    ['F06'],
  ],
  epr: [
    '电子顺磁共振波谱仪',
    'EPR Spectrometer',
    '010602',
    'EMXplus',
    '布鲁克（北京）科技有限公司',
    '德国',
    360,
    'X 波段；灵敏度 1.5×10⁹ spins/G；变温 4～500 K',
    '自由基、过渡金属离子与缺陷检测',
    '催化、材料缺陷与自由基机理研究',
    '400 元/小时',
    ['F03', 'F06'],
  ],
  lsm: [
    '激光扫描共聚焦显微镜',
    'Confocal Laser Scanning Microscope',
    '010801',
    'LSM 880',
    '卡尔蔡司股份公司',
    '德国',
    520,
    '激光 405/458/488/514/561/633 nm；Airyscan 超分辨 120 nm；32 通道光谱探测器',
    '荧光成像、三维重构、活细胞长时间成像与 FRAP',
    '细胞生物学、组织切片与植物样品成像',
    '300 元/小时',
    ['F05', 'F07'],
  ],
  lsm2: [
    '激光共聚焦显微镜',
    'Confocal Laser Scanning Microscope',
    '010801',
    'FV3000',
    '奥林巴斯（中国）有限公司',
    '日本',
    360,
    '激光 405/488/561/640 nm；TruSpectral 光谱检测；共振扫描 30 帧/秒',
    '多通道荧光成像与活细胞成像',
    '植物、动物组织与细胞样品荧光观察',
    '250 元/小时',
    ['F07', 'F05'],
  ],
  afm: [
    '原子力显微镜',
    'Atomic Force Microscope',
    '010802',
    'Dimension Icon',
    '布鲁克（北京）科技有限公司',
    '美国',
    330,
    'XY 扫描范围 90 μm；Z 向噪声 < 30 pm；PeakForce 轻敲模式',
    '表面形貌、力学性能与电学性能纳米尺度表征',
    '薄膜粗糙度、二维材料厚度与模量测定',
    '300 元/小时',
    ['F03', 'F01'],
  ],
  om: [
    '研究级正置金相显微镜',
    'Metallographic Microscope',
    '010803',
    'Axio Imager.M2m',
    '卡尔蔡司股份公司',
    '德国',
    48,
    '明场、暗场、偏光、DIC 观察；电动载物台；景深扩展与拼图',
    '金相组织观察与晶粒度评级',
    '钢铁、有色金属金相检验',
    '120 元/样',
    ['F02'],
  ],
  dsc: [
    '差示扫描量热仪',
    'Differential Scanning Calorimeter',
    '010901',
    'DSC 214 Polyma',
    '耐驰科学仪器商贸（上海）有限公司',
    '德国',
    36,
    '温度范围 -170～600 ℃；量热精度 ±1%；升温速率 0.001～500 K/min',
    '玻璃化转变、熔融结晶与比热测定',
    '高分子、药物与食品热性能分析',
    '150 元/样',
    ['F03', 'F06'],
  ],
  tga: [
    '同步热分析仪',
    'Simultaneous Thermal Analyzer',
    '010902',
    'STA 449 F5',
    '耐驰科学仪器商贸（上海）有限公司',
    '德国',
    62,
    '温度范围 室温～1,600 ℃；天平分辨率 0.1 μg；可联用红外',
    '热重与差热同步分析、逸出气体分析',
    '材料热稳定性、组分含量与分解过程研究',
    '200 元/样',
    ['F03', 'F06'],
  ],
  flow: [
    '流式细胞仪',
    'Flow Cytometer',
    '011001',
    'CytoFLEX S',
    '贝克曼库尔特商贸（中国）有限公司',
    '美国',
    120,
    '4 激光 13 色；荧光灵敏度 FITC < 30 MESF；上样速度 10～240 μL/min',
    '细胞表型、凋亡、周期与多色荧光分析',
    '免疫细胞分型、细胞凋亡与周期检测',
    '200 元/样',
    ['F05'],
  ],
  flow2: [
    '流式细胞分选仪',
    'Cell Sorter',
    '011001',
    'FACSAria III',
    '碧迪医疗器械（上海）有限公司',
    '美国',
    480,
    '4 激光 18 色；四路分选纯度 > 98%；分选速度 ≥ 25,000 个/秒',
    '高速多色细胞分选',
    '干细胞、免疫细胞与微生物分选',
    '600 元/小时',
    ['F05', 'F07'],
  ],
  qpcr: [
    '实时荧光定量PCR仪',
    'Real-Time PCR System',
    '011002',
    'QuantStudio 5',
    '赛默飞世尔科技公司',
    '新加坡',
    30,
    '96 孔；6 色荧光通道；温控精度 ±0.25 ℃',
    '基因表达定量、SNP 分型与病原检测',
    '动植物基因表达、转基因成分检测',
    '150 元/板',
    ['F07', 'F05'],
  ],
  seq: [
    '高通量测序仪',
    'High-throughput Sequencer',
    '011003',
    'NovaSeq 6000',
    '因美纳（中国）科学器材有限公司',
    '美国',
    1600,
    '单次运行通量最高 6 Tb；读长 2×250 bp；S4 流动槽',
    '全基因组、转录组、宏基因组测序',
    '医学、农业与海洋生物基因组研究',
    '按数据量计费，详见收费标准附件',
    ['F05', 'F04'],
  ],
  seq2: [
    '基因测序仪',
    'Gene Sequencer',
    '011003',
    'MGISEQ-2000',
    '深圳华大智造科技股份有限公司',
    '中国',
    520,
    '单次运行通量 1,440 Gb；读长 PE150；DNBSEQ 技术',
    '转录组、简化基因组与重测序',
    '作物育种、畜禽基因组研究',
    '按样本与数据量计费',
    ['F07'],
  ],
  utm: [
    '万能材料试验机',
    'Universal Testing Machine',
    '020101',
    'Z100',
    '兹韦克（上海）检测技术有限公司',
    '德国',
    85,
    '最大试验力 100 kN；力值精度 0.5 级；配高低温环境箱 -70～250 ℃',
    '拉伸、压缩、弯曲、剪切等力学性能测试',
    '金属、塑料、复合材料力学性能检测',
    '200 元/组',
    ['F02', 'F03'],
  ],
  utm2: [
    '电子万能试验机',
    'Electromechanical Universal Testing Machine',
    '020101',
    '5982',
    '英斯特朗（上海）试验设备贸易有限公司',
    '美国',
    120,
    '最大试验力 100 kN；位移分辨率 0.06 μm；配视频引伸计',
    '常温及高温力学性能测试',
    '零部件及原材料力学性能检测',
    '250 元/组',
    ['F02'],
  ],
  fatigue: [
    '电液伺服疲劳试验机',
    'Servo-hydraulic Fatigue Testing System',
    '020102',
    '8801',
    '英斯特朗（上海）试验设备贸易有限公司',
    '英国',
    160,
    '动态载荷 ±100 kN；频率 0.01～100 Hz；配断裂力学软件',
    '高低周疲劳、断裂韧性与裂纹扩展试验',
    '发动机零部件、焊接接头疲劳性能评价',
    '400 元/小时',
    ['F02'],
  ],
  psd: [
    '激光粒度分析仪',
    'Laser Diffraction Particle Size Analyzer',
    '020501',
    'Mastersizer 3000',
    '马尔文帕纳科公司',
    '英国',
    55,
    '测量范围 0.01～3,500 μm；湿法与干法分散；准确度 ±0.6%',
    '粉体与乳液粒度分布测定',
    '陶瓷粉体、药物、涂料颗粒粒度分析',
    '100 元/样',
    ['F03', 'F06'],
  ],
  ct: [
    '工业CT',
    'Industrial Computed Tomography',
    '020601',
    'phoenix v|tome|x m 300',
    '贝克休斯检测科技有限公司',
    '德国',
    1200,
    '300 kV 微焦点射线源；细节分辨率 < 1 μm；最大样品 Φ500 mm × 600 mm',
    '内部缺陷三维检测、尺寸测量与装配分析',
    '铸件、发动机零部件、复合材料无损检测',
    '1500 元/小时',
    ['F02'],
  ],
  ct2: [
    '高分辨工业CT',
    'High-resolution Industrial CT',
    '020601',
    'YXLON FF35 CT',
    '依科视朗国际有限公司',
    '德国',
    900,
    '双射线源 190 kV/225 kV；体素尺寸最小 0.15 μm',
    '微小零件内部结构与孔隙率分析',
    '电子元器件、增材制造零件检测',
    '1000 元/小时',
    ['F02', 'F01'],
  ],
  ut: [
    '相控阵超声探伤仪',
    'Phased Array Ultrasonic Flaw Detector',
    '020602',
    'OmniScan X3',
    '奥林巴斯（中国）有限公司',
    '加拿大',
    42,
    '64 阵元相控阵；TFM 全聚焦成像；TOFD 功能',
    '焊缝与结构件内部缺陷检测',
    '压力容器、管道焊缝无损检测',
    '800 元/天',
    ['F02'],
  ],
  cmm: [
    '三坐标测量机',
    'Coordinate Measuring Machine',
    '030100',
    'CONTURA 7/10/6',
    '卡尔蔡司股份公司',
    '德国',
    180,
    '测量范围 700×1000×600 mm；MPE_E = 1.8 + L/300 μm；VAST XT 扫描测头',
    '几何尺寸与形位公差测量',
    '精密零部件、模具尺寸检测',
    '300 元/小时',
    ['F02'],
  ],
  spectrum: [
    '信号与频谱分析仪',
    'Signal and Spectrum Analyzer',
    '080000',
    'FSW43',
    '罗德与施瓦茨（中国）科技有限公司',
    '德国',
    260,
    '频率范围 2 Hz～43.5 GHz；分析带宽 2 GHz；相位噪声 -137 dBc/Hz（10 kHz）',
    '信号频谱、调制质量与相位噪声分析',
    '通信设备、雷达与射频器件测试',
    '500 元/小时',
    ['F01'],
  ],
  vna: [
    '矢量网络分析仪',
    'Vector Network Analyzer',
    '080000',
    'N5227B',
    '是德科技（中国）有限公司',
    '美国',
    310,
    '频率范围 10 MHz～67 GHz；动态范围 > 120 dB；4 端口',
    'S 参数、噪声系数与增益压缩测量',
    '天线、滤波器、射频芯片测试',
    '500 元/小时',
    ['F01'],
  ],
  ctd: [
    '温盐深剖面仪',
    'CTD Profiler',
    '050000',
    'SBE 911plus',
    '海鸟电子公司',
    '美国',
    95,
    '最大工作水深 6,800 m；温度精度 ±0.001 ℃；电导率精度 ±0.0003 S/m',
    '海水温度、盐度、深度剖面观测',
    '海洋调查航次、近海水文观测',
    '按航次协商',
    ['F04'],
  ],
  adcp: [
    '声学多普勒流速剖面仪',
    'Acoustic Doppler Current Profiler',
    '050000',
    'Workhorse Sentinel 300 kHz',
    '泰莱达因 RD 仪器公司',
    '美国',
    60,
    '剖面范围 165 m；流速精度 ±0.5%；层厚 1～8 m',
    '海流剖面与波浪观测',
    '近海与河口水动力观测',
    '1200 元/天',
    ['F04', 'F08'],
  ],
  engine: [
    '发动机台架试验系统',
    'Engine Test Bed',
    '130000',
    'AVL PUMA Open 2',
    'AVL李斯特有限公司',
    '奥地利',
    1800,
    '测功机功率 450 kW；转速 0～6,000 r/min；配排放分析与油耗仪',
    '发动机性能、耐久与排放试验',
    '柴油机、燃气机及零部件台架试验',
    '按试验大纲报价',
    ['F02'],
  ],
  emc: [
    '电磁兼容测试系统',
    'EMC Test System (3 m Semi-anechoic Chamber)',
    '080000',
    'ESW44 + 3m 法电波暗室',
    '罗德与施瓦茨（中国）科技有限公司',
    '德国',
    1500,
    '频率范围 9 kHz～40 GHz；场地电压驻波比 ≤ 6 dB（1～18 GHz）',
    '辐射发射、辐射抗扰度与传导测试',
    '服务器、通信设备、电子产品 EMC 测试',
    '2000 元/小时',
    ['F01'],
  ],
  hpc: [
    '高性能计算集群',
    'High Performance Computing Cluster',
    '140000',
    'NF5280M6 集群',
    '浪潮电子信息产业股份有限公司',
    '中国',
    1500,
    '计算节点 128 个；双精度峰值 1.2 PFLOPS；存储 2 PB；100 Gb/s InfiniBand',
    '科学计算、人工智能训练与大数据分析',
    '分子模拟、流体力学计算、深度学习训练',
    '0.1 元/核时；GPU 8 元/卡时',
    ['F01', 'F03'],
  ],
};

/** Which organisation lists what; `d` disables it, `p` pending review, `r` rejected, `draft` a draft. */
const HOLDINGS: Record<string, (string | [string, 'd' | 'p' | 'r' | 'draft'])[]> = {
  sdu: ['tem', 'sem', 'xps', 'nmr', 'lsm', 'fib', ['raman', 'd']],
  ouc: ['ctd', 'adcp', 'irms', 'lcms3', 'icpms', 'seq'],
  qdu: ['sem2', 'xrd2', 'ftir', 'afm', ['uv', 'd']],
  sdau: ['qpcr', 'seq2', 'hplc', 'aas', 'lsm2', 'gcms'],
  ytu: ['nmr2', 'xrd', 'tga', 'dsc'],
  sdatc: ['lcms', 'gcms2', 'icpms2', 'icpoes', 'xrf', 'epma', 'ic', ['maldi', 'p'], ['fluor', 'draft'], ['psd', 'r']],
  qibebt: ['maldi', 'tem2', 'epr', 'fluor'],
  saas: ['uplc', 'lcms2', 'flow2', ['gc2', 'd']],
  sdim: ['cmm', 'spectrum', 'vna'],
  zbinst: ['gc', 'gc2', 'ut', 'psd'],
  weichai: ['engine', 'ct', 'fatigue', 'utm2'],
  inspur: ['hpc', 'emc'],
  jnhc: ['sem', 'utm', 'ct2', ['om', 'p']],
  qdht: ['xrd', ['dsc', 'd']],
  zzky: ['hplc', 'qpcr'],
  lylh: ['ic', 'gcms'],
  dzjg: ['utm', 'cmm'],
  lchx: ['ftir', 'tga'],
  hzmd: ['lcms2', 'flow'],
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['建华', '志刚', '海燕', '晓东', '丽娟', '文博', '春梅', '国强', '雪松', '慧敏', '振宇', '静怡'];
const BUILDINGS = ['分析测试中心', '大型仪器共享平台', '材料测试楼', '公共实验平台', '检测中心'];

/** A number from a name, the same on every start. */
const num = (seed: string, mod: number) => crypto.createHash('sha256').update(seed).digest().readUInt32BE(0) % mod;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

interface SeedOrg {
  id: string;
  key: string;
  name: string;
  city: string;
  address: string;
  departmentId: string;
}

/** How many listed instruments the deterministic generator (scripts/generate.ts) adds to the hand-written ones. */
export const DEMO_GENERATED = 300;

/**
 * About seventy hand-written instruments of the approved demo organisations (most listed, some disabled, a few
 * pending, rejected or drafts), then DEMO_GENERATED listed ones from the generator, spread over the same
 * organisations, the categories and their cities.
 */
async function seedInstruments(trx: Db, orgs: SeedOrg[], createdBy: Record<string, string>, now: string) {
  const dialect = trx.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
  const ids: string[] = [];
  for (const o of orgs) {
    const holdings = HOLDINGS[o.key] ?? [];
    let seq = 0;
    for (const h of holdings) {
      const [kindKey, mark] = typeof h === 'string' ? [h, null] : h;
      const [
        name,
        nameEn,
        categoryCode,
        model,
        manufacturer,
        country,
        valueWan,
        specs,
        functions,
        serviceContent,
        feeStandard,
        fields,
      ] = KINDS[kindKey];
      seq++;
      const seed = `${o.key}:${kindKey}`;
      const year = 2012 + num(seed, 13);
      const purchaseDate = `${year}-${pad(1 + num(`${seed}m`, 12), 2)}-${pad(1 + num(`${seed}d`, 28), 2)}`;
      const start = new Date(`${purchaseDate}T00:00:00Z`);
      start.setUTCDate(start.getUTCDate() + 20 + num(`${seed}s`, 90));
      const startUseDate = start.toISOString().slice(0, 10);
      const state = mark === 'p' ? 'pending' : mark === 'r' ? 'rejected' : mark === 'draft' ? 'draft' : 'listed';
      const listed = state === 'listed';
      const contact = `${SURNAMES[num(`${seed}c`, SURNAMES.length)]}${GIVEN[num(`${seed}g`, GIVEN.length)]}`;
      const operator = `${SURNAMES[num(`${seed}o`, SURNAMES.length)]}${GIVEN[num(`${seed}p`, GIVEN.length)]}`;
      const id = newId();
      ids.push(id);
      const listedAt = listed
        ? new Date(
            Math.min(
              Date.parse(now),
              Date.parse(`${startUseDate}T00:00:00Z`) + (200 + num(`${seed}l`, 600)) * 86_400_000,
            ),
          ).toISOString()
        : null;
      await trx
        .insertInto('instruments')
        .values({
          id,
          orgId: o.id,
          internalNo: `${o.key.toUpperCase()}-${year}-${pad(seq, 3)}`,
          name,
          nameEn,
          categoryCode,
          model,
          manufacturer,
          country,
          // the list price varies a little between buyers
          valueFen: Math.round(valueWan * (0.92 + num(`${seed}v`, 17) / 100) * 100) * 10_000,
          purchaseDate,
          startUseDate,
          source: '购置',
          specs,
          functions,
          serviceContent,
          feeStandard,
          sharingMode: num(`${seed}x`, 10) === 0 ? 'internal' : 'external',
          runStatus: num(`${seed}r`, 8) === 0 ? '待机' : '正常',
          cityCode: o.city,
          district: /市(.+?[区县市])/.exec(o.address)?.[1] ?? null,
          street: o.address,
          room: `${BUILDINGS[num(`${seed}b`, BUILDINGS.length)]} ${1 + num(`${seed}f`, 5)}${pad(1 + num(`${seed}n`, 20), 2)} 室`,
          contactName: contact,
          contactPhone: `139${o.city.slice(2, 4)}${pad(num(`${seed}t`, 1_000_000), 6)}`,
          contactEmail: `yq${pad(seq, 2)}@${o.key}.example.cn`,
          staffJson: JSON.stringify([
            {
              name: operator,
              role: 'operator',
              title: '工程师',
              phone: `138${o.city.slice(2, 4)}${pad(num(`${seed}u`, 1_000_000), 6)}`,
            },
            { name: `${SURNAMES[num(`${seed}w`, SURNAMES.length)]}工`, role: 'maintainer', title: '高级工程师' },
          ]),
          state,
          isDisabled: mark === 'd',
          rejectReason: state === 'rejected' ? '主要技术指标填写不完整，请补充测量范围与准确度，并上传仪器照片' : null,
          serviceCount: listed ? num(`${seed}k`, 301) : 0,
          ratingSum: 0,
          ratingCount: 0,
          searchText: '',
          createdBy: createdBy[o.key] ?? null,
          createdAt: listedAt ?? now,
          updatedAt: now,
          listedAt,
        })
        .execute();
      await trx
        .insertInto('instrumentFields')
        .values(fields.map((fieldCode) => ({ instrumentId: id, fieldCode })))
        .execute();
      if (state === 'pending' || state === 'rejected') {
        const reviewId = newId();
        await trx
          .insertInto('reviews')
          .values({
            id: reviewId,
            subjectKind: 'instrument',
            subjectId: id,
            orgId: o.id,
            title: `仪器入网：${name}`,
            state,
            level: 1,
            levelsJson: JSON.stringify([o.departmentId]),
            departmentId: o.departmentId,
            canReturn: false,
            reason: state === 'rejected' ? '主要技术指标填写不完整，请补充测量范围与准确度，并上传仪器照片' : null,
            submittedBy: createdBy[o.key] ?? null,
            submittedAt: now,
            updatedAt: now,
            decidedAt: state === 'rejected' ? now : null,
          })
          .execute();
        await trx
          .insertInto('reviewEvents')
          .values({
            id: newId(),
            reviewId,
            subjectKind: 'instrument',
            subjectId: id,
            actorId: createdBy[o.key] ?? null,
            actorName: `${o.name}`,
            departmentId: null,
            action: 'submit',
            fromState: null,
            toState: 'pending',
            level: 1,
            reason: null,
            at: now,
          })
          .execute();
        if (state === 'rejected') {
          await trx
            .insertInto('reviewEvents')
            .values({
              id: newId(),
              reviewId,
              subjectKind: 'instrument',
              subjectId: id,
              actorId: null,
              actorName: '演示数据',
              departmentId: o.departmentId,
              action: 'reject',
              fromState: 'pending',
              toState: 'rejected',
              level: 1,
              reason: '主要技术指标填写不完整，请补充测量范围与准确度，并上传仪器照片',
              at: now,
            })
            .execute();
        }
      }
    }
  }
  ids.push(...(await seedGenerated(trx, orgs, createdBy, now)));
  await reindexInstruments(trx, dialect, ids);
  return ids.length;
}

const FEES = [
  '按机时收费，详见收费标准附件',
  '200 元/样；加急另计',
  '300 元/小时，制样费另计',
  '按检测项目计费，可开具发票',
  '校内 150 元/小时，校外 300 元/小时',
];

/** The generated instruments, listed, written after the hand-written ones (so those keep their order by creation). */
async function seedGenerated(
  trx: Db,
  orgs: SeedOrg[],
  createdBy: Record<string, string>,
  now: string,
): Promise<string[]> {
  const ids: string[] = [];
  const rows = [];
  const fields: { instrumentId: string; fieldCode: string }[] = [];
  const gen = generateDemo(DEMO_GENERATED, orgs.length);
  for (let k = 0; k < gen.length; k++) {
    const g = gen[k];
    const o = orgs[g.org];
    const seed = `${o.key}:g${k}`;
    const id = newId();
    ids.push(id);
    let startUseDate: string | null = null;
    if (g.purchaseDate) {
      const start = new Date(`${g.purchaseDate}T00:00:00Z`);
      start.setUTCDate(start.getUTCDate() + g.startDays);
      startUseDate = start.toISOString().slice(0, 10);
    }
    const contact = `${SURNAMES[num(`${seed}c`, SURNAMES.length)]}${GIVEN[num(`${seed}g`, GIVEN.length)]}`;
    rows.push({
      id,
      orgId: o.id,
      internalNo: `${o.key.toUpperCase()}-G${pad(k + 1, 4)}`,
      name: g.name,
      nameEn: g.nameEn,
      categoryCode: g.categoryCode,
      model: g.model,
      manufacturer: g.manufacturer,
      country: null,
      valueFen: g.valueFen,
      purchaseDate: g.purchaseDate,
      startUseDate,
      source: '购置',
      specs: g.specs,
      functions: g.functions,
      serviceContent: `${g.functions}等分析测试服务`,
      feeStandard: FEES[num(`${seed}f`, FEES.length)],
      sharingMode: g.sharingMode,
      runStatus: g.runStatus,
      // the organisation's city: the demo organisations are where their instruments are
      cityCode: o.city,
      district: /市(.+?[区县市])/.exec(o.address)?.[1] ?? null,
      street: o.address,
      room: `${BUILDINGS[num(`${seed}b`, BUILDINGS.length)]} ${1 + num(`${seed}l`, 5)}${pad(1 + num(`${seed}n`, 20), 2)} 室`,
      contactName: contact,
      contactPhone: `139${o.city.slice(2, 4)}${pad(num(`${seed}t`, 1_000_000), 6)}`,
      contactEmail: `yq-g${pad(k + 1, 3)}@${o.key}.example.cn`,
      staffJson: JSON.stringify([
        {
          name: `${SURNAMES[num(`${seed}o`, SURNAMES.length)]}${GIVEN[num(`${seed}p`, GIVEN.length)]}`,
          role: 'operator',
          title: '工程师',
        },
      ]),
      state: 'listed' as const,
      isDisabled: g.isDisabled,
      rejectReason: null,
      serviceCount: g.serviceCount,
      ratingSum: 0,
      ratingCount: 0,
      searchText: '',
      createdBy: createdBy[o.key] ?? null,
      createdAt: now,
      updatedAt: now,
      listedAt: new Date(Date.parse(now) - num(`${seed}d`, 365) * 86_400_000).toISOString(),
    });
    for (const fieldCode of g.fields) fields.push({ instrumentId: id, fieldCode });
  }
  for (let k = 0; k < rows.length; k += 100)
    await trx
      .insertInto('instruments')
      .values(rows.slice(k, k + 100))
      .execute();
  for (let k = 0; k < fields.length; k += 300)
    await trx
      .insertInto('instrumentFields')
      .values(fields.slice(k, k + 300))
      .execute();
  return ids;
}
