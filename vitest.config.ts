import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** The web app's own aliases, for its unit tests (src/web/*.test.ts). */
const alias = {
  '@domain': fileURLToPath(new URL('./src/domain', import.meta.url)),
  '@contracts': fileURLToPath(new URL('./src/contracts', import.meta.url)),
};

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: ['src/**/*.int.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
