/**
 * Scheduler and board behaviour that mutation testing (npm run mutate) found untested:
 * each case names the rule it pins. Pure logic (memory stores only), so these run in Node.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { boardImpl } from '../../src/graph/board'
import type { RunCtx } from '../../src/graph/types'
import { CallbackError, createBoard, GraphError, noUpdate, PreventUpdate } from '../../src/index'

let n = 0
const newBoard = (profile = false) => createBoard({ name: `mut-${++n}`, version: 1, profile })

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
/** Lets every queued promise job run (several hops of then-chains). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

afterEach(() => {
  vi.useRealTimers()
})

describe('what counts as a change (Object.is unless the store has equals)', () => {
  it('NaN → NaN is no change; 0 → -0 and -0 → 0 are changes; -0 → -0 is not', async () => {
    // a → [B] → b: count B's runs and a's notifications per set.
    const board = newBoard()
    const a = board.store('a', { initial: NaN })
    const runs: number[] = []
    board.callback({ id: 'B', inputs: [a], outputs: [board.store('b')], run: (v) => (runs.push(v), v) })
    await board.start()
    const seen: number[] = []
    a.subscribe((v) => seen.push(v))
    runs.length = 0
    a.set(NaN)
    expect(runs).toEqual([])
    a.set(0)
    a.set(-0)
    a.set(-0)
    a.set(0)
    expect(runs.map((v) => Object.is(v, -0))).toEqual([false, true, false])
    expect(seen.length).toBe(3)
  })

  it('a store with equals: a new equal object is no change, a different one is', async () => {
    const board = newBoard()
    const p = board.store('p', { initial: { k: 1 }, equals: (x, y) => x.k === y.k })
    const run = vi.fn((v: { k: number }) => v.k)
    board.callback({ inputs: [p], outputs: [board.store('o')], run })
    await board.start()
    run.mockClear()
    p.set({ k: 1 })
    expect(run).not.toHaveBeenCalled()
    expect(p.get()).toEqual({ k: 1 })
    p.set({ k: 2 })
    expect(run).toHaveBeenCalledTimes(1)
  })
})

describe('modifiedAt: one clock read per wave', () => {
  it('stores written in one wave share the time of its first write; the next wave reads the clock again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_000)
    // a → [B] → b ; B moves the clock while it runs: b still gets the wave's time.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store<number>('b')
    board.callback({
      id: 'B',
      inputs: [a],
      outputs: [b],
      run: (v) => {
        vi.setSystemTime(5_000)
        return v + 1
      },
    })
    expect(a.modifiedAt).toBeUndefined()
    await board.start()
    // The initial wave's first write is B's (after it moved the clock).
    expect(b.modifiedAt).toBe(5_000)
    expect(a.modifiedAt).toBeUndefined()
    vi.setSystemTime(7_000)
    a.set(1)
    expect(a.modifiedAt).toBe(7_000)
    expect(b.modifiedAt).toBe(7_000)
    vi.setSystemTime(9_000)
    a.set(2)
    expect(a.modifiedAt).toBe(9_000)
  })

  it('clear() forgets modifiedAt, even when the value was already the initial one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(2_000)
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    await board.start()
    a.set(2)
    expect(a.modifiedAt).toBe(2_000)
    a.clear()
    expect(a.get()).toBe(1)
    expect(a.modifiedAt).toBeUndefined()
    a.clear()
    expect(a.modifiedAt).toBeUndefined()
  })
})

describe('notifications: once per store per wave, after the wave settled', () => {
  it('a store written twice in one batch notifies once, with the last value', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const seen: number[] = []
    a.subscribe((v) => seen.push(v))
    board.batch(() => {
      a.set(1)
      a.set(2)
      expect(seen).toEqual([])
    })
    expect(seen).toEqual([2])
    a.set(3)
    expect(seen).toEqual([2, 3])
  })

  it('a subscriber sees the whole wave settled: downstream already recomputed', async () => {
    // a → [B] → b: a's subscriber reads b.
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    board.callback({ inputs: [a], outputs: [b], run: (v) => v * 10 })
    await board.start()
    const seen: Array<[number, number | undefined]> = []
    a.subscribe((v) => seen.push([v, b.get()]))
    a.set(2)
    expect(seen).toEqual([[2, 20]])
  })

  it("a subscriber's own set() joins the work of the same set() call", async () => {
    // a's subscriber sets c; c → [D] → d is settled when a.set returns.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    const d = board.store<number>('d')
    board.callback({ inputs: [c], outputs: [d], run: (v) => v + 100 })
    await board.start()
    a.subscribe((v) => c.set(v * 2))
    a.set(4)
    expect(c.get()).toBe(8)
    expect(d.get()).toBe(108)
  })

  it('one throwing subscriber does not stop the others; it warns once per store', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const warnings: string[] = []
    board.on('warning', (w) => warnings.push(w.message))
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const seen: number[] = []
    a.subscribe(() => {
      throw new Error('bad subscriber')
    })
    a.subscribe((v) => seen.push(v))
    a.set(1)
    a.set(2)
    expect(seen).toEqual([1, 2])
    expect(warnings).toEqual(['a subscriber of store "a" threw.', 'a subscriber of store "a" threw.'])
    expect(spy).toHaveBeenCalledTimes(1)
    expect(spy.mock.calls[0]![0]).toBe('[switchboard] a subscriber of store "a" threw.')
    spy.mockRestore()
  })

  it('unsubscribing one subscriber leaves the others; unsubscribing twice is harmless', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const got: string[] = []
    const off1 = a.subscribe((v) => got.push(`1:${v}`))
    a.subscribe((v) => got.push(`2:${v}`))
    a.set(1)
    off1()
    off1()
    a.set(2)
    expect(got).toEqual(['1:1', '2:1', '2:2'])
  })

  it('a subscriber that unsubscribes itself does not make the next one miss the change', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const got: string[] = []
    const off = a.subscribe((v) => (got.push(`once:${v}`), off()))
    a.subscribe((v) => got.push(`always:${v}`))
    a.set(1)
    a.set(2)
    expect(got).toEqual(['once:1', 'always:1', 'always:2'])
  })
})

describe('writes before start', () => {
  it('a set before start marks nothing: the initial wave runs each callback once, with the new value', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const runs: Array<[number, readonly string[]]> = []
    board.callback({ inputs: [a], outputs: [board.store('b')], run: (v, ctx) => (runs.push([v, ctx.triggered]), v) })
    a.set(5)
    a.set(6)
    expect(runs).toEqual([])
    await board.start()
    expect(runs).toEqual([[6, []]])
  })
})

describe('batch', () => {
  it('nested batches make one wave, drained when the outermost ends; batch returns fn’s value', async () => {
    // a, b → [S] → s
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const s = board.store<number>('s')
    const runs: Array<[number, number, readonly string[]]> = []
    board.callback({
      id: 'S',
      inputs: [a, b],
      outputs: [s],
      run: (x, y, ctx) => (runs.push([x, y, ctx.triggered]), x + y),
    })
    await board.start()
    runs.length = 0
    const r = board.batch(() => {
      const inner = board.batch(() => {
        a.set(1)
        return 'inner'
      })
      expect(runs).toEqual([])
      b.set(2)
      return `${inner}+outer`
    })
    expect(r).toBe('inner+outer')
    expect(runs).toEqual([[1, 2, ['a', 'b']]])
    expect(s.get()).toBe(3)
  })

  it('a batch whose fn throws still runs the wave of the writes made before the throw', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store<number>('b')
    board.callback({ inputs: [a], outputs: [b], run: (v) => v * 3 })
    await board.start()
    expect(() =>
      board.batch(() => {
        a.set(2)
        throw new Error('half way')
      }),
    ).toThrow('half way')
    expect(b.get()).toBe(6)
    a.set(3)
    expect(b.get()).toBe(9)
  })

  it('a batch inside a callback does not drain in the middle of the wave', async () => {
    // a → [W] (ctx.set x, y in a batch) ; x, y → [R] → r : R runs once, after W.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const x = board.store('x', { initial: 0 })
    const y = board.store('y', { initial: 0 })
    const r = board.store<string>('r')
    const seen: string[] = []
    board.callback({
      id: 'W',
      inputs: [a],
      outputs: [],
      run: (v, ctx) => {
        board.batch(() => {
          ctx.set(x, v)
          ctx.set(y, v * 2)
        })
        seen.push(`W${v}`)
      },
    })
    board.callback({ id: 'R', inputs: [x, y], outputs: [r], run: (p, q) => (seen.push(`R${p},${q}`), `${p},${q}`) })
    await board.start()
    seen.length = 0
    a.set(5)
    expect(seen).toEqual(['W5', 'R5,10'])
  })
})

describe('ctx.triggered', () => {
  it('names only the inputs written since the previous run, each once, in input order', async () => {
    // a, b, c → [T]  (b listed twice); state s never appears in triggered.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    const got: Array<readonly string[]> = []
    board.callback({
      id: 'T',
      inputs: [a, b, c, b],
      state: [s],
      outputs: [],
      run: (...args) => void got.push((args[5] as { triggered: readonly string[] }).triggered),
    })
    await board.start()
    expect(got).toEqual([[]])
    board.batch(() => {
      c.set(1)
      b.set(1)
    })
    s.set(1)
    a.set(1)
    b.set(2)
    expect(got).toEqual([[], ['b', 'c'], ['a'], ['b']])
  })
})

describe('failures and recovery', () => {
  it('an effect callback (no outputs) that fails and then succeeds clears its error', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    board.callback({
      id: 'fx',
      inputs: [a],
      outputs: [],
      run: (v) => {
        if (v === 1) throw new Error('one')
      },
    })
    await board.start()
    a.set(1)
    expect(board.errors.get('fx')?.message).toBe('callback "fx" failed: Error: one')
    a.set(2)
    expect(board.errors.has('fx')).toBe(false)
  })

  it('a single-output callback that returns noUpdate after failing recovers, output untouched', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const o = board.store('o', { initial: 'init' })
    board.callback({
      id: 'g',
      inputs: [a],
      outputs: [o],
      run: (v) => {
        if (v === 1) throw new Error('bad')
        return v === 2 ? noUpdate : `v${v}`
      },
    })
    await board.start()
    expect(o.get()).toBe('v0')
    a.set(1)
    expect(board.errors.has('g')).toBe(true)
    a.set(2)
    expect(board.errors.has('g')).toBe(false)
    expect(o.get()).toBe('v0')
  })

  it('a several-output callback recovers after a wrong-shape return; the message says what it got', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const x = board.store('x', { initial: 0 })
    const y = board.store('y', { initial: 0 })
    board.callback({
      id: 'two',
      inputs: [a],
      outputs: [x, y],
      run: (v) => (v === 1 ? (7 as never) : v === 2 ? ([1, 2, 3] as never) : [v, -v]),
    })
    await board.start()
    a.set(1)
    expect((board.errors.get('two')!.cause as Error).message).toBe(
      'callback "two" has 2 outputs and must return an array of 2, got number.',
    )
    a.set(2)
    expect((board.errors.get('two')!.cause as Error).message).toBe(
      'callback "two" has 2 outputs and must return an array of 2, got 3 values.',
    )
    a.set(3)
    expect(board.errors.has('two')).toBe(false)
    expect([x.get(), y.get()]).toEqual([3, -3])
  })

  it('errors are counted in stats; PreventUpdate (the class or any error named so) is not an error', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const o = board.store('o', { initial: 'init' })
    board.callback({
      id: 'p',
      inputs: [a],
      outputs: [o],
      preventInitialCall: true,
      run: (v) => {
        if (v === 1) throw new PreventUpdate()
        if (v === 2) throw Object.assign(new Error('stop'), { name: 'PreventUpdate' })
        if (v === 3) throw null
        return `v${v}`
      },
    })
    await board.start()
    a.set(1)
    a.set(2)
    expect(board.errors.size).toBe(0)
    expect(board.inspect().callbacks[0]!.stats.errors).toBe(0)
    a.set(3)
    expect(board.errors.get('p')!.cause).toBe(null)
    expect(board.inspect().callbacks[0]!.stats.errors).toBe(1)
    expect(o.get()).toBe('init')
  })

  it("a CallbackError of this callback is kept as is; another callback's is wrapped", async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const own = new CallbackError('c', 'own cause', 'callback "c" is out of luck.')
    const foreign = new CallbackError('other', 'x')
    board.callback({
      id: 'c',
      inputs: [a],
      outputs: [],
      preventInitialCall: true,
      run: (v) => {
        throw v === 1 ? own : foreign
      },
    })
    await board.start()
    a.set(1)
    expect(board.errors.get('c')).toBe(own)
    a.set(2)
    const e = board.errors.get('c')!
    expect(e).not.toBe(foreign)
    expect(e.callbackId).toBe('c')
    expect(e.cause).toBe(foreign)
  })

  it("the 'error' event fires per failure; a recovery emits nothing", async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    board.callback({
      id: 'e',
      inputs: [a],
      outputs: [],
      preventInitialCall: true,
      run: (v) => {
        if (v % 2) throw new Error(`odd ${v}`)
      },
    })
    await board.start()
    const got: string[] = []
    board.on('error', (e) => got.push(e.message))
    a.set(1)
    a.set(2)
    a.set(3)
    expect(got).toEqual(['callback "e" failed: Error: odd 1', 'callback "e" failed: Error: odd 3'])
  })

  it('an async rejection fails the callback like a throw', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    board.callback({
      id: 'r',
      inputs: [a],
      outputs: [board.store('o')],
      preventInitialCall: true,
      run: async (v) => Promise.reject(new RangeError(`no ${v}`)),
    })
    await board.start()
    a.set(1)
    await board.idle()
    expect(board.errors.get('r')!.cause).toBeInstanceOf(RangeError)
    expect(board.inspect().callbacks[0]!.running).toBe(false)
  })
})

describe('async runs', () => {
  it('a thenable that is not a Promise is awaited like one (object or function with then)', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 2 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    board.callback({
      inputs: [a],
      outputs: [b],
      run: (v) => ({ then: (ok: (x: number) => void) => ok(v * 7) }) as never,
    })
    const fnThenable = Object.assign(() => 0, { then: (ok: (x: number) => void) => ok(99) })
    board.callback({ inputs: [a], outputs: [c], run: () => fnThenable as never })
    await board.start()
    expect(b.get()).toBe(14)
    expect(c.get()).toBe(99)
  })

  it('a function or a null returned by a single-output callback is a value, not a thenable', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const f = () => 1
    const fo = board.store<unknown>('fo')
    const no = board.store<unknown>('no', { initial: 'x' })
    board.callback({ inputs: [a], outputs: [fo], run: () => f })
    board.callback({ inputs: [a], outputs: [no], run: () => null })
    await board.start()
    expect(fo.get()).toBe(f)
    expect(no.get()).toBe(null)
  })

  it('while one async callback is in flight, an unrelated dirty callback still runs at once', async () => {
    // a → [Slow] → s   ;   b → [Fast] → f   ;   s → [After] → t
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const s = board.store<number>('s')
    const f = board.store<number>('f')
    const t = board.store<number>('t')
    const gate = deferred<number>()
    board.callback({ id: 'Slow', inputs: [a], outputs: [s], preventInitialCall: true, run: () => gate.promise })
    const after = vi.fn((v: number | undefined) => v! + 1)
    board.callback({ id: 'After', inputs: [s], outputs: [t], preventInitialCall: true, run: after })
    board.callback({ id: 'Fast', inputs: [b], outputs: [f], run: (v) => v * 2 })
    await board.start()
    a.set(1)
    b.set(4)
    expect(f.get()).toBe(8)
    expect(after).not.toHaveBeenCalled()
    expect(board.inspect().callbacks.map((c) => [c.id, c.running])).toEqual([
      ['Slow', true],
      ['After', false],
      ['Fast', false],
    ])
    gate.resolve(10)
    await board.idle()
    expect(t.get()).toBe(11)
    expect(after).toHaveBeenCalledTimes(1)
  })

  it('a reader two hops below an in-flight callback waits, though its direct writer is idle', async () => {
    // a → [Slow] → s → [Mid] → m ──┐
    // b ───────────────────────────┴─► [Low] → l      b changes while Slow runs.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    const m = board.store<number>('m')
    const l = board.store<string>('l')
    const gate = deferred<number>()
    board.callback({ id: 'Slow', inputs: [a], outputs: [s], preventInitialCall: true, run: () => gate.promise })
    board.callback({ id: 'Mid', inputs: [s], outputs: [m], run: (v) => v + 1 })
    const low = vi.fn((x: number | undefined, y: number) => `${x}/${y}`)
    board.callback({ id: 'Low', inputs: [m, b], outputs: [l], run: low })
    await board.start()
    low.mockClear()
    a.set(1)
    b.set(5)
    expect(low).not.toHaveBeenCalled()
    gate.resolve(10)
    await board.idle()
    expect(low.mock.calls.map((c) => [c[0], c[1]])).toEqual([[11, 5]])
    expect(l.get()).toBe('11/5')
  })

  it('idle() waits for every async run, including ones started by a settle', async () => {
    // a → [A1] → x → [A2] → y, both async.
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const x = board.store<number>('x')
    const y = board.store<number>('y')
    const g1 = deferred<void>()
    const g2 = deferred<void>()
    board.callback({ inputs: [a], outputs: [x], preventInitialCall: true, run: async (v) => (await g1.promise, v + 1) })
    board.callback({
      inputs: [x],
      outputs: [y],
      preventInitialCall: true,
      run: async (v) => (await g2.promise, v! * 2),
    })
    await board.start()
    a.set(1)
    let idle = false
    void board.idle().then(() => (idle = true))
    g1.resolve()
    await flush()
    expect(x.get()).toBe(2)
    expect(idle).toBe(false)
    g2.resolve()
    await board.idle()
    expect(idle).toBe(true)
    expect(y.get()).toBe(4)
  })

  it('progress is clamped to 0..1 (garbage reads 0) and cleared when the run settles', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const gate = deferred<void>()
    const seen: Array<{ fraction: number; note: string | undefined } | null> = []
    board.callback({
      id: 'p',
      inputs: [a],
      outputs: [],
      preventInitialCall: true,
      run: async (_v, ctx) => {
        for (const f of [0.25, 1.5, -2, Number.NaN, 'x' as unknown as number]) {
          ctx.progress(f, `at ${String(f)}`)
          seen.push(board.inspect().callbacks[0]!.progress)
        }
        await gate.promise
      },
    })
    await board.start()
    const status: string[] = []
    board.on('status', (e) => status.push(e.callback))
    a.set(1)
    expect(seen).toEqual([
      { fraction: 0.25, note: 'at 0.25' },
      { fraction: 1, note: 'at 1.5' },
      { fraction: 0, note: 'at -2' },
      { fraction: 0, note: 'at NaN' },
      { fraction: 0, note: 'at x' },
    ])
    expect(board.inspect().callbacks[0]!.running).toBe(true)
    gate.resolve()
    await board.idle()
    expect(board.inspect().callbacks[0]!.progress).toBeNull()
    // five progress reports, in flight, settled
    expect(status).toEqual(['p', 'p', 'p', 'p', 'p', 'p', 'p'])
  })

  it('ctx.reportBytes adds to the stats (worker tasks report what crossed threads)', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    board.callback({ id: 'w', inputs: [a], outputs: [], run: (_v, ctx) => (ctx as RunCtx).reportBytes(100, 7) })
    await board.start()
    a.set(1)
    expect(board.inspect().callbacks[0]!.stats).toMatchObject({ runs: 2, bytesIn: 200, bytesOut: 14 })
  })

  it('ctx carries the callback id, timeoutMs and hardCancel', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const got: unknown[] = []
    board.callback({
      id: 'k',
      inputs: [a],
      outputs: [],
      timeoutMs: 250,
      hardCancel: true,
      run: (_v, ctx) => void got.push([ctx.callbackId, (ctx as RunCtx).timeoutMs, (ctx as RunCtx).hardCancel]),
    })
    board.callback({
      id: 'd',
      inputs: [a],
      outputs: [],
      run: (_v, ctx) => void got.push([ctx.callbackId, (ctx as RunCtx).timeoutMs, (ctx as RunCtx).hardCancel]),
    })
    await board.start()
    expect(got).toEqual([
      ['k', 250, true],
      ['d', undefined, false],
    ])
  })

  it('async runs are timed: lastMs and avgMs follow each settle', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const gates: Array<ReturnType<typeof deferred<void>>> = []
    let t = 0
    const now = vi.spyOn(performance, 'now').mockImplementation(() => t)
    board.callback({
      id: 't',
      inputs: [a],
      outputs: [],
      run: async () => {
        const g = deferred<void>()
        gates.push(g)
        await g.promise
      },
    })
    const started = board.start()
    while (!gates[0]) await Promise.resolve()
    t = 10
    gates[0]!.resolve()
    await started
    expect(board.inspect().callbacks[0]!.stats).toMatchObject({ runs: 1, lastMs: 10, avgMs: 10 })
    a.set(1)
    expect(gates).toHaveLength(2)
    t = 40
    gates[1]!.resolve()
    await board.idle()
    expect(board.inspect().callbacks[0]!.stats).toMatchObject({ runs: 2, lastMs: 30, avgMs: 20 })
    now.mockRestore()
  })
})

describe('profile: sync runs timed and sized', () => {
  it('bytesIn counts inputs and state (not ctx), bytesOut each written output; noUpdate adds nothing', async () => {
    const board = newBoard(true)
    const a = board.store('a', { initial: 'ab' })
    const s = board.store('s', { initial: 1 })
    const x = board.store<string>('x')
    const y = board.store<string>('y')
    board.callback({
      id: 'c',
      inputs: [a],
      state: [s],
      outputs: [x, y],
      run: (v, w) => [v + v, w > 1 ? noUpdate : 'z'],
    })
    await board.start()
    // 'ab' = 4 bytes, 1 = 8 bytes; outputs 'abab' = 8 bytes, 'z' = 2 bytes
    expect(board.inspect().callbacks[0]!.stats).toMatchObject({ runs: 1, bytesIn: 12, bytesOut: 10 })
    s.set(2)
    a.set('abc')
    // + 'abc' 6 + 8 in; 'abcabc' 12 out, y untouched
    expect(board.inspect().callbacks[0]!.stats).toMatchObject({ runs: 2, bytesIn: 26, bytesOut: 22 })
    expect(y.get()).toBe('z')
  })
})

describe('dispose', () => {
  it('after dispose nothing runs, late results are dropped, idle() resolves and callback() throws', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const gate = deferred<number>()
    const run = vi.fn((v: number) => (v === 1 ? gate.promise : v))
    board.callback({ id: 'r', inputs: [a], outputs: [b], preventInitialCall: true, run })
    await board.start()
    a.set(1)
    const idle = board.idle()
    board.dispose()
    await idle
    gate.resolve(50)
    await flush()
    expect(b.get()).toBe(0)
    // S10: a set() after dispose() is ignored (with one warning): nothing runs, nothing changes.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    a.set(2)
    expect(run).toHaveBeenCalledTimes(1)
    expect(a.get()).toBe(1)
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
    expect(() => board.callback({ inputs: [a], outputs: [], run: () => 0 })).toThrow(
      expect.objectContaining({ code: 'disposed', message: `board "${board.name}" is disposed.` }),
    )
    board.dispose()
  })

  it('a progress or ctx.set after dispose is dropped', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const side = board.store('side', { initial: 'none' })
    const gate = deferred<void>()
    let ctxOf: { progress(f: number): void; set(s: string, v: unknown): void } | undefined
    board.callback({
      id: 'x',
      inputs: [a],
      outputs: [],
      preventInitialCall: true,
      run: async (_v, ctx) => {
        ctxOf = ctx
        await gate.promise
      },
    })
    await board.start()
    a.set(1)
    board.dispose()
    ctxOf!.set('side', 'late')
    ctxOf!.progress(0.5)
    expect(side.get()).toBe('none')
    expect(board.inspect().callbacks[0]!.progress).toBeNull()
  })
})

describe('graph growth after start', () => {
  it('a callback defined after start runs its initial call at once, unless preventInitialCall', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 3 })
    await board.start()
    const b = board.store<number>('b')
    board.callback({ inputs: [a], outputs: [b], run: (v) => v + 1 })
    expect(b.get()).toBe(4)
    const quiet = vi.fn((v: number) => v)
    board.callback({ inputs: [a], outputs: [board.store('c')], preventInitialCall: true, run: quiet })
    expect(quiet).not.toHaveBeenCalled()
    a.set(4)
    expect(quiet).toHaveBeenCalledTimes(1)
  })

  it('an upstream callback added later (outputs already read) is ranked before its readers', async () => {
    // First: x → [Down] → y. Then: a → [Up] → x. A change of a must run Up, then Down, once.
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store('x', { initial: 0 })
    const y = board.store<number>('y')
    const order: string[] = []
    board.callback({ id: 'Down', inputs: [x], outputs: [y], run: (v) => (order.push(`Down${v}`), v * 10) })
    await board.start()
    board.callback({ id: 'Up', inputs: [a], outputs: [x], run: (v) => (order.push(`Up${v}`), v + 1) })
    expect(order).toEqual(['Down0', 'Up1', 'Down2'])
    order.length = 0
    a.set(5)
    expect(order).toEqual(['Up5', 'Down6'])
    expect(y.get()).toBe(60)
  })

  it('ranks recomputed before start: a long chain declared bottom-up still runs top-down once each', async () => {
    const board = newBoard()
    const s = [0, 1, 2, 3, 4].map((i) => board.store(`s${i}`, { initial: i === 0 ? 1 : 0 }))
    const order: number[] = []
    for (let i = 3; i >= 0; i--)
      board.callback({ id: `c${i}`, inputs: [s[i]!], outputs: [s[i + 1]!], run: (v: number) => (order.push(i), v + 1) })
    await board.start()
    expect(order).toEqual([0, 1, 2, 3])
    expect(s[4]!.get()).toBe(5)
    order.length = 0
    s[0]!.set(10)
    expect(order).toEqual([0, 1, 2, 3])
    expect(s[4]!.get()).toBe(14)
  })
})

describe('board definitions', () => {
  it('unnamed callbacks are named after their outputs, numbered when taken; effects are "effect"', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const x = board.store('x')
    const y = board.store('y')
    const ids = [
      board.callback({ inputs: [a], outputs: [x, y], run: () => [1, 2] }).id,
      board.callback({ inputs: [a], outputs: [x, y], allowDuplicate: true, run: () => [1, 2] }).id,
      board.callback({ inputs: [a], outputs: [x, y], allowDuplicate: true, run: () => [1, 2] }).id,
      board.callback({ inputs: [a], outputs: [], run: () => undefined }).id,
      board.callback({ inputs: [a], outputs: [], run: () => undefined }).id,
    ]
    expect(ids).toEqual(['x+y', 'x+y#2', 'x+y#3', 'effect', 'effect#2'])
    expect(() => board.callback({ id: 'effect', inputs: [a], outputs: [], run: () => 0 })).toThrow(
      expect.objectContaining({
        code: 'duplicate-callback',
        message: `board "${board.name}" already has a callback "effect".`,
      }),
    )
  })

  it('PM02 a string id asked for again is a lookup: the same store when the options agree', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0, storage: 'memory' })
    expect(board.store('a')).toBe(a)
    expect(board.store('a', { initial: 0 })).toBe(a)
    expect(() => board.store('a', { storage: 'local' })).toThrow(expect.objectContaining({ code: 'store-conflict' }))
  })

  it('refuses bad definitions with a typed error naming the culprit', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const other = newBoard().store('o')
    const cases: Array<[() => unknown, string, string]> = [
      [() => createBoard({ name: '' }), 'bad-definition', 'createBoard needs a non-empty string `name`.'],
      [() => board.store(''), 'bad-definition', `board "${board.name}": a store needs a non-empty string id.`],
      [
        () => board.store('a', { initial: 1 }),
        'store-conflict',
        `board "${board.name}" already has store a with another initial; an existing id takes the options it was created with.`,
      ],
      [
        () => board.store('z', { storage: 'disk' as never }),
        'bad-definition',
        'store "z" has an unknown storage "disk".',
      ],
      [() => board.store('z', { codec: 'xml' as never }), 'bad-definition', 'store "z" has an unknown codec "xml".'],
      [
        () => board.callback({ id: 'q', inputs: [a], outputs: [] } as never),
        'bad-definition',
        'callback "q" needs a run function.',
      ],
      [
        () => board.callback({ id: 'q', inputs: a, outputs: [], run: () => 0 } as never),
        'bad-definition',
        'callback "q" needs an inputs array.',
      ],
      [
        () => board.callback({ inputs: 'a', outputs: [], run: () => 0 } as never),
        'bad-definition',
        'callback "a callback" needs an inputs array.',
      ],
      [
        () => board.callback({ id: 'q', inputs: [a], outputs: [a, 'a'], run: () => [0, 0] }),
        'duplicate-output',
        'callback "q" lists the same output twice.',
      ],
      [
        () => board.callback({ id: 'q', inputs: [other], outputs: [], run: () => 0 }),
        'unknown-store',
        'callback "q" input names store "o" of another board.',
      ],
      [
        () => board.callback({ id: 'q', inputs: [], state: ['nope'], outputs: [], run: () => 0 }),
        'unknown-store',
        'callback "q" state names an unknown store "nope".',
      ],
      [
        () => board.callback({ id: 'q', inputs: [], outputs: [{ id: 7 } as never], run: () => noUpdate }),
        'unknown-store',
        'callback "q" output names an unknown store "7".',
      ],
    ]
    for (const [fn, code, message] of cases) {
      let err: unknown
      try {
        fn()
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(GraphError)
      expect([(err as GraphError).code, (err as GraphError).message]).toEqual([code, message])
    }
    expect(board.store('z', { storage: 'memory', codec: 'base64' }).storage).toBe('memory')
  })

  it('a ctx.set to an unknown store fails the callback, naming the store', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    board.callback({ id: 'w', inputs: [a], outputs: [], run: (_v, ctx) => ctx.set('ghost', 1) })
    await board.start()
    const e = board.errors.get('w')!
    expect((e.cause as GraphError).message).toBe('ctx.set names an unknown store "ghost".')
  })

  it('a cycle through several callbacks names every store on it, in order', () => {
    // a → [1] → b → [2] → c ; c → [3] → d ; then d → [4] → a closes a → b → c → d → a
    const board = newBoard()
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((id) => board.store(id, { initial: 0 }))
    board.callback({ inputs: [a!], outputs: [b!], run: (v) => v })
    board.callback({ inputs: [b!], outputs: [c!, e!], run: (v) => [v, v] })
    board.callback({ inputs: [c!], outputs: [d!], run: (v) => v })
    expect(() => board.callback({ id: 'back', inputs: [e!, d!], outputs: [a!], run: (v) => v })).toThrow(
      expect.objectContaining({ code: 'cycle', message: 'callback "back" closes a cycle: a → b → c → d → a.' }),
    )
    // Not a cycle: a diamond back into a fresh store.
    expect(board.callback({ id: 'ok', inputs: [e!, d!], outputs: [board.store('f')], run: (v) => v }).id).toBe('ok')
  })

  it('inspect(): per-store bytes and modifiedAt, codecs only for Web Storage stores, progress copied', async () => {
    const board = newBoard()
    board.store('m', { initial: 'abc' })
    const info = board.inspect()
    expect(info.version).toBe(1)
    expect(info.stores).toEqual([
      { id: 'm', storage: 'memory', codec: undefined, location: 'memory', bytes: 6, modifiedAt: undefined },
    ])
    expect(info.callbacks).toEqual([])
    expect(createBoard({ name: `mut-${++n}` }).version).toBe(0)
  })

  it('the "replaced" hook sees an object value replaced, not a primitive one', async () => {
    const board = newBoard()
    const o = board.store<unknown>('o', { initial: { v: 1 } })
    await board.start()
    const got: Array<[string | undefined, unknown]> = []
    boardImpl(board).hooks.replaced.push((s, old) => got.push([s?.id, old]))
    const first = o.get()
    o.set(5)
    o.set(null)
    o.set([1])
    o.set('s')
    expect(got).toEqual([
      ['o', first],
      ['o', [1]],
    ])
  })
})
