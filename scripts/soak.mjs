// `npm run soak`: ten minutes at over a thousand set() a second through a 20-callback graph
// (test/pages/soak.ts: async callbacks, cache misses and hits, idb and session stores, a
// worker pool, bind()). Every `--sample` seconds the page goes idle, the driver forces a
// garbage collection (CDP HeapProfiler.collectGarbage) and reads the heap
// (Runtime.getHeapUsage). The figure: the least-squares slope of the heap after GC, in MB
// per minute, over the samples after the first minute (target ≤ 0.05 MB/min). `--seconds`
// is the time spent making sets; the idle() waits between bursts come on top of it.
//
//   node scripts/soak.mjs [--seconds 600] [--sample 10] [--rate 1500] [--port 4173] [--check] [--build] [--out file]
//
// The set rate is counted, not assumed: sets made / time spent making them. --check (the
// 30-second run in npm test) exits 1 on any error, or when the heap after GC grew from the
// first sample to the last by more than 1 MB + 40 bytes per set made in between (a leak of
// a few hundred bytes per set fails it whatever the machine's speed). Results:
// bench/results/soak.json for a full-length run, else test-results/soak-<seconds>s.json.
import { ensureSite, launch, parseArgs, serve, slope, writeJson } from '../test/chaos/harness.mjs'

const opt = parseArgs('SOAK', { seconds: 600, sample: 10, rate: 1500, port: 4173, check: false, build: false, out: '' })
const out = opt.out || (opt.seconds === 600 ? 'bench/results/soak.json' : `test-results/soak-${opt.seconds}s.json`)
const SLACK_MB = 1
const BYTES_PER_SET = 40
const MB = 1024 * 1024
console.log(`[switchboard] soak: ${opt.seconds} s at ${opt.rate} set()/s asked, heap sampled every ${opt.sample} s`)

ensureSite(['test/pages/soak.html'], opt.build)
const server = await serve(opt.port, 'test/pages/soak.html')
const browser = await launch()
const page = await browser.newPage()
const errors = []
const warnings = []
page.on('pageerror', (e) => errors.push({ kind: 'page error', text: String(e?.stack ?? e) }))
page.on('console', (m) => {
  if (m.type() === 'error') errors.push({ kind: 'console error', text: m.text() })
  else if (m.type() === 'warning') warnings.push(m.text())
})
await page.goto(`${server.base}test/pages/soak.html`)
await page.getByTestId('ready').getByText('yes').waitFor({ timeout: 60_000 })
const cdp = await page.context().newCDPSession(page)

async function heap() {
  // Twice: a first collection can leave what finalizers of the first released.
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage')
  return { usedMB: usedSize / MB, totalMB: totalSize / MB }
}

const tw = Date.now()
await page.evaluate(() => globalThis.api.warm())
const warmSeconds = (Date.now() - tw) / 1000
console.log(`  warm-up (every key of the hit-side caches once): ${warmSeconds.toFixed(1)} s`)
const samples = []
let sets = 0
let busyMs = 0
let idleMs = 0
const t0 = Date.now()
const first = await heap()
samples.push({
  t: 0,
  busySeconds: 0,
  sets: 0,
  ...first,
  storageBytes: await page.evaluate(() => globalThis.api.storage()),
})
const chunks = Math.max(1, Math.round(opt.seconds / opt.sample))
for (let c = 0; c < chunks; c++) {
  const r = await page.evaluate(([ms, rate]) => globalThis.api.burst(ms, rate), [opt.sample * 1000, opt.rate])
  sets += r.sets
  busyMs += r.ms
  idleMs += r.idleMs
  const h = await heap()
  const s = {
    t: (Date.now() - t0) / 1000,
    busySeconds: busyMs / 1000,
    sets,
    ...h,
    storageBytes: await page.evaluate(() => globalThis.api.storage()),
  }
  samples.push(s)
  console.log(
    `  t=${s.t.toFixed(0)} s sets=${sets} (${Math.round(r.sets / (r.ms / 1000))}/s) heap ${s.usedMB.toFixed(3)} MB idb ${(s.storageBytes / MB).toFixed(2)} MB`,
  )
}
const stats = await page.evaluate(() => globalThis.api.stats())
const boardErrors = await page.evaluate(() => [
  ...globalThis.api.errors,
  ...[...globalThis.api.board.errors].map(([id, e]) => `${id}: ${e.message}`),
])
for (const e of boardErrors) errors.push({ kind: 'board error', text: e })
await browser.close()
server.close()

// After the first minute of sets (or, in a run shorter than two minutes, after the first
// burst). The headline slope is over the time spent making sets (the idle() waits between
// bursts make no sets); the slope over wall-clock time is given beside it.
const from = opt.seconds >= 120 ? 60 : opt.sample
const after = samples.filter((s) => s.busySeconds >= from - 0.5)
const perMinute = (key) => {
  const k = slope(after.map((s) => ({ x: s[key], y: s.usedMB })))
  return k === null ? null : k * 60
}
const slopeMBPerMin = perMinute('busySeconds')
const slopeMBPerWallMin = perMinute('t')
const base = after[0]
const last = samples[samples.length - 1]
const growthMB = last.usedMB - base.usedMB
const boundMB = SLACK_MB + (BYTES_PER_SET * (last.sets - base.sets)) / MB
const result = {
  what: 'npm run soak: a 20-callback graph (test/pages/soak.ts) driven at a set() rate, heap after forced GC sampled between bursts',
  date: new Date(t0).toISOString(),
  seconds: opt.seconds,
  sampleSeconds: opt.sample,
  rateAsked: opt.rate,
  sets,
  setsPerSecond: Math.round(sets / (busyMs / 1000)),
  setsPerSecondWallClock: Math.round(sets / ((Date.now() - t0) / 1000)),
  idleSecondsBetweenBursts: Math.round(idleMs) / 1000,
  wallClockSeconds: Math.round((Date.now() - t0) / 1000),
  warmSeconds,
  heap: {
    slopeFromBusySeconds: from,
    slopeMBPerMin,
    slopeMBPerWallMin,
    targetMBPerMin: 0.05,
    meetsTarget: slopeMBPerMin !== null && slopeMBPerMin <= 0.05,
    firstMB: samples[0].usedMB,
    fromMB: base.usedMB,
    lastMB: last.usedMB,
    growthMB,
    bytesPerSet: (growthMB * MB) / Math.max(1, last.sets - base.sets),
    checkBoundMB: boundMB,
    note: 'main thread heap only (the worker isolates are not sampled)',
  },
  samples,
  stats,
  errors,
  warnings,
}
writeJson(out, result)
console.log(
  `[switchboard] soak: ${sets} sets at ${result.setsPerSecond}/s, heap ${base.usedMB.toFixed(3)} → ${last.usedMB.toFixed(3)} MB, ` +
    `slope ${slopeMBPerMin?.toFixed(4)} MB per minute of sets after the first ${from} s (${slopeMBPerWallMin?.toFixed(4)} MB per wall-clock minute), ${errors.length} errors`,
)
for (const e of errors.slice(0, 10)) console.log(`  error: ${JSON.stringify(e)}`)
if (opt.check) {
  const failures = []
  if (sets === 0) failures.push('no set() was made')
  if (errors.length) failures.push(`${errors.length} errors`)
  if (growthMB > boundMB)
    failures.push(
      `heap after GC grew ${growthMB.toFixed(3)} MB over ${last.sets - base.sets} sets (bound ${boundMB.toFixed(3)} MB)`,
    )
  if (failures.length) {
    console.error(`[switchboard] soak failed: ${failures.join('; ')}`)
    process.exit(1)
  }
  console.log('[switchboard] soak: targets met')
}
