/**
 * What the aggregation caches hold beside a table, in bytes (src/aggregate/memory.ts), and
 * that they cost less than the data (issue 13: 53 bytes per row, 20 of data).
 *
 *   table (100 000 rows): y  integral 0..99 (the brushed column)
 *                         a  0..99   → bin step 1:  100 bins  (1 byte per row)
 *                         b  0..999  → bin step 1: 1000 bins  (2 bytes per row)
 *
 *   caches per row     bin codes 1 + 2, ranks of y 1 (100 keys), sorted index of y 4,
 *                      the tile of a by y (101 × 100 cells), remembered selections
 */
import { describe, expect, it } from 'vitest'
import { setBrushPath } from '../../src/aggregate/incremental'
import { cacheBytes } from '../../src/aggregate/memory'
import { aggregate, bin, count, sum } from '../../src/index'

const n = 100_000
const make = () => ({
  y: Float64Array.from({ length: n }, (_, i) => (i * 7) % 100),
  a: Float64Array.from({ length: n }, (_, i) => (i * 13) % 100),
  b: Float64Array.from({ length: n }, (_, i) => (i * 17) % 1000),
})

describe('cache memory', () => {
  it('M1 bin codes take 1 byte per row up to 256 bins, 2 up to 65 536', () => {
    const t = make()
    aggregate(t, { by: bin('a', { step: 1 }), measures: { n: count() } })
    expect(cacheBytes(t).bins).toBe(n)
    aggregate(t, { by: bin('b', { step: 1 }), measures: { n: count() } })
    expect(cacheBytes(t).bins).toBe(n + 2 * n)
  })

  it('M4 key codes take 1 byte per row up to 255 keys (and missing), 2 up to 65 535', () => {
    const t = make()
    const text = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `k${i % 300}`))
    const u = { ...t, text, k: Int32Array.from(t.b) }
    aggregate(u, { by: 'y', measures: { n: count() } }) // 100 integral keys, from a Float64Array
    expect(cacheBytes(u).dict).toBe(n)
    aggregate(u, { by: 'k', measures: { n: count() } }) // 1000 integral keys, from an Int32Array
    expect(cacheBytes(u).dict).toBe(n + 2 * n)
    const r = aggregate(u, { by: 'text', measures: { n: count() } }) // 240 strings and null
    expect(cacheBytes(u).dict).toBe(n + 2 * n + n)
    expect((r.text as unknown[]).length).toBe(241)
    expect((r.n as number[]).at(-1)).toBe(n / 5)
  })

  it('M5 remembered selections hold at most one table of row indices, plus the spare buffer', () => {
    const t = make()
    // Four wheres of 60 % of the rows each, asked in turn (each selection a view over a
    // buffer of n indices; a sum, so no brush state answers instead): before, all four
    // buffers stayed remembered.
    for (let k = 0; k < 4; k++) {
      aggregate(t, { by: bin('a', { step: 1 }), measures: { s: sum('b') }, where: { y: { gte: k, lt: 60 + k } } })
    }
    expect(cacheBytes(t).selections).toBeLessThanOrEqual(2 * 4 * n)
    // Asked again, the last where is still remembered (same counts, from the kept selection).
    const again = aggregate(t, { measures: { s: sum('b') }, where: { y: { gte: 3, lt: 63 } } })
    let want = 0
    for (let i = 0; i < n; i++) if (t.y[i]! >= 3 && t.y[i]! < 63) want += t.b[i]!
    expect(again).toEqual({ s: [want] })
  })

  it('M2 the sorted index of a brushed column is its row order only: 4 bytes per row', () => {
    const t = make()
    setBrushPath('delta')
    try {
      aggregate(t, { by: bin('a', { step: 1 }), measures: { n: count() }, where: { y: { gte: 0, lt: 10 } } })
      const moved = aggregate(t, {
        by: bin('a', { step: 1 }),
        measures: { n: count() },
        where: { y: { gte: 5, lt: 15 } },
      })
      const want = new Map<number, number>()
      for (let i = 0; i < n; i++) if (t.y[i]! >= 5 && t.y[i]! < 15) want.set(t.a[i]!, (want.get(t.a[i]!) ?? 0) + 1)
      const keys = [...want.keys()].sort((x, z) => x - z)
      expect(moved).toEqual({ a: keys, n: keys.map((k) => want.get(k)) })
    } finally {
      setBrushPath(undefined)
    }
    expect(cacheBytes(t).sorted).toBe(4 * n)
  })

  it('M3 under a dragged brush (P10 shape) the caches cost less than the data', () => {
    const t = make()
    for (let lo = 0; lo < 60; lo += 5) {
      for (const c of ['a', 'b'] as const) {
        aggregate(t, { by: bin(c, { step: 1 }), measures: { n: count() }, where: { y: { gte: lo, lt: lo + 40 } } })
      }
    }
    const bytes = cacheBytes(t)
    expect(bytes.data).toBe(3 * 8 * n)
    expect(bytes.total).toBeLessThan(bytes.data)
  })
})
