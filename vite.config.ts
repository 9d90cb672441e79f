/// <reference types="vitest/config" />
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vite'
import { chromiumArgs, findChromium } from './scripts/chromium.mjs'
import { vegaData } from './scripts/vega-data.mjs'

const root = import.meta.dirname

function launchOptions(): { args: string[]; executablePath?: string } {
  const executablePath = findChromium()
  return executablePath ? { executablePath, args: chromiumArgs } : { args: chromiumArgs }
}
// fast-check's seed. Locally each run draws a new one (more ground covered over time). Under
// CI=true it is fixed by the committed code and tests (the git trees of src/ and test/), so
// CI replays exactly what a fresh-clone `CI=true npm test` of that code ran, and a commit
// that changes only docs or results keeps the seed; FC_SEED=n replays a printed `seed: n`.
function fcSeed(): number | undefined {
  if (process.env.FC_SEED) return Number(process.env.FC_SEED) | 0
  if (!process.env.CI) return undefined
  try {
    const trees = execFileSync('git', ['rev-parse', 'HEAD:src', 'HEAD:test'], { cwd: root, encoding: 'utf8' })
    const [a = '', b = ''] = trees.trim().split('\n')
    return (Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16)) | 0
  } catch {
    return undefined // not a git checkout: random, as locally
  }
}
// Every demo/*.html is a page of the static site, beside the top-level index.html;
// test/pages/*.html are fixtures the end-to-end specs drive (built, not linked).
const htmlIn = (dir: string, prefix: string) =>
  (existsSync(resolve(root, dir)) ? readdirSync(resolve(root, dir)) : [])
    .filter((f) => f.endsWith('.html'))
    .map((f) => [prefix + f.replace(/\.html$/, ''), resolve(root, dir, f)])
const pages = Object.fromEntries([
  ['index', resolve(root, 'index.html')],
  ...htmlIn('demo', ''),
  ...htmlIn('test/pages', 'test-'),
])

export default defineConfig({
  // Relative asset and worker URLs, so the site works from any folder it is copied to.
  base: './',
  // data/flights-200k.arrow and data/flights-3m.parquet for the demo and benches.
  plugins: [vegaData()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      'switchboard/preact': resolve(root, 'src/preact/index.ts'),
      'switchboard/worker': resolve(root, 'src/worker/index.ts'),
      'switchboard/devtools': resolve(root, 'src/devtools/index.ts'),
      switchboard: resolve(root, 'src/index.ts'),
    },
  },
  worker: { format: 'es' },
  // Pre-bundled up front: found mid-run, Vite reloads the browser tests that import them.
  optimizeDeps: { include: ['apache-arrow', 'hyparquet', 'hyparquet-compressors', 'fast-check', 'axe-core'] },
  build: {
    outDir: 'dist-site',
    emptyOutDir: true,
    rollupOptions: { input: pages },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
  test: {
    // Safety nets, not speed limits (S26): no test may fail because the machine is busy.
    // A test that hangs still fails, after a minute instead of five seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 30_000 } },
    provide: { fcSeed: fcSeed() ?? null },
    setupFiles: ['test/fc-seed.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.node.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.{ts,tsx}'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: launchOptions() }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
})
