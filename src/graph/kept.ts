/**
 * The board's half of the seams to persistence, cross-tab sync, clears, sessions and the
 * cache: the narrow host each of them is handed (PersistenceHost, SyncHost, ClearHost,
 * SessionHost, CacheHost), and what the board does with them (restore, follow, reset).
 * It loads by dynamic import, with the code it wires, the first time a board keeps data
 * (a persisted store, a cache, a clear): a memory-only board downloads none of it (budget
 * P9). It sees the board through `KeptBoard`, not the board's class.
 */
import type { Cache } from '../cache/flight'
import type { CacheHost } from '../cache/memo'
import { type Idb, openBoardIdb } from '../storage/idb'
import { Persistence, type PersistenceHost, type Restored, type Wave } from '../storage/storage'
import { applyRemote, boardChannel, type Channel, syncStores } from '../sync/broadcast'
import { type ClearHost, clearBoard, clearSession, listenForClears } from '../sync/clear'
import { Session } from '../sync/session'
import type { Scheduler } from './schedule'
import type { CallbackNode, Origin, StoreNode } from './store'
import type { BoardEvents } from './types'

/** What the loaded half needs of the board (graph/board.ts implements it). */
export interface KeptBoard {
  readonly name: string
  readonly version: string | number
  readonly stores: ReadonlyMap<string, StoreNode>
  readonly callbacks: readonly CallbackNode[]
  readonly scheduler: Scheduler
  /** The worker pool's extension points: released handles, clears, handles held. */
  readonly hooks: {
    readonly replaced: ReadonlyArray<(store: StoreNode | undefined, old: object) => void>
    readonly clear: ReadonlyArray<(scope: 'session' | 'all') => void | Promise<void>>
    readonly holds: Array<(handleId: string) => boolean>
  }
  /** Stores set before start: restore must not overwrite them. */
  readonly setBeforeStart: ReadonlySet<StoreNode>
  /** A write from outside a callback, with its intent (store.ts Origin). */
  write(
    store: StoreNode,
    value: unknown,
    how: { origin: Exclude<Origin, 'callback'>; modifiedAt?: number | undefined },
  ): boolean
  /** The board's database, opened on first use with `open`. */
  database(open: typeof openBoardIdb): Idb | undefined
  sessionId(): string
  /** The id `board.session.id` gave out before the session was made, if it was read. */
  earlySessionId(): string | undefined
  sessionReady(): Promise<void>
  warn(key: string, message: string, cause?: unknown): void
  emit<K extends keyof BoardEvents>(type: K, e: BoardEvents[K]): void
  batch<T>(fn: () => T): T
  idle(): Promise<void>
}

export class Kept {
  readonly persistence: Persistence
  #channel: Channel | undefined
  /** The tab's session as this board uses it, made on first need. */
  #session: Session | undefined
  #cache: Cache | undefined
  #caching: Promise<Cache> | undefined
  /** What sync and clears see of the board: one object, so they know it again. */
  #clearHost: ClearHost | undefined
  /** Told after each IndexedDB commit of stores: cross-tab sync of idb stores, once following. */
  #committed: ((storeIds: string[]) => void) | undefined
  /** What sync asked to run at dispose (leaving the page's boards of this name). */
  readonly #disposers: Array<() => void> = []

  constructor(private readonly b: KeptBoard) {
    this.persistence = new Persistence(this.#persistenceHost(), () => b.stores.values())
  }

  /** The session's id once the session is made; the board gives out an early one before. */
  get sessionId(): string | undefined {
    return this.#session?.id
  }

  /** navigator.storage.estimate(), for inspect(): read once the cache runs. */
  get estimate(): { usage: number; quota: number } | undefined {
    return this.#cache?.estimate
  }

  #idb(): Idb | undefined {
    return this.b.database(openBoardIdb)
  }

  #persistenceHost(): PersistenceHost {
    const b = this.b
    return {
      name: b.name,
      version: b.version,
      idb: () => this.#idb(),
      warn: (key, message, cause) => b.warn(key, message, cause),
      persistFailed: (store, error) => b.emit('persist-failed', { store: store.id, bytes: store.bytes, error }),
      remoteChange: (id, restored) => applyRemote(this.#clearHostOf(), id, restored),
      evictCache: async () => {
        const idb = this.#idb()
        // The cache's code loads here if nothing loaded it yet: entries of earlier pages may exist.
        if (idb) await (await this.cache()).memo.evictOldest(idb, '')
      },
      committed: (ids) => this.#committed?.(ids),
    }
  }

  // ---- start ------------------------------------------------------------------------------

  /** start(): persisted stores not set meanwhile take their stored values; returns the persisted stores. */
  async restore(): Promise<StoreNode[]> {
    const b = this.b
    const persisted = [...b.stores.values()].filter((s) => s.storage !== 'memory' && !b.setBeforeStart.has(s))
    if (!persisted.length) return persisted
    const restored = await this.persistence.restore(persisted)
    if (b.scheduler.disposed) return persisted
    for (const [id, r] of restored) {
      const s = b.stores.get(id)
      if (!s || b.setBeforeStart.has(s)) continue // set while restoring: the newer value wins
      b.write(s, r.value, { origin: 'restore', modifiedAt: r.modifiedAt })
    }
    return persisted
  }

  /**
   * A persisted store created after start() (a pattern family's new member): its entry is
   * read now. A value set meanwhile wins; no entry is written at the initial value (t = 0)
   * so that the next load finds it restored, as writeUnmodified does at start.
   */
  async restoreLate(list: StoreNode[]): Promise<void> {
    const b = this.b
    const restored = await this.persistence.restore(list)
    if (b.scheduler.disposed) return
    const wave: Wave = []
    for (const s of list) {
      const r = restored.get(s.id)
      if (s.removed || s.modifiedAt !== undefined) continue // set meanwhile: the newer value wins
      if (!r) {
        wave.push([s, s.value, 0])
        continue
      }
      b.write(s, r.value, { origin: 'restore', modifiedAt: r.modifiedAt })
      s.notify()
    }
    if (!wave.length) return
    this.persistence.settle(wave)
    await this.persistence.pending()
  }

  /**
   * start(), after the initial wave: stores the first load left at their initial value have
   * no entry yet. Write them (t = 0: never modified) so the next load finds every store
   * restored and does not re-run callbacks whose inputs, state and outputs are all
   * unchanged (guarantee 4).
   */
  writeUnmodified(persisted: StoreNode[]): Promise<void> | undefined {
    if (this.b.scheduler.disposed) return undefined
    const wave: Wave = persisted.filter((s) => !s.restored && s.modifiedAt === undefined).map((s) => [s, s.value, 0])
    if (!wave.length) return undefined
    this.persistence.settle(wave)
    return this.persistence.pending()
  }

  /** Once started: other tabs' changes (storage events, idb commits) and clears. Idempotent. */
  follow(): void {
    // Loaded after dispose (queued work runs even so): open no listener nobody will close.
    if (this.b.scheduler.disposed) return
    this.persistence.listen()
    // idb stores follow other tabs through BroadcastChannel hints (local ones through
    // storage events, above); once, however many idb stores are defined later.
    if (!this.#committed && [...this.b.stores.values()].some((s) => s.storage === 'idb')) {
      this.#committed = syncStores(this.#clearHostOf())
    }
    listenForClears(this.#clearHostOf())
  }

  // ---- sessions, clears, the cache ----------------------------------------------------------

  /** The board's session, made on first use; a board with one follows other tabs' clears. */
  sessionOf(): Session {
    const b = this.b
    if (!this.#session) {
      this.#session = new Session({
        name: b.name,
        warn: (key, message, cause) => b.warn(key, message, cause),
        // Another board of the tab logged out: so does this one (not told again to other tabs).
        renewed: (old) => b.scheduler.track(clearSession(this.#clearHostOf(), false, old)),
      })
      // Made after dispose (asked for just before it): hold no lock nobody will release.
      if (b.scheduler.disposed) this.#session.dispose()
      // The first 'session' event: the id is final once the duplicated-tab check is done.
      const session = this.#session
      const early = b.earlySessionId()
      session.ready.then(
        () => {
          if (b.scheduler.disposed) return
          const id = session.id
          b.emit('session', { id, previous: early !== id ? early : undefined })
        },
        () => undefined, // a failure to settle shows through `board.session.ready` and start()
      )
    }
    if (!b.scheduler.disposed) listenForClears(this.#clearHostOf())
    return this.#session
  }

  clear(): Promise<void> {
    return clearBoard(this.#clearHostOf())
  }

  clearSession(): Promise<void> {
    return clearSession(this.#clearHostOf())
  }

  /** The cache, loaded with the first cached callback (or a clear, or storage pressure). */
  cache(): Promise<Cache> {
    this.#caching ??= import('../cache/flight').then((m) => {
      const cache = new m.Cache(this.#cacheHost())
      // The pool asks before releasing a handle: a hit must never hand out a released one.
      this.b.hooks.holds.push((id) => cache.memo.holds(id))
      this.#cache = cache
      return cache
    })
    return this.#caching
  }

  #channelOf(): Channel {
    const b = this.b
    this.#channel ??= boardChannel(b.name, (key, message) => b.warn(key, message))
    return this.#channel
  }

  #cacheHost(): CacheHost {
    const b = this.b
    return {
      name: b.name,
      version: b.version,
      idb: () => this.#idb(),
      channel: () => this.#channelOf(),
      sessionId: () => b.sessionId(),
      sessionReady: () => b.sessionReady(),
      disposed: () => b.scheduler.disposed,
      track: (p) => b.scheduler.track(p),
      warn: (key, message, cause) => b.warn(key, message, cause),
      persistFailed: (e) => b.emit('persist-failed', e),
      storeValues: () => [...b.stores.values()].map((s) => s.value),
      released: (value) => {
        for (const h of b.hooks.replaced) h(undefined, value)
      },
    }
  }

  /** Callbacks bound to the session: a session-scope cache, or a `session` store read. */
  #sessionBound(): CallbackNode[] {
    return this.b.callbacks.filter(
      (n) => n.cache?.scope === 'session' || [...n.inputs, ...n.state].some((s) => s.storage === 'session'),
    )
  }

  #clearHostOf(): ClearHost {
    const b = this.b
    const kept = this
    this.#clearHost ??= {
      name: b.name,
      version: b.version,
      store: (id) => b.stores.get(id),
      stores: () => b.stores.values(),
      write(id, restored: Restored | undefined) {
        const s = b.stores.get(id)
        if (s) b.write(s, restored ? restored.value : s.initial, { origin: 'remote', modifiedAt: restored?.modifiedAt })
      },
      disposed: () => b.scheduler.disposed,
      idb: () => kept.#idb(),
      channel: () => kept.#channelOf(),
      onDispose: (fn) => void kept.#disposers.push(fn),
      session: () => kept.sessionOf(),
      abortSession() {
        for (const n of kept.#sessionBound()) b.scheduler.abort(n)
      },
      async forget(what) {
        // The cache's code loads here if nothing loaded it yet: entries of earlier pages may exist.
        const cache = await kept.cache()
        await Promise.all([
          what.scope === 'session' ? cache.memo.dropSession(what.sid) : cache.memo.clearAll(what.shared),
          ...b.hooks.clear.map((h) => h(what.scope)),
        ])
      },
      reset: (scope, told) => kept.#reset(scope, told),
      renewed: (previous, id) => b.emit('session', { id, previous }),
      track: (p) => b.scheduler.track(p),
      idle: () => b.idle(),
    }
    return this.#clearHost
  }

  /** A clear's one wave here: stores of the scope back to initial, their callbacks again. */
  #reset(scope: 'session' | 'all', told: boolean): void {
    const b = this.b
    const rerun = b.scheduler.started && !b.scheduler.disposed
    b.batch(() => {
      if (scope === 'session') {
        for (const s of b.stores.values()) if (s.storage === 'session') s.clear()
        // Not started yet: start()'s initial wave runs them, in the new session.
        if (rerun) for (const n of this.#sessionBound()) b.scheduler.mark(n)
        return
      }
      for (const s of b.stores.values()) {
        if (!told || s.storage === 'memory' || s.storage === 'session') s.clear()
        else {
          // A told tab resets its live local and idb stores without removing their shared
          // entries: the asking tab removed them already, and may have written recomputed
          // values since, which a removal here would delete (for good, if no page here
          // computes them again).
          applyRemote(this.#clearHostOf(), s.id, undefined)
          s.modifiedAt = undefined
        }
      }
      // S18: a store may be at initial already (in a told tab, its storage event came before
      // the message; in any tab, it was never changed): resetting it changes nothing, what is
      // downstream of it does not run, and a derived store reset above stays blank for good
      // (a stale or empty output beside unchanged inputs). A clear leaves the board as a new
      // one: its callbacks run as in an initial wave (preventInitialCall ones only if an input
      // changed), in the asking tab and in every told tab.
      if (rerun) for (const n of b.callbacks) if (!n.preventInitialCall) b.scheduler.mark(n)
    })
  }

  dispose(): void {
    this.persistence.dispose()
    // The key locks the cache holds are let go, as a closed tab does (F21).
    this.#cache?.dispose()
    this.#session?.dispose()
    for (const fn of this.#disposers) fn()
    this.#channel?.close()
  }
}
