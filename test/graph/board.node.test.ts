/**
 * The board as createBoard returns it (issue 12 §3): the implementation itself, no facade.
 */
import { describe, expect, it } from 'vitest'
import { createBoard } from '../../src/index'

describe('board', () => {
  it('board.session: one object, one ready promise, however often it is read', async () => {
    const board = createBoard({ name: 'session-reads' })
    const first = board.session
    expect(board.session).toBe(first)
    expect(board.session.ready).toBe(first.ready)
    expect(typeof first.id).toBe('string')
    expect(board.session.id).toBe(first.id)
    await first.ready.catch(() => undefined)
    board.dispose()
  })
})
