/**
 * The worker pools' view of a board (src/worker/types.ts `PoolHost`), made when the pool's
 * code loads (src/worker/calls.ts imports this file): a board that never calls
 * `workers()` or `resolve()` does not download it (issue 13 P9).
 */
import type { Idb, openBoardIdb } from '../storage/idb'
import type { PoolHost, TaskRun } from '../worker/types'
import type { Scheduler } from './schedule'
import type { CallbackNode, StoreNode } from './store'
import type { BoardEvents } from './types'

/** What a pool's host reads of the board (graph/board.ts BoardImpl). */
export interface PoolBoard {
  readonly name: string
  readonly stores: ReadonlyMap<string, StoreNode>
  readonly callbacks: readonly CallbackNode[]
  readonly scheduler: Scheduler
  readonly hooks: {
    readonly replaced: Array<(store: StoreNode | undefined, old: object) => void>
    readonly clear: Array<(scope: 'session' | 'all') => void | Promise<void>>
    readonly dispose: Array<() => void>
    readonly holds: Array<(handleId: string) => boolean>
  }
  warn(key: string, message: string): void
  database(open: typeof openBoardIdb): Idb | undefined
  on(type: 'status', fn: (e: BoardEvents['status']) => void): () => void
}

/** One host per board: the pools' registries (worker/ownership.ts) are keyed by it. */
const poolHosts = new WeakMap<PoolBoard, PoolHost>()

export function poolHostOf(b: PoolBoard): PoolHost {
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
    runOf: (x) =>
      x !== null &&
      typeof x === 'object' &&
      typeof (x as Partial<TaskRun>).reportBytes === 'function' &&
      typeof (x as Partial<TaskRun>).progress === 'function'
        ? (x as TaskRun)
        : undefined,
    idb: () => import('../storage/idb').then((m) => b.database(m.openBoardIdb)),
    onReplaced: (fn) => void b.hooks.replaced.push((_store, old) => fn(old)),
    onClear: (fn) => void b.hooks.clear.push(fn),
    onStatus: (fn) => void b.on('status', ({ callback }) => fn(callback)),
    onDispose: (fn) => void b.hooks.dispose.push(fn),
  }
  poolHosts.set(b, host)
  return host
}
