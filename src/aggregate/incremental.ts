/**
 * Counts under a moving brush, updated by the rows that entered and left it (as crossfilter
 * does) instead of recounted over the whole table.
 *
 *   previous query   where { delay: [0, 40) }    per-group counts kept here
 *   this query       where { delay: [5, 45) }    same table, by, measures, other clauses
 *
 *   column sorted once:   ...... [0 ······ 5 ··························· 40 ···· 45) ......
 *                                 └ leave ┘                               └ enter ┘
 *
 * Only the two short runs of the sorted column are visited: a brush dragged by a few pixels
 * touches a few thousand rows of millions. It applies when the measures are all counts (so
 * adding and subtracting is exact; sums would drift and min/max cannot be undone) and the
 * query differs from a remembered one in exactly one range clause. Anything else returns
 * null and the caller computes from scratch, then `remember`s the result for next time.
 */
import type { Lane } from './kernel'
import type { ColumnState, Source } from './table'
import { closedRange, filterKey, type Range, type SetFilter, select, type Where } from './where'

/** Row indices of a column sorted by value (missing values left out), and the values in that order. */
interface Sorted {
  readonly order: Int32Array
  readonly values: Float64Array
}
const sortedByState = new WeakMap<ColumnState, Sorted>()

interface State {
  /** Identity of everything but the where: table columns, key, measures. */
  readonly shape: string
  readonly columns: ColumnState[]
  readonly codes: Int32Array
  readonly lanes: readonly Lane[]
  clauses: Map<string, Range | SetFilter>
  readonly rows: Float64Array
  readonly valid: Float64Array[]
  /** Rows passing the clauses that stay fixed, or null for all; built on the first increment. */
  mask: Uint8Array | null | undefined
  maskFor: string | undefined
}
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
  readonly codes: Int32Array
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
  if (!countsOnly(q.lanes)) return null
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
  if (moving === undefined) return { rows: state.rows, valid: state.valid } // the same query again
  const column = q.source.column(moving)
  const { lo: lo0, hi: hi0 } = closedRange(column, state.clauses.get(moving) as Range)
  const { lo: lo1, hi: hi1 } = closedRange(column, next.get(moving) as Range)

  // The fixed clauses' rows as a mask, once per state and moving column.
  if (state.maskFor !== moving) {
    const fixed: Record<string, Range | SetFilter> = {}
    for (const [name, f] of next) if (name !== moving) fixed[name] = f
    const sel = select(q.source, fixed)
    let mask: Uint8Array | null = null
    if (sel) {
      mask = new Uint8Array(q.source.rows)
      for (let j = 0; j < sel.length; j++) mask[sel[j]!] = 1
    }
    state.mask = mask
    state.maskFor = moving
  }
  const { order, values } = sorted(column)
  const [a0, b0] = [lowerBound(values, lo0), upperBound(values, hi0)]
  const [a1, b1] = [lowerBound(values, lo1), upperBound(values, hi1)]
  const apply = (from: number, to: number, sign: number) => {
    if (from < to) visit(order, from, to, sign, state.mask ?? null, q.codes, state.rows, state.lanes, state.valid)
  }
  // An empty interval (lo > hi) is an empty run wherever its ends fall.
  const e0 = a0 < b0
  const e1 = a1 < b1
  if (!e0 && e1) apply(a1, b1, 1)
  else if (e0 && !e1) apply(a0, b0, -1)
  else if (e0 && e1) {
    apply(a1, Math.min(b1, a0), 1)
    apply(Math.max(a1, b0), b1, 1)
    apply(a0, Math.min(b0, a1), -1)
    apply(Math.max(a0, b1), b0, -1)
  }
  state.clauses = next
  return { rows: state.rows, valid: state.valid }
}

/** Keeps the counts of a query computed from scratch, for the next query to start from. */
export function remember(q: Query, rows: Float64Array, valid: Float64Array[]): void {
  const clauses = clausesOf(q.where)
  if (!countsOnly(q.lanes) || ![...clauses.values()].some(isRange)) return
  const states = statesOf(q)
  const at = states.findIndex((s) => sameQuery(s, q))
  if (at >= 0) states.splice(at, 1)
  // Own copies: the caller's arrays may be shared (valid often is rows).
  const own = rows.slice()
  states.unshift({
    shape: q.shape,
    columns: q.columns,
    codes: q.codes,
    lanes: q.lanes,
    clauses,
    rows: own,
    valid: valid.map((v) => (v === rows ? own : v.slice())),
    mask: undefined,
    maskFor: undefined,
  })
  if (states.length > STATES) states.pop()
}

function visit(
  order: Int32Array,
  from: number,
  to: number,
  sign: number,
  mask: Uint8Array | null,
  codes: Int32Array,
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
  let integral = present > 0 && span <= Math.max(1 << 16, 2 * n)
  for (let i = 0; integral && i < n; i++) {
    const v = values[i]!
    if (v === v && v !== Math.floor(v)) integral = false
  }
  if (integral) {
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
  const inOrder = new Float64Array(present)
  for (let k = 0; k < present; k++) inOrder[k] = values[order[k]!]!
  const made = { order, values: inOrder }
  sortedByState.set(state, made)
  return made
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
