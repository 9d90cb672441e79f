/**
 * `aggregate(table, { by, measures, where })`: group-by in three passes.
 *
 *   1. select   `where` → ascending row indices, or null for all rows      (where.ts)
 *   2. key      `by` → an Int32Array of group codes, sorted-key order       (table.ts, bin.ts)
 *   3. reduce   every measure in one fused pass into Float64Arrays per group   (kernel.ts)
 *
 * Why it is fast: codes and numeric columns are cached per table, so a query is only the
 * pass of step 3 over typed arrays (Int32Array codes, Float64Array values), generated for
 * the query's shape as a hand-written loop would be; a column with no missing values
 * skips the NaN test. Groups come out sorted because the codes are ranks of sorted keys.
 *
 * Groups are the keys with at least one selected row (as SQL's GROUP BY). Without `by`
 * there is one group, the totals, always present (count 0 when `where` keeps nothing); an
 * empty table gives empty columns either way.
 */
import { AggregationError } from '../errors'
import { type Bin, binCodes, isBin } from './bin'
import { increment, type Query, remember } from './incremental'
import { fuse, type Lane, type Reduced } from './kernel'
import type { Measure } from './measures'
import { type Codes, type ColumnState, dict, numeric, open, requireNumeric, type Source, type Table } from './table'
import { select, type Where } from './where'

/** What to aggregate: group key, named measures, row filter. */
export interface AggregateSpec {
  /** A column name, or `bin(col, ...)`; absent: one group of totals. */
  readonly by?: string | Bin | undefined
  /** Output column name → measure, e.g. `{ n: count(), avg: mean('delay') }`. */
  readonly measures: { readonly [name: string]: Measure }
  readonly where?: Where | undefined
}

/**
 * A small columnar result: the key column (named after `by`, or the binned column) and
 * one column per measure, one entry per group, groups sorted by key ascending.
 */
export type AggregateResult = { [column: string]: (number | null)[] | unknown[] }

/**
 * Computes measures per group where the table lives, returning only the small result.
 *
 * @example
 * aggregate(flights, {
 *   by: 'origin',
 *   measures: { n: count(), delay: mean('delay') },
 *   where: { distance: { gte: 500 } },
 * }) // → { origin: ['ABQ', 'ATL', ...], n: [812, 9201, ...], delay: [4.1, 9.7, ...] }
 */
export function aggregate(table: Table, spec: AggregateSpec): AggregateResult {
  const source = open(table)
  if (typeof spec !== 'object' || spec === null || typeof spec.measures !== 'object' || spec.measures === null) {
    throw new AggregationError('bad-spec', 'aggregate needs a spec with measures, e.g. { measures: { n: count() } }')
  }
  const measures = Object.entries(spec.measures)
  const keyName = spec.by === undefined ? undefined : isBin(spec.by) ? spec.by.bin : spec.by
  if (keyName !== undefined && typeof keyName !== 'string') {
    throw new AggregationError('bad-spec', 'by must be a column name or bin(column, ...)')
  }
  if (keyName !== undefined && Object.hasOwn(spec.measures, keyName)) {
    throw new AggregationError('bad-spec', `measure "${keyName}" has the name of the group key`, keyName)
  }
  // Resolve every column first, so a bad spec fails before any work.
  const inputs = measures.map(([name, m]) => measureInput(source, name, m))
  const keyState = keyName === undefined ? undefined : source.column(keyName)

  const result: AggregateResult = {}
  if (source.rows === 0) {
    if (keyName !== undefined) result[keyName] = []
    for (const [name] of measures) result[name] = []
    return result
  }

  let codes: Codes
  let size: number
  let keyOf: (g: number) => unknown
  if (keyState === undefined) {
    codes = zeros(source.rows)
    size = 1
    keyOf = () => null
  } else if (isBin(spec.by)) {
    const b = binCodes(keyState, spec.by)
    codes = b.codes
    size = b.size
    keyOf = b.key
  } else {
    const d = dict(keyState)
    codes = d.codes
    size = d.keys.length
    keyOf = (g) => d.keys[g]
  }

  const lanes: Lane[] = measures.map(([, m], k) => ({
    op: m.op,
    values: inputs[k]?.values,
    missing: inputs[k]?.missing ?? false,
  }))
  // Counts under a brush that moved: update by the rows that entered and left it.
  const whereNames = Object.keys(spec.where ?? {})
    .filter((k) => spec.where![k] !== undefined)
    .sort()
  const query: Query = {
    source,
    shape: JSON.stringify([spec.by ?? null, measures.map(([, m]) => [m.op, m.column ?? null])]),
    columns: [
      ...(keyState ? [keyState] : []),
      ...measures.flatMap(([, m]) => (m.column === undefined ? [] : [source.column(m.column)])),
      ...whereNames.map((name) => source.column(name)),
    ],
    codes,
    size,
    lanes,
    where: spec.where,
  }
  let reduced: Reduced | null = null
  const counted = increment(query)
  if (counted) reduced = { rows: counted.rows, acc: lanes.map(() => new Float64Array(0)), valid: counted.valid }
  else {
    const selection = select(source, spec.where)
    reduced = fuse(lanes, codes, selection, source.rows, size) ?? loops(lanes, codes, selection, source.rows, size)
    remember(query, reduced.rows, reduced.valid)
  }
  const { rows, acc, valid } = reduced
  const groups: number[] = []
  for (let g = 0; g < size; g++) if (rows[g]! > 0 || keyState === undefined) groups.push(g)

  if (keyName !== undefined) result[keyName] = groups.map(keyOf)
  lanes.forEach((lane, k) => {
    const a = acc[k]!
    const seen = valid[k]!
    // A group that saw no value of the column: sum and count say 0, the others null.
    result[measures[k]![0]] = groups.map((g) =>
      lane.op === 'count'
        ? seen[g]!
        : seen[g]! === 0
          ? lane.op === 'sum'
            ? 0
            : null
          : lane.op === 'mean'
            ? a[g]! / seen[g]!
            : a[g]!,
    )
  })
  return result
}

// Codes for "no by": every row in group 0. Kept, so repeated totals under a brush are one
// query shape (see incremental.ts) and do not allocate a column of zeros each time.
let zeroCodes = new Int32Array(0)
function zeros(n: number): Int32Array {
  if (zeroCodes.length !== n) zeroCodes = new Int32Array(n)
  return zeroCodes
}

interface Input {
  values: Float64Array
  missing: boolean
}

function measureInput(source: Source, name: string, m: Measure): Input | undefined {
  if (typeof m !== 'object' || m === null || !['count', 'sum', 'mean', 'min', 'max'].includes(m.op)) {
    throw new AggregationError(
      'bad-spec',
      `measure "${name}" must be count(), sum(col), mean(col), min(col) or max(col)`,
    )
  }
  if (m.column === undefined) {
    if (m.op !== 'count') throw new AggregationError('bad-spec', `measure "${name}" (${m.op}) needs a column`)
    return undefined
  }
  const state: ColumnState = source.column(m.column)
  if (m.op === 'count' && !numeric(state)) {
    // Counting text needs only "missing or not": 0 for a value, NaN for a missing one.
    const presence = Float64Array.from(state.raw as ArrayLike<unknown>, (v) =>
      v === null || v === undefined ? NaN : 0,
    )
    return { values: presence, missing: presence.includes(NaN) }
  }
  const why = { count: 'counted', sum: 'summed', mean: 'averaged', min: 'reduced by min', max: 'reduced by max' }[m.op]
  const values = requireNumeric(state, `${why} (measure "${name}")`)
  return { values, missing: state.hasMissing! }
}

/**
 * The fallback of `fuse` where code cannot be compiled: one loop per measure, the same
 * outputs (row counts, raw accumulators, values seen per group).
 */
function loops(lanes: readonly Lane[], codes: Codes, sel: Int32Array | null, n: number, size: number): Reduced {
  const rows = new Float64Array(size)
  countRows(rows, codes, sel, n)
  const acc: Float64Array[] = []
  const valid: Float64Array[] = []
  for (const { op, values, missing } of lanes) {
    let seen = rows
    if (values && missing) {
      seen = new Float64Array(size)
      countValid(seen, codes, values, sel, n)
    }
    valid.push(seen)
    const a = new Float64Array(values && op !== 'count' ? size : 0)
    acc.push(a)
    if (!values || op === 'count') continue
    if (op === 'min') {
      a.fill(Infinity)
      minInto(a, codes, values, sel, n)
    } else if (op === 'max') {
      a.fill(-Infinity)
      maxInto(a, codes, values, sel, n)
    } else if (missing) sumSkipping(a, codes, values, sel, n)
    else sumInto(a, codes, values, sel, n)
  }
  return { rows, acc, valid }
}

// The loops. Each is small and sees one array type per argument, so V8 keeps it
// monomorphic; the `sel` branch is outside the loop.

function countRows(acc: Float64Array, codes: Codes, sel: Int32Array | null, n: number): void {
  if (sel === null) for (let i = 0; i < n; i++) acc[codes[i]!]!++
  else for (let j = 0; j < sel.length; j++) acc[codes[sel[j]!]!]!++
}

function countValid(acc: Float64Array, codes: Codes, values: Float64Array, sel: Int32Array | null, n: number): void {
  if (sel === null) {
    for (let i = 0; i < n; i++) if (values[i] === values[i]) acc[codes[i]!]!++
  } else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      if (values[i] === values[i]) acc[codes[i]!]!++
    }
  }
}

function sumInto(acc: Float64Array, codes: Codes, values: Float64Array, sel: Int32Array | null, n: number): void {
  if (sel === null) for (let i = 0; i < n; i++) acc[codes[i]!]! += values[i]!
  else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      acc[codes[i]!]! += values[i]!
    }
  }
}

function sumSkipping(acc: Float64Array, codes: Codes, values: Float64Array, sel: Int32Array | null, n: number): void {
  if (sel === null) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v === v) acc[codes[i]!]! += v
    }
  } else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      const v = values[i]!
      if (v === v) acc[codes[i]!]! += v
    }
  }
}

// NaN compares false, so min and max skip missing values with no test of their own.
function minInto(acc: Float64Array, codes: Codes, values: Float64Array, sel: Int32Array | null, n: number): void {
  if (sel === null) {
    for (let i = 0; i < n; i++) {
      const k = codes[i]!
      if (values[i]! < acc[k]!) acc[k] = values[i]!
    }
  } else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      const k = codes[i]!
      if (values[i]! < acc[k]!) acc[k] = values[i]!
    }
  }
}

function maxInto(acc: Float64Array, codes: Codes, values: Float64Array, sel: Int32Array | null, n: number): void {
  if (sel === null) {
    for (let i = 0; i < n; i++) {
      const k = codes[i]!
      if (values[i]! > acc[k]!) acc[k] = values[i]!
    }
  } else {
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j]!
      const k = codes[i]!
      if (values[i]! > acc[k]!) acc[k] = values[i]!
    }
  }
}
