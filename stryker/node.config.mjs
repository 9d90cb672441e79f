// StrykerJS over the node project (*.node.test.ts, pure logic). Two groups (STRYKER_GROUP):
// 'core' (graph, cache, storage, sync, worker, dom: small fast tests) and 'aggregate'
// (whose tests crunch 200 000-row tables: instrumented, each run takes many seconds).
// Run through `npm run mutate` (scripts/mutate.mjs), which merges every run's report into
// bench/results/mutation.json.
import { common, mutateOf, part, testsOf } from './common.mjs'

export const groups = {
  core: {
    mutate: [
      'src/graph/**/*.ts',
      'src/cache/**/*.ts',
      'src/storage/**/*.ts',
      'src/sync/**/*.ts',
      'src/worker/**/*.ts',
      'src/dom/**/*.ts',
    ],
  },
  aggregate: { mutate: ['src/aggregate/**/*.ts'] },
}

const group = groups[process.env.STRYKER_GROUP ?? 'core']
if (!group)
  throw new Error(
    `stryker/node.config.mjs: no group "${process.env.STRYKER_GROUP}" (${Object.keys(groups).join(', ')}).`,
  )
// A part of a group (STRYKER_PART + STRYKER_MUTATE, see common.mjs) gets its own report.
const name = part(process.env.STRYKER_GROUP ?? 'core')

export default {
  ...common('node'),
  mutate: mutateOf(group.mutate),
  ...(testsOf(undefined) ? { testFiles: testsOf(undefined) } : {}),
  // The initial run of every node test takes minutes on two cores shared with five other
  // jobs (Stryker's default limit of 5 minutes failed a run at load 30).
  dryRunTimeoutMinutes: 30,
  incrementalFile: `reports/stryker-incremental-node-${name}.json`,
  jsonReporter: { fileName: `reports/mutation/node-${name}.json` },
  htmlReporter: { fileName: `reports/mutation/node-${name}.html` },
  tempDirName: `.stryker-tmp-node-${name}`,
}
