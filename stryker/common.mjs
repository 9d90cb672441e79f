// Options both Stryker runs share. One project per run (stryker/vitest.config.ts reads
// STRYKER_PROJECT): the vitest runner sees only that project's tests.
// A run over part of a group, when the whole group does not fit the time there is:
// STRYKER_MUTATE lists what to mutate (comma-separated Stryker patterns, line ranges allowed:
// `src/cache/memo.ts:1-200`) and STRYKER_PART names the part, so its report is kept apart
// (reports/mutation/<project>-<group>-<part>.json) and merged by scripts/mutate.mjs.
/** @param {string[]} mutate */
export const mutateOf = (mutate) =>
  process.env.STRYKER_MUTATE
    ? process.env.STRYKER_MUTATE.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : mutate
/**
 * STRYKER_TESTS (comma-separated globs): only these test files run, for a part whose code
 * only they reach (a smaller initial run on a busy machine; fewer tests can only kill fewer
 * mutants, so the part's score is not flattered). Unset: the config's own choice.
 * @param {string[] | undefined} testFiles
 */
export const testsOf = (testFiles) =>
  process.env.STRYKER_TESTS
    ? process.env.STRYKER_TESTS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : testFiles
/** @param {string} group */
export const part = (group) => (process.env.STRYKER_PART ? `${group}-${process.env.STRYKER_PART}` : group)

/** @param {'node' | 'browser'} project */
export function common(project) {
  process.env.STRYKER_PROJECT = project
  // A fixed fast-check seed (vite.config.ts reads FC_SEED; the runners inherit this env).
  // @fast-check/vitest names each `test.prop` test "... (with seed=n)"; with a fresh seed per
  // run, the name Stryker recorded in its initial run matched no test in a mutant's run, so
  // such a test was skipped for every mutant (none ever killed one, in every report up to
  // wave 6). One seed for the whole Stryker run keeps the names stable. (`fc.assert` inside
  // a plainly named `it` was never affected.)
  process.env.FC_SEED ??= '20261202'
  return {
    $schema: '../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'vitest',
    // related: false: with per-test coverage Stryker names the test files itself; Vitest's
    // related-file search on top only costs time.
    vitest: { configFile: 'stryker/vitest.config.ts', related: false },
    // Per-test coverage: a mutant runs only the tests that reach it. STRYKER_COVERAGE=off
    // re-checks survivors the slow, sure way: every test file runs for every mutant, with
    // the mutant switched on before the code loads. Per-test coverage misses a mutant whose
    // code runs once as its module loads (a module-level arrow such as flight.ts's
    // `isAbort`): switched on after the import, it is never live, so it "survives".
    coverageAnalysis: process.env.STRYKER_COVERAGE ?? 'perTest',
    // 2 cores shared with other work: two test runners, generous timeouts (a mutant that
    // loops is still caught: the limit is 3x its tests' own time plus 10 s).
    concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
    timeoutFactor: 3,
    // STRYKER_TIMEOUT_MS raises the base on a loaded machine: every timeout restarts a test
    // runner (a minute of re-imports there), so false timeouts cost more than a longer wait.
    timeoutMS: Number(process.env.STRYKER_TIMEOUT_MS ?? 10_000),
    // Re-runs reuse the results of mutants whose code and tests did not change.
    incremental: true,
    incrementalFile: `reports/stryker-incremental-${project}.json`,
    reporters: ['json', 'progress', 'clear-text'],
    jsonReporter: { fileName: `reports/mutation/${project}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
    htmlReporter: { fileName: `reports/mutation/${project}.html` },
    tempDirName: `.stryker-tmp-${project}`,
    ignorePatterns: [
      'dist',
      'dist-site',
      'test-results',
      'playwright-report',
      'reports',
      'bench/results',
      '.stryker-tmp-*',
    ],
    cleanTempDir: 'always',
    // A static mutant (run only while a module loads) needs a fresh test environment and
    // every test: too slow for a per-test run, which reports them as "ignored" (not counted
    // in the score). A STRYKER_COVERAGE=off run loads everything per mutant: it tests them.
    ignoreStatic: (process.env.STRYKER_COVERAGE ?? 'perTest') === 'perTest',
    // Type errors a mutant introduces are not checked (no checker plugin): such a mutant
    // still runs as JavaScript and counts like any other.
    disableTypeChecks: 'src/**/*.ts',
    thresholds: { high: 90, low: 85, break: null },
  }
}
