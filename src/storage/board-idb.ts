/** The board's own IndexedDB database (idb.ts opens it). */
import type { BoardImpl } from '../graph/board'
import { type Idb, openIdb } from './idb'
import { nameOf } from './names'

/**
 * The board's database, opened on first use and shared by persisted stores, the cache and
 * the worker pool; undefined when IndexedDB cannot be used. It lives here rather than on the
 * board so that only the code that loads IndexedDB (by dynamic import) brings it along: a
 * memory-only board never downloads this file or idb-keyval. Not in idb.ts, which the
 * worker side imports whole (by dynamic import, so nothing of it is tree-shaken there).
 */
export function idbOf(b: BoardImpl): Idb | undefined {
  if (b.idbHandle === undefined) {
    const o = b.opts.idb
    if (o === false || (typeof indexedDB === 'undefined' && !o?.open)) {
      b.idbHandle = null
      b.warn('no-idb', `IndexedDB is not available; board "${b.name}" keeps idb stores in memory only.`)
    } else {
      b.idbHandle = openIdb(nameOf(b.name), {
        ...(o?.open ? { open: o.open } : {}),
        ...(o?.openTimeoutMs ? { openTimeoutMs: o.openTimeoutMs } : {}),
        warn: (kind, m, c) => b.warn(`idb-${kind}`, m, c),
      })
      // Opened after dispose (a write queued before it was still flushing): close it at once.
      if (b.scheduler.disposed) b.idbHandle.dispose()
    }
  }
  return b.idbHandle ?? undefined
}
