import { expect, type Page } from '@playwright/test';
import { usccCheckChar } from '../src/domain/uscc';

export const DEMO_PASSWORD = 'Demo@2026';

export function randomMobile() {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

export function randomUscc(city = '370100') {
  const symbols = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '';
  for (let i = 0; i < 9; i++) body += symbols[Math.floor(Math.random() * 31)];
  const first = `91${city}${body}`;
  return first + usccCheckChar(first);
}

export async function login(page: Page, identifier: string, password: string, mode: 'person' | 'legal' = 'person') {
  await page.goto('/login');
  if (mode === 'legal') await page.getByRole('tab', { name: '法人登录' }).click();
  await page.locator('input[name=identifier]').fill(identifier);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await expect(page).toHaveURL(/\/member/);
}

export async function logout(page: Page) {
  await page.getByRole('button', { name: '退出' }).first().click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await expect(page.getByRole('link', { name: '登录' }).first()).toBeVisible();
}

export async function register(page: Page, mobile: string, realName: string, password: string) {
  await page.goto('/register');
  await page.locator('input[name=mobile]').fill(mobile);
  await page.locator('input[name=realName]').fill(realName);
  await page.locator('input[name=email]').fill(`${mobile}@example.com`);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=confirm]').fill(password);
  await page.locator('[data-test=register-submit]').click();
  await expect(page).toHaveURL(/\/member\/binding/);
}

/** Chooses an option of an Element Plus select. */
export async function choose(page: Page, selectTest: string, option: string) {
  await page.locator(`[data-test=${selectTest}]`).click();
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: option }).first().click();
}

export async function confirmBox(page: Page) {
  await page.locator('.el-message-box__btns .el-button--primary').click();
}

/** The 编辑单位信息 fields after name and USCC, as a small enterprise of Jinan fills them; the tests vary the words. */
export interface OrgDetails {
  address: string;
  legalPerson: string;
  phone: string;
  intro: string;
  bankName: string;
  accountName: string;
  account: string;
  liaison: string;
  liaisonPhone: string;
  liaisonEmail: string;
  staff: string;
  revenue: string;
}
export async function fillOrgDetails(page: Page, d: OrgDetails) {
  await choose(page, 'org-type', '企业');
  await choose(page, 'org-city', '济南');
  const fields: [string, string][] = [
    ['org-address', d.address],
    ['org-legal-person', d.legalPerson],
    ['org-phone', d.phone],
    ['org-bank-name', d.bankName],
    ['org-bank-account-name', d.accountName],
    ['org-bank-account', d.account],
    ['org-liaison-name', d.liaison],
    ['org-liaison-phone', d.liaisonPhone],
    ['org-liaison-email', d.liaisonEmail],
    ['org-staff', d.staff],
    ['org-revenue', d.revenue],
  ];
  for (const [test, value] of fields) await page.locator(`[data-test=${test}] input`).fill(value);
  await page.locator('[data-test=org-intro] textarea').fill(d.intro);
  await page.locator('[data-test=org-small]').getByText('是').click();
}

/** The Jinan city bureau opens the pending item whose row shows `text` in the review console, and approves it. */
export async function cityApproves(page: Page, text: string) {
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  await page.goto('/review');
  await page.locator('tr:visible', { hasText: text }).locator('[data-test=review-open]:visible').first().click();
  await page.waitForURL(/\/review\/.+/);
  await expect(page.getByText(text).first()).toBeVisible();
  await page.locator('[data-test=review-approve]').click();
  await confirmBox(page);
  await expect(page.locator('[data-test=review-done]')).toBeVisible();
  await logout(page);
}
