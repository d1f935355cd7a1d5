import { expect, test, type Page } from './fixtures';
import { DEMO_PASSWORD, login } from './helpers';

/** The member centre in the manual's words (issue 12, fidelity): bookings, the preselection list, 工作台, vouchers. */

const UNIVERSITY = '山东大学';

async function csrf(page: Page) {
  const c = (await page.context().cookies()).find((x) => x.name === 'csrf');
  return decodeURIComponent(c?.value ?? '');
}

test('我的被预约: a booking awaiting testing offers 检测结果登记 (manual §3.3), not 登记结果', async ({ page }) => {
  await login(page, '13800000003', DEMO_PASSWORD);
  // one booking of this provider awaiting its results, whatever the demo data holds today
  await page.route(/\/api\/bookings\?.*side=provider/, (route) =>
    route.fulfill({
      json: {
        items: [
          {
            id: 'b-fidelity-1',
            no: 'YY202601010001',
            state: 'accepted',
            stateLabel: '待测试',
            counterpartName: '济南华测精密检测技术有限公司',
            applicantName: '赵敏',
            instrumentNames: ['场发射扫描电子显微镜'],
            totalFeeFen: 0,
            createdAt: '2026-01-01T01:00:00.000Z',
            submittedAt: '2026-01-01T02:00:00.000Z',
            updatedAt: '2026-01-02T02:00:00.000Z',
            actions: ['save_results', 'submit_results'],
            rated: false,
          },
        ],
        total: 1,
        page: 1,
        pageSize: 10,
        counts: { all: 1, accepted: 1 },
      },
    }),
  );
  await page.goto('/member/provided');
  const button = page.locator('.booking-row [data-test=booking-results]');
  await expect(button).toHaveText('检测结果登记');
  await expect(
    page.locator('.booking-row', { hasText: '登记结果' }).getByText('登记结果', { exact: true }),
  ).toHaveCount(0);
});

test("预选清单: a group's 立即预约 books that organisation's instruments without asking to tick them first", async ({
  page,
}) => {
  await login(page, '13800000002', DEMO_PASSWORD);
  const orgs = await (await page.request.get(`/api/catalogue/orgs?q=${encodeURIComponent(UNIVERSITY)}`)).json();
  const org = orgs.items.find((o: { orgName: string }) => o.orgName === UNIVERSITY);
  const listed = (await (await page.request.get(`/api/catalogue/instruments?org=${org.orgId}&pageSize=20`)).json())
    .items as { id: string; isBookable: boolean }[];
  const two = listed.filter((i) => i.isBookable).slice(0, 2);
  expect(two).toHaveLength(2);
  const add = await page.request.post('/api/cart', {
    headers: { 'x-csrf-token': await csrf(page) },
    data: { instrumentIds: two.map((i) => i.id) },
  });
  expect(add.ok(), await add.text()).toBeTruthy();

  await page.goto('/member/cart');
  const group = page.locator('[data-test=cart-group]', { hasText: UNIVERSITY });
  await expect(group.locator('[data-test=cart-item]')).toHaveCount(2);
  // nothing ticked: the group's button books the group
  await group.locator('[data-test=cart-book]').click();
  await page.waitForURL(/\/member\/bookings\/new\?instruments=/);
  const ids = new URL(page.url()).searchParams.get('instruments') ?? '';
  expect(ids.split(',').sort()).toEqual(two.map((i) => i.id).sort());
  await expect(page.locator('[data-test=booking-instrument]')).toHaveCount(2);
  await expect(page.locator('.el-message--warning', { hasText: '请先勾选' })).toHaveCount(0);
});

test("the legal account's 工作台 has a 我的仪器 tile", async ({ page }) => {
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member');
  const tile = page.locator('[data-test=member-tiles]').getByRole('link', { name: /我的仪器/ });
  await expect(tile).toBeVisible();
  await tile.click();
  await expect(page).toHaveURL(/\/member\/instruments$/);
});

test('我的创新券 says when the organisation cannot use vouchers and offers no actions', async ({ page }) => {
  // 山东省分析测试中心 is a public institution: no vouchers
  await login(page, '13800000002', DEMO_PASSWORD);
  await page.goto('/member/vouchers');
  await expect(page.locator('[data-test=vouchers-not-usable]')).toContainText('本单位不能使用创新券');
  await expect(page.locator('[data-test=claim-search]')).toHaveCount(0);
  await expect(page.locator('[data-test=claim-list]')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '待结算的预约' })).toHaveCount(0);
});

test('我的创新券 still lists the claims of an enterprise that can use vouchers', async ({ page }) => {
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member/vouchers');
  await expect(page.locator('[data-test=claim-search]')).toBeVisible();
  await expect(page.locator('[data-test=vouchers-not-usable]')).toHaveCount(0);
});

test('the booking form asks before leaving with unsaved changes, and keeps what was typed when the user stays', async ({
  page,
}) => {
  await login(page, '13800000002', DEMO_PASSWORD);
  const orgs = await (await page.request.get(`/api/catalogue/orgs?q=${encodeURIComponent(UNIVERSITY)}`)).json();
  const org = orgs.items.find((o: { orgName: string }) => o.orgName === UNIVERSITY);
  const listed = (await (await page.request.get(`/api/catalogue/instruments?org=${org.orgId}&pageSize=20`)).json())
    .items as { id: string; isBookable: boolean }[];
  const one = listed.find((i) => i.isBookable)!;
  await page.goto(`/member/bookings/new?instruments=${one.id}`);
  await expect(page.locator('[data-test=booking-instrument]')).toHaveCount(1);
  await page.locator('[data-test=booking-purpose] textarea').fill('材料性能验证');
  // leaving by the menu asks first; staying keeps the text
  await page.getByRole('link', { name: '我的预约' }).first().click();
  const box = page.locator('.el-message-box');
  await expect(box).toContainText('有未保存的修改');
  await box.getByRole('button', { name: '留在此页' }).click();
  await expect(page).toHaveURL(/\/member\/bookings\/new/);
  await expect(page.locator('[data-test=booking-purpose] textarea')).toHaveValue('材料性能验证');
  // leaving on purpose goes
  await page.getByRole('link', { name: '我的预约' }).first().click();
  await page.locator('.el-message-box').getByRole('button', { name: '离开' }).click();
  await expect(page).toHaveURL(/\/member\/bookings$/);
});
