/**
 * `topK(table, k, col)`: the k rows with the largest `col`, largest first, as columns.
 * One pass with a size-k min-heap (k log k memory, n log k time); ties keep row order;
 * rows where `col` is missing are never picked. Values come back as the table holds them,
 * except bigints (Arrow Int64, timestamps), which come back as numbers.
 */
import { AggregationError } from '../errors'
import { open, requireNumeric, type Table } from './table'
import { select, type Where } from './where'

/** Options of `topK`: only rows passing `where`, only these columns in the result. */
export interface TopKOptions {
  readonly where?: Where | undefined
  readonly columns?: readonly string[]
}

/**
 * The k rows with the largest `column`, largest first, every column (or `columns`) kept.
 *
 * @example
 * topK(flights, 3, 'delay') // → { delay: [1500, 1320, 1207], distance: [...], ... }
 */
export function topK(
  table: Table,
  k: number,
  column: string,
  options: TopKOptions = {},
): { [column: string]: unknown[] } {
  if (!(Number.isInteger(k) && k >= 0)) {
    throw new AggregationError(
      'bad-spec',
      `topK on "${column}" needs k as a whole number ≥ 0, got ${String(k)}`,
      column,
    )
  }
  const source = open(table)
  const values = requireNumeric(source.column(column), 'ranked by topK')
  const names = options.columns ?? source.names()
  const states = names.map((name) => source.column(name))
  const sel = select(source, options.where)
  const total = sel ? sel.length : source.rows

  // Heap of row indices; the root is the weakest kept row (smallest value, latest row).
  const heap: number[] = []
  const weaker = (a: number, b: number) => values[a]! < values[b]! || (values[a] === values[b] && a > b)
  const up = (at: number) => {
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (!weaker(heap[at]!, heap[parent]!)) break
      ;[heap[at], heap[parent]] = [heap[parent]!, heap[at]!]
      at = parent
    }
  }
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1
      const r = l + 1
      let m = at
      if (l < heap.length && weaker(heap[l]!, heap[m]!)) m = l
      if (r < heap.length && weaker(heap[r]!, heap[m]!)) m = r
      if (m === at) return
      ;[heap[at], heap[m]] = [heap[m]!, heap[at]!]
      at = m
    }
  }
  if (k > 0) {
    for (let j = 0; j < total; j++) {
      const i = sel ? sel[j]! : j
      const v = values[i]!
      if (v !== v) continue
      if (heap.length < k) {
        heap.push(i)
        up(heap.length - 1)
      } else if (weaker(heap[0]!, i)) {
        heap[0] = i
        down(0)
      }
    }
  }
  const order = heap.sort((a, b) => (weaker(a, b) ? 1 : weaker(b, a) ? -1 : 0))
  const out: { [column: string]: unknown[] } = {}
  for (const state of states) {
    const raw = state.raw
    out[state.name] = order.map((i) => {
      const v = raw[i]
      // Arrow timestamps and 64-bit integers arrive as bigint: give numbers, as aggregate does.
      if (typeof v === 'bigint') return Number(v)
      return v === undefined || (typeof v === 'number' && v !== v) ? null : v
    })
  }
  return out
}
