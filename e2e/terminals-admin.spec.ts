import type { Page } from '@playwright/test';
import { signReading } from '../src/server/modules/terminals/keys';
import { expect, test } from './fixtures';
import { choose, confirmBox, DEMO_PASSWORD, login } from './helpers';

/**
 * Issue 14 in the browser beyond the live journey (terminals.spec.ts): an org admin's hours and annotations, the
 * booking's measured-hours difference, the departments' coverage and machine hours, and the site settings.
 */
const ORG_ADMIN = '13800000003';
const chinaDay = (msAgo = 0) => new Date(Date.now() + 8 * 3_600_000 - msAgo).toISOString().slice(0, 10);
type Mine = { items: { instrumentId: string; name: string; needsTerminal: boolean; terminal: unknown }[] };

async function csrf(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return decodeURIComponent(cookies.find((c) => c.name === 'csrf')?.value ?? '');
}
async function api(page: Page, method: 'POST' | 'PUT', url: string, data?: unknown) {
  const r = await page.request.fetch(url, { method, data, headers: { 'x-csrf-token': await csrf(page) } });
  expect(r.ok(), `${method} ${url}: ${r.status()} ${await r.text()}`).toBeTruthy();
  return r.json();
}

/**
 * Registers a terminal for the instrument and reports from `from` (default 40 minutes ago) until now over the HTTP
 * ingest: a reading every 20 s (within the heartbeat), in use for the first three quarters of the time.
 */
async function terminalWithUse(page: Page, instrumentId: string, from = Date.now() - 40 * 60_000) {
  const { terminal, key } = (await api(page, 'POST', '/api/terminals', { instrumentId })) as {
    terminal: { id: string };
    key: string;
  };
  const now = Date.now();
  const busyUntil = from + (now - from) * 0.75;
  const readings = [];
  for (let at = from, seq = 1; at < now; at += Math.min(20_000, (now - from) / 20), seq++)
    readings.push(
      signReading(key, { terminal: terminal.id, seq, at: Math.round(at), power: true, inUse: at < busyUntil }),
    );
  const r = await page.request.post('/ingest/readings', { data: { readings } });
  expect(((await r.json()) as { applied: number }).applied).toBe(readings.length);
  return terminal.id;
}

test('an org admin sees machine hours and annotates a period (confirmed, audited, returned by the API); the booking shows the difference', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await login(page, ORG_ADMIN, DEMO_PASSWORD);
  const mine = (await (await page.request.get('/api/terminals/mine')).json()) as Mine;
  const target = mine.items.find((i) => i.needsTerminal && !i.terminal)!;
  await terminalWithUse(page, target.instrumentId);

  // 运行机时: the org's instruments over the last week, as the API counts them; a past week is empty
  const totals = (await (
    await page.request.get(`/api/terminals/totals?by=instrument&from=${chinaDay(6 * 86_400_000)}&to=${chinaDay()}`)
  ).json()) as { items: { key: string; inUseSeconds: number }[] };
  const row = totals.items.find((i) => i.key === target.instrumentId)!;
  expect(row.inUseSeconds).toBeGreaterThanOrEqual(29 * 60);
  await page.goto('/member/terminal-hours');
  await expect(page.locator('[data-test=hours-list] [data-test=in-use-hours]')).toHaveCount(totals.items.length);
  const link = page.locator('[data-test=hours-usage-link]', { hasText: target.name }).first();
  await expect(link).toBeVisible();
  await page.getByRole('combobox', { name: '开始日期' }).fill('2020-01-01');
  await page.getByRole('combobox', { name: '结束日期' }).fill('2020-01-07');
  await page.getByRole('combobox', { name: '结束日期' }).press('Enter');
  await page.locator('[data-test=hours-query]').click();
  await expect(page.getByText('该时段没有机时数据')).toBeVisible();

  // 机时与标注, from 监测终端
  await page.goto('/member/terminals');
  await page.locator(`[data-test=usage-link][data-instrument="${target.instrumentId}"]`).click();
  await expect(page).toHaveURL(`/member/terminals/${target.instrumentId}/usage`);
  await expect(page.locator('[data-test=no-annotations]')).toBeVisible();
  const start = page.getByRole('combobox', { name: '开始时间' });
  const end = page.getByRole('combobox', { name: '结束时间' });
  const day = chinaDay();

  // an end before the start is refused on the page, nothing stored
  await start.fill(`${day} 09:00:00`);
  await start.press('Enter');
  await end.fill(`${day} 08:00:00`);
  await end.press('Enter');
  await page.locator('[data-test=annotate-save]').click();
  await expect(page.locator('.el-form-item__error', { hasText: '结束时间须晚于开始时间' })).toBeVisible();

  await end.fill(`${day} 10:30:00`);
  await end.press('Enter');
  await choose(page, 'annotate-reason', '校准');
  await page.locator('[data-test=annotate-note]').fill('年度计量校准');
  await page.locator('[data-test=annotate-save]').click();
  await confirmBox(page);
  await expect(page.locator('[data-test=annotation]')).toHaveCount(1);
  await expect(page.locator('[data-test=annotation]')).toContainText('校准');
  await expect(page.locator('[data-test=annotation]')).toContainText('年度计量校准');
  // who annotated, and when
  await expect(page.locator('[data-test=annotation-by]')).toContainText('王强 标注于');

  const usage = (await (
    await page.request.get(`/api/terminals/instruments/${target.instrumentId}/usage?from=${day}&to=${day}`)
  ).json()) as { annotations: { reason: string; note: string; startedAt: string; endedAt: string }[] };
  expect(usage.annotations).toHaveLength(1);
  expect(usage.annotations[0]).toMatchObject({
    reason: 'calibration',
    note: '年度计量校准',
    startedAt: new Date(`${day}T09:00:00+08:00`).toISOString(),
    endedAt: new Date(`${day}T10:30:00+08:00`).toISOString(),
  });

  // at 375 px the page does not scroll sideways
  await page.setViewportSize({ width: 375, height: 800 });
  await page.reload();
  await expect(page.locator('[data-test=annotation]')).toHaveCount(1);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 800 });

  // in English (the crawl of english.spec.ts has no demo terminal of the org admin to reach this page): no Chinese but data
  await page.evaluate("localStorage.setItem('lang', 'en')");
  await page.reload();
  await expect(page.locator('h1')).toHaveText('Hours and annotations');
  await expect(page.locator('[data-test=annotation-reason]')).toHaveText('Calibration');
  const text = (await page.locator('.usage-page').innerText())
    .split(target.name)
    .join('')
    .split('年度计量校准')
    .join('')
    .split('王强')
    .join('');
  await expect(page.locator('[data-test=annotation-by]')).toContainText('Annotated by 王强 at');
  expect(text).not.toMatch(/[\u3400-\u9fff]/);
  await page.evaluate("localStorage.removeItem('lang')");

  // the booking difference: the instrument of an accepted booking measures use since acceptance, the provider registers 5 h
  const provided = (await (await page.request.get('/api/bookings?side=provider&pageSize=100')).json()) as {
    items: { id: string; state: string; actions: string[] }[];
  };
  const accepted = provided.items.find((b) => b.state === 'accepted' && b.actions.includes('save_results'))!;
  const view = (await (await page.request.get(`/api/bookings/${accepted.id}`)).json()) as {
    version: number;
    acceptedAt: string;
    instruments: { instrumentId: string; name: string }[];
  };
  const measuredOn = view.instruments[0]!;
  // the demo seed accepted it when the server started: let a minute and a quarter of test period pass to measure in
  const wait = Date.parse(view.acceptedAt) + 75_000 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
  await terminalWithUse(
    page,
    measuredOn.instrumentId,
    Math.max(Date.now() - 40 * 60_000, Date.parse(view.acceptedAt) + 1000),
  );
  await api(page, 'PUT', `/api/bookings/${accepted.id}/results`, {
    items: [{ instrumentId: measuredOn.instrumentId, resultText: '检测完成', machineHours: 5, fees: [] }],
    otherFeeFen: 0,
    otherFeeNote: '',
    resultNote: '',
    version: view.version,
  });
  await page.goto(`/member/provided/${accepted.id}`);
  const section = page.locator('[data-test=booking-hours]');
  await expect(section).toContainText(measuredOn.name);
  await expect(section.locator('[data-test=registered-hours]').first()).toHaveText('5');
  await expect(section.locator('[data-test=hours-differ]')).toHaveText('差异超过 20%');
  // the page shows what the API stores, for the provider and for the department (the province sees every booking)
  const stored = (await (await page.request.get(`/api/terminals/bookings/${accepted.id}/usage`)).json()) as {
    items: { instrumentId: string; measuredHours: number; differs: boolean }[];
  };
  const item = stored.items.find((i) => i.instrumentId === measuredOn.instrumentId)!;
  expect(item.measuredHours).toBeGreaterThan(0);
  expect(item.differs).toBe(true);
  await expect(section.locator('[data-test=measured-hours]').first()).toHaveText(String(item.measuredHours));
  await page.context().clearCookies();
  await login(page, 'sd_kjt', DEMO_PASSWORD);
  const forDepartment = (await (await page.request.get(`/api/terminals/bookings/${accepted.id}/usage`)).json()) as {
    items: { differs: boolean }[];
  };
  expect(forDepartment.items.some((i) => i.differs)).toBe(true);

  // 机时差异 in the review console: the province's list has the booking, as the API gives it; a past range is empty
  const range = `from=${chinaDay(86_400_000)}&to=${chinaDay()}`;
  const listed = (await (await page.request.get(`/api/terminals/differences?${range}&pageSize=100`)).json()) as {
    items: { bookingId: string; bookingNo: string; registeredHours: number; measuredHours: number }[];
  };
  const diffRow = listed.items.find((r) => r.bookingId === accepted.id)!;
  expect(diffRow).toMatchObject({ registeredHours: 5, measuredHours: item.measuredHours });
  await page.goto('/review/terminal-differences');
  await page.getByRole('combobox', { name: '开始日期' }).fill(chinaDay(86_400_000));
  await page.getByRole('combobox', { name: '开始日期' }).press('Enter');
  await page.locator('[data-test=diff-query]').click();
  const tr = page.locator('[data-test=diff-list] tr', { hasText: diffRow.bookingNo });
  await expect(tr.locator('[data-test=diff-registered]')).toHaveText('5');
  await expect(tr.locator('[data-test=diff-measured]')).toHaveText(String(item.measuredHours));
  await expect(tr.locator('[data-test=diff-flag]')).toBeVisible();
  await page.getByRole('combobox', { name: '开始日期' }).fill('2020-01-01');
  await page.getByRole('combobox', { name: '结束日期' }).fill('2020-01-07');
  await page.getByRole('combobox', { name: '结束日期' }).press('Enter');
  await page.locator('[data-test=diff-query]').click();
  await expect(page.getByText('该时段没有超出阈值的机时差异')).toBeVisible();
});

test('a department sees the coverage of its organisations and their machine hours; the province edits the settings', async ({
  page,
}) => {
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  const coverage = (await (await page.request.get('/api/terminals/coverage')).json()) as {
    items: { orgId: string; needing: number; covered: number }[];
  };
  expect(coverage.items.length).toBeGreaterThan(0);
  await page.goto('/review/terminal-coverage');
  await expect(page.locator('[data-test=coverage-list] [data-test=needing]')).toHaveCount(
    Math.min(20, coverage.items.length),
  );
  for (const c of coverage.items.slice(0, 20)) {
    const tr = page.locator('[data-test=coverage-list] tr', { has: page.locator(`[data-org="${c.orgId}"]`) });
    await expect(tr.locator('[data-test=needing]')).toHaveText(String(c.needing));
    await expect(tr.locator('[data-test=covered]')).toHaveText(String(c.covered));
  }
  const sum = (k: 'needing' | 'covered') => coverage.items.reduce((n, c) => n + c[k], 0);
  await expect(page.locator('[data-test=coverage-total]')).toHaveText(
    `合计：需配 ${sum('needing')} 台，已配 ${sum('covered')} 台`,
  );
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 800 });

  const totals = (await (
    await page.request.get(`/api/terminals/totals?by=org&from=${chinaDay(6 * 86_400_000)}&to=${chinaDay()}`)
  ).json()) as { items: unknown[] };
  await page.goto('/review/terminal-hours');
  await expect(page.locator('[data-test=hours-list] [data-test=in-use-hours]')).toHaveCount(totals.items.length);

  // 站点设置 → 物联网监测: the province sets the margin
  await page.context().clearCookies();
  await login(page, 'sd_kjt', DEMO_PASSWORD);
  await page.goto('/admin/site');
  const margin = page.locator('[data-test=terminal-margin] input');
  await margin.fill('35');
  await margin.blur();
  await page.locator('[data-test=terminal-settings-save]').click();
  await expect(page.getByText('监测设置已保存')).toBeVisible();
  const saved = (await (await page.request.get('/api/terminals/settings')).json()) as { marginPercent: number };
  expect(saved.marginPercent).toBe(35);
  await api(page, 'PUT', '/api/terminals/settings', { thresholdFen: 30_000_000, marginPercent: 20 });
});
