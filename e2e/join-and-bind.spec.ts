import { expect, test } from './fixtures';
import { cityApproves, confirmBox, fillOrgDetails, login, logout, randomMobile, randomUscc, register } from './helpers';

const PASSWORD = 'Journey#2026';

test('register → organisation joins → city bureau approves → a second person binds → the org admin approves → header shows the organisation', async ({
  page,
}) => {
  const founder = randomMobile();
  const orgName = `济南泉城智测科技有限公司${Date.now().toString().slice(-5)}`;

  // 1. a person registers and fills the 编辑单位信息 wizard
  await register(page, founder, '赵立新', PASSWORD);
  await page.goto('/member/org/edit');
  await page.locator('[data-test=commit-check-0]').waitFor();
  for (let i = 0; i < 10; i++) {
    const box = page.locator(`[data-test=commit-check-${i}]`);
    if (!(await box.count())) break;
    await box.click();
  }
  await page.locator('[data-test=commit-next]').click();
  await page.locator('[data-test=start-fill]').click();
  await page.locator('[data-test=org-name] input').fill(orgName);
  await page.locator('[data-test=org-uscc] input').fill(randomUscc());
  await expect(page.locator('[data-test=uscc-ok]')).toBeVisible();
  await fillOrgDetails(page, {
    address: '济南市高新区舜华路 2000 号',
    legalPerson: '赵立新',
    phone: '0531-88661234',
    intro: '从事材料检测与分析服务的科技型小微企业。',
    bankName: '中国建设银行济南高新支行',
    accountName: orgName,
    account: '37050161010000001234',
    liaison: '钱晓',
    liaisonPhone: '13905310000',
    liaisonEmail: 'liaison@qczc.example.cn',
    staff: '36',
    revenue: '850',
  });
  await expect(page.locator('[data-test=org-voucher]')).toBeVisible();
  await page.locator('[data-test=org-voucher]').getByText('是').click();
  await page.locator('[data-test=org-submit]').click();
  await confirmBox(page);
  await expect(page).toHaveURL(/\/member\/org$/);
  await expect(page.locator('[data-test=status]').filter({ hasText: '待审核' }).first()).toBeVisible();
  await logout(page);

  // 2. the city bureau approves
  await cityApproves(page, orgName);

  // 3. a second person applies to bind
  const joiner = randomMobile();
  await register(page, joiner, '孙悦', PASSWORD);
  await page.locator('[data-test=org-search] input').fill(orgName.slice(0, 8));
  await page.locator('[data-test=org-search-submit]').click();
  await page.locator('[data-test=org-result]', { hasText: orgName }).locator('[data-test=bind-open]').click();
  await page.locator('[data-test=bind-note] textarea').fill('检测部工程师');
  await page.locator('[data-test=bind-submit]').click();
  await expect(page.locator('[data-test=binding-pending]')).toBeVisible();
  await logout(page);

  // 4. the organisation's legal representative (its admin) approves
  await login(page, founder, PASSWORD);
  await page.goto('/member/org/requests');
  await page.locator('[data-test=req-approve]').first().click();
  await confirmBox(page);
  await expect(page.locator('[data-test=req-approve]')).toHaveCount(0);
  await logout(page);

  // 5. the person sees the organisation in the header
  await login(page, joiner, PASSWORD);
  await expect(page.locator('[data-test=header-org]')).toHaveText(orgName);
});
