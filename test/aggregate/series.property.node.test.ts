/**
 * downsample() and topK() against plain reference computations, for random tables.
 *
 *   downsample   a straight transcription of Largest-Triangle-Three-Buckets (Steinarsson
 *                2013, section 4.2): points with a missing coordinate dropped first, then
 *                buckets of (m - 2) / (n - 2) points, each picking the point of largest
 *                triangle with the point kept before it and the mean of the next bucket.
 *   topK         a stable sort of the rows with the value present, largest first, cut to k.
 *
 * The tables are small (up to 80 rows) with many equal values and missing ones, so ties,
 * heap sift-downs and bucket edges are all reached; a `where` clause narrows some runs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { downsample, topK } from '../../src/index'

const cell = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -6, max: 6 }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 1, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
)

/** LTTB as the paper states it, on the kept points (x, y): indices into them. */
function referenceLttb(x: number[], y: number[], n: number): number[] {
  const m = x.length
  if (n >= m) return x.map((_, i) => i)
  if (n === 0) return []
  if (n === 1) return [0]
  if (n === 2) return [0, m - 1]
  const size = (m - 2) / (n - 2)
  const kept = [0]
  let a = 0
  for (let bucket = 0; bucket < n - 2; bucket++) {
    // The next bucket's mean: the last point alone after the last bucket.
    const nextFrom = Math.floor((bucket + 1) * size) + 1
    const nextTo = Math.min(Math.floor((bucket + 2) * size) + 1, m)
    let sx = 0
    let sy = 0
    for (let i = nextFrom; i < nextTo; i++) {
      sx += x[i]!
      sy += y[i]!
    }
    const cx = sx / (nextTo - nextFrom)
    const cy = sy / (nextTo - nextFrom)
    let best = -1
    let bestArea = -Infinity
    for (let i = Math.floor(bucket * size) + 1; i < Math.floor((bucket + 1) * size) + 1; i++) {
      // Twice the triangle's area (a, i, c); the first largest wins.
      const area = Math.abs((x[a]! - cx) * (y[i]! - y[a]!) - (x[a]! - x[i]!) * (cy - y[a]!))
      if (area > bestArea) {
        bestArea = area
        best = i
      }
    }
    kept.push(best)
    a = best
  }
  kept.push(m - 1)
  return kept
}

describe('downsample against the LTTB reference', () => {
  it('random series, random n, with and without where: the same points in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, fc.integer({ min: 0, max: 3 })), { maxLength: 120 }),
        fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 3, max: 12 })),
        fc.boolean(),
        // plain; tiny (every triangle's area under 1); flat (y of 0 or 1: many equal areas)
        fc.constantFrom('plain', 'tiny', 'flat'),
        (rows, n, filtered, kind) => {
          const y = (v: number) => (kind === 'tiny' ? v / 1000 : kind === 'flat' ? Math.abs(v) % 2 : v)
          const ys = rows.map((r) => y(r[0]))
          // x ascending (a time series: downsample takes x as sorted): the running index.
          const table = { t: rows.map((_, i) => i), v: ys, g: rows.map((r) => r[1]) }
          const where = filtered ? { g: { gte: 1 } } : undefined
          const keep = rows.flatMap((r, i) => (r[0] === r[0] && (!filtered || r[1] >= 1) ? [i] : []))
          const want = referenceLttb(
            keep,
            keep.map((i) => ys[i]!),
            n,
          ).map((j) => keep[j]!)
          const got = downsample(table, { x: 't', y: 'v', n, where })
          expect(got).toEqual({ x: want, y: want.map((i) => ys[i]) })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('x values that are not the row index: the triangle uses x, and a missing x drops the point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, cell), { minLength: 3, maxLength: 60 }),
        fc.integer({ min: 3, max: 20 }),
        (rows, n) => {
          // x strictly ascending but unevenly spaced; some x missing.
          let at = 0
          const xs = rows.map((r) => (r[1] !== r[1] ? NaN : (at += 1 + Math.abs(r[1]))))
          const ys = rows.map((r) => r[0])
          const keep = rows.flatMap((_, i) => (xs[i] === xs[i] && ys[i] === ys[i] ? [i] : []))
          const want = referenceLttb(
            keep.map((i) => xs[i]!),
            keep.map((i) => ys[i]!),
            n,
          ).map((j) => keep[j]!)
          expect(downsample({ x: xs, y: ys }, { x: 'x', y: 'y', n })).toEqual({
            x: want.map((i) => xs[i]),
            y: want.map((i) => ys[i]),
          })
        },
      ),
    )
  })

  it('a bad n is refused by name, whatever it is; a text column is refused by name and role', () => {
    for (const n of [-1, 1.5, NaN, Infinity, -Infinity]) {
      expect(() => downsample({ x: [1, 2], y: [1, 2] }, { x: 'x', y: 'y', n })).toThrow(
        expect.objectContaining({
          code: 'bad-spec',
          column: 'y',
          message: `downsample of "y" needs n as a whole number ≥ 0, got ${String(n)}`,
        }),
      )
    }
    const text = { t: [1, 2], s: ['a', 'b'] }
    expect(() => downsample(text, { x: 's', y: 't', n: 1 })).toThrow(
      'column "s" is not numeric, so it cannot be a downsample x',
    )
    expect(() => downsample(text, { x: 't', y: 's', n: 1 })).toThrow(
      'column "s" is not numeric, so it cannot be a downsample y',
    )
  })
})

describe('topK against a stable sort', () => {
  it('random columns, random k, with and without where and columns: the same rows in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, fc.integer({ min: 0, max: 3 })), { maxLength: 200 }),
        // any k, and small ones over long columns: the heap is full and sifts down often
        fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: 8 })),
        fc.boolean(),
        fc.boolean(),
        (rows, k, filtered, narrow) => {
          const table = { v: rows.map((r) => r[0]), g: rows.map((r) => r[1]), id: rows.map((_, i) => `r${i}`) }
          const order = rows
            .map((r, i) => ({ v: r[0], i, g: r[1] }))
            .filter((r) => r.v === r.v && (!filtered || r.g >= 1))
            .sort((a, b) => b.v - a.v || a.i - b.i)
            .slice(0, k)
          const where = filtered ? { g: { gte: 1 } } : undefined
          const got = topK(table, k, 'v', narrow ? { where, columns: ['id'] } : { where })
          const ids = order.map((r) => `r${r.i}`)
          if (narrow) expect(got).toEqual({ id: ids })
          else expect(got).toEqual({ v: order.map((r) => r.v), g: order.map((r) => r.g), id: ids })
        },
      ),
    )
  })

  it('a missing cell of another column comes back as null, not NaN or undefined', () => {
    const t = { v: [5, 4, 3], a: [NaN, 1, 2], b: [undefined, 'x', null] }
    expect(topK(t, 3, 'v')).toEqual({ v: [5, 4, 3], a: [null, 1, 2], b: [null, 'x', null] })
  })

  it('a bad k is refused by name, whatever it is; a text column is refused by name', () => {
    for (const k of [-1, 0.5, NaN, Infinity]) {
      expect(() => topK({ v: [1] }, k, 'v')).toThrow(
        expect.objectContaining({
          code: 'bad-spec',
          column: 'v',
          message: `topK on "v" needs k as a whole number ≥ 0, got ${String(k)}`,
        }),
      )
    }
    expect(() => topK({ s: ['a'] }, 1, 's')).toThrow('column "s" is not numeric, so it cannot be ranked by topK')
  })
})
