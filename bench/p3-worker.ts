// P3: worker callbacks. Every figure is measured in one page, ours beside the raw ways of
// doing the same thing, with the same worker code behind each (bench/workers/).
//
//   round trip   a tiny call: pool.task vs raw postMessage (id-matched) vs raw Comlink.
//                Target: ≤ 1.1× raw postMessage.
//   sweep        the worker sends 1 KB … 11 MB as rows ({x,y,z} objects) or typed columns
//                ({x,y,z} Float64Arrays), through pool.task vs structured clone, a JSON string
//                and transfer, each raw. The worker's own copy of the payload is timed there
//                and subtracted: what is left is the crossing. Target: typed columns ≤ 1 ms.
//   P2b          the 100-deep chain of P2, every hop a worker task: ms per wave (≤ 10 ms),
//                beside its layers, interleaved: 100 sequential raw postMessage round trips
//                (the floor), 100 sequential pool.task calls without a board (the protocol),
//                and the same chain with async main-thread hops (the scheduler).
//   cold start   board + pool + first call vs new Worker + first message (≤ 1.1×).
//
// Every contender's answers are checked before it is timed: a bench that measures a
// wrong result throws.
//   handle path  a 50 MB column made in a worker, read by two downstream tasks, by handle
//                vs by value: ms per wave and bytes that crossed to the main thread.
import * as Comlink from 'comlink'
import { type Board, createBoard, type Store } from '../src/index'
import { type BenchResult, type BenchRow, median, round, timeInterleaved } from './timing'

const poolWorker = () => new Worker(new URL('./workers/pool.worker.ts', import.meta.url), { type: 'module' })
const rawWorker = () => new Worker(new URL('./workers/raw.worker.ts', import.meta.url), { type: 'module' })
const comlinkWorker = () => new Worker(new URL('./workers/comlink.worker.ts', import.meta.url), { type: 'module' })

type Raw = (...msg: unknown[]) => Promise<unknown[]>
/** A raw id-matched request/response over postMessage: the least any RPC must do. */
function rawClient(w: Worker): Raw {
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

const KB = 1024
const MB = 1024 * 1024
const sizes = [KB, 10 * KB, 100 * KB, MB, 11 * MB]
const label = (b: number) => (b >= MB ? `${b / MB} MB` : `${b / KB} KB`)

async function roundTrip(rows: BenchRow[], summary: Record<string, number>): Promise<void> {
  const board = createBoard({ name: 'p3-rt', version: 1 })
  const ping = board.workers(poolWorker).task('ping')
  const rw = rawWorker()
  const raw = rawClient(rw)
  const cw = comlinkWorker()
  const remote = Comlink.wrap<{ ping(x: number): number }>(cw)
  // Each property read on a Comlink proxy makes a proxy: read it once, as the pool does.
  const remotePing = remote.ping
  const answers = await Promise.all([ping(7), raw('ping', 7), remotePing(7)])
  if (answers[0] !== 7 || answers[1][1] !== 7 || answers[2] !== 7)
    throw new Error(`P3 round trip: wrong answers ${JSON.stringify(answers)}`)
  const { ms } = await timeInterleaved(
    {
      pool: async () => {
        if ((await ping(1)) !== 1) throw new Error('P3 round trip: pool answered wrong')
      },
      postMessage: async () => {
        if ((await raw('ping', 1))[1] !== 1) throw new Error('P3 round trip: postMessage answered wrong')
      },
      comlink: async () => {
        if ((await remotePing(1)) !== 1) throw new Error('P3 round trip: comlink answered wrong')
      },
    },
    { warmupMs: 500, targetMs: 20, samples: 15 },
  )
  rows.push({
    case: 'round trip (tiny call)',
    ours_ms: round(ms.pool),
    anchors: { postMessage: round(ms.postMessage), comlink: round(ms.comlink) },
    ratios: { 'ours/postMessage': round(ms.pool / ms.postMessage), 'ours/comlink': round(ms.pool / ms.comlink) },
  })
  summary['round trip ours/postMessage (target ≤ 1.1)'] = round(ms.pool / ms.postMessage)
  board.dispose()
  rw.terminate()
  remote[Comlink.releaseProxy]()
  cw.terminate()
}

async function sweep(rows: BenchRow[], summary: Record<string, number>): Promise<void> {
  const board = createBoard({ name: 'p3-sweep', version: 1 })
  const get = board.workers(poolWorker).task<{ value: unknown; madeMs: number }>('payload')
  const rw = rawWorker()
  const raw = rawClient(rw)
  let worstColumns = 0
  for (const kind of ['columns', 'rows'] as const) {
    for (const bytes of sizes) {
      const methods: Record<string, () => Promise<number>> = {
        pool: async () => {
          const t0 = performance.now()
          const r = await get(kind, bytes)
          return performance.now() - t0 - r.madeMs
        },
        clone: async () => {
          const t0 = performance.now()
          const r = await raw('payload', kind, bytes, 'clone')
          return performance.now() - t0 - (r[2] as number)
        },
        json: async () => {
          const t0 = performance.now()
          const r = await raw('payload', kind, bytes, 'json')
          JSON.parse(r[1] as string)
          return performance.now() - t0 - (r[2] as number)
        },
      }
      if (kind === 'columns') {
        methods.transfer = async () => {
          const t0 = performance.now()
          const r = await raw('payload', kind, bytes, 'transfer')
          return performance.now() - t0 - (r[2] as number)
        }
      }
      const names = Object.keys(methods)
      const rounds = bytes <= 100 * KB ? 41 : bytes <= MB ? 15 : 7
      for (const n of names) for (let i = 0; i < 2; i++) await methods[n]!() // warm-up, builds the worker's payload
      const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < names.length; j++) {
          const n = names[(r + j) % names.length]!
          times[n]!.push(await methods[n]!())
        }
      }
      const ms = Object.fromEntries(names.map((n) => [n, Math.max(0, median(times[n]!))]))
      const best = Math.min(...names.filter((n) => n !== 'pool').map((n) => ms[n]!))
      if (kind === 'columns') worstColumns = Math.max(worstColumns, ms.pool!)
      const anchors: Record<string, number> = {}
      for (const n of names) if (n !== 'pool') anchors[n] = round(ms[n]!)
      rows.push({
        case: `${kind} ${label(bytes)}`,
        ours_ms: round(ms.pool!),
        anchors,
        ratios: { 'ours/best': round(ms.pool! / best) },
      })
      console.log(`${kind} ${label(bytes)}: pool ${ms.pool!.toFixed(3)} ms, best raw ${best.toFixed(3)} ms`)
    }
  }
  summary['typed columns worst ms (target ≤ 1)'] = round(worstColumns)
  board.dispose()
  rw.terminate()
}

async function chain(rows: BenchRow[], summary: Record<string, number>): Promise<void> {
  //  s0 → [inc] → s1 → [inc] → … → s100, every [inc] a task of a one-worker pool
  const board = createBoard({ name: 'p3-chain', version: 1 })
  const pool = board.workers(poolWorker)
  const source = board.store<number>('s0', { initial: 0 })
  let current: Store<number> = source
  for (let i = 1; i <= 100; i++) {
    const out = board.store<number>(`s${i}`, { initial: 0 })
    board.callback({ id: `hop${i}`, inputs: [current], outputs: [out], run: pool.task('inc') })
    current = out
  }
  const end = current
  //  the same chain, every hop an async function on the main thread: the scheduler's share
  const mainSource = board.store<number>('m0', { initial: 0 })
  let mainCurrent: Store<number> = mainSource
  for (let i = 1; i <= 100; i++) {
    const out = board.store<number>(`m${i}`, { initial: 0 })
    board.callback({ id: `main${i}`, inputs: [mainCurrent], outputs: [out], run: async (x: number) => x + 1 })
    mainCurrent = out
  }
  const mainEnd = mainCurrent
  await board.start()
  let v = 0
  const wave = async () => {
    source.set(++v)
    await board.idle()
    if (end.get() !== v + 100) throw new Error(`P2b: the chain did not settle (${end.get()} for ${v})`)
  }
  const mainWave = async () => {
    mainSource.set(++v)
    await board.idle()
    if (mainEnd.get() !== v + 100)
      throw new Error(`P2b: the main-thread chain did not settle (${mainEnd.get()} for ${v})`)
  }
  const inc = pool.task<number>('inc')
  const poolChain = async () => {
    let x = 0
    for (let i = 0; i < 100; i++) x = await inc(x)
    if (x !== 100) throw new Error(`P2b: 100 pool.task calls gave ${x}`)
  }
  const rw = rawWorker()
  const raw = rawClient(rw)
  const rawChain = async () => {
    let x = 0
    for (let i = 0; i < 100; i++) x = (await raw('inc', x))[1] as number
    if (x !== 100) throw new Error(`P2b: 100 raw round trips gave ${x}`)
  }
  await wave()
  await mainWave()
  await poolChain()
  await rawChain()
  const { ms } = await timeInterleaved(
    { ours: wave, postMessage: rawChain, pool: poolChain },
    { warmupMs: 500, targetMs: 50, samples: 11 },
  )
  // Two orders of magnitude faster than the others: timed on its own.
  const main = await timeInterleaved({ main: mainWave }, { warmupMs: 300, targetMs: 20, samples: 11 })
  rows.push({
    case: 'P2b chain100, every hop in a worker',
    ours_ms: round(ms.ours),
    anchors: {
      '100 raw round trips': round(ms.postMessage),
      '100 pool.task calls': round(ms.pool),
      'chain100, async main-thread hops': round(main.ms.main),
      target: 10,
    },
    ratios: {
      'ours/raw': round(ms.ours / ms.postMessage),
      'pool/raw': round(ms.pool / ms.postMessage),
      'ours/target': round(ms.ours / 10),
    },
  })
  summary['P2b ms per wave (target ≤ 10)'] = round(ms.ours)
  summary['P2b protocol: 100 pool.task / 100 raw round trips'] = round(ms.pool / ms.postMessage)
  summary['P2b board: chain / 100 pool.task'] = round(ms.ours / ms.pool)
  board.dispose()
  rw.terminate()
}

async function coldStart(rows: BenchRow[], summary: Record<string, number>): Promise<void> {
  let k = 0
  const ours = async () => {
    const board = createBoard({ name: `p3-cold-${++k}`, version: 1 })
    const v = await board.workers(poolWorker).task('ping')(3)
    if (v !== 3) throw new Error(`P3 cold start: ours answered ${String(v)}`)
    board.dispose()
  }
  const raw = async () => {
    const w = rawWorker()
    const r = await rawClient(w)('ping', 3)
    if (r[1] !== 3) throw new Error(`P3 cold start: raw answered ${String(r[1])}`)
    w.terminate()
  }
  const { ms } = await timeInterleaved({ ours, raw }, { warmupMs: 300, targetMs: 1, samples: 15 })
  rows.push({
    case: 'cold start (pool + first call)',
    ours_ms: round(ms.ours),
    anchors: { 'new Worker + first message': round(ms.raw) },
    ratios: { 'ours/raw': round(ms.ours / ms.raw) },
  })
  summary['cold start ours/raw (target ≤ 1.1)'] = round(ms.ours / ms.raw)
}

async function handlePath(rows: BenchRow[], summary: Record<string, number>): Promise<void> {
  //  n → [make] → col → [total]   → t
  //               col → [largest] → m
  // by handle: col holds a handle, both readers run where the column is;
  // by value:  col holds the Float64Array (transferred here), each reader gets a copy.
  const N = (50 * MB) / 8
  const graphs: Record<
    'handle' | 'value',
    { board: Board; wave(): Promise<void>; bytes(): { toMain: number; toWorkers: number } }
  > = {} as never
  for (const mode of ['handle', 'value'] as const) {
    const board = createBoard({ name: `p3-handle-${mode}`, version: 1 })
    const pool = board.workers(poolWorker, { size: 2 })
    const n = board.store<number>('n', { initial: N })
    const col = board.store<unknown>('col')
    const t = board.store<number>('t')
    const m = board.store<number>('m')
    board.callback({
      id: 'make',
      inputs: [n],
      outputs: [col],
      run: pool.task(mode === 'handle' ? 'keepColumn' : 'column'),
    })
    board.callback({ id: 'total', inputs: [col], outputs: [t], run: pool.task('total') })
    board.callback({ id: 'largest', inputs: [col], outputs: [m], run: pool.task('largest') })
    await board.start()
    let flip = 0
    graphs[mode] = {
      board,
      async wave() {
        n.set(N - (++flip % 2))
        await board.idle()
        if (m.get() !== 999) throw new Error(`handle path ${mode}: wrong result ${m.get()}`)
      },
      bytes() {
        const cbs = board.inspect().callbacks
        return { toMain: pool.stats().bytesToMain, toWorkers: cbs.reduce((s, c) => s + c.stats.bytesIn, 0) }
      },
    }
  }
  const before = { handle: graphs.handle.bytes(), value: graphs.value.bytes() }
  const times: Record<'handle' | 'value', number[]> = { handle: [], value: [] }
  const waves = 7
  for (let r = 0; r < waves; r++) {
    for (const mode of r % 2 ? (['value', 'handle'] as const) : (['handle', 'value'] as const)) {
      const t0 = performance.now()
      await graphs[mode].wave()
      times[mode].push(performance.now() - t0)
    }
  }
  const per = (mode: 'handle' | 'value') => {
    const b = graphs[mode].bytes()
    return {
      toMain: (b.toMain - before[mode].toMain) / waves,
      toWorkers: (b.toWorkers - before[mode].toWorkers) / waves,
    }
  }
  const h = per('handle')
  const v = per('value')
  const ms = { handle: median(times.handle), value: median(times.value) }
  rows.push({
    case: 'handle path 50 MB, two readers',
    ours_ms: round(ms.handle),
    anchors: { 'by value': round(ms.value) },
    ratios: { 'handle/value': round(ms.handle / ms.value) },
  })
  summary['handle path bytes to main per wave'] = round(h.toMain)
  summary['handle path bytes main→workers per wave'] = round(h.toWorkers)
  summary['by value bytes to main per wave'] = round(v.toMain)
  summary['by value bytes main→workers per wave'] = round(v.toWorkers)
  for (const g of Object.values(graphs)) g.board.dispose()
}

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = []
  const summary: Record<string, number> = {}
  await roundTrip(rows, summary)
  await sweep(rows, summary)
  await chain(rows, summary)
  await coldStart(rows, summary)
  await handlePath(rows, summary)
  return {
    id: 'P3',
    rows,
    summary,
    notes:
      'sweep: worker → main, the worker-side copy of the payload subtracted; rows cannot be transferred (the pool sends big plain rows as JSON when lossless). ' +
      'P2b and cold start use one worker; the handle path two.',
  }
}
