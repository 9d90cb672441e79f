/**
 * bin(): step bins keyed by floor(x / step) * step; count bins split [min, max] as
 * numpy.histogram does, max in the last bin, rounding at the edges included.
 */
import { describe, expect, it } from 'vitest'
import { aggregate, bin, count, sum } from '../../src/index'

describe('bin: step', () => {
  it('keys each bin by its lower edge floor(x / step) * step', () => {
    // x: -7 → -10, -1 → -10, 0 → 0, 9.99 → 0, 10 → 10, 25 → 20
    const t = { x: [-7, -1, 0, 9.99, 10, 25], w: [1, 2, 3, 4, 5, 6] }
    expect(aggregate(t, { by: bin('x', { step: 10 }), measures: { n: count(), w: sum('w') } })).toEqual({
      x: [-10, 0, 10, 20],
      n: [2, 2, 1, 1],
      w: [3, 7, 5, 6],
    })
  })
  it('missing values form a null bin, last', () => {
    expect(aggregate({ x: [1, null, 12, NaN] }, { by: bin('x', { step: 5 }), measures: { n: count() } })).toEqual({
      x: [0, 10, null],
      n: [1, 1, 2],
    })
  })
})

describe('bin: bins (as numpy.histogram)', () => {
  it('[0, 1, 2, 3, 4, 10] in 5 bins: edges 0 2 4 6 8 10, the max in the last, empty bins absent', () => {
    // [0,2): 0, 1   [2,4): 2, 3   [4,6): 4   [6,8): none   [8,10]: 10
    expect(aggregate({ x: [0, 1, 2, 3, 4, 10] }, { by: bin('x', { bins: 5 }), measures: { n: count() } })).toEqual({
      x: [0, 2, 4, 8],
      n: [2, 2, 1, 1],
    })
  })
  it('rounding at the edges as numpy: 0, 0.1, …, 1.0 in 10 bins', () => {
    // numpy.histogram([0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1.], bins=10)
    //   → [1, 1, 2, 0, 1, 2, 1, 0, 1, 2]: the edge 3 * 0.1 = 0.30000000000000004 is above 0.3,
    //   so 0.3 falls in the bin below; likewise 0.7 (edge 0.7000000000000001).
    const x = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    const r = aggregate({ x }, { by: bin('x', { bins: 10 }), measures: { n: count() } })
    const edges = Array.from({ length: 10 }, (_, i) => i * 0.1)
    const numpy = [1, 1, 2, 0, 1, 2, 1, 0, 1, 2]
    expect(r).toEqual({ x: edges.filter((_, i) => numpy[i]! > 0), n: numpy.filter((c) => c > 0) })
  })
  it('a column of one value: range v ± 0.5, as numpy', () => {
    // numpy.histogram([3, 3, 3], bins=4) → counts [0, 0, 3, 0], edges [2.5, 2.75, 3, 3.25, 3.5]
    expect(aggregate({ x: [3, 3, 3] }, { by: bin('x', { bins: 4 }), measures: { n: count() } })).toEqual({
      x: [3],
      n: [3],
    })
  })
  it('edges come from the whole column, so a where does not move them', () => {
    // x 0..10 in 2 bins: edges 0, 5, 10. where x <= 4 keeps 0..4, all in the bin at 0.
    const x = Array.from({ length: 11 }, (_, i) => i)
    expect(aggregate({ x }, { by: bin('x', { bins: 2 }), measures: { n: count() }, where: { x: { lte: 4 } } })).toEqual(
      {
        x: [0],
        n: [5],
      },
    )
  })
})
