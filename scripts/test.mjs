// `npm test`: everything a fresh Debian machine with Node 20 needs to pass the suite.
// 1. find Chromium (CHROMIUM_PATH, then /usr/bin/chromium); as root, install Debian's
//    package when missing; otherwise stop and say what to install.
// 2. typecheck (type tests in test/types included), Vitest (node + browser projects), build,
//    the packed package as users get it (attw, publint, a nodenext consumer), Playwright e2e,
//    30-second chaos and soak runs, size budget.
import { execSync, spawnSync } from 'node:child_process'
import { findChromium } from './chromium.mjs'

function ensureChromium() {
  let found = findChromium()
  if (found) return found
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot) {
    console.error(
      '[switchboard] no Chromium found: install Debian\'s "chromium" package (apt-get install -y chromium) or set CHROMIUM_PATH.',
    )
    process.exit(1)
  }
  console.log('[switchboard] installing Debian chromium for the browser tests (apt-get)...')
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  })
  found = findChromium()
  if (!found) {
    console.error('[switchboard] apt-get finished but /usr/bin/chromium is still missing.')
    process.exit(1)
  }
  return found
}

function step(name, cmd, args) {
  const t0 = Date.now()
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium } })
  const s = ((Date.now() - t0) / 1000).toFixed(1)
  if (r.status !== 0) {
    console.error(`\n=== ${name} failed after ${s}s (exit ${r.status ?? r.signal})`)
    process.exit(r.status || 1)
  }
  console.log(`=== ${name} ok in ${s}s`)
}

const chromium = ensureChromium()
// Biome (format, lint, import order; biome.jsonc), then no import cycle between modules,
// type imports counted (madge, .madgerc), then no unused file, export or dependency (knip).
step('lint and format (biome)', 'npx', ['biome', 'check', '.'])
step('import cycles (madge)', 'npx', ['madge', '--circular', '--no-spinner', 'src'])
step('unused files and exports (knip)', 'npx', ['knip'])
step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])
// The README's Measured table is written by `npm run bench:readme` from bench/results/latest.json.
step('README Measured table (generated)', 'node', ['scripts/bench-readme.mjs', '--check'])
step('unit and browser tests', 'npx', ['vitest', 'run'])
step('build', 'node', ['scripts/build.mjs'])
// The package is ESM only: the esm-only profile leaves out CommonJS `require` and node10
// resolution, which cannot load it anyway; node16/nodenext and bundler must be clean.
step('packed types (attw)', 'npx', ['attw', '--pack', '.', '--profile', 'esm-only'])
step('package lint (publint)', 'npx', ['publint', '--strict'])
step('consumer types (nodenext, bundler)', 'node', ['scripts/consumer.mjs'])
step('end-to-end', 'npx', ['playwright', 'test'])
// 30-second versions of `npm run chaos` and `npm run soak`, asserting their targets.
step('chaos 30 s', 'node', ['scripts/chaos.mjs', '--seconds', '30', '--check'])
step('soak 30 s', 'node', ['scripts/soak.mjs', '--seconds', '30', '--sample', '5', '--check'])
step('size budget', 'npx', ['size-limit'])
