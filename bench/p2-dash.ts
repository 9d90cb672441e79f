// P2: Dash-shaped graphs, ms per wave from `set()` to settled.
//
//   chain:   s0 → [cb1] → s1 → [cb2] → … → [cb100] → s100         (100 callbacks deep)
//   fan-out: s0 → [cb1] → s1, s0 → [cb2] → s2, …, s0 → [cb300] → s300  (300 wide)
//
// Each shape is timed three ways:
//   sync        synchronous callbacks; the wave has settled when set() returns,
//   sync+idle   the same, plus `await board.idle()`, what an app awaiting the board pays,
//   async       `async` callbacks (each settles a microtask later); set(), then idle().
// Targets (DESIGN): chain ≤ 1 ms, fan-out ≤ 2 ms per wave.
//
// The sync chain also runs beside alien-signals 3 in the same page, interleaved (issue 13:
// ≤ 1.2× alien per wave): a chain of 100 computeds, each the one before plus one, with an
// effect reading the end (eager, as a callback chain is); one wave is one write of the
// source. Both ends are checked against the expected value before anything is timed.
import * as alien from 'alien-signals'
import { type Board, createBoard, type Store } from '../src/index'
import { type BenchResult, type BenchRow, round, timeInterleaved, timeOne } from './timing'

/** alien-signals' 100-deep chain: source → c1 → … → c100, an effect reading c100. */
function alienChain(depth: number): { wave(): void; end(): number; value(): number; dispose(): void } {
  const source = alien.signal(0)
  let current: () => number = source
  for (let i = 0; i < depth; i++) {
    const prev = current
    current = alien.computed(() => prev() + 1)
  }
  const last = current
  let seen = 0
  const stop = alien.effect(() => {
    seen = last()
  })
  let value = 0
  return {
    wave: () => source(++value),
    end: () => seen,
    value: () => value,
    dispose: stop,
  }
}

type Mode = 'sync' | 'sync+idle' | 'async'

interface Shape {
  name: string
  targetMs: number
  /** Builds the graph; returns the source and a check that the wave reached every end. */
  build(board: Board, mode: Mode): { source: Store<number>; settled(value: number): boolean }
}

const step = (x: number) => x + 1
const asyncStep = async (x: number) => x + 1

const shapes: Shape[] = [
  {
    name: 'chain100',
    targetMs: 1,
    build(board, mode) {
      const source = board.store<number>('s0', { initial: 0 })
      let current = source
      for (let i = 1; i <= 100; i++) {
        const out = board.store<number>(`s${i}`, { initial: 0 })
        board.callback({ id: `cb${i}`, inputs: [current], outputs: [out], run: mode === 'async' ? asyncStep : step })
        current = out
      }
      const end = current
      return { source, settled: (v) => end.get() === v + 100 }
    },
  },
  {
    name: 'fanout300',
    targetMs: 2,
    build(board, mode) {
      const source = board.store<number>('s0', { initial: 0 })
      const outs: Store<number>[] = []
      for (let i = 1; i <= 300; i++) {
        const out = board.store<number>(`s${i}`, { initial: 0 })
        board.callback({ id: `cb${i}`, inputs: [source], outputs: [out], run: mode === 'async' ? asyncStep : step })
        outs.push(out)
      }
      return { source, settled: (v) => outs.every((o) => o.get() === v + 1) }
    },
  },
]

const modes: Mode[] = ['sync', 'sync+idle', 'async']

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = []
  const worst: Record<string, number> = {}
  for (const shape of shapes) {
    for (const mode of modes) {
      const board = createBoard({ name: `p2-${shape.name}-${mode}`, version: 1 })
      const { source, settled } = shape.build(board, mode)
      await board.start()
      let value = 0
      const check = (): void => {
        if (!settled(value)) throw new Error(`P2 ${shape.name} ${mode}: wave ${value} had not settled`)
      }
      const wave =
        mode === 'sync'
          ? () => source.set(++value)
          : async () => {
              source.set(++value)
              await board.idle()
            }
      // Sanity: a wave reaches every end before it counts as settled.
      for (let i = 0; i < 3; i++) {
        await wave()
        check()
      }
      let ms: number
      const anchors: Record<string, number> = { target: shape.targetMs }
      const ratios: Record<string, number> = {}
      if (shape.name === 'chain100' && mode === 'sync') {
        // Beside alien-signals, interleaved; its chain is checked as ours is.
        const other = alienChain(100)
        const checkOther = (): void => {
          if (other.end() !== other.value() + 100)
            throw new Error(`P2 chain100 alien: end is ${other.end()}, expected ${other.value() + 100}`)
        }
        for (let i = 0; i < 3; i++) {
          other.wave()
          checkOther()
        }
        // Named roots, so a CPU profile tells the two apart (bench/profile-split.mjs).
        const t = await timeInterleaved(
          {
            ours: function p2_ours() {
              return wave()
            },
            alien: function p2_alien() {
              return other.wave()
            },
          },
          { warmupMs: 300, targetMs: 20, samples: 15 },
        )
        checkOther()
        other.dispose()
        ms = t.ms.ours
        anchors.alien = round(t.ms.alien)
        ratios['ours/alien'] = round(t.ms.ours / t.ms.alien)
        worst['chain100 sync ours/alien'] = round(t.ms.ours / t.ms.alien)
        console.log(`chain100 sync: alien-signals ${t.ms.alien.toFixed(4)} ms per wave`)
      } else ms = await timeOne(wave, { warmupMs: 300, targetMs: 20, samples: 15 })
      check()
      board.dispose()
      rows.push({
        case: `${shape.name} ${mode}`,
        ours_ms: round(ms),
        anchors,
        ratios: { 'ours/target': round(ms / shape.targetMs), ...ratios },
      })
      worst[`${shape.name} worst ours/target`] = Math.max(
        worst[`${shape.name} worst ours/target`] ?? 0,
        round(ms / shape.targetMs),
      )
      console.log(`${shape.name} ${mode}: ${ms.toFixed(4)} ms per wave`)
    }
  }
  return {
    id: 'P2',
    rows,
    summary: worst,
    notes:
      'ms per wave, set() to settled: sync = set() returns; sync+idle = set() then await idle(); ' +
      'async = async callbacks, set() then await idle(). Medians of 15 samples after warm-up. Targets: chain <= 1 ms, fan-out <= 2 ms; ' +
      'chain100 sync <= 1.2x alien-signals (a 100-deep computed chain with an effect on its end, interleaved in the same page).',
  }
}
