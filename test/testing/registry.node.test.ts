import { type Board, createBoard } from 'switchboard'
import { describe, expect, it } from 'vitest'

// The page's registry of live boards (src/graph/registry.ts): what switchboard/testing
// finds a board by. Shape: globalThis.__switchboard is a Set<Board>.
const live = () => (globalThis as { __switchboard?: Set<Board> }).__switchboard

describe('registry', () => {
  it('a created board is in globalThis.__switchboard, by its public object', () => {
    const board = createBoard({ name: 'reg-a' })
    expect(live()?.has(board)).toBe(true)
    expect([...live()!].filter((b) => b.name === 'reg-a')).toEqual([board])
    board.dispose()
  })

  it('register: false leaves the board out', () => {
    const before = live()?.size ?? 0
    const board = createBoard({ name: 'reg-b', register: false })
    expect(live()?.has(board) ?? false).toBe(false)
    expect(live()?.size ?? 0).toBe(before)
    board.dispose()
  })

  it('a disposed board leaves the registry; the others stay, in creation order', () => {
    const one = createBoard({ name: 'reg-c' })
    const two = createBoard({ name: 'reg-c' })
    const three = createBoard({ name: 'reg-c' })
    two.dispose()
    expect([...live()!].filter((b) => b.name === 'reg-c')).toEqual([one, three])
    two.dispose() // twice: nothing more happens
    one.dispose()
    three.dispose()
    expect([...live()!].filter((b) => b.name === 'reg-c')).toEqual([])
  })
})
