/**
 * One IndexedDB database per board, opened lazily, with the object stores every part of
 * switchboard shares: `stores` (persisted store values), `cache` (memo entries), `handles`
 * (worker data persisted for other workers and tabs). Reads and writes go through
 * idb-keyval with our own `UseStore`, because we need what createStore does not give:
 *
 * - the connection is opened on first use and forgotten on `close` / `versionchange`, so
 *   the next call reopens (Chromium fires `close` when the backing store goes away:
 *   "database connection is closing", "Connection to Indexed Database server lost");
 * - an open that never settles (seen in private modes and after crashes) times out;
 * - an operation that fails on a closed connection reopens once and retries, then the
 *   database declares itself degraded and the board carries on from memory, with ONE warning.
 */

import type { UseStore } from 'idb-keyval'
import * as kv from 'idb-keyval'
import { StorageError } from '../errors'
import { nameOf } from './names'

export type ObjectStoreName = 'stores' | 'cache' | 'handles'
const objectStores: ObjectStoreName[] = ['stores', 'cache', 'handles']
const version = 1

export interface IdbOptions {
  /** ms before an open that has not settled is given up (F07). */
  openTimeoutMs?: number
  /** Test and fault seam: how the database is opened. Defaults to `indexedDB.open`. */
  open?: (name: string, version: number) => IDBOpenDBRequest
  /** Told once when the database turns unusable, and on each blocked upgrade or versionchange. */
  warn?: (kind: 'degraded' | 'blocked' | 'closed', message: string, cause?: unknown) => void
}

export interface Idb {
  readonly name: string
  /** 'ok' until the database fails for good; then every call rejects at once. */
  readonly state: 'ok' | 'degraded'
  store(name: ObjectStoreName): UseStore
  getMany<T>(store: ObjectStoreName, keys: IDBValidKey[]): Promise<(T | undefined)[]>
  setMany(store: ObjectStoreName, entries: [IDBValidKey, unknown][]): Promise<void>
  delMany(store: ObjectStoreName, keys: IDBValidKey[]): Promise<void>
  keys(store: ObjectStoreName): Promise<IDBValidKey[]>
  clear(store: ObjectStoreName): Promise<void>
  /**
   * One transaction on `store`, under the same reopen-once rule: `fn` queues requests (and
   * may chain more from their callbacks, filling the object it returned); resolves with
   * that object once the transaction has COMMITTED, rejects with the transaction's error.
   * A request callback that fails calls `fail(e)`: the transaction aborts, rejecting with `e`.
   */
  tx<T>(
    store: ObjectStoreName,
    mode: IDBTransactionMode,
    fn: (os: IDBObjectStore, fail: (e: unknown) => void) => T,
  ): Promise<T>
  /** Closes the connection; the next call reopens unless `dispose`d. */
  close(): void
  dispose(): void
}

function isConnectionLoss(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name
  const message = String((e as { message?: string } | null)?.message ?? '')
  return (
    name === 'InvalidStateError' ||
    name === 'UnknownError' ||
    /connection is closing|server lost|database connection/i.test(message)
  )
}

export function openIdb(name: string, opts: IdbOptions = {}): Idb {
  const openTimeoutMs = opts.openTimeoutMs ?? 3000
  let dbp: Promise<IDBDatabase> | undefined
  let state: 'ok' | 'degraded' = 'ok'
  let disposed = false
  let degradedError: StorageError | undefined

  function degrade(cause: unknown, why: string): StorageError {
    if (!degradedError) {
      state = 'degraded'
      degradedError = new StorageError('unavailable', `IndexedDB "${name}" ${why}; using memory only.`, cause)
      opts.warn?.('degraded', degradedError.message, cause)
    }
    return degradedError
  }

  function connect(): Promise<IDBDatabase> {
    if (dbp) return dbp
    dbp = new Promise<IDBDatabase>((resolve, reject) => {
      let request: IDBOpenDBRequest
      try {
        if (!opts.open && typeof indexedDB === 'undefined') throw new Error('indexedDB is not defined')
        request = opts.open ? opts.open(name, version) : indexedDB.open(name, version)
      } catch (e) {
        reject(e)
        return
      }
      const timer = setTimeout(() => {
        reject(new StorageError('timeout', `IndexedDB "${name}" did not open within ${openTimeoutMs} ms.`))
      }, openTimeoutMs)
      request.onupgradeneeded = () => {
        const db = request.result
        for (const s of objectStores) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s)
      }
      // Another tab holds an older version open and has not closed it yet (F04).
      request.onblocked = () => opts.warn?.('blocked', `IndexedDB "${name}" upgrade is blocked by another tab.`)
      request.onerror = () => {
        clearTimeout(timer)
        reject(request.error)
      }
      request.onsuccess = () => {
        clearTimeout(timer)
        const db = request.result
        // Made by other code at our version, without our object stores: every transaction
        // would throw NotFoundError. Unusable, like a database at a higher version (S16).
        const missing = objectStores.filter((s) => !db.objectStoreNames.contains(s))
        if (missing.length) {
          db.close()
          reject(
            new StorageError(
              'unavailable',
              `IndexedDB "${name}" has no object store ${missing.map((m) => `"${m}"`).join(', ')}.`,
            ),
          )
          return
        }
        // Forget the connection when the browser or another tab takes it away; the next
        // call reopens. versionchange: another tab wants to upgrade, so we must let go.
        db.onclose = () => {
          if (dbp === current) dbp = undefined
        }
        db.onversionchange = () => {
          db.close()
          if (dbp === current) dbp = undefined
          opts.warn?.('closed', `IndexedDB "${name}" was closed for an upgrade from another tab.`)
        }
        resolve(db)
      }
    })
    const current = dbp
    // A failed open is not cached: the next call may try again (after `run`'s retry logic).
    current.catch(() => {
      if (dbp === current) dbp = undefined
    })
    return current
  }

  function useStore(storeName: ObjectStoreName): UseStore {
    return (txMode, callback) =>
      connect().then((db) => {
        const tx = db.transaction(storeName, txMode)
        return callback(tx.objectStore(storeName))
      })
  }

  /** Runs one operation; on a lost connection reopens once and retries, then degrades. */
  async function run<T>(op: () => Promise<T>): Promise<T> {
    if (disposed) throw new StorageError('closed', `IndexedDB "${name}" is disposed.`)
    if (degradedError) throw degradedError
    try {
      return await op()
    } catch (e) {
      if (e instanceof StorageError && e.code === 'timeout') throw degrade(e, 'never finished opening')
      if (e instanceof StorageError && e.code === 'unavailable') throw degrade(e, `cannot be used (${e.message})`)
      if (!isConnectionLoss(e) && !isOpenFailure(e)) throw e
      dbp = undefined
      try {
        return await op()
      } catch (again) {
        if (
          isConnectionLoss(again) ||
          isOpenFailure(again) ||
          (again instanceof StorageError && again.code === 'timeout')
        ) {
          throw degrade(again, 'cannot be used')
        }
        throw again
      }
    }
  }

  const stores = new Map<ObjectStoreName, UseStore>()
  const store = (s: ObjectStoreName) => {
    let u = stores.get(s)
    if (!u) stores.set(s, (u = useStore(s)))
    return u
  }

  return {
    name,
    get state() {
      return state
    },
    store,
    getMany: (s, keys) => run(() => kv.getMany(keys, store(s))),
    setMany: (s, entries) => run(() => kv.setMany(entries, store(s))),
    delMany: (s, keys) => run(() => kv.delMany(keys, store(s))),
    keys: (s) => run(() => kv.keys(store(s))),
    clear: (s) => run(() => kv.clear(store(s))),
    tx: (s, mode, fn) =>
      run(() =>
        connect().then(
          (db) =>
            new Promise((resolve, reject) => {
              const t = db.transaction(s, mode)
              let out: ReturnType<typeof fn>
              let failure: unknown
              const fail = (e: unknown) => {
                failure ??= e
                try {
                  t.abort()
                } catch {
                  // already finished: nothing to undo
                }
              }
              t.oncomplete = () => resolve(out)
              t.onabort = () =>
                reject(failure ?? t.error ?? new DOMException(`a transaction on "${s}" was aborted.`, 'AbortError'))
              try {
                out = fn(t.objectStore(s), fail)
              } catch (e) {
                // A request threw synchronously (quota, DataCloneError): undo what was queued.
                try {
                  t.abort()
                } catch {
                  // already finished: nothing to undo
                }
                reject(e)
              }
            }),
        ),
      ),
    close() {
      void dbp?.then(
        (db) => db.close(),
        () => undefined,
      )
      dbp = undefined
    },
    dispose() {
      disposed = true
      this.close()
    },
  }
}

/** open() itself failed: no IndexedDB, a sandboxed frame, a SecurityError (F06). */
function isOpenFailure(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name
  const message = String((e as { message?: string } | null)?.message ?? '')
  // VersionError: another tab upgraded the database to a newer version of the app (F04).
  return name === 'SecurityError' || name === 'VersionError' || /indexedDB is not defined/.test(message)
}

/** The board options that say how its database opens (BoardOptions.idb). */
export type BoardIdbOptions =
  | { open?: (name: string, version: number) => IDBOpenDBRequest; openTimeoutMs?: number }
  | false
  | undefined

/**
 * A board's own database (`nameOf(board)`), shared by its persisted stores, its cache and
 * its worker pool; null when IndexedDB cannot be used here or the board opted out (said
 * once). The board calls this once and keeps the handle: only code loaded by dynamic
 * import reaches it, so a memory-only board never downloads this file or idb-keyval.
 */
export function openBoardIdb(
  board: string,
  o: BoardIdbOptions,
  warn: (key: string, message: string, cause?: unknown) => void,
): Idb | null {
  if (o === false || (typeof indexedDB === 'undefined' && !o?.open)) {
    warn('no-idb', `IndexedDB is not available; board "${board}" keeps idb stores in memory only.`)
    return null
  }
  return openIdb(nameOf(board), {
    ...(o?.open ? { open: o.open } : {}),
    ...(o?.openTimeoutMs ? { openTimeoutMs: o.openTimeoutMs } : {}),
    warn: (kind, message, cause) => warn(`idb-${kind}`, message, cause),
  })
}
