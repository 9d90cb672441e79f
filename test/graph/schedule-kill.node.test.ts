/**
 * The scheduler (src/graph/schedule.ts) through the public board, against the schedule.ts
 * survivors of the wave-4 mutation run: what counts as "the same value", and what the
 * 'change' event names when its first listener arrives in the middle of a wave.
 */
import { describe, expect, it } from 'vitest'
import { type BoardChange, createBoard, type Store } from '../../src/index'

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

describe('scheduler, more', () => {
  it('SK04 with a run in flight, a dirty callback under a 40-rung ladder (2^40 upstream paths) checks each upstream callback once', async () => {
    //   trigger ──slow (async, held)──▶ held
    //   l0,r0 ──L0/R0──▶ l1,r1 ──…──▶ l40,r40
    //   l40 + kick ──bottom──▶ out          kick set while slow is in flight
    const board = createBoard({ name: 'sk04', version: 1 })
    const trigger = board.store('trigger', { initial: 0 })
    const held = board.store('held', { initial: 0 })
    let release: () => void = () => {}
    board.callback({
      id: 'slow',
      inputs: [trigger],
      outputs: held,
      preventInitialCall: true,
      run: (t) =>
        new Promise<number>((r) => {
          release = () => r(t * 10)
        }),
    })
    const rungs: Array<[Store<number>, Store<number>]> = []
    for (let i = 0; i <= 40; i++)
      rungs.push([board.store(`l${i}`, { initial: 1 }), board.store(`r${i}`, { initial: 1 })])
    for (let i = 0; i < 40; i++) {
      const [l, r] = rungs[i]!
      board.callback({ id: `L${i}`, inputs: [l, r], outputs: rungs[i + 1]![0], run: (x, y) => (x + y) % 1000 })
      board.callback({ id: `R${i}`, inputs: [l, r], outputs: rungs[i + 1]![1], run: (x, y) => (x * y) % 1000 })
    }
    const kick = board.store('kick', { initial: 0 })
    const out = board.store('out', { initial: 0 })
    let bottomRuns = 0
    board.callback({
      id: 'bottom',
      inputs: [rungs[40]![0], kick],
      outputs: out,
      run: (v, k) => {
        bottomRuns++
        return v + k
      },
    })
    await board.start()
    const before = bottomRuns
    trigger.set(1) // slow is in flight from here
    expect(board.status('slow')?.running).toBe(true)
    kick.set(5)
    expect(bottomRuns).toBe(before + 1)
    expect(out.get()).toBe(rungs[40]![0].get() + 5)
    release()
    await board.idle()
    expect(held.get()).toBe(10)
  })

  it('SK05 stores defined and removed inside a batch are told in one change event at its end', async () => {
    const board = createBoard({ name: 'sk05', version: 1 })
    const a = board.store('a', { initial: 0 })
    await board.start()
    const events: BoardChange[] = []
    board.on('change', (e) => events.push(e))
    board.batch(() => {
      const x = board.store('x', { initial: 1 })
      board.store('y', { initial: 2 })
      a.set(1)
      board.remove(x)
      expect(events).toEqual([])
    })
    expect(events).toEqual([{ stores: ['x', 'y', 'a'], callbacks: [] }])
  })

  it("SK06 a multi-output callback whose output store's equals throws fails that callback, not the wave", async () => {
    //   s ──pair──▶ [p, q]      q.equals throws on the second write
    //   s ──echo──▶ e           still runs
    const board = createBoard({ name: 'sk06', version: 1 })
    const s = board.store('s', { initial: 0 })
    const p = board.store('p', { initial: 0 })
    const q = board.store('q', {
      initial: 0,
      equals: (x: number, y: number) => {
        if (y === 2) throw new Error('q cannot compare 2')
        return x === y
      },
    })
    const e = board.store('e', { initial: 0 })
    board.callback({ id: 'pair', inputs: [s], outputs: [p, q], run: (v) => [v, v * 2] })
    board.callback({ id: 'echo', inputs: [s], outputs: e, run: (v) => v })
    await board.start()
    s.set(1)
    expect(e.get()).toBe(1)
    expect(p.get()).toBe(1)
    expect(board.errors.get('pair')?.message).toMatch(/^callback "pair" /)
    expect(board.status('pair')?.error).toBeDefined()
    s.set(2)
    expect(board.errors.has('pair')).toBe(false)
    expect(q.get()).toBe(4)
  })

  it('SK07 two subscribers added in the middle of a wave to a store it changed each hear it once at the end', async () => {
    const board = createBoard({ name: 'sk07', version: 1 })
    const a = board.store('a', { initial: 0 })
    await board.start()
    const first: number[] = []
    const second: number[] = []
    board.batch(() => {
      a.set(1)
      a.subscribe((v) => first.push(v))
      a.subscribe((v) => second.push(v))
    })
    expect(first).toEqual([1])
    expect(second).toEqual([1])
    a.set(2)
    expect(first).toEqual([1, 2])
    expect(second).toEqual([1, 2])
  })
})
