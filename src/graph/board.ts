/**
 * The board: one app's graph of stores and callbacks. This file defines and validates the
 * graph (guarantee 5: cycles and duplicate outputs are refused here), wires stores to
 * storage, and owns the lifecycle (start, idle, batch, dispose, inspect). How a wave runs
 * is the scheduler's story, in schedule.ts.
 */
import { CallbackError, GraphError, type NoUpdate } from '../errors'
import type { Codec } from '../storage/codec'
import type { Idb } from '../storage/idb'
import type { Kept } from '../storage/kept'
import { sizeOf } from '../storage/size'
import type { PersistedKind, PersistedStore, Persistence, StorageKind, Wave } from '../storage/storage'
import { type CacheRunner, type CallbackNode, type Ctx, Scheduler, type Stats } from './schedule'
import { broadcastWorks, earlySessionId, webLocks } from '../sync/id'
import type { Session } from '../sync/session'
import type { Handle } from '../worker/handle'
import { createPool, type PoolHost, type PoolOptions, resolveHandle, type TaskRun, type Tasks, type WorkerPool } from '../worker/pool'

export type { Ctx, Stats }

// ---- public types ----------------------------------------------------------------------

/**
 * A named value. Read with `get()`, write with `set(v)`; `subscribe(fn)` calls `fn(value)`
 * after each change (not at subscription) and returns its unsubscribe.
 */
export interface Store<T = unknown> {
  readonly id: string
  get(): T
  set(value: T): void
  subscribe(fn: (value: T) => void): () => void
  /** Back to `initial` (a normal change: downstream runs) and the persisted entry removed. */
  clear(): void
  /** When the value last changed, in ms since the epoch (dcc.Store's modified_timestamp). */
  readonly modifiedAt: number | undefined
  readonly storage: StorageKind
}

export interface StoreOptions<T> {
  initial?: T
  /** 'memory' (default), 'session', 'local' or 'idb'. */
  storage?: StorageKind
  /** Web Storage encoding: 'json' (default) or 'base64' for ArrayBuffer / typed arrays. */
  codec?: Codec
  /** Equality that decides whether a write is a change. Default `Object.is`. */
  equals?: (a: T, b: T) => boolean
  /** Web Storage payloads longer than this many characters go to IndexedDB. Default 1 000 000. */
  spillOver?: number
  /** Where a Web Storage value goes when storage is full: 'idb' (default) or 'memory'. */
  fallback?: 'idb' | 'memory'
  /** Persisted stores: an entry older than this (ms since it was set) is dropped on start. */
  maxAgeMs?: number
}

/** A store, or its id. */
export type StoreRef = Store<any> | string
type ValueOf<R> = R extends Store<infer T> ? T : unknown
type Values<R extends readonly StoreRef[]> = { -readonly [K in keyof R]: ValueOf<R[K]> }

/** What `run` returns: a value for one output, an array for several, anything for none. */
export type Returned<O> = O extends Store<infer T>
  ? T | NoUpdate
  : O extends readonly []
    ? unknown
    : O extends readonly [infer A]
      ? ValueOf<A> | NoUpdate
      : O extends readonly StoreRef[]
        ? // The tuple when TS infers one; a plain array otherwise (array literals in arrow
          // bodies are often not inferred as tuples). The length is checked at run time.
          { -readonly [K in keyof O]: ValueOf<O[K]> | NoUpdate } | ReadonlyArray<ValueOf<O[number]> | NoUpdate>
        : unknown

/**
 * Memoises a callback by a SHA-256 of its input and state values (memory LRU in front of
 * IndexedDB, one execution per key across callbacks and tabs).
 * @example
 * board.callback({ inputs: [query], outputs: [rows], run: search, cache: { ttlMs: 60_000, version: 2 } })
 */
export interface CacheOptions {
  /** 'global' (default): shared by every tab and session; 'session': this tab's session only. */
  scope?: 'global' | 'session'
  /** An entry expires this many ms after it was written. */
  ttlMs?: number
  /** Entries kept per cache id, in memory and IndexedDB alike, oldest evicted first. Default 100. */
  maxEntries?: number
  /** Bytes kept per cache id (estimated), oldest evicted first. */
  maxBytes?: number
  /** Part of the key: bump it when `run` changes what it computes. */
  version?: string | number
  /** Callbacks with the same cache id and equal inputs share entries. Default: the callback id. */
  id?: string
  /** How long another tab's computation of the same key is awaited before taking over. Default 60 000. */
  lockTimeoutMs?: number
}

export interface CallbackOptions<
  I extends readonly StoreRef[],
  S extends readonly StoreRef[],
  O extends StoreRef | readonly StoreRef[],
> {
  /** Stable id; defaults to the output ids joined by "+". */
  id?: string
  inputs: I
  state?: S
  outputs: O
  run: (...args: [...Values<I>, ...Values<S>, Ctx]) => Returned<O> | PromiseLike<Returned<O>>
  /** Skip the initial call (it still runs if upstream changes an input in the initial wave). */
  preventInitialCall?: boolean
  /** Allow this callback to write outputs another callback also writes. */
  allowDuplicate?: boolean
  /** Memoise results by a hash of inputs and state (see the cache docs). */
  cache?: CacheOptions
  /** Worker tasks: ms from when a worker takes the call until it is terminated. */
  timeoutMs?: number
  /** Worker tasks: terminate the worker when the run is superseded. */
  hardCancel?: boolean
}

/** A defined callback: its id, for inspect(), status hooks and errors. */
export interface Callback {
  readonly id: string
}

export interface StoreInfo {
  id: string
  storage: StorageKind
  codec: Codec | undefined
  /** Where the value is now ('idb' for a spilled Web Storage value, 'memory' after a fallback). */
  location: StorageKind
  bytes: number
  modifiedAt: number | undefined
}

export interface CallbackInfo {
  id: string
  inputs: string[]
  state: string[]
  outputs: string[]
  running: boolean
  progress: { fraction: number; note: string | undefined } | null
  cached: boolean
  error: string | undefined
  stats: Stats
}

export interface Inspection {
  name: string
  version: string | number
  stores: StoreInfo[]
  callbacks: CallbackInfo[]
  edges: Array<{ from: string; to: string; kind: 'input' | 'state' | 'output' }>
  capabilities: {
    indexedDB: boolean
    locks: boolean
    broadcast: boolean
    /** navigator.storage.estimate(), read once a cached callback runs. */
    storage: { usage: number; quota: number } | undefined
  }
}

export interface BoardEvents {
  /** Something degraded (storage full, corrupt entry dropped...). Printed once per kind. */
  warning: { message: string; cause?: unknown }
  /** A value could not be persisted; it stays in memory. */
  'persist-failed': { store: string; bytes: number; error: Error; key?: string }
  /** A callback failed (also in `board.errors`). */
  error: CallbackError
  /** A callback started, progressed or settled. */
  status: { callback: string }
}

export interface BoardOptions {
  name: string
  version?: string | number
  /**
   * Time and size every run, synchronous ones included, for `inspect()` and the dev panel
   * (which turns it on). Off by default: two clock reads and a size walk per run would
   * cost more than a small callback itself. Async and worker runs are always timed.
   */
  profile?: boolean
  /** Test and fault seam for IndexedDB: how the database is opened, and its open timeout. */
  idb?: { open?: (name: string, version: number) => IDBOpenDBRequest; openTimeoutMs?: number } | false
}

// ---- store nodes -------------------------------------------------------------------------

/** A store as the board and scheduler see it; users hold it typed as `Store<T>`. */
export class StoreNode<T = unknown> implements Store<T>, PersistedStore {
  value: T
  modifiedAt: number | undefined = undefined
  /** Callbacks reading this store as an input (a change marks them dirty). */
  readers: CallbackNode[] = []
  /** Callbacks reading it as state (no trigger, but they wait for its writers). */
  stateReaders: CallbackNode[] = []
  /** Callbacks declaring it as an output. */
  writers: CallbackNode[] = []
  /** In the scheduler's changed list already (notify and persist once per drain). */
  queued = false
  /** Its value came from storage at start (guarantee 4: no initial-call storm on reload). */
  restored = false
  /** Global write sequence number of its latest change (ctx.triggered reads it). */
  seq = 0
  /** Set by a write before start: restore must not overwrite it. */
  touched = false
  /** The next settle came from another tab: do not write it back. */
  remote = false
  /** The next settle is a clear(): remove the persisted entry instead of writing. */
  clearing = false
  location: StorageKind
  bytes = 0
  /** StoreOptions.maxAgeMs: restore drops an older entry (F25). */
  maxAgeMs = Infinity
  private subs: Array<(v: T) => void> = []

  constructor(
    readonly board: BoardImpl,
    readonly id: string,
    readonly initial: T,
    readonly storage: StorageKind,
    readonly codec: Codec,
    /** undefined: Object.is, inlined by the scheduler. */
    readonly equals: ((a: unknown, b: unknown) => boolean) | undefined,
    readonly spillOver: number,
    readonly fallback: 'idb' | 'memory',
  ) {
    this.value = initial
    this.location = storage
  }

  get(): T {
    return this.value
  }

  set(value: T): void {
    if (!this.board.scheduler.started) this.touched = true
    this.board.scheduler.write(this as StoreNode, value, undefined)
  }

  subscribe(fn: (value: T) => void): () => void {
    this.subs.push(fn)
    return () => {
      const i = this.subs.indexOf(fn)
      if (i >= 0) this.subs.splice(i, 1)
    }
  }

  clear(): void {
    // Disposed: the write below is ignored (with its warning), and so is the removal.
    if (this.board.scheduler.disposed) return void this.board.scheduler.write(this as StoreNode, this.initial, undefined)
    this.clearing = true
    const changed = this.board.scheduler.write(this as StoreNode, this.initial, undefined)
    if (!changed) {
      this.clearing = false
      if (this.storage !== 'memory') this.board.persist((p) => p.remove(this))
    }
    this.modifiedAt = undefined
  }

  notify(): void {
    const subs = this.subs
    if (subs.length === 0) return
    const v = this.value
    for (const fn of subs.length === 1 ? subs : subs.slice()) {
      try {
        fn(v)
      } catch (e) {
        // A throwing subscriber must not stop the others or the wave.
        this.board.warn(`subscriber-${this.id}`, `a subscriber of store "${this.id}" threw.`, e)
      }
    }
  }
}

// ---- the board ---------------------------------------------------------------------------

let boards = 0

class BoardImpl {
  readonly name: string
  readonly version: string | number
  readonly scheduler: Scheduler
  readonly errors = new Map<string, CallbackError>()
  readonly stores = new Map<string, StoreNode>()
  readonly callbacks: CallbackNode[] = []
  private callbackIds = new Set<string>()
  private idCounters = new Map<string, number>()
  private ranksDirty = false
  private nextRank = 0
  private listeners: { [K in keyof BoardEvents]?: Array<(e: BoardEvents[K]) => void> } = {}
  private warned = new Set<string>()
  /** The board's database once opened (storage/idb.ts idbOf); null when IndexedDB is unusable. */
  idbHandle: Idb | undefined | null = undefined
  private starting: Promise<void> | undefined
  /**
   * Persistence, cross-tab sync and clears (storage/kept.ts) load by dynamic import on first
   * need, so a memory-only board never downloads them. `kept` is set once they have loaded
   * and the writes queued meanwhile (`keptQueue`) have run.
   */
  kept: Kept | undefined = undefined
  /** The session once its code has loaded (sync/session.ts sessionOf). */
  session: Session | undefined = undefined
  /** The id `board.session.id` gave out before that (sync/id.ts); the session starts from it. */
  earlyId: string | undefined = undefined
  private keeping: Promise<Kept> | undefined
  readonly keptQueue: Array<(k: Kept) => void> = []
  /** Storage usage and quota, filled by the cache (cache/flight.ts). */
  storageEstimate: { usage: number; quota: number } | undefined = undefined
  /** Extension points for the worker pool and the cache (their own files). */
  readonly hooks = {
    /**
     * A store's object value was replaced or cleared, or (store undefined) the cache forgot
     * an entry holding it: worker handles in it are released here unless held elsewhere.
     */
    replaced: [] as Array<(store: StoreNode | undefined, old: object) => void>,
    /** IndexedDB committed these stores' values (cross-tab sync tells other tabs). */
    committed: [] as Array<(storeIds: string[]) => void>,
    /** clear() / clearSession(): drop everything of that scope (cache, worker data). */
    clear: [] as Array<(scope: 'session' | 'all') => void | Promise<void>>,
    dispose: [] as Array<() => void>,
    /**
     * Does something besides a store still refer to this worker handle? The cache answers
     * for the handles its entries hold, so a hit never hands out a released handle.
     */
    holds: [] as Array<(handleId: string) => boolean>,
  }

  constructor(readonly opts: BoardOptions) {
    if (!opts || typeof opts.name !== 'string' || !opts.name) {
      throw new GraphError('bad-definition', 'createBoard needs a non-empty string `name`.')
    }
    this.name = opts.name
    this.version = opts.version ?? 0
    this.id = ++boards
    this.scheduler = new Scheduler({
      failed: (node, err) => {
        if (!err) {
          if (this.errors.size) this.errors.delete(node.id)
          return
        }
        this.errors.set(node.id, err)
        this.emit('error', err)
      },
      status: (node) => this.emit('status', { callback: node.id }),
      ignored: (store) => this.warn(`disposed-set-${store.id}`, `store "${store.id}" was set after board "${this.name}" was disposed; the value is ignored.`),
      storeOf: (ref) => this.storeOf(ref, 'ctx.set'),
      settled: (changed) => this.settled(changed),
      ensureRanks: () => this.ensureRanks(),
      replaced: (store, old) => {
        for (const h of this.hooks.replaced) h(store, old)
      },
      cacheRunner: undefined,
    })
    this.scheduler.profile = !!opts.profile
  }
  readonly id: number

  // ---- stores ----

  store<T>(id: string, options: StoreOptions<T> = {}): Store<T> {
    if (typeof id !== 'string' || !id) throw new GraphError('bad-definition', `board "${this.name}": a store needs a non-empty string id.`)
    if (this.stores.has(id)) throw new GraphError('duplicate-store', `board "${this.name}" already has a store "${id}".`)
    const storage = options.storage ?? 'memory'
    if (!['memory', 'session', 'local', 'idb'].includes(storage)) {
      throw new GraphError('bad-definition', `store "${id}" has an unknown storage "${String(storage)}".`)
    }
    const codec = options.codec ?? 'json'
    if (codec !== 'json' && codec !== 'base64') {
      throw new GraphError('bad-definition', `store "${id}" has an unknown codec "${String(codec)}".`)
    }
    const node = new StoreNode<T>(
      this,
      id,
      options.initial as T,
      storage,
      codec,
      options.equals as ((a: unknown, b: unknown) => boolean) | undefined,
      options.spillOver ?? 1_000_000,
      options.fallback ?? 'idb',
    )
    if (options.maxAgeMs !== undefined) {
      if (!(options.maxAgeMs > 0)) throw new GraphError('bad-definition', `store "${id}" has maxAgeMs ${String(options.maxAgeMs)}; it must be a positive number of ms.`)
      node.maxAgeMs = options.maxAgeMs
    }
    this.stores.set(id, node as StoreNode)
    // Defined after start: follow other tabs' changes to it as start() does for the others.
    if (storage !== 'memory' && this.scheduler.started) this.keep().then((k) => k.follow(), () => undefined) // a failed load warns with the first write
    return node
  }

  storeOf(ref: StoreRef | { readonly id: string }, where: string): StoreNode {
    if (ref instanceof StoreNode) {
      if (ref.board !== this) throw new GraphError('unknown-store', `${where} names store "${ref.id}" of another board.`)
      return ref
    }
    const id = typeof ref === 'string' ? ref : (ref as { id?: unknown } | null)?.id
    const node = typeof id === 'string' ? this.stores.get(id) : undefined
    if (!node) throw new GraphError('unknown-store', `${where} names an unknown store "${String(id)}".`)
    return node
  }

  // ---- callbacks ----

  callback(o: CallbackOptions<readonly StoreRef[], readonly StoreRef[], StoreRef | readonly StoreRef[]>): Callback {
    if (this.scheduler.disposed) throw new GraphError('disposed', `board "${this.name}" is disposed.`)
    if (!o || typeof o.run !== 'function') throw new GraphError('bad-definition', `callback "${o?.id ?? '?'}" needs a run function.`)
    const label = o.id ?? 'a callback'
    if (!Array.isArray(o.inputs)) throw new GraphError('bad-definition', `callback "${label}" needs an inputs array.`)
    const single = !Array.isArray(o.outputs) || o.outputs.length === 1
    const outputRefs = (Array.isArray(o.outputs) ? o.outputs : [o.outputs]) as StoreRef[]
    const inputs = o.inputs.map((r) => this.storeOf(r, `callback "${label}" input`))
    const state = (o.state ?? []).map((r) => this.storeOf(r, `callback "${label}" state`))
    const outputs = outputRefs.map((r) => this.storeOf(r, `callback "${label}" output`))

    let id = o.id
    if (id === undefined) {
      const base = outputs.length ? outputs.map((s) => s.id).join('+') : 'effect'
      id = base
      // A counter per base keeps defining many unnamed callbacks linear.
      let k = this.idCounters.get(base) ?? 1
      while (this.callbackIds.has(id)) id = `${base}#${++k}`
      this.idCounters.set(base, k)
    } else if (this.callbackIds.has(id)) {
      throw new GraphError('duplicate-callback', `board "${this.name}" already has a callback "${id}".`)
    }
    if (new Set(outputs).size !== outputs.length) {
      throw new GraphError('duplicate-output', `callback "${id}" lists the same output twice.`)
    }
    // Guarantee 5a: one writer per store unless the newcomer allows a duplicate.
    for (const s of outputs) {
      const other = s.writers[0]
      if (other && !o.allowDuplicate) {
        throw new GraphError(
          'duplicate-output',
          `callbacks "${other.id}" and "${id}" both write store "${s.id}" (pass allowDuplicate: true to allow it).`,
        )
      }
    }
    // Guarantee 5b: no cycle, through inputs or state.
    const path = this.findCycle(outputs, new Set([...inputs, ...state]))
    if (path) throw new GraphError('cycle', `callback "${id}" closes a cycle: ${path.join(' → ')}.`)
    // The cache costs nothing until a callback asks for it.
    if (o.cache && !this.scheduler.host.cacheRunner) {
      // The cache's code loads with the first cached callback; installCache replaces this
      // stand-in with the real runner, which the calls made meanwhile go on to.
      const ready = import('../cache/flight').then((m) => m.installCache(this))
      this.cacheRunner = (node, args, compute) => ready.then(() => this.scheduler.host.cacheRunner!(node, args, compute))
    }

    const node: CallbackNode = {
      id,
      inputs,
      state,
      outputs,
      single: single && outputs.length === 1,
      run: o.run as (...args: unknown[]) => unknown,
      preventInitialCall: !!o.preventInitialCall,
      timeoutMs: o.timeoutMs,
      hardCancel: !!o.hardCancel,
      cache: o.cache,
      rank: 0,
      dirty: false,
      since: this.scheduler.seq,
      wave: 0,
      waveRuns: 0,
      failing: false,
      args: [],
      stamp: 0,
      inflight: undefined,
      progress: null,
      stats: { runs: 0, lastMs: 0, avgMs: 0, bytesIn: 0, bytesOut: 0, hits: 0, misses: 0, errors: 0 },
      settles: 0,
    }
    this.callbackIds.add(id)
    this.callbacks.push(node)
    for (const s of new Set(inputs)) s.readers.push(node)
    for (const s of new Set(state)) s.stateReaders.push(node)
    for (const s of outputs) s.writers.push(node)
    // Appending at the end of the order is valid when nothing reads the outputs yet (the
    // common case: graphs are declared upstream first); otherwise recompute all ranks.
    if (outputs.every((s) => s.readers.length === 0 && s.stateReaders.length === 0)) node.rank = this.nextRank++
    else this.ranksDirty = true
    // A callback added after start gets its initial call, as it would have at start. It
    // may come at any moment (inside a batch, during a wave): the ranks are made current
    // before it is marked, so it cannot take the slot of a callback already dirty, and it
    // runs with the wave under way (a batch stays one wave).
    if (this.scheduler.started) {
      this.ensureRanks()
      if (!node.preventInitialCall) this.scheduler.mark(node)
      this.scheduler.flush()
    }
    return { id }
  }

  /**
   * Is there a path from any of `outputs` back to any of `reads` through existing callbacks?
   * Returns the store path (`a → b → a`) or undefined. A store that is both an input and an
   * output of the new callback is allowed: its own write does not re-run it.
   */
  private findCycle(outputs: StoreNode[], reads: Set<StoreNode>): string[] | undefined {
    const seen = new Set<StoreNode>()
    const visit = (s: StoreNode, path: StoreNode[]): StoreNode[] | undefined => {
      for (const cb of [...s.readers, ...s.stateReaders]) {
        for (const out of cb.outputs) {
          if (reads.has(out)) return [...path, out]
          if (seen.has(out)) continue
          seen.add(out)
          const found = visit(out, [...path, out])
          if (found) return found
        }
      }
      return undefined
    }
    for (const o of outputs) {
      // found runs output → … → a store the new callback reads; the new callback closes
      // the loop back to the output.
      const found = visit(o, [o])
      if (found) return [...found, o].map((s) => s.id)
    }
    return undefined
  }

  /** Kahn's algorithm over callbacks; edges go writer → reader (inputs and state). */
  private ensureRanks(): void {
    if (!this.ranksDirty) return
    this.ranksDirty = false
    const indeg = new Map<CallbackNode, number>()
    for (const n of this.callbacks) indeg.set(n, 0)
    const downstream = (n: CallbackNode) => {
      const out = new Set<CallbackNode>()
      for (const s of n.outputs) for (const r of [...s.readers, ...s.stateReaders]) if (r !== n) out.add(r)
      return out
    }
    for (const n of this.callbacks) for (const d of downstream(n)) indeg.set(d, indeg.get(d)! + 1)
    const queue = this.callbacks.filter((n) => indeg.get(n) === 0)
    let rank = 0
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!
      n.rank = rank++
      for (const d of downstream(n)) {
        const k = indeg.get(d)! - 1
        indeg.set(d, k)
        if (k === 0) queue.push(d)
      }
    }
    this.nextRank = rank
    this.scheduler.reorder()
  }

  // ---- lifecycle ----

  start(): Promise<void> {
    return (this.starting ??= this.doStart())
  }

  private async doStart(): Promise<void> {
    // A board that keeps anything loads its persistence code and settles its session id
    // first (duplicated-tab check), so session-scope keys and `board.session.id` are final
    // once started. A memory-only board loads nothing more.
    const k = this.keepsData() ? await this.keep() : undefined
    await k?.sessionOf().ready
    const persisted = k ? await k.restore() : []
    if (this.scheduler.disposed) return
    k?.follow()
    this.scheduler.started = true
    for (const n of this.callbacks) n.since = this.scheduler.seq
    this.ensureRanks()
    // Guarantee 4: the initial wave, in rank order (the heap orders it).
    for (const n of this.callbacks) {
      if (n.preventInitialCall) continue
      const all = [...n.inputs, ...n.state, ...n.outputs]
      if (n.outputs.length && all.every((s) => s.restored)) continue
      this.scheduler.mark(n)
    }
    // Restored stores also reach subscribers once, so bound views show them.
    for (const s of persisted) if (s.restored) s.notify()
    this.scheduler.drain()
    await this.scheduler.idle()
    await k?.writeUnmodified(persisted)
  }

  /**
   * Loads storage/kept.ts once. It runs the work queued before it arrived first, in wave
   * order (each wave still one IndexedDB transaction); `kept` is set only after that, so a
   * later wave cannot overtake it.
   */
  keep(): Promise<Kept> {
    return (this.keeping ??= import('../storage/kept').then((m) => (this.kept = m.keep(this))))
  }

  /**
   * Runs `fn` on the board's persistence once its code has loaded (now if it has); idle()
   * waits for the load and for the writes `fn` starts.
   */
  persist(fn: (p: Persistence) => void): void {
    if (this.kept) fn(this.kept.persistence)
    else this.keptQueue.push((k) => fn(k.persistence))
    this.scheduler.track(
      this.keep().then(
        (k) => k.persistence.pending(),
        (e) => this.warn('load-storage', `board "${this.name}" could not load its storage code; values stay in memory only.`, e),
      ),
    )
  }

  idle(): Promise<void> {
    return this.scheduler.idle()
  }

  /** Persisted stores or a cache: the board has a session and follows other tabs' clears. */
  private keepsData(): boolean {
    if (this.scheduler.host.cacheRunner) return true
    for (const s of this.stores.values()) if (s.storage !== 'memory') return true
    return false
  }

  /** `board.session.id`: synchronous, whether or not the session's code has loaded yet. */
  sessionId(): string {
    return this.session?.id ?? (this.earlyId ??= earlySessionId(this))
  }

  /** Makes the session (loading its code) and resolves once its duplicated-tab check is done. */
  sessionReady(): Promise<void> {
    return this.keep().then((k) => k.sessionOf().ready)
  }

  batch<T>(fn: () => T): T {
    return this.scheduler.batch(fn)
  }

  /** End of a drain: persist and notify the stores that changed. */
  private settled(changed: StoreNode[]): void {
    // The wave's writes, with the values of now: run at once, or once the storage code has
    // loaded (a wave before start, or the first persisted store), still one flush per wave.
    const wave: Wave = []
    for (const s of changed) {
      if (s.storage === 'memory') continue
      if (s.remote) s.remote = false
      // A cleared store is removed, unless a callback wrote it again later in the wave.
      else wave.push([s, s.value, s.clearing && s.value === s.initial ? -1 : (s.modifiedAt ?? Date.now())])
      s.clearing = false
    }
    if (wave.length) this.persist((p) => p.settle(wave))
    for (const s of changed) s.notify()
  }

  dispose(): void {
    if (this.scheduler.disposed) return
    for (const n of this.callbacks) this.scheduler.abort(n)
    this.scheduler.dispose()
    this.kept?.persistence.dispose()
    for (const h of this.hooks.dispose) {
      try {
        h()
      } catch (e) {
        this.warn('dispose', `board "${this.name}": a part failed to dispose.`, e)
      }
    }
    this.idbHandle?.dispose()
    this.listeners = {}
  }

  // ---- events and inspection ----

  on<K extends keyof BoardEvents>(type: K, fn: (e: BoardEvents[K]) => void): () => void {
    const list = (this.listeners[type] ??= []) as Array<(e: BoardEvents[K]) => void>
    list.push(fn)
    return () => {
      const i = list.indexOf(fn)
      if (i >= 0) list.splice(i, 1)
    }
  }

  emit<K extends keyof BoardEvents>(type: K, e: BoardEvents[K]): void {
    const list = this.listeners[type]
    if (!list) return
    for (const fn of list.slice()) {
      try {
        fn(e)
      } catch (err) {
        // A throwing listener must not break the wave that emitted.
        console.error('[switchboard] a board listener threw:', err)
      }
    }
  }

  /** Prints once per key, prefixed; emits 'warning' every time. */
  warn(key: string, message: string, cause?: unknown): void {
    if (!this.warned.has(key)) {
      this.warned.add(key)
      console.warn(`[switchboard] ${message}`, ...(cause === undefined ? [] : [cause]))
    }
    this.emit('warning', cause === undefined ? { message } : { message, cause })
  }

  inspect(): Inspection {
    const stores = [...this.stores.values()].map((s) => ({
      id: s.id,
      storage: s.storage,
      codec: s.storage === 'memory' || s.storage === 'idb' ? undefined : s.codec,
      location: s.location,
      bytes: s.storage === 'memory' ? sizeOf(s.value) : s.bytes,
      modifiedAt: s.modifiedAt,
    }))
    const callbacks = this.callbacks.map((n) => ({
      id: n.id,
      inputs: n.inputs.map((s) => s.id),
      state: n.state.map((s) => s.id),
      outputs: n.outputs.map((s) => s.id),
      running: this.scheduler.isRunning(n),
      progress: n.progress ? { ...n.progress } : null,
      cached: !!n.cache,
      error: this.errors.get(n.id)?.message,
      stats: { ...n.stats },
    }))
    const edges: Inspection['edges'] = []
    for (const n of this.callbacks) {
      for (const s of new Set(n.inputs)) edges.push({ from: s.id, to: n.id, kind: 'input' })
      for (const s of new Set(n.state)) edges.push({ from: s.id, to: n.id, kind: 'state' })
      for (const s of n.outputs) edges.push({ from: n.id, to: s.id, kind: 'output' })
    }
    return {
      name: this.name,
      version: this.version,
      stores,
      callbacks,
      edges,
      capabilities: {
        indexedDB: typeof indexedDB !== 'undefined' && this.idbHandle !== null && this.idbHandle?.state !== 'degraded',
        locks: !!webLocks(),
        broadcast: broadcastWorks(),
        storage: this.storageEstimate,
      },
    }
  }

  set cacheRunner(r: CacheRunner | undefined) {
    this.scheduler.host.cacheRunner = r
  }
}

// ---- the public face ---------------------------------------------------------------------

/** One app's graph. Create it with `createBoard`. */
export interface Board {
  readonly name: string
  readonly version: string | number
  /** Each callback's latest failure, cleared when it next succeeds. */
  readonly errors: ReadonlyMap<string, CallbackError>
  store<T = unknown>(id: string, options?: StoreOptions<T>): Store<T>
  callback<
    const I extends readonly StoreRef[],
    const O extends StoreRef | readonly StoreRef[],
    const S extends readonly StoreRef[] = [],
  >(options: CallbackOptions<I, S, O>): Callback
  /** Restores persisted stores, then runs the initial wave; resolves when it has settled. */
  start(): Promise<void>
  /** Resolves when no callback is pending and storage writes are done. */
  idle(): Promise<void>
  /** Several sets, one wave. */
  batch<T>(fn: () => T): T
  inspect(): Inspection
  on<K extends keyof BoardEvents>(type: K, fn: (e: BoardEvents[K]) => void): () => void
  /**
   * A pool of workers whose tasks can be callbacks' `run` (see `switchboard/worker`).
   * @example
   * const pool = board.workers(() => new Worker(new URL('./w.ts', import.meta.url), { type: 'module' }), { size: 2 })
   * board.callback({ inputs: [n], outputs: [out], run: pool.task('heavy') })
   */
  workers<T extends Tasks = Tasks>(factory: () => Worker, options?: PoolOptions): WorkerPool<T>
  /** The data behind a worker handle: the one way it reaches the main thread. */
  resolve<T>(handle: Handle<T>): Promise<T>
  /**
   * This tab's session: kept across reloads, renewed in a duplicated tab, shared with
   * same-origin iframes. `ready` resolves once the duplicate check is done (start waits).
   */
  readonly session: { readonly id: string; readonly ready: Promise<void> }
  /** Forgets this session (new id, session stores, session-scope cache, worker data), in every tab. */
  clearSession(): Promise<void>
  /** Forgets everything of the board name (cache, persisted stores, worker data), in every tab. */
  clear(): Promise<void>
  /** Stops the board: no more runs, runs in flight aborted and dropped, everything closed. */
  dispose(): void
}

/**
 * Creates a board: one app's graph of stores and callbacks.
 *
 * @example
 * const board = createBoard({ name: 'app', version: 1 })
 * const n = board.store('n', { initial: 1, storage: 'local' })
 * const sq = board.store<number>('sq')
 * board.callback({ inputs: [n], outputs: [sq], run: (x) => x * x })
 * await board.start()
 */
export function createBoard(options: BoardOptions): Board {
  const b = new BoardImpl(options)
  return {
    get name() {
      return b.name
    },
    get version() {
      return b.version
    },
    errors: b.errors,
    store: (id, o) => b.store(id, o),
    callback: (o) => b.callback(o as never),
    start: () => b.start(),
    idle: () => b.idle(),
    batch: (fn) => b.batch(fn),
    inspect: () => b.inspect(),
    on: (t, fn) => b.on(t, fn),
    workers: (factory, o) => createPool(poolHostOf(b), factory, o),
    resolve: (h) => resolveHandle(poolHostOf(b), h),
    get session() {
      // Asking starts the session now, as before its code loaded lazily (lock, iframes);
      // a failure to load shows through `ready` and start().
      b.sessionReady().catch(() => undefined)
      return {
        get id() {
          return b.sessionId()
        },
        get ready() {
          return b.sessionReady()
        },
      }
    },
    clearSession: () => b.keep().then((k) => k.clearSession()),
    clear: () => b.keep().then((k) => k.clear()),
    dispose: () => b.dispose(),
    [internal]: b,
  } as Board
}

/** The worker pools' view of a board (src/worker/pool.ts `PoolHost`): one per board. */
const poolHosts = new WeakMap<BoardImpl, PoolHost>()
function poolHostOf(b: BoardImpl): PoolHost {
  let host = poolHosts.get(b)
  if (host) return host
  host = {
    name: b.name,
    warn: (key, message) => b.warn(key, message),
    disposed: () => b.scheduler.disposed,
    values: () => Array.from(b.stores.values(), (s) => s.value),
    holds: (id) => b.hooks.holds.some((f) => f(id)),
    running: (id) => {
      const node = b.callbacks.find((c) => c.id === id)
      return !!node && b.scheduler.isRunning(node)
    },
    profiling: () => b.scheduler.profile,
    // A run's ctx is the scheduler's RunContext: it has these, a user's value does not.
    runOf: (x) => (x !== null && typeof x === 'object' && typeof (x as Partial<Ctx>).reportBytes === 'function' && typeof (x as Partial<Ctx>).progress === 'function' ? (x as TaskRun) : undefined),
    idb: () => import('../storage/board-idb').then((m) => m.idbOf(b)),
    onReplaced: (fn) => void b.hooks.replaced.push((_store, old) => fn(old)),
    onClear: (fn) => void b.hooks.clear.push(fn),
    onStatus: (fn) => void b.on('status', ({ callback }) => fn(callback)),
    onDispose: (fn) => void b.hooks.dispose.push(fn),
  }
  poolHosts.set(b, host)
  return host
}

/** Reaches the implementation behind a Board, for the worker pool, cache and devtools. */
export const internal: unique symbol = Symbol('switchboard.internal')
export function boardImpl(board: Board): BoardImpl {
  const b = (board as unknown as { [internal]?: BoardImpl })[internal]
  if (!b) throw new GraphError('bad-definition', 'expected a board made by createBoard.')
  return b
}
export type { BoardImpl, PersistedKind }
