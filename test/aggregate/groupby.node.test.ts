/**
 * aggregate(): shapes, measures, where and the rules for missing values and bad input, on
 * tables small enough to compute by hand. Each expected value is worked out in a comment.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { setFusion } from '../../src/aggregate/kernel'
import { dict, open } from '../../src/aggregate/table'
import { AggregationError, aggregate, bin, count, MAX_GROUPS, max, mean, min, sum } from '../../src/index'

// carrier  delay  dist
//   UA       10    500
//   AA       -5    300
//   UA       20    700
//   DL        0    300
//   AA       15    900
const columns = () => ({
  carrier: ['UA', 'AA', 'UA', 'DL', 'AA'],
  delay: new Float64Array([10, -5, 20, 0, 15]),
  dist: new Int32Array([500, 300, 700, 300, 900]),
})
const rows = () => {
  const c = columns()
  return c.carrier.map((carrier, i) => ({ carrier, delay: c.delay[i], dist: c.dist[i] }))
}
/** Enough of an Arrow table's shape (numRows, schema, getChild → toArray) to be taken for one. */
const arrowLike = () => {
  const c = columns()
  const child = (values: ArrayLike<unknown>) => ({
    length: values.length,
    nullCount: 0,
    toArray: () => values,
    get: (i: number) => values[i],
  })
  return {
    numRows: 5,
    schema: { fields: Object.keys(c).map((name) => ({ name })) },
    getChild: (name: string) => (name in c ? child(c[name as keyof typeof c]) : null),
  }
}

const all = { n: count(), total: sum('delay'), avg: mean('delay'), lo: min('delay'), hi: max('dist') }
// AA: delays -5, 15 → n 2, total 10, avg 5, lo -5; dists 300, 900 → hi 900
// DL: 0 → n 1, total 0, avg 0, lo 0; hi 300
// UA: 10, 20 → n 2, total 30, avg 15, lo 10; dists 500, 700 → hi 700
const expected = {
  carrier: ['AA', 'DL', 'UA'],
  n: [2, 1, 2],
  total: [10, 0, 30],
  avg: [5, 0, 15],
  lo: [-5, 0, 10],
  hi: [900, 300, 700],
}

describe('aggregate: inputs', () => {
  it('columnar object of arrays and typed arrays: groups sorted by key', () => {
    expect(aggregate(columns(), { by: 'carrier', measures: all })).toEqual(expected)
  })
  it('array of row objects gives the same result', () => {
    expect(aggregate(rows(), { by: 'carrier', measures: all })).toEqual(expected)
  })
  it('an Arrow-shaped table gives the same result', () => {
    expect(aggregate(arrowLike(), { by: 'carrier', measures: all })).toEqual(expected)
  })
  it('a numeric key column: groups sorted numerically, not as text', () => {
    // delay @ dist: 10 @ 300, -5 @ 1000, 20 @ 900, 0 @ 300, 15 @ 90
    // → 90: 15; 300: 10 + 0; 900: 20; 1000: -5 (1000 after 900: numbers, not text)
    const t = { ...columns(), dist: [300, 1000, 900, 300, 90] }
    expect(aggregate(t, { by: 'dist', measures: { total: sum('delay') } })).toEqual({
      dist: [90, 300, 900, 1000],
      total: [15, 10, 20, -5],
    })
  })
  it('no by: one row of totals', () => {
    // n 5, total 10 - 5 + 20 + 0 + 15 = 40, avg 8
    expect(aggregate(columns(), { measures: { n: count(), total: sum('delay'), avg: mean('delay') } })).toEqual({
      n: [5],
      total: [40],
      avg: [8],
    })
  })
  it('the dictionary is cached: the same codes array for every query on the same column or table', () => {
    const c = columns()
    const first = dict(open({ carrier: c.carrier }).column('carrier'))
    const again = dict(open({ carrier: c.carrier, delay: c.delay }).column('carrier'))
    expect(again.codes).toBe(first.codes)
    expect(dict(open({ carrier: [...c.carrier] }).column('carrier')).codes).not.toBe(first.codes) // a new array: new codes
    const r = rows()
    expect(dict(open(r).column('carrier')).codes).toBe(dict(open(r).column('carrier')).codes)
  })
  it('the dictionary of a key column is built once per table, not per query', () => {
    // Same column array, new table literal around it: the cached codes are reused, and a
    // second query must give the same answer (the cache is keyed by the array).
    const c = columns()
    const a = aggregate({ carrier: c.carrier, delay: c.delay }, { by: 'carrier', measures: { n: count() } })
    const b = aggregate({ carrier: c.carrier, dist: c.dist }, { by: 'carrier', measures: { hi: max('dist') } })
    expect(a).toEqual({ carrier: ['AA', 'DL', 'UA'], n: [2, 1, 2] })
    expect(b).toEqual({ carrier: ['AA', 'DL', 'UA'], hi: [900, 300, 700] })
  })
})

describe('aggregate: where (crossfilter brushes)', () => {
  it('a range keeps gte..lt', () => {
    // delay in [0, 15): UA 10, DL 0 → AA has none and is absent
    expect(
      aggregate(columns(), { by: 'carrier', measures: { n: count() }, where: { delay: { gte: 0, lt: 15 } } }),
    ).toEqual({
      carrier: ['DL', 'UA'],
      n: [1, 1],
    })
  })
  it('gt and lte are exclusive and inclusive', () => {
    // delay in (0, 15]: UA 10, AA 15, UA 20? no (20 > 15) → AA 1, UA 1
    expect(
      aggregate(columns(), { by: 'carrier', measures: { n: count() }, where: { delay: { gt: 0, lte: 15 } } }),
    ).toEqual({
      carrier: ['AA', 'UA'],
      n: [1, 1],
    })
  })
  it('open bounds are exact at the next double, negative and at infinity too', () => {
    const up = 0.1 + Number.EPSILON / 16 // the next double above 0.1 (its ulp is 2^-56)
    const x = [0.1, up, -0.5, -Infinity, Infinity]
    const n = (where: object) => aggregate({ x }, { measures: { n: count() }, where: { x: where } }).n
    expect(n({ gt: 0.1 })).toEqual([2]) // up, Infinity
    expect(n({ lt: up })).toEqual([3]) // 0.1, -0.5, -Infinity
    expect(n({ gt: -0.5, lt: 0.1 })).toEqual([0])
    expect(n({ gt: -Infinity })).toEqual([4])
    expect(n({ lt: Infinity })).toEqual([4])
    expect(n({ gte: 0.1, gt: 0.1 })).toEqual([2]) // the tighter bound wins
  })
  it('infinite bounds are told apart by the selection cache (JSON writes both as null)', () => {
    const x = new Float64Array([1, 2, 3])
    const n = (where: object) => aggregate({ x }, { measures: { n: count() }, where: { x: where } }).n
    expect(n({ gte: -Infinity })).toEqual([3])
    expect(n({ gte: Infinity })).toEqual([0])
    expect(n({ lt: NaN })).toEqual([0])
    expect(n({ lt: Infinity })).toEqual([3])
    // counts only: the incremental path compares filters the same way
    expect(aggregate({ x }, { by: 'x', measures: { n: count() }, where: { x: { gte: -Infinity } } }).n).toEqual([
      1, 1, 1,
    ])
    expect(aggregate({ x }, { by: 'x', measures: { n: count() }, where: { x: { gte: Infinity } } }).n).toEqual([])
  })
  it('a set and a range are ANDed', () => {
    // carrier in {AA, DL} and dist >= 300 and dist < 900: AA(300), DL(300)
    const where = { carrier: { in: ['AA', 'DL'] }, dist: { gte: 300, lt: 900 } }
    expect(aggregate(columns(), { by: 'carrier', measures: { total: sum('delay') }, where })).toEqual({
      carrier: ['AA', 'DL'],
      total: [-5, 0],
    })
  })
  it('an undefined filter (a cleared brush) filters nothing', () => {
    expect(aggregate(columns(), { measures: { n: count() }, where: { delay: undefined } })).toEqual({ n: [5] })
  })
  it('where that keeps nothing: no groups; without by, one row of count 0 and null mean', () => {
    const where = { delay: { gt: 100 } }
    expect(aggregate(columns(), { by: 'carrier', measures: { n: count() }, where })).toEqual({ carrier: [], n: [] })
    expect(aggregate(columns(), { measures: { n: count(), s: sum('delay'), m: mean('delay') }, where })).toEqual({
      n: [0],
      s: [0],
      m: [null],
    })
  })
  it('the same where again, over a different column, still filters by the right rows', () => {
    // Selections are remembered by where and by column identity: another table with the
    // same where must not reuse the first table's rows.
    const first = aggregate({ v: [1, 2, 3] }, { measures: { n: count() }, where: { v: { gte: 2 } } })
    const second = aggregate({ v: [5, 0, 0, 9] }, { measures: { n: count() }, where: { v: { gte: 2 } } })
    expect(first).toEqual({ n: [2] })
    expect(second).toEqual({ n: [2] })
  })
})

describe('aggregate: missing values', () => {
  // g     v
  // a     1
  // a     null
  // b     NaN
  // null  4
  // a     3
  // undef 2
  const t = { g: ['a', 'a', 'b', null, 'a', undefined], v: [1, null, NaN, 4, 3, 2] }
  it('null/NaN measure values are skipped by sum/mean/min/max and count(col), counted by count()', () => {
    // a: values 1, 3 (null skipped) → rows 3, valid 2, sum 4, mean 2, min 1, max 3
    // b: only NaN → rows 1, valid 0, sum 0, mean/min/max null
    // null key (null and undefined): 4, 2 → rows 2, valid 2, sum 6, mean 3, min 2, max 4
    const r = aggregate(t, {
      by: 'g',
      measures: { rows: count(), valid: count('v'), s: sum('v'), m: mean('v'), lo: min('v'), hi: max('v') },
    })
    expect(r).toEqual({
      g: ['a', 'b', null],
      rows: [3, 1, 2],
      valid: [2, 0, 2],
      s: [4, 0, 6],
      m: [2, null, 3],
      lo: [1, null, 2],
      hi: [3, null, 4],
    })
  })
  it('missing values fail every range, and { in: [null] } selects them', () => {
    // v >= 0 keeps 1, 4, 3, 2 → a: 2 rows, null key: 2 rows
    expect(aggregate(t, { by: 'g', measures: { n: count() }, where: { v: { gte: 0 } } })).toEqual({
      g: ['a', null],
      n: [2, 2],
    })
    expect(aggregate(t, { measures: { n: count() }, where: { g: { in: [null] } } })).toEqual({ n: [2] })
  })
  it('Arrow nulls are missing, not the 0 that toArray() shows', () => {
    const values = new Float64Array([5, 0, 7])
    const table = {
      numRows: 3,
      schema: { fields: [{ name: 'v' }] },
      getChild: () => ({
        length: 3,
        nullCount: 1,
        toArray: () => values,
        get: (i: number) => (i === 1 ? null : values[i]),
      }),
    }
    // v: 5, null, 7 → count 3, count(v) 2, min 5, mean 6
    expect(aggregate(table, { measures: { n: count(), c: count('v'), lo: min('v'), m: mean('v') } })).toEqual({
      n: [3],
      c: [2],
      lo: [5],
      m: [6],
    })
  })
})

describe('aggregate: bad input', () => {
  const code = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(AggregationError)
      return {
        code: (e as AggregationError).code,
        column: (e as AggregationError).column,
        message: (e as Error).message,
      }
    }
    throw new Error('expected an AggregationError')
  }
  it('an unknown column in by, a measure or where names the column', () => {
    for (const spec of [
      { by: 'nope', measures: { n: count() } },
      { measures: { s: sum('nope') } },
      { measures: { n: count() }, where: { nope: { gte: 1 } } },
    ]) {
      const e = code(() => aggregate(columns(), spec))
      expect(e.code).toBe('unknown-column')
      expect(e.column).toBe('nope')
      expect(e.message).toContain('"nope"')
    }
    expect(code(() => aggregate(rows(), { by: 'nope', measures: { n: count() } })).code).toBe('unknown-column')
    expect(code(() => aggregate(arrowLike(), { by: 'nope', measures: { n: count() } })).code).toBe('unknown-column')
  })
  it('sum and mean over a text column: not-numeric, naming it', () => {
    for (const m of [sum('carrier'), mean('carrier'), min('carrier')]) {
      const e = code(() => aggregate(columns(), { measures: { x: m } }))
      expect(e).toMatchObject({ code: 'not-numeric', column: 'carrier' })
    }
    // count(col) only asks "missing or not", so it works on text: 2 of 3 names present
    expect(aggregate({ name: ['x', null, 'y'] }, { measures: { c: count('name') } })).toEqual({ c: [2] })
    expect(code(() => aggregate(columns(), { measures: { n: count() }, where: { carrier: { gte: 1 } } })).code).toBe(
      'not-numeric',
    )
  })
  it('columns of different lengths: bad-table naming the odd one', () => {
    expect(code(() => aggregate({ a: [1, 2], b: [1] }, { measures: { n: count() } }))).toMatchObject({
      code: 'bad-table',
      column: 'b',
    })
  })
  it('a bad spec: missing measures, measure named as the key, bad bin', () => {
    expect(code(() => aggregate(columns(), {} as never)).code).toBe('bad-spec')
    expect(code(() => aggregate(columns(), { by: 'carrier', measures: { carrier: count() } })).code).toBe('bad-spec')
    expect(code(() => bin('delay', { step: 0 })).code).toBe('bad-spec')
    expect(code(() => bin('delay', { bins: 2.5 })).code).toBe('bad-spec')
  })
  it('an empty table gives empty columns', () => {
    expect(aggregate({ g: [], v: [] }, { by: 'g', measures: { n: count(), s: sum('v') } })).toEqual({
      g: [],
      n: [],
      s: [],
    })
    expect(aggregate([], { measures: { n: count() } })).toEqual({ n: [] })
  })
  it('huge key cardinality works: 200 000 distinct keys, one group each', () => {
    const n = 200_000
    const key = Array.from({ length: n }, (_, i) => `k${n - i}`)
    const v = new Float64Array(n).fill(1)
    const r = aggregate({ key, v }, { by: 'key', measures: { s: sum('v') } })
    expect(r.key).toHaveLength(n)
    expect((r.s as number[]).every((x) => x === 1)).toBe(true)
    // sorted as text: k1, k10, k100, ...
    expect(r.key!.slice(0, 3)).toEqual(['k1', 'k10', 'k100'])
  })
  it(`a bin finer than MAX_GROUPS (${MAX_GROUPS}) allows: too-many-groups, naming the column`, () => {
    const e = code(() => aggregate({ x: [0, 1e9] }, { by: bin('x', { step: 1 }), measures: { n: count() } }))
    expect(e).toMatchObject({ code: 'too-many-groups', column: 'x' })
  })
})

describe('aggregate: fused kernel and plain loops agree', () => {
  it('every spec above, with and without where and missing values, both ways', () => {
    // The plain loops are what runs under a CSP without 'unsafe-eval'.
    const tables = [columns(), rows(), { g: ['a', 'a', 'b', null, 'a', undefined], v: [1, null, NaN, 4, 3, 2] }]
    const specs = [
      { by: 'carrier', measures: all },
      { by: 'carrier', measures: all, where: { dist: { gte: 300, lt: 900 } } },
      { measures: all, where: { carrier: { in: ['UA'] } } },
      { by: 'g', measures: { n: count(), c: count('v'), s: sum('v'), m: mean('v'), lo: min('v'), hi: max('v') } },
      { by: bin('v', { bins: 3 }), measures: { n: count(), s: sum('v') }, where: { v: { gt: 1 } } },
    ]
    let compared = 0
    for (const table of tables) {
      for (const spec of specs) {
        let fused: unknown
        try {
          fused = aggregate(table, spec)
        } catch {
          continue // this spec names columns the table does not have
        }
        setFusion(false)
        try {
          expect(aggregate(table, spec)).toEqual(fused)
        } finally {
          setFusion(true)
        }
        compared++
      }
    }
    expect(compared).toBe(8) // 3 specs on the carrier tables twice, 2 on the third
  })
  it('with few groups (two accumulator copies) and many (one), odd and even row counts', () => {
    for (const [rows, groups] of [
      [1001, 7],
      [1000, 300],
      [999, 999],
    ] as const) {
      const k = Int32Array.from({ length: rows }, (_, i) => (i * 31) % groups)
      const v = Float64Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? NaN : i % 17))
      const spec = { by: 'k', measures: { n: count(), c: count('v'), s: sum('v'), lo: min('v'), hi: max('v') } }
      for (const where of [undefined, { v: { gte: 3, lt: 12 } }]) {
        const fused = aggregate({ k, v }, { ...spec, where })
        setFusion(false)
        try {
          expect(aggregate({ k, v }, { ...spec, where })).toEqual(fused)
        } finally {
          setFusion(true)
        }
      }
    }
  })
})

describe('aggregate: selections of a brush dragged along', () => {
  it('many brushes in a row, some narrowed by a second clause, each counted right', () => {
    // Selection buffers are recycled between brushes; a stale index would miscount.
    // x = 0..999, y = x mod 10; brush [lo, lo + 100) on x, optionally y in {0, 1}
    const x = Float64Array.from({ length: 1000 }, (_, i) => i)
    const y = Float64Array.from(x, (v) => v % 10)
    for (let lo = -50; lo < 1000; lo += 37) {
      const inside = Math.min(lo + 100, 1000) - Math.max(lo, 0)
      expect(aggregate({ x, y }, { measures: { n: count() }, where: { x: { gte: lo, lt: lo + 100 } } }).n).toEqual([
        inside,
      ])
      const pairs = aggregate(
        { x, y },
        { measures: { n: count() }, where: { x: { gte: lo, lt: lo + 100 }, y: { in: [0, 1] } } },
      )
      let expected = 0
      for (let v = Math.max(lo, 0); v < Math.min(lo + 100, 1000); v++) if (v % 10 < 2) expected++
      expect(pairs.n).toEqual([expected])
    }
  })
})

// P7: the first query on a new table builds the key dictionary; an integer typed column is
// coded from its own integers, without a Float64Array copy of the column first.
describe('P7 integer typed key columns', () => {
  const typed = [Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array] as const
  it('P7 a dictionary straight from the integers: same groups as the same numbers in an array', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...typed),
        fc.array(fc.integer({ min: -200_000, max: 200_000 }), { maxLength: 200 }),
        fc.boolean(),
        (Kind, xs, narrow) => {
          const k = Kind.from(xs.map((x) => (narrow ? x % 100 : x)))
          const v = Float64Array.from(k, (_, i) => i)
          const want = aggregate({ k: Array.from(k), v }, { by: 'k', measures: { n: count(), s: sum('v') } })
          expect(aggregate({ k, v }, { by: 'k', measures: { n: count(), s: sum('v') } })).toEqual(want)
        },
      ),
      { numRuns: 200 },
    )
  })
  it('P7 grouping by an Int32Array key makes no Float64Array copy of it', () => {
    const k = Int32Array.from({ length: 1000 }, (_, i) => (i * 7) % 13)
    const table = { k, v: new Float64Array(1000) }
    aggregate(table, { by: 'k', measures: { n: count() } })
    expect(open(table).column('k').numeric).toBeUndefined()
  })
})
