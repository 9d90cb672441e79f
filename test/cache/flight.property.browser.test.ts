/**
 * Single flight as a property (issue 11 §3), in real Chromium: several boards of one name
 * in one page play tabs (they share IndexedDB, Web Locks and BroadcastChannel), and a random
 * interleaving of sets, supersessions (a set while the run is in flight), clears, disposes
 * and reloads runs against them.
 *
 *   tab i:  n ─► [f, cache: global, async, ignores its signal] ─► out        f(x) = x * 10 + 1
 *
 * Properties, after every live board is idle:
 * - every live board's `out` is f of its own `n`, and no board has an error;
 * - each key (input value) that was computed has exactly one finished execution; a clear()
 *   allows one more per key (it removes entries at some point while the tabs compute, so a
 *   key written before that point is computed again after it); an execution whose board was
 *   disposed before its cache write was done does not count (its lock was let go, so
 *   another tab may compute the key again).
 *
 * Waits are turns of the event loop (no wall clock), so only the interleaving is random.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'

let runId = 0
const turns = (k: number) =>
  k ? new Promise<void>((r) => setTimeout(() => void turns(k - 1).then(r), 0)) : Promise.resolve()

type Op =
  | { kind: 'set'; tab: number; value: number; wait: number }
  | { kind: 'clear'; tab: number; wait: number }
  | { kind: 'dispose'; tab: number; wait: number }
  | { kind: 'reload'; tab: number; wait: number }

const tabs = 3
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      tab: fc.nat(tabs - 1),
      value: fc.nat(4),
      wait: fc.nat(3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), tab: fc.nat(tabs - 1), wait: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('dispose' as const), tab: fc.nat(tabs - 1), wait: fc.nat(3) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const), tab: fc.nat(tabs - 1), wait: fc.nat(3) }) },
)

interface Execution {
  key: number
  tab: Tab
  finished: boolean
  /** Its board went idle (its cache write done) before being disposed: the execution counts. */
  committed: boolean
}
interface Tab {
  board: Board
  n: ReturnType<Board['store']>
  out: ReturnType<Board['store']>
  disposed: boolean
}

const made: Board[] = []
afterEach(() => {
  for (const b of made.splice(0)) b.dispose()
  sessionStorage.clear()
})

describe('single flight, as a property', () => {
  it('random sets, supersessions, clears, disposes and reloads across tabs: one execution per key (plus one per clear); every tab ends with f of its own input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(4), { minLength: tabs, maxLength: tabs }),
        fc.array(op, { maxLength: 16 }),
        async (initial, ops) => {
          const name = `property-flight-${Date.now()}-${++runId}`
          const executions: Execution[] = []
          let clears = 0
          const open = (i: number): Tab => {
            const board = createBoard({ name, version: 1 })
            made.push(board)
            const n = board.store('n', { initial: initial[i]! })
            const out = board.store<number>('out')
            const tab: Tab = { board, n, out, disposed: false }
            board.callback({
              id: 'f',
              inputs: [n],
              outputs: [out],
              cache: {},
              run: async (x: number) => {
                const e: Execution = { key: x, tab, finished: false, committed: false }
                executions.push(e)
                await turns(1 + (x % 3))
                e.finished = true
                if (!tab.disposed) void board.idle().then(() => (e.committed = !tab.disposed))
                return x * 10 + 1
              },
            })
            void board.start()
            return tab
          }
          const live: Tab[] = Array.from({ length: tabs }, (_, i) => open(i))

          const pending: Array<{ tab: Tab; cleared: Promise<unknown> }> = []
          for (const o of ops) {
            const t = live[o.tab]!
            if (o.kind === 'set') t.n.set(o.value)
            else if (o.kind === 'clear') {
              clears++
              pending.push({ tab: t, cleared: t.board.clear() })
            } else if (o.kind === 'dispose') {
              t.disposed = true
              t.board.dispose()
            } else {
              // A reload: the tab's board goes, a new one of the name comes.
              t.disposed = true
              t.board.dispose()
              live[o.tab] = open(o.tab)
            }
            await turns(o.wait)
          }
          // A clear asked by a board disposed since is not awaited: it stops with its board.
          await Promise.all(pending.filter((p) => !p.tab.disposed).map((p) => p.cleared))
          // Idle until nothing more arrives: a clear told to another tab runs a wave there.
          for (let round = 0; round < 3; round++) {
            await Promise.all(live.filter((t) => !t.disposed).map((t) => t.board.start().then(() => t.board.idle())))
            await turns(2)
          }

          for (const t of live) {
            if (t.disposed) continue
            expect(t.board.errors.size).toBe(0)
            expect(t.out.get()).toBe((t.n.get() as number) * 10 + 1)
          }
          // Finished, counted executions per key: exactly one, plus at most one per clear.
          const byKey = new Map<number, number>()
          for (const e of executions) if (e.finished && e.committed) byKey.set(e.key, (byKey.get(e.key) ?? 0) + 1)
          for (const [key, count] of byKey) {
            if (clears === 0) expect(count, `executions of key ${key}`).toBe(1)
            else expect(count, `executions of key ${key} with ${clears} clears`).toBeLessThanOrEqual(1 + clears)
          }
        },
      ),
      // A run that hangs fails with its counterexample instead of timing the test out.
      { numRuns: 60, timeout: 20_000 },
    )
  }, 120_000)
})
