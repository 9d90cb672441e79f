/**
 * `where`: the rows a query looks at, as a selection pass before any group is touched.
 *
 *   { delay: { gte: 0, lt: 60 } }            a range (a crossfilter brush); missing fails it
 *   { origin: { in: ['SFO', 'OAK'] } }       a set; `null` in the set matches missing values
 *   { delay: undefined }                     no filter (a cleared brush)
 *
 * Clauses are ANDed. The result is the ascending row indices that pass, or `null` for
 * "every row" so the group loops can skip the indirection. A brush sent again and again with
 * the same `where` (four histograms per brush, say) reuses the last few selections.
 */
import { AggregationError } from '../errors'
import { type Codes, type ColumnState, dict, requireNumeric, type Source } from './table'

/** A range on a numeric column; bounds left out are open. */
export interface Range {
  gte?: number
  gt?: number
  lte?: number
  lt?: number
}

/** A set of keys; the row passes when its value is one of them. */
export interface SetFilter {
  in: readonly unknown[]
}

/** Filters by column, ANDed; an `undefined` entry filters nothing. */
export type Where = { readonly [column: string]: Range | SetFilter | undefined }

/**
 * Text identifying filters, for the caches. Plain JSON would write Infinity, -Infinity and
 * NaN all as null, and `{ gte: -Infinity }` would find the selection of `{ gte: Infinity }`.
 */
export const filterKey = (x: unknown): string =>
  JSON.stringify(x, (_, v: unknown) => (typeof v === 'number' ? { '\u0000n': String(v) } : v))

interface Remembered {
  columns: ColumnState[]
  key: string
  selection: Int32Array
}
// A handful: a dashboard asks a few aggregates per brush, each with the same where.
// Per table (by the first filtered column's array, weakly): a dropped table is not kept.
const recentByColumn = new WeakMap<object, Remembered[]>()
const RECENT = 4
// The buffer of the selection last pushed out of `recent`, reused for the next one: a brush
// dragged across 3M rows would otherwise allocate (and zero, and collect) 12 MB per move.
// Safe because selections never leave this module's callers' synchronous loops.
let spare: ArrayBuffer | undefined

/** Bytes of the selections remembered for `owner` and of the spare buffer. */
export function selectionsBytes(owner: object, once: (x: unknown) => number): number {
  // Whole buffers: a selection may be a view over a buffer of every row.
  let bytes = once(spare)
  for (const r of recentByColumn.get(owner) ?? []) bytes += once(r.selection.buffer)
  return bytes
}

/** An Int32Array of `length` for indices, on the spare buffer when it is big enough. */
function scratch(length: number): Int32Array {
  const buffer = spare
  if (buffer && buffer.byteLength >= length * 4) {
    spare = undefined
    return new Int32Array(buffer, 0, length)
  }
  return new Int32Array(length)
}

/** Row indices passing `where`, ascending, or `null` when nothing filters. */
export function select(source: Source, where: Where | undefined): Int32Array | null {
  if (where === undefined || where === null) return null
  if (typeof where !== 'object') throw new AggregationError('bad-spec', `where must be an object of column filters`)
  const clauses = Object.entries(where).filter(([, f]) => f !== undefined) as [string, Range | SetFilter][]
  if (clauses.length === 0) return null
  const columns = clauses.map(([name]) => source.column(name))
  const key = filterKey(clauses)
  const owner = columns[0]!.raw as object
  let recent = recentByColumn.get(owner)
  if (!recent) recentByColumn.set(owner, (recent = []))
  const hit = recent.find((r) => r.key === key && r.columns.every((c, i) => c.raw === columns[i]!.raw))
  if (hit) return hit.selection

  let selection: Int32Array | null = null
  for (let c = 0; c < clauses.length; c++) {
    const narrowed = apply(columns[c]!, clauses[c]![1], selection, source.rows)
    // A second clause wrote into a new buffer: the first one's can go back to spare.
    if (selection && selection.buffer !== narrowed.buffer && selection.buffer instanceof ArrayBuffer)
      spare = selection.buffer
    selection = narrowed
  }
  const result = selection!
  recent.unshift({ columns, key, selection: result })
  // At most RECENT selections, and at most one table of indices between them (a selection
  // of most rows is a view over a buffer of every row): caches cost less than the data.
  let held = 0
  for (let r = 0; r < recent.length; r++) {
    held += recent[r]!.selection.buffer.byteLength
    if (r > 0 && (r >= RECENT || held > 4 * source.rows)) {
      for (const { selection: old } of recent.splice(r)) {
        if (old.buffer instanceof ArrayBuffer && (!spare || old.buffer.byteLength > spare.byteLength))
          spare = old.buffer
      }
      break
    }
  }
  return result
}

function apply(state: ColumnState, filter: Range | SetFilter, selection: Int32Array | null, rows: number): Int32Array {
  if (typeof filter !== 'object' || filter === null) {
    throw new AggregationError(
      'bad-spec',
      `the filter on column "${state.name}" must be a range or { in: [...] }`,
      state.name,
    )
  }
  if ('in' in filter) {
    if (!Array.isArray(filter.in)) {
      throw new AggregationError('bad-spec', `"in" on column "${state.name}" must be an array`, state.name)
    }
    const { codes, keys } = dict(state)
    const wanted = new Set(filter.in.map((v) => (v === undefined || (typeof v === 'number' && v !== v) ? null : v)))
    const allowed = new Uint8Array(keys.length)
    for (let k = 0; k < keys.length; k++) if (wanted.has(keys[k])) allowed[k] = 1
    return keepCodes(codes, allowed, selection, rows)
  }
  const { values, lo, hi } = closedRange(state, filter)
  return keepRange(values, lo, hi, selection, rows)
}

/**
 * A range as one closed interval [lo, hi] over the column's numbers: for doubles, v > x is
 * exactly v >= the next double above x, so one loop shape serves every range. Missing
 * values (NaN) compare false with everything and fail it; a NaN bound keeps nothing.
 */
export function closedRange(state: ColumnState, filter: Range): { values: Float64Array; lo: number; hi: number } {
  const { gte, gt, lte, lt } = filter
  for (const [bound, v] of Object.entries({ gte, gt, lte, lt })) {
    if (v !== undefined && typeof v !== 'number') {
      throw new AggregationError('bad-spec', `"${bound}" on column "${state.name}" must be a number`, state.name)
    }
  }
  const values = requireNumeric(state, 'filtered by a range')
  let lo = -Infinity
  let hi = Infinity
  if (gte !== undefined) lo = gte
  if (gt !== undefined) lo = Math.max(lo, gt === Infinity ? NaN : nextUp(gt))
  if (lte !== undefined) hi = lte
  if (lt !== undefined) hi = Math.min(hi, lt === -Infinity ? NaN : -nextUp(-lt))
  return { values, lo, hi }
}

const bits = new Float64Array(1)
const asInt = new BigInt64Array(bits.buffer)
/** The smallest double above x (x finite or -Infinity). */
function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x
  if (x === 0) return Number.MIN_VALUE // from -0 and +0 alike
  bits[0] = x
  asInt[0]! += x > 0 ? 1n : -1n
  return bits[0]!
}

// The selection loops: no callbacks, so each stays a tight loop over typed arrays.

function keepRange(
  values: Float64Array,
  lo: number,
  hi: number,
  selection: Int32Array | null,
  rows: number,
): Int32Array {
  // Branch-free: write every index, advance only past the ones that pass. A brush in the
  // middle of a distribution passes rows at random, which a branch would mispredict.
  let m = 0
  if (selection === null) {
    const out = scratch(rows)
    for (let i = 0; i < rows; i++) {
      const v = values[i]!
      out[m] = i
      m += pass(v >= lo) & pass(v <= hi)
    }
    return fit(out, m)
  }
  const out = scratch(selection.length)
  for (let j = 0; j < selection.length; j++) {
    const i = selection[j]!
    const v = values[i]!
    out[m] = i
    m += pass(v >= lo) & pass(v <= hi)
  }
  return fit(out, m)
}

/** true → 1, false → 0 (what `&` does to booleans, said so for the type checker). */
const pass = (b: boolean) => b as unknown as number

/** The first m indices: a view when most of the buffer is used, else a copy (and the buffer is spare). */
function fit(out: Int32Array, m: number): Int32Array {
  if (m > out.length >> 1) return out.subarray(0, m)
  if (out.buffer instanceof ArrayBuffer && (!spare || out.buffer.byteLength > spare.byteLength)) spare = out.buffer
  return out.slice(0, m)
}

function keepCodes(codes: Codes, allowed: Uint8Array, selection: Int32Array | null, rows: number): Int32Array {
  let m = 0
  if (selection === null) {
    const out = scratch(rows)
    for (let i = 0; i < rows; i++) {
      out[m] = i
      m += allowed[codes[i]!]!
    }
    return fit(out, m)
  }
  const out = scratch(selection.length)
  for (let j = 0; j < selection.length; j++) {
    const i = selection[j]!
    out[m] = i
    m += allowed[codes[i]!]!
  }
  return fit(out, m)
}
