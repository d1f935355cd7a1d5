import { expect, request, test, type APIRequestContext, type Page } from './fixtures';
import { tinyPdf } from '../src/server/platform/tiny-pdf';
import { confirmBox, DEMO_PASSWORD, login, logout, randomMobile } from './helpers';

const ENTERPRISE = '济南华测精密检测技术有限公司';
const UNIVERSITY = '山东大学';

/** An API session (its own cookies and CSRF header), for the set-up the journey does not look at. */
async function apiAs(
  baseURL: string,
  identifier: string,
  mode: 'person' | 'legal' = 'person',
): Promise<{ api: APIRequestContext; csrf: () => Promise<string> }> {
  const api = await request.newContext({ baseURL });
  await api.get('/api/auth/me');
  const csrf = async () =>
    decodeURIComponent((await api.storageState()).cookies.find((c) => c.name === 'csrf')?.value ?? '');
  const r = await api.post('/api/auth/login', {
    headers: { 'x-csrf-token': await csrf() },
    data: { mode, identifier, password: DEMO_PASSWORD },
  });
  expect(r.ok(), await r.text()).toBeTruthy();
  return { api, csrf };
}

async function orgId(api: APIRequestContext, name: string): Promise<string> {
  const r = await api.get(`/api/catalogue/orgs?q=${encodeURIComponent(name)}`);
  const o = (await r.json()).items.find((x: { orgName: string }) => x.orgName === name);
  expect(o, `${name} is in the catalogue`).toBeTruthy();
  return o.orgId;
}

/** The date of today + n days in China Standard Time. */
const day = (n: number) => new Date(Date.now() + 8 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);

async function fillRange(page: Page, test: string, from: string, to: string) {
  const inputs = page.locator(`[data-test=${test}] input.el-range-input`);
  await inputs.nth(0).click();
  await inputs.nth(0).fill(from);
  await inputs.nth(1).fill(to);
  await inputs.nth(1).press('Enter');
  await expect(inputs.nth(0)).toHaveValue(from);
  await expect(inputs.nth(1)).toHaveValue(to);
}

test('an enterprise member books two university instruments from the preselection list → the university accepts and registers results with fees → the enterprise settles and rates 5 stars → the instrument shows the rating and its service count went up', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const base = baseURL!;

  // ------------------------------------------------------------ set-up: a new member of the enterprise (register, bind, approved)
  const mobile = randomMobile();
  const anon = await request.newContext({ baseURL: base });
  await anon.get('/api/auth/me');
  const anonCsrf = decodeURIComponent((await anon.storageState()).cookies.find((c) => c.name === 'csrf')?.value ?? '');
  const reg = await anon.post('/api/auth/register', {
    headers: { 'x-csrf-token': anonCsrf },
    data: { mobile, realName: '周晓彤', email: `${mobile}@example.com`, password: DEMO_PASSWORD },
  });
  expect(reg.ok(), await reg.text()).toBeTruthy();
  const enterpriseId = await orgId(anon, ENTERPRISE);
  const universityId = await orgId(anon, UNIVERSITY);

  const member = await apiAs(base, mobile);
  const bind = await member.api.post('/api/binding/requests', {
    headers: { 'x-csrf-token': await member.csrf() },
    data: { orgId: enterpriseId, note: '检测部工程师' },
  });
  expect(bind.ok(), await bind.text()).toBeTruthy();
  const legal = await apiAs(base, 'jnhc', 'legal');
  const pending = await (await legal.api.get('/api/orgs/mine/binding-requests?state=pending')).json();
  const mine = pending.items.find((r: { realName: string }) => r.realName === '周晓彤');
  const ok = await legal.api.post(`/api/orgs/mine/binding-requests/${mine.id}/decision`, {
    headers: { 'x-csrf-token': await legal.csrf() },
    data: { action: 'approve' },
  });
  expect(ok.ok(), await ok.text()).toBeTruthy();

  // two bookable instruments of the university, with their service counts now
  const listed = (
    await (await anon.get(`/api/catalogue/instruments?org=${universityId}&pageSize=20`)).json()
  ).items.filter((i: { isBookable: boolean }) => i.isBookable);
  expect(listed.length).toBeGreaterThanOrEqual(2);
  const [first, second] = listed as { id: string; name: string; serviceCount: number }[];

  // ------------------------------------------------------------ 1. the member books both from the preselection list
  await login(page, mobile, DEMO_PASSWORD);
  await page.goto(`/instruments?org=${universityId}`);
  for (const i of [first, second]) {
    const card = page.locator(`[data-test=result-card][data-id="${i.id}"]`);
    await card.locator('[data-test=add-to-cart]').click();
    await expect(card.locator('[data-test=add-to-cart]')).toHaveText(/已在预选/);
  }
  await page.goto('/member/cart');
  const group = page.locator('[data-test=cart-group]', { hasText: UNIVERSITY });
  await group.locator('[data-test=cart-group-check]').click();
  await group.locator('[data-test=cart-book]').click();
  await page.waitForURL(/\/member\/bookings\/new\?instruments=/);
  await expect(page.locator('[data-test=booking-provider]')).toHaveText(UNIVERSITY);
  await expect(page.locator('[data-test=booking-instrument]')).toHaveCount(2);
  await expect(page.locator('[data-test=booking-steps] .el-step__title.is-process')).toHaveText('填写预约单');

  // 检测样品信息及检测用途
  await page.locator('[data-test=sample-0-name] input').fill('高镍正极材料 NCM811');
  await page.locator('[data-test=sample-0-quantity] input').fill('3');
  await page.locator('[data-test=sample-0-unit] input').fill('g');
  await page.locator('[data-test=sample-0-form]').click();
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '粉末' }).first().click();
  await page.locator('[data-test=sample-0-hazards] input').fill('无');
  await page.locator('[data-test=sample-0-disposal]').getByText('检测后退回').click();
  await page.locator('[data-test=test-items-0] textarea').fill('表面形貌观察；EDS 元素面分布');
  await page.locator('[data-test=test-items-1] textarea').fill('元素价态分析');
  await page.locator('[data-test=booking-purpose] textarea').fill('正极材料表面包覆工艺研发，评估包覆层均匀性。');
  await fillRange(page, 'booking-dates', day(3), day(20));
  // 检测样品所属项目信息
  await page.locator('[data-test=booking-project-name] input').fill('高比能锂电池正极材料关键技术');
  await page.locator('[data-test=booking-project-no] input').fill('2026SDKJ-0318');
  await page.locator('[data-test=booking-project-source] input').fill('省重点研发计划');
  await page.keyboard.press('Escape');
  await page.locator('[data-test=booking-project-funding] input').fill('1200000');
  await expect(page.locator('[data-test=booking-project-funding] .field-hint')).toHaveText('¥1,200,000.00');
  await expect(page.locator('[data-test=booking-contact-phone] input')).toHaveValue(mobile);

  // 保存 keeps a 待提交 draft; 提交 asks for the 责任说明 first
  await page.locator('[data-test=booking-save]').click();
  await page.waitForURL(/\/member\/bookings\/[^/]+\/edit$/);
  const no = (await page.locator('[data-test=booking-form-no]').textContent())!.trim();
  expect(no).toMatch(/^YY\d{12,}$/);
  await page.locator('[data-test=booking-submit]').click();
  await expect(page.locator('[data-test=liability-text]')).toContainText('委托方');
  await expect(page.locator('[data-test=liability-submit]')).toBeDisabled();
  await page.locator('[data-test=liability-agree]').click();
  await page.locator('[data-test=liability-submit]').click();
  await page.waitForURL(/\/member\/bookings\/[^/]+$/);
  const bookingUrl = page.url();
  await expect(page.locator('[data-test=booking-top] [data-test=status]')).toHaveText('待受理');
  await expect(page.locator('[data-test=booking-steps] .el-step__title.is-process')).toHaveText('待受理');
  await logout(page);

  // ------------------------------------------------------------ 2. the university admin accepts and registers results with fees
  await login(page, 'sdu', DEMO_PASSWORD, 'legal');
  await expect(page.locator('[data-test=header-unread]')).not.toHaveText('');
  await page.goto('/member/provided');
  const row = page.locator('.booking-row', { hasText: no });
  await row.locator('[data-test=booking-accept]').click();
  await expect(page.locator('[data-test=accept-dialog]')).toBeVisible();
  await page.locator('[data-test=accept-comment] textarea').fill('请于测试前一日送样。');
  await page.locator('[data-test=accept-confirm]').click();
  await confirmBox(page);
  await expect(row.locator('[data-test=status]')).toHaveText('待测试');
  await row.locator('[data-test=booking-results]').click();
  await page.waitForURL(/\/member\/bookings\/[^/]+\/results$/);

  await page.locator('[data-test=result-0-text] textarea').fill('颗粒粒径 8–12 μm，包覆层连续均匀，厚度约 15 nm。');
  await page.locator('[data-test=result-0-hours] input').fill('2.5');
  await page.locator('[data-test=fee-0-0-name] input').fill('SEM 形貌');
  await page.locator('[data-test=fee-0-0-quantity] input').fill('3');
  await page.locator('[data-test=fee-0-0-unit] input').fill('样');
  await page.locator('[data-test=fee-0-0-price] input').fill('300');
  await expect(page.locator('[data-test=fee-0-0-amount]')).toHaveText('¥900.00');
  await page.locator('[data-test=fee-0-add]').click();
  await page.locator('[data-test=fee-0-1-name] input').fill('EDS 面扫');
  await page.locator('[data-test=fee-0-1-quantity] input').fill('1.5');
  await page.locator('[data-test=fee-0-1-unit] input').fill('小时');
  await page.locator('[data-test=fee-0-1-price] input').fill('450.50');
  await expect(page.locator('[data-test=result-0-subtotal]')).toHaveText('¥1,575.75');
  await page.locator('[data-test=result-1-text] textarea').fill('Ni2+/Ni3+ 比例 0.62，表面残锂 0.18%。');
  await page.locator('[data-test=fee-1-0-name] input').fill('XPS 全谱与高分辨谱');
  await page.locator('[data-test=fee-1-0-quantity] input').fill('2');
  await page.locator('[data-test=fee-1-0-unit] input').fill('样');
  await page.locator('[data-test=fee-1-0-price] input').fill('600');
  await page.locator('[data-test=results-other-fee] input').fill('50');
  await page.locator('[data-test=results-other-note] input').fill('制样费');
  await expect(page.locator('[data-test=results-total]')).toContainText('¥2,825.75');
  await page.locator('[data-test=results-save]').click();
  await expect(page.locator('.el-message--success', { hasText: '检测结果已保存' })).toBeVisible();
  await page.locator('[data-test=results-submit]').click();
  await confirmBox(page);
  await page.waitForURL(/\/member\/provided\/[^/]+$/);
  await expect(page.locator('[data-test=booking-top] [data-test=status]')).toHaveText('待结算');
  await expect(page.locator('[data-test=fee-total]')).toContainText('¥2,825.75');
  await logout(page);

  // ------------------------------------------------------------ 3. the enterprise settles with report and invoice, and rates 5 stars
  await login(page, mobile, DEMO_PASSWORD);
  await page.goto('/member/messages');
  await page
    .locator('[data-test=message-item]', { hasText: `检测结果已登记 ${no}` })
    .locator('[data-test=message-open]')
    .click();
  await page.waitForURL(bookingUrl);
  await page.locator('[data-test=detail-settle]').click();
  await page.waitForURL(/\/settle$/);
  await expect(page.locator('[data-test=settle-submit]')).toBeDisabled();
  await page
    .locator('[data-test=file-input-report]')
    .setInputFiles({ name: '检测报告.pdf', mimeType: 'application/pdf', buffer: tinyPdf('Test report') });
  await expect(page.locator('[data-test=file-item-report]')).toHaveCount(1);
  await page
    .locator('[data-test=file-input-invoice]')
    .setInputFiles({ name: '发票.pdf', mimeType: 'application/pdf', buffer: tinyPdf('Invoice') });
  await expect(page.locator('[data-test=file-item-invoice]')).toHaveCount(1);
  await page.locator('[data-test=settle-submit]').click();
  await confirmBox(page);
  await page.waitForURL(bookingUrl);
  await expect(page.locator('[data-test=booking-top] [data-test=status]')).toHaveText('已完成');
  await page.locator('[data-test=detail-rate]').click();
  await page.locator('[data-test=rate-stars] .el-rate__item').nth(4).click();
  await page.locator('[data-test=rate-comment] textarea').fill('测试及时，数据质量高，工程师耐心解答问题。');
  await page.locator('[data-test=rate-submit]').click();
  await expect(page.locator('[data-test=booking-rating]')).toContainText('5 星');
  await expect(page.locator('[data-test=detail-rate]')).toHaveCount(0);
  await expect(page.locator('[data-test=booking-history]')).toContainText('结算');

  // 我的预约 offers 查看评价 now
  await page.goto('/member/bookings?state=completed');
  const done = page.locator('.booking-row', { hasText: no });
  await done.locator('[data-test=booking-viewRating]').click();
  await expect(page.locator('[data-test=rating-shown]')).toContainText('测试及时');
  await page.keyboard.press('Escape');

  // ------------------------------------------------------------ 4. the instrument page shows the rating; the catalogue's service count went up
  await page.goto(`/instruments/${first.id}`);
  const summary = page.locator('[data-test=rating-summary]');
  await expect(summary.locator('[data-test=rating-count]')).toContainText('条评价');
  await expect(summary.locator('[data-test=rating-recent]')).toContainText('测试及时，数据质量高');
  await page.goto(`/instruments?org=${universityId}`);
  for (const i of [first, second]) {
    await expect(page.locator(`[data-test=result-card][data-id="${i.id}"]`)).toContainText(
      new RegExp(`服务\\s*${(i.serviceCount + 1).toLocaleString('en-US')}\\s*次`),
    );
  }

  await Promise.all([anon.dispose(), member.api.dispose(), legal.api.dispose()]);
});
