/**
 * The error types and control values of switchboard. Each error is one sentence that
 * names the store, callback or key at fault, and carries a `code` a caller can test.
 * This file is shared by the main thread and workers: it touches no DOM.
 */

/** Why a graph definition or store reference was refused. */
export type GraphErrorCode =
  | 'cycle'
  | 'duplicate-output'
  | 'duplicate-callback'
  | 'unknown-store'
  | 'bad-definition'
  | 'disposed'
  | 'runaway'
  /** A Preact hook found no board: pass one, or render under a `<BoardProvider>`. */
  | 'no-board'
  /** A pattern that cannot work: MATCH outputs not on the keys the inputs match, ALLSMALLER without MATCH... */
  | 'bad-pattern'
  /** `board.remove()` of a store a callback names explicitly (not by a pattern). */
  | 'in-use'
  /** `board.store(id, options)` for an existing id with options that disagree with the store's. */
  | 'store-conflict'

/**
 * The graph itself is wrong: a cycle, two callbacks writing one store, an unknown store id.
 * Thrown when the callback or store is defined, never later in a wave. The one exception,
 * `'runaway'` (a callback that re-runs itself more than 1,000 times in one wave), arrives
 * as the `cause` of that callback's `CallbackError`.
 *
 * @example
 * try { board.callback({ inputs: ['nope'], outputs: [], run() {} }) }
 * catch (e) { if (e instanceof GraphError && e.code === 'unknown-store') ... }
 */
export class GraphError extends Error {
  override name = 'GraphError'
  constructor(
    readonly code: GraphErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * A callback failed. `cause` is the very value it threw (or the error of its worker, its
 * timeout, a bad return shape). Only that callback's outputs are affected.
 */
export class CallbackError extends Error {
  override name = 'CallbackError'
  readonly callbackId: string
  override readonly cause: unknown
  /** `cause.code` when the thrown value had one, so callers can branch without digging. */
  readonly code: string | undefined
  constructor(callbackId: string, cause: unknown, message?: string) {
    super(message ?? `callback "${callbackId}" failed: ${describe(cause)}`)
    this.callbackId = callbackId
    this.cause = cause
    let code: unknown
    try {
      code = (cause as { code?: unknown } | null)?.code
    } catch {
      // A hostile getter (or a revoked Proxy): no code, the cause still says what was thrown.
    }
    this.code = typeof code === 'string' ? code : undefined
  }
}

/**
 * A thrown value as text, for messages. Anything can be thrown: a null-prototype object
 * (String() throws), an Error whose `name` getter throws, a revoked Proxy (every operation
 * throws). Making the message must never throw in its turn, or the failure would escape
 * the scheduler instead of being reported.
 */
function describe(cause: unknown): string {
  try {
    return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  } catch {
    try {
      return `${Object.prototype.toString.call(cause)} that cannot be printed`
    } catch {
      return `a ${typeof cause} that cannot be printed`
    }
  }
}

/**
 * Throw from a callback to leave every output alone (Dash's PreventUpdate). Not an error:
 * it is not counted in `board.errors`.
 */
export class PreventUpdate extends Error {
  override name = 'PreventUpdate'
  constructor() {
    super('PreventUpdate')
  }
}

/**
 * Put in an output slot to leave that output alone (Dash's no_update).
 * @example run: (x) => [x * 2, x > 10 ? x : noUpdate]
 */
export const noUpdate: NoUpdate = Object.freeze({ switchboard: 'noUpdate' as const }) as NoUpdate
/**
 * The type of `noUpdate`. A branded object rather than a symbol: a symbol type widens to
 * `symbol` inside array literals and ternaries, which would break the typed return of `run`.
 */
export interface NoUpdate {
  readonly switchboard: 'noUpdate'
  readonly __brand: 'switchboard.noUpdate'
}

/**
 * An input or state value of a cached callback that cannot be part of a cache key (a
 * function, a class instance, a cycle...); the message names the callback and the path.
 * @example
 * catch (e) { if (e instanceof CallbackError && e.cause instanceof CacheKeyError) ... }
 */
export class CacheKeyError extends Error {
  override name = 'CacheKeyError'
  readonly code = 'unhashable'
  constructor(message: string) {
    super(message)
  }
}

/**
 * A persisted value or storage medium could not be used; names the store and medium.
 * `unencodable`: the store's codec or medium would not give the value back equal (a Date
 * under the json codec, a class instance in IndexedDB); `path` says where inside the value.
 */
export class StorageError extends Error {
  override name = 'StorageError'
  constructor(
    readonly code:
      | 'quota'
      | 'unserialisable'
      | 'unencodable'
      | 'corrupt'
      | 'unavailable'
      | 'closed'
      | 'timeout'
      | 'codec',
    message: string,
    override readonly cause?: unknown,
    /** unencodable: where in the value (`filters.since`); '' for the value itself. */
    readonly path?: string,
  ) {
    super(message)
  }
}

/** Why an aggregation was refused; see `AggregationError`. */
export type AggregationErrorCode = 'unknown-column' | 'not-numeric' | 'bad-spec' | 'bad-table' | 'too-many-groups'

/**
 * An aggregation could not run: a column the table does not have, a sum over text, a bin
 * with no sensible width, more groups than the documented limit. `column` names the culprit.
 * (Not `AggregateError`: that name belongs to the built-in of Promise.any.)
 *
 * @example
 * try { aggregate(rows, { by: 'carrier', measures: { d: sum('delay') } }) }
 * catch (e) { if (e instanceof AggregationError && e.code === 'unknown-column') ... }
 */
export class AggregationError extends Error {
  override name = 'AggregationError'
  constructor(
    readonly code: AggregationErrorCode,
    message: string,
    readonly column?: string,
  ) {
    super(message)
  }
}

/**
 * Why a worker pool failed a call. The worker side raises some of them itself and they
 * cross as `WorkerError`s: `'unknown-task'`, `'handle-lost'` (a persisted handle gone from
 * IndexedDB too) and `'unserialisable'` (a result the worker could not send: its
 * `DataCloneError` is the `cause`).
 */
export type WorkerErrorCode =
  | 'timeout'
  | 'start-failed'
  | 'unserialisable'
  | 'terminated'
  | 'handle-lost'
  | 'aborted'
  /** The worker went away on its own (`self.close()`, a crash, out of memory). */
  | 'exited'
  /** An argument of the call (an input or state value) cannot be cloned to the worker. */
  | 'unserialisable-input'
  /** The worker has no task of that name (raised in the worker, rebuilt on the main thread). */
  | 'unknown-task'

/**
 * A worker pool could not complete a call: the worker timed out (`name` is then
 * 'TimeoutError'), failed to start, exited on its own, was given or returned something
 * that cannot cross threads, or the pool was terminated. Arrives as the `cause` of the
 * callback's `CallbackError`.
 */
export class WorkerError extends Error {
  override name = 'WorkerError'
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message)
    if (code === 'timeout') this.name = 'TimeoutError'
    else if (code === 'aborted') this.name = 'AbortError'
  }
}
