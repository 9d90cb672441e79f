/**
 * aggregate() against a plain reference computation, for random tables and random specs.
 *
 *   table   k  text keys, some null or undefined          (a dictionary key)
 *           n  small integers, some NaN                      (the counting path)
 *           u  doubles, nearly all distinct                   (a map of keys; > 256 groups)
 *           i  Int32Array, narrow or wide span                (integers read straight)
 *           x  integers and halves, some missing              (bins, ranges)
 *           w  integers and quarters, some missing            (measures: sums stay exact)
 *   shape   columns of plain arrays (null for missing), columns of typed arrays (NaN), or
 *           an array of row objects
 *   spec    by: none, a column, bin(step) or bin(bins); measures: a random non-empty set of
 *           count(), count(w), sum, mean, min, max; where: a random range on x (any of
 *           gte / gt / lte / lt, infinite bounds too), a random `in` set on k, a range on n
 *
 * Three specs run on each table, so the per-table caches (codes, bins, selections, the
 * brush paths) serve later queries; half the runs use the fallback loops (no `new
 * Function`). The reference is written from DESIGN's rules, not from the code: groups are
 * the keys with a selected row, sorted (numbers, then text, null last); bins by count are
 * numpy.histogram's (edges from the whole column, value v in the last bin whose edge ≤ v).
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { setFusion } from '../../src/aggregate/kernel'
import type { Measure } from '../../src/aggregate/measures'
import { aggregate, bin, count, max, mean, min, sum } from '../../src/index'

afterEach(() => setFusion(true))

type Cell = number | null
interface Row {
  k: string | null | undefined
  n: Cell
  u: number
  i: number
  x: Cell
  w: Cell
}

const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) })
const row: fc.Arbitrary<Row> = fc.record({
  k: fc.oneof(fc.constantFrom('a', 'b', 'c', 'Z', ''), fc.constant(null), fc.constant(undefined)),
  n: maybe(fc.integer({ min: -3, max: 3 })),
  u: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  i: fc.integer({ min: -5, max: 5 }),
  x: maybe(fc.integer({ min: -40, max: 80 }).map((v) => v / 2)),
  w: maybe(fc.integer({ min: -200, max: 200 }).map((v) => v / 4)),
})

type By = undefined | 'k' | 'n' | 'u' | 'i' | { step: number } | { bins: number }
const by: fc.Arbitrary<By> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<By>('k', 'n', 'u', 'i'),
  fc.constantFrom(0.5, 1, 2.5, 10, 100).map((step) => ({ step })),
  fc.integer({ min: 1, max: 12 }).map((bins) => ({ bins })),
)
const bound = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.integer({ min: -45, max: 85 }).map((v) => v / 2) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
)
const range = fc.record({ gte: bound, gt: bound, lte: bound, lt: bound })
type Range = { gte?: number | undefined; gt?: number | undefined; lte?: number | undefined; lt?: number | undefined }
interface Where {
  x?: Range | undefined
  k?: { in: (string | null | undefined)[] } | undefined
  n?: Range | undefined
}
const where: fc.Arbitrary<Where | undefined> = fc.option(
  fc.record(
    {
      x: fc.option(range, { nil: undefined }),
      k: fc.option(
        fc.subarray(['a', 'b', 'c', 'Z', '', 'none', null, undefined]).map((s) => ({ in: s })),
        {
          nil: undefined,
        },
      ),
      n: fc.option(range, { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
)
const all = { c: count(), cw: count('w'), s: sum('w'), m: mean('w'), lo: min('w'), hi: max('w') }
const measures = fc.subarray(Object.keys(all) as (keyof typeof all)[], { minLength: 1 })
const spec = fc.record({ by, measures, where })

const missing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && v !== v)
const passes = (v: unknown, r: Range) =>
  !missing(v) &&
  (r.gte === undefined || (v as number) >= r.gte) &&
  (r.gt === undefined || (v as number) > r.gt) &&
  (r.lte === undefined || (v as number) <= r.lte) &&
  (r.lt === undefined || (v as number) < r.lt)

/** numpy.histogram's edges over the whole column, and the bin of each value. */
function histogramBins(xs: Cell[], bins: number): (v: number) => number {
  const present = xs.filter((v): v is number => !missing(v))
  let lo = present.length ? Math.min(...present) : 0
  let hi = present.length ? Math.max(...present) : 1
  if (lo === hi) {
    lo -= 0.5
    hi += 0.5
  }
  const edges = Array.from({ length: bins + 1 }, (_, e) => (e === bins ? hi : lo + e * ((hi - lo) / bins)))
  return (v) => {
    let g = 0
    for (let e = 0; e < bins; e++) if (edges[e]! <= v) g = e
    return edges[g]!
  }
}

const order = (a: unknown, b: unknown) => {
  const rank = (v: unknown) => (v === null ? 2 : typeof v === 'number' ? 0 : 1)
  return rank(a) - rank(b) || (a! < b! ? -1 : a! > b! ? 1 : 0)
}

function reference(rows: Row[], s: { by: By; measures: (keyof typeof all)[]; where: Where | undefined }) {
  const sel = rows.filter(
    (r) =>
      (!s.where?.x || passes(r.x, s.where.x)) &&
      (!s.where?.n || passes(r.n, s.where.n)) &&
      (!s.where?.k || s.where.k.in.some((v) => (missing(v) ? missing(r.k) : v === r.k))),
  )
  const keyOf: (r: Row) => unknown =
    s.by === undefined
      ? () => 'all'
      : typeof s.by === 'string'
        ? (
            (name) => (r: Row) =>
              missing(r[name]) ? null : r[name]
          )(s.by)
        : 'step' in s.by
          ? (
              (step) => (r: Row) =>
                missing(r.x) ? null : Math.floor(r.x! / step) * step
            )(s.by.step)
          : (
              (edge) => (r: Row) =>
                missing(r.x) ? null : edge(r.x!)
            )(
              histogramBins(
                rows.map((r) => r.x),
                s.by.bins,
              ),
            )
  const groups = new Map<unknown, Row[]>()
  if (s.by === undefined && rows.length > 0) groups.set('all', [])
  for (const r of sel) {
    const key = keyOf(r)
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key)!.push(r)
  }
  const keys = [...groups.keys()].sort(order)
  const out: Record<string, unknown[]> = {}
  if (s.by !== undefined) out[typeof s.by === 'string' ? s.by : 'x'] = keys
  for (const name of s.measures) {
    out[name] = keys.map((key) => {
      const ws = groups
        .get(key)!
        .map((r) => r.w)
        .filter((v): v is number => !missing(v))
      const total = ws.reduce((a, b) => a + b, 0)
      switch (name) {
        case 'c':
          return groups.get(key)!.length
        case 'cw':
          return ws.length
        case 's':
          return total
        case 'm':
          return ws.length ? total / ws.length : null
        case 'lo':
          return ws.length ? Math.min(...ws) : null
        case 'hi':
          return ws.length ? Math.max(...ws) : null
      }
    })
  }
  return out
}

type Shape = 'arrays' | 'typed' | 'rows'
function tableOf(rows: Row[], shape: Shape, wide: boolean): unknown {
  const ints = rows.map((r) => (wide ? r.i * 100_003 : r.i))
  if (shape === 'rows') return rows.map((r, j) => ({ ...r, i: ints[j] }))
  const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k])
  if (shape === 'arrays') return { k: col('k'), n: col('n'), u: col('u'), i: ints, x: col('x'), w: col('w') }
  const f64 = (k: 'n' | 'x' | 'w') => Float64Array.from(rows, (r) => (missing(r[k]) ? NaN : r[k]!))
  return {
    k: col('k'),
    n: f64('n'),
    u: Float64Array.from(col('u')),
    i: Int32Array.from(ints),
    x: f64('x'),
    w: f64('w'),
  }
}

describe('aggregate against a reference group-by', () => {
  it('random tables, three random specs each, fused kernels and fallback loops alike', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 300 }),
        fc.constantFrom<Shape>('arrays', 'typed', 'rows'),
        fc.boolean(),
        fc.boolean(),
        fc.array(spec, { minLength: 3, maxLength: 3 }),
        (rows, shape, wide, fused, specs) => {
          setFusion(fused)
          const table = tableOf(rows, shape, wide)
          const widened = wide ? rows.map((r) => ({ ...r, i: r.i * 100_003 })) : rows
          for (const s of specs) {
            const got = aggregate(table as never, {
              by: s.by === undefined || typeof s.by === 'string' ? s.by : bin('x', s.by as never),
              measures: Object.fromEntries(s.measures.map((m) => [m, all[m] as Measure])),
              where: s.where as never,
            })
            expect(got).toEqual(reference(widened, s))
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})
