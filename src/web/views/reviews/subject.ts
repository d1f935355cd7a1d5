import { formatDate, formatTime, wan } from '@/format';

/** How one field of a reviewed subject is named and shown. */
export interface FieldDef { key: string; label: string; fmt?: 'wan' | 'bool' | 'time' | 'date' | 'people' | 'link' | 'affiliation' | 'commitment' | 'long' }

/** The organisation record in the five sections of the manual's 编辑单位信息 form. */
export const ORG_SECTIONS: { title: string; fields: FieldDef[] }[] = [
  {
    title: '基本信息',
    fields: [
      { key: 'name', label: '单位名称' },
      { key: 'uscc', label: '统一社会信用代码' },
      { key: 'typeLabel', label: '单位性质' },
      { key: 'cityName', label: '所在地市' },
      { key: 'affiliation', label: '隶属关系', fmt: 'affiliation' },
      { key: 'district', label: '所在区县' },
      { key: 'address', label: '详细地址' },
      { key: 'postalCode', label: '邮政编码' },
      { key: 'legalPerson', label: '法定代表人' },
      { key: 'phone', label: '单位电话' },
      { key: 'foundedOn', label: '成立日期', fmt: 'date' },
    ],
  },
  {
    title: '单位详细信息',
    fields: [
      { key: 'website', label: '单位网址', fmt: 'link' },
      { key: 'intro', label: '单位简介', fmt: 'long' },
    ],
  },
  {
    title: '账户信息',
    fields: [
      { key: 'bankName', label: '开户银行' },
      { key: 'bankAccount', label: '银行账号' },
      { key: 'bankAccountName', label: '账户名称' },
    ],
  },
  {
    title: '协作共用联络员信息',
    fields: [
      { key: 'liaisonName', label: '联络员姓名' },
      { key: 'liaisonPhone', label: '联系电话' },
      { key: 'liaisonEmail', label: '电子邮箱' },
    ],
  },
  {
    title: '中小微企业信息',
    fields: [
      { key: 'staffCount', label: '职工人数', fmt: 'people' },
      { key: 'revenueFen', label: '上年度营业收入', fmt: 'wan' },
      { key: 'isSmallMicro', label: '是否小微企业', fmt: 'bool' },
      { key: 'isVoucherApplicant', label: '是否申请创新券', fmt: 'bool' },
      { key: 'commitmentAcceptedAt', label: '承诺书', fmt: 'commitment' },
    ],
  },
];

/** Labels of fields that may appear in a change request or a generic subject. */
const EXTRA: FieldDef[] = [
  { key: 'voucherOptIn', label: '是否申请创新券', fmt: 'bool' },
  { key: 'commitmentAccepted', label: '承诺书', fmt: 'bool' },
  { key: 'type', label: '单位性质' },
  { key: 'cityCode', label: '所在地市代码' },
  { key: 'state', label: '状态' },
  { key: 'submittedAt', label: '提交时间', fmt: 'time' },
  { key: 'approvedAt', label: '入网时间', fmt: 'time' },
  { key: 'createdAt', label: '创建时间', fmt: 'time' },
  { key: 'updatedAt', label: '更新时间', fmt: 'time' },
  { key: 'infoUpdatedAt', label: '信息更新时间', fmt: 'time' },
  { key: 'title', label: '标题' },
  { key: 'orgName', label: '单位' },
  { key: 'amountFen', label: '金额', fmt: 'wan' },
];
const ALL = new Map([...ORG_SECTIONS.flatMap((s) => s.fields), ...EXTRA].map((f) => [f.key, f]));

export const fieldDef = (key: string): FieldDef => ALL.get(key) ?? { key, label: key };

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true';
const falsy = (v: unknown) => v === false || v === 0 || v === '0' || v === 'false';

/** One value as text, in the platform's formats (万元, 是/否, YYYY-MM-DD HH:mm). */
export function show(def: FieldDef, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  switch (def.fmt) {
    case 'wan': return typeof v === 'number' ? wan(v) : String(v);
    case 'bool': return truthy(v) ? '是' : falsy(v) ? '否' : String(v);
    case 'time': return typeof v === 'string' ? formatTime(v) : String(v);
    case 'date': return typeof v === 'string' ? (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : formatDate(v)) : String(v);
    case 'people': return typeof v === 'number' ? `${v.toLocaleString('en-US')} 人` : String(v);
    case 'affiliation': return v === 'province' ? '省直单位（由省科技厅审核）' : v === 'city' ? '市属单位（由所在地市科技局审核）' : String(v);
    case 'commitment': return typeof v === 'string' ? `已阅读并同意 · ${formatTime(v)}` : String(v);
  }
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return formatTime(v);
  return String(v);
}

/** Internal columns a reviewer has no use for. */
export const HIDDEN_KEYS = new Set(['id', 'legalUserId', 'departmentId', 'pendingChangeJson', 'voucherQuestionApplies', 'changes', 'rejectReason']);
