/** downsample(): Largest-Triangle-Three-Buckets, first and last kept, n points out. */
import { describe, expect, it } from 'vitest'
import { downsample } from '../../src/index'

describe('downsample (LTTB)', () => {
  it('worked by hand on seven points down to four', () => {
    // x 0..6, y 0 1 0 5 0 1 0; n 4 → two buckets between the ends, every = 5 / 2 = 2.5
    //   bucket 1: rows 1, 2; next bucket rows 3..5 average (4, 2); from (0, 0):
    //     row 1 (1, 1): |(0-4)(1-0) - (0-1)(2-0)| = 2;  row 2 (2, 0): |0 - (-2)(2)| = 4 → row 2
    //   bucket 2: rows 3..5; next is the last point (6, 0); from (2, 0):
    //     row 3 (3, 5): |(2-6)(5) - 0| = 20; row 4: 0; row 5 (5, 1): 4 → row 3
    const t = { x: [0, 1, 2, 3, 4, 5, 6], y: [0, 1, 0, 5, 0, 1, 0] }
    expect(downsample(t, { x: 'x', y: 'y', n: 4 })).toEqual({ x: [0, 2, 3, 6], y: [0, 0, 5, 0] })
  })
  it('a long series: n points, first and last kept, a lone spike survives', () => {
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i)
    const y = Float64Array.from(x, (i) => Math.sin(i / 500))
    y[4321] = 50
    const r = downsample({ x, y }, { x: 'x', y: 'y', n: 100 })
    expect(r.x).toHaveLength(100)
    expect(r.x[0]).toBe(0)
    expect(r.x[99]).toBe(9999)
    expect(r.x).toContain(4321)
    // x stays ascending: one point per bucket, buckets in order
    expect(r.x.every((v, i) => i === 0 || v > r.x[i - 1]!)).toBe(true)
  })
  it('n at or above the length returns every point; missing points are left out; tiny n', () => {
    const t = { x: [0, 1, 2, 3], y: [1, null, 3, 4] }
    expect(downsample(t, { x: 'x', y: 'y', n: 10 })).toEqual({ x: [0, 2, 3], y: [1, 3, 4] })
    expect(downsample(t, { x: 'x', y: 'y', n: 2 })).toEqual({ x: [0, 3], y: [1, 4] })
    expect(downsample(t, { x: 'x', y: 'y', n: 0 })).toEqual({ x: [], y: [] })
    expect(() => downsample(t, { x: 'x', y: 'y', n: 1.5 })).toThrow(/whole number/)
  })
})
