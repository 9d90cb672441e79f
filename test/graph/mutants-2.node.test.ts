/**
 * More scheduler rules pinned for mutation testing (npm run mutate): the slot order when a
 * run wakes a callback ranked below the one running, and idle() with tracked work.
 */
import { describe, expect, it } from 'vitest'
import { createBoard } from '../../src/index'
import { boardImpl } from '../../src/graph/board'

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
