/**
 * The five scheduling guarantees of DESIGN.md, one graph per case, drawn in a comment,
 * with calls counted. Pure logic (memory stores only), so these run in Node.
 */
import { describe, expect, it, vi } from 'vitest'
import { CallbackError, createBoard, GraphError, noUpdate, PreventUpdate } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `sched-${++n}`, version: 1 })

/** A promise we resolve by hand, to control async callbacks exactly. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('guarantee 1: once per wave, after everything upstream', () => {
  it('chain: a → [b] → x → [c] → y runs each once per change, in order', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store<number>('x')
    const y = board.store<number>('y')
    const order: string[] = []
    board.callback({ id: 'b', inputs: [a], outputs: [x], run: (v) => (order.push('b'), v + 1) })
    board.callback({ id: 'c', inputs: [x], outputs: [y], run: (v) => (order.push('c'), v! * 10) })
    await board.start()
    expect(y.get()).toBe(20)
    order.length = 0
    a.set(5)
    expect(order).toEqual(['b', 'c'])
    expect(y.get()).toBe(60)
  })

  it('diamond: D runs once when A changes and sees consistent B and C', async () => {
    //     a
    //   ↙   ↘
    // [B]   [C]
    //  b     c
    //   ↘   ↙
    //    [D] → d
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    const d = board.store<string>('d')
    const seen: string[] = []
    board.callback({ id: 'B', inputs: [a], outputs: [b], run: (v) => v * 2 })
    board.callback({ id: 'C', inputs: [a], outputs: [c], run: (v) => v * 3 })
    const D = vi.fn((x: number | undefined, y: number | undefined) => {
      seen.push(`${x},${y}`)
      return `${x}+${y}`
    })
    board.callback({ id: 'D', inputs: [b, c], outputs: [d], run: D })
    await board.start()
    D.mockClear()
    seen.length = 0
    a.set(2)
    expect(D).toHaveBeenCalledTimes(1)
    expect(seen).toEqual(['4,6'])
    expect(d.get()).toBe('4+6')
  })

  it('diamond through state: D waits for C even though C only feeds its state', async () => {
    //  a → [B] → b ──input──→ [D] → d
    //  a → [C] → c ──state──↗
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    const d = board.store<string>('d')
    const C = deferred<number>()
    board.callback({ id: 'B', inputs: [a], outputs: [b], run: (v) => v * 2 })
    board.callback({ id: 'C', inputs: [a], outputs: [c], run: (v) => (v === 1 ? v * 3 : C.promise) })
    const D = vi.fn((x: number | undefined, y: number | undefined) => `${x}/${y}`)
    board.callback({ id: 'D', inputs: [b], state: [c], outputs: [d], run: D })
    await board.start()
    D.mockClear()
    a.set(2)
    // B has settled synchronously, but C (upstream of D's state) is in flight: D waits.
    expect(D).not.toHaveBeenCalled()
    C.resolve(6)
    await board.idle()
    expect(D).toHaveBeenCalledTimes(1)
    expect(d.get()).toBe('4/6')
  })

  it('async diamond with different delays: D runs once, after both branches', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    const d = board.store<number>('d')
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    board.callback({ id: 'B', inputs: [a], outputs: [b], run: async (v) => (await sleep(30), v * 2) })
    board.callback({ id: 'C', inputs: [a], outputs: [c], run: async (v) => (await sleep(5), v * 3) })
    const D = vi.fn((x: number | undefined, y: number | undefined) => x! + y!)
    board.callback({ id: 'D', inputs: [b, c], outputs: [d], run: D })
    await board.start()
    expect(D).toHaveBeenCalledTimes(1)
    expect(D).toHaveBeenLastCalledWith(2, 3, expect.anything())
    a.set(10)
    await board.idle()
    expect(D).toHaveBeenCalledTimes(2)
    expect(D).toHaveBeenLastCalledWith(20, 30, expect.anything())
    expect(d.get()).toBe(50)
  })

  it('fan-out of 300: each leaf runs once per change', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const leaves = Array.from({ length: 300 }, (_, i) => board.store<number>(`leaf${i}`))
    const run = vi.fn((v: number) => v + 1)
    for (const leaf of leaves) board.callback({ inputs: [a], outputs: [leaf], run })
    await board.start()
    expect(run).toHaveBeenCalledTimes(300)
    run.mockClear()
    a.set(1)
    expect(run).toHaveBeenCalledTimes(300)
    expect(leaves.every((l) => l.get() === 2)).toBe(true)
  })

  it('batch: two inputs changed together run their reader once, triggered lists both in input order', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 1 })
    const out = board.store<number>('out')
    const triggered: string[][] = []
    board.callback({
      inputs: [a, b],
      outputs: [out],
      run: (x, y, ctx) => (triggered.push([...ctx.triggered]), x + y),
    })
    await board.start()
    board.batch(() => {
      b.set(2)
      a.set(2)
    })
    expect(triggered).toEqual([[], ['a', 'b']])
    expect(out.get()).toBe(4)
  })

  it('ctx.triggered names a store changed upstream earlier in the same wave', async () => {
    // a → [B] → b ;  [D] reads a and b: one run, triggered ['a', 'b']
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const d = board.store<string[]>('d')
    board.callback({ id: 'B', inputs: [a], outputs: [b], run: (v) => v + 1 })
    board.callback({ id: 'D', inputs: [a, b], outputs: [d], run: (_x, _y, ctx) => [...ctx.triggered] })
    await board.start()
    // The initial wave too (S25): B changed b earlier in it; a was changed by no callback.
    expect(d.get()).toEqual(['b'])
    a.set(5)
    expect(d.get()).toEqual(['a', 'b'])
  })

  it('a store set while an upstream callback runs joins the wave: its reader waits', async () => {
    //  a → [slow] → s ──→ [D] → d
    //            other ──↗
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    const other = board.store('other', { initial: 0 })
    const d = board.store<number>('d')
    const slow = deferred<number>()
    board.callback({ id: 'slow', inputs: [a], outputs: [s], run: (v) => (v === 0 ? 0 : slow.promise) })
    const D = vi.fn((x: number, y: number) => x + y)
    board.callback({ id: 'D', inputs: [s, other], outputs: [d], run: D })
    await board.start()
    D.mockClear()
    a.set(1)
    other.set(100)
    expect(D).not.toHaveBeenCalled()
    slow.resolve(7)
    await board.idle()
    expect(D).toHaveBeenCalledTimes(1)
    expect(d.get()).toBe(107)
  })
})

describe('guarantee 2: outputs not returned do not propagate', () => {
  it('noUpdate in one slot leaves that output alone and wakes nothing below it', async () => {
    // a → [B] → (x, y);  x → [X], y → [Y]
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store<number>('x')
    const y = board.store<number>('y')
    const X = vi.fn((v: number | undefined) => v)
    const Y = vi.fn((v: number | undefined) => v)
    board.callback({ id: 'B', inputs: [a], outputs: [x, y], run: (v) => [v, v > 1 ? noUpdate : v] })
    board.callback({ id: 'X', inputs: [x], outputs: [board.store('xo')], run: X })
    board.callback({ id: 'Y', inputs: [y], outputs: [board.store('yo')], run: Y })
    await board.start()
    X.mockClear()
    Y.mockClear()
    a.set(2)
    expect(x.get()).toBe(2)
    expect(y.get()).toBe(1)
    expect(X).toHaveBeenCalledTimes(1)
    expect(Y).not.toHaveBeenCalled()
  })

  it('PreventUpdate leaves every output alone and is not an error', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store('x', { initial: 0 })
    const below = vi.fn((v: number) => v)
    board.callback({
      id: 'gate',
      inputs: [a],
      outputs: [x],
      run: (v) => {
        if (v > 1) throw new PreventUpdate()
        return v
      },
    })
    board.callback({ inputs: [x], outputs: [board.store('o')], run: below })
    await board.start()
    below.mockClear()
    a.set(2)
    expect(x.get()).toBe(1)
    expect(below).not.toHaveBeenCalled()
    expect(board.errors.size).toBe(0)
  })

  it("an equal value does not propagate (Object.is, or the store's equals)", async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const parity = board.store<number>('parity')
    const pair = board.store('pair', { initial: { k: 0 }, equals: (p, q) => p.k === q.k })
    const below = vi.fn((v: number | undefined) => v)
    const belowPair = vi.fn((p: { k: number }) => p.k)
    board.callback({ inputs: [a], outputs: [parity], run: (v) => v % 2 })
    board.callback({ inputs: [parity], outputs: [board.store('o1')], run: below })
    board.callback({ inputs: [pair], outputs: [board.store('o2')], run: belowPair })
    await board.start()
    below.mockClear()
    belowPair.mockClear()
    a.set(3) // parity stays 1
    pair.set({ k: 0 }) // a new object, equal by `equals`
    expect(below).not.toHaveBeenCalled()
    expect(belowPair).not.toHaveBeenCalled()
    a.set(4)
    expect(below).toHaveBeenCalledTimes(1)
  })
})

describe('guarantee 3: supersession', () => {
  it('F26 stale response: A resolves after B; the output shows B and nothing stays running', async () => {
    const board = newBoard()
    const q = board.store('q', { initial: 'A' })
    const out = board.store<string>('out')
    const pending = new Map<string, ReturnType<typeof deferred<string>>>()
    const signals: AbortSignal[] = []
    board.callback({
      id: 'search',
      inputs: [q],
      outputs: [out],
      preventInitialCall: true,
      run: (v, ctx) => {
        signals.push(ctx.signal)
        const d = deferred<string>()
        pending.set(v, d)
        return d.promise
      },
    })
    await board.start()
    q.set('B')
    q.set('C')
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[1]!.aborted).toBe(false)
    pending.get('C')!.resolve('result C')
    pending.get('B')!.resolve('result B (late)')
    await board.idle()
    expect(out.get()).toBe('result C')
    expect(board.inspect().callbacks[0]!.running).toBe(false)
  })

  it('F26 stale error: a superseded run that rejects late leaves no error', async () => {
    const board = newBoard()
    const q = board.store('q', { initial: 0 })
    const out = board.store<number>('out')
    const first = deferred<number>()
    board.callback({
      id: 'fetch',
      inputs: [q],
      outputs: [out],
      preventInitialCall: true,
      run: (v) => (v === 1 ? first.promise : Promise.resolve(v * 10)),
    })
    await board.start()
    q.set(1)
    q.set(2)
    await board.idle()
    first.reject(new Error('late failure'))
    await new Promise((r) => setTimeout(r, 0))
    expect(out.get()).toBe(20)
    expect(board.errors.size).toBe(0)
  })

  it('F27 superseded call: its ctx.set and progress after the abort are dropped', async () => {
    const board = newBoard()
    const q = board.store('q', { initial: 0 })
    const side = board.store('side', { initial: 'none' })
    const out = board.store<number>('out')
    const gates: Array<ReturnType<typeof deferred<void>>> = []
    board.callback({
      id: 'slow',
      inputs: [q],
      outputs: [out],
      preventInitialCall: true,
      run: async (v, ctx) => {
        const g = deferred<void>()
        gates.push(g)
        await g.promise
        ctx.set(side, `from ${v}`)
        ctx.progress(0.5, `run ${v}`)
        return v
      },
    })
    await board.start()
    q.set(1)
    q.set(2)
    gates[0]!.resolve() // the superseded run wakes up and tries to write
    await new Promise((r) => setTimeout(r, 0))
    expect(side.get()).toBe('none')
    expect(board.inspect().callbacks[0]!.progress).toBeNull()
    gates[1]!.resolve()
    await board.idle()
    expect(side.get()).toBe('from 2')
    expect(out.get()).toBe(2)
  })
})

describe('guarantee 4: the initial wave', () => {
  it('runs every callback once in topological order, even if defined downstream first', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    const order: string[] = []
    // Declared bottom-up on purpose.
    board.callback({ id: 'second', inputs: [b], outputs: [c], run: (v) => (order.push('second'), v! + 1) })
    board.callback({ id: 'first', inputs: [a], outputs: [b], run: (v) => (order.push('first'), v + 1) })
    await board.start()
    expect(order).toEqual(['first', 'second'])
    expect(c.get()).toBe(3)
  })

  it('runs downstream callbacks even when upstream returned noUpdate', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 'init' })
    const below = vi.fn((v: string) => v)
    board.callback({ inputs: [a], outputs: [b], run: () => noUpdate })
    board.callback({ inputs: [b], outputs: [board.store('c')], run: below })
    await board.start()
    expect(below).toHaveBeenCalledTimes(1)
    expect(below).toHaveBeenCalledWith('init', expect.anything())
  })

  it('preventInitialCall skips only the initial call; an upstream change in the initial wave still runs it', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const lone = vi.fn((v: number) => v)
    const fed = vi.fn((v: number | undefined) => v)
    board.callback({ id: 'lone', inputs: [a], outputs: [board.store('l')], preventInitialCall: true, run: lone })
    board.callback({ id: 'up', inputs: [a], outputs: [b], run: (v) => v * 2 })
    board.callback({ id: 'fed', inputs: [b], outputs: [board.store('f')], preventInitialCall: true, run: fed })
    await board.start()
    expect(lone).not.toHaveBeenCalled()
    expect(fed).toHaveBeenCalledTimes(1)
    expect((fed.mock.calls[0] as unknown[])[1]).toMatchObject({ triggered: ['b'] })
    a.set(2)
    expect(lone).toHaveBeenCalledTimes(1)
  })

  it('start() resolves after async callbacks of the initial wave settle', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 2 })
    const b = board.store<number>('b')
    board.callback({
      inputs: [a],
      outputs: [b],
      run: async (v) => (await new Promise((r) => setTimeout(r, 10)), v * 5),
    })
    await board.start()
    expect(b.get()).toBe(10)
  })
})

describe('guarantee 5: bad graphs are refused at definition (F29)', () => {
  it('F29 cycle: names the path', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    board.callback({ id: 'ab', inputs: [a], outputs: [b], run: (v) => v })
    let err: unknown
    try {
      board.callback({ id: 'ba', inputs: [b], outputs: [a], run: (v) => v })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GraphError)
    expect((err as GraphError).code).toBe('cycle')
    expect((err as GraphError).message).toContain('a → b → a')
  })

  it('F29 cycle closed by a state edge is a cycle too', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    board.callback({ inputs: [a], outputs: [b], run: (v) => v })
    board.callback({ inputs: [b], outputs: [c], run: (v) => v })
    expect(() => board.callback({ inputs: [], state: [c], outputs: [a], run: (v) => v })).toThrow(
      expect.objectContaining({ code: 'cycle', message: expect.stringContaining('a → b → c → a') }),
    )
  })

  it('a store may be input and output of the same callback; its own write does not re-run it', async () => {
    const board = newBoard()
    const clicks = board.store('clicks', { initial: 0 })
    const count = board.store('count', { initial: 0 })
    const run = vi.fn((c: number, n: number) => n + c)
    board.callback({ inputs: [clicks, count], outputs: [count], run, preventInitialCall: true })
    await board.start()
    clicks.set(1)
    expect(run).toHaveBeenCalledTimes(1)
    expect(count.get()).toBe(1)
  })

  it('F29 duplicate output: names both callbacks unless allowDuplicate', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    board.callback({ id: 'one', inputs: [a], outputs: [b], run: (v) => v })
    expect(() => board.callback({ id: 'two', inputs: [a], outputs: [b], run: (v) => v })).toThrow(
      expect.objectContaining({ code: 'duplicate-output', message: expect.stringMatching(/"one".*"two".*"b"/) }),
    )
    expect(() =>
      board.callback({ id: 'three', inputs: [a], outputs: [b], allowDuplicate: true, run: (v) => v }),
    ).not.toThrow()
  })

  it('F29 unknown store: names the id', () => {
    const board = newBoard()
    expect(() => board.callback({ inputs: ['ghost'], outputs: [], run: () => 0 })).toThrow(
      expect.objectContaining({ code: 'unknown-store', message: expect.stringContaining('"ghost"') }),
    )
  })

  it('F29 a throwing callback fails only its own outputs; the rest of the wave goes on', async () => {
    // a → [bad] → x ;  a → [good] → y
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store('x', { initial: 0 })
    const y = board.store('y', { initial: 0 })
    const boom = new RangeError('boom')
    board.callback({
      id: 'bad',
      inputs: [a],
      outputs: [x],
      run: (v) => {
        if (v > 1) throw boom
        return v
      },
    })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: (v) => v * 2 })
    await board.start()
    const events: CallbackError[] = []
    board.on('error', (e) => events.push(e))
    a.set(2)
    expect(x.get()).toBe(1)
    expect(y.get()).toBe(4)
    const err = board.errors.get('bad')
    expect(err).toBeInstanceOf(CallbackError)
    expect(err!.callbackId).toBe('bad')
    expect(err!.cause).toBe(boom)
    expect(events).toHaveLength(1)
    a.set(1) // succeeds again: the error is cleared
    expect(board.errors.has('bad')).toBe(false)
  })
})

describe('precise semantics', () => {
  it('store refs by string id; a store listed twice fills both slots', async () => {
    const board = newBoard()
    board.store('a', { initial: 3 })
    const out = board.store<number>('out')
    board.callback({ inputs: ['a', 'a'], outputs: ['out'], run: (x, y) => (x as number) * (y as number) })
    await board.start()
    expect(out.get()).toBe(9)
  })

  it('ctx.set writes a store that is not an output and wakes its readers', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const log = board.store('log', { initial: '' })
    const seen = vi.fn((s: string) => s)
    board.callback({ inputs: [a], outputs: [], run: (v, ctx) => ctx.set(log, `a is ${v}`) })
    board.callback({ inputs: [log], outputs: [board.store('o')], run: seen, preventInitialCall: true })
    await board.start()
    expect(log.get()).toBe('a is 1')
    a.set(2)
    expect(log.get()).toBe('a is 2')
    expect(seen).toHaveBeenLastCalledWith('a is 2', expect.anything())
  })

  it('subscribe: called after each change, not at subscription; settled inside set()', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    await board.start()
    board.callback({ inputs: [a], outputs: [b], run: (v) => v + 1 })
    const got: Array<number | undefined> = []
    const off = b.subscribe((v) => got.push(v))
    expect(got).toEqual([])
    a.set(5)
    expect(got).toEqual([6])
    off()
    a.set(6)
    expect(got).toEqual([6])
  })

  it('several outputs: a wrong-length array fails the callback with a clear error', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({ id: 'two', inputs: [a], outputs: [board.store('x'), board.store('y')], run: () => [1] as never })
    await board.start()
    expect(board.errors.get('two')!.cause).toBeInstanceOf(TypeError)
    expect(String((board.errors.get('two')!.cause as Error).message)).toMatch(/"two" has 2 outputs/)
  })

  it('clear() sets the store back to initial as a normal change', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    board.callback({ inputs: [a], outputs: [b], run: (v) => v * 2 })
    await board.start()
    a.set(4)
    a.clear()
    expect(a.get()).toBe(1)
    expect(b.get()).toBe(2)
  })

  it('dispose: runs in flight are aborted and dropped; nothing runs after', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const d = deferred<number>()
    let signal!: AbortSignal
    board.callback({
      inputs: [a],
      outputs: [b],
      preventInitialCall: true,
      run: (_v, ctx) => ((signal = ctx.signal), d.promise),
    })
    await board.start()
    a.set(1)
    board.dispose()
    expect(signal.aborted).toBe(true)
    d.resolve(99)
    await board.idle()
    expect(b.get()).toBe(0)
  })

  it('idle() with nothing pending resolves at once', async () => {
    const board = newBoard()
    await board.start()
    let done = false
    void board.idle().then(() => (done = true))
    await Promise.resolve()
    expect(done).toBe(true)
  })

  it('inspect() lists stores, callbacks, edges and stats (profile: true times and sizes sync runs)', async () => {
    const board = createBoard({ name: `sched-${++n}`, version: 1, profile: true })
    const a = board.store('a', { initial: 1 })
    const s = board.store('s', { initial: 2 })
    const b = board.store<number>('b')
    board.callback({ id: 'cb', inputs: [a], state: [s], outputs: [b], run: (x, y) => x + y })
    await board.start()
    a.set(2)
    const info = board.inspect()
    expect(info.name).toBe(board.name)
    expect(info.stores.map((x) => x.id)).toEqual(['a', 's', 'b'])
    expect(info.edges).toEqual([
      { from: 'a', to: 'cb', kind: 'input' },
      { from: 's', to: 'cb', kind: 'state' },
      { from: 'cb', to: 'b', kind: 'output' },
    ])
    const cb = info.callbacks[0]!
    expect(cb.stats.runs).toBe(2)
    expect(cb.stats.bytesIn).toBe(32)
    expect(cb.stats.bytesOut).toBe(16)
    expect(cb.running).toBe(false)
  })

  it('without profile, sync runs are counted but not timed or sized; async runs are timed', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({ id: 'sync', inputs: [a], outputs: [board.store('b')], run: (x) => x })
    board.callback({
      id: 'async',
      inputs: [a],
      outputs: [board.store('c')],
      run: async (x) => (await new Promise((r) => setTimeout(r, 5)), x),
    })
    await board.start()
    const [sync, async] = board.inspect().callbacks
    expect(sync!.stats).toMatchObject({ runs: 1, bytesIn: 0, lastMs: 0 })
    expect(async!.stats.runs).toBe(1)
    expect(async!.stats.lastMs).toBeGreaterThan(0)
  })
})
