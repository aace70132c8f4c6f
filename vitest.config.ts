import { defineConfig } from 'vitest/config';

// `npm test` needs nothing but `npm install`. Tests that need Debian packages (a browser) live
// in test/browser/ and run with `npm run test:browser`, which .ci/run calls after installing them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
  },
});
