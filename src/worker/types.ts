/**
 * The public face of a worker pool, as a leaf: graph/types.ts (the board's `workers()`)
 * and the pool itself both use it, so neither imports the other for its types.
 */
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
  /** Event ports open now (one per live worker). */
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

/**
 * Workers for callbacks. `task(name)` is a callback's `run`; big results stay in the workers
 * as handles (see `keep`).
 *
 * @example
 * const pool = board.workers(() => new Worker(new URL('./stats.worker.ts', import.meta.url), { type: 'module' }), { size: 2 })
 * board.callback({ inputs: [data], outputs: [hist], run: pool.task('histogram'), timeoutMs: 5000 })
 */
export interface WorkerPool {
  readonly name: string
  /** A `run` that calls `name` in a worker with the callback's arguments and ctx. */
  task<R = any>(name: string): (...args: any[]) => Promise<R>
  /** Runs `aggregate(table, spec)` in the worker holding `table` and returns the small result. */
  aggregate<R = Record<string, unknown[]>>(table: Handle, spec: unknown): Promise<R>
  /** Counts for leak checks and the dev panel, and each worker's own (held values). */
  stats(): PoolStats
  workerStats(): Promise<WorkerStats[]>
  /** Rejects what is pending, releases handles, terminates every worker. Idempotent. */
  terminate(): void
}
