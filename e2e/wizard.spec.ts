import { expect, test, type Page } from './fixtures';
import { choose, DEMO_PASSWORD, login, randomMobile, randomUscc, register } from './helpers';

const PASSWORD = 'Journey#2026';

/** Ticks every commitment box of step 1. */
async function tickAll(page: Page) {
  await page.locator('[data-test=commit-check-0]').waitFor();
  for (let i = 0; i < 10; i++) {
    const box = page.locator(`[data-test=commit-check-${i}]`);
    if (!(await box.count())) break;
    await box.click();
  }
}

const stepOf = (page: Page) => page.locator('[data-test=org-steps]').getAttribute('data-step');

test('编辑单位信息: back and forward move between steps and keep the data; a reload keeps the draft; leaving asks', async ({
  page,
}) => {
  page.on('dialog', (d) => void d.accept()); // the browser's own "leave site?" on reload
  await register(page, randomMobile(), '钱多多', PASSWORD);
  await page.goto('/member/org/edit');
  await tickAll(page);
  await page.locator('[data-test=commit-next]').click();
  await expect(page).toHaveURL(/step=2/);
  await page.locator('[data-test=start-fill]').click();
  await expect(page).toHaveURL(/step=3/);

  const name = `青岛海纳检测技术有限公司${Date.now().toString().slice(-5)}`;
  await page.locator('[data-test=org-name] input').fill(name);
  await page.locator('[data-test=org-address] input').fill('青岛市崂山区海尔路 1 号');
  // the form uses the manual's words (the review page uses the same: see the last test)
  await expect(page.locator('[data-test=org-revenue] label')).toHaveText('上年营业收入');

  // back: step 2, then step 1 with the boxes still ticked; nothing leaves the wizard
  await page.goBack();
  await expect(page).toHaveURL(/\/member\/org\/edit\?step=2/);
  expect(await stepOf(page)).toBe('2');
  await expect(page.locator('[data-test=start-fill]')).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/member\/org\/edit$/);
  await expect(page.locator('[data-test=commit-next]')).toBeEnabled();

  // forward twice: step 3 with the typed data
  await page.goForward();
  await expect(page).toHaveURL(/step=2/);
  await page.goForward();
  await expect(page).toHaveURL(/step=3/);
  await expect(page.locator('[data-test=org-name] input')).toHaveValue(name);
  await expect(page.locator('[data-test=org-address] input')).toHaveValue('青岛市崂山区海尔路 1 号');

  // a reload keeps the draft (and the step)
  await page.reload();
  await expect(page.locator('[data-test=org-draft-restored]')).toBeVisible();
  expect(await stepOf(page)).toBe('3');
  await expect(page.locator('[data-test=org-name] input')).toHaveValue(name);

  // leaving with unsaved changes asks; 留在此页 stays with the data
  await page.getByRole('link', { name: '单位基本信息' }).first().click();
  const box = page.locator('.el-message-box');
  await expect(box).toContainText('有未保存的修改');
  await box.locator('.el-message-box__btns .el-button').first().click();
  await expect(box).toBeHidden();
  await expect(page).toHaveURL(/\/member\/org\/edit\?step=3/);
  await expect(page.locator('[data-test=org-name] input')).toHaveValue(name);

  // 离开 leaves; coming back brings the draft back
  await page.getByRole('link', { name: '单位基本信息' }).first().click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await expect(page).toHaveURL(/\/member\/org$/);
  await page.goto('/member/org/edit?step=3');
  await expect(page.locator('[data-test=org-name] input')).toHaveValue(name);
});

test('编辑单位信息: errors show at their field, checked before sending and from the server, named by label', async ({
  page,
  request,
}) => {
  await register(page, randomMobile(), '孙明', PASSWORD);
  await page.goto('/member/org/edit');
  await tickAll(page);
  await page.locator('[data-test=commit-next]').click();
  await page.locator('[data-test=start-fill]').click();

  // checked in the browser with the server's contract: nothing is sent
  let sent = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/orgs') && r.method() !== 'GET') sent++;
  });
  await page.locator('[data-test=org-name] input').fill('测');
  await page.locator('[data-test=org-liaison-email] input').fill('not-an-email');
  await page.locator('[data-test=org-save]').click();
  await expect(page.locator('[data-test=org-name] .el-form-item__error')).toHaveText('至少 2 个字符');
  await expect(page.locator('[data-test=org-liaison-email] .el-form-item__error')).toHaveText('邮箱格式不正确');
  await expect(page.locator('.el-message--error').last()).toContainText('单位名称');
  await expect(page.locator('.el-message--error').last()).toContainText('电子邮箱');
  await expect(page.locator('.el-message--error').last()).not.toContainText('liaisonEmail');
  expect(sent).toBe(0);

  // the server's field error (a credit code already registered) shows at its field
  const taken = (await (await request.get('/api/orgs/search?q=山东省分析测试中心')).json()).items[0].uscc as string;
  await page.locator('[data-test=org-name] input').fill('山东省分析测试二部');
  await page.locator('[data-test=org-liaison-email] input').fill('a@b.cn');
  await page.locator('[data-test=org-uscc] input').fill(taken);
  await choose(page, 'org-type', '事业单位');
  await choose(page, 'org-city', '济南');
  await page.locator('[data-test=org-save]').click();
  await expect(page.locator('[data-test=org-uscc] .el-form-item__error')).toContainText('已被注册');
  await expect(page.locator('.el-message--error').last()).toContainText('统一社会信用代码');
  expect(sent).toBe(1);

  // a fresh code saves; the draft is then gone and leaving does not ask
  await page.locator('[data-test=org-uscc] input').fill(randomUscc());
  await page.locator('[data-test=org-save]').click();
  await expect(page.locator('.el-message--success')).toBeVisible();
  await page.getByRole('link', { name: '单位基本信息' }).first().click();
  await expect(page).toHaveURL(/\/member\/org$/);
});

test('上年营业收入: the review page uses the same words as the form (manual §4.1.1)', async ({ page }) => {
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  await page.goto('/review');
  await page
    .locator('tr:visible', { hasText: '济南源康医疗器械有限公司' })
    .locator('[data-test=review-open]:visible')
    .first()
    .click();
  await page.waitForURL(/\/review\/.+/);
  await expect(page.getByText('上年营业收入', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('上年度营业收入')).toHaveCount(0);
});
