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
  // On a busy machine Chromium can take minutes to connect (Vitest's default is 60 s).
  .map((p) => (p.test?.browser ? { ...p, test: { ...p.test, browser: { ...p.test.browser, connectTimeout: 600_000 } } } : p))
if (!projects.length) throw new Error(`stryker/vitest.config.ts: no Vitest project named "${want}".`)

export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({ root: resolve(import.meta.dirname, '..'), test: { projects } }),
)
