import { formatDate, formatTime, wan, yuan } from '@/format';
import { currentLang } from '@/i18n';
import { REVIEW_LABELS_EN } from '@/locales/reviews';

const en = () => currentLang() === 'en';
/** A field's or section's label in the language shown. */
export const labelText = (zh: string) => (en() ? (REVIEW_LABELS_EN[zh] ?? zh) : zh);

/** How one field of a reviewed subject is named and shown. */
export interface FieldDef {
  key: string;
  label: string;
  fmt?: 'wan' | 'yuan' | 'pct' | 'bool' | 'time' | 'date' | 'people' | 'link' | 'affiliation' | 'commitment' | 'long';
}

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
      { key: 'revenueFen', label: '上年营业收入', fmt: 'wan' },
      { key: 'isSmallMicro', label: '是否小微企业', fmt: 'bool' },
      { key: 'isVoucherApplicant', label: '是否申请创新券', fmt: 'bool' },
      { key: 'commitmentAcceptedAt', label: '承诺书', fmt: 'commitment' },
    ],
  },
];

/** A voucher claim (创新券兑付): the claim, the service it pays for, the money (fen; rate in basis points). */
export const CLAIM_SECTIONS: { title: string; fields: FieldDef[] }[] = [
  {
    title: '兑付申请',
    fields: [
      { key: 'claimNo', label: '申请编号' },
      { key: 'voucherKind', label: '创新券类别' },
      { key: 'consumerName', label: '申请企业' },
      { key: 'cityName', label: '所在地市' },
      { key: 'settledAt', label: '结算时间', fmt: 'time' },
      { key: 'policyEffectiveFrom', label: '适用政策版本', fmt: 'date' },
    ],
  },
  {
    title: '服务信息',
    fields: [
      { key: 'bookingNo', label: '预约单号' },
      { key: 'bookingState', label: '预约单状态' },
      { key: 'providerName', label: '服务机构' },
      { key: 'projectName', label: '所属项目' },
      { key: 'instruments', label: '服务仪器', fmt: 'long' },
      { key: 'purpose', label: '检测用途', fmt: 'long' },
    ],
  },
  {
    title: '补贴金额',
    fields: [
      { key: 'feeFen', label: '服务费用', fmt: 'yuan' },
      { key: 'rateBp', label: '补贴比例', fmt: 'pct' },
      { key: 'amountFen', label: '申请补贴金额', fmt: 'yuan' },
      { key: 'selfPayFen', label: '企业自付', fmt: 'yuan' },
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
  // 供需发布
  { key: 'postKind', label: '类别' },
  { key: 'content', label: '内容', fmt: 'long' },
  { key: 'categories', label: '相关仪器分类' },
  { key: 'fields', label: '服务领域' },
  { key: 'amountFen', label: '预算/价格', fmt: 'yuan' },
  { key: 'amountNote', label: '价格说明' },
  { key: 'contactName', label: '联系人' },
  { key: 'contactPhone', label: '联系电话' },
  { key: 'contactEmail', label: '联系邮箱' },
  { key: 'validUntil', label: '有效期至', fmt: 'date' },
  { key: 'isEdit', label: '修改已发布的信息', fmt: 'bool' },
];
const ALL = new Map([...ORG_SECTIONS.flatMap((s) => s.fields), ...EXTRA].map((f) => [f.key, f]));

export const fieldDef = (key: string): FieldDef => ALL.get(key) ?? { key, label: key };

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true';
const falsy = (v: unknown) => v === false || v === 0 || v === '0' || v === 'false';

/** One value as text, in the platform's formats (万元, 是/否, YYYY-MM-DD HH:mm). */
export function show(def: FieldDef, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  switch (def.fmt) {
    case 'wan':
      return typeof v === 'number' ? (en() ? `¥${Math.round(v / 100).toLocaleString('en-US')}` : wan(v)) : String(v);
    case 'yuan':
      return typeof v === 'number' ? yuan(v) : String(v);
    case 'pct':
      return typeof v === 'number' ? `${Number((v / 100).toFixed(2))}%` : String(v);
    case 'bool':
      return truthy(v) ? (en() ? 'Yes' : '是') : falsy(v) ? (en() ? 'No' : '否') : String(v);
    case 'time':
      return typeof v === 'string' ? formatTime(v) : String(v);
    case 'date':
      return typeof v === 'string' ? (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : formatDate(v)) : String(v);
    case 'people':
      return typeof v === 'number' ? `${v.toLocaleString('en-US')}${en() ? '' : ' 人'}` : String(v);
    case 'affiliation':
      if (en())
        return v === 'province'
          ? 'Province-affiliated (reviewed by the provincial department)'
          : v === 'city'
            ? 'City-affiliated (reviewed by the city bureau)'
            : String(v);
      return v === 'province'
        ? '省直单位（由省科技厅审核）'
        : v === 'city'
          ? '市属单位（由所在地市科技局审核）'
          : String(v);
    case 'commitment':
      return typeof v === 'string' ? `${en() ? 'Read and accepted' : '已阅读并同意'} · ${formatTime(v)}` : String(v);
  }
  if (typeof v === 'boolean') return v ? (en() ? 'Yes' : '是') : en() ? 'No' : '否';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return formatTime(v);
  return String(v);
}

/** Internal columns a reviewer has no use for. */
export const HIDDEN_KEYS = new Set([
  'id',
  'legalUserId',
  'departmentId',
  'pendingChangeJson',
  'voucherQuestionApplies',
  'changes',
  'rejectReason',
  'attachments',
]);
