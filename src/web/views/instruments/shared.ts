import { ref } from 'vue';
import { get } from '@/api/client';
import { currentLang, i18n } from '@/i18n';
import { categoryRows } from '@domain/categories';
import { SERVICE_FIELDS, SHANDONG_CITIES } from '@domain/reference';
import {
  INSTRUMENT_STATE_LABEL,
  DISABLED_LABEL,
  RUN_STATUSES,
  SHARING_MODES,
  SOURCES,
  type InstrumentState,
} from '@domain/instrument';

export { INSTRUMENT_STATE_LABEL, DISABLED_LABEL, RUN_STATUSES, SHARING_MODES, SOURCES };
export type { InstrumentState };

/** A stored picture or attachment as replies show it (contracts/files StoredFile). */
export interface StoredFile {
  id: string;
  name: string;
  mime: string;
  size: number;
  url: string;
  thumbUrl: string | null;
}

export interface StaffMember {
  name: string;
  role: 'operator' | 'maintainer';
  phone?: string | null;
  email?: string | null;
  title?: string | null;
}

/** One row of 我的仪器 (contracts/instruments InstrumentRow). */
export interface InstrumentRow {
  id: string;
  internalNo: string;
  name: string;
  model: string | null;
  categoryName: string;
  valueFen: number | null;
  state: InstrumentState;
  stateLabel: string;
  isDisabled: boolean;
  rejectReason: string | null;
  serviceCount: number;
  pictureUrl: string | null;
  pictureCount: number;
  attachmentCount: number;
  updatedAt: string;
  listedAt: string | null;
}

/** The instrument as GET /instruments/:id shows it (contracts/instruments InstrumentView). */
export interface InstrumentView {
  id: string;
  orgId: string;
  orgName: string;
  internalNo: string;
  name: string;
  nameEn: string | null;
  categoryCode: string;
  categoryName: string;
  categoryPath: string[];
  serviceFields: string[];
  serviceFieldNames: string[];
  model: string | null;
  manufacturer: string | null;
  country: string | null;
  valueFen: number | null;
  purchaseDate: string | null;
  startUseDate: string | null;
  source: string | null;
  specs: string | null;
  functions: string | null;
  serviceContent: string | null;
  feeStandard: string | null;
  sharingMode: 'internal' | 'external';
  runStatus: string;
  cityCode: string | null;
  cityName: string | null;
  district: string | null;
  street: string | null;
  room: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  staff: StaffMember[];
  state: InstrumentState;
  stateLabel: string;
  isDisabled: boolean;
  rejectReason: string | null;
  serviceCount: number;
  pictures: StoredFile[];
  attachments: StoredFile[];
  createdAt: string;
  updatedAt: string;
  listedAt: string | null;
  canManage: boolean;
}

/** The reply of 保存, 提交, 停用 and 启用. */
export interface SaveReply {
  id: string;
  state: InstrumentState;
  stateLabel: string;
  isDisabled: boolean;
}

/** 我的仪器 tabs: `listed` = listed and enabled, `disabled` = listed and 停用 (the API's own filter values). */
export const STATE_TABS = [
  { name: 'all', label: '全部' },
  { name: 'draft', label: '草稿' },
  { name: 'pending', label: '待审核' },
  { name: 'listed', label: '已入网' },
  { name: 'rejected', label: '未通过' },
  { name: 'disabled', label: '已停用' },
] as const;
export type StateTab = (typeof STATE_TABS)[number]['name'];
export const isStateTab = (s: unknown): s is StateTab => typeof s === 'string' && STATE_TABS.some((t) => t.name === s);

/** The state label a list shows: a disabled listed instrument is 已停用 everywhere. */
export const stateText = (r: { state: InstrumentState; isDisabled: boolean }) =>
  r.state === 'listed' && r.isDisabled ? DISABLED_LABEL : INSTRUMENT_STATE_LABEL[r.state];
/** The same in the language shown. */
export const stateName = (r: { state: InstrumentState; isDisabled: boolean }) =>
  currentLang() === 'en'
    ? (i18n.global as unknown as { t: (k: string) => string }).t(
        `instruments.state.${r.state === 'listed' && r.isDisabled ? 'disabled' : r.state}`,
      )
    : stateText(r);

export const CITY_OPTIONS = SHANDONG_CITIES.map(([code, name]) => ({ value: code as string, label: `${name}市` }));
export const STAFF_ROLE_TEXT: Record<StaffMember['role'], string> = { operator: '操作', maintainer: '维修' };

export const fileSize = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;

// ------------------------------------------------------------------ money: typed text ⇄ integer fen, no floats

export type MoneyUnit = 'wan' | 'yuan';
/** An amount error in the language shown. */
const tr = (k: string) => (i18n.global as unknown as { t: (k: string) => string }).t(`instruments.edit.money.${k}`);
const DECIMALS: Record<MoneyUnit, number> = { wan: 6, yuan: 2 };
export const MAX_VALUE_FEN = 1e13;

/**
 * The typed amount as integer fen: '380' 万元 → 380_000_000, '1,234.5' ¥ → 123_450. Blank → null.
 * Computed from the digits (integer part × scale + padded fraction), never by multiplying a float.
 * Returns an error text when the input is not an amount of this unit.
 */
export function parseMoney(text: string, unit: MoneyUnit): { fen: number | null; error?: string } {
  const s = text.replace(/[,，\s]/g, '').replace(/^[¥￥]/, '');
  if (!s) return { fen: null };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { fen: null, error: tr('nan') };
  const decimals = DECIMALS[unit];
  const frac = m[2] ?? '';
  if (frac.length > decimals) return { fen: null, error: tr(unit === 'wan' ? 'wan6' : 'yuan2') };
  const whole = m[1].replace(/^0+(?=\d)/, '');
  if (whole.length > 14) return { fen: null, error: tr('big') };
  const fen = Number(whole) * 10 ** decimals + Number(frac.padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(fen) || fen > MAX_VALUE_FEN) return { fen: null, error: tr('big') };
  return { fen };
}

/** Integer fen as the text of an input in this unit, without trailing zeros: 380_000_000 → '380' (万元). */
export function fenToText(fen: number | null | undefined, unit: MoneyUnit): string {
  if (fen === null || fen === undefined) return '';
  const decimals = DECIMALS[unit];
  const scale = 10 ** decimals;
  const whole = Math.floor(fen / scale);
  const frac = String(fen % scale)
    .padStart(decimals, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** 万元 with 2 decimals for tables (the value column of 我的仪器). */
export const wanNumber = (fen: number | null | undefined) =>
  fen === null || fen === undefined
    ? '—'
    : (fen / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

// ------------------------------------------------------------------ reference data: the category tree and the service fields

export interface CategoryOption {
  code: string;
  name: string;
  children?: CategoryOption[];
}
export interface FieldOption {
  value: string;
  label: string;
}

interface FacetsReply {
  categories: {
    code: string;
    name: string;
    children: { code: string; name: string; children: { code: string; name: string }[] }[];
  }[];
  fields: { value: string; label: string }[];
}

/** Nodes without children are leaves (an empty `children` array would make the cascader offer an empty column). */
function trim(
  nodes: { code: string; name: string; children?: { code: string; name: string; children?: unknown[] }[] }[],
): CategoryOption[] {
  return nodes.map((n) => {
    const kids = n.children?.length ? trim(n.children as never) : undefined;
    return kids ? { code: n.code, name: n.name, children: kids } : { code: n.code, name: n.name };
  });
}

/** The tree of the domain module, for when the reference endpoint cannot be reached. */
function localTree(): CategoryOption[] {
  const rows = categoryRows();
  const build = (parent: string | null): CategoryOption[] =>
    rows
      .filter((r) => r.parent === parent)
      .map((r) => {
        const children = build(r.code);
        return children.length ? { code: r.code, name: r.name, children } : { code: r.code, name: r.name };
      });
  return build(null);
}
const localFields = (): FieldOption[] =>
  SERVICE_FIELDS.map((name, i) => ({ value: `F${String(i + 1).padStart(2, '0')}`, label: name }));

let cached: Promise<{ categories: CategoryOption[]; fields: FieldOption[] }> | null = null;

/** The category tree and service fields from GET /catalogue/facets-reference (the system's reference data), loaded once. */
export function useReference() {
  const categories = ref<CategoryOption[]>(localTree());
  const fields = ref<FieldOption[]>(localFields());
  cached ??= get<FacetsReply>('/catalogue/facets-reference')
    .then((r) => ({
      categories: trim(r.categories),
      fields: r.fields.map((f) => ({ value: f.value, label: f.label })),
    }))
    .catch(() => {
      cached = null;
      return { categories: localTree(), fields: localFields() };
    });
  void cached.then((r) => {
    if (r.categories.length) categories.value = r.categories;
    if (r.fields.length) fields.value = r.fields;
  });
  return { categories, fields };
}

/** The names from the root to a code, e.g. 分析仪器 / 电子光学仪器 / 扫描电镜. */
export function categoryPathOf(tree: CategoryOption[], code: string): string[] {
  for (const n of tree) {
    if (n.code === code) return [n.name];
    if (n.children) {
      const p = categoryPathOf(n.children, code);
      if (p.length) return [n.name, ...p];
    }
  }
  return [];
}
