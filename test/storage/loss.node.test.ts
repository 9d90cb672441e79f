// lossOf(value, 'clone'), the check every idb write makes (S12), with its quick walk in
// front (P4): plain data is cleared without building paths; anything the quick walk is
// unsure of goes to the full walk, which decides and names the path.
import { describe, expect, it } from 'vitest'
import { dropProtoKeys, lossOf } from '../../src/storage/codec'

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** `{ next: { next: … { next: leaf } } }`, `depth` levels. */
function nested(depth: number, leaf: unknown): unknown {
  let v: unknown = leaf
  for (let i = 0; i < depth; i++) v = { next: v }
  return v
}

describe('P4 lossOf clone: quick walk in front of the full one', () => {
  it('P4 plain data passes: nested objects, arrays with holes, Maps, Sets, typed arrays, Dates, null prototypes', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 })
    const value = {
      rows: [{ i: 1, label: 'a', score: 0.5, tags: ['x'] }, null, undefined],
      holes: [1, , 3],
      m: new Map<unknown, unknown>([['k', { v: [1, 2] }]]),
      s: new Set([1, 'two', new Date(0)]),
      f: new Float64Array([1, Number.NaN, -0]),
      big: 10n,
      bare,
      deep: nested(20, 'end'),
    }
    expect(lossOf(value, 'clone')).toBeUndefined()
  })

  it('P4 a loss anywhere is found and named by its path: function, symbol, class instance, own __proto__', () => {
    expect(lossOf({ a: { b: [0, 1, { c: () => 1 }] } }, 'clone')?.path).toBe('a.b[2].c')
    expect(lossOf({ m: new Map([['k', Symbol('s')]]) }, 'clone')?.path).toBe('m.get("k")')
    expect(lossOf([{ p: new Point(1, 2) }], 'clone')).toMatchObject({
      path: '[0].p',
      why: expect.stringContaining('Point'),
    })
    expect(lossOf(JSON.parse('{"x":{"__proto__":{"polluted":1}}}'), 'clone')?.path).toBe('x.__proto__')
  })

  it('P4 past the quick walk (deeper than it goes, more nodes than it visits) a loss is still found and named', () => {
    expect(
      lossOf(
        nested(40, () => 1),
        'clone',
      )?.path,
    ).toBe(`${'next.'.repeat(39)}next`)
    const long: unknown[] = Array.from({ length: 120_000 }, (_, i) => i)
    long.push(Symbol('last'))
    expect(lossOf(long, 'clone')?.path).toBe('[120000]')
  })

  it('P4 what only the full walk can clear is accepted: a cycle, a constructor key holding a string, a deep DAG of shared parts', () => {
    const cyc: { self?: unknown; n: number } = { n: 1 }
    cyc.self = cyc
    expect(lossOf(cyc, 'clone')).toBeUndefined()
    expect(lossOf({ constructor: 'not a class' }, 'clone')).toBeUndefined()
    // 30 levels, each pointing twice at the next: 2^30 paths, 31 objects. The quick walk
    // gives up at its node budget; the full walk visits each object once.
    let dag: unknown = { leaf: 1 }
    for (let i = 0; i < 30; i++) dag = { l: dag, r: dag }
    expect(lossOf(dag, 'clone')).toBeUndefined()
  })
})

describe('P4 dropProtoKeys: quick walk in front of the full one (S17)', () => {
  const polluted = () => JSON.parse('{"__proto__":{"polluted":1},"ok":1}') as Record<string, unknown>
  const clean = (o: unknown) => !Object.hasOwn(o as object, '__proto__')

  it('P4 own __proto__ keys go everywhere the full walk reaches: nested, in arrays (items and own properties), Map keys and values, Sets', () => {
    const arr: unknown[] & { extra?: unknown } = [polluted()]
    arr.extra = polluted()
    const key = polluted()
    const value = { a: { b: polluted() }, arr, m: new Map([[key, polluted()]]), s: new Set([polluted()]) }
    const inSet = [...value.s][0]
    const inMap = value.m.get(key)
    expect(dropProtoKeys(value)).toBe(value)
    expect([value.a.b, arr[0], arr.extra, key, inMap, inSet].map(clean)).toEqual([true, true, true, true, true, true])
    expect((value.a.b as { ok: number }).ok).toBe(1)
    expect(({} as { polluted?: number }).polluted).toBeUndefined()
  })

  it('P4 a constructor key holding a prototype goes, one holding a string stays', () => {
    const o = { c: { constructor: { prototype: { x: 1 } } }, d: { constructor: 'kept' } }
    dropProtoKeys(o)
    expect(Object.hasOwn(o.c, 'constructor')).toBe(false)
    expect(o.d.constructor).toBe('kept')
  })

  it('P4 past the quick walk (cycles, deeper than it goes, a deep DAG of shared parts) every own __proto__ still goes', () => {
    const cyc: Record<string, unknown> = polluted()
    cyc.self = cyc
    const deep = nested(40, polluted()) as Record<string, unknown>
    let dag: unknown = polluted()
    const bottom = dag
    for (let i = 0; i < 30; i++) dag = { l: dag, r: dag }
    dropProtoKeys(cyc)
    dropProtoKeys(deep)
    dropProtoKeys(dag)
    let leaf: unknown = deep
    for (let i = 0; i < 40; i++) leaf = (leaf as { next: unknown }).next
    expect([clean(cyc), clean(leaf), clean(bottom)]).toEqual([true, true, true])
  })
})
