// StrykerJS over the browser project (*.browser.test.ts in real Chromium). Stryker's vitest
// runner drives Vitest browser mode (the Stryker setup file is copied into the sandbox and
// the active mutant is passed with Vitest's provide/inject), so these are the real tests.
// Scope: see MUTATE_BROWSER in scripts/mutate.mjs (a browser run of everything is hours
// on two shared cores).
import { common } from './common.mjs'

export default {
  ...common('browser'),
  mutate: ['src/dom/**/*.ts'],
  // Each test runner is a Vite server plus a Chromium; browser tests settle slower.
  timeoutMS: 20_000,
}
