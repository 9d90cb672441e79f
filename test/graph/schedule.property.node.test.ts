/**
 * Model-based property test of the scheduler (issue 11 §3). fast-check draws a random DAG
 * (up to 30 stores and 30 callbacks; inputs, a store listed twice, state; one, several or
 * no outputs; sync and async with random delays; noUpdate, PreventUpdate, throws of Errors
 * and of values that cannot be printed; preventInitialCall; `ctx.set` of a store outside
 * the graph's edges; callbacks defined late) and a random sequence of set, clear, nested
 * batches, late definitions (from outside, inside a batch, inside a run, inside a
 * subscriber) and dispose, with random gaps between them (idle, a few microtasks, none).
 * Values include -0 and NaN, and half the user-set stores have no `equals`, so the
 * scheduler's own Object.is decides what is a change. A plain reference model, kept beside the
 * board, checks:
 *
 *  - after idle(), every output holds what the latest applied run of its callback returned
 *    for it (its initial value if none), and that run saw the current values of its inputs:
 *    a pure recomputation from the inputs (each callback's `run` is a pure function of its
 *    arguments here);
 *  - board.errors holds exactly the callbacks whose latest applied, non-PreventUpdate run
 *    threw, with the very value thrown as `cause`;
 *  - each callback runs at most once in a wave started from idle and left to settle (unless
 *    a `ctx.set` in that wave wrote one of its inputs: such a write is not an edge the
 *    scheduler can order by), and at most once after a callback defined during the wave
 *    (one defined by a subscriber may feed a callback that has already run: it runs again);
 *  - no run starts while a callback upstream of it (inputs or state) is running or has an
 *    unprocessed change (guarantee 1: no stale upstream);
 *  - `ctx.triggered` is exactly the inputs changed since the callback's previous start (its
 *    definition or the board's start for an initial call), in input order, once each; a run
 *    that is not an initial call has a cause;
 *  - subscribers saw each store's final value; nothing runs after dispose();
 *  - no unhandled rejection; idle() always settles.
 *
 * Async delays are awaited microtasks only, so the whole run is deterministic and has no
 * timers: whatever can settle has settled before the next macrotask, which is how a stuck
 * idle() is told from a slow one without any clock.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Ctx, createBoard, GraphError, noUpdate, PreventUpdate, type Store } from '../../src/index'

// ---- the random graph ---------------------------------------------------------------------

interface CallbackSpec {
  id: string
  /** Store indices. Every input and state index is below every output index: a DAG. */
  inputs: number[]
  state: number[]
  outputs: number[]
  /** One output given as the store itself rather than a one-element list. */
  bare: boolean
  /** Async with this many awaited microtasks (plus a per-run share), or sync. */
  async: boolean
  delay: number
  preventInitialCall: boolean
  /** Defined by a `define` step after start() (in index order), not before. */
  late: boolean
  /** A source store its run writes with ctx.set (Dash's set_props), or -1. */
  side: number
  salt: number
}

interface GraphSpec {
  initial: number[]
  callbacks: CallbackSpec[]
  /** Definition order of the callbacks defined before start (not always upstream first). */
  order: number[]
  /** Stores no callback writes: the ones steps set and clear. */
  sources: number[]
}

const MAX = 30

const rawCallback = fc.record({
  outs: fc.array(fc.nat(MAX - 1), { maxLength: 3 }),
  ins: fc.array(fc.nat(MAX - 1), { minLength: 1, maxLength: 4 }),
  st: fc.array(fc.nat(MAX - 1), { maxLength: 2 }),
  bare: fc.boolean(),
  async: fc.boolean(),
  delay: fc.nat(3),
  preventInitialCall: fc.nat(4).map((n) => n === 0),
  late: fc.nat(3).map((n) => n === 0),
  side: fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
  salt: fc.nat(),
})

const graphArb = fc
  .record({
    stores: fc.integer({ min: 2, max: MAX }),
    initial: fc.array(fc.nat(4), { minLength: MAX, maxLength: MAX }),
    raw: fc.array(rawCallback, { maxLength: MAX }),
    keys: fc.array(fc.nat(), { minLength: MAX, maxLength: MAX }),
  })
  .map(({ stores, initial, raw, keys }): GraphSpec => {
    const owner: Array<number | undefined> = []
    const callbacks = raw.map((r, j): CallbackSpec => {
      // Outputs among stores 1.. that no earlier callback writes; inputs and state below them.
      const outputs = [...new Set(r.outs.map((o) => 1 + (o % (stores - 1))))].filter((o) => owner[o] === undefined)
      for (const o of outputs) owner[o] = j
      const limit = outputs.length ? Math.min(...outputs) : stores
      return {
        id: `c${j}`,
        inputs: r.ins.map((i) => i % limit),
        state: r.st.map((i) => i % limit),
        outputs,
        bare: r.bare && outputs.length === 1,
        async: r.async,
        delay: r.delay,
        preventInitialCall: r.preventInitialCall,
        late: r.late,
        side: r.side,
        salt: r.salt,
      }
    })
    const sources = initial.slice(0, stores).flatMap((_, i) => (owner[i] === undefined ? [i] : []))
    // ctx.set may write a source only when every callback downstream of it comes later in
    // index order: then side writes cannot close a loop (c0 writes x read by c1, which
    // writes y read by c0), which would be a runaway, not what this test is about.
    const firstDownstream = (x: number): number => {
      let first = Infinity
      const seen = new Set<number>([x])
      const stack = [x]
      while (stack.length) {
        const st = stack.pop()!
        callbacks.forEach((c, k) => {
          if (!c.inputs.includes(st) && !c.state.includes(st)) return
          first = Math.min(first, k)
          for (const o of c.outputs) if (!seen.has(o)) seen.add(o), stack.push(o)
        })
      }
      return first
    }
    callbacks.forEach((c, j) => {
      const allowed = c.side < 0 ? [] : sources.filter((x) => firstDownstream(x) > j)
      c.side = allowed.length ? allowed[c.side % allowed.length]! : -1
    })
    const order = callbacks.map((_, j) => j).filter((j) => !callbacks[j]!.late)
    order.sort((p, q) => keys[p]! - keys[q]! || p - q)
    return { initial: initial.slice(0, stores), callbacks, order, sources }
  })

// ---- the random steps ---------------------------------------------------------------------

type Op =
  | { k: 'set'; s: number; v: number }
  | { k: 'clear'; s: number }
  | { k: 'define'; where: 'outside' | 'run' | 'subscriber' }
  | { k: 'batch'; ops: Op[] }
  | { k: 'dispose' }
/** After an op: wait for idle(), await a few microtasks, or go straight on. */
type Gap = 'idle' | number
interface Step {
  op: Op
  gap: Gap
}

// -0 and NaN too: a change or not by Object.is, on the scheduler's inlined comparison.
const value = fc.oneof({ arbitrary: fc.nat(4), weight: 8 }, { arbitrary: fc.constantFrom(-0, Number.NaN), weight: 1 })
const setOp = fc.record({ k: fc.constant('set' as const), s: fc.nat(), v: value })
const leafOp: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: setOp, weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('clear' as const), s: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('define' as const),
      where: fc.constantFrom('outside' as const, 'run' as const, 'subscriber' as const),
    }),
    weight: 2,
  },
)
const batchOf = (ops: fc.Arbitrary<Op>) =>
  fc.record({ k: fc.constant('batch' as const), ops: fc.array(ops, { minLength: 1, maxLength: 4 }) })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: leafOp, weight: 8 },
  {
    arbitrary: batchOf(fc.oneof({ arbitrary: leafOp, weight: 4 }, { arbitrary: batchOf(leafOp), weight: 1 })),
    weight: 2,
  },
)
const stepsArb = fc.record({
  before: fc.array(setOp, { maxLength: 3 }),
  steps: fc.array(fc.record({ op: opArb, gap: fc.oneof(fc.constant('idle' as const), fc.nat(4)) }), { maxLength: 25 }),
  // dispose() after this step (-1: never), in one sequence of four; from outside, or from
  // inside the next run.
  disposeAt: fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: fc.nat(24), weight: 1 }),
  disposeInRun: fc.boolean(),
})

// ---- the callbacks' behaviour: a pure function of their arguments -------------------------

function hash(...xs: unknown[]): number {
  let h = 2166136261
  const text = JSON.stringify(xs)
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

/** A value String() cannot convert: thrown now and then, it must still become a CallbackError. */
function unprintable(): unknown {
  return Object.create(null) as unknown
}

type Outcome = { kind: 'values'; values: unknown[] } | { kind: 'prevent' } | { kind: 'error'; error: unknown }

function behave(cb: CallbackSpec, args: unknown[]): Outcome {
  const h = hash(cb.salt, args)
  const r = h % 12
  if (r === 0) return { kind: 'error', error: new Error(`${cb.id} failed on ${JSON.stringify(args)}`) }
  if (r === 1) return { kind: 'error', error: unprintable() }
  if (r === 2) return { kind: 'prevent' }
  return { kind: 'values', values: cb.outputs.map((_, k) => (hash(h, k) % 4 === 0 ? noUpdate : hash(h, k, 1) % 5)) }
}

// ---- one run of the model against a board ---------------------------------------------------

interface Run {
  cb: number
  args: unknown[]
  /** Length of the change log when it started. */
  start: number
  signal: AbortSignal
  /** The step during which it started (-1: the initial wave). */
  step: number
  /** Its ctx.set changed a store. */
  sideWrote?: boolean
  /** Callbacks defined so far: a definition during a wave starts a new count. */
  epoch: number
  /** It disposed the board: its result or error is dropped. */
  disposed?: boolean
  outcome?: Outcome
}

let boards = 0
const rejections: unknown[] = []
const onRejection = (reason: unknown) => rejections.push(reason)
beforeAll(() => {
  process.on('unhandledRejection', onRejection)
  // Sets after dispose() warn once per store: expected here, not noise worth printing.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterAll(() => {
  process.off('unhandledRejection', onRejection)
  vi.restoreAllMocks()
})

/** True if `p` settles before the next macrotask (no timers here: then it never would). */
function settlesNow(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))])
}

async function check(
  spec: GraphSpec,
  before: Array<{ s: number; v: number }>,
  steps: Step[],
  disposeAt: number,
  disposeInRun: boolean,
): Promise<void> {
  const problems: string[] = []
  rejections.length = 0 // a failed run stops early: its stragglers are not this run's
  const board = createBoard({ name: `property-${++boards}` })
  const S = spec.initial.length

  // Every change, in order. Outputs are seen through `equals` (called by each write, before
  // it applies). Half the sources have none, so the scheduler's inlined Object.is is tested
  // too: only this test writes them, and it notes a change just before making it.
  const log: number[] = []
  const changes: number[][] = spec.initial.map(() => [])
  const note = (i: number) => (changes[i]!.push(log.length), log.push(i))
  const plain = new Set(spec.sources.filter((i) => i % 2 === 0))
  const notified: Array<{ value: unknown } | undefined> = []
  const stores: Store<number>[] = spec.initial.map((initial, i) => {
    const s = board.store<number>(`s${i}`, {
      initial,
      ...(plain.has(i)
        ? {}
        : {
            equals: (a: number, b: number) => {
              if (Object.is(a, b)) return true
              note(i)
              return false
            },
          }),
    })
    s.subscribe((value) => (notified[i] = { value }))
    return s
  })
  const changedIn = (s: number, from: number, to: number) => changes[s]!.some((c) => c >= from && c < to)
  /** Every write to a source goes through here; `live`: the write will not be dropped. */
  const writeSource = (i: number, v: number, live: boolean, write: () => void) => {
    if (plain.has(i) && live && !Object.is(stores[i]!.get(), v)) note(i)
    write()
  }

  const runs: Run[][] = spec.callbacks.map(() => [])
  const defined: boolean[] = []
  /** Log length from which a callback's first run looks for its causes. */
  const baseline: number[] = []
  let started = false
  let disposed = false
  let step = -1
  /** Late definitions asked of the next run's synchronous part. */
  let defineInRun = 0
  /** dispose() asked of the next run's synchronous part. */
  let disposeNext = false
  let definitions = 0

  /** Callbacks upstream of `j` (through inputs and state) among those defined now. */
  const upstreamOf = (j: number): number[] => {
    const writer = new Map<number, number>()
    spec.callbacks.forEach((c, k) => defined[k] && c.outputs.forEach((o) => writer.set(o, k)))
    const seen = new Set<number>()
    const stack = [j]
    while (stack.length) {
      const c = spec.callbacks[stack.pop()!]!
      for (const s of [...c.inputs, ...c.state]) {
        const w = writer.get(s)
        if (w !== undefined && !seen.has(w)) {
          seen.add(w)
          stack.push(w)
        }
      }
    }
    return [...seen]
  }
  /** Has `u` a change it has not started a run for (or a due initial call)? */
  const pending = (u: number): boolean => {
    const last = runs[u]!.at(-1)
    if (!last && !spec.callbacks[u]!.preventInitialCall) return true
    const from = last ? last.start : baseline[u]!
    return spec.callbacks[u]!.inputs.some((s) => changedIn(s, from, log.length))
  }

  const define = (j: number) => {
    const cb = spec.callbacks[j]!
    defined[j] = true
    definitions++
    baseline[j] = log.length
    const outputs = cb.bare ? stores[cb.outputs[0]!]! : cb.outputs.map((o) => stores[o]!)
    try {
      defineOnBoard(cb, j, outputs)
    } catch (e) {
      defined[j] = false
      throw e
    }
  }
  const defineOnBoard = (cb: CallbackSpec, j: number, outputs: Store<number> | Store<number>[]) => {
    board.callback({
      id: cb.id,
      inputs: cb.inputs.map((i) => stores[i]!),
      state: cb.state.map((i) => stores[i]!),
      outputs,
      preventInitialCall: cb.preventInitialCall,
      // Typed loosely: the shapes are drawn at random (one output, several, none).
      run: ((...all: unknown[]): unknown => {
        const ctx = all.pop() as Ctx
        const args = all
        const now = log.length
        if (disposed) problems.push(`${cb.id} ran after dispose()`)
        if (!started) problems.push(`${cb.id} ran before start()`)
        // ctx.triggered: the inputs changed since the previous start, in input order, once each.
        const previous = runs[j]!.at(-1)
        const from = previous ? previous.start : baseline[j]!
        const expected = [...new Set(cb.inputs.filter((s) => changedIn(s, from, now)))].map((s) => `s${s}`)
        if (JSON.stringify(ctx.triggered) !== JSON.stringify(expected)) {
          problems.push(`${cb.id} saw triggered ${JSON.stringify(ctx.triggered)}, expected ${JSON.stringify(expected)}`)
        }
        if (!expected.length && (previous || cb.preventInitialCall)) problems.push(`${cb.id} ran with no cause`)
        // Guarantee 1: nothing upstream is running or has a change still to process.
        const up = upstreamOf(j)
        if (up.length) {
          const running = new Map(board.inspect().callbacks.map((c) => [c.id, c.running]))
          for (const u of up) {
            const id = spec.callbacks[u]!.id
            if (running.get(id)) problems.push(`${cb.id} started while ${id} upstream of it was running`)
            else if (pending(u)) problems.push(`${cb.id} started before ${id} upstream of it ran for its change`)
          }
        }
        const run: Run = { cb: j, args, start: now, signal: ctx.signal, step, epoch: definitions }
        runs[j]!.push(run)
        // A callback defined during a wave, from inside a run.
        for (; defineInRun > 0; defineInRun--) defineNext()
        if (disposeNext) {
          disposeNext = false
          run.disposed = disposed = true
          board.dispose()
        }

        const answer = (): unknown => {
          if (cb.side >= 0) {
            const before = log.length
            const v = hash(cb.salt, args, 'side') % 5
            writeSource(cb.side, v, !disposed && !ctx.signal.aborted, () => ctx.set(`s${cb.side}`, v))
            if (log.length > before) run.sideWrote = true
          }
          const outcome = (run.outcome = behave(cb, args))
          if (outcome.kind === 'error') throw outcome.error
          if (outcome.kind === 'prevent') throw new PreventUpdate()
          return cb.outputs.length === 1 ? outcome.values[0] : cb.outputs.length ? outcome.values : undefined
        }
        if (!cb.async) return answer()
        const turns = (cb.delay + hash(cb.salt, args, 'delay')) % 4
        return (async () => {
          for (let i = 0; i < turns; i++) await null
          return answer()
        })()
      }) as never,
    })
  }

  const idle = async (where: string) => {
    if (!(await settlesNow(board.idle()))) {
      problems.push(`idle() did not settle ${where}`)
      throw new Error(problems.join('\n'))
    }
  }

  const defineNext = (): void => {
    const j = spec.callbacks.findIndex((c, k) => c.late && !defined[k])
    if (j < 0) return
    if (disposed) expect(() => define(j)).toThrow(GraphError)
    else define(j)
  }

  const exec = (op: Op): void => {
    switch (op.k) {
      case 'set': {
        const i = spec.sources[op.s % spec.sources.length]
        if (i !== undefined) writeSource(i, op.v, !disposed, () => stores[i]!.set(op.v))
        return
      }
      case 'clear': {
        const i = spec.sources[op.s % spec.sources.length]
        if (i !== undefined) writeSource(i, spec.initial[i]!, !disposed, () => stores[i]!.clear())
        return
      }
      case 'define':
        if (op.where === 'outside') defineNext()
        else if (op.where === 'run') defineInRun++
        else if (spec.sources.length) {
          // During a wave, from a subscriber: at the end of the drain the set below starts.
          const i = spec.sources[0]!
          const s = stores[i]!
          const off = s.subscribe(() => (off(), defineNext()))
          const v = ((s.get() || 0) + 1) % 5
          writeSource(i, v, !disposed, () => s.set(v))
        }
        return
      case 'batch':
        board.batch(() => op.ops.forEach(exec))
        return
      case 'dispose':
        board.dispose()
        disposed = true
    }
  }

  // ---- the story: define, set before start, start, then the steps ----
  for (const j of spec.order) define(j)
  for (const b of before) exec({ k: 'set', ...b })
  for (const j of spec.order) baseline[j] = log.length
  started = true
  if (!(await settlesNow(board.start()))) throw new Error('start() did not settle')
  const isolated = new Set<number>([-1])
  let previousGap: Gap = 'idle'
  for (let i = 0; i < steps.length; i++) {
    step = i
    const { op, gap } = steps[i]!
    exec(op)
    if (i === disposeAt) {
      if (disposeInRun) disposeNext = true
      else exec({ k: 'dispose' })
    }
    if (gap === 'idle') await idle(`after step ${i}`)
    else for (let t = 0; t < gap; t++) await null
    if (previousGap === 'idle' && gap === 'idle') isolated.add(i)
    previousGap = gap
  }
  await idle('at the end')
  // Superseded runs finish their microtasks too, so every outcome is recorded.
  await new Promise((r) => setImmediate(r))

  // ---- the checks at rest ----
  const sideWaves = new Set(runs.flat().flatMap((r) => (r.sideWrote ? [r.step] : [])))
  spec.callbacks.forEach((cb, j) => {
    if (!defined[j]) return
    const all = runs[j]!
    const applied = all.filter((r) => !r.signal.aborted && !r.disposed)
    // Outputs: what the latest applied run returned for each (initial if none).
    cb.outputs.forEach((o, k) => {
      let want: unknown = spec.initial[o]
      for (const r of applied) {
        const out = r.outcome
        if (out?.kind === 'values' && out.values[k] !== noUpdate) want = out.values[k]
      }
      if (!Object.is(stores[o]!.get(), want))
        problems.push(`s${o} (output of ${cb.id}) is ${stores[o]!.get()}, expected ${String(want)}`)
    })
    // Errors: the latest applied run that was not a PreventUpdate decides.
    const decisive = applied.filter((r) => r.outcome?.kind !== 'prevent').at(-1)?.outcome
    const err = board.errors.get(cb.id)
    if (decisive?.kind === 'error') {
      if (err?.cause !== decisive.error) problems.push(`board.errors lacks ${cb.id}'s latest failure`)
    } else if (err) problems.push(`board.errors keeps ${cb.id}'s failure after it succeeded`)
    // At most once per wave, in the waves that started from idle and settled alone.
    const perWave = new Map<string, number>()
    for (const r of all) {
      const wave = `${r.step}/${r.epoch}`
      if (isolated.has(r.step) && !sideWaves.has(r.step)) perWave.set(wave, (perWave.get(wave) ?? 0) + 1)
    }
    for (const [w, count] of perWave)
      if (count > 1) problems.push(`${cb.id} ran ${count} times in the wave of step/definitions ${w}`)
    if (disposed) return
    // The latest run saw the current inputs, and was applied.
    const last = all.at(-1)
    if (last) {
      if (last.signal.aborted) problems.push(`${cb.id}'s latest run was dropped and nothing replaced it`)
      cb.inputs.forEach((s, i) => {
        if (!Object.is(last.args[i], stores[s]!.get()))
          problems.push(`${cb.id} last saw s${s} = ${String(last.args[i])}, now ${stores[s]!.get()}`)
      })
    } else if (!cb.preventInitialCall || cb.inputs.some((s) => changedIn(s, baseline[j]!, log.length))) {
      problems.push(`${cb.id} never ran`)
    }
  })
  for (let i = 0; i < S; i++) {
    if (changes[i]!.length && !Object.is(notified[i]?.value, stores[i]!.get()))
      problems.push(`subscribers of s${i} did not see its final value`)
  }
  if (rejections.length) problems.push(`unhandled rejections: ${rejections.splice(0).map(String).join(', ')}`)
  if (problems.length) throw new Error(problems.join('\n'))
  board.dispose()
}

describe('scheduler against a reference model (fast-check)', () => {
  it('random DAGs and random sets, batches, clears, late callbacks and dispose keep every guarantee', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, stepsArb, async (spec, { before, steps, disposeAt, disposeInRun }) => {
        await check(spec, before, steps, disposeAt, disposeInRun)
      }),
      { numRuns: 200 },
    )
  }, 60_000)
})
