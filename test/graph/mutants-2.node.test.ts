/**
 * More scheduler rules pinned for mutation testing (npm run mutate): the slot order when a
 * run wakes a callback ranked below the one running, and idle() with tracked work.
 */
import { describe, expect, it, vi } from 'vitest'
import { boardImpl } from '../../src/graph/board'
import { createBoard } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `mut2-${++n}`, version: 1 })

describe('lowest rank first, even when woken from above', () => {
  it('a ctx.set into a store read by a lower-ranked callback runs that one next, before the rest', async () => {
    // [A] reads s (rank 0) ; a → [B] (rank 1, ctx.set s) ; a → [C] (rank 2)
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    const order: string[] = []
    board.callback({ id: 'A', inputs: [s], outputs: [], run: (v) => void order.push(`A${v}`) })
    board.callback({ id: 'B', inputs: [a], outputs: [], run: (v, ctx) => (order.push(`B${v}`), ctx.set(s, v * 10)) })
    board.callback({ id: 'C', inputs: [a], outputs: [], run: (v) => void order.push(`C${v}`) })
    await board.start()
    expect(order).toEqual(['A0', 'B0', 'C0'])
    order.length = 0
    a.set(1)
    expect(order).toEqual(['B1', 'A10', 'C1'])
    order.length = 0
    a.set(2)
    expect(order).toEqual(['B2', 'A20', 'C2'])
  })
})

describe('idle() and tracked work (persistence, cache writes)', () => {
  it('idle() waits for tracked work, resolved or rejected; dispose releases the waiters', async () => {
    const board = newBoard()
    await board.start()
    const scheduler = boardImpl(board).scheduler
    let release!: () => void
    let fail!: (e: unknown) => void
    scheduler.track(new Promise<void>((r) => (release = r)))
    scheduler.track(new Promise<void>((_r, j) => (fail = j)))
    let idle = false
    void board.idle().then(() => (idle = true))
    release()
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(idle).toBe(false)
    fail(new Error('write failed'))
    await board.idle()
    expect(idle).toBe(true)

    scheduler.track(new Promise<void>(() => undefined)) // never settles
    let second = false
    void board.idle().then(() => (second = true))
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(second).toBe(false)
    board.dispose()
    await board.idle()
    expect(second).toBe(true)
  })
})

function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((res) => (resolve = res))
  return { promise, resolve }
}

describe('supersession details', () => {
  it('a superseded run reads, even late, only the inputs that caused it in ctx.triggered', async () => {
    // a, b → [T] (async)
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const gates: Array<ReturnType<typeof deferred<void>>> = []
    const late: Array<readonly string[]> = []
    board.callback({
      id: 'T',
      inputs: [a, b],
      outputs: [],
      preventInitialCall: true,
      run: async (_x, _y, ctx) => {
        const g = deferred<void>()
        gates.push(g)
        await g.promise
        late.push(ctx.triggered)
      },
    })
    await board.start()
    a.set(1)
    b.set(1)
    gates[0]!.resolve()
    gates[1]!.resolve()
    await board.idle()
    await Promise.resolve()
    expect(late).toEqual([['a'], ['b']])
  })

  it('supersession clears the old run’s progress at once and reports a status change', async () => {
    const board = newBoard()
    const q = board.store('q', { initial: 0 })
    const gates: Array<ReturnType<typeof deferred<void>>> = []
    board.callback({
      id: 'P',
      inputs: [q],
      outputs: [],
      preventInitialCall: true,
      run: async (v, ctx) => {
        if (v === 1) ctx.progress(0.5, 'half')
        const g = deferred<void>()
        gates.push(g)
        await g.promise
      },
    })
    await board.start()
    q.set(1)
    expect(board.inspect().callbacks[0]!.progress).toEqual({ fraction: 0.5, note: 'half' })
    const status = vi.fn()
    board.on('status', status)
    q.set(2)
    expect(board.inspect().callbacks[0]!.progress).toBeNull()
    // one for the superseded run, one for the new run in flight
    expect(status).toHaveBeenCalledTimes(2)
    for (const g of gates) g.resolve()
    await board.idle()
    expect(board.inspect().callbacks[0]!.running).toBe(false)
  })

  it('a callback whose output is also its input is not held back by its own dirtiness while another run is in flight', async () => {
    // a → [Slow] (async, in flight) ;  clicks, count → [K] → count
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const clicks = board.store('clicks', { initial: 0 })
    const count = board.store('count', { initial: 0 })
    const gate = deferred<void>()
    board.callback({ id: 'Slow', inputs: [a], outputs: [], preventInitialCall: true, run: () => gate.promise })
    board.callback({
      id: 'K',
      inputs: [clicks, count],
      outputs: [count],
      preventInitialCall: true,
      run: (c, n) => n + c,
    })
    await board.start()
    a.set(1)
    clicks.set(5)
    expect(count.get()).toBe(5)
    gate.resolve()
    await board.idle()
  })

  it('dispose while a callback waits behind one in flight: idle() resolves, nothing runs later', async () => {
    // a → [Slow] → s → [Wait] → w
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    const s = board.store('s', { initial: 0 })
    const w = board.store('w', { initial: 'none' })
    const b = board.store('b', { initial: 0 })
    const gate = deferred<number>()
    const wait = vi.fn((x: number, y: number) => `${x}/${y}`)
    board.callback({ id: 'Slow', inputs: [a], outputs: [s], preventInitialCall: true, run: () => gate.promise })
    board.callback({ id: 'Wait', inputs: [s, b], outputs: [w], preventInitialCall: true, run: wait })
    await board.start()
    a.set(1)
    b.set(1) // Wait is dirty, held back by Slow
    expect(wait).not.toHaveBeenCalled()
    board.dispose()
    await board.idle()
    gate.resolve(9)
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(wait).not.toHaveBeenCalled()
    expect(w.get()).toBe('none')
  })
})
