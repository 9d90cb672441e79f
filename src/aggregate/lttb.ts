/**
 * `downsample(table, { x, y, n })`: Largest-Triangle-Three-Buckets (Steinarsson, 2013).
 * Keeps the first and last points and, from each of n - 2 equal buckets in between, the
 * point making the largest triangle with the point kept before it and the mean of the
 * next bucket. A long series keeps its peaks and troughs at a size a chart can draw.
 *
 * Rows where x or y is missing are left out first. x is taken as sorted ascending (a time
 * series); it is not sorted here.
 */
import { AggregationError } from '../errors'
import { open, requireNumeric, type Table } from './table'
import { select, type Where } from './where'

/** Which columns make the series, how many points to keep, and an optional filter. */
export interface DownsampleOptions {
  readonly x: string
  readonly y: string
  readonly n: number
  readonly where?: Where | undefined
}

/**
 * At most `n` points of the series (all of them when it has no more), first and last kept.
 *
 * @example
 * downsample(prices, { x: 'time', y: 'close', n: 500 }) // → { x: [...500], y: [...500] }
 */
export function downsample(table: Table, options: DownsampleOptions): { x: number[]; y: number[] } {
  const { n } = options
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new AggregationError(
      'bad-spec',
      `downsample of "${options.y}" needs n as a whole number ≥ 0, got ${String(n)}`,
      options.y,
    )
  }
  const source = open(table)
  const xs = requireNumeric(source.column(options.x), 'a downsample x')
  const ys = requireNumeric(source.column(options.y), 'a downsample y')
  const sel = select(source, options.where)
  // The points to consider: selected rows with both coordinates present.
  const total = sel ? sel.length : source.rows
  const rows: number[] = []
  for (let j = 0; j < total; j++) {
    const i = sel ? sel[j]! : j
    if (xs[i] === xs[i] && ys[i] === ys[i]) rows.push(i)
  }
  const m = rows.length
  let picked: number[]
  if (n >= m) picked = rows
  else if (n === 0) picked = []
  else if (n === 1) picked = [rows[0]!]
  else if (n === 2) picked = [rows[0]!, rows[m - 1]!]
  else picked = lttb(xs, ys, rows, n)
  return { x: picked.map((i) => xs[i]!), y: picked.map((i) => ys[i]!) }
}

function lttb(xs: Float64Array, ys: Float64Array, rows: number[], n: number): number[] {
  const m = rows.length
  const out = [rows[0]!]
  // Buckets split rows[1 .. m-2] into n - 2 runs of (nearly) equal length.
  const every = (m - 2) / (n - 2)
  let a = rows[0]!
  for (let b = 0; b < n - 2; b++) {
    const start = Math.floor(b * every) + 1
    const end = Math.floor((b + 1) * every) + 1
    // The mean of the next bucket (the last point for the last bucket).
    const nextStart = end
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, m - 1)
    let mx = 0
    let my = 0
    if (b === n - 3) {
      mx = xs[rows[m - 1]!]!
      my = ys[rows[m - 1]!]!
    } else {
      for (let j = nextStart; j < nextEnd; j++) {
        mx += xs[rows[j]!]!
        my += ys[rows[j]!]!
      }
      const count = nextEnd - nextStart
      mx /= count
      my /= count
    }
    const ax = xs[a]!
    const ay = ys[a]!
    let best = rows[start]!
    let bestArea = -1
    for (let j = start; j < end; j++) {
      const i = rows[j]!
      const area = Math.abs((ax - mx) * (ys[i]! - ay) - (ax - xs[i]!) * (my - ay))
      if (area > bestArea) {
        bestArea = area
        best = i
      }
    }
    out.push(best)
    a = best
  }
  out.push(rows[m - 1]!)
  return out
}
