import { expect, test } from './fixtures';
import { DEMO_PASSWORD, randomMobile } from './helpers';

/**
 * Dead ends of the public pages and the account pages (issue 12): the organisation page, a list page past its end,
 * an expired reset link, login after expiry, registration errors at their fields, and where organisation roles land.
 */

test('入网单位 and an instrument page lead to the organisation page, with its figures and instruments', async ({
  page,
}) => {
  await page.goto('/orgs');
  const first = page.locator('[data-test=org-link]').first();
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(page).toHaveURL(/\/orgs\/[^/]+$/);
  await expect(page.locator('[data-test=org-name]')).toHaveText(name);
  await expect(page.locator('[data-test=org-instrument-count]')).toHaveText(/^\d+$/);
  await expect(page.locator('[data-test=org-service-count]')).toHaveText(/^\d+$/);

  // from an instrument page: its organisation links to the same kind of page, which lists that instrument
  await page.goto('/instruments');
  await page.locator('a[href^="/instruments/"]').first().click();
  await expect(page).toHaveURL(/\/instruments\/[^/?]+$/);
  const instrumentUrl = new URL(page.url()).pathname;
  const org = (await page.locator('[data-test=instrument-org]').innerText()).trim();
  await page.locator('[data-test=instrument-org]').click();
  await expect(page).toHaveURL(/\/orgs\/[^/]+$/);
  await expect(page.locator('[data-test=org-name]')).toHaveText(org);
  const listed = page.locator('[data-test=org-instruments]');
  await expect(listed.locator('a[href^="/instruments/"]').first()).toBeVisible();
  const count = Number(await page.locator('[data-test=org-instrument-count]').innerText());
  expect(count).toBeGreaterThan(0);
  if (count <= 12) await expect(listed.locator(`a[href="${instrumentUrl}"]`)).toBeVisible();

  // a made-up organisation is not found, with a way back
  await page.goto('/orgs/no-such-org');
  await expect(page.locator('[data-test=not-found]')).toBeVisible();
});

test('入网单位 at 375 px shows every field on cards', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/orgs');
  const card = page.locator('[data-test=org-cards] li').first();
  await expect(card).toBeVisible();
  await expect(card).toContainText('所在地市');
  await expect(card).toContainText('统一社会信用代码');
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow).toBeLessThanOrEqual(0);
});

test('a list page past its end goes to the last page', async ({ page }) => {
  await page.goto('/posts?page=999');
  await expect(page).not.toHaveURL(/page=999/);
  await expect(page.locator('a[href^="/posts/"]').first()).toBeVisible();
  await expect(page.getByText('暂无已发布的供需信息')).toHaveCount(0);
  await page.goto('/notices?page=999');
  await expect(page).not.toHaveURL(/page=999/);
  await expect(page.locator('[data-test=notices-item]').first()).toBeVisible();
});

test('a used or made-up reset link says it has expired, with a way to ask for a new one', async ({ page }) => {
  await page.goto('/reset-password?token=this-token-was-never-issued-0123456789');
  await expect(page.locator('[data-test=reset-invalid]')).toContainText('链接已过期或无效');
  await expect(page.locator('input[type=password]')).toHaveCount(0);
  await page.getByRole('link', { name: '重新申请' }).click();
  await expect(page).toHaveURL(/\/forgot-password/);
});

test('login with expired=1 says so, shows one error on a wrong password, and returns to the page', async ({ page }) => {
  await page.goto('/login?expired=1&redirect=%2Fmember%2Fbookings');
  await expect(page.locator('[data-test=login-expired]')).toContainText('登录已过期，请重新登录');
  await page.locator('input[name=identifier]').fill('13800000002');
  await page.locator('input[name=password]').fill('Wrong#Password1');
  await page.locator('[data-test=login-submit]').click();
  await expect(page.locator('[data-test=login-error]')).toBeVisible();
  await page.locator('[data-test=login-submit]').click();
  await expect(page.locator('[data-test=login-error]')).toHaveCount(1);
  await expect(page.locator('.el-message--error')).toHaveCount(0);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await expect(page).toHaveURL(/\/member\/bookings$/);
});

test('organisation roles land on 单位基本信息; a person without one on 我的工作台', async ({ page }) => {
  for (const [who, mode] of [
    ['13800000003', 'person'],
    ['sdatc', 'legal'],
  ] as const) {
    await page.context().clearCookies();
    await page.goto('/login');
    if (mode === 'legal') await page.getByRole('tab', { name: '法人登录' }).click();
    await page.locator('input[name=identifier]').fill(who);
    await page.locator('input[name=password]').fill(DEMO_PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await expect(page, who).toHaveURL(/\/member\/org$/);
  }
  await page.context().clearCookies();
  await page.goto('/login');
  await page.locator('input[name=identifier]').fill('13800000001');
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await expect(page).toHaveURL(/\/member$/);
});

test('registration checks fields before sending and names them by their labels', async ({ page }) => {
  await page.goto('/register');
  let sent = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/auth/register')) sent++;
  });
  await page.locator('input[name=mobile]').fill('12345');
  await page.locator('input[name=email]').fill('not-an-email');
  await page.locator('input[name=password]').fill('Abc#12345');
  await page.locator('input[name=confirm]').fill('Abc#12346');
  await page.locator('[data-test=register-submit]').click();
  await expect(page.locator('[data-test=field-mobile] .el-form-item__error')).toContainText('手机号须为 11 位数字');
  await expect(page.locator('[data-test=field-realName] .el-form-item__error')).toContainText('必填');
  await expect(page.locator('[data-test=field-email] .el-form-item__error')).toContainText('邮箱格式不正确');
  await expect(page.locator('[data-test=field-confirm] .el-form-item__error')).toContainText('不一致');
  const toast = page.locator('.el-message--error');
  await expect(toast).toContainText('手机号');
  await expect(toast).toContainText('真实姓名');
  await expect(toast).not.toContainText('mobile');
  await expect(toast).not.toContainText('realName');
  expect(sent).toBe(0);

  // the server's answer for a taken mobile number shows at its field too
  const mobile = randomMobile();
  await page.locator('input[name=mobile]').fill(mobile);
  await page.locator('input[name=realName]').fill('测试用户');
  await page.locator('input[name=email]').fill('');
  await page.locator('input[name=confirm]').fill('Abc#12345');
  await page.locator('[data-test=register-submit]').click();
  await expect(page).toHaveURL(/\/member\/binding/);
  await page.context().clearCookies();
  await page.goto('/register');
  await page.locator('input[name=mobile]').fill(mobile);
  await page.locator('input[name=realName]').fill('测试用户二');
  await page.locator('input[name=password]').fill('Abc#12345');
  await page.locator('input[name=confirm]').fill('Abc#12345');
  await page.locator('[data-test=register-submit]').click();
  await expect(page.locator('[data-test=field-mobile] .el-form-item__error')).toBeVisible();
  await expect(page.locator('.el-message--error')).not.toContainText('mobile');
});

test('in English the account pages and the organisation pages speak English', async ({ page }) => {
  await page.addInitScript("localStorage.setItem('lang', 'en')");
  for (const path of [
    '/login?expired=1',
    '/register',
    '/forgot-password',
    '/reset-password?token=bad-token-0000000',
    '/orgs',
  ]) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const main = await page.locator('.auth-card, .dir-page').first().innerText();
    const cjk = main
      .split('\n')
      .filter((l) => /[\u4e00-\u9fff]/.test(l))
      // data: names of organisations, and the language switch
      .filter((l) => !/单位|中心|公司|研究|大学|学院|中文|医院|所$/.test(l));
    expect(cjk, path).toEqual([]);
  }
});
