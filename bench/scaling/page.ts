// How cost grows (issue 13): the page side of `npm run bench:scaling`. Each export measures
// one point (one size) and returns plain numbers; scripts/bench-scaling.mjs calls them one by
// one from Node, reads the heap through CDP for the memory points, fits the slopes and draws
// docs/scaling.svg. Every point is the median of one set of samples in this one page load.
//
//   chain      s0 → [c1] → s1 → … → [cN] → sN            a wave touches N callbacks
//   fan-out    s0 → [c1..cN] → s1..sN                     a wave touches N callbacks
//   DAG        N callbacks, each fed by 1–3 earlier stores (seeded), 8 sources; a wave sets one
//              source and touches whatever descends from it (counted and returned)
//   local      N callbacks as N/10 separate chains of 10; a wave sets the head of one chain:
//              it touches 10 callbacks whatever N is, so its cost must not grow with N
// alien-signals 3.2.1 beside each: the same shapes as computeds, one effect reading the ends.
//
// How a wave point is measured (perWave): the graph is built and waved twice (checked), the
// runner has forced a full GC before the point (CDP), then the wave is warmed up for at least
// 5 calls and 150 ms at this size, then 15 samples of `reps` waves each (reps chosen so a
// sample lasts 5 ms or more; one wave per sample past that), each sample after a forced GC
// (--expose-gc): the median is the point, the fastest sample is kept beside it (the cost with
// no GC or other work falling inside the sample).
import * as alien from 'alien-signals'
import { hashKey } from '../../src/cache/key'
import { type Board, createBoard, type Store } from '../../src/index'
import { median, timeOne } from '../timing'

export type Shape = 'chain' | 'fanout' | 'dag' | 'local'

// Sums stay below 2^53: a value that overflowed to Infinity would stop changing, and the wave
// with it. Both libraries skip an unchanged value the same way.
const M = 1_000_003
let boards = 0
const freshName = (what: string) => `scaling-${what}-${Date.now()}-${++boards}`

/** A small seeded generator, so the DAG is the same graph for ours and alien. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The DAG's inputs: node i (i ≥ sources) reads 1–3 of the nodes before it. */
function dagInputs(n: number, sources: number): number[][] {
  const rnd = random(n)
  const inputs: number[][] = []
  for (let i = sources; i < n + sources; i++) {
    const k = 1 + Math.floor(rnd() * 3)
    const picked = new Set<number>()
    // Mostly near neighbours (a window of 64), sometimes anywhere: long and short edges.
    while (picked.size < Math.min(k, i)) {
      const j = rnd() < 0.8 ? Math.max(0, i - 1 - Math.floor(rnd() * 64)) : Math.floor(rnd() * i)
      picked.add(j)
    }
    inputs.push([...picked])
  }
  return inputs
}

interface Built {
  wave: () => void
  /** Callbacks (or computeds) that ran in the last wave; checks the wave reached them. */
  touched: () => number
  dispose: () => void
}

async function buildOurs(shape: Shape, n: number): Promise<Built> {
  const board = createBoard({ name: freshName(`wave-${shape}`), version: 1, register: false })
  let runs = 0
  // Fixed arity, as an app writes them (a callback is also handed its ctx after the inputs).
  const inc = (x: number) => (runs++, x + 1)
  const sums = [
    (a: number) => (runs++, (a + 1) % M),
    (a: number, b: number) => (runs++, (a + b + 1) % M),
    (a: number, b: number, c: number) => (runs++, (a + b + c + 1) % M),
  ]
  const stores: Store<number>[] = []
  const store = (i: number) => {
    const s = board.store<number>(`s${i}`, { initial: 0 })
    stores.push(s)
    return s
  }
  let source: () => Store<number>
  if (shape === 'chain' || shape === 'fanout') {
    const s0 = store(0)
    for (let i = 1; i <= n; i++) {
      const input = shape === 'chain' ? stores[i - 1]! : s0
      board.callback({ id: `c${i}`, inputs: [input], outputs: [store(i)], run: inc })
    }
    source = () => s0
  } else if (shape === 'local') {
    const heads: Store<number>[] = []
    for (let c = 0; c < n / 10; c++) {
      let prev = store(stores.length)
      heads.push(prev)
      for (let i = 0; i < 10; i++) {
        const out = store(stores.length)
        board.callback({ id: `c${c}-${i}`, inputs: [prev], outputs: [out], run: inc })
        prev = out
      }
    }
    let k = 0
    source = () => heads[(k = (k + 7919) % heads.length)]!
  } else {
    const sources = 8
    for (let i = 0; i < sources; i++) store(i)
    dagInputs(n, sources).forEach((ins, j) => {
      const i = sources + j
      const run = sums[ins.length - 1] as (...xs: number[]) => number
      board.callback({ id: `c${i}`, inputs: ins.map((x) => stores[x]!), outputs: [store(i)], run })
    })
    let k = 0
    source = () => stores[(k = (k + 1) % sources)]!
  }
  await board.start()
  let v = 0
  let last = 0
  return {
    wave() {
      const before = runs
      source().set(++v)
      last = runs - before
    },
    touched: () => last,
    dispose: () => board.dispose(),
  }
}

async function buildAlien(shape: Shape, n: number): Promise<Built> {
  let runs = 0
  const counted = (f: () => number) => (): number => {
    runs++
    return f()
  }
  type Read = () => number
  const nodes: Read[] = []
  const stops: (() => void)[] = []
  let source: () => (v: number) => void
  let ends: Read[]
  if (shape === 'chain' || shape === 'fanout') {
    const s0 = alien.signal(0)
    nodes.push(s0)
    for (let i = 1; i <= n; i++) {
      const input = shape === 'chain' ? nodes[i - 1]! : s0
      nodes.push(alien.computed(counted(() => input() + 1)))
    }
    source = () => s0
    ends = shape === 'chain' ? [nodes[n]!] : nodes.slice(1)
  } else if (shape === 'local') {
    const heads: ReturnType<typeof alien.signal<number>>[] = []
    ends = []
    for (let c = 0; c < n / 10; c++) {
      const head = alien.signal(0)
      heads.push(head)
      let prev: Read = head
      for (let i = 0; i < 10; i++) {
        const p = prev
        prev = alien.computed(counted(() => p() + 1))
      }
      ends.push(prev)
    }
    let k = 0
    source = () => heads[(k = (k + 7919) % heads.length)]!
  } else {
    const sources = 8
    const signals = Array.from({ length: sources }, () => alien.signal(0))
    nodes.push(...signals)
    for (const ins of dagInputs(n, sources)) {
      const reads = ins.map((x) => nodes[x]!)
      const [a, b, c] = reads
      nodes.push(
        alien.computed(
          counted(c ? () => (a!() + b!() + c() + 1) % M : b ? () => (a!() + b() + 1) % M : () => (a!() + 1) % M),
        ),
      )
    }
    let k = 0
    source = () => signals[(k = (k + 1) % sources)]!
    ends = nodes.slice(sources)
  }
  // One effect per end keeps every computed live (pushed), as a subscribed app would.
  let sink = 0
  for (const end of ends) stops.push(alien.effect(() => void (sink += end())))
  let v = 0
  let last = 0
  return {
    wave() {
      const before = runs
      source()(++v)
      last = runs - before
    },
    touched: () => last,
    dispose: () => {
      for (const stop of stops) stop()
      if (sink === -1) console.log('unreachable')
    },
  }
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

/** ms per call of `work`, median and fastest of 15 samples (see the header). */
function perWave(work: () => void): { median: number; min: number } {
  let calls = 0
  const t0 = performance.now()
  while (calls < 5 || performance.now() - t0 < 150) {
    work()
    calls++
  }
  const each = (performance.now() - t0) / calls
  const reps = Math.max(1, Math.ceil(5 / each))
  const samples: number[] = []
  for (let s = 0; s < 15; s++) {
    gc()
    const t = performance.now()
    for (let i = 0; i < reps; i++) work()
    samples.push((performance.now() - t) / reps)
  }
  return { median: median(samples), min: Math.min(...samples) }
}

/** One wave point: medians and fastest samples per implementation, callbacks touched. */
interface WavePoint {
  ours: number
  oursMin: number
  alien: number
  alienMin: number
  touched: number
  alienError?: string
}

/**
 * ms per wave (set → settled) for ours and alien, and how many callbacks a wave ran. An
 * anchor that cannot build the graph (alien-signals' first read of a 10,000-deep chain
 * overflows the stack) is reported as `alienError`, and ours is still measured.
 */
export async function wave(shape: Shape, n: number): Promise<WavePoint> {
  const result: WavePoint = { ours: NaN, oursMin: NaN, alien: NaN, alienMin: NaN, touched: 0 }
  for (const impl of ['ours', 'alien'] as const) {
    let built: Built | undefined
    try {
      built = await (impl === 'ours' ? buildOurs : buildAlien)(shape, n)
      built.wave()
      built.wave()
      const touched = built.touched()
      if (impl === 'ours') result.touched = touched
      // The same graph, the same wave: both must run the same callbacks (DAG: the same count).
      else if (touched !== result.touched)
        throw new Error(`${shape} ${n}: ours ran ${result.touched} callbacks, alien ${touched}`)
      if (touched === 0) throw new Error(`${shape} ${n}: the wave ran nothing`)
      const { median: m, min } = perWave(built.wave)
      result[impl] = m
      result[impl === 'ours' ? 'oursMin' : 'alienMin'] = min
    } catch (e) {
      if (impl === 'ours') throw new Error(`${shape} ${n}, ours: ${String(e)}`)
      result.alienError = String(e)
    } finally {
      built?.dispose()
    }
  }
  return result
}

/** ms for `await board.start()` restoring n stores of `storage` written by an earlier board. */
export async function start(storage: 'session' | 'idb', n: number): Promise<{ ms: number }> {
  const name = freshName(`start-${storage}`)
  const make = () => {
    const board = createBoard({ name, version: 1, register: false })
    const stores = Array.from({ length: n }, (_, i) => board.store<number>(`s${i}`, { initial: -1, storage }))
    return { board, stores }
  }
  const first = make()
  await first.board.start()
  first.stores.forEach((s, i) => s.set(i * 3))
  await first.board.idle()
  first.board.dispose()
  const times: number[] = []
  for (let r = 0; r < 5; r++) {
    const next = make()
    const t0 = performance.now()
    await next.board.start()
    times.push(performance.now() - t0)
    const wrong = next.stores.findIndex((s, i) => s.get() !== i * 3)
    next.board.dispose()
    if (wrong >= 0) throw new Error(`start ${storage} ${n}: store s${wrong} was not restored`)
  }
  if (storage === 'session') sessionStorage.clear()
  else await new Promise((resolve) => setTimeout(resolve, 0))
  return { ms: median(times) }
}

/**
 * ms of one cache hit (set → idle, answered from memory) with n entries held. Filled by
 * `width` callbacks sharing one cache id, each given its own inputs per wave (a cached run is
 * async, the key is hashed: one callback set again before it settled would be superseded).
 */
export async function cacheHit(n: number): Promise<{ ms: number; fillMs: number }> {
  const board = createBoard({ name: freshName('cache'), version: 1, register: false })
  const width = Math.min(n, 100)
  const inputs = Array.from({ length: width }, (_, i) => board.store(`in${i}`, { initial: -1 - i }))
  const outs = inputs.map((_, i) => board.store<number>(`out${i}`))
  let runs = 0
  inputs.forEach((input, i) =>
    board.callback({
      id: `cached${i}`,
      inputs: [input],
      outputs: [outs[i]!],
      cache: { id: 'shared', maxEntries: n + 2 * width },
      run: (x: number) => (runs++, x * 2),
    }),
  )
  await board.start()
  const t0 = performance.now()
  for (let i = 0; i < n; i += width) {
    board.batch(() => inputs.forEach((input, j) => i + j < n && input.set(i + j)))
    await board.idle()
  }
  const fillMs = performance.now() - t0
  const computed = runs
  if (computed < n) throw new Error(`cache ${n}: filling computed ${computed} entries`)
  let k = 0
  const hit = async () => {
    k = (k + 7919) % n
    inputs[0]!.set(k)
    await board.idle()
    if (outs[0]!.get() !== k * 2) throw new Error(`cache ${n}: entry ${k} answered ${outs[0]!.get()}`)
  }
  const ms = await timeOne(hit, { warmupMs: 150, targetMs: 5, samples: 9 })
  const recomputed = runs - computed
  board.dispose()
  if (recomputed > 0) throw new Error(`cache ${n}: ${recomputed} of the hits computed`)
  return { ms, fillMs }
}

/** ms to hash a key holding a Float64Array of `bytes`, and of a compute on it worth caching (a sort). */
export async function hashing(bytes: number): Promise<{ hash: number; compute: number }> {
  const data = new Float64Array(bytes / 8)
  const rnd = random(bytes)
  for (let i = 0; i < data.length; i++) data[i] = rnd()
  const parts = {
    board: 'scaling',
    boardVersion: 1,
    cacheId: 'c',
    cacheVersion: undefined,
    scope: 'global' as const,
    session: undefined,
    args: [data],
    what: 'callback "c"',
  }
  const options = { warmupMs: 100, targetMs: 5, samples: 7 }
  const hash = await timeOne(() => hashKey(parts), options)
  const compute = await timeOne(() => data.slice().sort(), options)
  return { hash, compute }
}

// ---- memory: the runner reads the heap (CDP) between hold() and release() ---------------

let held: { dispose(): void } | undefined

/** Builds n stores or n callbacks (each with its output store) and keeps them alive. */
export async function hold(kind: 'store' | 'callback', n: number): Promise<void> {
  const board: Board = createBoard({ name: freshName(`mem-${kind}`), version: 1, register: false })
  if (kind === 'store') for (let i = 0; i < n; i++) board.store<number>(`s${i}`, { initial: i })
  if (kind === 'callback') {
    const s0 = board.store<number>('s0', { initial: 0 })
    for (let i = 1; i <= n; i++)
      board.callback({
        id: `c${i}`,
        inputs: [s0],
        outputs: [board.store<number>(`s${i}`, { initial: 0 })],
        run: (x: number) => x + 1,
      })
  }
  await board.start()
  held = board
}

export function release(): void {
  held?.dispose()
  held = undefined
}
