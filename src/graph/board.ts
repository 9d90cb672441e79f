/**
 * The board: one app's graph of stores and callbacks. This file defines and validates the
 * graph (guarantee 5: duplicate outputs are refused here, cycles with topology.ts), wires
 * stores to storage, and owns the lifecycle (start, idle, batch, dispose, inspect). The
 * public types are in types.ts, the nodes in store.ts, ranking in topology.ts; how a wave
 * runs is the scheduler's story, in schedule.ts.
 */

import type { CachedCall } from '../cache/flight'
import { type CallbackError, GraphError } from '../errors'
import type { Idb, openBoardIdb } from '../storage/idb'
import { sizeOf } from '../storage/size'
import type { Persistence, Wave } from '../storage/storage'
import { broadcastWorks, earlySessionId, webLocks } from '../sync/id'
import { type Handle, isHandle } from '../worker/handle'
import { createPool, resolveHandle } from '../worker/pool'
import type { PoolOptions, Tasks, WorkerPool } from '../worker/types'
import {
  canonicalId,
  frozenId,
  hasWildcard,
  type IdObject,
  isIdLike,
  type PatternCallbackOptions,
  type Patterns,
  parseCanonical,
  patternEngine,
  type StoreId,
} from './ids'
import type { Kept } from './kept'
import { register } from './registry'
import { type CacheRunner, Scheduler } from './schedule'
import { type CallbackNode, type Origin, type PatternPart, type StoreHost, StoreNode } from './store'
import { Subscribable } from './subscribable'
import { findCycle, Topology } from './topology'
import type {
  Board,
  BoardEvents,
  BoardOptions,
  Callback,
  CallbackOptions,
  CallbackStatus,
  Inspection,
  KeyedStore,
  SlotRef,
  Store,
  StoreOptions,
  StoreRef,
} from './types'

// ---- the board ---------------------------------------------------------------------------

/** A cached callback's run as the cache sees it (cache/flight.ts CachedCall). */
function cachedCall(node: CallbackNode): CachedCall {
  // The run the cache answers is the one starting now; a later start moves the stamp on.
  const stamp = node.stamp
  return {
    id: node.id,
    cache: node.cache ?? {},
    stats: node.stats,
    superseded: () => node.stamp !== stamp,
    // Read once in flight (the scheduler sets it after the runner returns), while current.
    signal: () => node.inflight?.signal,
  }
}

/**
 * The board itself: `createBoard` returns it as is, typed `Board`. Fields marked `#` are its
 * own; the public ones other than Board's are read by the scheduler host, the worker pool,
 * the cache, storage and sync (each to be narrowed to a host interface of its own). It is
 * its stores' host too (store.ts StoreHost), so `store.host === board` tells this board's
 * stores from others' with no object of closures per board.
 */
class BoardImpl implements Board, StoreHost {
  readonly name: string
  readonly version: string | number
  readonly scheduler: Scheduler
  readonly errors = new Map<string, CallbackError>()
  readonly stores = new Map<string, StoreNode>()
  /** Callbacks by id, for ids given out and `status(id)`. */
  #callbackById = new Map<string, CallbackNode>()
  #idCounters = new Map<string, number>()
  /** Ids of pattern callbacks (families); their instances are in #callbackById. */
  #families = new Set<string>()
  /** Persisted stores created after start, being restored (see store()). */
  readonly #late: StoreNode[] = []
  /** Pattern callbacks, once the board has one (ids.ts Patterns). */
  #patterns: Patterns | undefined
  #listeners: { [K in keyof BoardEvents]?: Subscribable<BoardEvents[K]> } = {}
  #warned = new Set<string>()
  #starting: Promise<void> | undefined
  /**
   * The board's half of persistence, sync, clears, sessions and the cache (kept.ts), loaded
   * on first need with the code it wires, so a memory-only board never downloads them. Set
   * once loaded and the writes queued meanwhile (`#queue`) have run, so a later wave cannot
   * overtake them.
   */
  #kept: Kept | undefined = undefined
  #keeping: Promise<Kept> | undefined
  readonly #queue: Array<(p: Persistence) => void> = []
  /** The board's database once opened; null when IndexedDB cannot be used. */
  #db: Idb | null | undefined = undefined
  /** What `board.session` hands out: one object, made (and the session started) on first read. */
  #session: Board['session'] | undefined
  /** The id `board.session.id` gave out before that (sync/id.ts); the session starts from it. */
  #earlyId: string | undefined = undefined
  /** Stores set before start: restore must not overwrite them. */
  readonly setBeforeStart = new Set<StoreNode>()
  /** Extension points for the worker pool (its own files). */
  readonly hooks = {
    /**
     * A store's object value was replaced or cleared, or (store undefined) the cache forgot
     * an entry holding it: worker handles in it are released here unless held elsewhere.
     */
    replaced: [] as Array<(store: StoreNode | undefined, old: object) => void>,
    /** clear() / clearSession(): drop everything of that scope (worker data). */
    clear: [] as Array<(scope: 'session' | 'all') => void | Promise<void>>,
    dispose: [] as Array<() => void>,
    /**
     * Does something besides a store still refer to this worker handle? The cache answers
     * for the handles its entries hold, so a hit never hands out a released handle.
     */
    holds: [] as Array<(handleId: string) => boolean>,
  }

  /** Every callback in definition order, their links and ranks (topology.ts). */
  readonly #topology = new Topology(
    () => this.scheduler.reorder(),
    () => this.scheduler.dirtyCount,
  )
  readonly callbacks: CallbackNode[] = this.#topology.callbacks
  constructor(readonly opts: BoardOptions) {
    if (!opts || typeof opts.name !== 'string' || !opts.name) {
      throw new GraphError('bad-definition', 'createBoard needs a non-empty string `name`.')
    }
    this.name = opts.name
    this.version = opts.version ?? 0
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
      ignored: (store) =>
        this.warn(
          `disposed-set-${store.id}`,
          `store "${store.id}" was set after board "${this.name}" was disposed; the value is ignored.`,
        ),
      storeOf: (ref) => this.#storeOf(ref, 'ctx.set'),
      settled: (changed) => this.#settled(changed),
      changed: (change) => this.emit('change', change),
      ensureRanks: () => this.#topology.ensureRanks(),
      replaced: (store, old) => {
        for (const h of this.hooks.replaced) h(store, old)
      },
      cacheRunner: undefined,
    })
    this.scheduler.profile = !!opts.profile
  }

  // ---- stores ----

  store<T>(given: StoreId, options: StoreOptions<T> = {}): KeyedStore<T> {
    let id: string
    let objectId: IdObject | undefined
    if (isIdLike(given)) {
      if (hasWildcard(given))
        throw new GraphError(
          'bad-pattern',
          `board "${this.name}": store id ${canonicalId(given)} holds a wildcard; wildcards name stores only in callbacks.`,
        )
      id = canonicalId(given)
      objectId = frozenId(given)
    } else if (typeof given === 'string' && given) {
      id = given
      objectId = parseCanonical(given)
    } else throw new GraphError('bad-definition', `board "${this.name}": a store needs a non-empty string id.`)
    const existing = this.stores.get(id)
    if (existing) {
      // An id names a store wherever it is written: asking again is a lookup (DESIGN).
      return this.#lookup(existing, options as StoreOptions<unknown>) as KeyedStore<T>
    }
    const storage = options.storage ?? 'memory'
    if (!['memory', 'session', 'local', 'idb'].includes(storage)) {
      throw new GraphError('bad-definition', `store "${id}" has an unknown storage "${String(storage)}".`)
    }
    const codec = options.codec ?? 'json'
    if (codec !== 'json' && codec !== 'base64') {
      throw new GraphError('bad-definition', `store "${id}" has an unknown codec "${String(codec)}".`)
    }
    if (options.maxAgeMs !== undefined && !(options.maxAgeMs > 0)) {
      throw new GraphError(
        'bad-definition',
        `store "${id}" has maxAgeMs ${String(options.maxAgeMs)}; it must be a positive number of ms.`,
      )
    }
    const node = new StoreNode<T>({
      host: this,
      id,
      objectId,
      initial: options.initial as T,
      storage,
      codec,
      equals: options.equals as ((a: unknown, b: unknown) => boolean) | undefined,
      spillOver: options.spillOver ?? 1_000_000,
      fallback: options.fallback ?? 'idb',
      maxAgeMs: options.maxAgeMs ?? Infinity,
    })
    this.stores.set(id, node as StoreNode)
    node.restoring = storage !== 'memory' && this.scheduler.started
    if (objectId && this.#patterns) {
      try {
        this.#patterns.added(node as StoreNode)
      } catch (e) {
        // It would close a cycle: it is not created.
        this.stores.delete(id)
        throw e
      }
    }
    this.scheduler.touchStore(node as StoreNode)
    this.scheduler.publishSoon()
    // Defined after start: restored now (its pattern instances wait for it), then it follows
    // other tabs' changes as start() does for the others.
    if (storage !== 'memory' && this.scheduler.started) {
      // The stores created together (one task: a list restored by the page) are read
      // together and released together, so their instances run once, in one wave.
      if (this.#late.push(node as StoreNode) === 1) {
        const done = () => {
          const list = this.#late.splice(0)
          for (const s of list) s.restoring = false
          this.#patterns?.restored(list.filter((s) => !s.removed))
        }
        this.scheduler.track(
          this.#keep()
            .then((k) => (k.follow(), k.restoreLate(this.#late.slice())))
            .then(done, done), // a failed load warns with the first write
        )
      }
    }
    return node as KeyedStore<T>
  }

  /** board.store(existing object id, options): the store, if the options agree with it. */
  #lookup(s: StoreNode, o: StoreOptions<unknown>): StoreNode {
    const own: Record<string, unknown> = {
      initial: s.initial,
      storage: s.storage,
      codec: s.codec,
      equals: s.equals,
      spillOver: s.spillOver,
      fallback: s.fallback,
      maxAgeMs: s.maxAgeMs,
    }
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || !(k in own)) continue
      const mine = own[k]
      if (Object.is(v, mine) || (k === 'initial' && sameJson(v, mine))) continue
      throw new GraphError(
        'store-conflict',
        `board "${this.name}" already has store ${s.id} with another ${k}; an existing id takes the options it was created with.`,
      )
    }
    return s
  }

  #storeOf(ref: SlotRef | { readonly id: string }, where: string): StoreNode {
    if (ref instanceof StoreNode) {
      if (ref.host !== this) throw new GraphError('unknown-store', `${where} names store "${ref.id}" of another board.`)
      if (ref.removed) throw new GraphError('unknown-store', `${where} names store "${ref.id}", which was removed.`)
      return ref
    }
    let id = typeof ref === 'string' ? ref : (ref as { id?: unknown } | null)?.id
    if (isIdLike(ref)) {
      if (hasWildcard(ref))
        throw new GraphError(
          'bad-pattern',
          `${where} is the pattern ${canonicalId(ref)}; a pattern cannot name one store here.`,
        )
      // An object id; one with an `id` key that names no store is a reference by `id`, as before.
      const key = canonicalId(ref, where)
      if (this.stores.has(key) || !('id' in ref)) id = key
    }
    const node = typeof id === 'string' ? this.stores.get(id) : undefined
    if (!node) throw new GraphError('unknown-store', `${where} names an unknown store "${String(id)}".`)
    return node
  }

  // ---- callbacks ----

  callback<
    const I extends readonly SlotRef[],
    const O extends SlotRef | readonly SlotRef[],
    const S extends readonly SlotRef[] = [],
  >(o: CallbackOptions<I, S, O>): Callback {
    if (this.scheduler.disposed) throw new GraphError('disposed', `board "${this.name}" is disposed.`)
    if (!o || typeof o.run !== 'function')
      throw new GraphError('bad-definition', `callback "${o?.id ?? '?'}" needs a run function.`)
    const label = o.id ?? 'a callback'
    if (!Array.isArray(o.inputs)) throw new GraphError('bad-definition', `callback "${label}" needs an inputs array.`)
    const single = !Array.isArray(o.outputs) || o.outputs.length === 1
    const outputRefs = (Array.isArray(o.outputs) ? o.outputs : [o.outputs]) as StoreRef[]
    // A wildcard anywhere: a family of instances (pattern.ts).
    const wild = (r: unknown) => isIdLike(r) && hasWildcard(r)
    if (o.inputs.some(wild) || (o.state ?? []).some(wild) || outputRefs.some(wild)) {
      const patterns = this.#patternsOf(label)
      const base = outputRefs.length
        ? outputRefs.map((r) => (isIdLike(r) ? canonicalId(r) : typeof r === 'string' ? r : r.id)).join('+')
        : 'effect'
      const id = this.#newId(o.id, base)
      patterns.define(o as unknown as PatternCallbackOptions, id)
      this.#families.add(id)
      return Object.defineProperty({ id }, 'board', { value: this as Board }) as Callback
    }
    const inputs = o.inputs.map((r) => this.#storeOf(r, `callback "${label}" input`))
    const state = (o.state ?? []).map((r) => this.#storeOf(r, `callback "${label}" state`))
    const outputs = outputRefs.map((r) => this.#storeOf(r, `callback "${label}" output`))

    const id = this.#newId(o.id, outputs.length ? outputs.map((s) => s.id).join('+') : 'effect')
    if (new Set(outputs).size !== outputs.length) {
      throw new GraphError('duplicate-output', `callback "${id}" lists the same output twice.`)
    }
    // Guarantee 5a: one writer per store unless the newcomer allows a duplicate (a pattern's
    // outputs first, so the message names the pattern rather than one of its instances).
    if (!o.allowDuplicate) this.#patterns?.checkOutputs(id, outputs)
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
    const args = [...inputs, ...state]
    const path = findCycle(outputs, new Set(args))
    if (path) throw new GraphError('cycle', `callback "${id}" closes a cycle: ${path.join(' → ')}.`)
    // `cache.key` as positions among run's arguments (inputs then state), each one of them.
    const keyAt = o.cache?.key?.map((ref) => {
      const i = args.findIndex((s) => s === ref || s.id === ref)
      if (i < 0) {
        const name = typeof ref === 'string' ? ref : ref?.id
        throw new GraphError(
          'bad-definition',
          `callback "${id}": cache key names "${name}", which is not one of its inputs or state.`,
        )
      }
      return i
    })
    if (o.cache) this.#cacheRunnerFor()

    const node = this.#node(id, o as unknown as PatternCallbackOptions, {
      inputs,
      state,
      outputs,
      single: single && outputs.length === 1,
      keyAt,
      pattern: undefined,
    })
    this.#callbackById.set(id, node)
    this.#topology.add(node)
    this.scheduler.touch(node)
    // A callback added after start gets its initial call, as it would have at start. It
    // may come at any moment (inside a batch, during a wave): the ranks are made current
    // before it is marked, so it cannot take the slot of a callback already dirty, and it
    // runs with the wave under way (a batch stays one wave).
    if (this.scheduler.started) {
      this.#topology.ensureRanks()
      if (!node.preventInitialCall) this.scheduler.mark(node)
      this.scheduler.flush()
    } else this.scheduler.publishSoon()
    // `board` not enumerable: a callback logs, spreads and compares as `{ id }`.
    return Object.defineProperty({ id }, 'board', { value: this as Board }) as Callback
  }

  /** The cache costs nothing until a callback asks for it. */
  #cacheRunnerFor(): void {
    if (this.scheduler.host.cacheRunner) return
    // The cache's code loads with the first cached callback; until then this stand-in
    // runs the calls made meanwhile once it has.
    const ready = this.#keep().then((k) => k.cache())
    this.cacheRunner = (node, args, compute) => {
      const call = cachedCall(node)
      const key = node.keyAt ? node.keyAt.map((i) => args[i]) : args
      // A pattern instance's key holds its matched values: instances never share entries.
      if (node.pattern) key.unshift(node.pattern.match ?? {})
      return ready.then((cache) => cache.run(call, key, compute))
    }
  }

  /** The id given, or one made from `base`; refused if taken. */
  #newId(given: string | undefined, base: string): string {
    const taken = (id: string) => this.#callbackById.has(id) || this.#families.has(id)
    if (given !== undefined) {
      if (taken(given))
        throw new GraphError('duplicate-callback', `board "${this.name}" already has a callback "${given}".`)
      return given
    }
    let id = base
    // A counter per base keeps defining many unnamed callbacks linear.
    let k = this.#idCounters.get(base) ?? 1
    while (taken(id)) id = `${base}#${++k}`
    this.#idCounters.set(base, k)
    return id
  }

  /** A callback node as the scheduler keeps it. */
  #node(
    id: string,
    o: PatternCallbackOptions,
    parts: {
      inputs: StoreNode[]
      state: StoreNode[]
      outputs: StoreNode[]
      single: boolean
      keyAt: readonly number[] | undefined
      pattern: PatternPart | undefined
    },
  ): CallbackNode {
    return {
      id,
      inputs: parts.inputs,
      state: parts.state,
      outputs: parts.outputs,
      single: parts.single,
      run: o.run,
      preventInitialCall: !!o.preventInitialCall,
      timeoutMs: o.timeoutMs,
      hardCancel: !!o.hardCancel,
      cache: o.cache,
      keyAt: parts.keyAt,
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
      search: 0,
      told: 0,
      pattern: parts.pattern,
    }
  }

  /** The board's pattern engine, made with its first wildcard (pattern.ts installs the code). */
  #patternsOf(label: string): Patterns {
    if (this.#patterns) return this.#patterns
    const make = patternEngine.make
    if (!make)
      throw new GraphError(
        'bad-pattern',
        `callback "${label}" uses a wildcard that was not imported from switchboard (ALL, MATCH, ALLSMALLER).`,
      )
    // The engine builds the rest of its host (pattern.ts hostOf): this is what only the
    // board can give, so a board without wildcards pays for no more.
    return (this.#patterns = make({
      board: this,
      byId: this.#callbackById,
      topology: this.#topology,
      storeOf: (ref, where) => this.#storeOf(ref as StoreRef, where),
      node: (id, o, parts) => {
        if (o.cache) this.#cacheRunnerFor()
        return this.#node(id, o, { ...parts, keyAt: undefined })
      },
    }))
  }

  /**
   * Removes a store from the board: its persisted entry, its place in pattern families (a
   * change of the ALL inputs it was in, one wave) and the instances it completed.
   */
  remove(ref: StoreRef): void {
    if (this.scheduler.disposed) throw new GraphError('disposed', `board "${this.name}" is disposed.`)
    const s = this.#storeOf(ref, 'board.remove')
    const explicit =
      [...s.readers, ...s.stateReaders, ...s.writers].find((n) => !n.pattern)?.id ?? this.#patterns?.names(s)
    if (explicit !== undefined)
      throw new GraphError(
        'in-use',
        `store "${s.id}" cannot be removed: callback "${explicit}" names it (only stores a callback reaches through a pattern can be).`,
      )
    this.scheduler.batch(() => {
      this.#patterns?.removing(s)
      this.stores.delete(s.id)
      this.setBeforeStart.delete(s)
      s.removed = true
      // A worker handle it held is held no more.
      if (s.value !== null && typeof s.value === 'object') for (const h of this.hooks.replaced) h(s, s.value)
      if (s.storage !== 'memory') this.#persist((p) => p.remove(s))
      this.scheduler.touchStore(s)
    })
    this.scheduler.publishSoon()
  }

  // ---- lifecycle ----

  start(): Promise<void> {
    return (this.#starting ??= this.#doStart())
  }

  async #doStart(): Promise<void> {
    // A board that keeps anything loads its persistence code and settles its session id
    // first (duplicated-tab check), so session-scope keys and `board.session.id` are final
    // once started. A memory-only board loads nothing more.
    const k = this.#keepsData() ? await this.#keep() : undefined
    await k?.sessionOf().ready
    const persisted = k ? await k.restore() : []
    if (this.scheduler.disposed) return
    k?.follow()
    this.scheduler.begin(this.callbacks, persisted)
    await this.scheduler.idle()
    await k?.writeUnmodified(persisted)
  }

  /**
   * Loads kept.ts once. The persistence work queued before it arrived runs first, in wave
   * order (each wave still one IndexedDB transaction).
   */
  #keep(): Promise<Kept> {
    return (this.#keeping ??= import('./kept').then((m) => {
      const k = new m.Kept(this)
      for (const fn of this.#queue.splice(0)) {
        try {
          fn(k.persistence)
        } catch (e) {
          this.warn('persist', `board "${this.name}": a write queued while its storage code loaded failed.`, e)
        }
      }
      // Disposed while loading: the queued writes have run (Web Storage ones are kept;
      // IndexedDB, closed by dispose, reports them failed as it would have just after a
      // wave); listen to nothing.
      if (this.scheduler.disposed) k.dispose()
      return (this.#kept = k)
    }))
  }

  /**
   * Runs `fn` on the board's persistence once its code has loaded (now if it has); idle()
   * waits for the load and for the writes `fn` starts.
   */
  #persist(fn: (p: Persistence) => void): void {
    if (this.#kept) fn(this.#kept.persistence)
    else this.#queue.push(fn)
    this.scheduler.track(
      this.#keep().then(
        (k) => k.persistence.pending(),
        (e) =>
          this.warn(
            'load-storage',
            `board "${this.name}" could not load its storage code; values stay in memory only.`,
            e,
          ),
      ),
    )
  }

  /**
   * Every write from outside a callback, with its intent (store.ts Origin): a user's set or
   * clear, another tab's value, a restored one. Restore sets the value before start,
   * without a wave; the others go through the scheduler.
   */
  write(
    s: StoreNode,
    value: unknown,
    how: { origin: Exclude<Origin, 'callback'>; modifiedAt?: number | undefined },
  ): boolean {
    if (s.removed) {
      this.warn(`removed-set-${s.id}`, `store "${s.id}" was removed from board "${this.name}"; the value is ignored.`)
      return false
    }
    switch (how.origin) {
      case 'restore':
        s.value = value
        // t = 0 marks an entry written at its initial value: never modified.
        s.modifiedAt = how.modifiedAt || undefined
        s.restored = true
        return true
      case 'set':
        return this.set(s, value)
      case 'remote': {
        const changed = this.scheduler.write(s, value, undefined, 'remote')
        if (changed && how.modifiedAt !== undefined) s.modifiedAt = how.modifiedAt
        return changed
      }
      case 'clear': {
        // Disposed: the write is ignored (with its warning), and so is the removal.
        if (this.scheduler.disposed) return this.scheduler.write(s, value, undefined, 'clear')
        const changed = this.scheduler.write(s, value, undefined, 'clear')
        // Unchanged: nothing reaches the end of the drain, so remove the entry here.
        if (!changed && s.storage !== 'memory') this.#persist((p) => p.remove(s))
        s.modifiedAt = undefined
        return changed
      }
    }
  }

  /** A store's set() (store.ts StoreHost): `write` with origin 'set', the hot path. */
  set(store: StoreNode, value: unknown): boolean {
    if (!this.scheduler.started) this.setBeforeStart.add(store)
    return this.scheduler.write(store, value, undefined, 'set')
  }

  subscribed(store: StoreNode): void {
    this.scheduler.subscribed(store)
  }

  /**
   * The board's database, opened on first use with `open` (storage/idb.ts, which the
   * caller has loaded: kept.ts, the worker pool); undefined when IndexedDB cannot be used.
   */
  database(open: typeof openBoardIdb): Idb | undefined {
    if (this.#db === undefined) {
      this.#db = open(this.name, this.opts.idb, (key, message, cause) => this.warn(key, message, cause))
      // Opened after dispose (a write queued before it was still flushing): close it at once.
      if (this.scheduler.disposed) this.#db?.dispose()
    }
    return this.#db ?? undefined
  }

  idle(): Promise<void> {
    return this.scheduler.idle()
  }

  /** Persisted stores or a cache: the board has a session and follows other tabs' clears. */
  #keepsData(): boolean {
    if (this.scheduler.host.cacheRunner) return true
    for (const s of this.stores.values()) if (s.storage !== 'memory') return true
    return false
  }

  /** `board.session.id`: synchronous, whether or not the session's code has loaded yet. */
  sessionId(): string {
    return this.#kept?.sessionId ?? (this.#earlyId ??= earlySessionId())
  }

  /** The id `board.session.id` gave out before the session's code loaded, if it was read. */
  earlySessionId(): string | undefined {
    return this.#earlyId
  }

  /** Makes the session (loading its code) and resolves once its duplicated-tab check is done. */
  sessionReady(): Promise<void> {
    return this.#keep().then((k) => k.sessionOf().ready)
  }

  get session(): Board['session'] {
    if (this.#session) return this.#session
    // The first read starts the session, as before its code loaded lazily (lock, iframes);
    // a failure to load shows through `ready` and start(). Later reads cost nothing.
    const ready = this.sessionReady()
    ready.catch(() => undefined)
    const board = this
    return (this.#session = {
      get id() {
        return board.sessionId()
      },
      ready,
    })
  }

  clearSession(): Promise<void> {
    return this.#keep().then((k) => k.clearSession())
  }

  clear(): Promise<void> {
    return this.#keep().then((k) => k.clear())
  }

  workers<T extends Tasks = Tasks>(factory: () => Worker, options?: PoolOptions): WorkerPool<T> {
    return createPool<T>(this, factory, options)
  }

  resolve<T>(handle: Handle<T>): Promise<T> {
    return resolveHandle(this, handle)
  }

  batch<T>(fn: () => T): T {
    return this.scheduler.batch(fn)
  }

  /** End of a drain: persist and notify the stores that changed. */
  #settled(changed: readonly StoreNode[]): void {
    // The wave's writes, with the values of now: run at once, or once the storage code has
    // loaded (a wave before start, or the first persisted store), still one flush per wave.
    let wave: Wave | undefined
    for (let i = 0; i < changed.length; i++) {
      const s = changed[i]!
      // Another tab's value is not written back (it wrote it).
      if (s.storage === 'memory' || s.origin === 'remote' || s.removed) continue
      // A cleared store is removed, unless a callback wrote it again later in the wave.
      ;(wave ??= []).push([
        s,
        s.value,
        s.origin === 'clear' && s.value === s.initial ? -1 : (s.modifiedAt ?? Date.now()),
      ])
    }
    if (wave) {
      const w = wave
      this.#persist((p) => p.settle(w))
    }
    for (let i = 0; i < changed.length; i++) changed[i]!.notify()
  }

  dispose(): void {
    if (this.scheduler.disposed) return
    for (const n of this.callbacks) this.scheduler.abort(n)
    this.scheduler.dispose()
    const kept = this.#kept
    for (const h of kept ? [() => kept.dispose(), ...this.hooks.dispose] : this.hooks.dispose) {
      try {
        h()
      } catch (e) {
        this.warn('dispose', `board "${this.name}": a part failed to dispose.`, e)
      }
    }
    this.#db?.dispose()
    this.#listeners = {}
    this.scheduler.watching = false
  }

  // ---- events and inspection ----

  on<K extends keyof BoardEvents>(type: K, fn: (e: BoardEvents[K]) => void): () => void {
    const lists = this.#listeners as { [T in K]?: Subscribable<BoardEvents[T]> }
    const list = (lists[type] ??= new Subscribable<BoardEvents[K]>())
    const off = list.subscribe(fn)
    if (type !== 'change') return off
    // The first listener, in the middle of a wave: it hears of the stores changed so far too.
    if (!this.scheduler.watching) {
      this.scheduler.watching = true
      this.scheduler.touchPending(this.stores.values())
    }
    return () => {
      off()
      this.scheduler.watching = list.size > 0
    }
  }

  status(callback: Callback | string): CallbackStatus | undefined {
    const id = typeof callback === 'string' ? callback : callback?.id
    const node = this.#callbackById.get(id)
    return node ? this.#status(node) : this.#patterns?.status(id, this.#status)
  }

  #status = (node: CallbackNode): CallbackStatus => ({
    running: this.scheduler.isRunning(node),
    progress: node.progress,
    error: this.errors.get(node.id),
    stats: { ...node.stats },
  })

  get<T>(id: StoreId): Store<T> | undefined {
    return this.stores.get(typeof id === 'string' ? id : canonicalId(id)) as Store<T> | undefined
  }

  emit<K extends keyof BoardEvents>(type: K, e: BoardEvents[K]): void {
    // A throwing listener must not break the wave that emitted.
    this.#listeners[type]?.emit(e, (err) => console.error('[switchboard] a board listener threw:', err))
  }

  /** Prints once per key, prefixed; emits 'warning' every time. */
  warn(key: string, message: string, cause?: unknown): void {
    if (!this.#warned.has(key)) {
      this.#warned.add(key)
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
      ...(isHandle(s.value) ? { handle: s.value } : {}),
    }))
    const callbacks = this.callbacks.map((n) => ({
      id: n.id,
      ...this.#patterns?.instanceOf(n),
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
      families: this.#patterns?.families(this.#status) ?? [],
      edges,
      capabilities: {
        indexedDB: typeof indexedDB !== 'undefined' && this.#db !== null && this.#db?.state !== 'degraded',
        locks: !!webLocks(),
        broadcast: broadcastWorks(),
        storage: this.#kept?.estimate,
      },
    }
  }

  set cacheRunner(r: CacheRunner | undefined) {
    this.scheduler.host.cacheRunner = r
  }
}

// ---- the public face ---------------------------------------------------------------------

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
  const board = new BoardImpl(options)
  if (options.register !== false) board.hooks.dispose.push(register(board))
  return board
}

/** The implementation behind a Board, for tests of the graph's internals. */
export function boardImpl(board: Board): BoardImpl {
  if (!(board instanceof BoardImpl)) throw new GraphError('bad-definition', 'expected a board made by createBoard.')
  return board
}
export type { BoardImpl }

/** Two initial values that are the same data (`{}` and `{}`): an object id's options agree. */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b) && JSON.stringify(a) !== undefined
  } catch {
    return false
  }
}
