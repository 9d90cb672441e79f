/**
 * Tables in, columns out. Every aggregation reads a table through `open()`, which accepts
 * three shapes and hands back columns in the two forms the loops want:
 *
 *   numeric(name)  Float64Array, missing values (null, undefined, NaN) as NaN
 *   dict(name)     Int32Array of codes into `keys`, keys sorted ascending, missing last
 *
 * Both are computed once per column and kept in WeakMaps, so a table queried again and
 * again (a crossfilter brush) pays for the conversion and the dictionary once:
 *   - columnar tables are keyed by each column array (a fresh `{ a, b }` literal around the
 *     same arrays still hits),
 *   - row arrays and Arrow tables are keyed by the table object.
 * Invariant: tables are immutable. Writing into a column array after it was aggregated
 * leaves stale codes behind; pass a new array instead.
 *
 * Arrow tables are recognised by shape (`numRows`, `getChild`, `schema.fields`) so that
 * apache-arrow or flechette tables both work and neither is bundled here.
 * Pure and DOM-free: this runs in workers.
 */
import { AggregationError } from '../errors'

/** A column: a typed array, or an array of numbers, strings, booleans, Dates or nulls. */
export type Column = ArrayLike<unknown>

/** `{ delay: Float64Array, origin: string[] }`: every column the same length. */
export type ColumnarTable = { readonly [column: string]: Column }

/** `[{ delay: 3, origin: 'SFO' }, ...]`. */
export type RowTable = readonly { readonly [column: string]: unknown }[]

/** What we read of an Arrow column (apache-arrow `Vector`, flechette `Column`). */
export interface ArrowLikeColumn {
  readonly length: number
  readonly nullCount: number
  /** Typed array or array; apache-arrow types it void for a column of the Null type. */
  // biome-ignore lint/suspicious/noConfusingVoidType: apache-arrow's own signature, so its Vector fits as is
  toArray(): ArrayLike<unknown> | void
  get(index: number): unknown
}

/** What we read of an Arrow table (apache-arrow `Table`, flechette `Table`). */
export interface ArrowLikeTable {
  readonly numRows: number
  readonly schema: { readonly fields: readonly { readonly name: string }[] }
  getChild(name: string): ArrowLikeColumn | null
}

/** Anything `aggregate`, `topK` and `downsample` accept. */
export type Table = ColumnarTable | RowTable | ArrowLikeTable

/**
 * Group codes, one per row: the narrowest array that holds every code (a histogram of up
 * to 255 bins costs a byte per row, not four).
 */
export type Codes = Uint8Array | Uint16Array | Int32Array

/** An array for `n` codes in [0, largest]. */
export function codesFor(largest: number, n: number): Codes {
  return largest <= 0xff ? new Uint8Array(n) : largest <= 0xffff ? new Uint16Array(n) : new Int32Array(n)
}

/** Integer codes for a key column; `keys[code]`, sorted ascending, `null` last if present. */
export interface Dict {
  /** As narrow as the key count allows (see `Codes`). */
  readonly codes: Codes
  readonly keys: readonly unknown[]
}

/** The cached forms of one column. Fields fill in lazily, on first use. */
export interface ColumnState {
  readonly name: string
  readonly raw: Column
  /** `null`: looked, the column holds something other than numbers. */
  numeric?: Float64Array | null
  hasMissing?: boolean
  min?: number
  max?: number
  dict?: Dict
  /** Bin codes per bin spec (`s:<step>` / `b:<bins>`), a few at most. */
  bins?: Map<string, unknown>
}

/** An opened table: its row count and its columns by name. */
export interface Source {
  readonly rows: number
  names(): string[]
  column(name: string): ColumnState
}

/**
 * More groups than this is refused with `too-many-groups` rather than allocating
 * accumulators the size of the address space (a bin step far too fine, say).
 */
export const MAX_GROUPS = 1 << 24

const byArray = new WeakMap<object, ColumnState>()
const byTable = new WeakMap<object, Map<string, ColumnState>>()

const isArrow = (t: unknown): t is ArrowLikeTable =>
  typeof t === 'object' &&
  t !== null &&
  typeof (t as ArrowLikeTable).getChild === 'function' &&
  typeof (t as ArrowLikeTable).numRows === 'number' &&
  Array.isArray((t as ArrowLikeTable).schema?.fields)

const unknownColumn = (name: string, names: string[]) =>
  new AggregationError(
    'unknown-column',
    `unknown column "${name}" (the table has ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no columns'})`,
    name,
  )

function cached(owner: object, name: string, make: () => Column): ColumnState {
  let columns = byTable.get(owner)
  if (!columns) byTable.set(owner, (columns = new Map()))
  let state = columns.get(name)
  if (!state) columns.set(name, (state = { name, raw: make() }))
  return state
}

/** Opens any accepted table shape; throws `bad-table` for anything else. */
export function open(table: Table): Source {
  if (isArrow(table)) {
    const names = () => table.schema.fields.map((f) => f.name)
    return {
      rows: table.numRows,
      names,
      column(name) {
        const vector = table.getChild(name)
        if (!vector) throw unknownColumn(name, names())
        return cached(table, name, () => arrowValues(vector))
      },
    }
  }
  if (Array.isArray(table)) {
    const rows = table as RowTable
    const names = () => [...new Set(rows.slice(0, 100).flatMap((r) => Object.keys(r)))]
    return {
      rows: rows.length,
      names,
      column(name) {
        return cached(rows, name, () => {
          const out = new Array<unknown>(rows.length)
          let seen = false
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!
            if (name in row) seen = true
            out[i] = row[name]
          }
          if (!seen && rows.length > 0) throw unknownColumn(name, names())
          return out
        })
      },
    }
  }
  if (typeof table !== 'object' || table === null) {
    throw new AggregationError('bad-table', `a table must be columns, rows or an Arrow table, got ${String(table)}`)
  }
  const columns = table as ColumnarTable
  const names = Object.keys(columns)
  let rows = 0
  for (const [i, name] of names.entries()) {
    const col = columns[name]
    if (col === null || typeof col !== 'object' || typeof col.length !== 'number') {
      throw new AggregationError('bad-table', `column "${name}" is not an array or typed array`, name)
    }
    if (i === 0) rows = col.length
    else if (col.length !== rows) {
      throw new AggregationError(
        'bad-table',
        `column "${name}" has ${col.length} values where "${names[0]}" has ${rows}`,
        name,
      )
    }
  }
  return {
    rows,
    names: () => names,
    column(name) {
      const raw = Object.hasOwn(columns, name) ? columns[name] : undefined
      if (!raw) throw unknownColumn(name, names)
      let state = byArray.get(raw)
      if (!state) byArray.set(raw, (state = { name, raw }))
      // One array may sit under two names; errors should name the one asked for.
      return state.name === name ? state : { ...state, name }
    },
  }
}

/** Arrow values with nulls made explicit: `toArray()` alone shows a null as 0. */
function arrowValues(vector: ArrowLikeColumn): Column {
  const values = vector.toArray()
  if (!values) return new Array<null>(vector.length).fill(null) // a Null-typed column
  if (vector.nullCount === 0) return values
  const out = Array.from(values as ArrayLike<unknown>)
  for (let i = 0; i < out.length; i++) if (vector.get(i) == null) out[i] = null
  return out
}

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && v !== v)

/**
 * The column as Float64Array, missing as NaN, or null when it holds anything but numbers
 * (Dates count as numbers: their epoch ms; bigints are converted, losing precision past 2^53).
 * Also records min, max and whether anything is missing, in the same pass.
 */
export function numeric(state: ColumnState): Float64Array | null {
  if (state.numeric !== undefined) return state.numeric
  const raw = state.raw
  let out: Float64Array | null
  if (raw instanceof Float64Array) out = raw
  else if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
    const n = raw.length
    out = new Float64Array(n)
    if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
      for (let i = 0; i < n; i++) out[i] = Number(raw[i])
    } else out.set(raw as unknown as ArrayLike<number>)
  } else {
    const n = raw.length
    out = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const v = raw[i]
      if (typeof v === 'number') out[i] = v
      else if (isMissing(v)) out[i] = NaN
      else if (v instanceof Date) out[i] = v.getTime()
      else if (typeof v === 'bigint') out[i] = Number(v)
      else {
        out = null
        break
      }
    }
  }
  state.numeric = out
  if (out) {
    let min = Infinity
    let max = -Infinity
    let missing = false
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!
      if (v < min) min = v
      if (v > max) max = v
      if (v !== v) missing = true
    }
    state.min = min
    state.max = max
    state.hasMissing = missing
  }
  return out
}

/** Like `numeric`, but a text column is an error naming it and what wanted numbers. */
export function requireNumeric(state: ColumnState, why: string): Float64Array {
  const values = numeric(state)
  if (!values) {
    throw new AggregationError(
      'not-numeric',
      `column "${state.name}" is not numeric, so it cannot be ${why}`,
      state.name,
    )
  }
  return values
}

/** Orders keys: numbers, then strings, then booleans, then anything else; missing last. */
function compareKeys(a: unknown, b: unknown): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra - rb
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
}
const rank = (v: unknown) =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : isMissing(v) ? 4 : 3

/**
 * Integer codes for the column's distinct values, sorted, so groups come out sorted by
 * key for free. Missing values (null, undefined, NaN) share one `null` key, sorted last.
 * Small-range integers take a counting path with no hashing.
 */
export function dict(state: ColumnState): Dict {
  if (state.dict) return state.dict
  const raw = state.raw
  // Integers in a typed array have no missing values and need no Float64 copy to be coded:
  // on a new table this is most of the first query's cost beyond the loop itself.
  const d =
    state.numeric === undefined && isIntegerArray(raw)
      ? integerDict(raw)
      : numeric(state)
        ? numericDict(state.numeric!, state)
        : genericDict(raw)
  if (d.keys.length > MAX_GROUPS) {
    throw new AggregationError(
      'too-many-groups',
      `column "${state.name}" has ${d.keys.length} distinct values, over the limit of ${MAX_GROUPS} groups`,
      state.name,
    )
  }
  return (state.dict = d)
}

function numericDict(values: Float64Array, state: ColumnState): Dict {
  const n = values.length
  const min = state.min!
  const max = state.max!
  const span = max - min
  let integral = n > 0 && Number.isFinite(span) && span <= Math.max(1 << 16, 2 * n)
  for (let i = 0; integral && i < n; i++) {
    const v = values[i]!
    if (v === v && v !== Math.floor(v)) integral = false
  }
  if (integral) {
    // Counting path: a slot per integer in [min, max]; ranks of the slots in use are codes.
    const slot = new Int32Array(span + 1).fill(-1)
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) slot[v - min] = 0
    }
    const keys: unknown[] = []
    for (let s = 0; s <= span; s++) if (slot[s] === 0) slot[s] = keys.push(s + min) - 1
    const missing = keys.length
    const codes = codesFor(missing, n)
    let anyMissing = false
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) codes[i] = slot[v - min]!
      else {
        codes[i] = missing
        anyMissing = true
      }
    }
    if (anyMissing) keys.push(null)
    return { codes, keys }
  }
  const seen = new Map<number, number>()
  let anyMissing = false
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (v !== v) anyMissing = true
    else if (!seen.has(v)) seen.set(v, seen.size)
  }
  return remap(values, seen, anyMissing)
}

type IntegerArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
const isIntegerArray = (raw: Column): raw is IntegerArray =>
  raw instanceof Int32Array ||
  raw instanceof Int16Array ||
  raw instanceof Uint16Array ||
  raw instanceof Int8Array ||
  raw instanceof Uint8Array ||
  raw instanceof Uint32Array

/** As numericDict's counting path, read straight from the integers (none is missing). */
function integerDict(raw: IntegerArray): Dict {
  const n = raw.length
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) {
    const v = raw[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  const span = max - min
  if (!(n > 0 && span <= Math.max(1 << 16, 2 * n))) {
    const seen = new Map<number, number>()
    for (let i = 0; i < n; i++) if (!seen.has(raw[i]!)) seen.set(raw[i]!, seen.size)
    return remap(raw, seen, false)
  }
  const slot = new Int32Array(span + 1)
  for (let i = 0; i < n; i++) slot[raw[i]! - min] = 1
  const keys: number[] = []
  for (let s = 0; s <= span; s++) if (slot[s] === 1) slot[s] = keys.push(s + min) - 1
  const codes = codesFor(keys.length - 1, n)
  for (let i = 0; i < n; i++) codes[i] = slot[raw[i]! - min]!
  return { codes, keys }
}

function genericDict(raw: Column): Dict {
  const n = raw.length
  const seen = new Map<unknown, number>()
  let anyMissing = false
  for (let i = 0; i < n; i++) {
    const v = raw[i]
    if (isMissing(v)) anyMissing = true
    else if (!seen.has(v)) seen.set(v, seen.size)
  }
  return remap(raw, seen, anyMissing)
}

/** First-seen codes → sorted codes. */
function remap(raw: Column, seen: Map<unknown, number>, anyMissing: boolean): Dict {
  const keys = [...seen.keys()].sort(compareKeys)
  const rankOf = new Int32Array(seen.size)
  for (let r = 0; r < keys.length; r++) rankOf[seen.get(keys[r])!] = r
  const missing = keys.length
  const codes = codesFor(missing, raw.length)
  for (let i = 0; i < raw.length; i++) {
    const first = seen.get(raw[i])
    codes[i] = first === undefined ? missing : rankOf[first]!
  }
  if (anyMissing) keys.push(null)
  return { codes, keys }
}
