/**
 * `bin(col, { step })` and `bin(col, { bins })`: a numeric column as group keys.
 *
 *   step  a bin per `floor(x / step) * step`, keyed by that lower edge
 *   bins  [min, max] of the whole column in `bins` equal bins, keyed by lower edge,
 *         max in the last bin; edges and the rounding at them as numpy.histogram
 *
 * Edges come from the whole column, not from the rows a `where` keeps, so a histogram's
 * bins stay put while a brush moves. Missing values (null, NaN) form a `null` group, last.
 * Codes are cached per column and spec: a brush re-bins nothing.
 */
import { AggregationError } from '../errors'
import { type Codes, type ColumnState, codesFor, MAX_GROUPS, requireNumeric } from './table'

/** A binned column, usable as `by` in `aggregate`. Make one with `bin()`. */
export interface Bin {
  readonly bin: string
  readonly step?: number
  readonly bins?: number
}

/** Bin options: a fixed width, or a number of equal bins over the column's range. */
export type BinOptions = { step: number; bins?: undefined } | { bins: number; step?: undefined }

/**
 * Groups a numeric column into bins, for histograms.
 *
 * @example
 * aggregate(flights, { by: bin('delay', { step: 10 }), measures: { n: count() } })
 * // → { delay: [-20, -10, 0, 10, ...], n: [1043, 20817, ...] }
 */
export function bin(column: string, options: BinOptions): Bin {
  const { step, bins } = options ?? ({} as BinOptions)
  if (step !== undefined && bins !== undefined) {
    throw new AggregationError('bad-spec', `bin("${column}") takes step or bins, not both`, column)
  }
  if (step !== undefined) {
    if (!(typeof step === 'number' && step > 0 && Number.isFinite(step))) {
      throw new AggregationError(
        'bad-spec',
        `bin("${column}") step must be a positive number, got ${String(step)}`,
        column,
      )
    }
    return { bin: column, step }
  }
  if (!(typeof bins === 'number' && Number.isInteger(bins) && bins >= 1)) {
    throw new AggregationError(
      'bad-spec',
      `bin("${column}") needs step, or bins as a whole number ≥ 1, got ${String(bins)}`,
      column,
    )
  }
  return { bin: column, bins }
}

/** True for what `bin()` returns. */
export const isBin = (x: unknown): x is Bin => typeof x === 'object' && x !== null && typeof (x as Bin).bin === 'string'

/** A binned column as group codes: `codes[i]` in [0, size), `key(g)` its lower edge. */
export interface BinCodes {
  /** As narrow as the bin count allows (see `Codes`). */
  readonly codes: Codes
  /** Bins of the range, plus one for missing values when there are any. */
  readonly size: number
  key(g: number): number | null
}

export function binCodes(state: ColumnState, spec: Bin): BinCodes {
  const id = spec.step !== undefined ? `s:${spec.step}` : `b:${spec.bins}`
  const hit = state.bins?.get(id) as BinCodes | undefined
  if (hit) return hit
  const values = requireNumeric(state, 'binned')
  const made = spec.step !== undefined ? byStep(state, values, spec.step) : byCount(state, values, spec.bins!)
  if (!state.bins) state.bins = new Map()
  // A few specs per column at most (a chart or two): drop the oldest beyond that.
  if (state.bins.size >= 4) state.bins.delete(state.bins.keys().next().value!)
  state.bins.set(id, made)
  return made
}

function tooMany(state: ColumnState, count: number): AggregationError {
  return new AggregationError(
    'too-many-groups',
    `bin("${state.name}") makes ${count} bins, over the limit of ${MAX_GROUPS} groups`,
    state.name,
  )
}

function byStep(state: ColumnState, values: Float64Array, step: number): BinCodes {
  const n = values.length
  const any = state.max! >= state.min!
  const first = any ? Math.floor(state.min! / step) : 0
  const count = any ? Math.floor(state.max! / step) - first + 1 : 0
  if (!(count <= MAX_GROUPS)) throw tooMany(state, count)
  // Codes run 0 … count (count: missing).
  const codes = codesFor(count, n)
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    codes[i] = v === v ? Math.floor(v / step) - first : count
  }
  return {
    codes,
    size: count + (state.hasMissing ? 1 : 0),
    key: (g) => (g < count ? (first + g) * step : null),
  }
}

function byCount(state: ColumnState, values: Float64Array, bins: number): BinCodes {
  if (bins > MAX_GROUPS) throw tooMany(state, bins)
  const n = values.length
  const codes = codesFor(bins, n)
  const any = state.max! >= state.min!
  let lo = any ? state.min! : 0
  let hi = any ? state.max! : 1
  // numpy: a column of one value gets the range [v - 0.5, v + 0.5].
  if (lo === hi) {
    lo -= 0.5
    hi += 0.5
  }
  const width = (hi - lo) / bins
  // numpy.linspace: start + i * step, with the last edge exactly the stop.
  const edges = new Float64Array(bins + 1)
  for (let e = 0; e < bins; e++) edges[e] = lo + e * width
  edges[bins] = hi
  const norm = bins / (hi - lo)
  const last = bins - 1
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (v !== v) {
      codes[i] = bins
      continue
    }
    // As numpy.histogram: scale, truncate, put max in the last bin, then fix rounding at
    // the edges by comparing with the edges themselves.
    let g = Math.trunc((v - lo) * norm)
    if (g === bins) g = last
    if (v < edges[g]!) g--
    else if (g !== last && v >= edges[g + 1]!) g++
    codes[i] = g
  }
  return {
    codes,
    size: bins + (state.hasMissing ? 1 : 0),
    key: (g) => (g < bins ? edges[g]! : null),
  }
}
