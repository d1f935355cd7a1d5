import { expect, test } from './fixtures';
import { cityApproves, confirmBox, DEMO_PASSWORD, login, logout } from './helpers';

const ORG = '济南华测精密检测技术有限公司';

test('an enterprise publishes a demand → the city bureau approves it → it shows on the home page and in 供需信息 with matching instruments → 停用 hides it', async ({
  page,
}) => {
  const suffix = Date.now().toString().slice(-6);
  const title = `求电池正极材料扫描电镜形貌观察服务${suffix}`;

  // 1. the enterprise's legal account writes the demand in 我的需求 › 新增 and submits it
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member/posts');
  await page.locator('[data-test=post-new]').click();
  await page.waitForURL(/\/member\/posts\/new$/);
  await expect(page.locator('[data-test=post-kind] .el-radio-button.is-active')).toHaveText('需求');
  await page.locator('[data-test=post-title] input').fill(title);
  await page
    .locator('[data-test=post-content] textarea')
    .fill('高镍三元正极材料约 20 个样品，需要场发射扫描电镜形貌观察与能谱面扫，希望两周内完成。');
  await page.locator('[data-test=post-categories] input.el-cascader__search-input').fill('扫描电镜');
  await page.locator('.el-cascader__suggestion-item:visible', { hasText: '扫描电镜' }).first().click();
  await expect(page.locator('[data-test=post-categories] .el-tag')).toContainText(['扫描电镜']);
  await page.keyboard.press('Escape');
  await page.locator('[data-test=post-fields] .el-select__wrapper').click();
  await page
    .locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '新能源新材料' })
    .first()
    .click();
  await page.keyboard.press('Escape');
  await page.locator('[data-test=post-amount] input').fill('12000');
  // the contact comes from the organisation's liaison; the valid-until day defaults to 90 days ahead
  await expect(page.locator('[data-test=post-contact-name] input')).not.toHaveValue('');
  await expect(page.locator('[data-test=post-contact-phone] input')).not.toHaveValue('');
  await expect(page.locator('[data-test=post-valid-until] input')).not.toHaveValue('');
  await page.locator('[data-test=post-submit]').click();
  await confirmBox(page);
  await page.waitForURL(/\/member\/posts\?state=pending/);
  const pendingRow = page.locator('[data-test=post-row]:visible, tr.post-row:visible', { hasText: title });
  await expect(pendingRow).toBeVisible();
  await expect(pendingRow.locator('[data-test=status]')).toHaveText('待审核');
  await logout(page);

  // 2. the city bureau approves it in the review console
  await cityApproves(page, title);

  // 3. a visitor sees it on the home page and in 供需信息, with the instruments that may meet it; contacts need a login
  await page.goto('/');
  await expect(page.locator('[data-test=home-posts] [data-test=home-post]', { hasText: title })).toBeVisible();
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '供需信息' }).first().click();
  await page.waitForURL(/\/posts$/);
  await page.locator('[data-test=posts-tab-demand]').click();
  await page.waitForURL(/kind=demand/);
  const item = page.locator('[data-test=posts-item]', { hasText: title });
  await expect(item).toBeVisible();
  await expect(item).toContainText(ORG);
  await expect(item).toContainText('¥12,000.00');
  await item.locator('[data-test=posts-item-title]').click();
  await page.waitForURL(/\/posts\/[^/?]+$/);
  const detailUrl = page.url();
  await expect(page.locator('[data-test=post-detail-title]')).toHaveText(title);
  await expect(page.locator('[data-test=post-matches] h2')).toHaveText('可能满足需求的仪器');
  const matches = page.locator('[data-test=post-match]');
  await expect(matches.first()).toBeVisible();
  expect(await matches.count()).toBeGreaterThan(0);
  await expect(page.locator('[data-test=post-contact-hidden]')).toContainText('登录后查看联系方式');
  // a matching instrument opens its own page
  await matches.first().locator('[data-test=post-match-link]').click();
  await page.waitForURL(/\/instruments\/[^/?]+$/);
  await expect(page.locator('[data-test=instrument-name]')).toBeVisible();

  // 4. the enterprise disables it: it leaves the home page and 供需信息
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member/posts');
  const row = page.locator('[data-test=post-row]:visible, tr.post-row:visible', { hasText: title });
  await expect(row.locator('[data-test=status]')).toHaveText('已发布');
  await row.locator('[data-test=post-disable]').click();
  await confirmBox(page);
  await expect(row.locator('[data-test=status]')).toHaveText('已停用');
  await expect(row.locator('[data-test=post-enable]')).toBeVisible();

  await page.goto('/');
  await expect(page.locator('[data-test=home-posts]')).toBeVisible();
  await expect(page.locator('[data-test=home-posts] .el-skeleton')).toHaveCount(0);
  await expect(page.locator('[data-test=home-post]', { hasText: title })).toHaveCount(0);
  await page.goto('/posts');
  await expect(page.locator('[data-test=posts-list], .el-empty').first()).toBeVisible();
  await expect(page.locator('[data-test=posts-item]', { hasText: title })).toHaveCount(0);
  await page.goto(detailUrl);
  await expect(page.getByText('该信息不存在、已停用或已过有效期')).toBeVisible();
});
