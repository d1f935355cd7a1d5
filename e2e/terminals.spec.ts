import { spawn } from 'node:child_process';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, login } from './helpers';

const BASE = `http://127.0.0.1:${process.env.E2E_PORT ?? 3977}`;

test('an org admin registers a terminal → the simulator starts it → the instrument page shows 使用中 then 空闲 live → 我的仪器 shows today’s machine hours', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // 1. the org admin registers a terminal for an instrument that needs one; the key is shown once
  await login(page, '13800000003', DEMO_PASSWORD);
  const mine = (await (await page.request.get('/api/terminals/mine')).json()) as {
    items: { instrumentId: string; name: string; needsTerminal: boolean; terminal: unknown }[];
  };
  const target = mine.items.find((i) => i.needsTerminal && !i.terminal);
  expect(target, 'an instrument of the demo organisation that needs a terminal and has none').toBeTruthy();
  await page.goto('/member/terminals');
  await page.locator(`[data-test=register-terminal][data-instrument="${target!.instrumentId}"]`).click();
  const terminalId = (await page.locator('[data-test=shown-terminal-id]').textContent())!.trim();
  const key = (await page.locator('[data-test=shown-key]').textContent())!.trim();
  expect(terminalId).toMatch(/^T[0-9A-F]{12}$/);
  expect(key.length).toBeGreaterThan(30);
  await page.locator('[data-test=key-close]').click();
  await expect(page.locator('[data-test=terminal-id]', { hasText: terminalId })).toBeVisible();

  // 2. the instrument page, open before the terminal sends anything
  await page.goto(`/instruments/${target!.instrumentId}`);
  await expect(page.locator('[data-test=terminal-live]')).toBeVisible();

  // 3. the simulator runs that terminal: in use for 8 s, then idle; the page follows without a reload
  const sim = spawn(
    'npx',
    ['tsx', 'scripts/terminals.ts', '--terminal', terminalId, '--key', key, '--http', BASE, '--rate', '1'].concat([
      '--pattern',
      'use:8,idle:600',
      '--seconds',
      '60',
    ]),
    { stdio: 'ignore' },
  );
  try {
    const status = page.locator('[data-test=terminal-live] [data-test=terminal-status]');
    await expect(status).toHaveText('使用中', { timeout: 30_000 });
    await expect(status).toHaveText('空闲', { timeout: 20_000 });
    await expect(page.locator('[data-test=terminal-last]')).toContainText('最后消息');

    // 4. 我的仪器 shows the terminal's status and today's machine hours
    await page.goto(`/member/instruments?q=${encodeURIComponent(target!.name)}`);
    const cell = page.locator('[data-test=instrument-list] [data-test=my-terminal]:visible').first();
    await expect(cell.locator('[data-test=today-hours]')).toHaveText(/今日机时 \d+\.\d h/);
    await expect(cell.locator('[data-test=terminal-status]')).toHaveText('空闲');
  } finally {
    sim.kill('SIGTERM');
  }
});
