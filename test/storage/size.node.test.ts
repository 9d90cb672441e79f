/**
 * The one size estimator (issue 12 §3): inspect()'s store bytes, profiled callbacks' bytes
 * in and out, a worker's handles and the pool's bytes to main all use `sizeOf`, so the two
 * threads and the two modes of the dev panel agree. Exact where the size is computable;
 * long arrays and big objects are measured on an evenly spread sample and extrapolated.
 */
import { describe, expect, it } from 'vitest'
import { sizeOf } from '../../src/storage/size'
import { describe as describeValue } from '../../src/worker/handle'

/** One row of the 5,000-row case: 16 (object) + keys 2·(1+4+2) + 8 + 2·6 + 4 = 54 bytes. */
const row = (i: number) => ({ i, name: `row ${String(i % 10)}`, ok: i % 2 === 0 })
const ROW = 16 + 2 * (1 + 4 + 2) + 8 + 2 * 'row 0'.length + 4

describe('sizeOf: exact where computable', () => {
  it('primitives: numbers and bigints 8, booleans 4, strings 2 per UTF-16 unit, null and undefined 0', () => {
    expect([
      sizeOf(1.5),
      sizeOf(10n),
      sizeOf(true),
      sizeOf('abc'),
      sizeOf(''),
      sizeOf(null),
      sizeOf(undefined),
    ]).toEqual([8, 8, 4, 6, 0, 0, 0])
    expect(sizeOf('é😀')).toBe(2 * 3)
  })

  it('buffers by byteLength: typed arrays, DataViews, ArrayBuffers, whatever their length', () => {
    expect(sizeOf(new Float64Array(1000))).toBe(8000)
    expect(sizeOf(new Uint8Array(5_000_000))).toBe(5_000_000)
    expect(sizeOf(new DataView(new ArrayBuffer(24), 8, 4))).toBe(4)
    expect(sizeOf(new ArrayBuffer(3))).toBe(3)
  })

  it('arrays and plain objects: 16 each, plus their items, keys (2 per unit) and values', () => {
    expect(sizeOf([])).toBe(16)
    expect(sizeOf([1, 'ab', true])).toBe(16 + 8 + 4 + 4)
    expect(sizeOf({})).toBe(16)
    expect(sizeOf({ a: 1, bc: 'x' })).toBe(16 + 2 + 8 + 4 + 2)
    expect(sizeOf({ x: new Float64Array(10), y: [1, 2] })).toBe(16 + 2 + 80 + 2 + 16 + 16)
    expect(sizeOf(row(3))).toBe(ROW)
  })

  it('Maps and Sets count their entries; Dates 8', () => {
    expect(sizeOf(new Map([['ab', 1]]))).toBe(16 + 4 + 8)
    expect(sizeOf(new Set([1, 2, 3]))).toBe(16 + 24)
    expect(sizeOf(new Date(0))).toBe(8)
  })

  it('the 5,000-row case: every row counted (it stopped at 1,000 before), the same on both threads', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i))
    expect(sizeOf(rows)).toBe(16 + 5000 * ROW)
    expect(describeValue(rows).bytes).toBe(sizeOf(rows))
  })

  it('long arrays of numbers and big objects: exact when their items are alike', () => {
    expect(sizeOf(Array.from({ length: 10_000 }, () => 1))).toBe(16 + 80_000)
    const wide = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`k${String(i % 10)}`.padEnd(4, '_') + String(i).padStart(4, '0'), 1]),
    )
    // 3,000 keys of 8 units each, a number each.
    expect(sizeOf(wide)).toBe(16 + 3000 * (16 + 8))
  })
})

describe('sizeOf: bounded', () => {
  it('a long array of unlike items is estimated from an evenly spread sample, not its first items', () => {
    // The first half small strings, the second half long ones: a head-only sample says 1/11 of it.
    const xs = Array.from({ length: 20_000 }, (_, i) => (i < 10_000 ? 'a' : 'a'.repeat(21)))
    const exact = 16 + 10_000 * 2 + 10_000 * 42
    expect(Math.abs(sizeOf(xs) - exact) / exact).toBeLessThan(0.05)
  })

  it('deep and cyclic values end: a cycle counts once per level until the depth limit', () => {
    const a: Record<string, unknown> = { n: 1 }
    a.self = a
    const n = sizeOf(a)
    expect(Number.isFinite(n)).toBe(true)
    expect(n).toBeGreaterThan(16)
    let deep: unknown = 1
    for (let i = 0; i < 10_000; i++) deep = [deep]
    expect(Number.isFinite(sizeOf(deep))).toBe(true)
  })
})
