import { defineConfig } from 'vitest/config';

// Tests that break a pass the way it breaks in the field and need root or minutes: kill -9 at many
// points of passes over thousands of pages, a disk that fills up mid-publish (a tmpfs), a public
// feed redirected to a private address (an address added to the loopback interface), and a
// folder of sources/ the pass cannot read (the pass run as nobody).
// `npm run test:system` runs them; .ci/run runs them as root.
export default defineConfig({
  test: {
    include: ['test/system/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
