/**
 * Counts under a moving brush, by the cheapest of three paths, chosen per brush:
 *
 *   tiles     a prefix-count tile of the brushed column by the query's groups (tiles.ts):
 *             a few hundred subtractions, whatever the row count. Built on the brushed
 *             column's second move (a first move may be a one-off), when the column has
 *             few distinct values and the measures are plain counts.
 *   delta     the rows that entered and left the brush (as crossfilter does):
 *
 *     previous query   where { delay: [0, 40) }    per-group counts kept here
 *     this query       where { delay: [5, 45) }    same table, by, measures, other clauses
 *
 *     column sorted once:   ...... [0 ······ 5 ··························· 40 ···· 45) ......
 *                                   └ leave ┘                               └ enter ┘
 *
 *             only the two short runs of the sorted column are visited. Each visit is a
 *             random read (row index → mask, code), DELTA_COST times a recount's sequential
 *             read, so a jump (two whole brushes to visit) is often dearer than a recount.
 *   recount   null is returned and the caller computes from scratch, then `remember`s.
 *
 * It applies when the measures are all counts (adding and subtracting is exact; sums would
 * drift and min/max cannot be undone) and the query differs from a remembered one in
 * exactly one range clause. Anything else returns null.
 */
import type { Lane } from './kernel'
import type { Codes, ColumnState, Source } from './table'
import { countsIn, fits, ranksOf, type Tile, tile } from './tiles'
import { closedRange, filterKey, type Range, type SetFilter, select, type Where } from './where'

/**
 * Row indices of a column sorted by value (missing values left out). The values in that
 * order are not copied (8 bytes a row): a run's ends are found by binary search through the
 * order, log2(rows) random reads per end.
 */
interface Sorted {
  readonly order: Int32Array
  readonly values: Float64Array
}
const sortedByState = new WeakMap<ColumnState, Sorted>()

interface State {
  /** Identity of everything but the where: table columns, key, measures. */
  readonly shape: string
  readonly columns: ColumnState[]
  readonly codes: Codes
  readonly lanes: readonly Lane[]
  clauses: Map<string, Range | SetFilter>
  readonly rows: Float64Array
  readonly valid: Float64Array[]
  /** Rows passing the clauses that stay fixed, or null for all; built on the first delta. */
  mask: Uint8Array | null | undefined
  /** The column whose range moved last; mask, tile and moves are about it. */
  maskFor: string | undefined
  tile: Tile | null | undefined
  /** Moves of `maskFor`'s range so far (the tile is built on the second). */
  moves: number
}

/** How a brush was answered; `same` is the query asked again. */
export type BrushPath = 'tiles' | 'delta' | 'recount' | 'same'
/** A delta row (a random read) costs this many rows of a recount (sequential reads). */
const DELTA_COST = 4
let forced: Exclude<BrushPath, 'same'> | undefined
let last: BrushPath | undefined

/**
 * Forces one path where it applies (tests compare them; benches time them), or `undefined`
 * for the cost model. Forced `tiles` builds a tile on the first move when the column allows.
 */
export function setBrushPath(path: Exclude<BrushPath, 'same'> | undefined): void {
  forced = path
}

/** The path of the last brush `increment` saw (recount also when it declined). */
export const lastBrushPath = (): BrushPath | undefined => last
// A dashboard has a handful of charts; each keeps one state. Kept per table (by its first
// column array, weakly), so a table dropped by the app is not held alive here.
const byTable = new WeakMap<object, State[]>()
const STATES = 16
const statesOf = (q: Query): State[] => {
  const owner = q.columns[0]?.raw as object | undefined
  if (!owner) return []
  let list = byTable.get(owner)
  if (!list) byTable.set(owner, (list = []))
  return list
}

export interface Query {
  readonly source: Source
  /** Stable text for `by` and measures (their column names, ops, bin spec). */
  readonly shape: string
  /** Column states that identify the table: key, measure and where columns. */
  readonly columns: ColumnState[]
  readonly codes: Codes
  readonly size: number
  readonly lanes: readonly Lane[]
  readonly where: Where | undefined
}

const clausesOf = (where: Where | undefined) =>
  new Map(Object.entries(where ?? {}).filter(([, f]) => f !== undefined) as [string, Range | SetFilter][])
const isRange = (f: Range | SetFilter | undefined): f is Range => typeof f === 'object' && f !== null && !('in' in f)
/** Same table, key and measures (the where may differ). */
const sameQuery = (s: State, q: Query) =>
  s.shape === q.shape &&
  s.codes === q.codes &&
  s.columns.length === q.columns.length &&
  s.columns.every((c, i) => c.raw === q.columns[i]!.raw)
const countsOnly = (lanes: readonly Lane[]) => lanes.every((l) => l.op === 'count')

/** Per-group row counts and value counts, from a remembered state, or null. */
export function increment(q: Query): { rows: Float64Array; valid: Float64Array[] } | null {
  last = 'recount'
  if (!countsOnly(q.lanes) || forced === 'recount') return null
  const next = clausesOf(q.where)
  const state = statesOf(q).find((s) => sameQuery(s, q))
  if (!state || state.clauses.size !== next.size) return null
  // Exactly one clause may differ, and it must be a range before and after.
  let moving: string | undefined
  for (const [name, filter] of next) {
    const before = state.clauses.get(name)
    if (before === undefined) return null
    if (filterKey(before) === filterKey(filter)) continue
    if (moving !== undefined || !isRange(before) || !isRange(filter)) return null
    moving = name
  }
  if (moving === undefined) {
    last = 'same'
    return { rows: state.rows, valid: state.valid }
  }
  const column = q.source.column(moving)
  const { lo: lo1, hi: hi1 } = closedRange(column, next.get(moving) as Range)
  if (state.maskFor !== moving) {
    state.maskFor = moving
    state.mask = undefined
    state.tile = undefined
    state.moves = 0
  }
  state.moves++

  // The fixed clauses: every clause but the moving one (unchanged since the remembered query).
  const fixed = () => {
    const w: Record<string, Range | SetFilter> = {}
    for (const [name, f] of next) if (name !== moving) w[name] = f
    return select(q.source, w)
  }
  if (state.tile === undefined && forced !== 'delta' && (state.moves >= 2 || forced === 'tiles')) {
    // Tiles count rows; a count(col) over a column with missing values would need its own.
    const ranks = q.lanes.some((l) => l.missing) ? null : ranksOf(column, column.numeric!)
    state.tile =
      ranks && fits(ranks, q.size, q.source.rows) ? tile(ranks, q.codes, q.size, fixed(), q.source.rows) : null
  }
  if (state.tile && forced !== 'delta') {
    countsIn(state.tile, lo1, hi1, state.rows)
    state.clauses = next
    last = 'tiles'
    return { rows: state.rows, valid: state.valid }
  }
  if (forced === 'tiles') return null

  // Delta, if its visits cost less than a recount. Sorting a column that cannot be counting-
  // sorted costs more than many recounts: not for one brush.
  if (forced !== 'delta' && !sortedByState.has(column) && !countingSortable(column)) return null
  const { order, values } = sorted(column)
  const { lo: lo0, hi: hi0 } = closedRange(column, state.clauses.get(moving) as Range)
  const [a0, b0] = [lowerBound(order, values, lo0), upperBound(order, values, hi0)]
  const [a1, b1] = [lowerBound(order, values, lo1), upperBound(order, values, hi1)]
  // An empty interval (lo > hi) is an empty run wherever its ends fall.
  const e0 = a0 < b0
  const e1 = a1 < b1
  const runs: [number, number, number][] = []
  if (!e0 && e1) runs.push([a1, b1, 1])
  else if (e0 && !e1) runs.push([a0, b0, -1])
  else if (e0 && e1) {
    runs.push([a1, Math.min(b1, a0), 1], [Math.max(a1, b0), b1, 1])
    runs.push([a0, Math.min(b0, a1), -1], [Math.max(a0, b1), b0, -1])
  }
  let visits = 0
  for (const [from, to] of runs) visits += Math.max(0, to - from)
  if (forced !== 'delta' && visits * DELTA_COST > q.source.rows) return null

  // The fixed clauses' rows as a mask, once per state and moving column.
  if (state.mask === undefined) {
    const sel = fixed()
    let mask: Uint8Array | null = null
    if (sel) {
      mask = new Uint8Array(q.source.rows)
      for (let j = 0; j < sel.length; j++) mask[sel[j]!] = 1
    }
    state.mask = mask
  }
  for (const [from, to, sign] of runs) {
    if (from < to) visit(order, from, to, sign, state.mask, q.codes, state.rows, state.lanes, state.valid)
  }
  state.clauses = next
  last = 'delta'
  return { rows: state.rows, valid: state.valid }
}

/** Bytes of the column's sorted index, through `once` (which counts each array once). */
export function sortedBytes(state: ColumnState, once: (x: unknown) => number): number {
  const s = sortedByState.get(state)
  return s ? once(s.order) : 0
}

/** Bytes of the brush states kept for queries whose first column is `owner`. */
export function statesBytes(owner: object, once: (x: unknown) => number): number {
  let bytes = 0
  for (const s of byTable.get(owner) ?? []) {
    bytes += once(s.rows) + once(s.mask) + once(s.tile?.prefix)
    for (const v of s.valid) bytes += once(v)
  }
  return bytes
}

/** Keeps the counts of a query computed from scratch, for the next query to start from. */
export function remember(q: Query, rows: Float64Array, valid: Float64Array[]): void {
  const clauses = clausesOf(q.where)
  if (!countsOnly(q.lanes) || ![...clauses.values()].some(isRange)) return
  const states = statesOf(q)
  const at = states.findIndex((s) => sameQuery(s, q))
  const before = at >= 0 ? states.splice(at, 1)[0] : undefined
  // Own copies: the caller's arrays may be shared (valid often is rows).
  const own = rows.slice()
  // A recount chosen for a move of the same column keeps what was learnt about that column.
  const keep = before?.maskFor !== undefined && onlyMoved(before.clauses, clauses, before.maskFor)
  states.unshift({
    shape: q.shape,
    columns: q.columns,
    codes: q.codes,
    lanes: q.lanes,
    clauses,
    rows: own,
    valid: valid.map((v) => (v === rows ? own : v.slice())),
    mask: keep ? before.mask : undefined,
    maskFor: keep ? before.maskFor : undefined,
    tile: keep ? before.tile : undefined,
    moves: keep ? before.moves : 0,
  })
  if (states.length > STATES) states.pop()
}

/** Whether `b` is `a` with at most the clause on `column` changed. */
function onlyMoved(a: Map<string, Range | SetFilter>, b: Map<string, Range | SetFilter>, column: string): boolean {
  if (a.size !== b.size) return false
  for (const [name, f] of b) {
    const before = a.get(name)
    if (before === undefined) return false
    if (name !== column && filterKey(before) !== filterKey(f)) return false
  }
  return true
}

function visit(
  order: Int32Array,
  from: number,
  to: number,
  sign: number,
  mask: Uint8Array | null,
  codes: Codes,
  rows: Float64Array,
  lanes: readonly Lane[],
  valid: Float64Array[],
): void {
  for (let k = from; k < to; k++) {
    const i = order[k]!
    if (mask !== null && mask[i] === 0) continue
    const g = codes[i]!
    rows[g]! += sign
    for (let l = 0; l < lanes.length; l++) {
      const lane = lanes[l]!
      // count(col) with missing values keeps its own tally; otherwise it is `rows`.
      if (lane.missing && lane.values![i] === lane.values![i]) valid[l]![g]! += sign
    }
  }
}

/** The column's rows in value order; integral columns of modest span by counting sort. */
function sorted(state: ColumnState): Sorted {
  const hit = sortedByState.get(state)
  if (hit) return hit
  const values = state.numeric!
  const n = values.length
  let present = 0
  for (let i = 0; i < n; i++) if (values[i] === values[i]) present++
  const order = new Int32Array(present)
  const min = state.min!
  const span = state.max! - min
  if (present > 0 && countingSortable(state)) {
    const starts = new Int32Array(span + 2)
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) starts[v - min + 1]!++
    }
    for (let s = 1; s < starts.length; s++) starts[s]! += starts[s - 1]!
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) order[starts[v - min]!++] = i
    }
  } else {
    let m = 0
    for (let i = 0; i < n; i++) if (values[i] === values[i]) order[m++] = i
    order.sort((a, b) => values[a]! - values[b]! || a - b)
  }
  const made = { order, values }
  sortedByState.set(state, made)
  return made
}

/** First k with values[order[k]] >= x (NaN x: none, so the end). */
function lowerBound(order: Int32Array, values: Float64Array, x: number): number {
  if (x !== x) return order.length
  let lo = 0
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[order[mid]!]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First k with values[order[k]] > x (NaN x: none pass, so the start). */
function upperBound(order: Int32Array, values: Float64Array, x: number): number {
  if (x !== x) return 0
  let lo = 0
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[order[mid]!]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

const integralByState = new WeakMap<ColumnState, boolean>()
/** Integers over a span of at most max(2^16, 2n): sortable by counting, in linear time. */
function countingSortable(state: ColumnState): boolean {
  const hit = integralByState.get(state)
  if (hit !== undefined) return hit
  const values = state.numeric!
  const n = values.length
  let integral = Number.isFinite(state.max! - state.min!) && state.max! - state.min! <= Math.max(1 << 16, 2 * n)
  for (let i = 0; integral && i < n; i++) {
    const v = values[i]!
    if (v === v && v !== Math.floor(v)) integral = false
  }
  integralByState.set(state, integral)
  return integral
}
