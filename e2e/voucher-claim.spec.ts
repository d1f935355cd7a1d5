import { readFile } from 'node:fs/promises';
import { expect, request, test, type APIRequestContext } from './fixtures';
import { tinyPdf } from '../src/server/platform/tiny-pdf';
import { confirmBox, DEMO_PASSWORD, login, logout } from './helpers';

const CENTRE = '山东省分析测试中心';

/** An API session (its own cookies and CSRF header), for the set-up the journey does not look at. */
async function apiAs(baseURL: string, identifier: string, mode: 'person' | 'legal' = 'person') {
  const api = await request.newContext({ baseURL });
  await api.get('/api/auth/me');
  const csrf = async () =>
    decodeURIComponent((await api.storageState()).cookies.find((c) => c.name === 'csrf')?.value ?? '');
  const r = await api.post('/api/auth/login', {
    headers: { 'x-csrf-token': await csrf() },
    data: { mode, identifier, password: DEMO_PASSWORD },
  });
  expect(r.ok(), await r.text()).toBeTruthy();
  const call = async (method: 'GET' | 'POST', url: string, data?: unknown) => {
    const res = await api.fetch(url, {
      method,
      headers: method === 'GET' ? {} : { 'x-csrf-token': await csrf() },
      data,
    });
    expect(res.ok(), `${method} ${url}: ${await res.text()}`).toBeTruthy();
    return res.json();
  };
  return { api, call };
}

const day = (n: number) => new Date(Date.now() + 8 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);
const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: tinyPdf(name) });

/** A booking of 济南华测 (an eligible small enterprise in 济南) at 山东省分析测试中心, brought to 待结算 through the API. */
async function bookingAwaitingSettlement(base: string): Promise<{ id: string; no: string; feeFen: number }> {
  const anon: APIRequestContext = await request.newContext({ baseURL: base });
  const org = (await (await anon.get(`/api/catalogue/orgs?q=${encodeURIComponent(CENTRE)}`)).json()).items.find(
    (o: { orgName: string }) => o.orgName === CENTRE,
  );
  expect(org, `${CENTRE} is in the catalogue`).toBeTruthy();
  const instrument = (
    await (await anon.get(`/api/catalogue/instruments?org=${org.orgId}&pageSize=20`)).json()
  ).items.find((i: { isBookable: boolean }) => i.isBookable);
  expect(instrument, 'a bookable instrument of the centre').toBeTruthy();
  const enterprise = await apiAs(base, 'jnhc', 'legal');
  const provider = await apiAs(base, '13800000003'); // 王强, admin of the centre
  const b = await enterprise.call('POST', '/api/bookings', {
    instruments: [{ instrumentId: instrument.id, testItems: '主量元素定量分析' }],
    samples: [{ name: '高温合金试样', quantity: 3, unit: '块', form: '固体', hazards: '无', disposal: 'return' }],
    purpose: '新型高温合金成分设计验证',
    expectedFrom: day(2),
    expectedTo: day(12),
    projectName: '航空发动机叶片用高温合金研发',
    projectNo: '2026-JN-077',
    projectSource: '企业自筹',
    projectFundingFen: 80_000_000,
    contactName: '周工',
    contactPhone: '13905310088',
    contactEmail: null,
  });
  await enterprise.call('POST', `/api/bookings/${b.id}/submit`, { liabilityAccepted: true });
  await provider.call('POST', `/api/bookings/${b.id}/accept`, { plannedTestDate: day(3), comment: '请按约定时间送样' });
  const v = await provider.call('GET', `/api/bookings/${b.id}`);
  await provider.call('POST', `/api/bookings/${b.id}/results/submit`, {
    items: [
      {
        instrumentId: instrument.id,
        resultText: '主量元素含量符合设计值，详见检测报告。',
        machineHours: 2,
        fees: [{ name: '定量分析', quantity: 4, unit: '样', unitPriceFen: 62_550 }],
      },
    ],
    otherFeeFen: 0,
    otherFeeNote: null,
    resultNote: null,
    version: v.version,
  });
  const after = await provider.call('GET', `/api/bookings/${b.id}`);
  expect(after.state).toBe('awaiting_settlement');
  return { id: b.id, no: after.no, feeFen: after.totalFeeFen };
}

test('an eligible enterprise settles with a provincial voucher → the city returns the claim → the enterprise adds the proof and resubmits → city and province approve → the enterprise prints the voucher → the verification page confirms it', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const base = baseURL!;
  const booking = await bookingAwaitingSettlement(base);
  expect(booking.feeFen).toBe(250_200);

  // ------------------------------------------------------------ 1. 济南华测 settles with a provincial voucher
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto(`/member/bookings/${booking.id}/settle`);
  await page.locator('[data-test=file-input-report]').setInputFiles(pdf('检测报告.pdf'));
  await expect(page.locator('[data-test=file-item-report]')).toHaveCount(1);
  await page.locator('[data-test=file-input-invoice]').setInputFiles(pdf('发票.pdf'));
  await expect(page.locator('[data-test=file-item-invoice]')).toHaveCount(1);

  const voucher = page.locator('[data-test=voucher-section]');
  await expect(voucher).toBeVisible();
  for (const [slot, name] of [
    ['contract', '技术服务合同.pdf'],
    ['result_proof', '服务结果证明.pdf'],
    ['relevance_proof', '科技创新相关性证明.pdf'],
  ]) {
    await voucher.locator(`[data-test=doc-input-${slot}]`).setInputFiles(pdf(name));
    await expect(voucher.locator(`[data-test=doc-item-${slot}]`)).toHaveCount(1);
  }
  // the checkboxes wait for the answer on other public subsidy
  await expect(voucher.locator('[data-test=voucher-provincial] input')).toBeDisabled();
  await voucher.locator('[data-test=voucher-other-no]').click();
  await voucher.locator('[data-test=voucher-provincial]').click();
  // 济南: 40% of ¥2,502.00 = ¥1,000.80; the enterprise pays ¥1,501.20
  await expect(voucher.locator('[data-test=voucher-amount-provincial]')).toHaveText('¥1,000.80');
  await expect(voucher.locator('[data-test=voucher-selfpay]')).toHaveText('¥1,501.20');
  await page.locator('[data-test=settle-submit]').click();
  await confirmBox(page);
  await page.waitForURL(new RegExp(`/member/bookings/${booking.id}$`));

  // the claim was filed with the settlement
  await page.goto('/member/vouchers');
  const row = page.locator('.claim-table .el-table__row', { hasText: booking.no });
  await expect(row).toContainText('¥1,000.80');
  await expect(row.locator('[data-test=status]')).toHaveText('待审核（市级）');
  const claims = await (await page.request.get(`/api/vouchers/claims?q=${booking.no}`)).json();
  expect(claims.items).toHaveLength(1);
  const claim = claims.items[0] as { id: string; no: string };
  await logout(page);

  // ------------------------------------------------------------ 2. 济南市科技局 returns it for more material
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  await page.goto('/review?kind=voucher_claim');
  await page.locator('a.title-link', { hasText: claim.no }).click();
  await page.waitForURL(/\/review\/[^/]+$/);
  const reviewUrl = page.url();
  await expect(page.locator('[data-test=claim-amountFen]')).toHaveText('¥1,000.80');
  await expect(page.locator('[data-test=claim-rateBp]')).toHaveText('40%');
  await expect(page.locator('[data-test=claim-bookingNo]')).toHaveText(booking.no);
  await expect(page.locator('[data-test=claim-documents] a')).toHaveCount(5);
  await page.locator('[data-test=review-return]').click();
  await page
    .locator('textarea[data-test=review-reason], [data-test=review-reason] textarea')
    .fill('科技创新相关性证明未加盖企业公章，请补充盖章扫描件。');
  await page.locator('[data-test=review-return-confirm]').click();
  await expect(page.locator('[data-test=review-done]')).toContainText('已退回');
  await logout(page);

  // ------------------------------------------------------------ 3. the enterprise adds the proof and resubmits
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto('/member/vouchers?state=returned');
  await page
    .locator('.claim-table .el-table__row', { hasText: claim.no })
    .locator('[data-test=claim-supplement]')
    .click();
  await page.waitForURL(new RegExp(`/member/vouchers/${claim.id}$`));
  await expect(page.locator('[data-test=claim-reason]')).toContainText('未加盖企业公章');
  const proof = page.locator('[data-test=claim-doc-relevance_proof]');
  await proof.locator('[data-test=doc-input-relevance_proof]').setInputFiles(pdf('科技创新相关性证明（盖章）.pdf'));
  await expect(proof.locator('[data-test=doc-item-relevance_proof]')).toHaveCount(2);
  await page.locator('[data-test=claim-resubmit]').click();
  await confirmBox(page);
  await expect(page.locator('.status-card [data-test=status]')).toHaveText('待审核（市级）');
  await expect(page.locator('[data-test=claim-resubmit]')).toHaveCount(0);
  await logout(page);

  // ------------------------------------------------------------ 4. the city, then the province approve
  await login(page, 'jinan_kjj', DEMO_PASSWORD);
  await page.goto(reviewUrl);
  await page.locator('[data-test=review-approve]').click();
  await confirmBox(page);
  await expect(page.locator('[data-test=review-done]')).toContainText('已审核通过');
  await logout(page);

  await login(page, 'sd_kjt', DEMO_PASSWORD);
  await page.goto('/review?kind=voucher_claim');
  await page.locator('a.title-link', { hasText: claim.no }).click();
  await page.locator('[data-test=review-approve]').click();
  await confirmBox(page);
  await expect(page.locator('[data-test=review-done]')).toContainText('已审核通过');
  await logout(page);

  // ------------------------------------------------------------ 5. the enterprise prints the voucher
  await login(page, 'jnhc', DEMO_PASSWORD, 'legal');
  await page.goto(`/member/vouchers/${claim.id}`);
  await expect(page.locator('.status-card [data-test=status]')).toHaveText('审核通过');
  await expect(page.locator('[data-test=claim-stage]')).toHaveText('待兑付');
  const printed = page.waitForResponse((r) => r.url().endsWith(`/api/vouchers/claims/${claim.id}/print`));
  const downloaded = page.waitForEvent('download');
  await page.locator('[data-test=claim-print]').click();
  const res = await printed;
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/pdf');
  // the page reads the stream itself (for its progress bar) and hands the file to the browser as a download
  const file = await downloaded;
  expect(file.suggestedFilename()).toMatch(/\.pdf$/);
  const body = await readFile((await file.path())!);
  expect(body.subarray(0, 5).toString()).toBe('%PDF-');
  expect(body.length).toBeGreaterThan(5_000);
  expect(Number(res.headers()['content-length'] ?? body.length)).toBe(body.length);

  // ------------------------------------------------------------ 6. the verification page (the QR code's address) confirms it
  const detail = await (await page.request.get(`/api/vouchers/claims/${claim.id}`)).json();
  const verifyPath = new URL(detail.verifyUrl).pathname;
  expect(verifyPath).toMatch(/^\/verify\/.+/);
  await logout(page);
  await page.goto(verifyPath);
  const verdict = page.locator('[data-test=verify-result]');
  await expect(verdict).toHaveAttribute('data-genuine', 'true');
  await expect(page.locator('[data-test=verify-verdict]')).toHaveText('真');
  await expect(page.locator('[data-test=verify-no]')).toHaveText(claim.no);
  await expect(verdict).toContainText('济南华测精密检测技术有限公司');
  await expect(verdict).toContainText(CENTRE);
  await expect(verdict).toContainText('¥1,000.80');
  await expect(verdict.locator('[data-test=status]')).toHaveText('审核通过');

  // a forged code is told apart
  await page.goto(`${verifyPath}x`);
  await expect(page.locator('[data-test=verify-verdict]')).toHaveText('伪');
});
