import { defineConfig } from 'vitest/config';

// `npm test` needs nothing but `npm install`. Tests that need Debian packages live apart: a
// browser in test/browser/ (`npm run test:browser`), servers such as PostgreSQL in test/services/
// (`npm run test:services`); and tests that need root or minutes in test/system/ (`npm run
// test:system`). .ci/run installs what they need and runs them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/services/**', 'test/system/**', 'node_modules/**'],
  },
});
