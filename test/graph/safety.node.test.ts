/**
 * "Never stuck" (DESIGN.md, Precise semantics: safety) for the scheduler: callbacks defined
 * at any moment, any thrown value, dispose, runaway loops, and ctx.triggered in the initial
 * wave. Memory stores only, so these run in Node. Ids are those of issue 10.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CallbackError, createBoard, GraphError } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `safety-${++n}`, version: 1 })

/**
 * Resolves true if `p` settles before the next macrotask, false otherwise. Our async
 * callbacks here await only resolved promises, so whatever should settle does so in
 * microtasks, all of which run before a macrotask: no dependence on machine speed.
 */
function settlesNow(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))])
}

/** Collects unhandled rejections while a test runs. */
function watchRejections(): unknown[] {
  const seen: unknown[] = []
  const on = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', on)
  cleanups.push(() => process.off('unhandledRejection', on))
  return seen
}
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
  vi.restoreAllMocks()
})

describe('S03 a callback defined at any moment keeps every guarantee for the others', () => {
  it('S03 defined inside batch after start(): an already-dirty callback still runs, now and later', async () => {
    //  a → [B] → b            B is dirty in the batch (rank 0) when N arrives;
    //  c → [N] → x → [D] → d  N writes x, which D already reads: the ranks are recomputed.
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 10 })
    const x = board.store('x', { initial: 0 })
    const d = board.store('d', { initial: 0 })
    const B = vi.fn((v: number) => v * 2)
    board.callback({ id: 'B', inputs: [a], outputs: [b], run: B })
    board.callback({ id: 'D', inputs: [x], outputs: [d], run: (v: number) => v + 1 })
    await board.start()
    expect(b.get()).toBe(2)
    B.mockClear()
    board.batch(() => {
      a.set(2)
      board.callback({ id: 'N', inputs: [c], outputs: [x], run: (v: number) => v * 3 })
    })
    expect(B).toHaveBeenCalledTimes(1)
    expect(b.get()).toBe(4)
    expect(x.get()).toBe(30)
    expect(d.get()).toBe(31)
    a.set(3)
    expect(B).toHaveBeenCalledTimes(2)
    expect(b.get()).toBe(6)
    await board.idle()
  })

  it('S03 defining a callback inside batch keeps the batch one wave', async () => {
    //  a ─┬─► [D] → d    D must run once, after the batch, seeing a = 2 and b = 2.
    //  b ─┘
    //  a ──► [N] → y     (defined in the middle of the batch)
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 1 })
    const d = board.store('d', { initial: '' })
    const y = board.store('y', { initial: 0 })
    const seen: string[] = []
    board.callback({
      id: 'D',
      inputs: [a, b],
      outputs: [d],
      run: (p: number, q: number, ctx) => (seen.push(`${p},${q} ${ctx.triggered.join('+')}`), `${p},${q}`),
    })
    await board.start()
    seen.length = 0
    board.batch(() => {
      a.set(2)
      board.callback({ id: 'N', inputs: [a], outputs: [y], run: (v: number) => v * 100 })
      expect(y.get()).toBe(0) // nothing ran yet: still inside the batch
      b.set(2)
    })
    expect(seen).toEqual(['2,2 a+b'])
    expect(y.get()).toBe(200)
  })

  it('S03 defined during a wave while an upstream async callback is in flight: it waits for it', async () => {
    //  a → [slow] (async) → s → [late] → l      late is defined while slow is in flight
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const s = board.store('s', { initial: 0 })
    const l = board.store('l', { initial: '' })
    let release!: () => void
    board.callback({
      id: 'slow',
      inputs: [a],
      outputs: [s],
      run: async (v: number) => {
        if (v > 1) await new Promise<void>((r) => (release = r))
        return v * 10
      },
    })
    await board.start()
    a.set(2)
    const late = vi.fn((v: number, ctx: { triggered: readonly string[] }) => `${v} ${ctx.triggered.join('+')}`)
    board.callback({ id: 'late', inputs: [s], outputs: [l], run: late })
    expect(late).not.toHaveBeenCalled()
    release()
    await board.idle()
    expect(late).toHaveBeenCalledTimes(1)
    expect(l.get()).toBe('20 s')
  })
})

describe('S04 any thrown value becomes a CallbackError with that very value as cause', () => {
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()
  class NamelessError extends Error {
    override get name(): string {
      throw new Error('no name for you')
    }
  }
  const hostile: Array<[string, () => unknown]> = [
    ['a null-prototype object', () => Object.create(null)],
    ['an Error whose name getter throws', () => new NamelessError('x')],
    [
      'an object whose toString throws',
      () => ({
        toString: () => {
          throw new Error('no text')
        },
      }),
    ],
    ['a Symbol', () => Symbol('s')],
    ['a revoked Proxy', () => revoked.proxy],
  ]

  it.each(hostile)('S04 sync, %s: set() does not throw, siblings run, errors holds the value', async (_label, make) => {
    //  a → [bad] → x ;  a → [good] → y   (good comes after bad in the order)
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store('x', { initial: 0 })
    const y = board.store('y', { initial: 0 })
    const thrown = make()
    board.callback({
      id: 'bad',
      inputs: [a],
      outputs: [x],
      run: (v: number) => {
        if (v > 1) throw thrown
        return v
      },
    })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: (v: number) => v * 2 })
    await board.start()
    expect(() => a.set(2)).not.toThrow()
    expect(y.get()).toBe(4)
    const err = board.errors.get('bad')
    expect(err).toBeInstanceOf(CallbackError)
    expect(err!.cause).toBe(thrown)
    expect(err!.message).toMatch(/^callback "bad" failed: /)
    expect(await settlesNow(board.idle())).toBe(true)
  })

  it.each(hostile)('S04 sync in the initial wave, %s: start() resolves and siblings run', async (_label, make) => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const y = board.store('y', { initial: 0 })
    const thrown = make()
    board.callback({
      id: 'bad',
      inputs: [a],
      outputs: [board.store('x')],
      run: () => {
        throw thrown
      },
    })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: (v: number) => v * 2 })
    await board.start()
    expect(y.get()).toBe(2)
    expect(board.errors.get('bad')!.cause).toBe(thrown)
  })

  it.each(hostile)('S04 async, %s: no unhandled rejection, errors holds it, idle() resolves', async (_label, make) => {
    const rejections = watchRejections()
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const y = board.store('y', { initial: 0 })
    const thrown = make()
    board.callback({
      id: 'bad',
      inputs: [a],
      outputs: [board.store('x')],
      run: async (v: number) => {
        await null
        if (v > 1) throw thrown
        return v
      },
    })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: async (v: number) => v * 2 })
    await board.start()
    a.set(2)
    expect(await settlesNow(board.idle())).toBe(true)
    expect(y.get()).toBe(4)
    expect(board.errors.get('bad')!.cause).toBe(thrown)
    await new Promise((r) => setImmediate(r))
    expect(rejections).toEqual([])
  })

  it('S04 a returned value whose `then` getter throws fails the callback, not set()', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const y = board.store('y', { initial: 0 })
    const broken = new Error('then says no')
    board.callback({
      id: 'bad',
      inputs: [a],
      outputs: [board.store('x')],
      run: () => ({
        get then() {
          throw broken
        },
      }),
    })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: (v: number) => v * 2 })
    await board.start()
    expect(board.errors.get('bad')!.cause).toBe(broken)
    expect(() => a.set(2)).not.toThrow()
    expect(y.get()).toBe(4)
    expect(await settlesNow(board.idle())).toBe(true)
  })
})

describe('S10 dispose() then set()', () => {
  it('S10 a set() after dispose() is ignored with one warning, and idle() resolves', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    const run = vi.fn((v: number) => v * 2)
    board.callback({ inputs: [a], outputs: [b], run })
    await board.start()
    board.dispose()
    a.set(2)
    a.set(3)
    a.clear()
    expect(a.get()).toBe(1)
    expect(run).toHaveBeenCalledTimes(1)
    expect(await settlesNow(board.idle())).toBe(true)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/^\[switchboard\] .*"a".*dispose/)
  })

  it('S10 idle() called before dispose() with a run in flight resolves at dispose', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({
      inputs: [a],
      outputs: [board.store('b')],
      preventInitialCall: true,
      run: () => new Promise(() => undefined),
    })
    await board.start()
    a.set(2)
    const idle = board.idle()
    board.dispose()
    expect(await settlesNow(idle)).toBe(true)
  })
})

describe('S10 dispose() from inside the graph', () => {
  it('S10 a callback that disposes the board: its own result is dropped silently, nothing runs after, idle() resolves', async () => {
    //  a → [stop] → b → [after] → c        stop calls board.dispose() when a is 2
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    board.callback({ id: 'stop', inputs: [a], outputs: [b], run: (v: number) => (v === 2 && board.dispose(), v * 10) })
    const after = vi.fn((v: number) => v + 1)
    board.callback({ id: 'after', inputs: [b], outputs: [c], run: after })
    await board.start()
    after.mockClear()
    a.set(2)
    expect(b.get()).toBe(10)
    expect(after).not.toHaveBeenCalled()
    expect(await settlesNow(board.idle())).toBe(true)
    expect(warn).not.toHaveBeenCalled() // nobody called set() after dispose: no warning to give
  })
})

describe('S10 dispose() from inside a failing run', () => {
  it('S10 a callback that disposes the board and then throws: its error is dropped too', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({
      id: 'stop',
      inputs: [a],
      outputs: [],
      run: (v: number) => {
        if (v !== 2) return
        board.dispose()
        throw new Error('after dispose')
      },
    })
    await board.start()
    a.set(2)
    expect(board.errors.size).toBe(0)
    expect(await settlesNow(board.idle())).toBe(true)
  })
})

describe('S14 runaway: a callback that keeps re-running itself in one wave', () => {
  it('S14 sets its own input inside run: fails with GraphError("runaway") naming it after 1,000 re-runs', async () => {
    //  a → [loop] → out, and loop sets a itself (not through ctx.set, which would not re-run it)
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const out = board.store('out', { initial: 0 })
    const y = board.store('y', { initial: 0 })
    const loop = vi.fn((v: number) => {
      if (v > 0 && v < 100_000) a.set(v + 1)
      return v
    })
    board.callback({ id: 'loop', inputs: [a], outputs: [out], run: loop })
    board.callback({ id: 'other', inputs: [a], outputs: [y], run: (v: number) => -v })
    await board.start()
    loop.mockClear()
    expect(() => a.set(1)).not.toThrow()
    expect(loop).toHaveBeenCalledTimes(1000)
    const err = board.errors.get('loop')!
    expect(err).toBeInstanceOf(CallbackError)
    expect(err.code).toBe('runaway')
    expect(err.cause).toBeInstanceOf(GraphError)
    expect((err.cause as GraphError).code).toBe('runaway')
    expect((err.cause as GraphError).message).toMatch(/"loop".*1,?000/)
    expect(y.get()).toBe(-1001) // the rest of the wave settles on the last value
    expect(await settlesNow(board.idle())).toBe(true)
    // A later wave starts counting afresh.
    loop.mockClear()
    a.set(-5)
    expect(loop).toHaveBeenCalledTimes(1)
    expect(board.errors.has('loop')).toBe(false)
  })

  it('S14 a loop through an async callback and a downstream setter is caught too', async () => {
    //  a → [N] (async) → x → [M] → sets a    each turn is a settle, not a new wave
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const x = board.store('x', { initial: 0 })
    let turns = 0
    board.callback({ id: 'N', inputs: [a], outputs: [x], run: async (v: number) => v })
    board.callback({
      id: 'M',
      inputs: [x],
      outputs: [],
      run: (v: number) => {
        if (v > 0 && ++turns < 5_000) a.set(v + 1)
      },
    })
    await board.start()
    a.set(1)
    expect(await settlesNow(board.idle())).toBe(true)
    expect(board.errors.get('N')?.code).toBe('runaway')
    expect(turns).toBe(1000)
  })

  it('S14 a loop through a subscriber (it sets the input of the callback it listens to) is caught too', async () => {
    //  a → [twice] → b ; b's subscriber sets a = b
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    board.callback({ id: 'twice', inputs: [a], outputs: [b], run: (v: number) => v + 1 })
    await board.start()
    let calls = 0
    b.subscribe((v) => {
      if (++calls < 5_000) a.set(v)
    })
    expect(() => a.set(5)).not.toThrow()
    expect(board.errors.get('twice')?.code).toBe('runaway')
    expect(calls).toBe(1000)
    expect(await settlesNow(board.idle())).toBe(true)
  })

  it('S14 no false alarm: 1,500 separate sets while an async callback is always in flight', async () => {
    //  a → [slow] (async, superseded by each set) → s
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    board.callback({ id: 'slow', inputs: [a], outputs: [s], run: async (v: number) => (await null, v) })
    await board.start()
    for (let i = 1; i <= 1500; i++) a.set(i)
    await board.idle()
    expect(board.errors.size).toBe(0)
    expect(s.get()).toBe(1500)
  })
})

describe('S25 ctx.triggered in the initial wave (Dash test_cbcx006)', () => {
  it('S25 a + b → sum, then (a, b, sum) → text sees triggered ["sum"] in the initial wave', async () => {
    //  a ─┬─► [sum] → sum ─┐
    //  b ─┘                ├─► [text] → text
    //  a, b ───────────────┘
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 2 })
    const sum = board.store<number>('sum')
    const text = board.store<string>('text')
    const triggered: string[][] = []
    board.callback({
      id: 'sum',
      inputs: [a, b],
      outputs: [sum],
      run: (x: number, y: number, ctx) => (triggered.push([...ctx.triggered]), x + y),
    })
    board.callback({
      id: 'text',
      inputs: [a, b, sum],
      outputs: [text],
      run: (x: number, y: number, s: number | undefined, ctx) => (triggered.push([...ctx.triggered]), `${x}+${y}=${s}`),
    })
    await board.start()
    expect(text.get()).toBe('1+2=3')
    expect(triggered).toEqual([[], ['sum']])
  })

  it('S25 an async upstream in the initial wave: the reader waits and sees its output as triggered', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const up = board.store<number>('up')
    const seen: string[][] = []
    board.callback({ id: 'up', inputs: [a], outputs: [up], run: async (v: number) => (await null, v + 1) })
    board.callback({
      id: 'down',
      inputs: [a, up],
      outputs: [],
      run: (_x: number, _u: number | undefined, ctx) => void seen.push([...ctx.triggered]),
    })
    await board.start()
    expect(seen).toEqual([['up']])
  })

  it('S25 empty when no upstream changed the input, even if the user set it before start()', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const seen: string[][] = []
    board.callback({ id: 'c', inputs: [a], outputs: [], run: (_v: number, ctx) => void seen.push([...ctx.triggered]) })
    a.set(5)
    await board.start()
    expect(seen).toEqual([[]])
  })
})

describe('bugs the property test and review of the scheduler found', () => {
  it('S03 (property counterexample) a late preventInitialCall callback upstream of an existing one: the next set runs both', async () => {
    //  s0 ─┬─────────────────► [c1] (preventInitialCall, defined first)
    //      └─► [c0] → s1 ──────↗     c0: late, preventInitialCall. It got rank 0 beside c1's
    //                                 rank 0; the set marked both and one slot held only one.
    const board = newBoard()
    const s0 = board.store('s0', { initial: 0 })
    const s1 = board.store('s1', { initial: 0 })
    const seen: string[] = []
    board.callback({
      id: 'c1',
      inputs: [s0, s1],
      outputs: [],
      preventInitialCall: true,
      run: (p: number, q: number, ctx) => void seen.push(`c1 ${p},${q} ${ctx.triggered.join('+')}`),
    })
    await board.start()
    board.callback({
      id: 'c0',
      inputs: [s0],
      outputs: [s1],
      preventInitialCall: true,
      run: (v: number) => (seen.push(`c0 ${v}`), v * 10),
    })
    s0.set(1)
    expect(seen).toEqual(['c0 1', 'c1 1,10 s0+s1'])
    expect(await settlesNow(board.idle())).toBe(true)
  })

  it('S03 (property counterexample) defined and its input cleared in one batch: it runs once', async () => {
    const board = newBoard()
    const s0 = board.store('s0', { initial: 0 })
    s0.set(1)
    await board.start()
    const run = vi.fn((_v: number) => undefined)
    board.batch(() => {
      board.callback({ id: 'c0', inputs: [s0], outputs: [], run })
      s0.clear()
    })
    expect(run).toHaveBeenCalledTimes(1)
    expect(run).toHaveBeenCalledWith(0, expect.objectContaining({ triggered: ['s0'] }))
  })

  it('a foreign thenable that calls back twice, then rejects, then throws: one settle, idle() resolves', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const out = board.store('out', { initial: 0 })
    board.callback({
      id: 'odd',
      inputs: [a],
      outputs: [out],
      // A misbehaving PromiseLike, as some libraries' thenables are.
      run: (v: number) =>
        ({
          then(ok: (x: unknown) => void, bad: (e: unknown) => void) {
            ok(v * 10)
            ok(-1)
            bad(new Error('late'))
            throw new Error('later')
          },
        }) as unknown as PromiseLike<number>,
    })
    await board.start()
    expect(await settlesNow(board.idle())).toBe(true)
    expect(out.get()).toBe(10)
    expect(board.errors.size).toBe(0)
    a.set(2)
    expect(await settlesNow(board.idle())).toBe(true)
    expect(out.get()).toBe(20)
    expect(board.inspect().callbacks[0]!.running).toBe(false)
  })

  it("a store whose equals throws on a callback's write fails that callback, not the wave", async () => {
    //  a → [W] → x (equals reads .id of undefined) ;  a → [good] → y
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const x = board.store<{ id: number } | undefined>('x', { equals: (p, q) => p!.id === q!.id })
    const y = board.store('y', { initial: 0 })
    board.callback({ id: 'W', inputs: [a], outputs: [x], run: (v: number) => ({ id: v }) })
    board.callback({ id: 'good', inputs: [a], outputs: [y], run: (v: number) => v * 2 })
    await board.start()
    expect(y.get()).toBe(2)
    expect(board.errors.get('W')!.cause).toBeInstanceOf(TypeError)
    expect(() => a.set(2)).not.toThrow()
    expect(y.get()).toBe(4)
    expect(await settlesNow(board.idle())).toBe(true)
  })

  it('an async callback that sets its own input before its first await: no run stays counted, idle() resolves', async () => {
    //  a → [self] (async) → out; self writes a (with store.set) in its synchronous part
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const out = board.store('out', { initial: 0 })
    const self = vi.fn(async (v: number) => {
      if (v === 1) a.set(2)
      await null
      return v * 10
    })
    board.callback({ id: 'self', inputs: [a], outputs: [out], run: self })
    await board.start()
    self.mockClear()
    a.set(1)
    expect(await settlesNow(board.idle())).toBe(true)
    expect(self).toHaveBeenCalledTimes(2)
    expect(out.get()).toBe(20)
    expect(board.inspect().callbacks[0]!.running).toBe(false)
  })
})
