/**
 * Data tiles (Falcon, Moritz et al., CHI 2019): counts under a brush from a few array
 * differences, whatever the number of rows.
 *
 * A query grouped by codes g ∈ [0, B) whose one moving clause is a range on column Y:
 *
 *   Y's distinct values, sorted      k_0 < k_1 < … < k_{D-1}     a row's rank r: its value is k_r
 *   the tile                         P[r][g] = rows of group g with rank < r, among the rows
 *                                              the other (fixed) clauses keep
 *
 *   brush lo ≤ Y ≤ hi   →   ranks [a, b): a = first rank with k ≥ lo, b = first with k > hi
 *                           count[g] = P[b][g] − P[a][g]                  (B subtractions)
 *
 *        g →  0   1   2            a brush over ranks [1, 3):
 *   r = 0 │   0   0   0
 *       1 │   4   1   0  ◄─ a      count = P[3] − P[1] = (9 5 2) − (4 1 0) = (5 4 2)
 *       2 │   6   3   1
 *       3 │   9   5   2  ◄─ b
 *
 * Falcon bins the brushed view at its pixel resolution; here the "bins" of Y are its own
 * distinct values, so the answer is exact for any brush (no partial bin at the edges) and
 * equal to a recount. That needs Y to have few distinct values (minutes of delay, miles,
 * hours of day: a few thousand), and the tile to stay small beside the data: (D + 1) × B
 * cells, at most max(MIN_CELLS, rows) of them. A tile is built in one pass over the kept
 * rows plus a prefix sum down the ranks, as costly as one recount; it holds while only Y's
 * range moves (a drag, a jump) and is rebuilt when the brush moves to another column.
 */
import type { Codes, ColumnState } from './table'

/** A column's rows as ranks into its sorted distinct values; missing values rank `keys.length`. */
export interface Ranks {
  readonly rank: Uint8Array | Uint16Array | Int32Array
  readonly keys: Float64Array
}

/** A tile for one query shape and one brushed column (see above). */
export interface Tile {
  readonly ranks: Ranks
  /** Groups per rank: the query's `size`. */
  readonly width: number
  /** (keys.length + 1) × width prefix counts, row-major by rank. */
  readonly prefix: Int32Array
}

/** Up to this many distinct values a column gets ranks (and so may get tiles). */
const MAX_KEYS = 1 << 16
/** A tile may always have this many cells (256 KB), and beyond that as many as the table has rows. */
const MIN_CELLS = 1 << 16

const ranksByState = new WeakMap<ColumnState, Ranks | null>()

/** Bytes of the column's ranks, through `once` (which counts each array once). */
export function ranksBytes(state: ColumnState, once: (x: unknown) => number): number {
  const r = ranksByState.get(state)
  return r ? once(r.rank) + once(r.keys) : 0
}

/** Ranks of a numeric column, or null when it has more than MAX_KEYS distinct values. */
export function ranksOf(state: ColumnState, values: Float64Array): Ranks | null {
  const hit = ranksByState.get(state)
  if (hit !== undefined) return hit
  const made = build(state, values)
  ranksByState.set(state, made)
  return made
}

function build(state: ColumnState, values: Float64Array): Ranks | null {
  const n = values.length
  const min = state.min!
  const span = state.max! - min
  // Integers over a short span: a slot per integer, no hashing.
  let integral = n > 0 && Number.isFinite(span) && span < MAX_KEYS * 4
  for (let i = 0; integral && i < n; i++) {
    const v = values[i]!
    if (v === v && v !== Math.floor(v)) integral = false
  }
  let keys: Float64Array
  let slotOf: (v: number) => number
  if (integral) {
    const slot = new Int32Array(span + 1).fill(-1)
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) slot[v - min] = 0
    }
    let d = 0
    for (let s = 0; s <= span; s++) if (slot[s] === 0) slot[s] = d++
    if (d > MAX_KEYS) return null
    keys = new Float64Array(d)
    for (let s = 0; s <= span; s++) if (slot[s]! >= 0) keys[slot[s]!] = s + min
    slotOf = (v) => slot[v - min]!
  } else {
    // Stop counting distinct values as soon as there are too many: a column of millions of
    // distinct doubles costs one partial pass, not a map of millions.
    const seen = new Map<number, number>()
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v && !seen.has(v)) {
        if (seen.size === MAX_KEYS) return null
        seen.set(v, 0)
      }
    }
    keys = Float64Array.from(seen.keys()).sort()
    for (let r = 0; r < keys.length; r++) seen.set(keys[r]!, r)
    slotOf = (v) => seen.get(v)!
  }
  const d = keys.length
  // Ranks run 0 … d (d: missing).
  const rank = d <= 0xff ? new Uint8Array(n) : d <= 0xffff ? new Uint16Array(n) : new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    rank[i] = v === v ? slotOf(v) : d
  }
  return { rank, keys }
}

/** Whether a tile of `width` groups over these ranks stays within its budget. */
export function fits(ranks: Ranks, width: number, rows: number): boolean {
  return (ranks.keys.length + 1) * width <= Math.max(MIN_CELLS, rows)
}

/** The tile of rows `sel` (null: all `n`) by rank and group code. */
export function tile(ranks: Ranks, codes: Codes, width: number, sel: Int32Array | null, n: number): Tile {
  const d = ranks.keys.length
  const rank = ranks.rank
  const prefix = new Int32Array((d + 1) * width)
  // Counts of rank r in row r + 1, then each row adds the one above: P[r] = Σ counts below r.
  if (sel === null) {
    for (let i = 0; i < n; i++) {
      const r = rank[i]!
      if (r < d) prefix[(r + 1) * width + codes[i]!]!++
    }
  } else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      const r = rank[i]!
      if (r < d) prefix[(r + 1) * width + codes[i]!]!++
    }
  }
  for (let c = width; c < prefix.length; c++) prefix[c]! += prefix[c - width]!
  return { ranks, width, prefix }
}

/** Writes into `out` the counts of rows with lo ≤ value ≤ hi (a closed range; NaN: none). */
export function countsIn(t: Tile, lo: number, hi: number, out: Float64Array): void {
  const keys = t.ranks.keys
  const a = lowerBound(keys, lo)
  const b = upperBound(keys, hi)
  const w = t.width
  if (a >= b) {
    out.fill(0, 0, w)
    return
  }
  const p = t.prefix
  const top = b * w
  const bottom = a * w
  for (let g = 0; g < w; g++) out[g] = p[top + g]! - p[bottom + g]!
}

/** First k with values[k] >= x (NaN x: none, so the end). */
function lowerBound(values: Float64Array, x: number): number {
  if (x !== x) return values.length
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First k with values[k] > x (NaN x: none pass, so the start). */
function upperBound(values: Float64Array, x: number): number {
  if (x !== x) return 0
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}
