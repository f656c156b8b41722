import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant of core/{compare,cluster,text,project}
 * (`npm run test:mutation`): the unit tests of those folders plus the analysis pipeline that
 * strings them together. Left out: the calibration tests (hundreds of null repetitions: seconds
 * per run, and their bands cannot single out one mutant) and the tiny-model test (real models,
 * ~18 s), which would be rerun for every mutant they cover.
 */
export default defineConfig({
  test: {
    include: [
      'tests/unit/cluster-*.test.ts',
      'tests/unit/compare-*.test.ts',
      'tests/unit/project-*.test.ts',
      'tests/unit/text-*.test.ts',
      'tests/unit/word-diff.test.ts',
      'tests/unit/mutation-*.test.ts',
      'tests/unit/word-presence.test.ts',
      'tests/unit/analysis-pipeline.test.ts',
      'tests/unit/analysis-clusters-honest.test.ts',
    ],
    exclude: [
      'tests/unit/*calibration*.test.ts',
      // Per source file, set by scripts/mutation.mjs (see SKIPPED_TESTS there).
      ...(process.env.BD_MUTATION_SKIP_TESTS ?? '').split(',').filter(Boolean),
    ],
    // Null-rate tests inside the included files ("... (200 runs)", "seeded runs", "1,000
    // repetitions") are calibration tests too: hundreds of seeded runs per mutant, each run
    // a whole test of its own. They stay in `npm test`.
    testNamePattern: /^(?!.*(\d[\d,]* (null )?runs|seeded runs|repetitions))/,
    environment: 'node',
    // Generous: a shared, loaded machine slows the instrumented dry run several-fold.
    testTimeout: 180_000,
  },
});
