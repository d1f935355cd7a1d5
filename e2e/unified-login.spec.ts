import { startIdentityProvider, type RunningIdp } from '../src/server/identity-provider/server';
import { demoUscc } from '../src/server/db/seed-demo';
import { E2E_IDP } from './identity-provider';
import { expect, test, type Page } from './fixtures';
import { cityApproves, confirmBox, DEMO_PASSWORD, fillOrgDetails, login } from './helpers';

let idp: RunningIdp;
test.beforeAll(async () => {
  idp = await startIdentityProvider({
    port: E2E_IDP.port,
    clients: [
      {
        clientId: E2E_IDP.clientId,
        clientSecret: E2E_IDP.clientSecret,
        redirectUris: [`${E2E_IDP.appUrl}/api/identity/callback`],
        postLogoutRedirectUris: [`${E2E_IDP.appUrl}/login`],
      },
    ],
  });
});
test.afterAll(async () => {
  await idp?.close();
});

/** 会员中心 → 个人登录 / 法人登录 → the provider's own login page → back on the platform. */
async function unifiedLogin(page: Page, account: string, mode: 'person' | 'legal') {
  await page.goto('/');
  await page.getByRole('link', { name: '会员中心' }).first().click();
  await expect(page).toHaveURL(/\/login/);
  if (mode === 'legal') await page.getByRole('tab', { name: '法人登录' }).click();
  await page.locator(`[data-test=unified-${mode}-province]`).click();
  await expect(page).toHaveURL(new RegExp(`^http://127.0.0.1:${E2E_IDP.port}/interaction/`));
  await expect(page.getByRole('heading', { name: '山东省政务服务网 · 统一身份认证' })).toBeVisible();
  await page.getByLabel('账号').fill(account);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E_IDP.appUrl}/member`));
}

/** 退出 ends the platform session and, on the provider's own page, its session too. */
async function unifiedLogout(page: Page) {
  await page.getByRole('button', { name: '退出' }).first().click();
  await confirmBox(page);
  await page.getByRole('button', { name: '确认退出' }).click();
  await expect(page).toHaveURL(`${E2E_IDP.appUrl}/login`);
}

test('法人登录 through the provider → prefilled wizard → city approves → a person logs in through it, binds, the legal person approves', async ({
  page,
}) => {
  test.setTimeout(240_000); // five logins through two sites on a shared machine
  const orgName = '济南新材检测技术有限公司';
  const uscc = demoUscc('91', '370100', 'newco');

  // 1–2. the legal person logs in through the provider; the wizard opens with name and USCC filled in and locked
  await unifiedLogin(page, 'newco', 'legal');
  await expect(page).toHaveURL(/\/member\/org\/edit/);
  await page.locator('[data-test=commit-check-0]').waitFor();
  for (let i = 0; i < 10; i++) {
    const box = page.locator(`[data-test=commit-check-${i}]`);
    if (!(await box.count())) break;
    await box.click();
  }
  await page.locator('[data-test=commit-next]').click();
  await page.locator('[data-test=start-fill]').click();
  await expect(page.locator('[data-test=org-name] input')).toHaveValue(orgName);
  await expect(page.locator('[data-test=org-name] input')).toBeDisabled();
  await expect(page.locator('[data-test=org-uscc] input')).toHaveValue(uscc);
  await expect(page.locator('[data-test=org-uscc] input')).toBeDisabled();
  await expect(page.locator('[data-test=org-identity-locked]')).toBeVisible();
  await fillOrgDetails(page, {
    address: '济南市高新区新材料产业园 8 号',
    legalPerson: '钟新材',
    phone: '0531-88990011',
    intro: '从事新材料检测的科技型企业。',
    bankName: '中国银行济南高新支行',
    accountName: orgName,
    account: '37050161010000005678',
    liaison: '马联络',
    liaisonPhone: '13905310011',
    liaisonEmail: 'liaison@newco.example.cn',
    staff: '28',
    revenue: '600',
  });
  await page.locator('[data-test=org-voucher]').getByText('否').click();
  await page.locator('[data-test=org-submit]').click();
  await confirmBox(page);
  await expect(page).toHaveURL(/\/member\/org$/);
  await expect(page.locator('[data-test=status]').filter({ hasText: '待审核' }).first()).toBeVisible();
  await unifiedLogout(page);

  // 3. the city bureau approves
  await cityApproves(page, orgName);

  // 4. a person logs in through the provider and is prompted to bind
  await unifiedLogin(page, 'zhaomin', 'person');
  await expect(page).toHaveURL(/\/member\/binding/);
  await expect(page.locator('[data-test=binding-identity-prompt]')).toBeVisible();
  await page.locator('[data-test=org-search] input').fill('新材检测');
  await page.locator('[data-test=org-search-submit]').click();
  await page.locator('[data-test=org-result]', { hasText: orgName }).locator('[data-test=bind-open]').click();
  await page.locator('[data-test=bind-note] textarea').fill('检测工程师');
  await page.locator('[data-test=bind-submit]').click();
  await expect(page.locator('[data-test=binding-pending]')).toBeVisible();
  await unifiedLogout(page);

  // 5. the legal person, through the provider again, approves; the person then sees the organisation
  await unifiedLogin(page, 'newco', 'legal');
  await page.goto('/member/org/requests');
  await page.locator('[data-test=req-approve]:visible').first().click();
  await confirmBox(page);
  await expect(page.locator('[data-test=req-approve]:visible')).toHaveCount(0);
  await unifiedLogout(page);
  await unifiedLogin(page, 'zhaomin', 'person');
  await expect(page.locator('[data-test=header-org]')).toHaveText(orgName);
});

test('a provider that is down: a clear page with a way back, and local login goes on working', async ({ page }) => {
  await idp.close();
  await page.goto('/login');
  await page.locator('[data-test=unified-person-province]').click();
  await expect(page).toHaveURL(/\/login\/unified-error\?reason=PROVIDER_DOWN/);
  await expect(page.locator('[data-test=unified-error]')).toContainText('统一身份认证服务暂时无法访问');
  await page.locator('[data-test=unified-back]').click();
  await expect(page).toHaveURL(/\/login$/);
  await login(page, '13800000001', DEMO_PASSWORD);
});
