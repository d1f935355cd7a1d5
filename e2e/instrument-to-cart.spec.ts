import { expect, test } from './fixtures';
import { png } from '../src/server/modules/files/testing';
import { cityApproves, confirmBox, DEMO_PASSWORD, login, logout } from './helpers';

const ORG = '济南华测精密检测技术有限公司';
const KEYWORD = '荧光';

test('an org publishes an instrument with a picture → the city bureau approves → a visitor finds it by category and keyword → logs in and adds it to the preselection list', async ({
  page,
}) => {
  const suffix = Date.now().toString().slice(-6);
  const name = `超分辨荧光显微成像系统${suffix}`;
  const model = `SR-${suffix}`;
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

  // 1. the legal account of the organisation publishes the instrument with a picture
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member/instruments/new');
  await page.locator('[data-test=instrument-internal-no] input').fill(`E2E-${suffix}`);
  await page.locator('[data-test=instrument-name] input').fill(name);
  await page.locator('[data-test=instrument-category] input').fill('激光共聚焦');
  await page.locator('.el-cascader__suggestion-item:visible', { hasText: '激光共聚焦显微镜' }).first().click();
  await expect(page.locator('[data-test=instrument-category] .field-hint')).toContainText('010801');
  await page.locator('[data-test=instrument-model] input').fill(model);
  await page.locator('[data-test=instrument-manufacturer] input').fill('蔡司（Carl Zeiss）');
  await page.locator('[data-test=instrument-country] input').fill('德国');
  await page.locator('[data-test=instrument-value] input').first().fill('460');
  const purchase = page.locator('[data-test=instrument-purchase-date] input');
  await purchase.fill(today);
  await purchase.press('Enter');
  await expect(purchase).toHaveValue(today);
  await page
    .locator('[data-test=instrument-specs] textarea')
    .fill('横向分辨率 120 nm；四路激光 405/488/561/640 nm；GaAsP 检测器。');
  await page
    .locator('[data-test=instrument-functions] textarea')
    .fill('活细胞超分辨荧光成像、共聚焦三维重构、荧光共定位分析。');
  await page
    .locator('[data-test=instrument-service-content] textarea')
    .fill('细胞与组织样品的超分辨荧光成像及图像分析服务。');
  await page.locator('[data-test=instrument-fee] textarea').fill('超分辨成像 600 元/小时；图像分析 200 元/样。');
  // city and liaison are prefilled from the organisation; make sure they are there
  await expect(page.locator('[data-test=instrument-contact-name] input')).not.toHaveValue('');
  await expect(page.locator('[data-test=instrument-contact-phone] input')).not.toHaveValue('');
  await page.locator('[data-test=instrument-save]').click();
  await page.waitForURL(/\/member\/instruments\/[^/]+\/edit$/);

  await page
    .locator('[data-test=picture-input]')
    .setInputFiles({ name: 'microscope.png', mimeType: 'image/png', buffer: await png(64, 48) });
  await expect(page.locator('[data-test=picture-item]')).toHaveCount(1);

  await page.locator('[data-test=instrument-submit]').click();
  await confirmBox(page);
  await page.waitForURL(/\/member\/instruments\?state=pending/);
  await logout(page);

  // 2. the city bureau approves it
  await cityApproves(page, name);

  // 3. a visitor finds it by category, then by keyword
  await page.goto('/');
  await page.locator('[data-test=home-category-01]').click();
  await page.waitForURL(/\/instruments\?.*category=01/);
  await page.locator('[data-test=sort-purchased]').click(); // most recently purchased first
  await page.waitForURL(/sort=purchased/);
  await expect(page.locator('[data-test=result-card]', { hasText: name })).toBeVisible();

  await page.locator('[data-test=catalogue-search] input').fill(KEYWORD);
  await page.locator('[data-test=catalogue-search-submit]').click();
  await page.waitForURL(/q=/);
  // the sort chosen above stays in force for the keyword (clicking it again would reverse it: oldest first)
  await expect(page).toHaveURL(/q=.*sort=purchased|sort=purchased.*q=/);
  await expect(page).not.toHaveURL(/dir=asc/);
  await expect(page.locator('[data-test=sort-purchased]')).toHaveAttribute('aria-pressed', 'true');
  const card = page.locator('[data-test=result-card]', { hasText: name });
  await expect(card).toBeVisible();
  await expect(card.locator('[data-test=result-name] mark').first()).toHaveText(KEYWORD);

  await card.locator('[data-test=view-detail]').click();
  await page.waitForURL(/\/instruments\/[^/?]+$/);
  const detailUrl = page.url();
  await expect(page.locator('[data-test=instrument-name]')).toHaveText(name);
  await expect(page.locator('[data-test=instrument-org]')).toContainText(ORG);

  // 加入预选 asks a visitor to log in first, then brings them back
  await page.locator('[data-test=add-to-cart]').click();
  await confirmBox(page);
  await page.waitForURL(/\/login\?redirect=/);
  await page.locator('input[name=identifier]').fill('13800000001');
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL(detailUrl);
  await expect(page.locator('[data-test=instrument-name]')).toHaveText(name);
  await page.locator('[data-test=add-to-cart]').click();
  await expect(page.locator('[data-test=add-to-cart]')).toHaveText(/已在预选清单/);

  // 4. the preselection list shows it in the card of its organisation
  await page.goto('/member/cart');
  const group = page.locator('[data-test=cart-group]', { hasText: ORG });
  await expect(group).toBeVisible();
  await expect(group.locator('[data-test=cart-item]', { hasText: name })).toBeVisible();
  await expect(group.locator('[data-test=cart-item]', { hasText: name })).toContainText(model);
});
