import { computed, reactive, type InjectionKey } from 'vue';
import { OrgFields } from '@contracts/organizations';
import { voucherQuestionApplies } from '@domain/organization';
import { isValidUscc } from '@domain/uscc';
import { cityName, ORG_TYPES, OUT_OF_PROVINCE, SHANDONG_CITIES } from '@domain/reference';
import { currentLang, i18n } from '@/i18n';
import { ZOD_EN } from '@/locales/org';

const t = (key: string, values?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, v?: Record<string, unknown>) => string }).t(key, values ?? {});

export interface OrgView {
  name: string;
  uscc: string;
  type: string;
  cityCode: string;
  affiliation: string;
  district: string | null;
  address: string | null;
  postalCode: string | null;
  legalPerson: string | null;
  phone: string | null;
  foundedOn: string | null;
  website: string | null;
  intro: string | null;
  bankName: string | null;
  bankAccount: string | null;
  bankAccountName: string | null;
  liaisonName: string | null;
  liaisonPhone: string | null;
  liaisonEmail: string | null;
  staffCount: number | null;
  revenueFen: number | null;
  isSmallMicro: boolean | null;
  isVoucherApplicant: boolean | null;
  state: 'draft' | 'pending' | 'approved' | 'rejected';
  rejectReason: string | null;
  departmentName: string;
  mustRefresh: boolean;
  pendingChange: Record<string, unknown> | null;
  joinReview: { reason: string | null; open: boolean } | null;
  changeReview: { reason: string | null; open: boolean } | null;
  myRole: 'member' | 'admin' | 'legal';
}

export function emptyOrgForm() {
  return {
    name: '',
    uscc: '',
    type: '' as string,
    cityCode: '',
    affiliation: 'city' as 'city' | 'province',
    district: '',
    address: '',
    postalCode: '',
    legalPerson: '',
    phone: '',
    foundedOn: null as string | null,
    website: '',
    intro: '',
    bankName: '',
    bankAccount: '',
    bankAccountName: '',
    liaisonName: '',
    liaisonPhone: '',
    liaisonEmail: '',
    staffCount: null as number | null,
    revenueWan: null as number | null,
    isSmallMicro: null as boolean | null,
    isVoucherApplicant: null as boolean | null,
  };
}
export type OrgForm = ReturnType<typeof emptyOrgForm>;

export function formOf(o: OrgView): OrgForm {
  const s = (v: string | null) => v ?? '';
  return {
    name: o.name,
    uscc: o.uscc,
    type: o.type,
    cityCode: o.cityCode,
    affiliation: o.affiliation === 'province' ? 'province' : 'city',
    district: s(o.district),
    address: s(o.address),
    postalCode: s(o.postalCode),
    legalPerson: s(o.legalPerson),
    phone: s(o.phone),
    foundedOn: o.foundedOn,
    website: s(o.website),
    intro: s(o.intro),
    bankName: s(o.bankName),
    bankAccount: s(o.bankAccount),
    bankAccountName: s(o.bankAccountName),
    liaisonName: s(o.liaisonName),
    liaisonPhone: s(o.liaisonPhone),
    liaisonEmail: s(o.liaisonEmail),
    staffCount: o.staffCount,
    revenueWan: o.revenueFen === null ? null : o.revenueFen / 1_000_000,
    isSmallMicro: o.isSmallMicro,
    isVoucherApplicant: o.isVoucherApplicant,
  };
}

/** The state of the 编辑单位信息 form, shared by the wizard page and its field component. */
export function useOrgForm() {
  const form = reactive(emptyOrgForm());
  const errors = reactive<Record<string, string>>({});
  const revenueFen = computed(() =>
    form.revenueWan === null || form.revenueWan === undefined ? null : Math.round(form.revenueWan * 1_000_000),
  );
  const isEnterprise = computed(() => form.type === 'enterprise');
  const voucherApplies = computed(() =>
    voucherQuestionApplies({
      cityCode: form.cityCode,
      staffCount: form.staffCount,
      revenueFen: revenueFen.value,
      type: form.type,
    }),
  );
  function payload() {
    const s = (v: string) => (v.trim() ? v.trim() : null);
    return {
      name: form.name.trim(),
      uscc: form.uscc.trim().toUpperCase(),
      type: form.type,
      cityCode: form.cityCode,
      affiliation: form.affiliation,
      district: s(form.district),
      address: s(form.address),
      postalCode: s(form.postalCode),
      legalPerson: s(form.legalPerson),
      phone: s(form.phone),
      foundedOn: form.foundedOn || null,
      website: s(form.website),
      intro: s(form.intro),
      bankName: s(form.bankName),
      bankAccount: s(form.bankAccount),
      bankAccountName: s(form.bankAccountName),
      liaisonName: s(form.liaisonName),
      liaisonPhone: s(form.liaisonPhone),
      liaisonEmail: s(form.liaisonEmail),
      staffCount: form.staffCount ?? null,
      revenueFen: revenueFen.value,
      isSmallMicro: isEnterprise.value ? form.isSmallMicro : null,
      isVoucherApplicant: voucherApplies.value ? form.isVoucherApplicant : null,
      commitmentAccepted: true as const,
    };
  }
  /** Checks the payload with the server's own contract; puts each issue under its field. */
  function validate(complete: boolean): boolean {
    for (const k of Object.keys(errors)) delete errors[k];
    const p = payload();
    const r = OrgFields.safeParse(p);
    if (!r.success)
      for (const issue of r.error.issues) {
        const field = String(issue.path[0] ?? '');
        if (field && !errors[field]) errors[field] = zodMessage(issue.message);
      }
    if (!errors.uscc && !isValidUscc(p.uscc)) errors.uscc = t('org.hint.usccBad');
    if (complete) {
      // what 提交 needs besides the contract (the server's completeness check, same fields)
      for (const k of REQUIRED_FOR_SUBMIT)
        if (!errors[k] && (p[k] === null || p[k] === '')) errors[k] = t('org.hint.fill', { label: fieldLabel(k) });
      if (isEnterprise.value && p.isSmallMicro === null) errors.isSmallMicro = t('org.hint.choose');
      if (voucherApplies.value && p.isVoucherApplicant === null) errors.isVoucherApplicant = t('org.hint.choose');
    }
    return Object.keys(errors).length === 0;
  }
  return { form, errors, revenueFen, isEnterprise, voucherApplies, payload, validate };
}
const REQUIRED_FOR_SUBMIT = [
  'address',
  'legalPerson',
  'phone',
  'intro',
  'bankName',
  'bankAccount',
  'bankAccountName',
  'liaisonName',
  'liaisonPhone',
  'liaisonEmail',
  'staffCount',
  'revenueFen',
] as const;
export type OrgFormState = ReturnType<typeof useOrgForm>;
export const ORG_FORM: InjectionKey<OrgFormState> = Symbol('org-form');

/** A contract's (Chinese) message in the language shown. */
export function zodMessage(message: string): string {
  if (currentLang() !== 'en') return message;
  for (const [re, en] of ZOD_EN) if (re.test(message)) return message.replace(re, en);
  return /[\u4e00-\u9fff]/.test(message) ? 'Please check this field' : message;
}

/** The label of a field of the form (errors name fields by label, never by id). */
export const fieldLabel = (field: string) => t(`org.fields.${field}`);

export const cityLabel = (code: string) =>
  currentLang() === 'en'
    ? t(`org.city.${code}`)
    : code === OUT_OF_PROVINCE.code
      ? OUT_OF_PROVINCE.name
      : `${cityName(code)}市`;
export const orgTypeLabel = (type: string) =>
  currentLang() === 'en' ? t(`org.orgType.${type}`) : (ORG_TYPES[type as keyof typeof ORG_TYPES] ?? type);
/** A type or city name the server sent (Chinese), in the language shown. */
export function typeLabelText(label: string): string {
  const key = Object.entries(ORG_TYPES).find(([, v]) => v === label)?.[0];
  return key ? orgTypeLabel(key) : label;
}
export function cityNameText(name: string): string {
  if (currentLang() !== 'en') return name;
  const bare = name.replace(/市$/, '');
  const code = bare === OUT_OF_PROVINCE.name ? OUT_OF_PROVINCE.code : SHANDONG_CITIES.find(([, n]) => n === bare)?.[0];
  return code ? t(`org.city.${code}`) : name;
}
export const cityOptions = () => [
  ...SHANDONG_CITIES.map(([code]) => ({ value: code as string, label: cityLabel(code) })),
  { value: OUT_OF_PROVINCE.code as string, label: cityLabel(OUT_OF_PROVINCE.code) },
];
export const orgTypeOptions = () => Object.keys(ORG_TYPES).map((value) => ({ value, label: orgTypeLabel(value) }));

/** The department that reviews an organisation of this city and affiliation. */
export function reviewDeptLabel(cityCode: string, affiliation: string): string {
  if (!cityCode) return '';
  if (affiliation === 'province' || cityCode === OUT_OF_PROVINCE.code) return t('org.province');
  return t('org.bureau', { city: currentLang() === 'en' ? t(`org.city.${cityCode}`) : cityName(cityCode) });
}

// ---------------------------------------------------------------- the draft kept in this browser

export interface OrgDraft {
  form: OrgForm | null;
  checks: boolean[];
}
export const draftKey = (userId: string, orgId: string | null) => `org-draft:${userId}:${orgId ?? 'new'}`;
export function readDraft(key: string): OrgDraft | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as OrgDraft) : null;
  } catch {
    return null;
  }
}
export function writeDraft(key: string, draft: OrgDraft) {
  try {
    localStorage.setItem(key, JSON.stringify(draft));
  } catch {
    /* storage full or disabled: the unsaved-changes prompt still protects the work */
  }
}
export const dropDraft = (key: string) => localStorage.removeItem(key);
