/**
 * What the README's API table says about `inputs: []` and `profile`, checked on a board.
 */
import { createBoard } from 'switchboard'
import { expect, it } from 'vitest'

let n = 0

//  (no input) ──► [once] ──► stamp        state: unit (read, never a trigger)
it('README inputs: []: runs once in the initial wave (or at once when defined later), never again', async () => {
  const board = createBoard({ name: `readme-notes-${++n}`, version: 1, register: false })
  const unit = board.store('unit', { initial: 'ms' })
  const stamp = board.store<string>('stamp')
  let runs = 0
  board.callback({ id: 'once', inputs: [], state: [unit], outputs: stamp, run: (u) => `${++runs} ${u}` })
  await board.start()
  expect([runs, stamp.get()]).toEqual([1, '1 ms'])
  unit.set('s')
  await board.idle()
  expect([runs, stamp.get()]).toEqual([1, '1 ms'])

  const later = board.store<string>('later')
  board.callback({ id: 'later', inputs: [], state: [unit], outputs: later, run: (u) => `late ${u}` })
  await board.idle()
  expect(later.get()).toBe('late s')

  const never = board.store<string>('never')
  board.callback({ id: 'never', inputs: [], outputs: never, run: () => 'ran', preventInitialCall: true })
  await board.idle()
  expect(never.get()).toBe(undefined)
  board.dispose()
})

//  a ──► [sync] ──► b        a ──► [async] ──► c
it('README profile: without it sync runs are counted only and no run is sized; with it, both', async () => {
  const results: unknown[] = []
  for (const profile of [false, true]) {
    const board = createBoard({ name: `readme-notes-${++n}`, version: 1, profile, register: false })
    const a = board.store('a', { initial: [1, 2, 3] })
    board.callback({ id: 'sync', inputs: [a], outputs: board.store<number[]>('b'), run: (xs) => xs.map((x) => x * 2) })
    board.callback({ id: 'async', inputs: [a], outputs: board.store<number>('c'), run: async (xs) => xs.length })
    await board.start()
    const [sync, async] = board.inspect().callbacks
    results.push({
      profile,
      sync: [sync!.stats.runs, sync!.stats.bytesIn, sync!.stats.bytesOut],
      async: [async!.stats.bytesIn, async!.stats.bytesOut],
    })
    board.dispose()
  }
  // An array of three numbers: 16 + 3 × 8 = 40 bytes in and out; a number: 8.
  expect(results).toEqual([
    { profile: false, sync: [1, 0, 0], async: [0, 0] },
    { profile: true, sync: [1, 40, 40], async: [40, 8] },
  ])
})
