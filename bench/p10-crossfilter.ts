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
// results coming back (the pool's own `bytesToMain` count). The same four aggregates on
// the main thread with no worker are the anchor showing what the thread hop costs.
import { loadFlights } from '../demo/lib/flights'
import { aggregate, bin, count, createBoard, type AggregateSpec } from '../src/index'
import type { Handle } from '../src/worker/index'
import { median, round, type BenchResult } from './timing'

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
  const pool = board.workers(() => new Worker(new URL('./p10.worker.ts', import.meta.url), { type: 'module' }), { size: 1 })
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

  const w = median(workerMs)
  const m = median(mainMs)
  const p90 = [...workerMs].sort((a, b) => a - b)[Math.floor(workerMs.length * 0.9)]!
  console.log(`brush → 4 histograms: worker median ${w.toFixed(2)} ms (p90 ${p90.toFixed(2)}), main thread ${m.toFixed(2)} ms`)
  return {
    id: 'P10',
    rows: [
      {
        case: 'brush → 4 histograms (worker)',
        ours_ms: round(w),
        anchors: { 'same on main thread': round(m), target: 16 },
        ratios: { 'ours/target': round(w / 16), 'ours/main thread': round(w / m) },
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
      'Bytes to worker: JSON of the 4 specs; bytes back: the pool\'s bytesToMain for the 4 results.',
  }
}
