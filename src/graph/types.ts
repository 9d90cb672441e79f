/**
 * The public types of a board, in one leaf module: it imports only types, and only from
 * files that import nothing of the board, so any folder can `import type` from here
 * without an import cycle. graph/board.ts re-exports them; src/index.ts names them.
 */
import type { CallbackError, NoUpdate } from '../errors'
import type { Codec } from '../storage/codec'
import type { Handle } from '../worker/handle'
import type { PoolOptions, Tasks, WorkerPool } from '../worker/types'
import type { AllSmallerWildcard, AllWildcard, IdObject, Pattern, StoreId } from './id-types'

/** Where a store's value lives: 'memory' (default), 'session', 'local' or 'idb'. */
export type StorageKind = 'memory' | 'session' | 'local' | 'idb'

/**
 * A named value. Read with `get()`, write with `set(v)`; `subscribe(fn)` calls `fn(value)`
 * after each change (not at subscription) and returns its unsubscribe.
 */
export interface Store<T = unknown> {
  /** Its id; for an object id, the canonical string (keys sorted, JSON). */
  readonly id: string
  /** The object id it was created with (`{ type: 'item', index: 3 }`), frozen; undefined for a string id. */
  readonly objectId?: IdObject | undefined
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

/** A store created with an object id: its `objectId` is always there. */
export type KeyedStore<T = unknown> = Store<T> & { readonly objectId: IdObject }

/** A store, or its id (a string or an object id). */
export type StoreRef = Store<any> | StoreId
/**
 * What a callback's `inputs`, `state` and `outputs` list: a store, its id, or a pattern
 * (an object id with wildcards: `{ type: 'item', index: ALL }`) naming a family of stores.
 */
export type SlotRef = StoreRef | Pattern
/**
 * What `run` gets for a slot: a store's value; `unknown` for a string id. A store named by an
 * object id or a pattern has no type to read, so its value is `any` (an array for ALL and
 * ALLSMALLER): annotate the parameter, `run: (qty: number) => ...`.
 */
export type ValueOf<R> =
  R extends Store<infer T>
    ? T
    : R extends string
      ? unknown
      : [Extract<R[keyof R], AllWildcard | AllSmallerWildcard>] extends [never]
        ? any
        : any[]
/**
 * What `ctx.triggered` holds for a callback reading `R`: strings while every input is a
 * string id or a string-named store; object ids can appear once one is named by an object
 * id or a pattern, or is a store created with one.
 */
type TriggerId<R> = true extends IsKeyed<R> ? StoreId : string
type IsKeyed<R> = R extends string
  ? false
  : R extends { readonly objectId: IdObject }
    ? true
    : R extends Store<any>
      ? false
      : true
export type Values<R extends readonly SlotRef[]> = { -readonly [K in keyof R]: ValueOf<R[K]> }

/**
 * What `run` returns: a value for one output, a tuple for several (in the order of
 * `outputs`, each slot its store's type or `noUpdate`), anything for none. Only the tuple:
 * `[v, 1]` for `[number, string]` outputs, or an `Array<number | string>`, is refused. An
 * array literal returned from `run` is typed as the tuple by context; one built elsewhere
 * needs `as const` or a tuple annotation. Outputs known only as an array (`Store<T>[]`)
 * take an array of their values.
 */
export type Returned<O> =
  O extends Store<infer T>
    ? T | NoUpdate
    : O extends readonly []
      ? unknown
      : O extends readonly [infer A]
        ? ValueOf<A> | NoUpdate
        : O extends readonly SlotRef[]
          ? Slots<O>
          : unknown

/**
 * The tuple of several outputs' values. A mapped type over `O` itself, and named in `run`'s
 * return type beside `Returned<O>`, because that is what makes TypeScript type an array
 * literal returned from `run` (block bodies and async functions included) as a tuple while
 * it is still inferring `O`; a conditional type alone would leave it a plain array. Never
 * for anything but several outputs, so it admits nothing `Returned` refuses.
 */
type Slots<O> = {
  readonly [K in keyof O]: O extends readonly [] | readonly [unknown]
    ? never
    : O extends readonly SlotRef[]
      ? ValueOf<O[K]> | NoUpdate
      : never
}

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
  /**
   * The inputs and state (stores or ids) that form the key; default all of them. A change
   * to one left out reuses the entry of the current key: its result may be stale, by choice.
   * @example
   * cache: { key: [sessionId] }   // memoize per session while run also reads clicks
   */
  key?: readonly StoreRef[]
  /** Callbacks with the same cache id and equal inputs share entries. Default: the callback id. */
  id?: string
  /** How long another tab's computation of the same key is awaited before taking over. Default 60 000. */
  lockTimeoutMs?: number
}

export interface CallbackOptions<
  I extends readonly SlotRef[],
  S extends readonly SlotRef[],
  O extends SlotRef | readonly SlotRef[],
> {
  /** Stable id; defaults to the output ids joined by "+". */
  id?: string
  inputs: I
  state?: S
  outputs: O
  run: (
    ...args: [...Values<I>, ...Values<S>, Ctx<TriggerId<I[number]>>]
  ) => Returned<O> | Slots<O> | PromiseLike<Returned<O> | Slots<O>>
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
  /** The board that defined it (not enumerable), so `useStatus(cb)` needs no provider. */
  readonly board: Board
}

export interface StoreInfo {
  id: string
  storage: StorageKind
  codec: Codec | undefined
  /** Where the value is now ('idb' for a spilled Web Storage value, 'memory' after a fallback). */
  location: StorageKind
  bytes: number
  modifiedAt: number | undefined
  /** The worker handle the store holds, if its value is one: the data lives in that worker. */
  handle?: Handle
}

export interface CallbackInfo {
  id: string
  /** A pattern callback's instance: the family's id and the matched values (`{ index: 3 }`, `{}` without MATCH). */
  family?: string
  match?: IdObject
  inputs: string[]
  state: string[]
  outputs: string[]
  running: boolean
  progress: { fraction: number; note: string | undefined } | null
  cached: boolean
  error: string | undefined
  stats: Stats
}

/**
 * A callback defined with patterns (a family): its slots as canonical strings (wildcards
 * written bare: `{"index":MATCH,"type":"item"}`), the ids of its instances, which
 * `Inspection.callbacks` lists like any callback, and their figures added up as
 * `board.status(familyId)` adds them (`error` the first one's message).
 */
export interface FamilyInfo extends Omit<CallbackInfo, 'family' | 'match'> {
  instances: string[]
}

export interface Inspection {
  name: string
  version: string | number
  stores: StoreInfo[]
  /** Callbacks and instances of pattern callbacks (`family` set), each a node of the graph. */
  callbacks: CallbackInfo[]
  /** Pattern callbacks, each with its instances. */
  families: FamilyInfo[]
  edges: Array<{ from: string; to: string; kind: 'input' | 'state' | 'output' }>
  capabilities: {
    indexedDB: boolean
    locks: boolean
    broadcast: boolean
    /** navigator.storage.estimate(), read once a cached callback runs. */
    storage: { usage: number; quota: number } | undefined
  }
}

/**
 * What one drain changed, for adapters and panels: re-read what they show when an id they
 * show is named. Emitted once at the end of each drain (a `set`, a `batch`, an async
 * callback settling), after every store subscriber ran; also on its own for a progress
 * report outside a wave, and for a store or callback defined outside a wave.
 * @example
 * board.on('change', (e) => { if (e.callbacks.includes('load')) render(board.status('load')) })
 */
export interface BoardChange {
  /** Stores whose value changed (or that were defined), each once, in the order they changed. */
  readonly stores: readonly string[]
  /**
   * Callbacks whose status changed: they ran, started or stopped running (settled or
   * superseded), reported progress, failed, recovered, or were defined. Each once.
   */
  readonly callbacks: readonly string[]
}

/** A callback's status now (`board.status(id)`): a snapshot, not a live view. */
export interface CallbackStatus {
  /** An async or worker run is in flight. */
  readonly running: boolean
  /** The latest `ctx.progress` of the run in flight, or null. */
  readonly progress: { readonly fraction: number; readonly note: string | undefined } | null
  /** The latest failure, cleared when the callback next succeeds (as in `board.errors`). */
  readonly error: CallbackError | undefined
  readonly stats: Readonly<Stats>
}

export interface BoardEvents {
  /**
   * The end of a drain: which stores and callbacks changed (see BoardChange). Gathered
   * only while someone listens, so a board nobody watches pays nothing for it.
   */
  change: BoardChange
  /** Something degraded (storage full, corrupt entry dropped...). Printed once per kind. */
  warning: { message: string; cause?: unknown }
  /** A value could not be persisted; it stays in memory. */
  'persist-failed': { store: string; bytes: number; error: Error; key?: string }
  /** A callback failed (also in `board.errors`). */
  error: CallbackError
  /** A callback started, progressed or settled; at once, not at the end of the drain. */
  status: { callback: string }
  /**
   * The tab's session id: once when it is settled (the duplicated-tab check done, at
   * `start()` of a board keeping data or after the first read of `board.session`), then once
   * per renewal (`clearSession()` here, on another board of the tab or in another tab).
   * `previous`: the id it replaces; on the first event, the id `session.id` gave out before
   * if the check renewed it (a duplicated tab), else undefined.
   */
  session: { id: string; previous: string | undefined }
}

export interface BoardOptions {
  name: string
  version?: string | number
  /**
   * Time and size every run, synchronous ones included, for `inspect()` and the dev panel
   * (which shows them; it no longer turns this on). Off by default: two clock reads and a size walk per run would
   * cost more than a small callback itself. Async and worker runs are always timed.
   */
  profile?: boolean
  /** Test and fault seam for IndexedDB: how the database is opened, and its open timeout. */
  idb?: { open?: (name: string, version: number) => IDBOpenDBRequest; openTimeoutMs?: number } | false
  /**
   * List the board in `globalThis.__switchboard` (a Set of the page's live boards, see
   * graph/registry.ts) so tests can reach it; default true. Disposing removes it.
   */
  register?: boolean
}

/**
 * What `run` receives last: why it runs and how to talk back. `Id` is what `triggered`
 * holds: `string` unless the callback names a store by an object id or a pattern.
 */
export interface Ctx<Id extends StoreId = string> {
  /** The callback's id, for messages and for worker tasks (an instance's: `family[{"index":3}]`). */
  readonly callbackId: string
  /**
   * Ids of the inputs whose change caused this run, in input order; empty on the initial
   * call. Object ids as objects; a store added to or removed from an `ALL` input is listed.
   */
  readonly triggered: readonly Id[]
  /** A `MATCH` instance's matched values (`{ index: 3 }`); undefined without `MATCH`. */
  readonly match: IdObject | undefined
  /** Aborted when this run is superseded by a newer input change or the board is disposed. */
  readonly signal: AbortSignal
  /** Reports progress (0..1) to `board.inspect()` and status hooks. */
  progress(fraction: number, note?: string): void
  /**
   * Writes a store that is not a declared output (Dash's set_props); dropped once superseded.
   * Given the store, the value must be of its type; given an id, any value is taken.
   */
  set<T>(store: Store<T>, value: NoInfer<T>): void
  set(id: StoreId, value: unknown): void
}

/**
 * The `ctx` the scheduler hands `run`, as the worker pool reads it: the public `Ctx` plus
 * the callback's `timeoutMs` and `hardCancel` and a way to count the bytes that crossed
 * threads. Internal: src/index.ts exports `Ctx` only, so users never see these.
 */
export interface RunCtx extends Ctx<StoreId> {
  readonly timeoutMs: number | undefined
  readonly hardCancel: boolean
  reportBytes(bytesIn: number, bytesOut: number): void
}

export interface Stats {
  runs: number
  lastMs: number
  avgMs: number
  bytesIn: number
  bytesOut: number
  hits: number
  misses: number
  errors: number
}

/** One app's graph. Create it with `createBoard`. */
export interface Board {
  readonly name: string
  readonly version: string | number
  /** Each callback's latest failure, cleared when it next succeeds. */
  readonly errors: ReadonlyMap<string, CallbackError>
  /**
   * A store named by an object id (its `id` is the canonical string). An existing id is a
   * lookup; options that disagree with the existing store's are `GraphError('store-conflict')`.
   * @example
   * const qty = board.store({ type: 'qty', index: 3 }, { initial: 1 })
   */
  store<T>(id: IdObject, options: StoreOptions<T> & { initial: T }): KeyedStore<T>
  store<T = unknown>(
    id: IdObject,
    options?: StoreOptions<T | undefined> & { initial?: undefined },
  ): KeyedStore<T | undefined>
  // The string overloads last: `ReturnType<Board['store']>` reads the last one.
  /**
   * A named value. With `initial` it holds a `T` from the start; without, `undefined` until
   * first set, and its type says so.
   * @example
   * const query = board.store('query', { initial: '' })   // Store<string>
   * const hits = board.store<string[]>('hits')            // Store<string[] | undefined>
   */
  store<T>(id: string, options: StoreOptions<T> & { initial: T }): Store<T>
  store<T = unknown>(id: string, options?: StoreOptions<T | undefined> & { initial?: undefined }): Store<T | undefined>
  /**
   * Removes a store: its persisted entry, its place in `ALL` inputs (a change: readers run)
   * and the `MATCH` instances it belongs to. A store a callback names explicitly (not by a
   * pattern) is `GraphError('in-use')`.
   */
  remove(store: StoreRef): void
  /**
   * The store of that id (a string, an object id in any key order, or its canonical string),
   * or undefined when there is none (never made, or removed). Unlike `store(id)`, it never
   * creates one.
   * @example
   * const qty = board.get<number>({ type: 'qty', index: 3 })   // Store<number> | undefined
   */
  get<T = unknown>(id: StoreId): Store<T> | undefined
  callback<
    const I extends readonly SlotRef[],
    // Not `const`: `| []` already infers `outputs: [a, b]` as a tuple, and a const type
    // parameter would make every array literal `run` returns readonly (see Slots).
    O extends SlotRef | readonly SlotRef[] | [],
    const S extends readonly SlotRef[] = [],
  >(options: CallbackOptions<I, S, O>): Callback
  /** Restores persisted stores, then runs the initial wave; resolves when it has settled. */
  start(): Promise<void>
  /** Resolves when no callback is pending and storage writes are done. */
  idle(): Promise<void>
  /** Several sets, one wave. */
  batch<T>(fn: () => T): T
  inspect(): Inspection
  /**
   * A callback's status now (running, progress, error, stats), or undefined for an id not
   * defined. Re-read it when a 'change' event names the callback. A pattern callback's id
   * gives its instances added up: running while one runs (with its progress), the first
   * error, runs, bytes and cache figures summed, last ms the longest, mean weighted by runs.
   * @example
   * board.on('change', (e) => e.callbacks.includes('load') && show(board.status('load')!))
   */
  status(callback: Callback | string): CallbackStatus | undefined
  on<K extends keyof BoardEvents>(type: K, fn: (e: BoardEvents[K]) => void): () => void
  /**
   * A pool of workers whose tasks can be callbacks' `run` (see `switchboard/worker`). Typed
   * by the worker's own task object, task names and arguments are checked.
   * @example
   * import type { tasks } from './w'   // the worker: export const tasks = {...}; exposeTasks(tasks)
   * const pool = board.workers<typeof tasks>(() => new Worker(new URL('./w.ts', import.meta.url), { type: 'module' }), { size: 2 })
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
