/**
 * What a board that keeps data loads, by dynamic import, the first time it needs it: its
 * Persistence (codecs, IndexedDB, idb-keyval), cross-tab sync of stores and clears, and
 * clear() / clearSession(). A memory-only board never downloads any of it (budget P9);
 * board.ts reaches it through `BoardImpl.keep()` and `persist()`.
 */
import type { BoardImpl, StoreNode } from '../graph/board'
import { applyRemote, syncStores } from '../sync/broadcast'
import { clearBoard, clearSession, listenForClears } from '../sync/clear'
import { type Session, sessionOf } from '../sync/session'
import { Persistence } from './storage'
import { idbOf } from './board-idb'

export interface Kept {
  readonly persistence: Persistence
  /** start(): persisted stores not set meanwhile take their stored values; returns the persisted stores. */
  restore(): Promise<StoreNode[]>
  /** start(), after the initial wave: an entry for each store still at its initial value. */
  writeUnmodified(persisted: StoreNode[]): Promise<void> | undefined
  /** Once started: other tabs' changes (storage events, idb commits) and clears. Idempotent. */
  follow(): void
  clear(): Promise<void>
  clearSession(): Promise<void>
  /** The board's session, made on first use (board.session, start(), the cache); a board
   *  with one follows other tabs' clears. */
  sessionOf(): Session
}

export function keep(b: BoardImpl): Kept {
  const persistence = new Persistence(
    {
      name: b.name,
      version: b.version,
      idb: () => idbOf(b),
      warn: (key, message, cause) => b.warn(key, message, cause),
      persistFailed: (store, error) => b.emit('persist-failed', { store: store.id, bytes: store.bytes, error }),
      remoteChange: (id, restored) => applyRemote(b, id, restored),
      evictCache: async () => {
        const idb = idbOf(b)
        if (!idb) return
        // The cache's code loads here if nothing loaded it yet: entries of earlier pages may exist.
        const { cacheOf } = await import('../cache/flight')
        await cacheOf(b).memo.evictOldest(idb, '')
      },
      committed: (ids) => {
        for (const h of b.hooks.committed) h(ids)
      },
    },
    () => b.stores.values(),
  )
  let syncing = false
  const k: Kept = {
    persistence,
    async restore() {
      const persisted = [...b.stores.values()].filter((s) => s.storage !== 'memory' && !s.touched)
      if (!persisted.length) return persisted
      const restored = await persistence.restore(persisted)
      if (b.scheduler.disposed) return persisted
      for (const [id, r] of restored) {
        const s = b.stores.get(id)!
        if (s.touched) continue // set while restoring: the newer value wins
        s.value = r.value
        // t = 0 marks an entry written at its initial value: never modified.
        s.modifiedAt = r.modifiedAt || undefined
        s.restored = true
      }
      return persisted
    },
    writeUnmodified(persisted) {
      // Stores the first load left at their initial value have no entry yet. Write them
      // (t = 0: never modified) so the next load finds every store restored and does not
      // re-run callbacks whose inputs, state and outputs are all unchanged (guarantee 4).
      let wrote = false
      for (const s of persisted) {
        if (s.restored || s.modifiedAt !== undefined || b.scheduler.disposed) continue
        persistence.write(s, s.value, 0)
        wrote = true
      }
      if (!wrote) return undefined
      persistence.flush()
      return persistence.pending()
    },
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
    clear: () => clearBoard(b),
    clearSession: () => clearSession(b),
    sessionOf() {
      if (!b.scheduler.disposed) listenForClears(b)
      return sessionOf(b)
    },
  }
  // What the board queued before this code arrived (writes of waves settled meanwhile...),
  // in order; then the board sets `kept` and goes on directly.
  for (const fn of b.keptQueue.splice(0)) {
    try {
      fn(k)
    } catch (e) {
      b.warn('persist', `board "${b.name}": a write queued while its storage code loaded failed.`, e)
    }
  }
  // Disposed while loading: the queued writes have run (Web Storage ones are kept; IndexedDB,
  // closed by dispose, reports them failed as it would have just after a wave); listen to nothing.
  if (b.scheduler.disposed) persistence.dispose()
  return k
}
