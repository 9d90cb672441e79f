/**
 * The scheduler (src/graph/schedule.ts) through the public board, against the schedule.ts
 * survivors of the wave-4 mutation run: what counts as "the same value", and what the
 * 'change' event names when its first listener arrives in the middle of a wave.
 */
import { describe, expect, it } from 'vitest'
import { type BoardChange, createBoard } from '../../src/index'

describe('scheduler', () => {
  it('SK01 the same value again is no change, for strings, objects and NaN; 0 and -0 differ', async () => {
    //   s ──count──▶ out      (count: runs once per change of s)
    const board = createBoard({ name: 'sk01', version: 1 })
    const s = board.store<unknown>('s', { initial: 'a' })
    const out = board.store('out', { initial: 0 })
    let runs = 0
    board.callback({
      inputs: [s],
      outputs: out,
      run: () => {
        runs++
        return runs
      },
    })
    await board.start()
    expect(runs).toBe(1) // the initial call
    s.set('a')
    expect(runs).toBe(1)
    s.set('b')
    s.set('b')
    expect(runs).toBe(2)
    const obj = { x: 1 }
    s.set(obj)
    s.set(obj)
    expect(runs).toBe(3)
    s.set({ x: 1 }) // equal by content, not the same object: a change
    expect(runs).toBe(4)
    s.set(Number.NaN)
    s.set(Number.NaN)
    expect(runs).toBe(5)
    s.set(7)
    s.set(7)
    expect(runs).toBe(6)
    s.set(0)
    s.set(-0)
    s.set(-0)
    expect(runs).toBe(8)
    s.set(true)
    s.set(true)
    expect(runs).toBe(9)
  })

  it('SK02 a first change listener added mid-wave hears the stores changed so far, in the order they changed; nothing from earlier waves', async () => {
    const board = createBoard({ name: 'sk02', version: 1 })
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const c = board.store('c', { initial: 0 })
    await board.start()
    a.set(5) // a wave nobody listens to: never told
    const events: BoardChange[] = []
    board.batch(() => {
      c.set(1)
      b.set(1)
      a.set(1)
      board.on('change', (e) => events.push(e))
    })
    expect(events).toEqual([{ stores: ['c', 'b', 'a'], callbacks: [] }])
    b.set(2)
    expect(events[1]).toEqual({ stores: ['b'], callbacks: [] })
  })

  it('SK03 changes made while nobody listened are not told to a listener added later', async () => {
    const board = createBoard({ name: 'sk03', version: 1 })
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    await board.start()
    a.set(1)
    a.set(2)
    const events: BoardChange[] = []
    const off = board.on('change', (e) => events.push(e))
    b.set(1)
    expect(events).toEqual([{ stores: ['b'], callbacks: [] }])
    // Off, changes, on again: only what changed after.
    off()
    a.set(3)
    board.on('change', (e) => events.push(e))
    b.set(2)
    expect(events).toEqual([
      { stores: ['b'], callbacks: [] },
      { stores: ['b'], callbacks: [] },
    ])
  })
})
