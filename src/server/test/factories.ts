import crypto from 'node:crypto';
import { usccCheckChar } from '../../domain/uscc';
import { newId } from '../db/ids';
import type { InstrumentsTable } from '../db/types';
import { reindexInstrument } from '../modules/catalogue/indexer';
import { hashPassword } from '../platform/passwords';
import { Client, type TestApp } from './harness';

export const PASSWORD = 'Test@2026x';
let hashed: Promise<string> | null = null;
const passwordHash = () => (hashed ??= hashPassword(PASSWORD));
let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}${crypto.randomBytes(2).toString('hex')}`;

/** A valid, unique USCC. */
export function uscc(prefix = '91', city = '370100'): string {
  const symbols = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const h = crypto.randomBytes(9);
  let body = '';
  for (let i = 0; i < 9; i++) body += symbols[h[i] % 31];
  const first = `${prefix}${city}${body}`;
  return first + usccCheckChar(first);
}

export function mobile(): string {
  return `1${String(3_000_000_000 + crypto.randomInt(0, 999_999_999)).slice(0, 10)}`;
}

export interface UserOpts {
  mobile?: string;
  username?: string;
  realName?: string;
  email?: string | null;
  kind?: 'person' | 'department' | 'sysadmin';
  departmentCode?: string;
  isDisabled?: boolean;
}

export async function makeUser(t: TestApp, o: UserOpts = {}) {
  const db = t.database.db;
  const now = t.clock.now().toISOString();
  let departmentId: string | null = null;
  if (o.departmentCode)
    departmentId = (
      await db.selectFrom('departments').select('id').where('code', '=', o.departmentCode).executeTakeFirstOrThrow()
    ).id;
  const u = {
    id: newId(),
    username: o.username ?? `u${uniq()}`,
    mobile: o.mobile ?? null,
    email: o.email === undefined ? `${uniq()}@example.com` : o.email,
    realName: o.realName ?? '测试用户',
    passwordHash: await passwordHash(),
    kind: o.kind ?? (o.departmentCode ? 'department' : 'person'),
    departmentId,
    isDisabled: !!o.isDisabled,
    mustChangePassword: false,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  } as const;
  await db.insertInto('users').values(u).execute();
  return u;
}

/** A complete, valid body for 编辑单位信息. */
export function orgBody(o: Record<string, unknown> = {}) {
  return {
    name: `测试科技有限公司${uniq()}`,
    uscc: uscc(),
    type: 'enterprise',
    cityCode: '370100',
    affiliation: 'city',
    district: '历下区',
    address: '济南市历下区经十路1号',
    postalCode: '250000',
    legalPerson: '张三',
    phone: '0531-88888888',
    foundedOn: '2015-03-01',
    website: 'https://example.com',
    intro: '一家测试用企业。',
    bankName: '中国银行济南分行',
    bankAccount: '6217000012345678',
    bankAccountName: '测试科技有限公司',
    liaisonName: '李四',
    liaisonPhone: '13912345678',
    liaisonEmail: 'liaison@example.com',
    staffCount: 50,
    revenueFen: 10_000_000_00,
    isSmallMicro: true,
    isVoucherApplicant: true,
    commitmentAccepted: true,
    ...o,
  };
}

export interface OrgOpts {
  state?: 'draft' | 'pending' | 'approved' | 'rejected';
  cityCode?: string;
  type?: string;
  affiliation?: 'city' | 'province';
  name?: string;
  staffCount?: number;
  revenueFen?: number;
  isVoucherApplicant?: boolean | null;
  isSmallMicro?: boolean | null;
  infoUpdatedAt?: string;
}

/** An organisation in a given state, with its legal representative account. */
export async function makeOrg(t: TestApp, o: OrgOpts = {}) {
  const db = t.database.db;
  const legal = await makeUser(t, { realName: '法人' });
  const now = t.clock.now().toISOString();
  const cityCode = o.cityCode ?? '370100';
  const affiliation = o.affiliation ?? 'city';
  const deptCode = affiliation === 'province' || cityCode === '000000' ? '370000' : cityCode;
  const dept = await db.selectFrom('departments').select('id').where('code', '=', deptCode).executeTakeFirstOrThrow();
  const b = orgBody({ cityCode, type: o.type ?? 'enterprise', affiliation });
  const state = o.state ?? 'approved';
  const org = {
    id: newId(),
    name: o.name ?? (b.name as string),
    uscc: b.uscc as string,
    type: (o.type ?? 'enterprise') as string,
    cityCode,
    affiliation,
    district: null,
    address: '地址',
    postalCode: null,
    legalPerson: '张三',
    phone: '0531-88888888',
    foundedOn: null,
    website: null,
    intro: '简介',
    staffCount: o.staffCount ?? 50,
    revenueFen: o.revenueFen ?? 1_000_000_000,
    isSmallMicro: o.isSmallMicro === undefined ? true : o.isSmallMicro,
    isVoucherApplicant: o.isVoucherApplicant === undefined ? true : o.isVoucherApplicant,
    commitmentAcceptedAt: now,
    bankName: '中国银行',
    bankAccount: '6217000012345678',
    bankAccountName: '测试',
    liaisonName: '李四',
    liaisonPhone: '13912345678',
    liaisonEmail: 'l@example.com',
    state,
    rejectReason: null,
    departmentId: dept.id,
    legalUserId: legal.id,
    pendingChangeJson: null,
    infoUpdatedAt: o.infoUpdatedAt ?? (state === 'approved' ? now : null),
    submittedAt: null,
    approvedAt: state === 'approved' ? now : null,
    createdAt: now,
    updatedAt: now,
  } as const;
  await db.insertInto('organizations').values(org).execute();
  await db
    .insertInto('memberships')
    .values({ id: newId(), userId: legal.id, orgId: org.id, role: 'legal', createdAt: now })
    .execute();
  return { org, legal };
}

export async function addMember(t: TestApp, orgId: string, role: 'member' | 'admin' = 'member', o: UserOpts = {}) {
  const u = await makeUser(t, o);
  await t.database.db
    .insertInto('memberships')
    .values({ id: newId(), userId: u.id, orgId, role, createdAt: t.clock.now().toISOString() })
    .execute();
  return u;
}

export const deptUser = (t: TestApp, code = '370100') =>
  makeUser(t, { departmentCode: code, realName: code === '370000' ? '省厅审核员' : '市局审核员' });
export const sysadmin = (t: TestApp) => makeUser(t, { kind: 'sysadmin', realName: '管理员' });

/** A client logged in as the given user (by user name). */
export async function as(t: TestApp, user: { username: string | null; mobile?: string | null }) {
  return new Client(t.app).login(user.username ?? user.mobile!, PASSWORD);
}

/** A complete, valid body for 发布仪器 (every field filled, so that it can be submitted). */
export function instrumentBody(o: Record<string, unknown> = {}) {
  return {
    internalNo: `YQ-${uniq()}`,
    name: '场发射扫描电子显微镜',
    nameEn: 'Field Emission Scanning Electron Microscope',
    categoryCode: '010102',
    serviceFields: ['F03', 'F02'],
    model: 'SU8010',
    manufacturer: '日立高新技术公司',
    country: '日本',
    valueFen: 3_800_000_00,
    purchaseDate: '2018-05-10',
    startUseDate: '2018-07-01',
    source: '购置',
    specs: '二次电子分辨率 1.0 nm（15 kV），1.3 nm（1 kV）；放大倍数 20～800,000×',
    functions: '材料表面微观形貌观察，配合能谱仪进行微区成分分析',
    serviceContent: '金属、陶瓷、高分子等材料的形貌表征与成分分析',
    feeStandard: '300 元/小时（校内 150 元/小时）',
    sharingMode: 'external',
    runStatus: '正常',
    cityCode: '370100',
    district: '历下区',
    street: '科院路19号',
    room: 'A101',
    contactName: '王老师',
    contactPhone: '13905310001',
    contactEmail: 'sem@example.com',
    staff: [
      { name: '刘工', role: 'operator', phone: '13905310002' },
      { name: '陈工', role: 'maintainer', title: '工程师' },
    ],
    ...o,
  };
}

/** An instrument of an organisation, listed unless `state` says otherwise, indexed like one saved through the API. Overrides take record fields and columns (isDisabled, serviceCount …). */
export async function makeInstrument(
  t: TestApp,
  orgId: string,
  o: Record<string, unknown> = {},
): Promise<InstrumentsTable> {
  const db = t.database.db;
  const now = t.clock.now().toISOString();
  const body = instrumentBody();
  const fields = Object.fromEntries(Object.entries(o).filter(([k]) => k in body));
  const columns = Object.fromEntries(Object.entries(o).filter(([k]) => !(k in body)));
  const { serviceFields, staff, ...b } = { ...body, ...fields };
  const state = (o.state as string | undefined) ?? 'listed';
  const row = {
    ...b,
    id: newId(),
    orgId,
    staffJson: JSON.stringify(staff),
    state,
    isDisabled: false,
    rejectReason: null,
    serviceCount: 0,
    ratingSum: 0,
    ratingCount: 0,
    searchText: '',
    createdBy: null,
    createdAt: now,
    updatedAt: now,
    listedAt: state === 'listed' ? now : null,
    ...columns,
  } as InstrumentsTable;
  await db.insertInto('instruments').values(row).execute();
  const codes = serviceFields as string[];
  if (codes.length)
    await db
      .insertInto('instrumentFields')
      .values(codes.map((fieldCode) => ({ instrumentId: row.id, fieldCode })))
      .execute();
  await reindexInstrument(db, t.database.dialect, row.id);
  return row;
}
