/**
 * Bytes the aggregation caches hold beside a columnar table, by kind, for benches and tests:
 *
 *   data        the table's own column arrays
 *   numeric     Float64 copies of columns stored otherwise (Float32, Int16, arrays)
 *   bins, dict  group codes per row (bin.ts, table.ts)
 *   ranks       ranks of brushed columns (tiles.ts)
 *   sorted      row order of brushed columns (incremental.ts)
 *   states      per-query brush states: counts, masks of fixed clauses, tiles (incremental.ts)
 *   selections  remembered `where` selections and the spare buffer (where.ts)
 *
 * Only what is reachable from this table's columns is counted (the spare buffer is shared
 * by all tables and counted here too). Arrays shared between caches are counted once.
 */
import { sortedBytes, statesBytes } from './incremental'
import { type ColumnarTable, open } from './table'
import { ranksBytes } from './tiles'
import { selectionsBytes } from './where'

export interface CacheBytes {
  data: number
  numeric: number
  bins: number
  dict: number
  ranks: number
  sorted: number
  states: number
  selections: number
  /** Everything but `data`. */
  total: number
}

const bytesOf = (x: unknown): number =>
  x instanceof ArrayBuffer ? x.byteLength : ArrayBuffer.isView(x) ? x.byteLength : Array.isArray(x) ? 8 * x.length : 0

export function cacheBytes(table: ColumnarTable): CacheBytes {
  const source = open(table)
  const seen = new Set<unknown>()
  const once = (x: unknown) => {
    if (x === undefined || x === null || seen.has(x)) return 0
    seen.add(x)
    return bytesOf(x)
  }
  const out: CacheBytes = {
    data: 0,
    numeric: 0,
    bins: 0,
    dict: 0,
    ranks: 0,
    sorted: 0,
    states: 0,
    selections: 0,
    total: 0,
  }
  const columns = source.names().map((name) => source.column(name))
  for (const c of columns) out.data += once(c.raw)
  for (const c of columns) {
    out.numeric += once(c.numeric)
    for (const b of c.bins?.values() ?? []) out.bins += once((b as { codes: unknown }).codes)
    out.dict += once(c.dict?.codes)
    out.ranks += ranksBytes(c, once)
    out.sorted += sortedBytes(c, once)
    out.states += statesBytes(c.raw as object, once)
    out.selections += selectionsBytes(c.raw as object, once)
  }
  out.total = out.numeric + out.bins + out.dict + out.ranks + out.sorted + out.states + out.selections
  return out
}
