import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The drills really load this machine and measure the effect: files run one at a time so
    // that one test's load is never read as another's.
    fileParallelism: false,
    // .ci/run asks for a JSON report too, to print the plain "N passed, N failed" line CI reads.
    reporters: process.env.FIREDRILL_TEST_REPORT
      ? ['default', ['json', { outputFile: process.env.FIREDRILL_TEST_REPORT }]]
      : ['default'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
