/**
 * What a board that keeps data loads, by dynamic import, the first time it needs it: its
 * Persistence (codecs, IndexedDB, idb-keyval), cross-tab sync of stores and clears, and
 * clear() / clearSession(). A memory-only board never downloads any of it (budget P9);
 * board.ts reaches it through `BoardImpl.keep()` and `persist()`.
 */
import type { BoardImpl } from '../graph/board'
import { syncStores } from '../sync/broadcast'
import { clearBoard, clearSession, listenForClears } from '../sync/clear'
import { Persistence } from './storage'
import { idbOf } from './idb'

export interface Kept {
  readonly persistence: Persistence
  /** Once started: other tabs' changes (storage events, idb commits) and clears. Idempotent. */
  follow(): void
  /** Other tabs' clear() and clearSession() only (a board that asked for its session). */
  followClears(): void
  clear(): Promise<void>
  clearSession(): Promise<void>
}

export function keep(b: BoardImpl): Kept {
  const persistence = new Persistence(
    {
      name: b.name,
      version: b.version,
      idb: () => idbOf(b),
      warn: (key, message, cause) => b.warn(key, message, cause),
      persistFailed: (store, error) => b.emit('persist-failed', { store: store.id, bytes: store.bytes, error }),
      remoteChange: (id, restored) => b.remoteChange(id, restored),
      committed: (ids) => {
        for (const h of b.hooks.committed) h(ids)
      },
    },
    () => b.stores.values(),
  )
  let syncing = false
  return {
    persistence,
    follow() {
      // Loaded after dispose (queued work runs even so): open no listener nobody will close.
      if (b.scheduler.disposed) return
      persistence.listen()
      // idb stores follow other tabs through BroadcastChannel hints (local ones through
      // storage events, above); once, however many idb stores are defined later.
      if (!syncing && [...b.stores.values()].some((s) => s.storage === 'idb')) {
        syncing = true
        syncStores(b)
      }
      listenForClears(b)
    },
    followClears: () => {
      if (!b.scheduler.disposed) listenForClears(b)
    },
    clear: () => clearBoard(b),
    clearSession: () => clearSession(b),
  }
}
