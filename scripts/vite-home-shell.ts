import type { Plugin } from 'vite';
import home from '../src/web/locales/home.ts';
import common from '../src/web/locales/common.ts';

/** The languages of the home page's first paint, as the server picks them by the `lang` cookie (http/web.ts). */
export const SHELL_LANGS = ['zh-CN', 'en'] as const;
export const shellFile = (lang: (typeof SHELL_LANGS)[number]) => `index.home.${lang}.html`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The stylesheets before the scripts in <head>: the browser then asks for them first, and paints the first paint as
 * soon as they are in, before the scripts arrive and run (otherwise the app's first task may come before that paint).
 */
function stylesheetsFirst(html: string): string {
  const sheets = html.match(/^\s*<link rel="stylesheet"[^>]*>\n/gm) ?? [];
  let rest = html;
  for (const s of sheets) rest = rest.replace(s, '');
  return rest.replace(/(<title>[^<]*<\/title>\n)/, `$1${sheets.join('')}`);
}

/**
 * The home page's first paint without the app (issue 11's 3 s on a throttled phone): a copy of index.html per
 * language whose #app already holds the portal's bars and the hero band with its title and text, styled by the
 * app's own stylesheet (styles/shell.css). The browser paints it as soon as the stylesheet is in, while the scripts
 * still load and run (about a second on a slow phone); the app's mount replaces it with the same band. Only texts:
 * nothing in it can be clicked or typed into before the app runs. Other addresses get the plain index.html.
 */
export function homeShell(): Plugin {
  return {
    name: 'home-shell',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const index = bundle['index.html'];
      if (!index || index.type !== 'asset') return;
      const html = String(index.source);
      if (!html.includes('<div id="app"></div>')) this.error('index.html has no empty <div id="app"></div>');
      for (const lang of SHELL_LANGS) {
        const texts = lang === 'en' ? home.en.hero : home.zh.hero;
        const title = lang === 'en' ? common.en.siteName : common.zh.siteName;
        const shell =
          '<div id="app"><div class="boot-shell" aria-hidden="true">' +
          '<div class="boot-top"></div><div class="boot-header"></div><div class="boot-nav"></div>' +
          `<section class="home-hero boot-hero"><div class="container home-hero-inner">` +
          `<h1>${escapeHtml(texts.title)}</h1><p>${escapeHtml(texts.text)}</p></div></section></div></div>`;
        this.emitFile({
          type: 'asset',
          fileName: shellFile(lang),
          source: stylesheetsFirst(html)
            .replace('<html lang="zh-CN">', `<html lang="${lang}">`)
            .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(title)}</title>`)
            .replace('<div id="app"></div>', shell),
        });
      }
    },
  };
}
