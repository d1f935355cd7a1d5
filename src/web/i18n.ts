import { createI18n } from 'vue-i18n';

type Messages = { zh: Record<string, unknown>; en: Record<string, unknown> };
/** Each module keeps its own messages in locales/<module>.ts; they are merged here. */
const modules = import.meta.glob<{ default: Messages }>('./locales/*.ts', { eager: true });
const zh: Record<string, unknown> = {};
const en: Record<string, unknown> = {};
/**
 * Page titles are Chinese in the routes (`meta.title`); each module's `en.titles` maps them to English
 * (`titles: { 我的预约: 'My bookings' }`), and all of them are merged here into one table, read by `pageTitle`.
 */
const titles: Record<string, string> = {};
for (const [file, mod] of Object.entries(modules)) {
  const name = file.replace(/^.*\/|\.ts$/g, '');
  zh[name] = mod.default.zh;
  en[name] = mod.default.en;
  Object.assign(titles, (mod.default.en as { titles?: Record<string, string> }).titles ?? {});
}

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('lang') : null;
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en } as never,
});

// <html lang> says the language from the first paint (screen readers and the browser's translation offer read it)
if (typeof document !== 'undefined') document.documentElement.lang = saved === 'en' ? 'en' : 'zh-CN';

/** Switches the UI language and remembers it; App.vue follows with the document title and Element Plus' texts. */
export function setLang(lang: 'zh-CN' | 'en') {
  (i18n.global.locale as unknown as { value: string }).value = lang;
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
}

export const currentLang = () => (i18n.global.locale as unknown as { value: string }).value as 'zh-CN' | 'en';

/** A page's title (its Chinese `meta.title`) in the language shown; Chinese when no English is written yet. */
export function pageTitle(zh: string | undefined): string {
  if (!zh) return '';
  return currentLang() === 'en' ? (titles[zh] ?? zh) : zh;
}
