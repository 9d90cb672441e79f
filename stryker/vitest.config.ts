// The Vitest config Stryker runs: the project's own vite.config.ts with only one of its two
// test projects (STRYKER_PROJECT=node|browser, default node), so each Stryker run drives
// one kind of test: pure-logic node tests, or the real-Chromium browser tests.
import { resolve } from 'node:path'
import { defineConfig, mergeConfig } from 'vite'
import base from '../vite.config'

const want = process.env.STRYKER_PROJECT ?? 'node'
type Project = { test?: { name?: string; browser?: Record<string, unknown> } }
const projects = ((base.test?.projects ?? []) as Project[])
  .filter((p) => p.test?.name === want)
  // Instrumented code is several times slower, and the machine is shared: a test's own
  // time limit is raised (Stryker's per-mutant timeout still catches endless loops), and
  // Chromium may take minutes to connect (Vitest's default is 60 s).
  .map((p) => ({
    ...p,
    test: {
      ...p.test,
      // STRYKER_TEST_TIMEOUT_MS lowers it for a run on a quiet machine: a mutant that makes a
      // test hang then fails that test (detected) instead of waiting for Stryker's own
      // timeout, which restarts the test runner (for a browser run, a Vite server and a
      // Chromium: a minute each). Keep it well above the slowest test's own time.
      testTimeout: Number(process.env.STRYKER_TEST_TIMEOUT_MS ?? 120_000),
      // Node tests: one module graph per test runner instead of one per test file and run
      // (Stryker switches mutants at run time through a global, so a reused module is
      // fine): most of a mutant's cost on a busy machine was re-importing the library.
      ...(p.test?.browser ? {} : { isolate: false }),
      hookTimeout: 120_000,
      ...(p.test?.browser ? { browser: { ...p.test.browser, connectTimeout: 600_000 } } : {}),
    },
  }))
if (!projects.length) throw new Error(`stryker/vitest.config.ts: no Vitest project named "${want}".`)

export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({ root: resolve(import.meta.dirname, '..'), test: { projects } }),
)
