// StrykerJS over the browser project (*.browser.test.ts in real Chromium). Stryker's vitest
// runner drives Vitest browser mode (its setup file is copied into the sandbox and the
// active mutant reaches the page through Vitest's provide/inject), so these are the real
// tests in the real browser. One run per GROUP (STRYKER_GROUP): the files it mutates and
// the browser test files allowed to kill them. A browser run of everything is hours on
// two shared cores, so scripts/mutate.mjs runs the groups named in MUTATE_BROWSER.
//
// Not covered by any run: code that executes only inside a Web Worker (the worker side of
// src/worker/expose.ts, tasks run by the pool): Stryker activates a mutant on the page's
// globalThis, and a worker has its own, so such a mutant is never switched on there.
import { readdirSync } from 'node:fs'
import { common, mutateOf, part, testsOf } from './common.mjs'

export const groups = {
  dom: { mutate: ['src/dom/**/*.ts'], testFiles: ['test/dom/bind.browser.test.ts'] },
  cache: {
    mutate: ['src/cache/flight.ts', 'src/cache/memo.ts'],
    // Not flight.property.browser.test.ts: it reaches nearly every mutant and adds ~5 s to each.
    testFiles: [
      'test/cache/memo.browser.test.ts',
      'test/cache/faults.browser.test.ts',
      'test/cache/signal.browser.test.ts',
      'test/cache/safety.browser.test.ts',
      'test/cache/chaos-finding.browser.test.ts',
      'test/cache/mutants.browser.test.ts',
    ],
  },
  storage: {
    mutate: ['src/storage/**/*.ts'],
    testFiles: ['test/storage/persist.browser.test.ts', 'test/storage/lazy.browser.test.ts'],
  },
  sync: {
    mutate: ['src/sync/**/*.ts'],
    testFiles: [
      'test/storage/persist.browser.test.ts',
      'test/storage/lazy.browser.test.ts',
      'test/cache/memo.browser.test.ts',
    ],
  },
  worker: { mutate: ['src/worker/**/*.ts'], testFiles: ['test/worker/pool.browser.test.ts'] },
  // What the node runs left (`STRYKER_MUTATE="$(node stryker/ranges.mjs)"`): the mutants no
  // report has detected yet, against every browser test of the core's folders (per-test
  // coverage runs only those that reach each mutant). Not the cache's property test (~5 s
  // per mutant it reaches, nearly all of them).
  left: {
    mutate: [],
    testFiles: ['cache', 'storage', 'sync', 'graph', 'worker', 'dom', 'readme']
      .flatMap((d) => readdirSync(`test/${d}`).map((f) => `test/${d}/${f}`))
      .filter((f) => f.endsWith('.browser.test.ts') && f !== 'test/cache/flight.property.browser.test.ts'),
  },
}

const group = groups[process.env.STRYKER_GROUP ?? 'dom']
if (group && group.mutate.length === 0 && !process.env.STRYKER_MUTATE)
  throw new Error(
    `stryker/browser.config.mjs: group "${process.env.STRYKER_GROUP}" mutates what STRYKER_MUTATE lists; it is empty.`,
  )
if (!group)
  throw new Error(
    `stryker/browser.config.mjs: no group "${process.env.STRYKER_GROUP}" (${Object.keys(groups).join(', ')}).`,
  )
// A part of a group (STRYKER_PART + STRYKER_MUTATE, see common.mjs) gets its own report.
const name = part(process.env.STRYKER_GROUP ?? 'dom')
const base = common('browser')

export default {
  ...base,
  mutate: mutateOf(group.mutate),
  testFiles: testsOf(group.testFiles),
  incrementalFile: `reports/stryker-incremental-browser-${name}.json`,
  jsonReporter: { fileName: `reports/mutation/browser-${name}.json` },
  htmlReporter: { fileName: `reports/mutation/browser-${name}.html` },
  tempDirName: `.stryker-tmp-browser-${name}`,
  // Each test runner is a Vite server plus a Chromium; browser tests settle slower.
  timeoutMS: Number(process.env.STRYKER_TIMEOUT_MS ?? 20_000),
  dryRunTimeoutMinutes: 30,
}
