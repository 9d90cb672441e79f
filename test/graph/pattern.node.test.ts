/**
 * Pattern ids (DESIGN.md "Pattern ids: store families"): one test per bullet and per
 * "Details (decided)" bullet, named PMnn. Memory stores only (pure logic, Node); what
 * needs storage is in pattern.browser.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { ALL, ALLSMALLER, type Board, createBoard, GraphError, MATCH, noUpdate, type StoreId } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `pm-${++n}`, version: 1, register: false })

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof GraphError) return e.code
    throw e
  }
  return undefined
}

function errorOf(fn: () => unknown): GraphError {
  try {
    fn()
  } catch (e) {
    if (e instanceof GraphError) return e
    throw e
  }
  throw new Error('expected a GraphError')
}

/** n items: {type: 'qty', index: i} (initial i) and {type: 'cost', index: i}. */
function items(board: Board, indexes: number[]): void {
  for (const i of indexes) {
    board.store({ type: 'qty', index: i }, { initial: i })
    board.store<number>({ type: 'cost', index: i })
  }
}

describe('object store ids', () => {
  it('PM01 an object id is named by its canonical string (keys sorted, JSON) in store.id, inspect() and errors', async () => {
    const board = newBoard()
    const s = board.store({ type: 'item', index: 3 }, { initial: 1 })
    expect(s.id).toBe('{"index":3,"type":"item"}')
    expect(s.objectId).toEqual({ index: 3, type: 'item' })
    expect(Object.isFrozen(s.objectId)).toBe(true)
    expect(board.inspect().stores.map((x) => x.id)).toEqual(['{"index":3,"type":"item"}'])
    // The canonical string names the same store, as any string id does.
    expect(board.store('{"index":3,"type":"item"}')).toBe(s)
    const e = errorOf(() => board.callback({ id: 'c', inputs: [{ type: 'item', index: 4 }], outputs: [], run() {} }))
    expect([e.code, e.message]).toEqual([
      'unknown-store',
      'callback "c" input names an unknown store "{"index":4,"type":"item"}".',
    ])
    // Hostile keys stay keys.
    const odd = board.store({ ['__proto__']: 'x', 'a:b': 1 } as never)
    expect(odd.id).toBe('{"__proto__":"x","a:b":1}')
    expect(Object.keys(odd.objectId!)).toEqual(['__proto__', 'a:b'])
  })

  it('PM01 a wildcard in a store id, an empty id or a non-finite value is refused', () => {
    const board = newBoard()
    expect(codeOf(() => board.store({ type: 'item', index: ALL } as never))).toBe('bad-pattern')
    expect(codeOf(() => board.store({} as never))).toBe('bad-definition')
    expect(codeOf(() => board.store({ index: Number.NaN }))).toBe('bad-definition')
    expect(codeOf(() => board.store({ index: true } as never))).toBe('bad-definition')
  })

  it('PM02 board.store with an existing object id is a lookup; options that disagree are store-conflict', () => {
    const board = newBoard()
    const s = board.store({ type: 'item', index: 3 }, { initial: { a: 1 } })
    expect(board.store({ index: 3, type: 'item' })).toBe(s)
    expect(board.store({ index: 3, type: 'item' }, { initial: { a: 1 }, storage: 'memory' })).toBe(s)
    const e = errorOf(() => board.store({ index: 3, type: 'item' }, { initial: { a: 2 } }))
    expect(e.code).toBe('store-conflict')
    expect(e.message).toContain('{"index":3,"type":"item"}')
    expect(codeOf(() => board.store({ index: 3, type: 'item' }, { storage: 'local' }))).toBe('store-conflict')
  })

  it('PM16 a pattern matches a store with exactly its keys and equal values (3 and "3" differ)', async () => {
    const board = newBoard()
    board.store({ type: 'item', index: 1 }, { initial: 'number 1' })
    board.store({ type: 'item', index: '1' }, { initial: 'string 1' })
    board.store({ type: 'item', index: 2, extra: 'x' }, { initial: 'more keys' })
    board.store({ type: 'other', index: 3 }, { initial: 'other type' })
    const out = board.store<unknown[]>('out')
    board.callback({ inputs: [{ type: 'item', index: ALL }], outputs: [out], run: (v) => v })
    const ones = board.store<unknown[]>('ones')
    board.callback({ inputs: [{ type: 'item', index: MATCH }], outputs: [], run: () => undefined })
    board.callback({ inputs: [{ type: 'item', index: 1, n: ALL }], outputs: [ones], run: (v) => v })
    await board.start()
    expect(out.get()).toEqual(['number 1', 'string 1'])
    expect(ones.get()).toEqual([])
    expect(board.inspect().families[1]!.instances).toEqual(['effect[{"index":1}]', 'effect[{"index":"1"}]'])
  })
})

describe('ALL', () => {
  it('PM03 run gets every matching store value in creation order, [] when none', async () => {
    const board = newBoard()
    const out = board.store<unknown[]>('out')
    let runs = 0
    board.callback({ id: 'all', inputs: [{ type: 'q', index: ALL }], outputs: [out], run: (v) => (runs++, v) })
    await board.start()
    expect([out.get(), runs]).toEqual([[], 1])
    board.store({ type: 'q', index: 9 }, { initial: 'nine' })
    board.store({ type: 'q', index: 2 }, { initial: 'two' })
    expect(out.get()).toEqual(['nine', 'two'])
  })

  it('PM04 adding or removing a matching store runs the callback, and ctx.triggered names it by its object id', async () => {
    const board = newBoard()
    const out = board.store<unknown[]>('out')
    const seen: Array<readonly StoreId[]> = []
    board.callback({
      id: 'all',
      inputs: [{ type: 'q', index: ALL }],
      outputs: [out],
      run: (v, ctx) => (seen.push(ctx.triggered), v),
    })
    await board.start()
    const a = board.store({ type: 'q', index: 1 }, { initial: 'a' })
    board.store({ type: 'q', index: 2 }, { initial: 'b' })
    a.set('A')
    board.remove(a)
    expect(seen).toEqual([
      [],
      [{ index: 1, type: 'q' }],
      [{ index: 2, type: 'q' }],
      [{ index: 1, type: 'q' }],
      [{ index: 1, type: 'q' }],
    ])
    expect(out.get()).toEqual(['b'])
  })

  it('PM05 a store only a state pattern matches does not run the callback when added or removed; the next run sees it', async () => {
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    const out = board.store<unknown>('out')
    let runs = 0
    board.callback({
      inputs: [go],
      state: [{ type: 's', index: ALL }],
      outputs: [out],
      run: (g, s) => (runs++, [g, s]),
    })
    await board.start()
    const x = board.store({ type: 's', index: 1 }, { initial: 'x' })
    board.store({ type: 's', index: 2 }, { initial: 'y' })
    board.remove(x)
    expect(runs).toBe(1)
    go.set(1)
    expect([runs, out.get()]).toEqual([2, [1, ['y']]])
  })

  it('PM17 a store removed and created again is a new store: it comes last in ALL', async () => {
    const board = newBoard()
    const out = board.store<unknown[]>('out')
    board.callback({ inputs: [{ type: 'q', index: ALL }], outputs: [out], run: (v) => v })
    await board.start()
    for (const i of [1, 2, 3]) board.store({ type: 'q', index: i }, { initial: i })
    const one = board.store({ type: 'q', index: 1 })
    board.remove(one)
    const again = board.store({ type: 'q', index: 1 }, { initial: 10 })
    expect(again).not.toBe(one)
    expect(out.get()).toEqual([2, 3, 10])
    // The old object is detached: setting it changes nothing.
    one.set(99 as never)
    expect(out.get()).toEqual([2, 3, 10])
  })

  it('PM23 an ALL output takes an array with one value per store, in creation order', async () => {
    const board = newBoard()
    const base = board.store('base', { initial: 1 })
    items(board, [1, 2])
    board.callback({ id: 'fill', inputs: [base], outputs: [{ type: 'cost', index: ALL }], run: (b) => [b, b * 2] })
    await board.start()
    expect([board.store({ type: 'cost', index: 1 }).get(), board.store({ type: 'cost', index: 2 }).get()]).toEqual([
      1, 2,
    ])
  })
})

describe('MATCH', () => {
  // {qty,i} ──► [cost[{index:i}]] ──► {cost,i}
  it('PM06 runs once per matched value, only for the instances whose triggering stores changed; ctx.match is the instance', async () => {
    const board = newBoard()
    items(board, [1, 2, 3])
    const calls: Array<[unknown, unknown]> = []
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q, ctx) => (calls.push([q, ctx.match]), (q as number) * 10),
    })
    await board.start()
    expect(calls).toEqual([
      [1, { index: 1 }],
      [2, { index: 2 }],
      [3, { index: 3 }],
    ])
    calls.length = 0
    board.store({ type: 'qty', index: 2 }).set(7)
    expect(calls).toEqual([[7, { index: 2 }]])
    expect(board.store({ type: 'cost', index: 2 }).get()).toBe(70)
    expect(board.inspect().callbacks.map((c) => [c.id, c.stats.runs])).toEqual([
      ['cost[{"index":1}]', 1],
      ['cost[{"index":2}]', 2],
      ['cost[{"index":3}]', 1],
    ])
  })

  it('PM07 an instance runs when all its stores exist; the last one created gives its initial call with the current values', async () => {
    const board = newBoard()
    const calls: unknown[] = []
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      state: [{ type: 'rate', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q, r) => (calls.push([q, r]), (q as number) * (r as number)),
    })
    await board.start()
    const q = board.store({ type: 'qty', index: 1 }, { initial: 2 })
    q.set(3) // no output store yet: no run
    board.store({ type: 'cost', index: 1 })
    expect(calls).toEqual([])
    board.store({ type: 'rate', index: 1 }, { initial: 5 })
    expect(calls).toEqual([[3, 5]])
    expect(board.store({ type: 'cost', index: 1 }).get()).toBe(15)
  })

  it('PM07 preventInitialCall: a completed instance waits for a change', async () => {
    const board = newBoard()
    let runs = 0
    board.callback({
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      preventInitialCall: true,
      run: (q) => (runs++, q),
    })
    await board.start()
    items(board, [1])
    expect(runs).toBe(0)
    board.store({ type: 'qty', index: 1 }).set(4)
    expect([runs, board.store({ type: 'cost', index: 1 }).get()]).toEqual([1, 4])
  })

  it('PM08 bad-pattern: outputs must use MATCH, only MATCH, on exactly the keys inputs and state match', () => {
    const board = newBoard()
    const total = board.store('total')
    items(board, [1])
    const run = () => undefined
    // An explicit output beside MATCH.
    expect(codeOf(() => board.callback({ inputs: [{ type: 'qty', index: MATCH }], outputs: [total], run }))).toBe(
      'bad-pattern',
    )
    // ALL in an output of a MATCH callback.
    expect(
      codeOf(() =>
        board.callback({
          inputs: [{ type: 'qty', index: MATCH }],
          outputs: [{ type: 'cost', index: ALL }],
          run: () => [],
        }),
      ),
    ).toBe('bad-pattern')
    // MATCH on other keys than the inputs'.
    expect(
      codeOf(() =>
        board.callback({ inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: MATCH, index: MATCH }], run }),
      ),
    ).toBe('bad-pattern')
    // MATCH in an output only.
    expect(codeOf(() => board.callback({ inputs: [total], outputs: [{ type: 'cost', index: MATCH }], run }))).toBe(
      'bad-pattern',
    )
    // ALLSMALLER without MATCH on its key.
    expect(codeOf(() => board.callback({ inputs: [{ type: 'qty', index: ALLSMALLER }], outputs: [], run }))).toBe(
      'bad-pattern',
    )
    // ALLSMALLER in an output.
    expect(
      codeOf(() =>
        board.callback({
          inputs: [{ type: 'qty', index: MATCH }],
          outputs: [{ type: 'cost', index: ALLSMALLER }],
          run: () => [],
        }),
      ),
    ).toBe('bad-pattern')
    // cache.key (positions among inputs and state) has no meaning for a family yet: refused, not ignored.
    const k = board.store('k', { initial: 0 })
    expect(
      codeOf(() =>
        board.callback({
          inputs: [{ type: 'qty', index: MATCH }, k],
          outputs: [{ type: 'cost', index: MATCH }],
          cache: { key: [k] },
          run: () => 0,
        }),
      ),
    ).toBe('bad-definition')
    // outputs: [] is a side effect per instance.
    const seen: unknown[] = []
    expect(
      codeOf(() =>
        board.callback({
          inputs: [{ type: 'qty', index: MATCH }],
          outputs: [],
          run: (_q, ctx) => void seen.push(ctx.match),
        }),
      ),
    ).toBe(undefined)
    expect(board.inspect().families.map((f) => f.id)).toEqual(['effect'])
  })

  it("PM09 ALLSMALLER: the values of the stores whose key is smaller than the instance's, ascending", async () => {
    const board = newBoard()
    for (const i of [3, 1, 2]) board.store({ type: 'n', index: i }, { initial: i * 10 })
    for (const i of [1, 2, 3]) board.store({ type: 'sum', index: i })
    const seen: unknown[] = []
    board.callback({
      id: 'cum',
      inputs: [
        { type: 'n', index: ALLSMALLER },
        { type: 'n', index: MATCH },
      ],
      outputs: [{ type: 'sum', index: MATCH }],
      run: (before, v) => (seen.push(before), (before as number[]).reduce((a, b) => a + b, v as number)),
    })
    await board.start()
    // Instances in the order of their output stores (sum 1, 2, 3).
    expect(seen).toEqual([[], [10], [10, 20]])
    expect([1, 2, 3].map((i) => board.store({ type: 'sum', index: i }).get())).toEqual([10, 30, 60])
    // n1 is instance 1's MATCH input and the ALLSMALLER input of instances 2 and 3.
    seen.length = 0
    board.store({ type: 'n', index: 1 }).set(11)
    expect(seen).toEqual([[], [11], [11, 20]])
    // n3 is smaller than nobody's: instance 3 alone.
    seen.length = 0
    board.store({ type: 'n', index: 3 }).set(31)
    expect(seen).toEqual([[11, 20]])
    expect(board.store({ type: 'sum', index: 3 }).get()).toBe(62)
  })

  it('PM10 ctx.triggered holds object ids as objects; ctx.match is undefined without MATCH', async () => {
    const board = newBoard()
    const s = board.store('s', { initial: 0 })
    const k = board.store({ type: 'k' }, { initial: 0 })
    const out = board.store<unknown>('out')
    board.callback({
      inputs: [s, k],
      outputs: [out],
      preventInitialCall: true,
      run: (_a, _b, ctx) => [ctx.triggered, ctx.match],
    })
    await board.start()
    board.batch(() => {
      s.set(1)
      k.set(1)
    })
    expect(out.get()).toEqual([['s', { type: 'k' }], undefined])
  })
})

describe('board.remove', () => {
  it('PM11 removes the store and the MATCH instances it completed; a removed store can be named again only by a new store', async () => {
    const board = newBoard()
    items(board, [1, 2])
    let runs = 0
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q) => (runs++, q),
    })
    await board.start()
    board.remove({ type: 'qty', index: 1 })
    expect(board.inspect().families[0]!.instances).toEqual(['cost[{"index":2}]'])
    expect(board.inspect().stores.map((s) => s.id)).toEqual([
      '{"index":1,"type":"cost"}',
      '{"index":2,"type":"qty"}',
      '{"index":2,"type":"cost"}',
    ])
    expect(codeOf(() => board.remove({ type: 'qty', index: 1 }))).toBe('unknown-store')
    // Created again: the instance comes back with its initial call.
    runs = 0
    board.store({ type: 'qty', index: 1 }, { initial: 5 })
    expect([runs, board.store({ type: 'cost', index: 1 }).get()]).toEqual([1, 5])
  })

  it('PM11 removing a store a callback names explicitly is in-use', async () => {
    const board = newBoard()
    const a = board.store({ type: 'a' }, { initial: 1 })
    const b = board.store('b', { initial: 1 })
    const out = board.store('out')
    board.callback({ id: 'plain', inputs: [a], outputs: [out], run: (v) => v })
    board.callback({ id: 'fam', inputs: [b, { type: 'q', index: ALL }], outputs: [], run: () => undefined })
    const e = errorOf(() => board.remove(a))
    expect([e.code, e.message]).toEqual([
      'in-use',
      'store "{"type":"a"}" cannot be removed: callback "plain" names it (only stores a callback reaches through a pattern can be).',
    ])
    expect(codeOf(() => board.remove(b))).toBe('in-use')
    expect(codeOf(() => board.remove(out))).toBe('in-use')
    expect(board.store({ type: 'a' })).toBe(a)
  })
})

describe('definition checks', () => {
  it('PM12 overlapping outputs (two patterns, a pattern and an explicit id) are duplicate-output naming both, unless allowDuplicate', () => {
    const board = newBoard()
    items(board, [1])
    const run = () => 0
    board.callback({ id: 'A', inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: 'cost', index: MATCH }], run })
    const e = errorOf(() =>
      board.callback({ id: 'B', inputs: [{ type: 'qty', index: 1 }], outputs: [{ type: 'cost', index: 1 }], run }),
    )
    expect([e.code, e.message]).toEqual([
      'duplicate-output',
      'callbacks "A" and "B" both write {"index":MATCH,"type":"cost"} and {"index":1,"type":"cost"}, which overlap (pass allowDuplicate: true to allow it).',
    ])
    const e2 = errorOf(() =>
      board.callback({
        id: 'C',
        inputs: [{ type: 'qty', index: ALL }],
        outputs: [{ type: 'cost', index: ALL }],
        run: () => [0],
      }),
    )
    expect([e2.code, e2.message]).toEqual([
      'duplicate-output',
      'callbacks "A" and "C" both write {"index":MATCH,"type":"cost"} and {"index":ALL,"type":"cost"}, which overlap (pass allowDuplicate: true to allow it).',
    ])
    // Different fixed values do not overlap.
    board.store({ type: 'cost', index: 1, v: 2 })
    expect(
      codeOf(() =>
        board.callback({
          id: 'D',
          inputs: [{ type: 'qty', index: MATCH }],
          outputs: [{ type: 'cost', index: MATCH, v: MATCH }],
          run,
        }),
      ),
    ).toBe('bad-pattern')
    expect(
      codeOf(() =>
        board.callback({
          id: 'E',
          allowDuplicate: true,
          inputs: [{ type: 'qty', index: 1 }],
          outputs: [{ type: 'cost', index: 1 }],
          run,
        }),
      ),
    ).toBe(undefined)
  })

  it('PM14 a cycle through patterns that the existing stores close is refused at definition', () => {
    // {a,i} ──► [F: MATCH] ──► {b,i} ; {b,1} ──► [G] ──► {a,1}
    const board = newBoard()
    board.store({ t: 'a', i: 1 })
    board.store({ t: 'b', i: 1 })
    board.callback({ id: 'F', inputs: [{ t: 'a', i: MATCH }], outputs: [{ t: 'b', i: MATCH }], run: (v) => v })
    const e = errorOf(() =>
      board.callback({ id: 'G', inputs: [{ t: 'b', i: 1 }], outputs: [{ t: 'a', i: 1 }], run: (v) => v }),
    )
    expect([e.code, e.message]).toEqual([
      'cycle',
      'callback "G" closes a cycle: {"i":1,"t":"a"} → {"i":1,"t":"b"} → {"i":1,"t":"a"}.',
    ])
    // And the same loop with the pattern callback defined second.
    const board2 = newBoard()
    board2.store({ t: 'a', i: 1 })
    board2.store({ t: 'b', i: 1 })
    board2.callback({ id: 'G', inputs: [{ t: 'b', i: 1 }], outputs: [{ t: 'a', i: 1 }], run: (v) => v })
    expect(
      codeOf(() =>
        board2.callback({ id: 'F', inputs: [{ t: 'a', i: MATCH }], outputs: [{ t: 'b', i: MATCH }], run: (v) => v }),
      ),
    ).toBe('cycle')
    expect(board2.inspect().families).toEqual([])
    expect(board2.inspect().callbacks.map((c) => c.id)).toEqual(['G'])
  })

  it('PM14 a store whose creation would close a cycle makes board.store throw cycle, and it is not created', async () => {
    // {a,i} ──► [F: MATCH] ──► {b,i} ; {b, ALL} ──► [G] ──► {a,1}: {b,1} closes a → b → a.
    const board = newBoard()
    const a1 = board.store({ t: 'a', i: 1 }, { initial: 0 })
    board.callback({ id: 'F', inputs: [{ t: 'a', i: MATCH }], outputs: [{ t: 'b', i: MATCH }], run: (v) => v })
    board.callback({ id: 'G', inputs: [{ t: 'b', i: ALL }], outputs: [a1], run: (bs) => (bs as number[]).length })
    await board.start()
    board.store({ t: 'b', i: 2 }) // no a2: no instance, no loop
    const e = errorOf(() => board.store({ t: 'b', i: 1 }))
    expect([e.code, e.message]).toEqual([
      'cycle',
      'store {"i":1,"t":"b"} would close a cycle: {"i":1,"t":"b"} → {"i":1,"t":"a"} → {"i":1,"t":"b"}.',
    ])
    expect(board.inspect().stores.map((s) => s.id)).toEqual(['{"i":1,"t":"a"}', '{"i":2,"t":"b"}'])
    expect(board.inspect().families.map((f) => f.instances)).toEqual([[], ['G']])
    // The graph still works.
    await board.idle()
    expect(a1.get()).toBe(1)
    board.remove({ t: 'b', i: 2 })
    expect(a1.get()).toBe(0)
  })
})

describe('scheduling across instances', () => {
  it('PM13 each instance runs at most once per wave, after its upstream (a diamond through instances)', async () => {
    //          ┌─► [dbl[i]] ─► {d,i} ─┐
    //  {x,i} ──┤                      ├─► [sum[i]] ─► {s,i} ──► [total] (ALL)
    //          └─► [neg[i]] ─► {n,i} ─┘
    const board = newBoard()
    for (const i of [1, 2]) for (const t of ['x', 'd', 'n', 's']) board.store({ t, i }, { initial: t === 'x' ? i : 0 })
    const order: string[] = []
    const log = (name: string) => (_: unknown, ctx: { match: unknown }) =>
      order.push(`${name}${JSON.stringify(ctx.match)}`)
    board.callback({
      id: 'dbl',
      inputs: [{ t: 'x', i: MATCH }],
      outputs: [{ t: 'd', i: MATCH }],
      run: (x, ctx) => (log('dbl')(x, ctx), (x as number) * 2),
    })
    board.callback({
      id: 'neg',
      inputs: [{ t: 'x', i: MATCH }],
      outputs: [{ t: 'n', i: MATCH }],
      run: (x, ctx) => (log('neg')(x, ctx), -(x as number)),
    })
    board.callback({
      id: 'sum',
      inputs: [
        { t: 'd', i: MATCH },
        { t: 'n', i: MATCH },
      ],
      outputs: [{ t: 's', i: MATCH }],
      run: (d, m, ctx) => (log('sum')(d, ctx), (d as number) + (m as number)),
    })
    const total = board.store<number>('total')
    board.callback({
      id: 'total',
      inputs: [{ t: 's', i: ALL }],
      outputs: [total],
      run: (s) => (order.push('total'), (s as number[]).reduce((a, b) => a + b, 0)),
    })
    await board.start()
    expect(total.get()).toBe(3)
    order.length = 0
    board.batch(() => {
      board.store({ t: 'x', i: 1 }).set(10)
      board.store({ t: 'x', i: 2 }).set(20)
    })
    expect(order.filter((o) => o.startsWith('sum')).sort()).toEqual(['sum{"i":1}', 'sum{"i":2}'])
    expect(order.at(-1)).toBe('total')
    expect(order.length).toBe(7)
    for (const i of [1, 2]) {
      const at = (name: string) => order.indexOf(`${name}{"i":${i}}`)
      expect(at('sum')).toBeGreaterThan(at('dbl'))
      expect(at('sum')).toBeGreaterThan(at('neg'))
    }
    expect(total.get()).toBe(30)
  })

  it('PM19 stores added and removed inside batch(fn) join that one wave', async () => {
    const board = newBoard()
    items(board, [1, 2])
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q) => (q as number) * 10,
    })
    const total = board.store<number>('total')
    const seen: unknown[] = []
    board.callback({
      id: 'total',
      inputs: [{ type: 'cost', index: ALL }],
      outputs: [total],
      run: (c, ctx) => (seen.push([c, ctx.triggered]), (c as number[]).reduce((a, b) => a + b, 0)),
    })
    await board.start()
    seen.length = 0
    board.batch(() => {
      items(board, [3])
      board.remove({ type: 'cost', index: 1 })
      board.store({ type: 'qty', index: 2 }).set(5)
    })
    expect(seen).toEqual([
      [
        [50, 30],
        [
          { index: 2, type: 'cost' },
          { index: 3, type: 'cost' },
          { index: 1, type: 'cost' },
        ],
      ],
    ])
    expect(total.get()).toBe(80)
  })

  it('PM21 1,000 items: one item changes, its instance and the summary run, nothing else', async () => {
    //  {qty,i} ─► [cost[i]] ─► {cost,i} ─┐   (i = 0..999)
    //                                    ├─► [total] (ALL)
    const board = newBoard()
    const N = 1000
    const runs = new Map<string, number>()
    const count = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1)
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q, ctx) => (count(`cost${ctx.match!.index}`), (q as number) * 2),
    })
    const total = board.store<number>('total')
    board.callback({
      id: 'total',
      inputs: [{ type: 'cost', index: ALL }],
      outputs: [total],
      run: (c) => (count('total'), (c as number[]).reduce((a, b) => a + b, 0)),
    })
    await board.start()
    board.batch(() =>
      items(
        board,
        Array.from({ length: N }, (_, i) => i),
      ),
    )
    expect(runs.size).toBe(N + 1)
    expect(runs.get('total')).toBe(2) // the initial call with [] and the wave that added all
    expect(total.get()).toBe(N * (N - 1))
    runs.clear()
    board.store({ type: 'qty', index: 500 }).set(1)
    expect([...runs]).toEqual([
      ['cost500', 1],
      ['total', 1],
    ])
    expect(total.get()).toBe(N * (N - 1) - 1000 + 2)
    // Adding one item: its instance and the summary, in one wave.
    runs.clear()
    items(board, [N])
    expect([...runs]).toEqual([
      [`cost${N}`, 1],
      ['total', 1],
    ])
    // Removing one: the summary alone.
    runs.clear()
    board.batch(() => {
      board.remove({ type: 'qty', index: 0 })
      board.remove({ type: 'cost', index: 0 })
    })
    expect([...runs]).toEqual([['total', 1]])
    expect(board.inspect().families[0]!.instances.length).toBe(N)
  })
})

describe('inspect', () => {
  it('PM22 lists families with their patterns and instances; instances are callbacks with family and match', async () => {
    const board = newBoard()
    items(board, [1, 2])
    board.callback({
      id: 'cost',
      inputs: [{ type: 'qty', index: MATCH }],
      outputs: [{ type: 'cost', index: MATCH }],
      run: (q) => q,
    })
    const total = board.store<number>('total')
    board.callback({
      id: 'total',
      inputs: [{ type: 'cost', index: ALL }],
      outputs: [total],
      run: (c) => (c as number[]).length,
    })
    const i = board.inspect()
    // Not started: no run yet, so each family's figures (its instances added up) are zero.
    const idle = {
      running: false,
      progress: null,
      cached: false,
      error: undefined,
      stats: { runs: 0, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 0 },
    }
    expect(i.families).toEqual([
      {
        id: 'cost',
        inputs: ['{"index":MATCH,"type":"qty"}'],
        state: [],
        outputs: ['{"index":MATCH,"type":"cost"}'],
        ...idle,
        instances: ['cost[{"index":1}]', 'cost[{"index":2}]'],
      },
      {
        id: 'total',
        inputs: ['{"index":ALL,"type":"cost"}'],
        state: [],
        outputs: ['total'],
        ...idle,
        instances: ['total'],
      },
    ])
    expect(i.callbacks.map((c) => [c.id, c.family, c.match, c.inputs])).toEqual([
      ['cost[{"index":1}]', 'cost', { index: 1 }, ['{"index":1,"type":"qty"}']],
      ['cost[{"index":2}]', 'cost', { index: 2 }, ['{"index":2,"type":"qty"}']],
      ['total', 'total', {}, ['{"index":1,"type":"cost"}', '{"index":2,"type":"cost"}']],
    ])
    expect(board.status('cost[{"index":2}]')?.stats.runs).toBe(0)
    expect(noUpdate).toBeDefined()
  })
})
