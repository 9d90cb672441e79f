/**
 * P10: the three ways a brush is answered (src/aggregate/incremental.ts, tiles.ts) give the
 * same counts as a plain loop, for random tables and random brush sequences.
 *
 *   table   y  the brushed column: integers, or a few fractions, some missing (NaN)
 *           x  a histogram's column (bin step 3), some missing → a null bin
 *           k  text keys with nulls (a `by` of a dictionary column)
 *           z  a second, fixed range clause beside the brush (or none)
 *
 *   brushes: dragged by a little (sweep), jumped anywhere, empty (lo > hi, or between two
 *   values), full (no ends), ends exactly on values present (bin edges), gt/lte mixed.
 *
 * Each sequence runs four times on its own copy of the table (the caches are per column
 * array): forced recount, forced delta, forced tiles, and the cost model; every step of
 * every run is compared with the loop, and the forced runs must have taken their path.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { type BrushPath, lastBrushPath, setBrushPath } from '../../src/aggregate/incremental'
import { aggregate, bin, count, type Range } from '../../src/index'

afterEach(() => setBrushPath(undefined))

interface Data {
  y: Float64Array
  x: Float64Array
  k: (string | null)[]
  z: Float64Array
}

const data = (fractional: boolean) =>
  fc
    .integer({ min: 1, max: 300 })
    .chain((n) =>
      fc.record({
        y: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -20, max: 40 }) }, fc.constant(NaN)), {
          minLength: n,
          maxLength: n,
        }),
        x: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 50 }) }, fc.constant(NaN)), {
          minLength: n,
          maxLength: n,
        }),
        k: fc.array(fc.constantFrom('a', 'b', 'c', null), { minLength: n, maxLength: n }),
        z: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
      }),
    )
    .map(
      (r): Data => ({
        y: Float64Array.from(r.y, (v) => (fractional && v === v ? v / 4 : v)),
        x: Float64Array.from(r.x),
        k: r.k,
        z: Float64Array.from(r.z),
      }),
    )

/** A brush: a small move of the last one, or a jump, an empty one, a full one, odd ends. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('sweep' as const), by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({
    kind: fc.constant('jump' as const),
    lo: fc.integer({ min: -25, max: 45 }),
    width: fc.integer({ min: -5, max: 40 }),
    ends: fc.constantFrom('gte-lt', 'gt-lte', 'gte-lte', 'gte', 'lt'),
  }),
  fc.constant({ kind: 'full' as const }),
  fc.constant({ kind: 'empty' as const }),
)
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never

function brushes(steps: Step[], scale: number): Range[] {
  let lo = 0
  let hi = 10
  return steps.map((s): Range => {
    if (s.kind === 'full') return { gte: -Infinity }
    if (s.kind === 'empty') return { gte: 7 * scale, lt: 7 * scale }
    if (s.kind === 'sweep') {
      lo += s.by
      hi += s.by
      return { gte: lo * scale, lt: hi * scale }
    }
    lo = s.lo
    hi = s.lo + s.width
    const [a, b] = [lo * scale, hi * scale]
    return s.ends === 'gte-lt'
      ? { gte: a, lt: b }
      : s.ends === 'gt-lte'
        ? { gt: a, lte: b }
        : s.ends === 'gte-lte'
          ? { gte: a, lte: b }
          : s.ends === 'gte'
            ? { gte: a }
            : { lt: b }
  })
}

const inRange = (v: number, r: Range) =>
  (r.gte === undefined || v >= r.gte) &&
  (r.gt === undefined || v > r.gt) &&
  (r.lte === undefined || v <= r.lte) &&
  (r.lt === undefined || v < r.lt)

/** The loop: counts per x bin and per k under the brush on y and the fixed clause on z. */
function reference(d: Data, brush: Range, fixed: Range | undefined) {
  const byX = new Map<number | null, number>()
  const byK = new Map<string | null, number>()
  let total = 0
  for (let i = 0; i < d.y.length; i++) {
    if (!inRange(d.y[i]!, brush) || (fixed && !inRange(d.z[i]!, fixed))) continue
    const xb = Number.isNaN(d.x[i]) ? null : Math.floor(d.x[i]! / 3) * 3
    byX.set(xb, (byX.get(xb) ?? 0) + 1)
    byK.set(d.k[i]!, (byK.get(d.k[i]!) ?? 0) + 1)
    total++
  }
  const xs = [...byX.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b))
  const ks = (['a', 'b', 'c', null] as const).filter((k) => byK.has(k))
  return {
    x: { x: xs, n: xs.map((v) => byX.get(v)) },
    k: { k: ks, n: ks.map((v) => byK.get(v)) },
    total: { n: [total] },
  }
}

/** Runs every brush on a fresh copy of `d` under one path; returns the paths taken. */
function run(d: Data, list: Range[], fixed: Range | undefined, path: Exclude<BrushPath, 'same'> | undefined) {
  const table = { y: d.y.slice(), x: d.x.slice(), k: [...d.k], z: d.z.slice() }
  setBrushPath(path)
  const taken: (BrushPath | undefined)[] = []
  for (const brush of list) {
    const where = fixed ? { y: brush, z: fixed } : { y: brush }
    const want = reference(d, brush, fixed)
    const hx = aggregate(table, { by: bin('x', { step: 3 }), measures: { n: count() }, where })
    taken.push(lastBrushPath())
    expect(hx, `x under ${JSON.stringify(brush)} (${path})`).toEqual(want.x)
    const hk = aggregate(table, { by: 'k', measures: { n: count() }, where })
    expect(hk, `k under ${JSON.stringify(brush)} (${path})`).toEqual(want.k)
    const total = aggregate(table, { measures: { n: count() }, where })
    expect(total, `total under ${JSON.stringify(brush)} (${path})`).toEqual(want.total)
  }
  return taken
}

const fixedClause = fc.option(fc.record({ gte: fc.integer({ min: 0, max: 5 }), lt: fc.integer({ min: 3, max: 10 }) }), {
  nil: undefined,
})

describe('P10 brush paths: tiles, delta and recount agree with a loop', () => {
  for (const fractional of [false, true]) {
    it(`P10 random ${fractional ? 'fractional' : 'integral'} column, random brush sequences`, () => {
      fc.assert(
        fc.property(data(fractional), fc.array(step, { minLength: 1, maxLength: 12 }), fixedClause, (d, s, fixed) => {
          const list = brushes(s, fractional ? 0.25 : 1)
          const moved = list.map((b, i) => i > 0 && JSON.stringify(b) !== JSON.stringify(list[i - 1]))
          const pathsOf = (path: Exclude<BrushPath, 'same'>) =>
            run(d, list, fixed, path).filter((_, i) => moved[i] && fcKey(list[i]!) !== fcKey(list[i - 1]!))
          // Forced paths are taken on every move (ranges whose keys differ).
          for (const p of ['recount', 'delta', 'tiles'] as const) {
            for (const taken of pathsOf(p)) expect(taken).toBe(p)
          }
          run(d, list, fixed, undefined)
        }),
        { numRuns: 60 },
      )
    })
  }

  it('P10 bin edges: brush ends exactly on values, both inclusivities, never off by one', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => i % 20)
    const d: Data = { y, x: Float64Array.from(y, (v) => v * 2), k: Array.from(y, () => 'a'), z: y.slice() }
    const list: Range[] = []
    for (let a = -1; a <= 20; a++) list.push({ gte: a, lt: a + 5 }, { gt: a, lte: a + 5 }, { gte: a, lte: a })
    for (const p of ['recount', 'delta', 'tiles', undefined] as const) run(d, list, undefined, p)
  })
})

/** The where key the caches use: two ranges with the same key are the same query. */
function fcKey(r: Range): string {
  return JSON.stringify(r, (_, v: unknown) => (typeof v === 'number' ? String(v) : v))
}
