/**
 * M01, found by mutation testing: a callback defined after start, inside a batch after a
 * set, whose output another callback already reads, must not bump a dirty callback out of
 * its slot (it would stay dirty and never run again).
 *
 *   a ─► [X] ─► x          batch: a.set(1), then define W ─► s
 *   s ─► [R] ─► t          X (dirty from a.set) still runs; R runs on W's output
 */
import { expect, it } from 'vitest'
import { createBoard } from '../../src/index'

it('M01 a callback defined in a batch after a set, feeding an existing one: the dirty callback still runs, now and later', async () => {
  const board = createBoard({ name: 'rank-growth-1' })
  const a = board.store('a', { initial: 0 })
  const x = board.store<number>('x')
  const s = board.store('s', { initial: 0 })
  const t = board.store<number>('t')
  board.callback({ id: 'X', inputs: [a], outputs: [x], run: (v: number) => v + 1 })
  board.callback({ id: 'R', inputs: [s], outputs: [t], run: (v: number) => v * 2 })
  await board.start()
  board.batch(() => {
    a.set(1)
    board.callback({ id: 'W', inputs: [], outputs: [s], run: () => 5 })
  })
  await board.idle()
  expect(t.get()).toBe(10)
  expect(x.get()).toBe(2)
  a.set(7)
  expect(x.get()).toBe(8)
})
