import { expect, test } from './fixtures';
import { DEMO_PASSWORD, login } from './helpers';

/**
 * The app shell (issue 12): the header in English at 1280 px, <html lang>, an expired session, the member menu and
 * the floating buttons on a phone, not found with a way back, and the main navigation.
 */
const MISSING = '/instruments/00000000-0000-7000-8000-000000000000';

/** A bookable instrument that is not yet in the user's preselection list (earlier journeys fill it), so that the page offers 加入预选. */
async function firstInstrumentId(page: import('@playwright/test').Page): Promise<string> {
  const r = await page.request.get('/api/catalogue/instruments?pageSize=50');
  const body = (await r.json()) as { items: { id: string; isBookable: boolean }[] };
  const cart = await page.request.get('/api/cart');
  const inCart = cart.ok() ? JSON.stringify(await cart.json()) : '';
  const free = body.items.find((i) => i.isBookable && !inCart.includes(i.id));
  if (!free) throw new Error('no bookable instrument outside the preselection list');
  return free.id;
}

test('the main navigation has 通知公告 and 入网单位', async ({ page }) => {
  await page.goto('/');
  const nav = page.locator('[data-test=main-nav]');
  await expect(nav.getByRole('link', { name: '通知公告' })).toBeVisible();
  await expect(nav.getByRole('link', { name: '入网单位' })).toBeVisible();
  await nav.getByRole('link', { name: '入网单位' }).click();
  await expect(page).toHaveURL(/\/orgs$/);
  await expect(nav.getByRole('link', { name: '入网单位' })).toHaveAttribute('aria-current', 'page');
});

test('the English header fits at 1280 px with the name and 退出 visible; lang and title follow', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await login(page, '13800000003', DEMO_PASSWORD);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.locator('[data-test=lang-toggle]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page).toHaveTitle(/Shandong Large Scientific Instrument Sharing Network/);
  // remembered, and right from the start of the next load
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    await expect(page.locator('[data-test=header-user]')).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: 'Log out' })).toBeInViewport({ ratio: 1 });
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow, `horizontal scroll at ${width}`).toBeLessThanOrEqual(0);
  }
  await expect(page.locator('[data-test=main-nav]').getByRole('link', { name: 'Notices' })).toBeVisible();
});

test('a 401 sends the user to 登录已过期 and back to the same page after logging in', async ({ page, context }) => {
  await login(page, '13800000003', DEMO_PASSWORD);
  await page.goto('/member/bookings');
  await expect(page.locator('[data-test=header-user]')).toContainText('王强');
  await page.waitForLoadState('networkidle');
  // the session ends on the server's side (expired): the next call answers 401
  await context.clearCookies();
  await page.locator('aside').getByRole('link', { name: '我的被预约' }).click();
  await expect(page).toHaveURL(/\/login\?expired=1&redirect=/);
  const url = new URL(page.url());
  expect(url.searchParams.get('redirect')).toMatch(/^\/member\//);
  await expect(page.locator('[data-test=header-user]')).toHaveCount(0);
  await page.locator('input[name=identifier]').fill('13800000003');
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await expect(page).toHaveURL((u) => u.pathname + u.search === url.searchParams.get('redirect'));
  await expect(page.locator('[data-test=header-user]')).toContainText('王强');
});

test('a missing instrument says not found, with a way back', async ({ page }) => {
  await page.goto('/instruments');
  await page.goto(MISSING);
  await expect(page.locator('[data-test=not-found]')).toBeVisible();
  await expect(page.getByText('内容不存在或已删除')).toBeVisible();
  await expect(page.getByRole('button', { name: '重试' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: '返回首页' })).toBeVisible();
  await page.getByRole('button', { name: '返回上一页' }).click();
  await expect(page).toHaveURL(/\/instruments$/);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the member menu is a drawer behind 菜单', async ({ page }) => {
    await login(page, '13800000003', DEMO_PASSWORD);
    await page.goto('/member/bookings');
    await expect(page.locator('aside')).toHaveCount(0);
    const button = page.locator('[data-test=member-menu-button]');
    await expect(button).toBeVisible();
    // the page's own content starts near the top, not below a 450 px menu
    const top = await page.locator('.content h1, .content .card').first().boundingBox();
    expect(top!.y).toBeLessThan(300);
    await button.click();
    const drawer = page.locator('[data-test=member-menu-drawer]');
    await expect(drawer.getByRole('link', { name: '我的被预约' })).toBeVisible();
    await drawer.getByRole('link', { name: '我的被预约' }).click();
    await expect(page).toHaveURL(/\/member\/provided$/);
    await expect(drawer.getByRole('link', { name: '我的被预约' })).toBeHidden();
  });

  test('the floating buttons never cover 加入预选 and the fee on an instrument page', async ({ page }) => {
    await login(page, '13800000002', DEMO_PASSWORD);
    await page.goto(`/instruments/${await firstInstrumentId(page)}`);
    const add = page.getByRole('button', { name: '加入预选' }).first();
    await expect(add).toBeVisible();
    const bar = page.locator('[data-test=float-buttons]');
    const overlaps = async () => {
      const a = (await add.boundingBox())!;
      const b = (await bar.boundingBox())!;
      return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    };
    // on arrival and when scrolled to, the button is clear of the bar (a bar along the bottom: the page scrolls on)
    if (await add.isVisible()) expect(await overlaps(), '加入预选 under the floating buttons on arrival').toBe(false);
    for (const block of ['start', 'center'] as const) {
      await add.evaluate((el, b) => el.scrollIntoView({ block: b }), block);
      expect(await overlaps(), `加入预选 under the floating buttons (${block})`).toBe(false);
    }
    // and the end of the page scrolls clear of the bar
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const footer = (await page.locator('footer').boundingBox())!;
    const b = (await bar.boundingBox())!;
    expect(footer.y + footer.height).toBeLessThanOrEqual(b.y + 1);
  });
});
