// StrykerJS over the node project (*.node.test.ts, pure logic), every mutated folder.
// Run through `npm run mutate` (scripts/mutate.mjs), which merges this run's report with
// the browser run's into bench/results/mutation.json.
import { common } from './common.mjs'

export default {
  ...common('node'),
  mutate: [
    'src/graph/**/*.ts',
    'src/cache/**/*.ts',
    'src/storage/**/*.ts',
    'src/sync/**/*.ts',
    'src/worker/**/*.ts',
    'src/aggregate/**/*.ts',
    'src/dom/**/*.ts',
  ],
}
