/**
 * The pool's two faces, as types: what the board and its users see of a pool
 * (`WorkerPool`, typed by the worker's own tasks) and the narrow host a pool sees of its
 * board (`PoolHost`). A leaf: types only, so every file of the pool, and the board, can
 * import it without an import cycle.
 */

import type { AggregateSpec } from '../aggregate/index'
import type { Idb } from '../storage/idb'
import type { Task, TaskCtx } from './expose'
import type { Handle } from './handle'
import type { WorkerStats } from './protocol'

export interface PoolOptions {
  /** Number of workers (started on demand). Default 1. */
  size?: number
  /** Shown in errors and warnings. Default "workers". */
  name?: string
  /** ms a new worker has to call `exposeTasks` before it counts as failed. Default 10 000. */
  startTimeoutMs?: number
  /** Start attempts after the first failure, with backoff (100 ms, 400 ms, …). Default 2. */
  retries?: number
  /** First backoff delay in ms; each retry waits 4× longer. Default 100. */
  backoffMs?: number
}

/** Counts for leak checks (F19) and the dev panel. */
export interface PoolStats {
  /** Calls made so far. */
  calls: number
  /** Calls queued or running now. */
  open: number
  /** Workers alive now. */
  workers: number
  /** Message ports the pool listens on now: each live worker's own (one channel per worker). */
  ports: number
  /** Handles the pool tracks now. */
  handles: number
  /** Bytes of results that reached the main thread (handles count as their own small size). */
  bytesToMain: number
  /** Bytes that reached the main thread through `board.resolve`. */
  bytesResolved: number
  /** Why a worker failed to start, if one did. */
  startError: string | undefined
}

/** The tasks of a worker script: the object it gives `exposeTasks`, as `typeof tasks`. */
export type Tasks = Record<string, Task>

/** `any` tells itself apart: `0 extends 1 & X` holds for `any` alone. */
type IsAny<X> = 0 extends 1 & X ? true : false

/** A task's own parameters: the last is dropped when it is the worker's `ctx`. */
type OwnParams<F> = F extends (...args: infer A) => unknown
  ? A extends [...infer P, infer Last]
    ? IsAny<Last> extends true
      ? A
      : [Last] extends [TaskCtx]
        ? P
        : A
    : A
  : never

/**
 * On this thread each argument is the value, or a handle to it held by a worker of the
 * pool (it arrives in the task as the value).
 */
type Sent<P extends unknown[]> = { [I in keyof P]: P[I] | Handle<P[I]> }

/** What a callback's `run` passes last: the run's ctx (the board's `Ctx` has these). */
export interface CallbackCtx {
  readonly callbackId: string
  readonly triggered: readonly string[]
  readonly signal: AbortSignal
}

/** What a task resolves to on this thread (a promise's value; `keep(v)` gives a `Handle`). */
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never

/**
 * `pool.task(name)`: the worker's task as an async function of this thread, to call with
 * its own arguments (values or handles) or to give a callback as `run` (the ctx comes
 * last). Typed from the worker's own task object when the pool is
 * `board.workers<typeof tasks>(...)` (comlink's `Remote<T>` is the model).
 */
export type TaskRunner<T extends Tasks, K extends keyof T> =
  OwnParams<T[K]> extends infer P extends unknown[]
    ? (...args: [...Sent<P>, ctx?: CallbackCtx]) => Promise<ResultOf<T[K]>>
    : never

/**
 * Workers for callbacks. `task(name)` is a callback's `run`; big results stay in the workers
 * as handles (see `keep`). Give it the worker's task object as a type and names and
 * arguments are checked: `board.workers<typeof tasks>(...)`.
 *
 * @example
 * const pool = board.workers<typeof tasks>(() => new Worker(new URL('./stats.worker.ts', import.meta.url), { type: 'module' }), { size: 2 })
 * board.callback({ inputs: [data], outputs: [hist], run: pool.task('histogram'), timeoutMs: 5000 })
 */
export interface WorkerPool<T extends Tasks = Tasks> {
  readonly name: string
  /**
   * A `run` that calls `name` in a worker with the callback's arguments and ctx. A pool
   * typed by its tasks takes their names only; an untyped one any name, and `task<R>(name)`
   * says what it resolves to.
   */
  task: string extends keyof T
    ? <R = any>(name: string) => (...args: any[]) => Promise<R>
    : <K extends keyof T & string>(name: K) => TaskRunner<T, K>
  /** Runs `aggregate(table, spec)` in the worker holding `table` and returns the small result. */
  aggregate<R = Record<string, unknown[]>>(table: Handle, spec: AggregateSpec): Promise<R>
  /** Counts for leak checks and the dev panel. */
  stats(): PoolStats
  /** Each live worker's own counts (held values). */
  workerStats(): Promise<WorkerStats[]>
  /** Rejects what is pending, releases handles, terminates every worker. Idempotent. */
  terminate(): void
}

/** What a pool reads of a callback's run (the board's `ctx` keeps these from users). */
export interface TaskRun {
  readonly callbackId: string
  readonly triggered: readonly string[]
  readonly signal: AbortSignal
  /** ms from when a ready worker takes the call; undefined: no limit. */
  readonly timeoutMs: number | undefined
  /** Terminate the worker when the run is superseded, instead of firing its signal. */
  readonly hardCancel: boolean
  progress(fraction: number, note?: string): void
  /** Adds the bytes that crossed threads to the callback's stats. */
  reportBytes(bytesIn: number, bytesOut: number): void
}

/** The board's database as the pools use it: object store `handles` only. */
export type HandleDb = Pick<Idb, 'getMany' | 'delMany' | 'clear'>

/**
 * What a pool sees of its board: a few named functions handed in, nothing else of it.
 * One per board (the pools of a board share it and register its events once).
 */
export interface PoolHost {
  /** The board's name: lock names, the persisted handles' database, messages. */
  readonly name: string
  /** A `[switchboard]` warning, printed once per key. */
  warn(key: string, message: string): void
  /** The board was disposed: a pool whose code loads after that terminates at once. */
  disposed(): boolean
  /** Every store's value now (a handle in one is held). */
  values(): Iterable<unknown>
  /** Does something besides a store (a cache entry) still hold the handle with this id? */
  holds(handleId: string): boolean
  /** Is a run of this callback in flight? (the handles it returned wait until it settles) */
  running(callbackId: string): boolean
  /** The scheduler measures every run's bytes itself (profile): the pool then reports none. */
  profiling(): boolean
  /** The run a task's last argument stands for; undefined when it is not a run's ctx. */
  runOf(arg: unknown): TaskRun | undefined
  /** The board's database for persisted handles; undefined when IndexedDB is unusable. */
  idb(): Promise<HandleDb | undefined>
  /** A store's object value was overwritten or cleared (or the cache forgot an entry). */
  onReplaced(fn: (old: object) => void): void
  /** clear() / clearSession(): worker data of that scope goes. */
  onClear(fn: (scope: 'session' | 'all') => void | Promise<void>): void
  /** A callback's status changed (it started, settled or was superseded). */
  onStatus(fn: (callbackId: string) => void): void
  onDispose(fn: () => void): void
}
