/**
 * The dev panel folds each store family into one box (src/devtools/families.ts): the
 * stores a pattern matches, drawn once with their count, expandable.
 */
import { describe, expect, it } from 'vitest'
import { foldFamilies, patternKeys } from '../../src/devtools/families'
import type { CallbackInfo, Inspection, StoreInfo } from '../../src/graph/types'

const store = (id: string, bytes = 10): StoreInfo => ({
  id,
  storage: 'session',
  codec: undefined,
  location: 'session',
  bytes,
  modifiedAt: undefined,
})
const stats = { runs: 0, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 0 }
const callback = (
  id: string,
  inputs: string[],
  outputs: string[],
  state: string[] = [],
  more: Partial<CallbackInfo> = {},
): CallbackInfo => ({
  id,
  inputs,
  state,
  outputs,
  running: false,
  progress: null,
  cached: false,
  error: undefined,
  stats,
  ...more,
})
const item = (i: number) => `{"index":${i},"type":"item"}`
const double = (i: number) => `{"index":${i},"type":"double"}`
const ITEM_MATCH = '{"index":MATCH,"type":"item"}'
const ITEM_ALL = '{"index":ALL,"type":"item"}'
const DOUBLE_MATCH = '{"index":MATCH,"type":"double"}'

//   {item i} ─► [twice] (MATCH) ─► {double i}        i = 0, 1, 2
//   {item ALL} ─► [sum] ─► total
//   {item 7, other: 'x'}  (an object id no pattern matches: same type, other keys)
function shape(): Pick<Inspection, 'stores' | 'callbacks' | 'edges'> {
  return {
    stores: [
      store(item(0)),
      store(double(0)),
      store(item(1)),
      store(double(1)),
      store(item(2), 5),
      store(double(2)),
      store('total'),
      store('{"index":7,"other":"x","type":"item"}'),
    ],
    callbacks: [callback('twice', [ITEM_MATCH], [DOUBLE_MATCH]), callback('sum', [ITEM_ALL], ['total'])],
    edges: [
      { from: ITEM_MATCH, to: 'twice', kind: 'input' },
      { from: 'twice', to: DOUBLE_MATCH, kind: 'output' },
      { from: ITEM_ALL, to: 'sum', kind: 'input' },
      { from: 'sum', to: 'total', kind: 'output' },
    ],
  }
}

describe('foldFamilies', () => {
  it('reads the keys of a pattern and refuses what is not one', () => {
    expect(patternKeys(ITEM_MATCH)).toEqual({ index: null, type: 'item' })
    expect(patternKeys('{"index":ALLSMALLER,"type":"item"}')).toEqual({ index: null, type: 'item' })
    expect(patternKeys(item(3))).toBeUndefined()
    expect(patternKeys('ALL')).toBeUndefined()
    // A string value "ALL" is not a wildcard.
    expect(patternKeys('{"index":"ALL","type":"item"}')).toBeUndefined()
  })

  it('draws each family once, with its members in order, and edges from its box, each once', () => {
    const f = foldFamilies(shape())
    expect(f.storeFamilies.map((x) => [x.id, x.members])).toEqual([
      ['{"index":*,"type":"item"}', [item(0), item(1), item(2)]],
      ['{"index":*,"type":"double"}', [double(0), double(1), double(2)]],
    ])
    // MATCH and ALL on the same keys are one family.
    expect(f.storeFamilies[0]!.patterns).toEqual([ITEM_MATCH, ITEM_ALL])
    expect(f.stores.map((s) => s.id)).toEqual([
      '{"index":*,"type":"item"}',
      '{"index":*,"type":"double"}',
      'total',
      '{"index":7,"other":"x","type":"item"}',
    ])
    // Bytes add up over the members: 10 + 10 + 5.
    expect(f.stores[0]!.bytes).toBe(25)
    expect(f.edges).toEqual([
      { from: '{"index":*,"type":"item"}', to: 'twice', kind: 'input' },
      { from: 'twice', to: '{"index":*,"type":"double"}', kind: 'output' },
      { from: '{"index":*,"type":"item"}', to: 'sum', kind: 'input' },
      { from: 'sum', to: 'total', kind: 'output' },
    ])
  })

  it('an expanded family keeps its stores, and its patterns fan out to each', () => {
    const f = foldFamilies(shape(), new Set(['{"index":*,"type":"item"}']))
    expect(f.stores.map((s) => s.id)).toEqual([
      item(0),
      '{"index":*,"type":"double"}',
      item(1),
      item(2),
      'total',
      '{"index":7,"other":"x","type":"item"}',
    ])
    expect(f.edges.filter((e) => e.to === 'twice').map((e) => e.from)).toEqual([item(0), item(1), item(2)])
    expect(f.edges.filter((e) => e.to === 'sum').map((e) => e.from)).toEqual([item(0), item(1), item(2)])
  })

  it('per-instance edges to members fold into the family box too', () => {
    const s = shape()
    s.edges = [
      { from: item(0), to: 'twice', kind: 'input' },
      { from: item(1), to: 'twice', kind: 'input' },
      { from: 'twice', to: double(0), kind: 'output' },
      { from: 'twice', to: double(1), kind: 'output' },
    ]
    expect(foldFamilies(s).edges).toEqual([
      { from: '{"index":*,"type":"item"}', to: 'twice', kind: 'input' },
      { from: 'twice', to: '{"index":*,"type":"double"}', kind: 'output' },
    ])
  })

  it('a family with no store yet is one box with no members; a graph without patterns is unchanged', () => {
    const s = shape()
    s.stores = [store('total')]
    const f = foldFamilies(s)
    expect(f.storeFamilies.map((x) => x.members.length)).toEqual([0, 0])
    expect(f.stores.map((x) => [x.id, x.bytes])).toEqual([
      ['total', 10],
      ['{"index":*,"type":"item"}', 0],
      ['{"index":*,"type":"double"}', 0],
    ])
    const plain = { stores: [store('a')], callbacks: [callback('c', ['a'], [])], edges: [] }
    expect(foldFamilies(plain)).toEqual({ ...plain, storeFamilies: [], folded: new Map() })
  })

  // As inspect() lists a MATCH callback: one family, its instances as callbacks, edges per instance.
  //   {item i} ─► [twice[{"index":i}]] ─► {double i}     i = 0, 1
  function withInstances(): Parameters<typeof foldFamilies>[0] {
    const at = (i: number) => `twice[{"index":${i}}]`
    const runs = (n: number, ms: number, hits: number) => ({ ...stats, runs: n, lastMs: ms, avgMs: ms, hits })
    return {
      stores: [store(item(0)), store(double(0)), store(item(1)), store(double(1))],
      callbacks: [
        callback(at(0), [item(0)], [double(0)], [], { stats: runs(2, 4, 1), cached: true }),
        callback('other', ['x'], []),
        callback(at(1), [item(1)], [double(1)], [], {
          stats: runs(1, 10, 0),
          running: true,
          progress: { fraction: 0.5, note: 'half' },
        }),
      ],
      // The family's figures as the board adds them up (test/graph/lookup.node.test.ts FS01–FS04):
      // runs 2 + 1; hits 1 + 0; the longer latest run; the mean weighted by runs: (4·2 + 10·1) / 3.
      families: [
        {
          id: 'twice',
          inputs: [ITEM_MATCH],
          state: [],
          outputs: [DOUBLE_MATCH],
          running: true,
          progress: { fraction: 0.5, note: 'half' },
          cached: true,
          error: undefined,
          stats: { ...stats, runs: 3, hits: 1, lastMs: 10, avgMs: 6 },
          instances: [at(0), at(1)],
        },
      ],
      edges: [
        { from: item(0), to: at(0), kind: 'input' },
        { from: at(0), to: double(0), kind: 'output' },
        { from: 'x', to: 'other', kind: 'input' },
        { from: item(1), to: at(1), kind: 'input' },
        { from: at(1), to: double(1), kind: 'output' },
      ],
    }
  }

  it('a pattern callback is one box in place of its instances, with the figures the board added up', () => {
    const f = foldFamilies(withInstances())
    expect(f.folded).toEqual(new Map([['twice', 2]]))
    expect(f.callbacks.map((c) => c.id)).toEqual(['twice', 'other'])
    const twice = f.callbacks[0]!
    expect(twice).toMatchObject({
      inputs: [ITEM_MATCH],
      outputs: [DOUBLE_MATCH],
      running: true,
      progress: { fraction: 0.5, note: 'half' },
      cached: true,
    })
    expect(twice.stats).toMatchObject({ runs: 3, hits: 1, lastMs: 10, avgMs: 6 })
    expect(f.edges).toEqual([
      { from: '{"index":*,"type":"item"}', to: 'twice', kind: 'input' },
      { from: 'twice', to: '{"index":*,"type":"double"}', kind: 'output' },
      { from: 'x', to: 'other', kind: 'input' },
    ])
  })

  it('an expanded pattern callback draws each instance', () => {
    const f = foldFamilies(withInstances(), new Set(['twice']))
    expect(f.folded.size).toBe(0)
    expect(f.callbacks.map((c) => c.id)).toEqual(['twice[{"index":0}]', 'other', 'twice[{"index":1}]'])
    expect(f.edges.filter((e) => e.kind === 'input').map((e) => `${e.from}>${e.to}`)).toEqual([
      '{"index":*,"type":"item"}>twice[{"index":0}]',
      'x>other',
      '{"index":*,"type":"item"}>twice[{"index":1}]',
    ])
  })
})
