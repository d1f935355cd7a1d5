import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * The same journeys through the cluster of `npm run test:cluster` (scripts/cluster.ts): the base URL is nginx in
 * front of three app instances, which the script has started; there is no web server to start here.
 */
const baseURL = process.env.CLUSTER_BASE_URL;
if (!baseURL)
  throw new Error('CLUSTER_BASE_URL is not set: run the journeys through the cluster with `npm run test:cluster`');

export default defineConfig({
  ...base,
  use: { ...base.use, baseURL },
  webServer: undefined,
  // the workflow journeys; the page-by-page crawls (accessibility, English) look at pages, not at instances, and
  // the unified-identity journey needs the instances configured for its own provider (playwright.config.ts does that
  // for the single server of test:e2e)
  testIgnore: ['**/a11y.spec.ts', '**/english.spec.ts', '**/unified-login.spec.ts'],
  reporter: [['list'], ['json', { outputFile: process.env.CLUSTER_REPORT ?? 'test-results/cluster.json' }]],
});
