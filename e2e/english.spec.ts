import { expect, test, type Page } from '@playwright/test';
import { mergeReport, routePattern, settle } from './fixtures';
import { landedOn, loginAs, pathsFor, ROLES } from './site-map';

/**
 * The English check: with the UI in English (localStorage lang=en, as the header's language button leaves it), every
 * page as a visitor and as each demo role at 1440 px shows no CJK text outside data. A CJK text (text node,
 * placeholder, aria-label, title, alt) is data when the API responses of the page hold it: names of organisations
 * and instruments, user text. Labels the server sends along with codes (stateLabel, kindLabel…) and its messages
 * are not data: the client translates states by their code. Also: <html lang> is en, the document title has no CJK outside data,
 * and at 1280 px the header does not overflow. Any finding fails the test; with I18N_ENFORCE=0 they are only written to
 * <outputDir>/english.json and counted.
 */
const ENFORCE = process.env.I18N_ENFORCE !== '0';
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const NOT_DATA_KEY = /(Label|^message|^error)$/;
/** The language button names the other language in that language. */
const ALLOWED = new Set(['中文', '简体中文']);

test.use({ viewport: { width: 1440, height: 900 } });

type Text = { text: string; kind: string; visible: boolean };
type PageReport = {
  path: string;
  page: string;
  ui: string[];
  hiddenUi: string[];
  htmlLang: string;
  title: string;
  /** The parts of the title (split at ' - ') in Chinese that are not data. */
  titleUi: string[];
  headerOverflow: string | null;
};

/** Every string value of a JSON document, except the server's labels and messages. */
function strings(value: unknown, out: Set<string>, key = '') {
  if (typeof value === 'string') {
    // white space as the page's text nodes have it (a notice's lines are one text there)
    if (CJK.test(value) && !NOT_DATA_KEY.test(key)) out.add(value.replace(/\s+/g, ' ').trim());
  } else if (Array.isArray(value)) value.forEach((v) => strings(v, out, key));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) strings(v, out, k);
}

/** Whether a text is data: held by an API string, or made only of API strings and non-CJK characters. */
function isData(text: string, data: string[]): boolean {
  for (const s of data) {
    if (s === text) return true;
    if (s.includes(text) && (text.length >= 4 || s.split(/[\s,，、;；·/|()（）:：]+/).includes(text))) return true;
  }
  let rest = text;
  for (const s of data) if (s.length >= 2 && rest.includes(s)) rest = rest.split(s).join(' ');
  return !CJK.test(rest);
}

// Code run in the page (strings: the e2e project is type-checked without the DOM library).
/** The texts of the page: text nodes, placeholders and names in attributes (form values are the user's). */
const TEXTS_OF_PAGE = `(() => {
  const out = [];
  const visible = (el) => !!el && el.checkVisibility?.({ checkOpacity: false, checkVisibilityCSS: true }) !== false;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest('script,style,noscript,template')) continue;
    const text = (n.textContent ?? '').replace(/\\s+/g, ' ').trim();
    if (text) out.push({ text, kind: 'text', visible: visible(parent) });
  }
  for (const attr of ['placeholder', 'aria-label', 'title', 'alt', 'aria-placeholder']) {
    for (const el of document.body.querySelectorAll('[' + attr + ']')) {
      const text = (el.getAttribute(attr) ?? '').trim();
      if (text) out.push({ text, kind: attr, visible: visible(el) });
    }
  }
  return out;
})()`;

/** What sticks out of the header at the current width, or null. */
const HEADER_OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width)
    return 'page is ' + (document.documentElement.scrollWidth - width) + 'px wider than the window';
  const header = document.querySelector('header');
  if (!header) return null;
  if (header.scrollWidth > header.clientWidth) return 'header scrolls by ' + (header.scrollWidth - header.clientWidth) + 'px';
  for (const el of header.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) return el.tagName.toLowerCase() + '.' + el.className + ' ends at ' + r.right + 'px';
  }
  return null;
})()`;

const textsOf = (page: Page) => page.evaluate<Text[]>(TEXTS_OF_PAGE);
const headerOverflow = (page: Page) => page.evaluate<string | null>(HEADER_OVERFLOW);

for (const role of ROLES) {
  test(`English: every page as ${role.key} (no Chinese UI text)`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.addInitScript("localStorage.setItem('lang', 'en')");
    await loginAs(page, role);
    let bodies: Promise<void>[] = [];
    let data = new Set<string>();
    page.on('response', (r) => {
      if (!new URL(r.url()).pathname.startsWith('/api/')) return;
      if (!(r.headers()['content-type'] ?? '').includes('json')) return;
      const into = data;
      bodies.push(
        r.json().then(
          (j) => strings(j, into),
          () => undefined,
        ),
      );
    });
    const reports: PageReport[] = [];
    for (const path of await pathsFor(page, role)) {
      data = new Set();
      bodies = [];
      await page.goto(path);
      await settle(page);
      if (!landedOn(page, path)) continue; // not a page of this role
      await Promise.all(bodies);
      const corpus = [...data].sort((a, b) => b.length - a.length);
      const ui = new Set<string>();
      const hiddenUi = new Set<string>();
      for (const t of await textsOf(page)) {
        if (!CJK.test(t.text) || ALLOWED.has(t.text) || isData(t.text, corpus)) continue;
        (t.visible ? ui : hiddenUi).add(t.kind === 'text' ? t.text : `[${t.kind}] ${t.text}`);
      }
      for (const t of ui) hiddenUi.delete(t);
      const htmlLang = await page.evaluate<string>('document.documentElement.lang');
      const title = await page.title();
      const titleUi = title.split(' - ').filter((part) => CJK.test(part) && !isData(part.trim(), corpus));
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.waitForTimeout(150);
      const overflow = await headerOverflow(page);
      await page.setViewportSize({ width: 1440, height: 900 });
      reports.push({
        path,
        page: routePattern(page.url()),
        ui: [...ui],
        hiddenUi: [...hiddenUi],
        htmlLang,
        title,
        titleUi,
        headerOverflow: overflow,
      });
    }
    await mergeReport(test.info(), 'english.json', reports);
    const distinct = new Set(reports.flatMap((r) => r.ui));
    console.log(
      `[english] ${role.key}: ${reports.length} pages, ${distinct.size} distinct Chinese UI strings` +
        reports
          .map(
            (r) =>
              `\n  ${r.page}: ${r.ui.length} (+${r.hiddenUi.length} hidden)` +
              (r.htmlLang !== 'en' ? ` lang=${r.htmlLang}` : '') +
              (r.titleUi.length ? ` title="${r.title}"` : '') +
              (r.headerOverflow ? ` header@1280: ${r.headerOverflow}` : ''),
          )
          .join(''),
    );
    expect(reports.length, 'pages visited').toBeGreaterThan(0);
    if (ENFORCE) {
      for (const r of reports) {
        expect.soft(r.ui, `Chinese UI text on ${r.page}`).toEqual([]);
        expect.soft(r.htmlLang, `<html lang> on ${r.page}`).toBe('en');
        expect.soft(r.titleUi, `document title of ${r.page}`).toEqual([]);
        expect.soft(r.headerOverflow, `header at 1280 px on ${r.page}`).toBeNull();
      }
    }
  });
}
