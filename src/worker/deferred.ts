/**
 * `board.workers()` hands back this stand-in at once and loads the pool's code (and Comlink)
 * on first use, so a board that never calls workers() does not download them. Workers start
 * on demand anyway: loading the code a microtask later changes nothing a caller can see,
 * except that `stats()` reads zeros until the pool exists.
 */
import type { BoardImpl } from '../graph/board'
import type { Handle } from './handle'
import type { PoolOptions, PoolStats, WorkerPool } from './pool'

export function deferredPool(board: BoardImpl, factory: () => Worker, options: PoolOptions = {}): WorkerPool {
  const name = options.name ?? 'workers'
  let pool: WorkerPool | undefined
  let terminated = false
  const ready = import('./pool').then((m) => {
    pool = m.createPool(board, factory, options)
    if (terminated || board.scheduler.disposed) pool.terminate()
    return pool
  })
  return {
    name,
    task(task) {
      // Checked now, as the pool does, so a bad name fails where the callback is defined.
      if (typeof task !== 'string' || task.startsWith('$')) throw new TypeError(`pool "${name}": bad task name "${String(task)}".`)
      return (...args) => (pool ? pool.task(task)(...args) : ready.then((p) => p.task(task)(...args)))
    },
    aggregate: <R>(table: Handle, spec: unknown) => ready.then((p) => p.aggregate<R>(table, spec)),
    stats: (): PoolStats =>
      pool?.stats() ?? { calls: 0, open: 0, workers: 0, ports: 0, handles: 0, bytesToMain: 0, bytesResolved: 0, startError: undefined },
    workerStats: () => ready.then((p) => p.workerStats()),
    terminate() {
      terminated = true
      pool?.terminate()
    },
  }
}
