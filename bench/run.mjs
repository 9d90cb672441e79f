// `npm run bench [-- P1 P2 ...] [--profile]`: builds each bench page with Vite, runs it in
// headless Chromium, prints a table per benchmark and merges the results into
// bench/results/latest.json (one entry per id, so a partial run keeps the others).
//
// A benchmark is a file bench/<id>-<name>.ts (id `p1`, `p10`, …) that exports
// `run(): Promise<BenchResult>` (see bench/timing.ts). Dropping such a file in is all it
// takes: this script finds it, gives it a page of its own and reports it as `P<n>`.
//
// Each benchmark is built and run on its own: a file another engineer is halfway through
// cannot break the others, and every page starts with a fresh heap and JIT.
// The build is a production build (minified, NODE_ENV=production) because that is what
// users ship; `--profile` builds unminified and records a CPU profile instead, so the
// self-time table at the end names real functions.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { build, preview } from 'vite'
import { chromiumArgs, findChromium } from '../scripts/chromium.mjs'
import { vegaData } from '../scripts/vega-data.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))
const repo = resolve(benchDir, '..')
const resultsFile = join(benchDir, 'results', 'latest.json')
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000)
// Bench files import the library as tests do (`../src/index`) or as `switchboard`.
// SWITCHBOARD_ENTRY=/path/to/src/index.ts benches another copy of it (a branch, a worktree
// at an older commit) against the same anchors.
const srcIndex = join(repo, 'src/index.ts')
const entry = resolve(process.env.SWITCHBOARD_ENTRY ?? srcIndex)

/** Sends bench/ imports of src/index.ts to SWITCHBOARD_ENTRY. */
const entryPlugin = {
  name: 'switchboard-bench-entry',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    if (entry === srcIndex || !importer?.startsWith(benchDir)) return null
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
    return resolved?.id === srcIndex ? entry : resolved
  },
}

const argv = process.argv.slice(2)
const profile = argv.includes('--profile')
const wanted = new Set(argv.filter((a) => !a.startsWith('--')).map((a) => a.toUpperCase()))

const found = readdirSync(benchDir)
  .map((file) => /^(p\d+)-[\w-]+\.ts$/i.exec(file))
  .filter((m) => m !== null)
  .map((m) => ({ id: m[1].toUpperCase(), file: join(benchDir, m[0]) }))
  .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))
const unknown = [...wanted].filter((id) => !found.some((b) => b.id === id))
if (unknown.length > 0) {
  console.error(`[bench] no bench file for ${unknown.join(', ')}; found ${found.map((b) => b.id).join(', ') || 'none'}`)
  process.exit(2)
}
const selected = found.filter((b) => wanted.size === 0 || wanted.has(b.id))

const executablePath = findChromium()
if (!executablePath) {
  console.error('[bench] no Chromium: install Debian\'s "chromium" package or set CHROMIUM_PATH.')
  process.exit(2)
}

// --- build: one page per benchmark, under a temporary root ---------------------------------
const work = mkdtempSync(join(tmpdir(), 'switchboard-bench-'))
const outRoot = join(work, 'dist')

/** The page: runs the module's `run()` when the runner asks, and shows the outcome. */
function pageFiles(bench) {
  const dir = join(work, 'src', bench.id)
  mkdirSync(dir, { recursive: true })
  const importPath = relative(dir, bench.file).split('\\').join('/')
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench ${bench.id}</title>` +
      `<pre data-testid="bench-result">running…</pre><script type="module" src="./main.js"></script>`,
  )
  writeFileSync(
    join(dir, 'main.js'),
    `const out = document.querySelector('[data-testid="bench-result"]')
const show = (text) => { out.textContent = text }
const describe = (e) => String((e && e.stack) || e)
// A dynamic import, so that a module failing to load is reported instead of hanging the runner.
const params = new URLSearchParams(location.search)
// A helper tab of a multi-tab benchmark (opened by window.__benchTabs): it runs tab(params).
if (params.has('tab')) import(${JSON.stringify(importPath)}).then((mod) => mod.tab(params)).then(() => show('tab done'), (e) => show(describe(e)))
else window.__bench = import(${JSON.stringify(importPath)}).then(
  (mod) => async () => {
    try {
      const result = await mod.run()
      show(JSON.stringify(result, null, 2))
      return { ok: true, result }
    } catch (e) {
      show(describe(e))
      return { ok: false, error: describe(e) }
    }
  },
  (e) => async () => ({ ok: false, error: 'module failed to load: ' + describe(e) }),
)
`,
  )
  return dir
}

async function buildPage(bench) {
  const root = pageFiles(bench)
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    mode: 'production',
    plugins: [entryPlugin],
    resolve: {
      alias: {
        'switchboard/worker': join(dirname(entry), 'worker/index.ts'),
        switchboard: entry,
      },
    },
    worker: { format: 'es' },
    build: {
      outDir: join(outRoot, bench.id),
      emptyOutDir: true,
      minify: !profile,
      sourcemap: profile,
      reportCompressedSize: false,
    },
  })
}

// --- run ----------------------------------------------------------------------------------
function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000}s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function runPage(browser, baseUrl, bench) {
  // An explicit context (browser.newPage's own context cannot open more pages).
  const context = await browser.newContext()
  const page = await context.newPage()
  page.on('console', (msg) => console.log(`  [${bench.id}] ${msg.text()}`))
  page.on('pageerror', (err) => console.log(`  [${bench.id}] page error: ${err.message}`))
  // Multi-tab benchmarks: `await window.__benchTabs(n, 'query')` opens n more pages of the
  // same bench in the same context (one origin: shared IndexedDB, locks, channels); each
  // runs the module's `tab(params)`. They are closed with the bench page.
  const tabs = []
  await page.exposeFunction('__benchTabs', async (n, query) => {
    for (let i = 0; i < n; i++) {
      const tab = await context.newPage()
      tab.on('pageerror', (err) => console.log(`  [${bench.id} tab ${i}] page error: ${err.message}`))
      await tab.goto(`${baseUrl}${bench.id}/index.html?tab=${i}&${query}`)
      tabs.push(tab)
    }
  })
  try {
    await page.goto(`${baseUrl}${bench.id}/index.html`)
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated)
    if (!isolated) console.log(`  [${bench.id}] not cross-origin isolated: timer resolution is 100 µs`)
    let cdp
    if (profile) {
      cdp = await page.context().newCDPSession(page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
      await cdp.send('Profiler.start')
    }
    const outcome = await withTimeout(
      page.evaluate(async () => (await window.__bench)()),
      timeoutMs,
      bench.id,
    )
    if (cdp) {
      const { profile: cpu } = await cdp.send('Profiler.stop')
      const file = join(tmpdir(), `switchboard-bench-${bench.id}.cpuprofile`)
      writeFileSync(file, JSON.stringify(cpu))
      printProfile(cpu, file)
    }
    if (!outcome.ok) throw new Error(outcome.error)
    return outcome.result
  } finally {
    for (const tab of tabs) await tab.close()
    await page.close()
    await context.close()
  }
}

/** Self time per function, heaviest first: where the time went, in one screen. */
function printProfile(cpu, file) {
  const byId = new Map(cpu.nodes.map((n) => [n.id, n]))
  const self = new Map()
  const dt = cpu.timeDeltas
  for (let i = 0; i < cpu.samples.length; i++) {
    const node = byId.get(cpu.samples[i])
    const { functionName, url, lineNumber } = node.callFrame
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + (dt[i + 1] ?? 0) / 1000)
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  console.log(`\n  CPU profile (${file}), self time, top 25 of ${total.toFixed(0)} ms:`)
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`)
  }
}

// --- report -------------------------------------------------------------------------------
const fmt = (x) =>
  typeof x !== 'number' ? String(x ?? '') : Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x)

function printTable(result) {
  const anchorKeys = [...new Set(result.rows.flatMap((r) => Object.keys(r.anchors)))]
  const ratioKeys = [...new Set(result.rows.flatMap((r) => Object.keys(r.ratios)))]
  const header = ['case', 'ours ms', ...anchorKeys.map((k) => `${k} ms`), ...ratioKeys]
  const lines = result.rows.map((r) => [
    r.case,
    fmt(r.ours_ms),
    ...anchorKeys.map((k) => fmt(r.anchors[k])),
    ...ratioKeys.map((k) => fmt(r.ratios[k])),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(`\n${result.id}`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const l of lines) console.log(line(l))
  for (const [k, v] of Object.entries(result.summary ?? {})) console.log(`${k}: ${fmt(v)}`)
  if (result.notes) console.log(`notes: ${result.notes}`)
}

function readResults() {
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8'))
  } catch {
    return {} // first run, or a hand-broken file: start over rather than refuse to bench
  }
}

// --- main ---------------------------------------------------------------------------------
let failed = 0
const results = []
let server
let browser
try {
  for (const bench of selected) {
    console.log(`[bench] building ${bench.id} (${relative(repo, bench.file)})`)
    try {
      await buildPage(bench)
      bench.built = true
    } catch (e) {
      failed++
      console.error(`[bench] ${bench.id} did not build: ${e.message}`)
    }
  }
  const runnable = selected.filter((b) => b.built)
  if (runnable.length > 0) {
    server = await preview({
      configFile: false,
      root: work,
      logLevel: 'warn',
      // <page>/data/flights-*.{arrow,parquet} straight from vega-datasets (bench P10).
      plugins: [vegaData()],
      build: { outDir: outRoot },
      // Cross-origin isolation buys 5 µs timers instead of 100 µs.
      preview: {
        port: 4790,
        host: '127.0.0.1',
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      },
    })
    const baseUrl = server.resolvedUrls.local[0]
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        ...chromiumArgs,
        '--js-flags=--expose-gc',
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
      ],
    })
    const machine = {
      chromium: browser.version(),
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 2 ** 30),
    }
    for (const bench of runnable) {
      console.log(`[bench] running ${bench.id}`)
      const t0 = Date.now()
      try {
        const result = await runPage(browser, baseUrl, bench)
        if (result.id !== bench.id) throw new Error(`run() reported id ${result.id}, file says ${bench.id}`)
        printTable(result)
        console.log(`[bench] ${bench.id} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
        results.push({ date: new Date().toISOString(), ...machine, switchboard: relative(repo, entry), ...result })
      } catch (e) {
        failed++
        console.error(`[bench] ${bench.id} failed: ${e.message}`)
      }
    }
  }
} finally {
  await browser?.close()
  await server?.close()
  // BENCH_KEEP=1 keeps the built pages, e.g. to read a CPU profile against the bundle.
  if (process.env.BENCH_KEEP) console.log(`[bench] built pages kept in ${outRoot}`)
  else rmSync(work, { recursive: true, force: true })
}

// A profiled run is slowed by the profiler and unminified: its figures are not kept.
const keep = profile ? [] : results
if (keep.length > 0) {
  const merged = readResults()
  for (const r of keep) merged[r.id] = r
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))))
  mkdirSync(dirname(resultsFile), { recursive: true })
  writeFileSync(resultsFile, `${JSON.stringify(sorted, null, 2)}\n`)
  console.log(`\n[bench] wrote ${relative(repo, resultsFile)} (${keep.map((r) => r.id).join(', ')})`)
}
process.exit(failed > 0 ? 1 : 0)
