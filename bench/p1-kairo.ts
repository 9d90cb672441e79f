// P1: the kairo cases and cellx, as js-reactivity-benchmark runs them (same shapes, sizes
// and iteration bodies), three ways in one page: switchboard synchronous callbacks,
// alien-signals and @preact/signals-core.
//
// How each shape maps onto switchboard: a signal is a store; a computed is a store written
// by a callback whose `inputs` are what the computed reads; an effect is a callback with
// `outputs: []`. Every switchboard callback is eager, like a computed kept live by an
// effect, which is how every kairo case is built anyway. Two cases differ by nature:
//  - unstable: the signals read `double` OR `inverse` depending on the head's parity
//    (dynamic dependencies); a callback declares both, so both are recomputed each wave.
//  - repeatedObservers: the computed reads the head 30 times; the callback lists the head
//    30 times in `inputs` (a store listed more than once fills each slot).
//
// Time is ms per kairo iteration (one call of the case's iteration body; upstream times
// 1000 of them) and, for cellx, ms per batched write of the four start cells, alternating
// between (4,3,2,1) and (1,2,3,4) so that every update propagates through all layers
// (upstream rebuilds the graph for each update; building is not what we measure here).

import * as preact from '@preact/signals-core'
import * as alien from 'alien-signals'
import { createBoard, type Store } from '../src/index'
import { type BenchResult, type BenchRow, geomean, round, timeInterleaved } from './timing'

/** One implementation of one case, built and ready. */
interface Built {
  /** Runs one iteration and returns a checksum of every value it read. */
  iter(): number
  /** Effect runs so far: the at-most-once and cut-off behaviour, checked across implementations. */
  effects(): number
  dispose(): void
}

// --- the two signal libraries, behind the same small bridge upstream uses ------------------

interface Cell<T> {
  read(): T
}
interface Source<T> extends Cell<T> {
  write(value: T): void
}
interface SignalLib {
  signal<T>(value: T): Source<T>
  computed<T>(fn: () => T): Cell<T>
  effect(fn: () => void): void
  batch(fn: () => void): void
  dispose(): void
}

function alienLib(): SignalLib {
  const stops: Array<() => void> = []
  return {
    signal<T>(value: T) {
      const s = alien.signal(value)
      return { read: () => s(), write: (v: T) => s(v) }
    },
    computed<T>(fn: () => T) {
      const c = alien.computed(fn)
      return { read: () => c() }
    },
    effect: (fn) => void stops.push(alien.effect(fn)),
    batch(fn) {
      alien.startBatch()
      try {
        fn()
      } finally {
        alien.endBatch()
      }
    },
    dispose: () => stops.splice(0).forEach((stop) => stop()),
  }
}

function preactLib(): SignalLib {
  const stops: Array<() => void> = []
  return {
    signal<T>(value: T) {
      const s = preact.signal(value)
      return { read: () => s.value, write: (v: T) => void (s.value = v) }
    },
    computed<T>(fn: () => T) {
      const c = preact.computed(fn)
      return { read: () => c.value }
    },
    effect: (fn) => void stops.push(preact.effect(fn)),
    batch: (fn) => preact.batch(fn),
    dispose: () => stops.splice(0).forEach((stop) => stop()),
  }
}

/** 100 loop turns of pretend work, as kairo's `busy()`. */
function busy(): number {
  let a = 0
  for (let i = 0; i < 100; i++) a++
  return a
}

// --- switchboard ----------------------------------------------------------------------------

/** A board with helpers for the two shapes every case uses: a computed and an effect. */
function boardKit(name: string) {
  const board = createBoard({ name: `p1-${name}`, version: 1 })
  let stores = 0
  let effects = 0
  return {
    board,
    effects: () => effects,
    store<T>(initial: T): Store<T> {
      return board.store<T>(`s${stores++}`, { initial })
    },
    /** A store kept equal to `run(...inputs)` by a callback. */
    computed<T>(inputs: readonly Store<unknown>[], run: (...values: never[]) => T, initial: T): Store<T> {
      const out = board.store<T>(`s${stores++}`, { initial })
      board.callback({ inputs: [...inputs], outputs: [out], run: run as (...values: unknown[]) => T })
      return out
    },
    /** A side effect: a callback without outputs, counted. */
    effect(inputs: readonly Store<unknown>[], run: () => void = () => {}) {
      board.callback({
        inputs: [...inputs],
        outputs: [],
        run: () => {
          effects++
          run()
        },
      })
    },
    async ready(iter: () => number): Promise<Built> {
      await board.start()
      return { iter, effects: () => effects, dispose: () => board.dispose() }
    },
  }
}

/** Start and end values of cellx, for any layer count ≡ 4 (mod 6), as 1000 and 2500 are. */
const cellxExpected = { before: [-3, -6, -2, 2], after: [-2, -4, 2, 3] }

/** Sums the first `n` arguments of a run: the last argument is always the ctx. */
function sumOf(xs: readonly number[], n: number): number {
  let sum = 0
  for (let i = 0; i < n; i++) sum += xs[i]!
  return sum
}

// --- the cases --------------------------------------------------------------------------------

interface Case {
  name: string
  signals(lib: SignalLib): Built
  board(): Promise<Built>
}

/** Wraps a signal case's graph and iteration with an effect counter. */
function signalBuilt(lib: SignalLib, counter: { n: number }, iter: () => number): Built {
  return { iter, effects: () => counter.n, dispose: () => lib.dispose() }
}

/** Exported so a scratch page can profile one case alone (`npm run bench -- --profile`). */
export const cases: Case[] = [
  {
    // head → c1 → … → c50 → effect; 50 writes.
    name: 'deep',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      let current: Cell<number> = head
      for (let i = 0; i < 50; i++) {
        const c = current
        current = lib.computed(() => c.read() + 1)
      }
      const last = current
      lib.effect(() => {
        last.read()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let sum = 0
        lib.batch(() => head.write(1))
        for (let i = 0; i < 50; i++) {
          lib.batch(() => {
            head.write(i)
            sum += last.read()
          })
        }
        return sum
      })
    },
    async board() {
      const k = boardKit('deep')
      const head = k.store(0)
      let current = head
      for (let i = 0; i < 50; i++) current = k.computed([current], (x: number) => x + 1, 0)
      const last = current
      k.effect([last])
      return k.ready(() => {
        let sum = 0
        head.set(1)
        for (let i = 0; i < 50; i++) {
          head.set(i)
          sum += last.get()
        }
        return sum
      })
    },
  },
  {
    // 50 × (head → a_i = head + i → b_i = a_i + 1 → effect); 50 writes.
    name: 'broad',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      let last: Cell<number> = head
      for (let i = 0; i < 50; i++) {
        const a = lib.computed(() => head.read() + i)
        const b = lib.computed(() => a.read() + 1)
        lib.effect(() => {
          b.read()
          n.n++
        })
        last = b
      }
      const end = last
      return signalBuilt(lib, n, () => {
        let sum = 0
        lib.batch(() => head.write(1))
        for (let i = 0; i < 50; i++) {
          lib.batch(() => head.write(i))
          sum += end.read()
        }
        return sum
      })
    },
    async board() {
      const k = boardKit('broad')
      const head = k.store(0)
      let last = head
      for (let i = 0; i < 50; i++) {
        const a = k.computed([head], (h: number) => h + i, 0)
        const b = k.computed([a], (x: number) => x + 1, 0)
        k.effect([b])
        last = b
      }
      const end = last
      return k.ready(() => {
        let sum = 0
        head.set(1)
        for (let i = 0; i < 50; i++) {
          head.set(i)
          sum += end.get()
        }
        return sum
      })
    },
  },
  {
    // head → 5 × (head + 1) → sum → effect; 500 writes.
    name: 'diamond',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      const branches = Array.from({ length: 5 }, () => lib.computed(() => head.read() + 1))
      const sum = lib.computed(() => branches.map((b) => b.read()).reduce((a, b) => a + b, 0))
      lib.effect(() => {
        sum.read()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let check = 0
        lib.batch(() => head.write(1))
        check += sum.read()
        for (let i = 0; i < 500; i++) {
          lib.batch(() => {
            head.write(i)
            check += sum.read()
          })
        }
        return check
      })
    },
    async board() {
      const k = boardKit('diamond')
      const head = k.store(0)
      const branches = Array.from({ length: 5 }, () => k.computed([head], (h: number) => h + 1, 0))
      const sum = k.computed(branches, (...xs: number[]) => sumOf(xs, 5), 0)
      k.effect([sum])
      return k.ready(() => {
        let check = 0
        head.set(1)
        check += sum.get()
        for (let i = 0; i < 500; i++) {
          head.set(i)
          check += sum.get()
        }
        return check
      })
    },
  },
  {
    // head → c1 → … → c9, sum of (head, c1 … c9) → effect; 100 writes.
    name: 'triangle',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      let current: Cell<number> = head
      const list: Cell<number>[] = []
      for (let i = 0; i < 10; i++) {
        const c = current
        list.push(current)
        current = lib.computed(() => c.read() + 1)
      }
      const sum = lib.computed(() => list.map((x) => x.read()).reduce((a, b) => a + b, 0))
      lib.effect(() => {
        sum.read()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let check = 0
        lib.batch(() => {
          head.write(1)
          check += sum.read()
        })
        for (let i = 0; i < 100; i++) {
          lib.batch(() => {
            head.write(i)
            check += sum.read()
          })
        }
        return check
      })
    },
    async board() {
      const k = boardKit('triangle')
      const head = k.store(0)
      let current = head
      const list: Store<number>[] = []
      for (let i = 0; i < 10; i++) {
        list.push(current)
        current = k.computed([current], (x: number) => x + 1, 0)
      }
      const sum = k.computed(list, (...xs: number[]) => sumOf(xs, 10), 0)
      k.effect([sum])
      return k.ready(() => {
        let check = 0
        head.set(1)
        check += sum.get()
        for (let i = 0; i < 100; i++) {
          head.set(i)
          check += sum.get()
        }
        return check
      })
    },
  },
  {
    // 100 heads → one object → 100 × (pick index → + 1 → effect); 20 single writes.
    name: 'mux',
    signals(lib) {
      const n = { n: 0 }
      const heads = Array.from({ length: 100 }, () => lib.signal(0))
      const mux = lib.computed(() => Object.fromEntries(heads.map((h) => h.read()).entries()))
      const split = heads.map((_, i) => lib.computed(() => mux.read()[i]!)).map((x) => lib.computed(() => x.read() + 1))
      for (const x of split) {
        lib.effect(() => {
          x.read()
          n.n++
        })
      }
      return signalBuilt(lib, n, () => {
        let check = 0
        for (let i = 0; i < 10; i++) {
          lib.batch(() => {
            heads[i]!.write(i)
            check += split[i]!.read()
          })
        }
        for (let i = 0; i < 10; i++) {
          lib.batch(() => {
            heads[i]!.write(i * 2)
            check += split[i]!.read()
          })
        }
        return check
      })
    },
    async board() {
      const k = boardKit('mux')
      const heads = Array.from({ length: 100 }, () => k.store(0))
      const mux = k.computed(
        heads,
        (...xs: number[]) => {
          const m: Record<number, number> = {}
          for (let i = 0; i < 100; i++) m[i] = xs[i]!
          return m
        },
        {} as Record<number, number>,
      )
      const split = heads
        .map((_, i) => k.computed([mux], (m: Record<number, number>) => m[i]!, 0))
        .map((x) => k.computed([x], (v: number) => v + 1, 0))
      for (const x of split) k.effect([x])
      return k.ready(() => {
        let check = 0
        for (let i = 0; i < 10; i++) {
          heads[i]!.set(i)
          check += split[i]!.get()
        }
        for (let i = 0; i < 10; i++) {
          heads[i]!.set(i * 2)
          check += split[i]!.get()
        }
        return check
      })
    },
  },
  {
    // one computed reading the head 30 times → effect; 100 writes.
    name: 'repeatedObservers',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      const current = lib.computed(() => {
        let result = 0
        for (let i = 0; i < 30; i++) result += head.read()
        return result
      })
      lib.effect(() => {
        current.read()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let check = 0
        lib.batch(() => {
          head.write(1)
          check += current.read()
        })
        for (let i = 0; i < 100; i++) {
          lib.batch(() => {
            head.write(i)
            check += current.read()
          })
        }
        return check
      })
    },
    async board() {
      const k = boardKit('repeatedObservers')
      const head = k.store(0)
      const inputs = Array.from({ length: 30 }, () => head)
      const current = k.computed(
        inputs,
        (...xs: number[]) => {
          let result = 0
          for (let i = 0; i < 30; i++) result += xs[i]!
          return result
        },
        0,
      )
      k.effect([current])
      return k.ready(() => {
        let check = 0
        head.set(1)
        check += current.get()
        for (let i = 0; i < 100; i++) {
          head.set(i)
          check += current.get()
        }
        return check
      })
    },
  },
  {
    // head → double, inverse; current reads 20 × (head odd ? double : inverse) → effect.
    name: 'unstable',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      const double = lib.computed(() => head.read() * 2)
      const inverse = lib.computed(() => -head.read())
      const current = lib.computed(() => {
        let result = 0
        for (let i = 0; i < 20; i++) result += head.read() % 2 ? double.read() : inverse.read()
        return result
      })
      lib.effect(() => {
        current.read()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let check = 0
        lib.batch(() => head.write(1))
        check += current.read()
        for (let i = 0; i < 100; i++) {
          lib.batch(() => head.write(i))
          check += current.read()
        }
        return check
      })
    },
    async board() {
      const k = boardKit('unstable')
      const head = k.store(0)
      const double = k.computed([head], (h: number) => h * 2, 0)
      const inverse = k.computed([head], (h: number) => -h, 0)
      const current = k.computed(
        [head, double, inverse],
        (h: number, d: number, inv: number) => {
          let result = 0
          for (let i = 0; i < 20; i++) result += h % 2 ? d : inv
          return result
        },
        0,
      )
      k.effect([current])
      return k.ready(() => {
        let check = 0
        head.set(1)
        check += current.get()
        for (let i = 0; i < 100; i++) {
          head.set(i)
          check += current.get()
        }
        return check
      })
    },
  },
  {
    // head → c1 → c2 (always 0: the change stops here) → c3 (busy) → c4 → c5 → effect (busy).
    name: 'avoidablePropagation',
    signals(lib) {
      const n = { n: 0 }
      const head = lib.signal(0)
      const c1 = lib.computed(() => head.read())
      const c2 = lib.computed(() => (c1.read(), 0))
      const c3 = lib.computed(() => (busy(), c2.read() + 1))
      const c4 = lib.computed(() => c3.read() + 2)
      const c5 = lib.computed(() => c4.read() + 3)
      lib.effect(() => {
        c5.read()
        busy()
        n.n++
      })
      return signalBuilt(lib, n, () => {
        let check = 0
        head.write(1)
        check += c5.read()
        for (let i = 0; i < 1000; i++) {
          lib.batch(() => {
            head.write(i)
            check += c5.read()
          })
        }
        return check
      })
    },
    async board() {
      const k = boardKit('avoidablePropagation')
      const head = k.store(0)
      const c1 = k.computed([head], (h: number) => h, 0)
      const c2 = k.computed([c1], () => 0, 0)
      const c3 = k.computed([c2], (x: number) => (busy(), x + 1), 0)
      const c4 = k.computed([c3], (x: number) => x + 2, 0)
      const c5 = k.computed([c4], (x: number) => x + 3, 0)
      k.effect([c5], busy)
      return k.ready(() => {
        let check = 0
        head.set(1)
        check += c5.get()
        for (let i = 0; i < 1000; i++) {
          head.set(i)
          check += c5.get()
        }
        return check
      })
    },
  },
  cellx(1000),
  cellx(2500),
]

/**
 * cellx: `layers` layers of four cells, each reading the layer above:
 *   p1 = q2, p2 = q1 - q3, p3 = q2 + q4, p4 = q3, with an effect on every cell.
 * One iteration writes the four start cells in one batch and reads the four end cells.
 */
function cellx(layers: number): Case {
  const starts = [
    [4, 3, 2, 1],
    [1, 2, 3, 4],
  ] as const
  const expected = [cellxExpected.after, cellxExpected.before]
  const check = (ends: number[], phase: number): number => {
    const want = expected[phase]!
    if (ends.some((v, i) => v !== want[i])) throw new Error(`cellx${layers}: got [${ends}], want [${want}]`)
    return ends.reduce((a, b) => a + b, 0)
  }
  return {
    name: `cellx${layers}`,
    signals(lib) {
      const n = { n: 0 }
      const start = [1, 2, 3, 4].map((v) => lib.signal(v))
      let layer: Cell<number>[] = start
      for (let i = 0; i < layers; i++) {
        const [q1, q2, q3, q4] = layer as [Cell<number>, Cell<number>, Cell<number>, Cell<number>]
        const next = [
          lib.computed(() => q2.read()),
          lib.computed(() => q1.read() - q3.read()),
          lib.computed(() => q2.read() + q4.read()),
          lib.computed(() => q3.read()),
        ]
        for (const cell of next) {
          lib.effect(() => {
            cell.read()
            n.n++
          })
        }
        layer = next
      }
      const end = layer
      let phase = 0
      return signalBuilt(lib, n, () => {
        const values = starts[phase]!
        lib.batch(() => start.forEach((s, i) => s.write(values[i]!)))
        const sum = check(
          end.map((c) => c.read()),
          phase,
        )
        phase ^= 1
        return sum
      })
    },
    async board() {
      const k = boardKit(`cellx${layers}`)
      const start = [1, 2, 3, 4].map((v) => k.store(v))
      let layer = start
      for (let i = 0; i < layers; i++) {
        const [q1, q2, q3, q4] = layer as [Store<number>, Store<number>, Store<number>, Store<number>]
        const next = [
          k.computed([q2], (a: number) => a, 0),
          k.computed([q1, q3], (a: number, b: number) => a - b, 0),
          k.computed([q2, q4], (a: number, b: number) => a + b, 0),
          k.computed([q3], (a: number) => a, 0),
        ]
        for (const cell of next) k.effect([cell])
        layer = next
      }
      const end = layer
      let phase = 0
      return k.ready(() => {
        const values = starts[phase]!
        k.board.batch(() => start.forEach((s, i) => s.set(values[i]!)))
        const sum = check(
          end.map((c) => c.get()),
          phase,
        )
        phase ^= 1
        return sum
      })
    },
  }
}

// --- the run ------------------------------------------------------------------------------------

type Impl = 'ours' | 'alien' | 'preact'

/** Runs two iterations of each and insists on equal checksums and effect counts. */
function sanity(name: string, built: Record<Impl, Built>): void {
  for (let round = 0; round < 2; round++) {
    const seen = (Object.entries(built) as Array<[Impl, Built]>).map(([impl, b]) => {
      const before = b.effects()
      const sum = b.iter()
      return { impl, sum, effects: b.effects() - before }
    })
    const [first] = seen
    for (const s of seen) {
      if (s.sum !== first!.sum || s.effects !== first!.effects) {
        const got = seen
          .map((x) => `${x.impl}: checksum ${String(x.sum).slice(0, 40)}, ${x.effects} effect runs`)
          .join('; ')
        throw new Error(`P1 ${name}: implementations disagree (${got})`)
      }
    }
  }
}

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = []
  const vsAlien: number[] = []
  const vsPreact: number[] = []
  // VITE_P1_CASES=deep,broad npm run bench -- P1 --profile: only those cases (a profile of
  // one case; bench/profile-split.mjs splits it by implementation). A run of all cases
  // is what latest.json keeps.
  const only = (import.meta.env.VITE_P1_CASES as string | undefined)?.split(',')
  for (const c of cases) {
    if (only && !only.includes(c.name)) continue
    const built: Record<Impl, Built> = {
      ours: await c.board(),
      alien: c.signals(alienLib()),
      preact: c.signals(preactLib()),
    }
    sanity(c.name, built)
    // Named roots, so a CPU profile tells the three apart (bench/profile-split.mjs).
    const { ms } = await timeInterleaved(
      {
        ours: function p1_ours() {
          return built.ours.iter()
        },
        alien: function p1_alien() {
          return built.alien.iter()
        },
        preact: function p1_preact() {
          return built.preact.iter()
        },
      },
      { warmupMs: 300, targetMs: 15, samples: 15 },
    )
    for (const b of Object.values(built)) b.dispose()
    vsAlien.push(ms.ours / ms.alien)
    vsPreact.push(ms.ours / ms.preact)
    rows.push({
      case: c.name,
      ours_ms: round(ms.ours),
      anchors: { alien: round(ms.alien), preact: round(ms.preact) },
      ratios: { 'ours/alien': round(ms.ours / ms.alien), 'ours/preact': round(ms.ours / ms.preact) },
    })
    console.log(
      `${c.name}: ours ${ms.ours.toFixed(4)} ms, alien ${ms.alien.toFixed(4)}, preact ${ms.preact.toFixed(4)}`,
    )
  }
  return {
    id: 'P1',
    rows,
    summary: {
      'geomean ours/alien': round(geomean(vsAlien)),
      'geomean ours/preact': round(geomean(vsPreact)),
    },
    notes:
      'ms per kairo iteration (cellx: per batched write of the 4 start cells); medians of 15 interleaved samples after warm-up. ' +
      'Targets: geomean ours/alien <= 1.3, ours/preact <= 1.0.',
  }
}
