// npm run size [-- URL] — the home page's first load, measured from a running server over HTTP, as a browser gets it:
// Debian's Chromium with an empty cache opens the page, and every response (documents, scripts, styles, fonts,
// images, API replies) is counted with the bytes it took on the wire (compressed body plus headers). Fails when the
// total is over the budget of issue 11 (170 KB). With --phone it also reports the largest contentful paint under the
// throttled phone profile (1.6 Mbps, 150 ms round trip, 4× slower CPU).
import { chromium } from '@playwright/test';

const BUDGET_KB = 170;
const args = process.argv.slice(2);
const url = args.find((a) => /^https?:\/\//.test(a)) ?? 'http://127.0.0.1:3000/';
const phone = args.includes('--phone');

/** The throttled phone profile of issue 11, applied through the DevTools protocol. */
async function throttleLikeAPhone(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext(
    phone
      ? { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1440, height: 900 } },
  );
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.text().startsWith('largest content')) console.log(m.text());
  });
  if (phone) await throttleLikeAPhone(page);
  const responses = [];
  page.on('requestfinished', (req) => responses.push(req));
  await page.goto(url, { waitUntil: 'networkidle' });
  const lcp = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const e = list.getEntries().at(-1);
          if (e)
            console.log(
              `largest content: ${e.element ? `${e.element.tagName.toLowerCase()}.${[...e.element.classList].join('.')}` : e.url} (${e.size} px²)`,
            );
          resolve(e ? e.startTime : null);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        setTimeout(() => resolve(null), 3000);
      }),
  );
  const rows = [];
  for (const req of responses) {
    const sizes = await req.sizes();
    const res = await req.response();
    rows.push({
      url: req.url().replace(url.replace(/\/$/, ''), ''),
      type: req.resourceType(),
      encoding: (await res?.headerValue('content-encoding')) ?? '-',
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
    });
  }
  rows.sort((a, b) => b.bytes - a.bytes);
  const kb = (n) => (n / 1024).toFixed(1);
  for (const r of rows)
    console.log(`  ${kb(r.bytes).padStart(7)} KB  ${r.encoding.padEnd(4)} ${r.type.padEnd(10)} ${r.url}`);
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  const uncompressed = rows.filter(
    (r) => r.encoding === '-' && /script|stylesheet|document|fetch|xhr/.test(r.type) && r.bytes > 1500,
  );
  console.log(
    `first load of ${url}: ${rows.length} responses, ${kb(total)} KB on the wire (budget ${BUDGET_KB} KB)${lcp != null ? `, largest contentful paint ${Math.round(lcp)} ms` : ''}`,
  );
  console.log(
    JSON.stringify({
      url,
      profile: phone ? 'phone' : 'desktop',
      responses: rows.length,
      wire_kb: Number(kb(total)),
      budget_kb: BUDGET_KB,
      lcp_ms: lcp == null ? null : Math.round(lcp),
      uncompressed: uncompressed.map((r) => r.url),
    }),
  );
  if (total > BUDGET_KB * 1024) {
    console.error(`over budget by ${kb(total - BUDGET_KB * 1024)} KB`);
    process.exitCode = 1;
  }
  if (uncompressed.length) {
    console.error(`sent uncompressed: ${uncompressed.map((r) => r.url).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
