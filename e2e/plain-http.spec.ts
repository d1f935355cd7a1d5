import { expect, test } from './fixtures';
import { DEMO_PASSWORD, login } from './helpers';

// The portal as an office network opens it: by a host name that maps to the server, over plain HTTP. Chromium maps
// the name to the loopback address itself, so nothing outside the test is needed. Before issue 11 the CSP told the
// browser to fetch every script over https, and the page stayed blank.
const PORT = Number(process.env.E2E_PORT ?? 3977);
const HOST = 'yiqi.sd-kjt.test';

test.use({
  baseURL: `http://${HOST}:${PORT}`,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
  },
});

test('the portal opened by a host name over plain HTTP shows, loads every file, and a person logs in', async ({
  page,
}) => {
  const failed: string[] = [];
  // a request the page itself cancels by moving on (ERR_ABORTED) is not a failure; ERR_SSL_PROTOCOL_ERROR was
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto('/');
  await expect(page.locator('header')).toContainText('山东省大型科学仪器设备协作共用网');
  expect(new URL(page.url()).protocol).toBe('http:');
  await login(page, '13800000003', DEMO_PASSWORD);
  await expect(page.getByText('王强').first()).toBeVisible();
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
});
