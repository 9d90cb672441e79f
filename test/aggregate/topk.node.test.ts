/** topK(): the k rows with the largest column, largest first, ties in row order. */
import { describe, expect, it } from 'vitest'
import { AggregationError, topK } from '../../src/index'

//  row  v    name
//   0   3    a
//   1   9    b
//   2   NaN  c
//   3   9    d
//   4   1    e
//   5   7    f
const t = { v: [3, 9, NaN, 9, 1, 7], name: ['a', 'b', 'c', 'd', 'e', 'f'] }

describe('topK', () => {
  it('largest first; equal values keep row order; every column kept', () => {
    expect(topK(t, 3, 'v')).toEqual({ v: [9, 9, 7], name: ['b', 'd', 'f'] })
  })
  it('missing values are never picked, so k past the rest gives what there is', () => {
    expect(topK(t, 10, 'v')).toEqual({ v: [9, 9, 7, 3, 1], name: ['b', 'd', 'f', 'a', 'e'] })
  })
  it('k = 0 gives empty columns; where and columns narrow it', () => {
    expect(topK(t, 0, 'v')).toEqual({ v: [], name: [] })
    // among rows with v < 9: 7 (f), 3 (a)
    expect(topK(t, 2, 'v', { where: { v: { lt: 9 } }, columns: ['name'] })).toEqual({ name: ['f', 'a'] })
  })
  it('bigint columns (Arrow Int64, timestamps) come back as numbers', () => {
    const t = { id: BigInt64Array.from([10n, 20n, 30n]), v: [1, 3, 2] }
    expect(topK(t, 2, 'v')).toEqual({ id: [20, 30], v: [3, 2] })
    expect(topK(t, 1, 'id')).toEqual({ id: [30], v: [2] })
  })
  it('rows of objects and a bad k', () => {
    const rows = [
      { id: 1, s: 5 },
      { id: 2, s: 8 },
      { id: 3, s: 6 },
    ]
    expect(topK(rows, 2, 's')).toEqual({ id: [2, 3], s: [8, 6] })
    expect(() => topK(rows, -1, 's')).toThrow(AggregationError)
    expect(() => topK(rows, 1, 'nope')).toThrow(/"nope"/)
  })
})
