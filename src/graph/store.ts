/**
 * The graph's two kinds of node. A StoreNode is a store as the board and the scheduler see
 * it (users hold it typed as `Store<T>`); a CallbackNode is the record the scheduler keeps
 * per callback. They point at each other (a store lists its readers and writers, a
 * callback its inputs, state and outputs), so they are declared together, and this file
 * imports nothing of the board or the scheduler: it sees the board through `StoreHost`.
 */

import type { Codec } from '../storage/codec'
import type { IdObject, StoreId } from './id-types'
import { Subscribable } from './subscribable'
import type { CacheOptions, Stats, StorageKind, Store } from './types'

/**
 * Why a store's value changes, handed to every write (never a flag set before it):
 * - `set`: the user's `store.set()`; before start it also keeps restore from overwriting it;
 * - `callback`: a callback's output or `ctx.set`;
 * - `remote`: another tab's (or another board's of this page) value: not written back;
 * - `restore`: the persisted value, at start (no wave);
 * - `clear`: `store.clear()`: its persisted entry is removed instead of written.
 */
export type Origin = 'set' | 'callback' | 'remote' | 'restore' | 'clear'

/** What a store needs of its board: its writes, and warnings. */
export interface StoreHost {
  /** A write from outside the scheduler: the user's set() or clear(). False when nothing changed. */
  write(store: StoreNode, value: unknown, how: { origin: 'set' | 'clear' }): boolean
  /** The user's set(): `write` with origin 'set', without the intent object (the hot path). */
  set(store: StoreNode, value: unknown): boolean
  /** A subscriber was added: a change of this wave not yet told must reach it at the wave's end. */
  subscribed(store: StoreNode): void
  warn(key: string, message: string, cause?: unknown): void
}

/** How a board makes a store: its definition, validated by the board. */
export interface StoreNodeOptions<T> {
  host: StoreHost
  id: string
  /** The object id it was named by (frozen), for an object id. */
  objectId: IdObject | undefined
  initial: T
  storage: StorageKind
  codec: Codec
  /** undefined: Object.is, inlined by the scheduler. */
  equals: ((a: unknown, b: unknown) => boolean) | undefined
  spillOver: number
  fallback: 'idb' | 'memory'
  /** StoreOptions.maxAgeMs; Infinity when not given. */
  maxAgeMs: number
}

/** A store as the board and scheduler see it; users hold it typed as `Store<T>`. */
export class StoreNode<T = unknown> implements Store<T> {
  value: T
  /**
   * modifiedAt as the scheduler writes it on every change: always a number (-1: never
   * modified), so V8 keeps it an unboxed double field. A field of `number | undefined`
   * boxes each new time in a fresh heap number (an allocation per write on the hot path).
   */
  at = -1
  get modifiedAt(): number | undefined {
    return this.at === -1 ? undefined : this.at
  }
  set modifiedAt(t: number | undefined) {
    this.at = t === undefined ? -1 : t
  }
  /** Callbacks reading this store as an input (a change marks them dirty). */
  readers: CallbackNode[] = []
  /** Callbacks reading it as state (no trigger, but they wait for its writers). */
  stateReaders: CallbackNode[] = []
  /** Callbacks declaring it as an output. */
  writers: CallbackNode[] = []
  /**
   * Someone sees its changes at the end of a drain: it is persisted or has subscribers. A
   * change of a store nobody sees skips the scheduler's changed list (the hot path of a
   * memory store between two callbacks). A field kept by subscribe and its unsubscribe,
   * not a getter: every write reads it.
   */
  observed: boolean
  /** In the scheduler's changed list already (notify and persist once per drain; observed stores only). */
  queued = false
  /** Its value came from storage at start (guarantee 4: no initial-call storm on reload). */
  restored = false
  /** Global write sequence number of its latest change (ctx.triggered reads it). */
  seq = 0
  /**
   * Why its latest change happened, written by each change itself: the end of the drain
   * persists it ('set', 'callback'), removes its entry ('clear') or leaves storage alone
   * ('remote': another tab wrote it).
   */
  origin: Origin = 'set'
  /** The scheduler's publish that lists it already (Scheduler.publishes): named once per 'change'. */
  told = 0
  location: StorageKind
  bytes = 0
  /** StoreOptions.maxAgeMs: restore drops an older entry (F25). */
  maxAgeMs: number
  /** board.remove() took it out of its board: writes are ignored, nothing is persisted. */
  removed = false
  /** Created after start with a persisted entry to read: its pattern instances wait for it. */
  restoring = false
  readonly host: StoreHost
  readonly id: string
  readonly objectId: IdObject | undefined
  readonly initial: T
  readonly storage: StorageKind
  readonly codec: Codec
  /** undefined: Object.is, inlined by the scheduler. */
  readonly equals: ((a: unknown, b: unknown) => boolean) | undefined
  /** Web Storage payloads longer than this many characters go to IndexedDB. */
  readonly spillOver: number
  /** Where a Web Storage value goes when storage is full. */
  readonly fallback: 'idb' | 'memory'
  readonly #subscribers = new Subscribable<T>()

  constructor(o: StoreNodeOptions<T>) {
    this.host = o.host
    this.id = o.id
    this.objectId = o.objectId
    this.initial = o.initial
    this.storage = o.storage
    this.codec = o.codec
    this.equals = o.equals
    this.spillOver = o.spillOver
    this.fallback = o.fallback
    this.maxAgeMs = o.maxAgeMs
    this.value = o.initial
    this.location = o.storage
    this.observed = o.storage !== 'memory'
  }

  get(): T {
    return this.value
  }

  set(value: T): void {
    this.host.set(this as StoreNode, value)
  }

  subscribe(fn: (value: T) => void): () => void {
    const off = this.#subscribers.subscribe(fn)
    this.observed = true
    this.host.subscribed(this as StoreNode)
    return () => {
      off()
      this.observed = this.storage !== 'memory' || this.#subscribers.size > 0
    }
  }

  clear(): void {
    this.host.write(this as StoreNode, this.initial, { origin: 'clear' })
  }

  notify(): void {
    if (this.#subscribers.size === 0) return
    // A throwing subscriber must not stop the others or the wave.
    this.#subscribers.emit(this.value, (e) =>
      this.host.warn(`subscriber-${this.id}`, `a subscriber of store "${this.id}" threw.`, e),
    )
  }
}

/**
 * What an instance of a pattern callback adds to its node (pattern.ts): `run`'s arguments
 * built per slot (an `ALL` slot is one array argument), and `ctx.triggered` with stores
 * that joined or left an `ALL` input.
 */
export interface PatternPart {
  /** The matched values of a MATCH instance; undefined without MATCH. */
  readonly match: IdObject | undefined
  /** Writes the input and state arguments into `args`; returns how many it wrote. */
  fill(args: unknown[]): number
  /** ctx.triggered: inputs written, added or removed in (from, to], in input order. */
  triggered(from: number, to: number): StoreId[]
  /** With an ALL output: the result by slot (an array for the ALL slot) as one value per output store. */
  readonly spread: ((result: unknown) => unknown) | undefined
}

/** A callback as the scheduler sees it. */
export interface CallbackNode {
  readonly id: string
  readonly inputs: StoreNode[]
  readonly state: StoreNode[]
  readonly outputs: StoreNode[]
  /** One output declared as a store (or a one-element list): `run` returns the value. */
  readonly single: boolean
  readonly run: (...args: unknown[]) => unknown
  readonly preventInitialCall: boolean
  readonly timeoutMs: number | undefined
  readonly hardCancel: boolean
  readonly cache: CacheOptions | undefined
  /** `cache.key` as positions in the run's arguments (inputs then state); undefined: all of them. */
  readonly keyAt: readonly number[] | undefined
  /** Position in a topological order; lower runs first. Recomputed when the graph grows. */
  rank: number
  /** In its slot, waiting to run in this wave. */
  dirty: boolean
  /** Write sequence number when this callback last started (or was defined, or the board started): see `triggered`. */
  since: number
  /** The wave its `waveRuns` count belongs to (Scheduler.wave). */
  wave: number
  /** Runs started in that wave: past MAX_RUNS it is a runaway. */
  waveRuns: number
  /** Its latest run failed: a success must clear `board.errors` (skipped otherwise). */
  failing: boolean
  /** Reused argument list (inputs, state, ctx): the call copies it, so reuse is safe. */
  args: unknown[]
  /** Stamp of the latest run; a settle with another stamp is stale and dropped. */
  stamp: number
  /** The in-flight async run, if any. */
  inflight: AbortController | undefined
  progress: { fraction: number; note: string | undefined } | null
  stats: Stats
  /** Settled runs, hits included: the divisor of avgMs. */
  settles: number
  /** The latest pendingUpstream search that met it (Scheduler.search): seen in that search. */
  search: number
  /** The scheduler's publish that lists it already (Scheduler.publishes): named once per 'change'. */
  told: number
  /** An instance of a pattern callback (pattern.ts); undefined for a plain callback. */
  readonly pattern: PatternPart | undefined
}
