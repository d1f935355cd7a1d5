import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, login, logout } from './helpers';

const ORG = '山东省分析测试中心';

test('the province opens a round → the organisation completes and submits its report → city and province see it → the province grades it → Excel and PDF open', async ({
  page,
}) => {
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

  // 1. the province opens the year's round
  await login(page, 'sd_kjt', DEMO_PASSWORD);
  await page.goto('/sharing/rounds');
  await page.locator('[data-test=round-open]').click();
  await expect(page.locator(`[data-test=round-${year}]`)).toBeVisible();
  await expect(page.locator(`[data-test=round-${year}]`).getByRole('cell', { name: ORG })).toBeVisible();
  await logout(page);

  // 2. the organisation's admin fills in the narrative and submits
  await login(page, '13800000003', DEMO_PASSWORD);
  await page.goto('/member/sharing-reports');
  await page.locator(`[data-test=my-report-${year}] a`).click();
  await page.waitForURL(/\/sharing\/reports\/.+/);
  await expect(page.locator('[data-test=report-state]')).toHaveText('待填报');
  await page.getByLabel('实验技术队伍建设').fill('专职实验技术人员 18 人，高级职称 7 人');
  await page.getByLabel('统筹管理与在线服务平台建设').fill('中心统一管理，在线预约与收费公开');
  await page.getByLabel('运行使用及服务成效').fill('全年服务企业 120 家，支撑省重点研发项目 6 项');
  await page.locator('[data-test=report-submit]').click();
  await expect(page.locator('[data-test=report-state]')).toHaveText('待审核');
  // its own dashboard shows its figures with their definitions, a chart and the table behind it
  await page.goto('/member/sharing');
  await expect(page.locator('[data-test=fig-shareRate]')).toContainText('对外服务机时 ÷ 有效工作机时');
  await expect(page.locator('[data-test=chart-trend] canvas')).toBeVisible();
  await page.locator('[data-test=table-trend]').click();
  await expect(page.locator('[data-test=chart-trend] table tbody tr')).toHaveCount(12);
  await logout(page);

  // 3. the city bureau sees the submitted report and its dashboard
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  await page.goto('/sharing/rounds');
  await expect(page.locator(`[data-test="report-row-${ORG}"]`)).toContainText('待审核');
  await page.goto('/sharing/dashboard');
  await expect(page.locator('[data-test=stats-figures]')).toBeVisible();
  await page.locator('[data-test=table-orgs]').click();
  await expect(page.locator('[data-test=chart-orgs] table')).toBeVisible();
  await logout(page);

  // 4. the province sees it, and grades it
  await login(page, 'sd_kjt', DEMO_PASSWORD);
  await page.goto('/sharing/dashboard');
  await expect(page.locator('[data-test=chart-cities]')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.locator('[data-test=excel-cities]').click();
  expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);
  // the by-city figures are also a table
  await page.locator('[data-test=table-cities]').click();
  await expect(page.locator('[data-test=chart-cities] table tbody tr').first()).toBeVisible();
  // the evaluation settings: a bad value is named at its field; a good one is saved (and put back)
  await page.goto('/sharing/settings');
  const months = page.getByLabel('闲置标准：连续无预约的月数');
  await expect(months).toHaveValue('6');
  await months.fill('40');
  await months.press('Tab');
  await page.locator('[data-test=settings-save]').click();
  await expect(page.locator('[data-test=set-idleMonths]')).toContainText('请输入 1–36 之间的整数');
  await months.fill('4');
  await months.press('Tab');
  await page.locator('[data-test=settings-save]').click();
  await expect(page.getByText('评价设置已保存')).toBeVisible();
  await page.reload();
  await expect(months).toHaveValue('4');
  await months.fill('6');
  await months.press('Tab');
  await page.locator('[data-test=settings-save]').click();
  await expect(page.getByText('评价设置已保存').first()).toBeVisible();
  await page.goto('/sharing/rounds');
  await page.locator(`[data-test="report-row-${ORG}"] a`).click();
  await page.waitForURL(/\/sharing\/reports\/.+/);
  await page.locator('[data-test=grade-excellent]').click();
  await page.locator('[data-test=grade-submit]').click();
  await expect(page.locator('[data-test=report-state]')).toHaveText('已评级');
  await expect(page.locator('[data-test=report-grade]')).toContainText('优秀');

  // 5. the exports open: the workbook is a zip, the PDF reads back with pdftotext
  const id = page.url().split('/').pop()!;
  const xlsx = await page.request.get(`/api/sharing/reports/${id}/export?format=xlsx`);
  expect(xlsx.status()).toBe(200);
  expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
  const pdf = await page.request.get(`/api/sharing/reports/${id}/export?format=pdf`);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h15-e2e-')), 'report.pdf');
  fs.writeFileSync(file, await pdf.body());
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  expect(text).toContain(ORG);
  expect(text).toContain('优秀');
  expect(text).toContain('共享率');
});
