// @ts-check
/**
 * StrykerJS over core/{compare,cluster,text,project}. Run it through scripts/mutation.mjs
 * (`npm run test:mutation [-- <folder>]`), which sets `mutate`, the incremental file and the
 * report file names per folder, so that one folder can be rerun without losing the others.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  incremental: true,
  // Two cores shared with other work: one test runner per core at most.
  concurrency: 2,
  // Stryker waits timeoutFactor x the test time plus this: enough for a busy machine, while the
  // mutants that loop forever (a flipped loop bound in eigen.ts: 88 of them) cost 5 s, not 10.
  timeoutMS: 5_000,
  // The initial run of instrumented O(n^2) silhouette tests can take minutes on a busy machine.
  dryRunTimeoutMinutes: 20,
  // No 'json': scripts/mutation.mjs builds mutation.json from the per-file incremental reports.
  reporters: ['clear-text', 'progress-append-only'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  // The sandbox copy needs sources, tests and configs only.
  ignorePatterns: ['dist', 'public', 'docs', 'bench', 'reports', 'test-results', '.ci', '*.log'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
