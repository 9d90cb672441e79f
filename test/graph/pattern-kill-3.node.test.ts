/**
 * Pattern callbacks, third part (see pattern-kill.node.test.ts): ALL slots that also use
 * MATCH, a single (not listed) output, and a family's progress while an instance runs.
 */
import { expect, it } from 'vitest'
import { ALL, createBoard, MATCH } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `pk3-${++n}`, version: 1, register: false })

it('PK30 an ALL slot with MATCH on a key takes the stores of its instance only, at definition and later', async () => {
  // {k,i} + {q, i, j: ALL} ──► [M[i]] ──► {o,i}
  const board = newBoard()
  for (const i of [1, 2]) {
    board.store({ t: 'k', i }, { initial: i })
    board.store({ t: 'o', i })
  }
  board.store({ t: 'q', i: 1, j: 1 }, { initial: 'a' })
  board.store({ t: 'q', i: 2, j: 1 }, { initial: 'b' })
  board.store({ t: 'q', i: 1, j: 2 }, { initial: 'c' })
  board.callback({
    id: 'M',
    inputs: [
      { t: 'k', i: MATCH },
      { t: 'q', i: MATCH, j: ALL },
    ],
    outputs: [{ t: 'o', i: MATCH }],
    run: (_k, qs) => qs,
  })
  // A single output, not in a list.
  const count = board.store<number>('count')
  board.callback({ id: 'C', inputs: [{ t: 'q', i: 1, j: ALL }], outputs: count, run: (qs) => (qs as unknown[]).length })
  await board.start()
  const o = (i: number) => board.store({ t: 'o', i }).get()
  expect([o(1), o(2), count.get()]).toEqual([['a', 'c'], ['b'], 2])
  board.store({ t: 'q', i: 2, j: 2 }, { initial: 'd' })
  expect([o(1), o(2), count.get()]).toEqual([['a', 'c'], ['b', 'd'], 2])
})

it('PK31 inspect().families shows the progress of a running instance', async () => {
  const board = newBoard()
  let release!: () => void
  const hold = new Promise<void>((r) => (release = r))
  board.callback({
    id: 'P',
    inputs: [{ t: 'q', i: MATCH }],
    outputs: [],
    run: async (_q, ctx) => {
      ctx.progress(0.5, 'half')
      await hold
    },
  })
  await board.start()
  // The instance is made (and runs) when its store is created.
  board.store({ t: 'q', i: 1 }, { initial: 1 })
  const family = () => board.inspect().families[0]!
  expect([family().running, family().progress]).toEqual([true, { fraction: 0.5, note: 'half' }])
  release()
  await board.idle()
  expect([family().running, family().progress]).toEqual([false, null])
})
