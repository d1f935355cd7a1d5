import { createI18n } from 'vue-i18n';
import { compileMessage } from './message-compiler';

type Messages = { zh: Record<string, unknown>; en: Record<string, unknown> };
/**
 * Page titles are Chinese in the routes (`meta.title`); each module's `en.titles` maps them to English
 * (`titles: { 我的预约: 'My bookings' }`). The member centre's menu lists every page, so all modules' titles are
 * loaded at once: `?titles` gives a module's `en.titles` alone (scripts/vite-page-messages.ts).
 */
const titleModules = import.meta.glob<Record<string, string>>('./locales/*.ts', {
  eager: true,
  query: '?titles',
  import: 'default',
});
const titles: Record<string, string> = Object.assign({}, ...Object.values(titleModules));

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('lang') : null;
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': {}, en: {} } as never,
  messageCompiler: compileMessage,
  // a key of a module whose messages are not registered yet: they are loaded, and the page shows them when they come
  missing: (_locale, key) => {
    loadMessages(key.split('.')[0]);
    return undefined;
  },
});

/**
 * Each module keeps its messages in locales/<module>.ts. A file that uses a module's keys registers that module's
 * messages when it loads (the build adds the import and the call: scripts/vite-page-messages.ts), so a page's
 * messages come with its own chunk.
 */
const registered = new Set<string>();
export function registerMessages(name: string, messages: Messages) {
  if (registered.has(name)) return;
  registered.add(name);
  i18n.global.mergeLocaleMessage('zh-CN', { [name]: messages.zh } as never);
  i18n.global.mergeLocaleMessage('en', { [name]: messages.en } as never);
}

/** The safety net for a key the build did not see (one made at run time): its module's messages, loaded late. */
const lazyModules = import.meta.glob<{ default: Messages }>('./locales/*.ts');
function loadMessages(name: string) {
  const load = lazyModules[`./locales/${name}.ts`];
  if (!load || registered.has(name)) return;
  registered.add(name);
  void load().then((m) => {
    registered.delete(name);
    registerMessages(name, m.default);
    // a page already shows the key: setting the language away and back (in one tick) renders it again
    const locale = i18n.global.locale as unknown as { value: string };
    const shown = locale.value;
    locale.value = shown === 'en' ? 'zh-CN' : 'en';
    locale.value = shown;
  });
}

/**
 * The server reads the language from this cookie for the home page's first paint, which shows before this code runs
 * (index.home.*.html); a preference, not a credential.
 */
function rememberForFirstPaint(lang: 'zh-CN' | 'en') {
  if (!document.cookie.split('; ').includes(`lang=${lang}`))
    document.cookie = `lang=${lang}; path=/; max-age=31536000; samesite=lax`;
}

// <html lang> says the language from the first paint (screen readers and the browser's translation offer read it)
if (typeof document !== 'undefined') {
  document.documentElement.lang = saved === 'en' ? 'en' : 'zh-CN';
  if (saved === 'en' || document.cookie.includes('lang=')) rememberForFirstPaint(saved === 'en' ? 'en' : 'zh-CN');
}

/** Switches the UI language and remembers it; App.vue follows with the document title and Element Plus' texts. */
export function setLang(lang: 'zh-CN' | 'en') {
  (i18n.global.locale as unknown as { value: string }).value = lang;
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
  rememberForFirstPaint(lang);
}

export const currentLang = () => (i18n.global.locale as unknown as { value: string }).value as 'zh-CN' | 'en';

/** A page's title (its Chinese `meta.title`) in the language shown; Chinese when no English is written yet. */
export function pageTitle(zh: string | undefined): string {
  if (!zh) return '';
  return currentLang() === 'en' ? (titles[zh] ?? zh) : zh;
}
