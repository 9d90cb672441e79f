/**
 * A pool of workers as the board hands it out: `board.workers()` returns the face at once
 * and loads the pool's code (calls.ts, workers.ts, ownership.ts) by dynamic import on
 * first use, so a board that never calls workers() does not download it. Workers start on
 * demand anyway: loading the code a microtask later changes nothing a caller can see,
 * except that `stats()` reads zeros until it has loaded.
 *
 *   calls.ts       routing and queueing: which worker runs a call, when, and its outcome
 *   workers.ts     worker lifecycle: start, ready, retry, exit, restart, terminate
 *   ownership.ts   handles: which the pool issued, who holds them, when they are released
 *   types.ts       the public face and the narrow host (`PoolHost`) the pool sees of the board,
 *                  made with the pool's code (graph/pool-host.ts), so it costs nothing up front
 */
import type { AggregateSpec } from '../aggregate/index'
import type { PoolBoard } from '../graph/pool-host'
import type { Handle } from './handle'
import type { PoolOptions, PoolStats, Tasks, WorkerPool } from './types'

export type { PoolOptions, PoolStats, TaskRunner, Tasks, WorkerPool } from './types'

type Calls = typeof import('./calls')
/** The pool's code once loaded: later pools start at once, without waiting a turn for import(). */
let loaded: Calls | undefined
const load = (): Promise<Calls> =>
  import('./calls').then((m) => {
    loaded = m
    return m
  })

/** `board.workers(factory, options)`: the face now, the pool's code on first use. */
export function createPool<T extends Tasks = Tasks>(
  board: PoolBoard,
  factory: () => Worker,
  options: PoolOptions = {},
): WorkerPool<T> {
  const name = options.name ?? 'workers'
  let pool: WorkerPool | undefined = loaded?.startPool(board, factory, options)
  if (pool && board.scheduler.disposed) pool.terminate()
  let terminated = false
  const ready: Promise<WorkerPool> = pool
    ? Promise.resolve(pool)
    : load().then((m) => {
        pool = m.startPool(board, factory, options)
        if (terminated || board.scheduler.disposed) pool.terminate()
        return pool
      })
  const face: WorkerPool = {
    name,
    task(task) {
      // Checked now, as the pool does, so a bad name fails where the callback is defined.
      if (typeof task !== 'string' || task.startsWith('$'))
        throw new TypeError(`pool "${name}": bad task name "${String(task)}".`)
      // The pool's own runner, made once it exists: a call then costs one function call here.
      let run: ((...args: unknown[]) => Promise<unknown>) | undefined
      return (...args: unknown[]) => {
        if (!run && pool) run = pool.task(task)
        return run ? run(...args) : ready.then((p) => p.task(task)(...args))
      }
    },
    aggregate: <R>(table: Handle, spec: AggregateSpec) => ready.then((p) => p.aggregate<R>(table, spec)),
    stats: (): PoolStats =>
      pool?.stats() ?? {
        calls: 0,
        open: 0,
        workers: 0,
        ports: 0,
        handles: 0,
        bytesToMain: 0,
        bytesResolved: 0,
        startError: undefined,
      },
    workerStats: () => ready.then((p) => p.workerStats()),
    terminate() {
      terminated = true
      pool?.terminate()
    },
  }
  return face as unknown as WorkerPool<T>
}

/** `board.resolve(handle)`: the one way data held by a worker reaches the main thread. */
export function resolveHandle<T>(board: PoolBoard, handle: Handle<T>): Promise<T> {
  return load().then((m) => m.resolveOwned(board, handle))
}
