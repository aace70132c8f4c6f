import { defineConfig } from 'vitest/config';

// Tests that drive a real browser (Debian's chromium through playwright-core).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
