// `npm run bench:scaling`: how cost grows with size (issue 13, "How cost grows"). Builds
// bench/scaling/page.ts into a page, runs it in headless Chromium point by point, fits the
// slope of each curve on log-log axes (least squares of log y on log x) and writes
// bench/results/scaling.json and docs/scaling.svg.
//
// A slope of 1 is linear, 0 flat; n log n shows as a little over 1 over these ranges. Each
// curve has the slope it should have (a wave costs what it touches; a hit, a byte of memory
// per store, do not grow with what is held); a fitted slope past it by more than the noise
// allowance is flagged in the chart and the JSON. Every point is the median of one sample
// set in one page load (one load for the whole run); memory points are heap after a forced
// GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage) over the count.
//
//   --quick        smaller sizes (a smoke run, not for the chart)
//   --max-point-s  a series stops growing once a point took longer than this (default 120)
//   --only a,b     only these panels: wave (and local), start, cache, hash, memory
//   --redraw       refit and redraw from bench/results/scaling.json, measuring nothing
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { build, preview } from 'vite'
import { chromiumArgs, findChromium } from './chromium.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const maxAt = argv.indexOf('--max-point-s')
const maxPointMs = 1000 * (maxAt >= 0 ? Number(argv[maxAt + 1]) : 120)
const onlyAt = argv.indexOf('--only')
/** `--only wave,start`: just those panels (wave covers local too), e.g. to chase one curve. */
const only = onlyAt >= 0 ? new Set(argv[onlyAt + 1].split(',')) : undefined
const want = (id) => only === undefined || only.has(id)

const decades = (from, to) => {
  const xs = []
  for (let x = from; x <= to; x *= 10) xs.push(x)
  return xs
}
const sizes = quick
  ? {
      wave: decades(10, 1000),
      start: decades(10, 100),
      cache: decades(10, 100),
      hash: [1024, 10240],
      memory: [100, 1000],
    }
  : {
      wave: decades(10, 100_000),
      start: decades(10, 10_000),
      cache: decades(10, 100_000),
      hash: decades(1024, 10_240_000),
      memory: decades(100, 100_000),
    }

// --- fitting ------------------------------------------------------------------------------
/** Least-squares slope of log10 y on log10 x. */
export function slopeOf(points) {
  const ps = points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y))
  if (ps.length < 2) return NaN
  const lx = ps.map(([x]) => Math.log10(x))
  const ly = ps.map(([, y]) => Math.log10(y))
  const mx = lx.reduce((a, b) => a + b, 0) / ps.length
  const my = ly.reduce((a, b) => a + b, 0) / ps.length
  let num = 0
  let den = 0
  for (let i = 0; i < ps.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my)
    den += (lx[i] - mx) ** 2
  }
  return num / den
}

/** Slope above `expected + allowance`: the curve grows faster than what it touches. */
const allowance = 0.15

// --- the page -----------------------------------------------------------------------------
async function servePage(work) {
  const root = join(work, 'src')
  mkdirSync(root, { recursive: true })
  const page = relative(root, join(repo, 'bench/scaling/page.ts')).split('\\').join('/')
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>scaling</title>' +
      '<script type="module" src="./main.js"></script>',
  )
  writeFileSync(join(root, 'main.js'), `window.__scaling = import(${JSON.stringify(page)})\n`)
  const outDir = join(work, 'dist')
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    mode: 'production',
    resolve: { alias: { switchboard: join(repo, 'src/index.ts') } },
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  })
  return preview({
    configFile: false,
    root: work,
    logLevel: 'warn',
    build: { outDir },
    preview: {
      port: Number(process.env.E2E_PORT ?? 4304),
      host: '127.0.0.1',
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    },
  })
}

/** The page, reopened after a crash (a point that runs out of memory must not end the run). */
let tab
async function openTab(context, url) {
  const page = await context.newPage()
  page.on('pageerror', (err) => console.log(`  page error: ${err.message}`))
  page.on('console', (msg) => console.log(`  [page] ${msg.text()}`))
  page.setDefaultTimeout(0)
  await page.goto(url)
  tab = {
    page,
    cdp: await context.newCDPSession(page),
    reopen: () =>
      page
        .close()
        .catch(() => {})
        .then(() => openTab(context, url)),
  }
}

async function call(name, ...args) {
  try {
    return await tab.page.evaluate(async ([name, args]) => (await window.__scaling)[name](...args), [name, args])
  } catch (e) {
    if (/crashed|closed/i.test(e.message)) await tab.reopen()
    throw e
  }
}

/** Runs `measure(x)` for each x, stopping a series that got too slow; logs each point. */
async function series(label, xs, measure) {
  const points = []
  for (const x of xs) {
    const t0 = Date.now()
    try {
      // Each point starts from a collected heap: what earlier (bigger) points left behind
      // is not collected inside this one's samples.
      await tab.cdp.send('HeapProfiler.collectGarbage')
      const y = await measure(x)
      points.push([x, y])
      console.log(`  ${label} ${x}: ${JSON.stringify(y)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    } catch (e) {
      console.log(`  ${label} ${x}: failed: ${e.message.split('\n')[0]}`)
      break
    }
    if (Date.now() - t0 > maxPointMs) {
      console.log(`  ${label}: stopping at ${x} (the point took over ${maxPointMs / 1000} s)`)
      break
    }
  }
  return points
}

/**
 * One curve: its points, the slope fitted over all of them and over the last decade alone
 * (where size dominates the fixed costs), flagged when either is past what it should be.
 */
function curve(name, points, expected, why, pick = (y) => y, how = undefined) {
  const pts = points
    .map(([x, y]) => [x, pick(y)])
    .filter(([, y]) => typeof y === 'number' && Number.isFinite(y))
    .map(([x, y]) => [x, Number(y.toPrecision(3))])
  const slope = slopeOf(pts)
  const tail = pts.length >= 3 ? slopeOf(pts.slice(-2)) : NaN
  const limit = expected === undefined ? undefined : Number((expected + allowance).toFixed(2))
  const worst = Math.max(Number.isFinite(slope) ? slope : -Infinity, Number.isFinite(tail) ? tail : -Infinity)
  const flagged = limit !== undefined && worst > limit
  return {
    name,
    points: pts,
    slope: Number.isFinite(slope) ? Number(slope.toFixed(2)) : null,
    lastDecade: Number.isFinite(tail) ? Number(tail.toFixed(2)) : null,
    ...(how === undefined ? {} : { how }),
    ...(expected === undefined ? {} : { expected, why }),
    ...(flagged
      ? {
          flag: `slope ${slope.toFixed(2)}, last decade ${Number.isFinite(tail) ? tail.toFixed(2) : 'n/a'}; should be ≤ ${limit}: ${why}`,
        }
      : {}),
  }
}

/** The curves again from stored points (`--redraw`): slopes, flags and chart, no measuring. */
export function refit(result) {
  const panels = result.panels.map((p) => ({
    ...p,
    curves: p.curves.map(({ flag: _old, ...c }) => ({
      ...c,
      ...curve(c.name, c.points, c.expected, c.why, undefined, c.how),
    })),
  }))
  const flags = panels.flatMap((p) => p.curves.filter((c) => c.flag).map((c) => `${p.title}: ${c.name}: ${c.flag}`))
  return { ...result, panels, flags }
}

async function measureAll() {
  const panels = []

  if (want('wave')) await wavePanels(panels)
  if (want('start')) await startPanel(panels)
  if (want('cache')) await cachePanel(panels)
  if (want('hash')) await hashPanel(panels)
  if (want('memory')) await memoryPanel(panels)
  return panels
}

async function wavePanels(panels) {
  console.log('[scaling] per-wave cost vs graph size')
  const waves = {}
  for (const shape of (process.env.SHAPES ?? 'chain,fanout,dag,local').split(',')) {
    waves[shape] = await series(`wave ${shape}`, sizes.wave, (n) => call('wave', shape, n))
  }
  const touchesAll = 'a wave that touches n callbacks costs n'
  const waveHow =
    'one page load; per size: built, waved twice and checked, a full GC (CDP), warmed up for 5 waves and 150 ms, then 15 samples (each after a forced GC) of as many waves as last 5 ms (one wave past that): the point is the median sample; `fastest` is the fastest sample per size, with its own slope'
  /** Our curve of a wave series, with its fastest samples beside the medians. */
  const ours = (name, points, expected, why) => {
    const c = curve(name, points, expected, why, (y) => y.ours, waveHow)
    const fastest = curve(`${name}, fastest sample`, points, undefined, '', (y) => y.oursMin)
    return { ...c, fastest: { points: fastest.points, slope: fastest.slope, lastDecade: fastest.lastDecade } }
  }
  /** alien-signals' name, saying where it could not go (its error is in the points). */
  const alienName = (label, points) => {
    const failed = points.find(([, y]) => y.alienError)
    return failed
      ? `${label}, alien-signals (failed from ${failed[0]}: ${failed[1].alienError})`
      : `${label}, alien-signals`
  }
  panels.push({
    id: 'wave',
    title: 'Per-wave cost vs graph size',
    x: 'callbacks in the graph',
    y: 'ms per wave',
    curves: [
      ours('chain, ours', waves.chain, 1, touchesAll),
      curve(alienName('chain', waves.chain), waves.chain, undefined, '', (y) => y.alien, waveHow),
      ours('1→N fan-out, ours', waves.fanout, 1, touchesAll),
      curve(alienName('1→N fan-out', waves.fanout), waves.fanout, undefined, '', (y) => y.alien, waveHow),
      // The DAG's wave touches what descends from one source: its cost should grow as that does.
      ours(
        'random DAG, ours',
        waves.dag,
        Number(slopeOf(waves.dag.map(([x, y]) => [x, y.touched])).toFixed(2)),
        'a wave costs what it touches (the slope of the callbacks touched)',
      ),
      curve(alienName('random DAG', waves.dag), waves.dag, undefined, '', (y) => y.alien, waveHow),
    ],
    touched: { dag: waves.dag.map(([x, y]) => [x, y.touched]) },
  })
  const flat = 'the wave touches 10 callbacks whatever the graph holds: it must not grow'
  panels.push({
    id: 'local',
    title: 'A wave touching 10 callbacks, in a growing graph',
    x: 'callbacks in the graph',
    y: 'ms per wave',
    curves: [
      ours('ours', waves.local, 0, flat),
      curve('alien-signals', waves.local, undefined, '', (y) => y.alien, waveHow),
    ],
  })
}

async function startPanel(panels) {
  console.log('[scaling] start() vs stores restored')
  const restores = {}
  for (const storage of ['session', 'idb']) {
    restores[storage] = await series(`start ${storage}`, sizes.start, (n) => call('start', storage, n))
  }
  const linear = 'restoring n stores costs n'
  const startHow =
    'one page load; per size: a board writes n stores, then 5 new boards of the name each time `await start()` (restore, initial wave, session); the point is the median of the 5'
  panels.push({
    id: 'start',
    title: 'start() vs stores restored',
    x: 'stores restored',
    y: 'ms for start()',
    curves: [
      curve('session', restores.session, 1, linear, (y) => y.ms, startHow),
      curve('idb', restores.idb, 1, linear, (y) => y.ms, startHow),
    ],
  })
}

async function cachePanel(panels) {
  console.log('[scaling] cache hit vs entries held')
  const hits = await series('cache hit', sizes.cache, (n) => call('cacheHit', n))
  panels.push({
    id: 'cache',
    title: 'Cache hit vs entries held',
    x: 'entries held',
    y: 'ms per hit (set → idle); ms per entry written',
    curves: [
      curve(
        'hit, in memory',
        hits,
        0,
        'a hit is a lookup: it must not grow with the entries held',
        (y) => y.ms,
        'one page load; per size: n entries filled, then one input set to a held key and `await idle()`, timed with timeOne (150 ms warm-up, 9 samples of 5 ms or more, each after a forced GC): the median',
      ),
      // Filling: 100 callbacks sharing the cache id, one wave each per 100 entries.
      curve(
        'a miss written, per entry (filling)',
        hits.map(([x, y]) => [x, y.fillMs / x]),
        0,
        'writing one entry must not cost what the cache already holds',
        undefined,
        'the time to fill the n entries (100 callbacks sharing one cache id, one wave per 100 misses, each awaited), once, over n',
      ),
    ],
  })
}

async function hashPanel(panels) {
  console.log('[scaling] key hashing vs input size')
  const hashes = await series('hash', sizes.hash, (bytes) => call('hashing', bytes))
  const hashHow =
    'one page load; per size: a Float64Array of random numbers, timed with timeOne (100 ms warm-up, 7 samples of 5 ms or more, each after a forced GC): the median'
  panels.push({
    id: 'hash',
    title: 'Key hashing vs the compute it saves',
    x: 'input bytes (Float64Array)',
    y: 'ms',
    curves: [
      curve('hash the key (SHA-256)', hashes, 1, 'hashing reads each byte once', (y) => y.hash, hashHow),
      curve('compute it saves: sort a copy', hashes, undefined, '', (y) => y.compute, hashHow),
    ],
  })
}

async function memoryPanel(panels) {
  console.log('[scaling] memory per store and per callback')
  const heap = async () => {
    await tab.cdp.send('HeapProfiler.collectGarbage')
    await tab.cdp.send('HeapProfiler.collectGarbage')
    return (await tab.cdp.send('Runtime.getHeapUsage')).usedSize
  }
  const memory = {}
  for (const kind of ['store', 'callback']) {
    memory[kind] = await series(`memory ${kind}`, sizes.memory, async (n) => {
      await call('release')
      const before = await heap()
      await call('hold', kind, n)
      const after = await heap()
      await call('release')
      return (after - before) / n
    })
  }
  const perItem = 'bytes per item must not grow with the count'
  const memoryHow =
    'one page load; per size: heap used after two forced GCs (CDP) with n items held by a started board, minus the same before, over n: one reading'
  panels.push({
    id: 'memory',
    title: 'Memory per store and per callback',
    x: 'count held',
    y: 'bytes each (heap after GC / count)',
    curves: [
      curve('store', memory.store, 0, perItem, undefined, memoryHow),
      curve('callback with its output store', memory.callback, 0, perItem, undefined, memoryHow),
    ],
  })
}

// --- the chart ----------------------------------------------------------------------------
const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd']
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const fmtTick = (e) => {
  const v = 10 ** e
  if (v >= 1e6) return `${v / 1e6}M`
  if (v >= 1e3) return `${v / 1e3}k`
  return String(Number(v.toPrecision(1)))
}

function panelSvg(panel, ox, oy, w, h) {
  const m = { l: 58, r: 12, t: 28, b: 40 }
  const legendH = 15 * panel.curves.length + 6
  const pw = w - m.l - m.r
  const ph = h - m.t - m.b - legendH
  const all = panel.curves.flatMap((c) => c.points).filter(([x, y]) => x > 0 && y > 0)
  const out = [`<g transform="translate(${ox},${oy})">`]
  out.push(`<text x="${w / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`)
  if (all.length === 0) {
    out.push(`<text x="${w / 2}" y="${h / 2}" text-anchor="middle">not measured</text></g>`)
    return out.join('\n')
  }
  const lx = all.map(([x]) => Math.log10(x))
  const ly = all.map(([, y]) => Math.log10(y))
  const x0 = Math.floor(Math.min(...lx))
  const x1 = Math.max(Math.ceil(Math.max(...lx)), x0 + 1)
  const y0 = Math.floor(Math.min(...ly))
  const y1 = Math.max(Math.ceil(Math.max(...ly)), y0 + 1)
  const sx = (x) => m.l + ((Math.log10(x) - x0) / (x1 - x0)) * pw
  const sy = (y) => m.t + ph - ((Math.log10(y) - y0) / (y1 - y0)) * ph
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`)
  for (let e = x0; e <= x1; e++) {
    const x = m.l + ((e - x0) / (x1 - x0)) * pw
    out.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}" stroke="#eee"/>`)
    out.push(`<text x="${x}" y="${m.t + ph + 14}" text-anchor="middle" font-size="10">${fmtTick(e)}</text>`)
  }
  for (let e = y0; e <= y1; e++) {
    const y = m.t + ph - ((e - y0) / (y1 - y0)) * ph
    out.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}" stroke="#eee"/>`)
    out.push(`<text x="${m.l - 4}" y="${y + 3}" text-anchor="end" font-size="10">${fmtTick(e)}</text>`)
  }
  out.push(
    `<text x="${m.l + pw / 2}" y="${m.t + ph + 30}" text-anchor="middle" font-size="11">${esc(panel.x)} (log)</text>`,
  )
  out.push(
    `<text transform="translate(14,${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(panel.y)} (log)</text>`,
  )
  // One colour per curve of ours; an anchor (alien-signals, the compute saved) takes the
  // colour of the curve before it, dashed.
  let colour = -1
  panel.curves.forEach((c, i) => {
    const anchor = /alien|compute/.test(c.name)
    if (!anchor || colour < 0) colour++
    const stroke = colours[colour % colours.length]
    const dash = anchor ? ' stroke-dasharray="5 3"' : ''
    const pts = c.points.filter(([x, y]) => x > 0 && y > 0)
    if (pts.length > 0) {
      out.push(
        `<polyline fill="none" stroke="${stroke}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
      )
      for (const [x, y] of pts)
        out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${stroke}"/>`)
    }
    const ly = m.t + ph + 50 + 15 * i
    const slope =
      c.slope === null
        ? 'slope n/a'
        : `slope ${c.slope.toFixed(2)}${c.lastDecade == null ? '' : `, last decade ${c.lastDecade.toFixed(2)}`}`
    const expect =
      c.expected === undefined
        ? ''
        : `; should be ${c.expected === 0 ? '0' : c.expected === 1 ? '1' : `≤ ${c.expected}`}`
    out.push(`<line x1="8" y1="${ly - 4}" x2="30" y2="${ly - 4}" stroke="${stroke}" stroke-width="2"${dash}/>`)
    out.push(
      `<text x="36" y="${ly}" font-size="11"${c.flag ? ' fill="#c00" font-weight="bold"' : ''}>${esc(`${c.name}: ${slope}${expect}${c.flag ? ' ✗' : ''}`)}</text>`,
    )
  })
  out.push('</g>')
  return out.join('\n')
}

export function chartSvg(result) {
  const w = 560
  const h = 370
  const cols = 2
  const rows = Math.ceil(result.panels.length / cols)
  const width = w * cols
  const height = h * rows + 40
  const head = `How cost grows (npm run bench:scaling; ✗ in red: worse than it should be; ${result.date.slice(0, 10)}, ${result.commit.slice(0, 7)}${result.dirty ? ' + changes' : ''}; ${result.machine})`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="13">${esc(head)}</text>`,
    ...result.panels.map((p, i) => panelSvg(p, (i % cols) * w, 36 + Math.floor(i / cols) * h, w, h)),
    '</svg>',
    '',
  ].join('\n')
}

function commitOf() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim()
    const changed = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results', ':!docs/scaling.svg'],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    ).trim()
    return { commit, dirty: changed.length > 0 }
  } catch {
    return { commit: 'unknown', dirty: true }
  }
}

// --- main ---------------------------------------------------------------------------------
const jsonFile = join(repo, 'bench/results/scaling.json')
const svgFile = join(repo, 'docs/scaling.svg')

function write(result) {
  writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(svgFile, chartSvg(result))
  console.log(`[scaling] wrote ${relative(repo, jsonFile)} and ${relative(repo, svgFile)}`)
  for (const p of result.panels)
    for (const c of p.curves)
      console.log(
        `  ${p.id} / ${c.name}: slope ${c.slope}, last decade ${c.lastDecade}${c.flag ? `  FLAG: ${c.flag}` : ''}`,
      )
}

const main = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (main && argv.includes('--redraw')) {
  write(refit(JSON.parse(readFileSync(jsonFile, 'utf8'))))
} else if (main) {
  const executablePath = findChromium()
  if (!executablePath) {
    console.error('[scaling] no Chromium: install Debian\'s "chromium" package or set CHROMIUM_PATH.')
    process.exit(2)
  }
  const work = mkdtempSync(join(tmpdir(), 'switchboard-scaling-'))
  let server
  let browser
  try {
    server = await servePage(work)
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
    const context = await browser.newContext()
    await openTab(context, `${server.resolvedUrls.local[0]}index.html`)
    const t0 = Date.now()
    const panels = await measureAll()
    const result = refit({
      date: new Date().toISOString(),
      ...commitOf(),
      machine: `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, Chromium ${browser.version()}`,
      runsAre: 'one page load; each point the median of one sample set (memory: one heap reading after GC)',
      allowance,
      seconds: Math.round((Date.now() - t0) / 1000),
      panels,
    })
    if (quick) {
      console.log(
        JSON.stringify(result.panels.map((p) => p.curves.map((c) => [c.name, c.slope, c.lastDecade, c.flag ?? '']))),
      )
      console.log('[scaling] --quick: nothing written')
    } else write(result)
  } finally {
    await browser?.close()
    await server?.close()
    rmSync(work, { recursive: true, force: true })
  }
}
