import { defineConfig } from '@playwright/test';
import { e2eIdpEnv } from './e2e/identity-provider';

const PORT = Number(process.env.E2E_PORT ?? 3977);
const DATA_DIR = process.env.E2E_DATA_DIR ?? `/tmp/isp-e2e-${process.pid}`;
/** E2E_BASE_URL: run against a server already running there (no server of its own), e.g. another build to compare. */
const BASE_URL = process.env.E2E_BASE_URL;

/** Journeys in Debian's Chromium against a server this config starts on a fresh SQLite file with demo data. */
export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results',
  use: {
    baseURL: BASE_URL ?? `http://127.0.0.1:${PORT}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: BASE_URL
    ? undefined
    : {
        command: `rm -rf ${DATA_DIR} && npx tsx src/server/main.ts`,
        url: `http://127.0.0.1:${PORT}/api/ready`,
        timeout: 120_000,
        reuseExistingServer: false,
        env: { PORT: String(PORT), DATA_DIR, LOG_LEVEL: 'warn', SEED_DEMO: 'true', ...e2eIdpEnv() },
      },
});
