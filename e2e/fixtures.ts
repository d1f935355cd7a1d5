import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, type Page, type TestInfo } from '@playwright/test';

export * from '@playwright/test';

/**
 * axe-core in every journey: the `page` of each test is watched, and every distinct page it shows (its route
 * pattern, ids collapsed) is analysed once it has settled, before the journey's next action (Locator, Page,
 * keyboard and mouse actions wait for the analysis in progress). Serious and critical findings are listed at the
 * end of the test: they fail it (with A11Y_ENFORCE=0 they are only written to <outputDir>/a11y.json).
 */
export const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
const ENFORCE = process.env.A11Y_ENFORCE !== '0';

export type Finding = { rule: string; impact: string; page: string; url: string; viewport: string; targets: string[] };

/** The route of a URL with its ids collapsed: /member/bookings/0192…/results → /member/bookings/:id/results. */
export function routePattern(url: string): string {
  const { pathname } = new URL(url);
  return pathname
    .split('/')
    .map((s) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(s) || /^\d+$/.test(s) || (s.length >= 16 && /^[\w-]+$/.test(s) && /\d/.test(s))
        ? ':id'
        : s,
    )
    .join('/');
}

/** Requests in flight per page, to tell when a page has settled. */
const inFlight = new WeakMap<Page, { n: number; last: number }>();
function trackNetwork(page: Page) {
  if (inFlight.has(page)) return;
  const s = { n: 0, last: Date.now() };
  inFlight.set(page, s);
  const done = () => {
    s.n = Math.max(0, s.n - 1);
    s.last = Date.now();
  };
  page.on('request', () => {
    s.n++;
    s.last = Date.now();
  });
  page.on('requestfinished', done);
  page.on('requestfailed', done);
}

/** Waits until the page has loaded, no request has been in flight for 400 ms and no finite animation runs (≤ 10 s). */
export async function settle(page: Page, quietMs = 400, maxMs = 10_000) {
  trackNetwork(page);
  const end = Date.now() + maxMs;
  await page.waitForLoadState('domcontentloaded', { timeout: maxMs }).catch(() => undefined);
  const s = inFlight.get(page)!;
  while (Date.now() < end && (s.n > 0 || Date.now() - s.last < quietMs)) await page.waitForTimeout(100);
  await page
    .waitForFunction(
      "document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)",
      undefined,
      { timeout: Math.max(500, end - Date.now()), polling: 100 },
    )
    .catch(() => undefined);
}

/** Runs axe on the page as it is; the serious and critical findings. */
export async function axeFindings(page: Page): Promise<Finding[]> {
  const url = page.url();
  const vp = page.viewportSize();
  // legacy mode: analyses in the page itself (the default opens a blank page in the context for iframes)
  const results = await new AxeBuilder({ page }).withTags(A11Y_TAGS).setLegacyMode(true).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact!,
      page: routePattern(url),
      url,
      viewport: vp ? `${vp.width}x${vp.height}` : '',
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/** Merges one test's entry into a JSON file of the run (workers run tests one after another within a file). */
export async function mergeReport(testInfo: TestInfo, file: string, entry: unknown) {
  const dir = testInfo.project.outputDir;
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, file);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(await readFile(target, 'utf8'));
  } catch {
    // first entry of the run
  }
  all[testInfo.titlePath.slice(1).join(' › ')] = entry;
  await writeFile(target, JSON.stringify(all, null, 2));
}

// ---------------------------------------------------------------- actions wait for the analysis in progress
const pending = new Set<Promise<unknown>>();
const gate = async () => {
  while (pending.size) await Promise.allSettled([...pending]);
};
const ACTIONS: Record<string, string[]> = {
  locator: [
    'click',
    'dblclick',
    'fill',
    'press',
    'pressSequentially',
    'type',
    'check',
    'uncheck',
    'setChecked',
    'selectOption',
    'setInputFiles',
    'hover',
    'tap',
    'dragTo',
    'clear',
    'selectText',
  ],
  page: [
    'goto',
    'reload',
    'goBack',
    'goForward',
    'click',
    'dblclick',
    'fill',
    'press',
    'type',
    'check',
    'uncheck',
    'selectOption',
    'setInputFiles',
    'hover',
    'tap',
  ],
  keyboard: ['press', 'type', 'down', 'up', 'insertText'],
  mouse: ['click', 'dblclick', 'down', 'up', 'move', 'wheel'],
};
const patched = new WeakSet<object>();
function gateActions(page: Page) {
  const protos: Record<string, object> = {
    locator: Object.getPrototypeOf(page.locator('body')),
    page: Object.getPrototypeOf(page),
    keyboard: Object.getPrototypeOf(page.keyboard),
    mouse: Object.getPrototypeOf(page.mouse),
  };
  for (const [kind, proto] of Object.entries(protos)) {
    if (patched.has(proto)) continue;
    patched.add(proto);
    const p = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of ACTIONS[kind]) {
      const original = p[name];
      if (typeof original !== 'function') continue;
      p[name] = async function (this: unknown, ...args: unknown[]) {
        await gate();
        return original.apply(this, args);
      };
    }
  }
}

/** Watches a page: each new route pattern is analysed once it has settled, if the page is still on it then. */
function watch(page: Page, findings: Finding[], scanned: Map<string, string>, seen: Map<string, string>) {
  trackNetwork(page);
  let chain: Promise<unknown> = Promise.resolve();
  const scan = (url: string) => {
    const key = `${routePattern(url)} @${page.viewportSize()?.width ?? ''}`;
    if (!seen.has(key)) seen.set(key, url);
    if (scanned.has(key)) return;
    const job = chain.then(async () => {
      if (page.isClosed() || scanned.has(key) || page.url() !== url) return;
      await settle(page);
      if (page.isClosed() || page.url() !== url) return;
      try {
        const found = await axeFindings(page);
        if (page.url() !== url) return; // it moved on while axe ran: a later visit will do
        scanned.set(key, url);
        findings.push(...found);
      } catch {
        // navigated away or closed during the analysis
      }
    });
    chain = job;
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && /^https?:/.test(frame.url())) scan(frame.url());
  });
}

export const test = base.extend<{ a11y: { findings: Finding[]; pages: () => string[] } }>({
  a11y: [
    async ({ page }, use, testInfo) => {
      gateActions(page);
      const findings: Finding[] = [];
      const scanned = new Map<string, string>();
      const seen = new Map<string, string>();
      watch(page, findings, scanned, seen);
      await use({ findings, pages: () => [...scanned.keys()] });
      await gate();
      // a page left before it settled is one the app redirected from (actions wait for the analysis): passed through
      const passed = [...seen.keys()].filter((k) => !scanned.has(k));
      await mergeReport(testInfo, 'a11y.json', { scanned: [...scanned.keys()], passed, findings });
      const lines = findings.map(
        (f) => `  ${f.impact} ${f.rule} on ${f.page} (${f.viewport}): ${f.targets.join(' | ')}`,
      );
      const summary =
        `axe: ${scanned.size} page(s) analysed, ${findings.filter((f) => f.impact === 'serious').length} serious, ` +
        `${findings.filter((f) => f.impact === 'critical').length} critical`;
      console.log(`[a11y] ${testInfo.title.slice(0, 80)}…\n  ${summary}${lines.length ? `\n${lines.join('\n')}` : ''}`);
      if (ENFORCE && findings.length) throw new Error(`${summary}\n${lines.join('\n')}`);
    },
    { auto: true },
  ],
});
