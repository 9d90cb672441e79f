/**
 * Pattern callbacks, second part (see pattern-kill.node.test.ts): ctx.triggered across
 * removals and runs in flight, stores being restored, ranks after a store joins, links
 * after a store leaves.
 */
import { describe, expect, it } from 'vitest'
import { ALL, createBoard, MATCH, noUpdate, type Store, type StoreId } from '../../src/index'

let n = 0
function said(fn: () => unknown): unknown[] {
  try {
    fn()
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message]
  }
  return []
}
const newBoard = () => createBoard({ name: `pk2-${++n}`, version: 1, register: false })

describe('ctx.triggered', () => {
  it('PK13 a removal is reported by the run that follows it, once, and not by later runs', async () => {
    const board = newBoard()
    const out = board.store<unknown>('out')
    const seen: Array<readonly StoreId[]> = []
    board.callback({
      id: 'T',
      inputs: [{ t: 'q', i: ALL }],
      outputs: [out],
      run: (v, ctx) => (seen.push(ctx.triggered), v),
    })
    const q1 = board.store({ t: 'q', i: 1 }, { initial: 1 })
    const q2 = board.store({ t: 'q', i: 2 }, { initial: 2 })
    await board.start()
    board.remove(q1)
    q2.set(20)
    q2.set(21)
    expect(seen).toEqual([[], [{ i: 1, t: 'q' }], [{ i: 2, t: 'q' }], [{ i: 2, t: 'q' }]])
    expect(out.get()).toEqual([21])
  })

  it('PK25 an id removed and created again in one wave is named once in ctx.triggered, as any input is', async () => {
    const board = newBoard()
    const seen: Array<readonly StoreId[]> = []
    board.callback({
      id: 'T',
      inputs: [{ t: 'q', i: ALL }],
      outputs: [],
      run: (_v, ctx) => void seen.push(ctx.triggered),
    })
    const q1 = board.store({ t: 'q', i: 1 }, { initial: 1 })
    await board.start()
    // Removed and created again: the old store left, the new one joined.
    board.batch(() => {
      board.remove(q1)
      board.store({ t: 'q', i: 1 }, { initial: 2 })
    })
    // Created and removed twice.
    board.batch(() => {
      board.remove(board.store({ t: 'q', i: 3 }, { initial: 3 }))
      board.remove(board.store({ t: 'q', i: 3 }, { initial: 3 }))
    })
    expect(seen).toEqual([[], [{ i: 1, t: 'q' }], [{ i: 3, t: 'q' }]])
  })

  it('PK14 ctx.triggered read after an await names the changes of that run, not those made meanwhile', async () => {
    const board = newBoard()
    const out = board.store<unknown>('out')
    const seen: Array<readonly StoreId[]> = []
    let hold: Promise<void> | undefined
    board.callback({
      id: 'A',
      inputs: [{ t: 'q', i: ALL }],
      outputs: [out],
      run: async (v, ctx) => {
        if (hold) await hold
        seen.push(ctx.triggered)
        return v
      },
    })
    const q1 = board.store({ t: 'q', i: 1 }, { initial: 1 })
    const q2 = board.store({ t: 'q', i: 2 }, { initial: 2 })
    board.store({ t: 'q', i: 3 }, { initial: 3 })
    await board.start()
    await board.idle()
    let release!: () => void
    hold = new Promise((r) => (release = r))
    q1.set(10)
    q2.set(20)
    board.remove({ t: 'q', i: 3 })
    hold = undefined
    release()
    await board.idle()
    // Each run in flight names its own change: q2 and the removal of q3 came after run 1 began.
    expect(seen).toEqual([[], [{ i: 1, t: 'q' }], [{ i: 2, t: 'q' }], [{ i: 3, t: 'q' }]])
    expect(out.get()).toEqual([10, 20])
  })
})

describe('stores being restored (session stores: memory-only in Node, restored after a tick)', () => {
  it('PK15 a restored store joining an ALL input is a change once its value is there, not before', async () => {
    const board = newBoard()
    const out = board.store<unknown>('out')
    const seen: Array<readonly StoreId[]> = []
    board.callback({
      id: 'T',
      inputs: [{ t: 'q', i: ALL }],
      outputs: [out],
      run: (v, ctx) => (seen.push(ctx.triggered), v),
    })
    await board.start()
    board.store({ t: 'q', i: 1 }, { initial: 5, storage: 'session' })
    expect(seen).toEqual([[]])
    await board.idle()
    expect(seen).toEqual([[], [{ i: 1, t: 'q' }]])
    expect(out.get()).toEqual([5])
  })

  it('PK16 an instance completed by a store being restored gets its initial call once it is restored', async () => {
    const board = newBoard()
    const calls: unknown[] = []
    board.callback({
      id: 'C',
      inputs: [{ t: 'q', i: MATCH }],
      state: [{ t: 'r', i: MATCH }],
      outputs: [{ t: 'c', i: MATCH }],
      run: (q, r) => (calls.push([q, r]), (q as number) * (r as number)),
    })
    await board.start()
    board.store({ t: 'c', i: 1 })
    board.store({ t: 'r', i: 1 }, { initial: 3 })
    board.store({ t: 'q', i: 1 }, { initial: 2, storage: 'session' })
    expect(calls).toEqual([])
    await board.idle()
    expect(calls).toEqual([[2, 3]])
    expect(board.store({ t: 'c', i: 1 }).get()).toBe(6)
  })
})

describe('ranks, links and instances after stores come and go', () => {
  it('PK17 a store that links a writer ranked after its reader: the reader still runs once per wave, after the writer', async () => {
    // go ──► [W] ──► {c, ALL} ──► [T] ──► total   (k also feeds T); c1 created after start.
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    const k = board.store('k', { initial: 0 })
    const total = board.store<unknown>('total')
    const seen: unknown[] = []
    board.callback({
      id: 'T',
      inputs: [{ t: 'c', i: ALL }, k],
      outputs: [total],
      run: (c, kk) => (seen.push([c, kk]), c),
    })
    board.callback({ id: 'W', inputs: [go], outputs: [{ t: 'c', i: ALL }], run: (g) => (g === 0 ? noUpdate : [g]) })
    await board.start()
    board.store({ t: 'c', i: 1 }, { initial: 0 })
    seen.length = 0
    board.batch(() => {
      go.set(1)
      k.set(1)
    })
    expect(seen).toEqual([[[1], 1]])
    expect(total.get()).toEqual([1])
  })

  it('PK18 the same, with the writer family first and ranked after the reader (a third callback reads the total)', async () => {
    // go ──► [W] ──► {c, ALL} ──► [T] ──► total ──► [R]; T defined last, so ranked first.
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    const k = board.store('k', { initial: 0 })
    const total = board.store<unknown>('total')
    const seen: unknown[] = []
    board.callback({ id: 'R', inputs: [total], outputs: [], run: () => undefined })
    board.callback({ id: 'W', inputs: [go], outputs: [{ t: 'c', i: ALL }], run: (g) => (g === 0 ? noUpdate : [g]) })
    board.callback({
      id: 'T',
      inputs: [{ t: 'c', i: ALL }, k],
      outputs: [total],
      run: (c, kk) => (seen.push([c, kk]), c),
    })
    await board.start()
    board.store({ t: 'c', i: 1 }, { initial: 0 })
    seen.length = 0
    board.batch(() => {
      go.set(1)
      k.set(1)
    })
    expect(seen).toEqual([[[1], 1]])
    expect(total.get()).toEqual([1])
  })

  it('PK19 a removed store no longer runs what it fed, even when it sat in two slots or fed its own writer', async () => {
    const board = newBoard()
    const runs = { D: 0, X: 0 }
    // Two identical ALL inputs: the store joins both.
    board.callback({
      id: 'D',
      inputs: [
        { t: 'q', i: ALL },
        { t: 'q', i: ALL },
      ],
      outputs: [],
      run: () => void runs.D++,
    })
    // Reads, keeps and writes the same family (its own write does not re-run it).
    board.store({ t: 'x', i: 1 }, { initial: 0 })
    board.callback({
      id: 'X',
      inputs: [{ t: 'x', i: ALL }],
      state: [{ t: 'x', i: ALL }],
      outputs: [{ t: 'x', i: ALL }],
      run: () => (runs.X++, noUpdate),
    })
    await board.start()
    const q = board.store({ t: 'q', i: 1 }, { initial: 0 })
    const x2 = board.store({ t: 'x', i: 2 }, { initial: 0 })
    expect(runs).toEqual({ D: 2, X: 2 })
    q.set(1)
    x2.set(1)
    expect(runs).toEqual({ D: 3, X: 3 })
    board.remove(q)
    board.remove(x2)
    expect(runs).toEqual({ D: 4, X: 4 })
    q.set(2)
    x2.set(2)
    board.store({ t: 'x', i: 1 }).set(5)
    expect(runs).toEqual({ D: 4, X: 5 })
    expect(board.inspect().edges.filter((e) => e.to === 'D' || e.to === 'X' || e.from === 'X')).toEqual([
      { from: '{"i":1,"t":"x"}', to: 'X', kind: 'input' },
      { from: '{"i":1,"t":"x"}', to: 'X', kind: 'state' },
      { from: 'X', to: '{"i":1,"t":"x"}', kind: 'output' },
    ])
  })

  it('PK20 a store in two scalar slots of one instance makes one instance; preventInitialCall holds before start too', async () => {
    const board = newBoard()
    let runs = 0
    board.callback({
      id: 'F',
      inputs: [{ t: 'q', i: MATCH }],
      state: [{ t: 'q', i: MATCH }],
      outputs: [{ t: 'c', i: MATCH }],
      run: (a, b) => (runs++, [a, b]),
    })
    let quiet = 0
    board.callback({
      id: 'Q',
      inputs: [{ t: 'q', i: ALL }],
      outputs: [],
      preventInitialCall: true,
      run: () => void quiet++,
    })
    board.store({ t: 'c', i: 1 })
    board.store({ t: 'q', i: 1 }, { initial: 7 })
    await board.start()
    expect([runs, quiet]).toEqual([1, 0])
    board.store({ t: 'c', i: 2 })
    board.store({ t: 'q', i: 2 }, { initial: 8 })
    expect([runs, quiet]).toEqual([2, 1])
    expect(board.inspect().callbacks.map((c) => c.id)).toEqual(['Q', 'F[{"i":1}]', 'F[{"i":2}]'])
    expect(board.store({ t: 'c', i: 2 }).get()).toEqual([8, 8])
  })

  it('PK21 an instance keyed by two slots is completed by the store of the slot that matches fewer keys', async () => {
    const board = newBoard()
    const seen: unknown[] = []
    board.callback({
      id: 'L',
      inputs: [
        { t: 'u', b: MATCH },
        { t: 'v', a: MATCH, b: MATCH },
      ],
      outputs: [{ t: 'w', a: MATCH, b: MATCH }],
      run: (u, v, ctx) => (seen.push(ctx.match), (u as number) + (v as number)),
    })
    await board.start()
    board.store({ t: 'w', a: 1, b: 2 })
    board.store({ t: 'v', a: 1, b: 2 }, { initial: 10 })
    board.store({ t: 'u', b: 2, x: 0 }, { initial: 100 }) // another shape: no instance
    expect(seen).toEqual([])
    board.store({ t: 'u', b: 2 }, { initial: 1 })
    expect(seen).toEqual([{ a: 1, b: 2 }])
    expect(board.store({ t: 'w', a: 1, b: 2 }).get()).toBe(11)
  })

  it('PK22 stores of another shape with the same fixed values stay out of ALL; removed stores stay out of later families', async () => {
    const board = newBoard()
    const out = board.store<unknown>('out')
    board.callback({ id: 'A', inputs: [{ t: 'q', i: ALL }], outputs: [out], run: (v) => v })
    await board.start()
    board.store({ t: 'q', i: 1 }, { initial: 1 })
    board.store({ t: 'q', i: 2, x: 0 }, { initial: 'wide' })
    const gone = board.store({ t: 'q', i: 3 }, { initial: 3 })
    board.remove(gone)
    board.remove(board.store('plain', { initial: 0 }))
    expect(out.get()).toEqual([1])
    const later = board.store<unknown>('later')
    board.callback({ id: 'B', inputs: [{ t: 'q', i: ALL }], outputs: [later], run: (v) => v })
    await board.idle()
    expect(later.get()).toEqual([1])
    expect(board.inspect().callbacks.find((c) => c.id === 'A')!.inputs).toEqual(['{"i":1,"t":"q"}'])
  })

  it('PK23 an explicit output store against a plain writer, either way round: duplicate-output naming both', () => {
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    const total = board.store('total')
    const sum = board.store('sum')
    board.callback({ id: 'P', inputs: [go], outputs: [total], run: (g) => g })
    expect(
      said(() => board.callback({ id: 'F', inputs: [{ t: 'q', i: ALL }], outputs: [total], run: () => 0 })),
    ).toEqual([
      'duplicate-output',
      'callbacks "P" and "F" both write total, which overlap (pass allowDuplicate: true to allow it).',
    ])
    board.callback({ id: 'G', inputs: [{ t: 'q', i: ALL }], outputs: [sum], run: () => 0 })
    expect(said(() => board.callback({ id: 'Q', inputs: [go], outputs: [sum], run: (g) => g }))).toEqual([
      'duplicate-output',
      'callbacks "G" and "Q" both write store "sum" (pass allowDuplicate: true to allow it).',
    ])
    expect(board.inspect().callbacks.map((c) => c.id)).toEqual(['P', 'G'])
  })

  it('PK24 a pattern instance downstream of a ladder of 2^30 paths is checked for a cycle in linear time', () => {
    // {a,1} ─► [F[i:1]] ─► s0 ─┬─► [A0] ─► x0 ─┬─► [C0] ─► s1 ─ … ─► s30
    //                          └─► [B0] ─► y0 ─┘
    const board = newBoard()
    board.store({ t: 'a', i: 1 }, { initial: 0 })
    board.store({ t: 'b', i: 1 })
    let s: Store<unknown> = board.store({ t: 'b', i: 1 })
    for (let i = 0; i < 30; i++) {
      const x = board.store(`x${i}`)
      const y = board.store(`y${i}`)
      const next = board.store(`s${i + 1}`)
      board.callback({ id: `A${i}`, inputs: [s], outputs: [x], run: (v) => v })
      board.callback({ id: `B${i}`, inputs: [s], outputs: [y], run: (v) => v })
      board.callback({ id: `C${i}`, inputs: [x, y], outputs: [next], run: (v) => v })
      s = next
    }
    board.callback({ id: 'F', inputs: [{ t: 'a', i: MATCH }], outputs: [{ t: 'b', i: MATCH }], run: (v) => v })
    expect(board.inspect().families[0]!.instances).toEqual(['F[{"i":1}]'])
  })
})

describe('a store created inside a run', () => {
  it('PK26 joins in the middle of a wave: its reader runs once, after the writer the same run marked', async () => {
    // make ──► [P] ──► go ──► [W] ──► {c, ALL} ──► [T] ──► total ──► [R]
    // P creates {c,1} while the wave drains and writes go; T (defined last, so ranked first) reads c.
    const board = newBoard()
    const make = board.store('make', { initial: 0 })
    const go = board.store('go', { initial: 0 })
    const total = board.store<unknown>('total')
    const seen: unknown[] = []
    board.callback({ id: 'R', inputs: [total], outputs: [], run: () => undefined })
    board.callback({
      id: 'P',
      inputs: [make],
      outputs: [go],
      run: (m) => {
        if (m === 0) return noUpdate
        board.store({ t: 'c', i: 1 }, { initial: 0 })
        return 1
      },
    })
    board.callback({ id: 'W', inputs: [go], outputs: [{ t: 'c', i: ALL }], run: (g) => (g === 0 ? noUpdate : [g]) })
    board.callback({ id: 'T', inputs: [{ t: 'c', i: ALL }], outputs: [total], run: (c) => (seen.push(c), c) })
    await board.start()
    seen.length = 0
    make.set(1)
    expect(seen).toEqual([[1]])
    expect(total.get()).toEqual([1])
  })
})

describe('ranks with two writers', () => {
  it('PK27 a store joining a reader and two writers, one ranked before the reader and one after: the reader waits for both', async () => {
    // go1 ──► [W1] ─┐                      (W1 defined before R, W2 after: T goes in between)
    //               ├─► {c, ALL} ──► [T] ──► total ──► [R]
    // go2 ──► [W2] ─┘   (k also feeds T)
    const board = newBoard()
    const go1 = board.store('go1', { initial: 0 })
    const go2 = board.store('go2', { initial: 0 })
    const k = board.store('k', { initial: 0 })
    const total = board.store<unknown>('total')
    const seen: unknown[] = []
    board.callback({ id: 'W1', inputs: [go1], outputs: [{ t: 'c', i: ALL }], run: () => noUpdate })
    board.callback({ id: 'R', inputs: [total], outputs: [], run: () => undefined })
    board.callback({
      id: 'W2',
      allowDuplicate: true,
      inputs: [go2],
      outputs: [{ t: 'c', i: ALL }],
      run: (g) => (g === 0 ? noUpdate : [g]),
    })
    board.callback({
      id: 'T',
      inputs: [{ t: 'c', i: ALL }, k],
      outputs: [total],
      run: (c, kk) => (seen.push([c, kk]), c),
    })
    await board.start()
    board.store({ t: 'c', i: 1 }, { initial: 0 })
    seen.length = 0
    board.batch(() => {
      go2.set(1)
      k.set(1)
    })
    expect(seen).toEqual([[[1], 1]])
  })
})

describe('more joins', () => {
  it('PK28 a partial-key store before any driver store; a store joining a state slot can still get a plain writer', async () => {
    const board = newBoard()
    board.callback({
      id: 'L',
      inputs: [
        { t: 'u', b: MATCH },
        { t: 'v', a: MATCH, b: MATCH },
      ],
      outputs: [{ t: 'w', a: MATCH, b: MATCH }],
      run: (u, v) => (u as number) + (v as number),
    })
    const go = board.store('go', { initial: 0 })
    const seen: unknown[] = []
    board.callback({
      id: 'F',
      inputs: [go],
      state: [{ t: 's', i: ALL }],
      outputs: [],
      run: (g, s) => void seen.push([g, s]),
    })
    await board.start()
    board.store({ t: 'u', b: 9 }, { initial: 1 })
    expect(board.inspect().families[0]!.instances).toEqual([])
    const s1 = board.store({ t: 's', i: 1 }, { initial: 'a' })
    board.callback({ id: 'P', inputs: [go], outputs: [s1], run: (g) => `s${g}` })
    go.set(1)
    expect(seen).toEqual([
      [0, []],
      [1, ['s1']],
    ])
  })

  it('PK29 an instance dropped while a store of its ALL input is being restored is not run when the store is', async () => {
    const board = newBoard()
    let runs = 0
    board.store({ t: 'k', i: 1 }, { initial: 0 })
    board.callback({
      id: 'M',
      inputs: [
        { t: 'k', i: MATCH },
        { t: 'q', i: MATCH, j: ALL },
      ],
      outputs: [],
      run: () => void runs++,
    })
    await board.start()
    expect(runs).toBe(1)
    board.store({ t: 'q', i: 1, j: 1 }, { initial: 5, storage: 'session' })
    board.remove({ t: 'k', i: 1 })
    await board.idle()
    expect(runs).toBe(1)
    expect(board.inspect().callbacks).toEqual([])
  })
})
