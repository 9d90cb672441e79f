/**
 * The status stream's types as a user sees them (issue 12 §2): `board.status` and the
 * 'change' event are typed from the public entry. expectTypeOf is checked by `tsc`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { type BoardChange, type CallbackError, type CallbackStatus, createBoard, type Stats } from '../../src/index'

describe('status types', () => {
  it("board.status and board.on('change') are typed", async () => {
    const board = createBoard({ name: 'status-types' })
    const a = board.store('a', { initial: 1 })
    const cb = board.callback({ id: 'inc', inputs: [a], outputs: [board.store<number>('b')], run: (v) => v + 1 })
    const status = board.status(cb)
    expectTypeOf(status).toEqualTypeOf<CallbackStatus | undefined>()
    expectTypeOf(board.status('inc')).toEqualTypeOf<CallbackStatus | undefined>()
    expectTypeOf<CallbackStatus['error']>().toEqualTypeOf<CallbackError | undefined>()
    expectTypeOf<CallbackStatus['stats']>().toEqualTypeOf<Readonly<Stats>>()
    expectTypeOf<CallbackStatus['running']>().toEqualTypeOf<boolean>()
    const seen: BoardChange[] = []
    board.on('change', (e) => {
      expectTypeOf(e).toEqualTypeOf<BoardChange>()
      expectTypeOf(e.stores).toEqualTypeOf<readonly string[]>()
      seen.push(e)
    })
    await board.start()
    expect(seen).toEqual([{ stores: ['b'], callbacks: ['inc'] }])
    board.dispose()
  })
})
