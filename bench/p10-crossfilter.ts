// P10: crossfilter on flights-3m (3 000 000 rows) held in a worker.
//
//   main thread                                   worker (holds the columns)
//   brush delay ∈ [lo, lo + 40) ──── 4 specs ────▶ aggregate × 4 (one shared selection)
//   ◀──────────── 4 small histograms ────────────
//     distance (step 100 mi), time of day (step 1 h), date (step 1 day), origin (count)
//
// A brush sweeps across delay, as a user dragging it would: 37 positions, 5 minutes apart.
// Counts under a moved brush are updated by the rows that entered and left it. Per brush we time brush → all four results on the main thread (the target:
// median ≤ 16 ms) and count the bytes that crossed: the specs going (their JSON), the
// results coming back (the pool's own `bytesToMain` count). Anchors, on the main thread:
// the same four aggregates with no worker (what the thread hop costs), and crossfilter2
// with a dimension per chart (what the classic library does with the same brushes).
import crossfilter from 'crossfilter2'
import { type FlightsTable, loadFlights } from '../demo/lib/flights'
import { type AggregateSpec, aggregate, bin, count, createBoard } from '../src/index'
import type { Handle } from '../src/worker/index'
import { type BenchResult, median, round } from './timing'

const histograms = (where: AggregateSpec['where']): AggregateSpec[] => [
  { by: bin('distance', { step: 100 }), measures: { n: count() }, where },
  { by: bin('time', { step: 1 }), measures: { n: count() }, where },
  { by: bin('date', { step: 86_400_000 }), measures: { n: count() }, where },
  { by: 'origin', measures: { n: count() }, where },
]
const brushes = Array.from({ length: 37 }, (_, i) => ({ delay: { gte: -30 + 5 * i, lt: 10 + 5 * i } }))

export async function run(): Promise<BenchResult> {
  const board = createBoard({ name: 'p10', version: 1 })
  await board.start()
  const pool = board.workers(() => new Worker(new URL('./p10.worker.ts', import.meta.url), { type: 'module' }), {
    size: 1,
  })
  let t0 = performance.now()
  const handle = (await pool.task('load')(document.baseURI)) as Handle
  const loadMs = performance.now() - t0
  console.log(`worker loaded flights-3m in ${loadMs.toFixed(0)} ms; handle ${JSON.stringify(handle).length} bytes`)

  // Warm-up: first queries build the dictionaries and bin codes, compile the kernels.
  for (const where of brushes.slice(0, 5)) await Promise.all(histograms(where).map((s) => pool.aggregate(handle, s)))

  const workerMs: number[] = []
  const bytesOut: number[] = []
  const bytesBack: number[] = []
  let groups = 0
  for (let round = 0; round < 3; round++) {
    for (const where of brushes) {
      const specs = histograms(where)
      const before = pool.stats().bytesToMain
      t0 = performance.now()
      const results = await Promise.all(specs.map((s) => pool.aggregate<Record<string, unknown[]>>(handle, s)))
      workerMs.push(performance.now() - t0)
      bytesBack.push(pool.stats().bytesToMain - before)
      bytesOut.push(new TextEncoder().encode(JSON.stringify(specs)).length)
      groups = results.reduce((acc, r) => acc + r.n!.length, 0)
    }
  }

  // Anchor: the same queries on the main thread, on a copy loaded here.
  t0 = performance.now()
  const local = await loadFlights('3m', { columns: ['date', 'time', 'delay', 'distance', 'origin'] })
  console.log(`main thread loaded flights-3m in ${(performance.now() - t0).toFixed(0)} ms`)
  for (const where of brushes.slice(0, 5)) histograms(where).map((s) => aggregate(local, s))
  const mainMs: number[] = []
  for (let round = 0; round < 3; round++) {
    for (const where of brushes) {
      const specs = histograms(where)
      t0 = performance.now()
      for (const s of specs) aggregate(local, s)
      mainMs.push(performance.now() - t0)
    }
  }
  board.dispose()

  // Anchor: crossfilter2 on the main thread, the library this benchmark is named after:
  // one object per row, a dimension per chart, groups kept up to date by filterRange.
  const crossMs = crossfilterBrushes(local)

  const w = median(workerMs)
  const m = median(mainMs)
  const p90 = [...workerMs].sort((a, b) => a - b)[Math.floor(workerMs.length * 0.9)]!
  console.log(
    `brush → 4 histograms: worker median ${w.toFixed(2)} ms (p90 ${p90.toFixed(2)}), main thread ${m.toFixed(2)} ms`,
  )
  return {
    id: 'P10',
    rows: [
      {
        case: 'brush → 4 histograms (worker)',
        ours_ms: round(w),
        anchors: { 'same on main thread': round(m), crossfilter2: round(crossMs), target: 16 },
        ratios: {
          'ours/target': round(w / 16),
          'ours/main thread': round(w / m),
          'ours/crossfilter2': round(w / crossMs),
        },
      },
    ],
    summary: {
      'median ms': round(w),
      'p90 ms': round(p90),
      'bytes to worker per brush': round(median(bytesOut)),
      'bytes back per brush': round(median(bytesBack)),
      'groups back per brush': groups,
      'load ms (fetch + parquet decode, in the worker)': round(loadMs),
    },
    notes:
      'flights-3m (3M rows) held in a worker via keep(); per brush 4 pool.aggregate calls (pool size 1, so they queue). ' +
      'Counts under a moved brush are updated by the rows entering/leaving it (sorted delay column), as crossfilter does. ' +
      '37 brush positions dragged in steps of 5 min x 3 rounds after warm-up (each round starts with a jump back). ' +
      "Bytes to worker: JSON of the 4 specs; bytes back: the pool's bytesToMain for the 4 results. " +
      'Anchors on the main thread: the same aggregate calls, and crossfilter2 (filterRange on a delay dimension, all() of 4 groups).',
  }
}

interface Flight {
  delay: number
  distance: number
  time: number
  date: number
  origin: string
}

/** Median ms per brush for crossfilter2: filterRange on delay, then all() of the four groups. */
function crossfilterBrushes(t: FlightsTable): number {
  const t0 = performance.now()
  const delay = t.delay as Float64Array
  const distance = t.distance as Float64Array
  const time = t.time as Float32Array
  const date = t.date as Float64Array
  const origin = t.origin as string[]
  const records: Flight[] = new Array(delay.length)
  for (let i = 0; i < delay.length; i++) {
    records[i] = { delay: delay[i]!, distance: distance[i]!, time: time[i]!, date: date[i]!, origin: origin[i]! }
  }
  const cf = crossfilter(records)
  const byDelay = cf.dimension((r) => r.delay)
  const groups = [
    cf.dimension((r) => Math.floor(r.distance / 100) * 100).group(),
    cf.dimension((r) => Math.floor(r.time)).group(),
    cf.dimension((r) => Math.floor(r.date / 86_400_000)).group(),
    cf.dimension((r) => r.origin).group(),
  ]
  console.log(`crossfilter2 set up in ${(performance.now() - t0).toFixed(0)} ms`)
  const brush = (i: number) => {
    byDelay.filterRange([-30 + 5 * i, 10 + 5 * i]) // [lo, hi): as the where above
    for (const g of groups) g.all()
  }
  for (let i = 0; i < 5; i++) brush(i)
  const ms: number[] = []
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < brushes.length; i++) {
      const s = performance.now()
      brush(i)
      ms.push(performance.now() - s)
    }
  }
  cf.remove(() => true)
  return median(ms)
}
