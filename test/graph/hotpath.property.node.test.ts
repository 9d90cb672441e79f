/**
 * Property test of the scheduler's synchronous hot path (issue 13 P1): stores nobody sees
 * (memory, no subscriber) skip the changed list, values go straight to `run`, and the
 * changed lists are reused between drains. fast-check draws a random DAG of synchronous
 * callbacks (1 to 4 inputs, sometimes state, one output, several or none; noUpdate), a random
 * subset of stores subscribed from the start, and random sequences of sets and batches; some
 * runs subscribe to a store in the middle of the wave, and a 'change' listener may be added in
 * the middle of one. After each set (no idle(): a synchronous wave has settled when set()
 * returns), a reference model checks:
 *
 *  - every store holds what a naive recompute of the whole graph in topological order gives;
 *  - each callback ran at most once in the wave, and after every callback upstream of it
 *    (inputs or state) that ran in the wave;
 *  - each subscriber was called exactly once if its store changed in the wave (set and set
 *    back included; one added in the middle of the wave included), with the final value,
 *    and not at all otherwise;
 *  - the 'change' event named exactly the stores that changed in the wave, once each (a
 *    listener added in the middle of the wave included).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createBoard, noUpdate, type Store } from '../../src/index'

interface CbSpec {
  inputs: number[]
  state: number[]
  /** Output store indexes (all above every input and state: the graph is a DAG by construction). */
  outputs: number[]
  /** Weights of the sum written to each output; 0: noUpdate for that slot when the sum is even. */
  salt: number
}

interface Spec {
  stores: number
  callbacks: CbSpec[]
  subscribed: boolean[]
}

const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 3, max: 14 }).chain((stores) =>
  fc
    .record({
      callbacks: fc.array(
        fc.integer({ min: 1, max: stores - 1 }).chain((split) =>
          fc.record({
            inputs: fc.array(fc.integer({ min: 0, max: split - 1 }), { minLength: 1, maxLength: 4 }),
            state: fc.array(fc.integer({ min: 0, max: split - 1 }), { maxLength: 1 }),
            outputs: fc.uniqueArray(fc.integer({ min: split, max: stores - 1 }), { maxLength: 2 }),
            salt: fc.integer({ min: 0, max: 3 }),
          }),
        ),
        { minLength: 1, maxLength: 12 },
      ),
      subscribed: fc.array(fc.boolean(), { minLength: stores, maxLength: stores }),
    })
    .map((r) => {
      // One writer per store: later callbacks lose the outputs already taken.
      const taken = new Set<number>()
      const callbacks = r.callbacks.map((c) => {
        const outputs = c.outputs.filter((o) => !taken.has(o))
        for (const o of outputs) taken.add(o)
        return { ...c, outputs }
      })
      return { stores, callbacks, subscribed: r.subscribed }
    }),
)

type Step =
  | { k: 'set'; store: number; value: number }
  | { k: 'batch'; sets: Array<{ store: number; value: number }> }
  | { k: 'late-subscribe'; in: number; store: number }
  | { k: 'late-listen'; in: number }

const stepArb = (spec: Spec): fc.Arbitrary<Step> => {
  const store = fc.integer({ min: 0, max: spec.stores - 1 })
  const value = fc.integer({ min: -3, max: 3 })
  const cb = fc.integer({ min: 0, max: spec.callbacks.length - 1 })
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('set' as const), store, value }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('batch' as const),
        sets: fc.array(fc.record({ store, value }), { minLength: 1, maxLength: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('late-subscribe' as const), in: cb, store }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('late-listen' as const), in: cb }) },
  )
}

/** What callback `c` returns for its output slot `o` from the values it read. */
function compute(c: CbSpec, args: readonly number[], o: number): number | typeof noUpdate {
  let sum = 0
  for (let i = 0; i < args.length; i++) sum += (i + 1 + c.salt) * args[i]!
  if (c.salt === 0 && sum % 2 === 0 && o === 1) return noUpdate
  return sum + o
}

async function check(spec: Spec, steps: Step[]): Promise<void> {
  const board = createBoard({ name: 'hotpath-property', register: false })
  const stores: Store<number>[] = Array.from({ length: spec.stores }, (_, i) => board.store(`s${i}`, { initial: 0 }))
  const writer = new Map<number, number>()
  spec.callbacks.forEach((c, j) => {
    for (const o of c.outputs) writer.set(o, j)
  })
  const problems: string[] = []
  /** Callbacks that ran in the current wave, in order. */
  let ran: number[] = []
  /** Per store: subscriber calls in the current wave (values seen). */
  let calls: Map<number, number[]> = new Map()
  const subscribe = (i: number) => stores[i]!.subscribe((v) => calls.set(i, [...(calls.get(i) ?? []), v]))
  const subscribedNow = spec.subscribed.slice()
  spec.subscribed.forEach((on, i) => on && subscribe(i))
  let events: string[][] = []
  let listening = false
  /** Armed by a late-* step: what the callback `in` does when it next runs. */
  let lateAction: { in: number; act: () => void } | undefined

  spec.callbacks.forEach((c, j) => {
    board.callback({
      id: `cb${j}`,
      inputs: c.inputs.map((i) => stores[i]!),
      state: c.state.map((i) => stores[i]!),
      outputs: c.outputs.map((i) => stores[i]!),
      run: (...args: unknown[]) => {
        ran.push(j)
        if (lateAction?.in === j) {
          const a = lateAction
          lateAction = undefined
          a.act()
        }
        const values = args.slice(0, c.inputs.length + c.state.length) as number[]
        const outs = c.outputs.map((_, o) => compute(c, values, o))
        return (c.outputs.length === 1 ? outs[0] : outs) as never
      },
    })
  })

  /** A topological order of the callbacks (every edge goes from a lower store index to a higher one). */
  const order: number[] = []
  const placed = new Set<number>()
  while (order.length < spec.callbacks.length) {
    spec.callbacks.forEach((c, j) => {
      if (placed.has(j)) return
      const ready = [...c.inputs, ...c.state].every((i) => {
        const w = writer.get(i)
        return w === undefined || placed.has(w)
      })
      if (ready) {
        placed.add(j)
        order.push(j)
      }
    })
  }
  /**
   * The reference: the stores written with a change (`dirty`), then every callback one of
   * whose inputs changed, once, in that order, over the values so far; what it returns
   * changes its outputs (noUpdate or an equal value leaves one alone). `all`: the initial
   * wave, where every callback runs.
   */
  const model = stores.map((s) => s.get())
  const dirty = new Set<number>()
  /** Stores changed in this wave (a store set and set back included), in the order of their first change. */
  let touched: number[] = []
  const put = (i: number, v: number) => {
    if (Object.is(model[i], v)) return
    model[i] = v
    dirty.add(i)
    if (!touched.includes(i)) touched.push(i)
  }
  const recompute = (all = false) => {
    order.forEach((j) => {
      const c = spec.callbacks[j]!
      if (!all && !c.inputs.some((i) => dirty.has(i))) return
      const values = [...c.inputs, ...c.state].map((i) => model[i]!)
      c.outputs.forEach((o, slot) => {
        const v = compute(c, values, slot)
        if (typeof v === 'number') put(o, v)
      })
    })
    dirty.clear()
  }

  const wave = (label: string, act: () => void) => {
    ran = []
    touched = []
    calls = new Map()
    events = []
    act()
    const after = stores.map((s) => s.get())
    // Values: the naive recompute (sources as set, the rest derived).
    for (let i = 0; i < spec.stores; i++) {
      if (!Object.is(after[i], model[i])) problems.push(`${label}: s${i} is ${after[i]}, recompute gives ${model[i]}`)
    }
    // At most once, after upstream.
    const seen = new Set<number>()
    ran.forEach((j, at) => {
      if (seen.has(j)) problems.push(`${label}: cb${j} ran twice`)
      seen.add(j)
      const c = spec.callbacks[j]!
      for (const i of [...c.inputs, ...c.state]) {
        const w = writer.get(i)
        if (w !== undefined && ran.indexOf(w) > at) problems.push(`${label}: cb${j} ran before its upstream cb${w}`)
      }
    })
    // Subscribers: once per changed store, with the final value.
    for (let i = 0; i < spec.stores; i++) {
      const got = calls.get(i) ?? []
      const want = touched.includes(i) && subscribedNow[i] ? [after[i]] : []
      if (JSON.stringify(got) !== JSON.stringify(want))
        problems.push(`${label}: subscriber of s${i} got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
    }
    // 'change': the changed stores, once each. (Their order is the order of the writes, which
    // the model does not follow within one wave: a set, then callbacks in rank order.)
    if (listening) {
      const named = events.flat()
      const want = touched.map((i) => `s${i}`)
      if (
        new Set(named).size !== named.length ||
        named.length !== want.length ||
        want.some((id) => !named.includes(id))
      )
        problems.push(`${label}: 'change' named ${JSON.stringify(named)}, want ${JSON.stringify(want)}`)
    }
  }

  const listen = () => {
    board.on('change', (e) => events.push([...e.stores]))
    listening = true
  }

  recompute(true)
  await board.start()
  for (let i = 0; i < spec.stores; i++) {
    if (!Object.is(stores[i]!.get(), model[i]))
      problems.push(`start: s${i} is ${stores[i]!.get()}, recompute gives ${model[i]}`)
  }
  steps.forEach((step, n) => {
    const label = `step ${n} ${JSON.stringify(step)}`
    switch (step.k) {
      case 'set':
        // Sources only: a set of a derived store lasts until its writer runs again, which a
        // recompute of the whole graph would not tell.
        if (writer.has(step.store)) break
        wave(label, () => {
          put(step.store, step.value)
          recompute()
          stores[step.store]!.set(step.value)
        })
        break
      case 'batch':
        if (step.sets.some((x) => writer.has(x.store))) break
        wave(label, () => {
          for (const s of step.sets) put(s.store, s.value)
          recompute()
          board.batch(() => {
            for (const s of step.sets) stores[s.store]!.set(s.value)
          })
        })
        break
      case 'late-subscribe':
        if (subscribedNow[step.store]) break
        lateAction = {
          in: step.in,
          act: () => {
            subscribedNow[step.store] = true
            subscribe(step.store)
          },
        }
        break
      case 'late-listen':
        if (listening) break
        lateAction = { in: step.in, act: listen }
        break
    }
  })
  board.dispose()
  if (problems.length) throw new Error(problems.slice(0, 8).join('\n'))
}

describe('synchronous hot path against a naive recompute (fast-check)', () => {
  it('P1 random DAGs, sets and batches, subscribers and listeners added mid-wave: values, order, notifications', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb.chain((spec) => fc.tuple(fc.constant(spec), fc.array(stepArb(spec), { maxLength: 30 }))),
        ([spec, steps]) => check(spec, steps),
      ),
      { numRuns: 300 },
    )
  })

  //   a ─► [double] ─► b (memory, nobody subscribed)   [late] ─► c
  //   a ─────────────────────────────────────────────► [late]   subscribes to b while it runs
  it('P1 a subscriber added in the middle of a wave hears of a store that changed earlier in it', async () => {
    const board = createBoard({ name: 'late-subscriber', register: false })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    board.callback({ id: 'double', inputs: [a], outputs: [b], run: (x) => x * 2 })
    const heard: number[] = []
    let subscribeNow = false
    board.callback({
      id: 'late',
      inputs: [a, b],
      outputs: [c],
      run: (x, y) => {
        if (subscribeNow) {
          subscribeNow = false
          b.subscribe((v) => heard.push(v))
        }
        return x + y
      },
    })
    await board.start()
    subscribeNow = true
    a.set(5)
    // b changed (to 10) before `late` subscribed, in the same wave: told once at its end.
    expect(heard).toEqual([10])
    expect(c.get()).toBe(15)
    a.set(6)
    expect(heard).toEqual([10, 12])
    board.dispose()
  })

  it("P1 a 'change' listener added in the middle of a wave is told of the stores changed earlier in it", async () => {
    const board = createBoard({ name: 'late-listener', register: false })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    board.callback({ id: 'double', inputs: [a], outputs: [b], run: (x) => x * 2 })
    const told: string[][] = []
    let listen = false
    board.callback({
      id: 'late',
      inputs: [b],
      outputs: [c],
      run: (y) => {
        if (listen) {
          listen = false
          board.on('change', (e) => told.push([...e.stores]))
        }
        return y + 1
      },
    })
    await board.start()
    listen = true
    a.set(5)
    expect(told).toEqual([['a', 'b', 'c']])
    board.dispose()
  })
})
