/**
 * Pattern callbacks, written against the mutation survivors of src/graph/pattern.ts
 * (issue 11 §1): whole error sentences, the shape of instances and their slots, how a
 * result spreads over ALL outputs, ctx.triggered across removals, ranks after a store
 * joins, stores being restored. Memory and (in Node, memory-only) session stores.
 */
import { describe, expect, it } from 'vitest'
import { ALL, ALLSMALLER, createBoard, GraphError, MATCH, noUpdate } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `pk-${++n}`, version: 1, register: false })

function errorOf(fn: () => unknown): GraphError {
  try {
    fn()
  } catch (e) {
    if (e instanceof GraphError) return e
    throw e
  }
  throw new Error('expected a GraphError')
}
const said = (fn: () => unknown) => {
  const e = errorOf(fn)
  return [e.code, e.message]
}
const run = () => undefined

describe('definition errors, whole sentences', () => {
  it('PK01 ALLSMALLER on two keys, ALLSMALLER in an output, cache.key, ALLSMALLER without MATCH', () => {
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    expect(
      said(() => board.callback({ id: 'c', inputs: [{ t: 'n', a: ALLSMALLER, b: ALLSMALLER }], outputs: [], run })),
    ).toEqual([
      'bad-pattern',
      'callback "c" input {"a":ALLSMALLER,"b":ALLSMALLER,"t":"n"} uses ALLSMALLER on more than one key.',
    ])
    expect(
      said(() =>
        board.callback({
          id: 'c',
          inputs: [{ t: 'n', i: MATCH }],
          outputs: [{ t: 's', i: ALLSMALLER }],
          run: () => [],
        }),
      ),
    ).toEqual([
      'bad-pattern',
      'callback "c" output {"i":ALLSMALLER,"t":"s"} uses ALLSMALLER, which only inputs and state can.',
    ])
    expect(
      said(() =>
        board.callback({
          id: 'c',
          inputs: [{ t: 'n', i: MATCH }, go],
          outputs: [{ t: 's', i: MATCH }],
          cache: { key: [go] },
          run: () => 0,
        }),
      ),
    ).toEqual(['bad-definition', 'callback "c" uses patterns; cache.key is not supported on pattern callbacks.'])
    // Two slots: the other one must carry the MATCH, not merely exist.
    expect(said(() => board.callback({ id: 'c', inputs: [{ t: 'n', i: ALLSMALLER }, go], outputs: [], run }))).toEqual([
      'bad-pattern',
      'callback "c": {"i":ALLSMALLER,"t":"n"} uses ALLSMALLER on "i" without MATCH on that key elsewhere.',
    ])
    expect(board.inspect().families).toEqual([])
  })

  it('PK02 unknown stores in a pattern callback name the slot; an object id without wildcards is a store, not a pattern', () => {
    const board = newBoard()
    const all = { t: 'q', i: ALL } as const
    expect(said(() => board.callback({ id: 'c', inputs: ['nope', all], outputs: [], run }))).toEqual([
      'unknown-store',
      'callback "c" input names an unknown store "nope".',
    ])
    expect(said(() => board.callback({ id: 'c', inputs: [all], state: ['nope'], outputs: [], run }))).toEqual([
      'unknown-store',
      'callback "c" state names an unknown store "nope".',
    ])
    expect(said(() => board.callback({ id: 'c', inputs: [all], outputs: ['nope'], run }))).toEqual([
      'unknown-store',
      'callback "c" output names an unknown store "nope".',
    ])
    expect(said(() => board.callback({ id: 'c', inputs: [all, { t: 'q', i: 4 }], outputs: [], run }))).toEqual([
      'unknown-store',
      'callback "c" input names an unknown store "{"i":4,"t":"q"}".',
    ])
    expect(board.inspect().families).toEqual([])
  })

  it('PK03 MATCH outputs: an explicit output, wrong keys (named, or none), no driver; the sentence names them', () => {
    const board = newBoard()
    const total = board.store('total')
    expect(said(() => board.callback({ id: 'c', inputs: [{ t: 'q', i: MATCH }], outputs: [total], run }))).toEqual([
      'bad-pattern',
      'callback "c" uses MATCH, so every output must be a pattern using MATCH; total is not.',
    ])
    expect(
      said(() =>
        board.callback({ id: 'c', inputs: [{ t: 'q', i: MATCH, j: MATCH }], outputs: [{ t: 'c', i: MATCH }], run }),
      ),
    ).toEqual([
      'bad-pattern',
      'callback "c": output {"i":MATCH,"t":"c"} must use MATCH, and only MATCH, on exactly the keys its inputs and state match (i, j).',
    ])
    expect(said(() => board.callback({ id: 'c', inputs: [total], outputs: [{ t: 'c', i: MATCH }], run }))).toEqual([
      'bad-pattern',
      'callback "c": output {"i":MATCH,"t":"c"} must use MATCH, and only MATCH, on exactly the keys its inputs and state match (none).',
    ])
    expect(said(() => board.callback({ id: 'c', inputs: [{ t: 'a', i: ALL, k: MATCH }], outputs: [], run }))).toEqual([
      'bad-pattern',
      'callback "c" needs an output, or an input or state, using MATCH on every matched key (k).',
    ])
    expect(board.inspect().families).toEqual([])
  })

  it('PK04 a pattern callback that the existing stores close into a loop: the sentence names it and the path', () => {
    // {b,1} ──► [G] ──► {a,1} ──► [F[i:1]] ──► {b,1}
    const board = newBoard()
    board.store({ t: 'a', i: 1 })
    board.store({ t: 'b', i: 1 })
    board.callback({ id: 'G', inputs: [{ t: 'b', i: 1 }], outputs: [{ t: 'a', i: 1 }], run: (v) => v })
    expect(
      said(() =>
        board.callback({ id: 'F', inputs: [{ t: 'a', i: MATCH }], outputs: [{ t: 'b', i: MATCH }], run: (v) => v }),
      ),
    ).toEqual(['cycle', 'callback "F" closes a cycle: {"i":1,"t":"b"} → {"i":1,"t":"a"} → {"i":1,"t":"b"}.'])
  })

  it('PK05 two families writing the same explicit store overlap; so does an explicit id inside a pattern, not one of another shape', () => {
    const board = newBoard()
    const total = board.store('total')
    board.callback({ id: 'A', inputs: [{ t: 'q', i: ALL }], outputs: [total], run: () => 0 })
    expect(
      said(() => board.callback({ id: 'B', inputs: [{ t: 'r', i: ALL }], outputs: [total], run: () => 0 })),
    ).toEqual([
      'duplicate-output',
      'callbacks "A" and "B" both write total, which overlap (pass allowDuplicate: true to allow it).',
    ])
    // {t:'c', i: MATCH} cannot be {t:'c', i:1, v:2} (other keys): no overlap, either way round.
    board.store({ t: 'q', i: 1 }, { initial: 1 })
    const wide = board.store({ t: 'c', i: 1, v: 2 })
    board.callback({ id: 'M', inputs: [{ t: 'q', i: MATCH }], outputs: [{ t: 'c', i: MATCH }], run: (q) => q })
    board.callback({ id: 'P', inputs: [{ t: 'q', i: 1 }], outputs: [wide], run: (q) => q })
    board.callback({
      id: 'W',
      inputs: [{ t: 'r', i: ALL }],
      outputs: [board.store({ t: 'c', i: 2, v: 2 })],
      run: () => 0,
    })
    expect(board.inspect().families.map((f) => f.id)).toEqual(['A', 'M', 'W'])
  })

  it('PK06 allowDuplicate on a family skips the check against a plain writer; without it the plain writer is named', () => {
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    const out = board.store({ t: 'o', i: 1 })
    board.callback({ id: 'plain', inputs: [go], outputs: [out], run: (g) => g })
    expect(
      said(() =>
        board.callback({ id: 'fam', inputs: [{ t: 'q', i: ALL }], outputs: [{ t: 'o', i: ALL }], run: () => [] }),
      ),
    ).toEqual([
      'duplicate-output',
      'callbacks "plain" and "fam" both write {"i":1,"t":"o"} and {"i":ALL,"t":"o"}, which overlap (pass allowDuplicate: true to allow it).',
    ])
    board.callback({
      id: 'fam',
      allowDuplicate: true,
      inputs: [{ t: 'q', i: ALL }],
      outputs: [{ t: 'o', i: ALL }],
      run: () => [],
    })
    expect(board.inspect().families.map((f) => f.instances)).toEqual([['fam']])
  })
})

describe('keys, order and slots', () => {
  it('PK07 MATCH keys in any order of the id object; a scalar slot drives only with MATCH on every matched key', async () => {
    const board = newBoard()
    board.store({ t: 'x', b: 2, a: 1 }, { initial: 5 })
    board.store({ t: 'y', b: 2, a: 1 })
    board.store({ t: 'u', b: 2 }, { initial: 1 })
    board.store({ t: 'v', a: 1 }, { initial: 10 })
    board.store({ t: 'w', a: 1, b: 2 })
    board.callback({
      id: 'K',
      inputs: [{ t: 'x', b: MATCH, a: MATCH }],
      outputs: [{ t: 'y', b: MATCH, a: MATCH }],
      run: (x) => x,
    })
    // Keys matched by two slots, first seen b then a.
    board.callback({
      id: 'L',
      inputs: [
        { t: 'u', b: MATCH },
        { t: 'v', a: MATCH },
      ],
      outputs: [{ t: 'w', a: MATCH, b: MATCH }],
      run: (u, v) => (u as number) + (v as number),
    })
    // No output: the driver is the input with MATCH on both keys, not the first input.
    const seen: unknown[] = []
    board.callback({
      id: 'D',
      inputs: [
        { t: 'v', a: MATCH },
        { t: 'x', a: MATCH, b: MATCH },
      ],
      outputs: [],
      run: (v, x, ctx) => void seen.push([v, x, ctx.match]),
    })
    await board.start()
    expect(board.inspect().families.map((f) => f.instances)).toEqual([
      ['K[{"a":1,"b":2}]'],
      ['L[{"a":1,"b":2}]'],
      ['D[{"a":1,"b":2}]'],
    ])
    expect([board.store({ t: 'y', a: 1, b: 2 }).get(), board.store({ t: 'w', a: 1, b: 2 }).get()]).toEqual([5, 11])
    expect(seen).toEqual([[10, 5, { a: 1, b: 2 }]])
  })

  it('PK08 ALLSMALLER: numbers before strings, ascending whatever the creation order, also for stores created later', async () => {
    const board = newBoard()
    for (const i of ['b', 'a', 2, 1]) board.store({ t: 'n', i }, { initial: `n${i}` })
    for (const i of ['b', 2]) board.store({ t: 's', i })
    board.callback({
      id: 'cum',
      inputs: [
        { t: 'n', i: ALLSMALLER },
        { t: 'n', i: MATCH },
      ],
      outputs: [{ t: 's', i: MATCH }],
      run: (before, v) => [...(before as string[]), v],
    })
    // The ALLSMALLER slot last: a store joining it later is sorted in, not appended.
    board.store({ t: 'm', i: 3 }, { initial: 'm3' })
    board.store({ t: 'r', i: 3 })
    board.callback({
      id: 'rev',
      inputs: [
        { t: 'm', i: MATCH },
        { t: 'm', i: ALLSMALLER },
      ],
      outputs: [{ t: 'r', i: MATCH }],
      run: (v, before) => [...(before as string[]), v],
    })
    await board.start()
    expect(board.store({ t: 's', i: 'b' }).get()).toEqual(['n1', 'n2', 'na', 'nb'])
    expect(board.store({ t: 's', i: 2 }).get()).toEqual(['n1', 'n2'])
    board.store({ t: 'm', i: 2 }, { initial: 'm2' })
    board.store({ t: 'm', i: 1 }, { initial: 'm1' })
    board.store({ t: 'm', i: 'z' }, { initial: 'mz' })
    board.store({ t: 'm', i: 0 }, { initial: 'm0' })
    expect(board.store({ t: 'r', i: 3 }).get()).toEqual(['m0', 'm1', 'm2', 'm3'])
    expect(board.inspect().callbacks.find((c) => c.id === 'rev[{"i":3}]')!.inputs).toEqual([
      '{"i":3,"t":"m"}',
      '{"i":0,"t":"m"}',
      '{"i":1,"t":"m"}',
      '{"i":2,"t":"m"}',
    ])
  })

  it('PK09 a store joining an ALL slot after start takes its place among the slots in inspect() (inputs, state, outputs)', async () => {
    const board = newBoard()
    const go = board.store('go', { initial: 0 })
    board.store({ t: 'b', i: 1 }, { initial: 'b1' })
    const seen: unknown[] = []
    board.callback({
      id: 'E',
      inputs: [
        { t: 'a', i: ALL },
        { t: 'b', i: ALL },
      ],
      outputs: [],
      run: (a, b) => void seen.push([a, b]),
    })
    board.callback({
      id: 'F',
      inputs: [go],
      state: [{ t: 's', i: ALL }],
      outputs: [{ t: 'o', i: ALL }],
      run: (_g, s) => (s as unknown[]).map(() => 'x'),
    })
    await board.start()
    board.store({ t: 'a', i: 1 }, { initial: 'a1' })
    board.store({ t: 's', i: 1 }, { initial: 's1' })
    board.store({ t: 'o', i: 1 })
    const i = board.inspect()
    expect(i.callbacks.map((c) => [c.id, c.inputs, c.state, c.outputs])).toEqual([
      ['E', ['{"i":1,"t":"a"}', '{"i":1,"t":"b"}'], [], []],
      ['F', ['go'], ['{"i":1,"t":"s"}'], ['{"i":1,"t":"o"}']],
    ])
    expect(i.families.map((f) => [f.id, f.inputs, f.state, f.outputs])).toEqual([
      ['E', ['{"i":ALL,"t":"a"}', '{"i":ALL,"t":"b"}'], [], []],
      ['F', ['go'], ['{"i":ALL,"t":"s"}'], ['{"i":ALL,"t":"o"}']],
    ])
    expect(i.edges).toEqual([
      { from: '{"i":1,"t":"a"}', to: 'E', kind: 'input' },
      { from: '{"i":1,"t":"b"}', to: 'E', kind: 'input' },
      { from: 'go', to: 'F', kind: 'input' },
      { from: '{"i":1,"t":"s"}', to: 'F', kind: 'state' },
      { from: 'F', to: '{"i":1,"t":"o"}', kind: 'output' },
    ])
    expect(seen).toEqual([
      [[], ['b1']],
      [['a1'], ['b1']],
    ])
    // The state store joined without a run; the next change of go sees it and writes the output.
    go.set(1)
    expect(board.store({ t: 'o', i: 1 }).get()).toBe('x')
  })
})

describe('spreading a result over output slots', () => {
  // go ──► [S] ──► {c, ALL} (c1, c2) and total
  async function spreadBoard() {
    const board = newBoard()
    const go = board.store<number>('go', { initial: 0 })
    for (const i of [1, 2]) board.store({ t: 'c', i }, { initial: 0 })
    const total = board.store('total', { initial: 0 })
    const results: unknown[] = [[[1, 2], 3]]
    board.callback({
      id: 'S',
      inputs: [go],
      outputs: [{ t: 'c', i: ALL }, total],
      run: (g) => results[g as number] as never,
    })
    await board.start()
    const values = () => [board.store({ t: 'c', i: 1 }).get(), board.store({ t: 'c', i: 2 }).get(), total.get()]
    const step = (r: unknown) => {
      results.push(r)
      go.set(results.length - 1)
      return [values(), board.status('S')!.error?.message]
    }
    return { board, values, step }
  }

  it('PK10 one value per slot: an array for the ALL slot, noUpdate or undefined for the whole slot', async () => {
    const { values, step } = await spreadBoard()
    expect(values()).toEqual([1, 2, 3])
    expect(step([[4, 5], 6])).toEqual([[4, 5, 6], undefined])
    expect(step([noUpdate, 7])).toEqual([[4, 5, 7], undefined])
    expect(step([[8, 9], noUpdate])).toEqual([[8, 9, 7], undefined])
    expect(step([undefined, 10])).toEqual([[undefined, undefined, 10], undefined])
  })

  it('PK11 a result of the wrong shape fails the callback with a sentence naming it and the slot', async () => {
    const { values, step } = await spreadBoard()
    const outputs = 'callback "S" failed: TypeError: callback "S" has 2 outputs and must return an array of 2.'
    const stores =
      'callback "S" failed: TypeError: callback "S" output {"i":ALL,"t":"c"} has 2 stores and must return an array of 2.'
    expect(step(7)).toEqual([[1, 2, 3], outputs])
    expect(step([[1, 2], 3, 4])).toEqual([[1, 2, 3], outputs])
    expect(step([[4], 5])).toEqual([[1, 2, 3], stores])
    expect(step([null, 5])).toEqual([[1, 2, 3], stores])
    expect(step(['ab', 5])).toEqual([[1, 2, 3], stores])
    expect(step([7, 5])).toEqual([[1, 2, 3], stores])
    expect(step([[6, 7], [8]])).toEqual([[6, 7, [8]], undefined])
    expect(values()).toEqual([6, 7, [8]])
  })

  it('PK12 several scalar MATCH outputs: one value each', async () => {
    const board = newBoard()
    board.store({ t: 'q', i: 1 }, { initial: 3 })
    board.store({ t: 'a', i: 1 })
    board.store({ t: 'b', i: 1 })
    board.callback({
      id: 'two',
      inputs: [{ t: 'q', i: MATCH }],
      outputs: [
        { t: 'a', i: MATCH },
        { t: 'b', i: MATCH },
      ],
      run: (q) => [q, -(q as number)],
    })
    await board.start()
    expect([board.store({ t: 'a', i: 1 }).get(), board.store({ t: 'b', i: 1 }).get()]).toEqual([3, -3])
  })
})
