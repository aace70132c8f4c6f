import { defineConfig } from 'vitest/config';

// Tests against servers that .ci/run installs and starts (PostgreSQL, later Redis), found through
// FEEDLOOM_TEST_POSTGRES_URL and FEEDLOOM_TEST_REDIS_URL. `npm run test:services` runs them; a
// missing variable fails them, it never skips them.
export default defineConfig({
  test: {
    include: ['test/services/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
