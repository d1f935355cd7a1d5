import { ORG_TYPES, OUT_OF_PROVINCE, SHANDONG_CITIES } from '@domain/reference';
import home from '@/locales/home';

/**
 * Reference names the server sends in Chinese (organisation types, cities, category classes, service fields) in the
 * language shown; the English is looked up by code in locales/home.ts. Data (names of organisations and
 * instruments, finer categories) stays as it is.
 */
const en = home.en;
const isEn = (locale: string) => locale === 'en';

export function orgTypeText(label: string, locale: string): string {
  if (!isEn(locale)) return label;
  const code = Object.entries(ORG_TYPES).find(([, l]) => l === label)?.[0] as keyof typeof en.orgType | undefined;
  return code ? en.orgType[code] : label;
}

/** A city by its Chinese name (济南 or 济南市) or code. */
export function cityText(name: string | null | undefined, locale: string): string {
  if (!name) return '—';
  if (!isEn(locale)) return name;
  const bare = name.replace(/市$/, '');
  const code =
    SHANDONG_CITIES.find(([c, n]) => n === bare || c === name)?.[0] ??
    (bare === OUT_OF_PROVINCE.name ? OUT_OF_PROVINCE.code : undefined);
  return code ? en.city[code as keyof typeof en.city] : name;
}

/** A category class by its code (01, 010000); finer categories stay as they are. */
export function categoryText(code: string, name: string, locale: string): string {
  if (!isEn(locale) || !/^\d{2}(0000)?$/.test(code)) return name;
  return en.category[code.slice(0, 2) as keyof typeof en.category] ?? name;
}

export function fieldText(name: string, locale: string): string {
  return isEn(locale) ? (en.field[name as keyof typeof en.field] ?? name) : name;
}

/** The last page of a list (1 when it is empty). */
export const lastPage = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / pageSize));
