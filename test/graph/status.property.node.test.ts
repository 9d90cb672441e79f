/**
 * Property test of the 'change' event (issue 12 §2). fast-check draws a random DAG of
 * synchronous callbacks (each reads one to three earlier stores and writes one or two later
 * stores no other callback writes; it returns a value, noUpdate for one output, or throws)
 * and a random sequence of sets and batches. Every step is one drain, so for each step:
 *
 *  - exactly one 'change' event if a store changed or a callback ran, none otherwise;
 *  - its `stores` are the stores whose subscribers were told, each once, in that order;
 *  - its `callbacks` are the callbacks that ran, each once, in the order they first ran;
 *  - `board.status(id)` agrees with the runs counted and with the latest run's outcome.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type BoardChange, createBoard, noUpdate, type Store } from '../../src/index'

interface CallbackSpec {
  inputs: number[]
  outputs: number[]
  /** Returns noUpdate for its first output when the sum of inputs is divisible by this. */
  skipEvery: number
  /** Throws when the sum of inputs is divisible by this. */
  throwEvery: number
}

const STORES = 10

const graphArb = fc
  .array(
    fc.record({
      at: fc.integer({ min: 1, max: STORES - 2 }),
      reads: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }),
      writes: fc.integer({ min: 1, max: 2 }),
      skipEvery: fc.integer({ min: 2, max: 5 }),
      throwEvery: fc.integer({ min: 3, max: 7 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((drawn) => {
    // Store i may be written by one callback only; a callback at `at` reads stores below
    // `at` and writes free stores from `at` up: the graph is acyclic by construction.
    const written = new Set<number>()
    const callbacks: CallbackSpec[] = []
    for (const d of drawn) {
      const outputs: number[] = []
      for (let s = d.at; s < STORES && outputs.length < d.writes; s++) if (!written.has(s)) outputs.push(s)
      if (!outputs.length) continue
      for (const s of outputs) written.add(s)
      const inputs = [...new Set(d.reads.map((r) => r % d.at))]
      callbacks.push({ inputs, outputs, skipEvery: d.skipEvery, throwEvery: d.throwEvery })
    }
    return callbacks
  })

const stepArb = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    store: fc.nat({ max: STORES - 1 }),
    value: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('batch' as const),
    sets: fc.array(fc.tuple(fc.nat({ max: STORES - 1 }), fc.integer({ min: 0, max: 4 })), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
)

let n = 0

describe("property: one 'change' per drain, naming exactly what changed", () => {
  it('random sync DAGs, random sets and batches', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, fc.array(stepArb, { minLength: 1, maxLength: 15 }), async (specs, steps) => {
        const board = createBoard({ name: `status-prop-${++n}` })
        const stores: Array<Store<number>> = []
        for (let i = 0; i < STORES; i++) stores.push(board.store(`s${i}`, { initial: 0 }))
        const runs = new Map<string, number>()
        const threw = new Map<string, boolean>()
        let ran: string[] = []
        specs.forEach((spec, k) => {
          const id = `c${k}`
          runs.set(id, 0)
          board.callback({
            id,
            inputs: spec.inputs.map((i) => stores[i]!),
            outputs: spec.outputs.map((i) => stores[i]!),
            // One output returns the value, several an array: decided at run time here.
            run: ((...args: unknown[]) => {
              ran.push(id)
              runs.set(id, runs.get(id)! + 1)
              const sum = (args.slice(0, spec.inputs.length) as number[]).reduce((a, b) => a + b, 0)
              threw.set(id, sum % spec.throwEvery === 0)
              if (sum % spec.throwEvery === 0) throw new Error(`${id}: sum ${sum}`)
              const out = spec.outputs.map((_, j) => (sum + j) % 5)
              if (sum % spec.skipEvery === 0) out[0] = noUpdate as unknown as number
              return spec.outputs.length === 1 ? out[0] : out
            }) as never,
          })
        })
        await board.start()
        let told: string[] = []
        stores.forEach((s) => s.subscribe(() => told.push(s.id)))
        const events: BoardChange[] = []
        board.on('change', (e) => events.push(e))

        for (const step of steps) {
          told = []
          ran = []
          events.length = 0
          if (step.kind === 'set') stores[step.store]!.set(step.value)
          else board.batch(() => step.sets.forEach(([s, v]) => stores[s]!.set(v)))
          const unique = (xs: string[]) => [...new Set(xs)]
          if (told.length === 0 && ran.length === 0) expect(events).toEqual([])
          else expect(events).toEqual([{ stores: unique(told), callbacks: unique(ran) }])
        }
        for (const [id, count] of runs) {
          const status = board.status(id)!
          expect(status.stats.runs).toBe(count)
          expect(status.running).toBe(false)
          expect(status.error !== undefined).toBe(threw.get(id) ?? false)
        }
        board.dispose()
      }),
      { numRuns: 150 },
    )
  })
})
