import { createI18n } from 'vue-i18n';

type Messages = { zh: Record<string, unknown>; en: Record<string, unknown> };
/** Each module keeps its own messages in locales/<module>.ts; they are merged here. */
const modules = import.meta.glob<{ default: Messages }>('./locales/*.ts', { eager: true });
const zh: Record<string, unknown> = {};
const en: Record<string, unknown> = {};
for (const [file, mod] of Object.entries(modules)) {
  const name = file.replace(/^.*\/|\.ts$/g, '');
  zh[name] = mod.default.zh;
  en[name] = mod.default.en;
}

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('lang') : null;
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en } as never,
});

export function setLang(lang: 'zh-CN' | 'en') {
  (i18n.global.locale as unknown as { value: string }).value = lang;
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
}
