// P12: the cost of the worker protocol alone (issue 12 §3, issue 13 P3). Two figures P3
// also reports, measured here in several independent rounds so one busy moment of the
// machine does not decide them; each round interleaves ours with its anchors.
//
//   round trip   a tiny call: pool.task vs raw postMessage (id-matched) vs raw Comlink.
//   cold start   board + pool + first call vs new Worker + first message.
//
// Each figure is the median over the rounds of the per-round medians (min and max beside).
import * as Comlink from 'comlink'
import { createBoard } from '../src/index'
import { type BenchResult, type BenchRow, median, round, timeInterleaved } from './timing'

const poolWorker = () => new Worker(new URL('./workers/pool.worker.ts', import.meta.url), { type: 'module' })
const rawWorker = () => new Worker(new URL('./workers/raw.worker.ts', import.meta.url), { type: 'module' })
const comlinkWorker = () => new Worker(new URL('./workers/comlink.worker.ts', import.meta.url), { type: 'module' })

const ROUNDS = 7

/** A raw id-matched request/response over postMessage: the least any RPC must do. */
function rawClient(w: Worker): (...msg: unknown[]) => Promise<unknown[]> {
  let seq = 0
  const waiting = new Map<number, (d: unknown[]) => void>()
  w.onmessage = (e: MessageEvent) => {
    if (!Array.isArray(e.data)) return
    const f = waiting.get(e.data[0] as number)
    waiting.delete(e.data[0] as number)
    f?.(e.data)
  }
  return (...msg) =>
    new Promise((resolve) => {
      const id = ++seq
      waiting.set(id, resolve)
      w.postMessage([id, ...msg])
    })
}

function spread(xs: number[]): { median: number; min: number; max: number } {
  return { median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) }
}

async function roundTrip(): Promise<Record<'pool' | 'postMessage' | 'comlink', number>> {
  const board = createBoard({ name: 'p12-rt', version: 1 })
  const ping = board.workers(poolWorker).task('ping')
  const rw = rawWorker()
  const raw = rawClient(rw)
  const cw = comlinkWorker()
  const remote = Comlink.wrap<{ ping(x: number): number }>(cw)
  const remotePing = remote.ping
  // Results checked before they are timed: every contender answers the same value.
  const answers = await Promise.all([ping(7), raw('ping', 7), remotePing(7)])
  if (answers[0] !== 7 || answers[1][1] !== 7 || answers[2] !== 7)
    throw new Error(`P12: wrong answers ${JSON.stringify(answers)}`)
  const { ms } = await timeInterleaved(
    { pool: () => ping(1), postMessage: () => raw('ping', 1), comlink: () => remotePing(1) },
    { warmupMs: 300, targetMs: 20, samples: 11 },
  )
  board.dispose()
  rw.terminate()
  remote[Comlink.releaseProxy]()
  cw.terminate()
  return ms
}

async function coldStart(round: number): Promise<Record<'ours' | 'raw', number>> {
  let k = 0
  const ours = async () => {
    const board = createBoard({ name: `p12-cold-${round}-${++k}`, version: 1 })
    const v = await board.workers(poolWorker).task('ping')(3)
    if (v !== 3) throw new Error(`P12: cold start answered ${String(v)}`)
    board.dispose()
  }
  const raw = async () => {
    const w = rawWorker()
    await rawClient(w)('ping', 1)
    w.terminate()
  }
  return (await timeInterleaved({ ours, raw }, { warmupMs: 200, targetMs: 1, samples: 11 })).ms
}

export async function run(): Promise<BenchResult> {
  const rt = {
    pool: [] as number[],
    postMessage: [] as number[],
    comlink: [] as number[],
    ratio: [] as number[],
    vsComlink: [] as number[],
  }
  const cold = { ours: [] as number[], raw: [] as number[], ratio: [] as number[] }
  for (let r = 0; r < ROUNDS; r++) {
    const t = await roundTrip()
    rt.pool.push(t.pool)
    rt.postMessage.push(t.postMessage)
    rt.comlink.push(t.comlink)
    rt.ratio.push(t.pool / t.postMessage)
    rt.vsComlink.push(t.pool / t.comlink)
    const c = await coldStart(r)
    cold.ours.push(c.ours)
    cold.raw.push(c.raw)
    cold.ratio.push(c.ours / c.raw)
    console.log(
      `round ${r + 1}: round trip pool ${t.pool.toFixed(4)} ms, postMessage ${t.postMessage.toFixed(4)}, comlink ${t.comlink.toFixed(4)} ` +
        `(${(t.pool / t.postMessage).toFixed(2)}x); cold ours ${c.ours.toFixed(2)} ms, raw ${c.raw.toFixed(2)} (${(c.ours / c.raw).toFixed(2)}x)`,
    )
  }
  const rows: BenchRow[] = [
    {
      case: 'round trip (tiny call)',
      ours_ms: round(median(rt.pool)),
      anchors: { postMessage: round(median(rt.postMessage)), comlink: round(median(rt.comlink)) },
      ratios: { 'ours/postMessage': round(median(rt.ratio)), 'ours/comlink': round(median(rt.vsComlink)) },
    },
    {
      case: 'cold start (pool + first call)',
      ours_ms: round(median(cold.ours)),
      anchors: { 'new Worker + first message': round(median(cold.raw)) },
      ratios: { 'ours/raw': round(median(cold.ratio)) },
    },
  ]
  const s = spread(rt.ratio)
  const c = spread(cold.ratio)
  return {
    id: 'P12',
    rows,
    summary: {
      'round trip ours/postMessage median': s.median,
      'round trip ours/postMessage min': s.min,
      'round trip ours/postMessage max': s.max,
      'cold start ours/raw median': c.median,
      'cold start ours/raw min': c.min,
      'cold start ours/raw max': c.max,
    },
    notes: `median over ${ROUNDS} rounds of interleaved medians; min and max of the per-round ratios beside.`,
  }
}
