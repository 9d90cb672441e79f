/**
 * The README's pattern-ids example, line for line (issue 15).
 */
import { ALL, createBoard, MATCH } from 'switchboard'
import { expect, it } from 'vitest'

it('README lists: one item added in a batch gives its cost and the total in one wave', async () => {
  const board = createBoard({ name: 'cart', register: false })
  const total = board.store('total', { initial: 0 })
  board.callback({ inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: 'cost', index: MATCH }], run: (q: number) => q * 9.5 })
  board.callback({ inputs: [{ type: 'cost', index: ALL }], outputs: [total], run: (cs: number[]) => cs.reduce((a, b) => a + b, 0) })
  await board.start()
  board.batch(() => {
    board.store({ type: 'qty', index: 3 }, { initial: 2 })
    board.store({ type: 'cost', index: 3 })
  })
  expect(total.get()).toBe(19)
  board.dispose()
})
