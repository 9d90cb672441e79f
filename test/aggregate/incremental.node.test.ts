/**
 * Counts under a moving brush are updated by the rows entering and leaving it
 * (src/aggregate/incremental.ts). Every step is checked against a plain loop over the rows,
 * so an update that drifts from a recount fails here.
 *
 *   table (2 000 rows): t  (integral, counting sort)   u (fractional, comparison sort)
 *                       g  group 'a'/'b'/'c'/null       w (every 7th missing)
 *   brush on t or u: dragged, widened, jumped, emptied, reversed; g ∈ {a, b} held fixed
 */
import { describe, expect, it } from 'vitest'
import { lastBrushPath } from '../../src/aggregate/incremental'
import { aggregate, bin, count, sum } from '../../src/index'

const n = 2000
const t = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000)
const u = Float64Array.from(t, (v, i) => v / 10 + (i % 3) * 0.001)
const g = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ['a', 'b', 'c'][i % 3]!))
const w = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : i))
const table = { t, u, g, w }

interface Brush {
  gte?: number
  gt?: number
  lte?: number
  lt?: number
}
const inBrush = (v: number, b: Brush) =>
  (b.gte === undefined || v >= b.gte) &&
  (b.gt === undefined || v > b.gt) &&
  (b.lte === undefined || v <= b.lte) &&
  (b.lt === undefined || v < b.lt)

/** Reference: rows and present-w counts per g (missing g as null, last), among rows passing `keep`. */
function reference(keep: (i: number) => boolean) {
  const rows = new Map<string | null, number>()
  const present = new Map<string | null, number>()
  for (let i = 0; i < n; i++) {
    if (!keep(i)) continue
    rows.set(g[i]!, (rows.get(g[i]!) ?? 0) + 1)
    if (!Number.isNaN(w[i])) present.set(g[i]!, (present.get(g[i]!) ?? 0) + 1)
  }
  const keys = (['a', 'b', 'c', null] as const).filter((k) => rows.has(k))
  return { g: keys, n: keys.map((k) => rows.get(k)), w: keys.map((k) => present.get(k) ?? 0) }
}

const path: Brush[] = [
  { gte: 100, lt: 200 },
  { gte: 110, lt: 210 }, // dragged right
  { gte: 90, lt: 190 }, // dragged left
  { gte: 50, lt: 400 }, // widened
  { gte: 60, lt: 70 }, // narrowed inside
  { gte: 800, lt: 900 }, // jumped, no overlap
  { gt: 800, lte: 900 }, // same ends, other inclusivity
  { gte: 500, lt: 500 }, // empty
  { gte: 300, lt: 350 }, // back from empty
  { gte: 350, lt: 300 }, // reversed: empty
  { gte: -10, lt: 2000 }, // everything
  { gte: 999 }, // one end open
]

describe('incremental counts under a moving brush', () => {
  it('an integral column (counting sort): every step equals a recount', () => {
    for (const brush of path) {
      const r = aggregate(table, { by: 'g', measures: { n: count(), w: count('w') }, where: { t: brush } })
      expect(r, JSON.stringify(brush)).toEqual(reference((i) => inBrush(t[i]!, brush)))
    }
  })
  it('a fractional column (comparison sort), with a fixed set clause beside it', () => {
    for (const brush of path) {
      const b = { ...brush }
      for (const k of ['gte', 'gt', 'lte', 'lt'] as const) if (b[k] !== undefined) b[k] = b[k]! / 10
      const r = aggregate(table, {
        by: 'g',
        measures: { n: count(), w: count('w') },
        where: { u: b, g: { in: ['a', 'b'] } },
      })
      expect(r, JSON.stringify(b)).toEqual(reference((i) => inBrush(u[i]!, b) && (g[i] === 'a' || g[i] === 'b')))
    }
  })
  it('histograms of another column while the brush moves, and totals without by', () => {
    for (const brush of path) {
      const hist = aggregate(table, { by: bin('u', { step: 25 }), measures: { n: count() }, where: { t: brush } })
      const ref = new Map<number, number>()
      for (let i = 0; i < n; i++)
        if (inBrush(t[i]!, brush)) ref.set(Math.floor(u[i]! / 25) * 25, (ref.get(Math.floor(u[i]! / 25) * 25) ?? 0) + 1)
      const keys = [...ref.keys()].sort((a, b) => a - b)
      expect(hist).toEqual({ u: keys, n: keys.map((k) => ref.get(k)) })
      const total = aggregate(table, { measures: { n: count() }, where: { t: brush } })
      expect(total).toEqual({ n: [Array.from(t).filter((v) => inBrush(v, brush)).length] })
    }
  })
  it('a sum is recomputed, not updated (sums would drift), and still right', () => {
    for (const brush of path.slice(0, 4)) {
      const r = aggregate(table, { measures: { s: sum('t') }, where: { t: brush } })
      expect(r).toEqual({
        s: [
          Array.from(t)
            .filter((v) => inBrush(v, brush))
            .reduce((a, v) => a + v, 0),
        ],
      })
    }
  })
  it('the same where on another table with equal columns shapes does not reuse the first one', () => {
    const other = { t: Float64Array.from(t, (v) => 999 - v), u, g, w }
    aggregate(table, { by: 'g', measures: { n: count() }, where: { t: { gte: 0, lt: 100 } } })
    const r = aggregate(other, { by: 'g', measures: { n: count() }, where: { t: { gte: 0, lt: 150 } } })
    const ref = reference((i) => other.t[i]! >= 0 && other.t[i]! < 150)
    expect(r).toEqual({ g: ref.g, n: ref.n })
  })
})

// P10: the path is chosen per brush by what it costs (src/aggregate/incremental.ts).
//   y: 20 000 rows, integers 0..999 (20 rows each); a histogram of x by y's brush.
describe('P10 each brush takes the cheapest path', () => {
  const rows = 20_000
  const make = () => {
    const y = Float64Array.from({ length: rows }, (_, i) => (i * 7919) % 1000)
    return { y, x: Float64Array.from(y, (v, i) => (v + i) % 50) }
  }
  const count20 = (t: { y: Float64Array }, lo: number, hi: number) => Array.from(t.y).filter((v) => v >= lo && v < hi)
  const ask = (t: ReturnType<typeof make>, lo: number, hi: number) =>
    aggregate(t, { measures: { n: count() }, where: { y: { gte: lo, lt: hi } } })

  it('P10 a small drag is a delta, the next move builds the tile, later moves use it', () => {
    const t = make()
    expect(ask(t, 100, 110)).toEqual({ n: [200] })
    expect(lastBrushPath()).toBe('recount') // nothing remembered yet
    expect(ask(t, 105, 115)).toEqual({ n: [200] }) // visits 100 + 100 rows of 20 000
    expect(lastBrushPath()).toBe('delta')
    expect(ask(t, 110, 120)).toEqual({ n: [200] })
    expect(lastBrushPath()).toBe('tiles')
    expect(ask(t, 0, 1000)).toEqual({ n: [count20(t, 0, 1000).length] })
    expect(lastBrushPath()).toBe('tiles')
  })

  it('P10 a jump that would visit more than a quarter of the rows recounts, and keeps the column learnt', () => {
    const t = make()
    ask(t, 0, 300)
    // Leaving [0, 300) and entering [500, 800): 12 000 visits, each 4 rows of a recount.
    expect(ask(t, 500, 800)).toEqual({ n: [6000] })
    expect(lastBrushPath()).toBe('recount')
    // The recount kept the count of moves: the second move of y builds the tile.
    expect(ask(t, 0, 300)).toEqual({ n: [6000] })
    expect(lastBrushPath()).toBe('tiles')
  })

  it('P10 a brush moving to another column starts that column over', () => {
    const t = make()
    const both = (a: number, b: number) =>
      aggregate(t, { measures: { n: count() }, where: { y: { gte: a, lt: a + 10 }, x: { gte: b, lt: b + 10 } } })
    const ref = (a: number, b: number) =>
      Array.from(t.y).filter((v, i) => v >= a && v < a + 10 && t.x[i]! >= b && t.x[i]! < b + 10).length
    both(0, 0)
    both(1, 0)
    both(2, 0)
    expect(lastBrushPath()).toBe('tiles')
    expect(both(2, 5)).toEqual({ n: [ref(2, 5)] }) // x moves: its first move is not a tile
    expect(lastBrushPath()).not.toBe('tiles')
    expect(both(2, 7)).toEqual({ n: [ref(2, 7)] })
    expect(lastBrushPath()).toBe('tiles')
    expect(both(40, 7)).toEqual({ n: [ref(40, 7)] }) // back to y: a tile under the new x
    expect(lastBrushPath()).not.toBe('tiles')
  })
})
