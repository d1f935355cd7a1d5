/**
 * The national feed (NRII, 国家网络管理平台): per organisation and year, the instrument records, the service records
 * and the yearly effect record, in NRII's field names and codes. The mapping of our fields to theirs is the three
 * tables below and nothing else (docs/nrii-feed.md lists them); `validate` reports every missing or malformed
 * required field, and an export is refused while there is one.
 */
import { cityName } from '../../../domain/reference';
import { formatWan } from '../../../domain/money';
import { shanghaiDate } from '../../../domain/instrument';
import type { Db } from '../../db/connect';
import { isSpecialCategory, statsSettings } from './settings';
import { reportFigures } from './reports';
import { EVALUATION_THRESHOLD_FEN, monthRange } from '../../../domain/sharing-indicators';

export interface NriiField<T> {
  /** NRII's field name */
  nrii: string;
  /** its Chinese label */
  label: string;
  required: boolean;
  /** the value, already in NRII's unit and code */
  value: (row: T) => string | number | null;
  /** a format the value must have */
  pattern?: RegExp;
}

/** NRII codes */
export const SOURCE_CODE: Record<string, string> = { 购置: '1', 研制: '2', 赠送: '3', 其他: '9' };
export const RUN_STATUS_CODE: Record<string, string> = {
  正常: '1',
  待机: '2',
  偶有故障: '3',
  故障频繁: '4',
  待修: '5',
  待报废: '6',
};
export const SHARING_MODE_CODE = { internal: '1', external: '2' } as const;
export const INSTRUMENT_TYPE_CODE = { general: '1', special: '2' } as const;
/** 服务方式: 占用 1, 技术 2, 委托 3, 远程 4; a booking of the platform is a commissioned test (委托). */
export const SERVICE_MODE_CODE = { occupy: '1', technical: '2', commission: '3', remote: '4' } as const;

export type InstrumentRecord = Awaited<ReturnType<typeof instrumentRows>>[number];
export type ServiceRecord = Awaited<ReturnType<typeof serviceRows>>[number];
export type EffectRecord = {
  year: number;
  orgName: string;
  uscc: string;
  figures: Awaited<ReturnType<typeof reportFigures>>;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^[0-9+\-() ]{7,20}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export const INSTRUMENT_FIELDS: NriiField<InstrumentRecord>[] = [
  { nrii: 'cName', label: '中文名称', required: true, value: (i) => i.name },
  { nrii: 'eName', label: '英文名称', required: true, value: (i) => i.nameEn },
  { nrii: 'innerId', label: '所在单位仪器编号', required: true, value: (i) => i.internalNo },
  { nrii: 'instrCategory', label: '仪器分类', required: true, value: (i) => i.categoryCode, pattern: /^\d{6}$/ },
  {
    nrii: 'resourceSource',
    label: '仪器来源',
    required: true,
    value: (i) => (i.source ? (SOURCE_CODE[i.source] ?? null) : null),
  },
  {
    nrii: 'worth',
    label: '原值（万元）',
    required: true,
    value: (i) => (i.valueFen == null ? null : formatWan(Number(i.valueFen))),
    pattern: /^\d+\.\d{2}$/,
  },
  { nrii: 'nation', label: '产地国别', required: true, value: (i) => i.country },
  { nrii: 'manufacturer', label: '生产制造商', required: true, value: (i) => i.manufacturer },
  { nrii: 'beginDate', label: '启用日期', required: true, value: (i) => i.startUseDate, pattern: DATE },
  { nrii: 'instrSupervise', label: '仪器类型（通用/专用）', required: true, value: (i) => i.typeCode },
  { nrii: 'model', label: '规格型号', required: true, value: (i) => i.model },
  { nrii: 'technical', label: '主要技术指标', required: true, value: (i) => i.specs },
  { nrii: 'function', label: '主要功能', required: true, value: (i) => i.functions },
  { nrii: 'serviceContent', label: '服务内容', required: true, value: (i) => i.serviceContent },
  { nrii: 'runStatus', label: '运行状态', required: true, value: (i) => RUN_STATUS_CODE[i.runStatus] ?? null },
  { nrii: 'fee', label: '收费标准', required: false, value: (i) => i.feeStandard },
  { nrii: 'serviceUrl', label: '服务网址', required: false, value: (i) => i.serviceUrl },
  { nrii: 'province', label: '省', required: true, value: () => '山东省' },
  { nrii: 'city', label: '市', required: true, value: (i) => (i.cityCode ? cityName(i.cityCode) : null) },
  { nrii: 'county', label: '区县', required: true, value: (i) => i.district },
  { nrii: 'street', label: '街道', required: false, value: (i) => i.street },
  {
    nrii: 'address',
    label: '安放地址',
    required: true,
    value: (i) => [i.street, i.room].filter(Boolean).join(' ') || null,
  },
  { nrii: 'postalcode', label: '邮政编码', required: true, value: (i) => i.postalCode, pattern: /^\d{6}$/ },
  { nrii: 'contact', label: '联系人', required: true, value: (i) => i.contactName },
  { nrii: 'phone', label: '联系电话', required: true, value: (i) => i.contactPhone, pattern: PHONE },
  { nrii: 'email', label: '电子邮箱', required: true, value: (i) => i.contactEmail, pattern: EMAIL },
  { nrii: 'shareMode', label: '共享模式', required: true, value: (i) => SHARING_MODE_CODE[i.sharingMode] },
  { nrii: 'auditStatus', label: '审核状态', required: true, value: (i) => (i.state === 'listed' ? '1' : '0') },
];

export const SERVICE_FIELDS: NriiField<ServiceRecord>[] = [
  { nrii: 'innerId', label: '仪器编号', required: true, value: (s) => s.internalNo },
  {
    nrii: 'serviceAmount',
    label: '服务金额（元）',
    required: true,
    value: (s) => (Number(s.incomeFen) / 100).toFixed(2),
  },
  { nrii: 'serviceTime', label: '服务时间', required: true, value: (s) => s.day, pattern: DATE },
  { nrii: 'serviceContent', label: '服务内容', required: true, value: (s) => s.testItems },
  { nrii: 'serviceWay', label: '服务方式', required: true, value: () => SERVICE_MODE_CODE.commission },
  {
    nrii: 'workHours',
    label: '服务机时（小时）',
    required: true,
    value: (s) => (s.machineHours == null ? null : Number(s.machineHours).toFixed(1)),
  },
  { nrii: 'subjectName', label: '项目名称', required: false, value: (s) => s.projectName },
  { nrii: 'fundChannel', label: '项目经费来源', required: false, value: (s) => s.projectSource },
  { nrii: 'subjectContent', label: '服务用途', required: false, value: (s) => s.purpose },
  { nrii: 'applicant', label: '申请人', required: true, value: (s) => s.contactName },
  { nrii: 'applicantPhone', label: '申请人电话', required: true, value: (s) => s.contactPhone, pattern: PHONE },
  { nrii: 'applicantEmail', label: '申请人邮箱', required: false, value: (s) => s.contactEmail, pattern: EMAIL },
  { nrii: 'applicantUnit', label: '申请人单位', required: true, value: (s) => s.consumerName },
  {
    nrii: 'comment',
    label: '用户评价',
    required: false,
    value: (s) => (s.stars == null ? null : `${s.stars} 星 ${s.comment ?? ''}`.trim()),
  },
];

const pctOf = (bp: number) => (bp / 100).toFixed(2);
export const EFFECT_FIELDS: NriiField<EffectRecord>[] = [
  { nrii: 'year', label: '年度', required: true, value: (e) => e.year },
  { nrii: 'unitName', label: '单位名称', required: true, value: (e) => e.orgName },
  { nrii: 'creditCode', label: '统一社会信用代码', required: true, value: (e) => e.uscc, pattern: /^[0-9A-Z]{18}$/ },
  {
    nrii: 'openRate',
    label: '科研仪器开放率（%）',
    required: true,
    value: (e) => pctOf(e.figures.organization.openRateBp),
  },
  {
    nrii: 'effectiveHours',
    label: '有效工作机时（小时）',
    required: true,
    value: (e) => e.figures.operation.effectiveHours,
  },
  { nrii: 'shareHours', label: '对外服务机时（小时）', required: true, value: (e) => e.figures.sharing.externalHours },
  { nrii: 'shareRate', label: '共享率（%）', required: true, value: (e) => pctOf(e.figures.sharing.shareRateBp) },
  { nrii: 'serviceTimes', label: '服务次数', required: true, value: (e) => e.figures.sharing.services },
  { nrii: 'serviceUsers', label: '服务用户数', required: true, value: (e) => e.figures.sharing.servedOrgs },
  {
    nrii: 'serviceIncome',
    label: '服务收入（万元）',
    required: true,
    value: (e) => formatWan(e.figures.sharing.incomeFen),
  },
];

async function instrumentRows(db: Db, orgId: string) {
  const settings = await statsSettings(db);
  const rows = await db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select([
      'instruments.id',
      'instruments.internalNo',
      'instruments.name',
      'instruments.nameEn',
      'instruments.categoryCode',
      'instruments.source',
      'instruments.valueFen',
      'instruments.country',
      'instruments.manufacturer',
      'instruments.startUseDate',
      'instruments.model',
      'instruments.specs',
      'instruments.functions',
      'instruments.serviceContent',
      'instruments.runStatus',
      'instruments.feeStandard',
      'instruments.cityCode',
      'instruments.district',
      'instruments.street',
      'instruments.room',
      'instruments.contactName',
      'instruments.contactPhone',
      'instruments.contactEmail',
      'instruments.sharingMode',
      'instruments.state',
      'organizations.postalCode',
      'organizations.website as serviceUrl',
    ])
    .where('instruments.orgId', '=', orgId)
    .where('instruments.valueFen', '>=', EVALUATION_THRESHOLD_FEN)
    .orderBy('instruments.internalNo')
    .execute();
  return rows.map((r) => ({
    ...r,
    typeCode: isSpecialCategory(settings, r.categoryCode) ? INSTRUMENT_TYPE_CODE.special : INSTRUMENT_TYPE_CODE.general,
  }));
}

async function serviceRows(db: Db, orgId: string, year: number) {
  const rows = await db
    .selectFrom('bookingItems')
    .innerJoin('bookings', 'bookings.id', 'bookingItems.bookingId')
    .innerJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
    .innerJoin('organizations as c', 'c.id', 'bookings.consumerOrgId')
    .leftJoin('bookingRatings', 'bookingRatings.bookingId', 'bookings.id')
    .select([
      'bookings.no',
      'instruments.internalNo',
      'bookingItems.subtotalFen',
      'bookingItems.sort',
      'bookings.otherFeeFen',
      'bookings.completedAt',
      'bookingItems.testItems',
      'bookingItems.machineHours',
      'bookings.projectName',
      'bookings.projectSource',
      'bookings.purpose',
      'bookings.contactName',
      'bookings.contactPhone',
      'bookings.contactEmail',
      'c.name as consumerName',
      'bookingRatings.stars',
      'bookingRatings.comment',
    ])
    .where('bookings.providerOrgId', '=', orgId)
    .where('bookings.state', '=', 'completed')
    .where('bookings.completedAt', '>=', monthRange(`${year}-01`).from)
    .where('bookings.completedAt', '<', monthRange(`${year}-12`).to)
    .orderBy('bookings.completedAt')
    .orderBy('bookings.no')
    .orderBy('bookingItems.sort')
    .execute();
  return rows.map((r) => ({
    ...r,
    incomeFen: Number(r.subtotalFen) + (Number(r.sort) === 0 ? Number(r.otherFeeFen) : 0),
    day: r.completedAt ? shanghaiDate(new Date(r.completedAt)) : null,
  }));
}

export interface Problem {
  record: 'instrument' | 'service' | 'effect';
  key: string;
  field: string;
  label: string;
  problem: 'missing' | 'malformed';
}

function mapRows<T>(rows: T[], fields: NriiField<T>[], record: Problem['record'], keyOf: (r: T) => string) {
  const problems: Problem[] = [];
  const out = rows.map((r) => {
    const o: Record<string, string | number | null> = {};
    for (const f of fields) {
      const v = f.value(r);
      const text = v == null ? '' : String(v).trim();
      o[f.nrii] = text === '' ? null : v;
      if (text === '') {
        if (f.required) problems.push({ record, key: keyOf(r), field: f.nrii, label: f.label, problem: 'missing' });
      } else if (f.pattern && !f.pattern.test(text))
        problems.push({ record, key: keyOf(r), field: f.nrii, label: f.label, problem: 'malformed' });
    }
    return o;
  });
  return { out, problems };
}

/** The three record sets of an organisation and year, mapped, with every problem found. */
export async function nriiFeed(db: Db, orgId: string, year: number) {
  const org = await db
    .selectFrom('organizations')
    .select(['name', 'uscc'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const [instruments, services, figures] = await Promise.all([
    instrumentRows(db, orgId),
    serviceRows(db, orgId, year),
    reportFigures(db, orgId, year, EVALUATION_THRESHOLD_FEN),
  ]);
  const i = mapRows(instruments, INSTRUMENT_FIELDS, 'instrument', (r) => r.internalNo);
  const s = mapRows(services, SERVICE_FIELDS, 'service', (r) => `${r.no}/${r.internalNo}`);
  const e = mapRows([{ year, orgName: org.name, uscc: org.uscc, figures }], EFFECT_FIELDS, 'effect', () =>
    String(year),
  );
  const problems = [...i.problems, ...s.problems, ...e.problems];
  return {
    orgId,
    orgName: org.name,
    year,
    valid: problems.length === 0,
    problems,
    instruments: i.out,
    services: s.out,
    effect: e.out[0],
  };
}
