// `npm run bench [-- P1 P2 ...] [--runs N] [--profile]`: builds each bench page with Vite,
// runs it in headless Chromium, prints a table per benchmark and merges the results into
// bench/results/latest.json (one entry per id, so a partial run keeps the others).
//
// Runs: every page is loaded N times (default 5), each load in a fresh browser context (new
// heap, JIT and storage), round-robin over the selected benches so drift spreads over all of
// them. Every figure (ours_ms, each anchor and ratio, each summary value) is stored as the
// median over the runs in its usual place, so readers of the old format keep working, and as
// { min, median, max } under `spread`. Each entry names the commit it was measured on
// (`git rev-parse HEAD` of the copy benched, `dirty` when it had uncommitted changes outside
// bench/results/). `npm run bench:readme` turns the file into the README's table.
//
// P9 is the size budget, not a page: `npm run bench -- P9` builds the library and stores
// `npx size-limit --json` (kB, 1 kB = 1000 bytes, min+brotli) as the P9 entry's summary.
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
import { execFileSync, spawnSync } from 'node:child_process'
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
const runsAt = argv.indexOf('--runs')
const runs = profile ? 1 : runsAt >= 0 ? Number(argv[runsAt + 1]) : 5
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`[bench] --runs wants a whole number of page loads, got ${argv[runsAt + 1]}`)
  process.exit(2)
}
const wanted = new Set(
  argv.filter((a, i) => !a.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1)).map((a) => a.toUpperCase()),
)
const all = wanted.size === 0
// P9 has no page: it is the size budget (see sizeEntry).
const sizeWanted = (all || wanted.delete('P9')) && !profile

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
const selected = found.filter((b) => all || wanted.has(b.id))

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

// --- runs: medians in place, { min, median, max } under `spread` ---------------------------
const sorted = (xs) => [...xs].sort((a, b) => a - b)
function spreadOf(xs, total) {
  const s = sorted(xs)
  const mid = s.length >> 1
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  const r = (x) => Number(x.toPrecision(3))
  // `n` only when some runs lacked the figure: a reader sees it rests on fewer loads.
  return { min: r(s[0]), median: r(median), max: r(s[s.length - 1]), ...(s.length < total ? { n: s.length } : {}) }
}

/** Folds `values` (figure → number, one object per run) into medians and spreads. */
function fold(perRun, total) {
  const keys = [...new Set(perRun.flatMap((o) => Object.keys(o ?? {})))]
  const medians = {}
  const spread = {}
  for (const k of keys) {
    const xs = perRun.map((o) => o?.[k]).filter((x) => typeof x === 'number' && Number.isFinite(x))
    if (xs.length === 0) continue
    spread[k] = spreadOf(xs, total)
    medians[k] = spread[k].median
  }
  return { medians, spread }
}

/** One stored entry from the `run()` results of every page load of one bench. */
function combine(results) {
  const total = results.length
  const first = results[0]
  const cases = [...new Set(results.flatMap((r) => r.rows.map((row) => row.case)))]
  const rows = cases.map((name) => {
    const mine = results.map((r) => r.rows.find((row) => row.case === name))
    const ours = fold(
      mine.map((row) => (row ? { ours_ms: row.ours_ms } : undefined)),
      total,
    )
    const anchors = fold(
      mine.map((row) => row?.anchors),
      total,
    )
    const ratios = fold(
      mine.map((row) => row?.ratios),
      total,
    )
    const { case: _, ours_ms: __, anchors: ___, ratios: ____, ...rest } = mine.find((row) => row) ?? {}
    return {
      case: name,
      ours_ms: ours.medians.ours_ms ?? null,
      anchors: anchors.medians,
      ratios: ratios.medians,
      ...rest,
      spread: { ours_ms: ours.spread.ours_ms, anchors: anchors.spread, ratios: ratios.spread },
    }
  })
  const summary = fold(
    results.map((r) => r.summary),
    total,
  )
  return {
    ...first,
    rows,
    ...(first.summary || Object.keys(summary.medians).length > 0 ? { summary: summary.medians } : {}),
    spread: { summary: summary.spread },
  }
}

/** The commit of the copy benched, and whether it had changes the commit does not hold. */
function commitOf(file) {
  const cwd = dirname(file)
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim()
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' }).trim()
    // latest.json (and the other result files) change with every run: not a change to what is measured.
    const changed = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results'],
      {
        cwd: top,
        encoding: 'utf8',
      },
    ).trim()
    return { commit, dirty: changed.length > 0 }
  } catch {
    return { commit: 'unknown', dirty: true }
  }
}

/** P9: the size budget, `npx size-limit --json` on a fresh library build, in kB. */
function sizeEntry() {
  console.log('[bench] P9: building the library and measuring it with size-limit')
  execFileSync('node', [join(repo, 'scripts/build.mjs'), 'lib'], { cwd: repo, stdio: 'inherit' })
  // size-limit exits non-zero when a budget is exceeded; its JSON is still the measurement.
  const out = spawnSync('npx', ['size-limit', '--json'], { cwd: repo, encoding: 'utf8' })
  const checks = JSON.parse(out.stdout)
  const summary = Object.fromEntries(checks.map((c) => [`${c.name} kB`, Number((c.size / 1000).toFixed(2))]))
  return {
    id: 'P9',
    rows: [],
    summary,
    notes: 'min+brotli sizes from `npx size-limit --json` (.size-limit.js), 1 kB = 1000 bytes; deterministic, one run.',
  }
}

/** JSON with every small leaf object ({ min, median, max }, anchors) on one line. */
function stringify(value, indent = '') {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{}'
  const flat = entries.every(([, v]) => v === null || typeof v !== 'object')
  const oneLine = `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`
  if (flat && oneLine.length + indent.length <= 120) return oneLine
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`
}

// --- main ---------------------------------------------------------------------------------
let failed = 0
const results = []
let server
let browser
const measured = { ...commitOf(entry), runs }
const runsAre = `${runs} separate page loads, each in a fresh browser context, round-robin over the benches`
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
    const perBench = new Map(runnable.map((b) => [b.id, []]))
    for (let run = 1; run <= runs; run++) {
      for (const bench of runnable) {
        const done = perBench.get(bench.id)
        if (done === undefined) continue // failed in an earlier run
        console.log(`[bench] running ${bench.id} (${run}/${runs})`)
        const t0 = Date.now()
        try {
          const result = await runPage(browser, baseUrl, bench)
          if (result.id !== bench.id) throw new Error(`run() reported id ${result.id}, file says ${bench.id}`)
          printTable(result)
          console.log(`[bench] ${bench.id} run ${run} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
          done.push(result)
        } catch (e) {
          failed++
          // Kept only when every load succeeded: a figure over fewer runs would look as firm.
          perBench.delete(bench.id)
          console.error(`[bench] ${bench.id} failed in run ${run}: ${e.message}`)
        }
      }
    }
    for (const [id, done] of perBench) {
      const result = combine(done)
      if (runs > 1) {
        console.log(`\n[bench] ${id}: medians over ${runs} runs`)
        printTable(result)
      }
      results.push({
        date: new Date().toISOString(),
        ...machine,
        switchboard: relative(repo, entry),
        ...measured,
        runsAre,
        ...result,
      })
    }
  }
  if (sizeWanted) {
    try {
      const result = sizeEntry()
      printTable(result)
      results.push({
        date: new Date().toISOString(),
        ...measured,
        runs: 1,
        runsAre: 'one measurement (deterministic)',
        ...result,
      })
    } catch (e) {
      failed++
      console.error(`[bench] P9 (size-limit) failed: ${e.message}`)
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
  writeFileSync(resultsFile, `${stringify(sorted)}\n`)
  console.log(`\n[bench] wrote ${relative(repo, resultsFile)} (${keep.map((r) => r.id).join(', ')})`)
}
process.exit(failed > 0 ? 1 : 0)
