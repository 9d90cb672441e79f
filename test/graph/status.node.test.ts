/**
 * The public status stream (issue 12 §2): one 'change' event at the end of each drain,
 * naming the stores that changed and the callbacks whose status changed (ran, started or
 * stopped running, progressed, failed, recovered), and `board.status(id)`, a snapshot.
 * Events are counted exactly. Pure logic (memory stores only), so these run in Node.
 */
import { describe, expect, it } from 'vitest'
import { type BoardChange, CallbackError, createBoard, GraphError } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `status-${++n}` })

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

function record(board: ReturnType<typeof newBoard>) {
  const events: BoardChange[] = []
  const off = board.on('change', (e) => events.push(e))
  return { events, off }
}

describe("'change': one event per drain", () => {
  //   a ─► [double] ─► b ─► [inc] ─► c
  it('a set through a sync chain: one event naming the three stores and the two callbacks', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const c = board.store<number>('c')
    board.callback({ id: 'double', inputs: [a], outputs: [b], run: (x) => x * 2 })
    board.callback({ id: 'inc', inputs: [b], outputs: [c], run: (x) => x + 1 })
    await board.start()
    const { events } = record(board)
    a.set(5)
    expect(events).toEqual([{ stores: ['a', 'b', 'c'], callbacks: ['double', 'inc'] }])
    expect(c.get()).toBe(11)
  })

  it('the initial wave is one event; an equal set is none; a batch of two sets is one', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 2 })
    const sum = board.store<number>('sum')
    board.callback({ id: 'add', inputs: [a, b], outputs: [sum], run: (x, y) => x + y })
    const { events } = record(board)
    await board.start()
    expect(events).toEqual([{ stores: ['sum'], callbacks: ['add'] }])
    a.set(1)
    expect(events).toHaveLength(1)
    board.batch(() => {
      a.set(10)
      b.set(20)
    })
    expect(events).toHaveLength(2)
    expect(events[1]).toEqual({ stores: ['a', 'b', 'sum'], callbacks: ['add'] })
  })

  //   q ─► [fetch] (async) ─► rows
  it('an async callback: running, progress (an event of its own), then settled with its output', async () => {
    const board = newBoard()
    const q = board.store('q', { initial: 'a' })
    const rows = board.store<string[]>('rows', { initial: [] })
    let pending = deferred<string[]>()
    let report: ((f: number) => void) | undefined
    board.callback({
      id: 'fetch',
      inputs: [q],
      outputs: [rows],
      preventInitialCall: true,
      run: (_q, ctx) => {
        report = (f) => ctx.progress(f, 'half')
        return pending.promise
      },
    })
    await board.start()
    const { events } = record(board)
    expect(board.status('fetch')).toEqual({
      running: false,
      progress: null,
      error: undefined,
      stats: { runs: 0, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 0 },
    })

    q.set('b')
    expect(events).toEqual([{ stores: ['q'], callbacks: ['fetch'] }])
    expect(board.status('fetch')!.running).toBe(true)

    report!(0.5)
    expect(events).toHaveLength(2)
    expect(events[1]).toEqual({ stores: [], callbacks: ['fetch'] })
    expect(board.status('fetch')!.progress).toEqual({ fraction: 0.5, note: 'half' })

    pending.resolve(['x'])
    await board.idle()
    expect(events).toHaveLength(3)
    expect(events[2]).toEqual({ stores: ['rows'], callbacks: ['fetch'] })
    const s = board.status('fetch')!
    expect(s.running).toBe(false)
    expect(s.progress).toBeNull()
    expect(s.stats.runs).toBe(1)

    // A run superseded by a new input: one event for the set (the old run stopped, the new
    // one started: one callback, named once).
    pending = deferred<string[]>()
    q.set('c')
    expect(events).toHaveLength(4)
    q.set('d')
    expect(events).toHaveLength(5)
    expect(events[4]).toEqual({ stores: ['q'], callbacks: ['fetch'] })
    pending.resolve(['y'])
    await board.idle()
    expect(events).toHaveLength(6)
    expect(rows.get()).toEqual(['y'])
  })

  //   x ─► [check] ─► ok
  it('a failure and a recovery each name the callback; status(id).error follows board.errors', async () => {
    const board = newBoard()
    const x = board.store('x', { initial: 1 })
    const ok = board.store<number>('ok')
    board.callback({
      id: 'check',
      inputs: [x],
      outputs: [ok],
      run: (v) => {
        if (v < 0) throw new Error(`negative: ${v}`)
        return v
      },
    })
    await board.start()
    const { events } = record(board)
    x.set(-1)
    expect(events).toEqual([{ stores: ['x'], callbacks: ['check'] }])
    const failed = board.status('check')!
    expect(failed.error).toBeInstanceOf(CallbackError)
    expect(failed.error).toBe(board.errors.get('check'))
    expect(failed.stats.errors).toBe(1)
    x.set(2)
    expect(events).toHaveLength(2)
    expect(events[1]).toEqual({ stores: ['x', 'ok'], callbacks: ['check'] })
    expect(board.status('check')!.error).toBeUndefined()
  })

  it('defining a store or a callback is a change: the panel sees the graph grow', async () => {
    const board = newBoard()
    const { events } = record(board)
    const a = board.store('a', { initial: 1 })
    expect(events).toEqual([{ stores: ['a'], callbacks: [] }])
    board.callback({ id: 'echo', inputs: [a], outputs: [board.store<number>('b')], run: (v) => v })
    expect(events).toHaveLength(3)
    expect(events[2]).toEqual({ stores: [], callbacks: ['echo'] })
    await board.start()
    expect(events).toHaveLength(4)
    expect(events[3]).toEqual({ stores: ['b'], callbacks: ['echo'] })
    // After start, a new callback's initial call is in the same event as its definition.
    board.callback({ id: 'late', inputs: [a], outputs: [board.store<number>('c')], run: (v) => v + 1 })
    expect(events.slice(4)).toEqual([
      { stores: ['c'], callbacks: [] },
      { stores: ['c'], callbacks: ['late'] },
    ])
  })

  it('nothing is gathered while nobody listens: a late listener hears only what follows', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 1 })
    await board.start()
    a.set(2)
    const first = record(board)
    first.off()
    a.set(3)
    const { events } = record(board)
    b.set(2)
    expect(events).toEqual([{ stores: ['b'], callbacks: [] }])
    expect(first.events).toEqual([])
  })

  it("a listener's own set() is a drain of its own, reported in an event of its own", async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const echo = board.store('echo', { initial: 0 })
    await board.start()
    const events: BoardChange[] = []
    board.on('change', (e) => {
      events.push(e)
      if (e.stores.includes('a')) echo.set(a.get())
    })
    a.set(7)
    expect(events).toEqual([
      { stores: ['a'], callbacks: [] },
      { stores: ['echo'], callbacks: [] },
    ])
  })
})

describe('board.status(id)', () => {
  it('undefined for an id not defined; a copy of the stats, not a live view', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const cb = board.callback({ id: 'inc', inputs: [a], outputs: [board.store<number>('b')], run: (v) => v + 1 })
    expect(board.status('nope')).toBeUndefined()
    expect(board.status(cb)!.stats.runs).toBe(0)
    await board.start()
    const before = board.status(cb)!
    a.set(2)
    expect(before.stats.runs).toBe(1)
    expect(board.status('inc')!.stats.runs).toBe(2)
  })

  it('a disposed board still answers (its last state); defining on it fails as before', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    board.callback({ id: 'inc', inputs: [a], outputs: [board.store<number>('b')], run: (v) => v + 1 })
    await board.start()
    board.dispose()
    expect(board.status('inc')!.stats.runs).toBe(1)
    expect(() => board.callback({ id: 'x', inputs: [a], outputs: [], run: () => undefined })).toThrow(GraphError)
  })
})
