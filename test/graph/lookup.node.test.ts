/**
 * `board.get(id)`, a lookup that never creates, and `board.status(familyId)`, a pattern
 * callback's instances added up (issue 13, with the size work: the Preact adapter and the
 * dev panel read these instead of the board's private map or summing by themselves).
 * Memory stores only: pure logic, Node.
 */
import { describe, expect, it } from 'vitest'
import { CallbackError, createBoard, GraphError, MATCH } from '../../src/index'

let n = 0
const newBoard = (profile = false) => createBoard({ name: `lookup-${++n}`, register: false, profile })

describe('board.get(id)', () => {
  it('LK01 a string id: the store, or undefined; asking never creates it', () => {
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    expect(board.get('a')).toBe(a)
    expect(board.get('b')).toBeUndefined()
    expect(board.get('b')).toBeUndefined()
    expect(board.inspect().stores.map((s) => s.id)).toEqual(['a'])
    // Created later with its own options: the lookups before did not fix them.
    const b = board.store('b', { initial: 7, storage: 'memory' })
    expect(b.get()).toBe(7)
    expect(board.get('b')).toBe(b)
  })

  it('LK02 an object id, in any key order, or its canonical string: the same store', () => {
    const board = newBoard()
    const q = board.store({ type: 'qty', index: 3 }, { initial: 3 })
    expect(board.get({ index: 3, type: 'qty' })).toBe(q)
    expect(board.get('{"index":3,"type":"qty"}')).toBe(q)
    expect(board.get({ type: 'qty', index: 4 })).toBeUndefined()
    // '3' and 3 differ, as everywhere else.
    expect(board.get({ type: 'qty', index: '3' })).toBeUndefined()
    expect(board.inspect().stores.map((s) => s.id)).toEqual(['{"index":3,"type":"qty"}'])
  })

  it('LK03 a removed store is gone from get(); created again, get() gives the new one', () => {
    const board = newBoard()
    const old = board.store({ type: 'item', index: 1 }, { initial: 'old' })
    board.remove(old)
    expect(board.get({ type: 'item', index: 1 })).toBeUndefined()
    const again = board.store({ type: 'item', index: 1 }, { initial: 'new' })
    expect(again).not.toBe(old)
    expect(board.get({ type: 'item', index: 1 })).toBe(again)
  })

  it('LK04 an id that cannot name a store is bad-definition, as in board.store', () => {
    const board = newBoard()
    const code = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return e instanceof GraphError ? e.code : 'other'
      }
      return 'none'
    }
    expect(code(() => board.get({ type: 'qty', index: Number.NaN }))).toBe('bad-definition')
    expect(code(() => board.get({}))).toBe('bad-definition')
  })
})

describe('board.status(familyId)', () => {
  //   {qty i} ─► [cost[{"index":i}]] ─► {cost i}     i = 1, 2, 3
  function family(board: ReturnType<typeof newBoard>, run: (q: number) => unknown) {
    for (const i of [1, 2, 3]) {
      board.store({ type: 'qty', index: i }, { initial: i })
      board.store({ type: 'cost', index: i })
    }
    return board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: run as (q: unknown) => unknown,
    })
  }

  it('FS01 runs and errors of the instances added up; the first error; not running when none runs', async () => {
    const board = newBoard()
    const boom = new Error('boom')
    const cost = family(board, (q) => {
      if (q === 20) throw boom
      return q * 2
    })
    await board.start()
    // Initial wave: 3 runs. Then qty 2 → 20 fails (1 run, 1 error), qty 1 → 10 (1 run).
    board.store({ type: 'qty', index: 2 }).set(20)
    board.store({ type: 'qty', index: 1 }).set(10)
    const s = board.status(cost)!
    expect(s.running).toBe(false)
    expect(s.progress).toBeNull()
    expect(s.error).toBeInstanceOf(CallbackError)
    expect(s.error!.cause).toBe(boom)
    expect(s.error!.callbackId).toBe('cost[{"index":2}]')
    expect(s.stats).toEqual({ runs: 5, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 1 })
    expect(board.status('cost')).toEqual(s)
    // An instance is still itself.
    expect(board.status('cost[{"index":1}]')!.stats.runs).toBe(2)
  })

  it('FS02 running while any instance runs, with its progress; last ms the longest, mean weighted by runs', async () => {
    const board = newBoard(true)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const cost = board.callback({
      id: 'slow',
      inputs: [{ type: 'in', index: MATCH }],
      outputs: [{ type: 'out', index: MATCH }],
      run: async (q: unknown, ctx) => {
        if (q === 'wait') {
          ctx.progress(0.5, 'half')
          await gate
        }
        return q
      },
    })
    board.store({ type: 'in', index: 1 }, { initial: 'a' })
    board.store({ type: 'out', index: 1 })
    board.store({ type: 'in', index: 2 }, { initial: 'b' })
    board.store({ type: 'out', index: 2 })
    await board.start()
    board.store({ type: 'in', index: 2 }).set('wait')
    const during = board.status(cost)!
    expect(during.running).toBe(true)
    expect(during.progress).toEqual({ fraction: 0.5, note: 'half' })
    release()
    await board.idle()
    const after = board.status(cost)!
    expect(after.running).toBe(false)
    expect(after.stats.runs).toBe(3)
    const one = board.status('slow[{"index":1}]')!.stats
    const two = board.status('slow[{"index":2}]')!.stats
    expect(after.stats.lastMs).toBe(Math.max(one.lastMs, two.lastMs))
    expect(after.stats.avgMs).toBeCloseTo((one.avgMs * one.runs + two.avgMs * two.runs) / 3, 10)
  })

  it('FS03 a family with no instance yet reads as idle with zero runs; an unknown id is undefined', () => {
    const board = newBoard()
    board.callback({
      id: 'empty',
      inputs: [{ type: 'none', index: MATCH }],
      outputs: [{ type: 'nothing', index: MATCH }],
      run: (x: unknown) => x,
    })
    expect(board.status('empty')).toEqual({
      running: false,
      progress: null,
      error: undefined,
      stats: { runs: 0, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 0 },
    })
    expect(board.status('nope')).toBeUndefined()
  })

  it('FS04 inspect().families carries the same figures (error as its message)', async () => {
    const board = newBoard()
    family(board, (q) => {
      if (q === 2) throw new Error('two')
      return q
    })
    await board.start()
    const f = board.inspect().families.find((x) => x.id === 'cost')!
    const s = board.status('cost')!
    expect(f).toMatchObject({ running: false, progress: null, cached: false, stats: s.stats })
    expect(f.error).toBe(s.error!.message)
    expect(f.stats.runs).toBe(3)
    expect(f.stats.errors).toBe(1)
  })
})
