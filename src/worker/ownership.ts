/**
 * Handle ownership: which handles a pool issued, which worker holds each, and when one is
 * released. Also the board-wide side: the pools of each board (for `board.resolve` and the
 * board's events) and persisted handles no live pool knows.
 *
 * Invariants:
 * - only handles the pool recognises (`issued`) are handles; look-alikes are user data;
 * - every handle in the table is held by a store of the board or by nothing for long: it
 *   is released when its store is overwritten or cleared, when the result that carried it
 *   was dropped or its run settled without storing it, and when the pool terminates (no
 *   unbounded growth);
 * - a worker that was replaced holds nothing: handles of its earlier life resolve from
 *   IndexedDB if persisted, or fail with `handle-lost`.
 */
import { WorkerError } from '../errors'
import { sizeOf } from '../storage/size'
import { eachHandle, type Handle, isHandle } from './handle'
import type { PoolHost } from './types'
import type { Slot, Workers } from './workers'

/** A pool as the board-wide registry sees it. */
export interface Member {
  readonly id: string
  readonly owned: Ownership
  terminate(): void
}

/** Pools of each board, by pool id; the board's events are followed once per board. */
const registries = new WeakMap<PoolHost, Map<string, Member>>()

export function poolsOf(host: PoolHost): Map<string, Member> {
  let pools = registries.get(host)
  if (pools) return pools
  pools = new Map()
  registries.set(host, pools)
  const all = pools
  host.onReplaced((old) => {
    // A store's handle was overwritten or cleared: release it unless another store holds it.
    eachHandle([old], (h) => {
      const pool = all.get(h.pool)
      if (pool) pool.owned.releaseIfUnheld(h)
      // A persisted handle of an earlier page (restored by an idb store): no pool of ours
      // made it, but its IndexedDB entry is ours to drop, or reloads would pile them up.
      else if (h.persisted && h.board === host.name && !held(host, h.id)) {
        void host
          .idb()
          .then((db) => db?.delMany('handles', [h.id]))
          .catch(() => undefined) // degraded storage: nothing to remove
      }
    })
  })
  // clear() and clearSession() (F30): worker-held data goes; clear() drops every persisted handle.
  host.onClear(async (scope) => {
    for (const p of all.values()) p.owned.releaseAll(true)
    if (scope === 'all')
      await host
        .idb()
        .then((db) => db?.clear('handles'))
        .catch(() => undefined) // degraded storage: nothing to remove
  })
  // A callback settled (or was superseded): handles its run returned that no store took
  // (an equal value, noUpdate, a dropped result) are nobody's now.
  host.onStatus((callbackId) => {
    for (const p of all.values()) p.owned.settled(callbackId)
  })
  host.onDispose(() => {
    for (const p of [...all.values()]) p.terminate()
  })
  return pools
}

/** Is this handle the value (or an item) of some store of the board, or in a cache entry? */
function held(host: PoolHost, id: string): boolean {
  if (host.holds(id)) return true
  for (const v of host.values()) {
    if (v === null || typeof v !== 'object') continue
    let found = false
    eachHandle([v], (h) => {
      if (h.id === id) found = true
    })
    if (found) return true
  }
  return false
}

/** `board.resolve(handle)`: the one way data held by a worker reaches the main thread. */
export async function resolveHandle<T>(host: PoolHost, handle: Handle<T>): Promise<T> {
  if (!isHandle(handle))
    throw new TypeError(`board "${host.name}": resolve() expects a handle made by keep(), got ${typeof handle}.`)
  const pool = registries.get(host)?.get(handle.pool)
  if (pool) return (await pool.owned.resolve(handle)) as T
  if (handle.persisted) {
    const db = await host.idb()
    const [v] = db ? await db.getMany<T>('handles', [handle.id]) : [undefined]
    if (v !== undefined) return v
  }
  throw new WorkerError(
    'handle-lost',
    `handle "${handle.id}" (${handle.desc}) is held by no live pool of board "${host.name}" and not in IndexedDB.`,
  )
}

/** A handle some pool made (S23): the whole shape keep() gives, not just the brand and an id. */
export function issued(h: Handle): boolean {
  return (
    typeof h.pool === 'string' &&
    Number.isInteger(h.worker) &&
    Number.isInteger(h.life) &&
    typeof h.persisted === 'boolean' &&
    typeof h.board === 'string'
  )
}

/** The handles of one pool. */
export class Ownership {
  /** Issued by this pool and not released, by id. */
  private readonly handles = new Map<string, Handle>()
  /** Handles returned to callbacks still settling, by callback id (see `settled`). */
  private readonly orphans = new Map<string, Handle[]>()
  /** Bytes that reached the main thread through `board.resolve`. */
  bytesResolved = 0

  constructor(
    private readonly poolId: string,
    private readonly poolName: string,
    private readonly host: PoolHost,
    private readonly workers: Workers<{ readonly settled: boolean }>,
  ) {}

  get size(): number {
    return this.handles.size
  }

  /** The slot holding `h` now: undefined for another pool's handle, or when its worker was replaced. */
  holder(h: Handle): Slot<{ readonly settled: boolean }> | undefined {
    if (h.pool !== this.poolId) return undefined
    const s = this.workers.slots[h.worker]
    return s && s.life === h.life && s.state !== 'failed' ? s : undefined
  }

  /** Handles of this pool in a value (one level deep, as stores hold them). */
  ours(value: unknown): Handle[] {
    const list: Handle[] = []
    eachHandle([value], (h) => {
      if (h.pool === this.poolId) list.push(h)
    })
    return list
  }

  /** A reply arrived: the handles in it are ours to track. */
  track(value: unknown): void {
    for (const h of this.ours(value)) this.handles.set(h.id, h)
  }

  async resolve(h: Handle): Promise<unknown> {
    const slot = this.holder(h)
    let value: unknown
    if (slot?.state === 'ready') {
      const lost = () =>
        new WorkerError(
          'handle-lost',
          `handle "${h.id}" (${h.desc}): worker ${slot.index} of pool "${this.poolName}" went away before it answered.`,
        )
      value = await this.workers.ask(slot, { sb: 'resolve', handle: h.id }, lost)
    } else if (h.persisted) {
      const db = await this.host.idb()
      ;[value] = db ? await db.getMany('handles', [h.id]) : [undefined]
    }
    if (value === undefined) {
      throw new WorkerError(
        'handle-lost',
        `handle "${h.id}" (${h.desc}) is no longer held by pool "${this.poolName}" (released, or its worker restarted).`,
      )
    }
    this.bytesResolved += sizeOf(value)
    return value
  }

  releaseIfUnheld(h: Handle): void {
    const mine = this.handles.get(h.id)
    if (!mine || held(this.host, h.id)) return
    this.release([mine])
  }

  /** Handles a dropped result carried: released once the scheduler has moved on. */
  releaseUnheldSoon(value: unknown): void {
    const list = this.ours(value)
    if (!list.length) return
    setTimeout(() => {
      for (const h of list) this.releaseIfUnheld(h)
    }, 0)
  }

  /** Handles a callback's run returned: checked when that callback settles (see `settled`). */
  afterSettle(callbackId: string, value: unknown): void {
    const list = this.ours(value)
    if (!list.length) return
    const waiting = this.orphans.get(callbackId)
    if (waiting) waiting.push(...list)
    else this.orphans.set(callbackId, list)
  }

  /** The board says `callbackId` changed status: once it is not running, check its handles. */
  settled(callbackId: string): void {
    const list = this.orphans.get(callbackId)
    if (!list || this.host.running(callbackId)) return
    this.orphans.delete(callbackId)
    for (const h of list) this.releaseIfUnheld(h)
  }

  private release(list: Handle[]): void {
    for (const h of list) {
      this.handles.delete(h.id)
      const slot = this.holder(h) ?? (h.persisted ? this.workers.slots.find((s) => s.state === 'ready') : undefined)
      if (slot?.state !== 'ready') continue
      const gone = () =>
        new WorkerError(
          'terminated',
          `worker ${slot.index} of pool "${this.poolName}" went away before it released "${h.id}".`,
        )
      void this.workers
        .ask(slot, { sb: 'release', handles: [h.id], dropPersisted: h.persisted }, gone)
        .catch(() => undefined) // the worker went away: nothing left to free
    }
  }

  releaseAll(dropPersisted: boolean): void {
    const list = [...this.handles.values()]
    if (dropPersisted) this.release(list)
    else this.handles.clear()
  }

  /** The slot's worker was replaced: its memory-only handles are gone, persisted ones stay resolvable. */
  forget(slot: Slot<{ readonly settled: boolean }>): void {
    let lost = 0
    for (const [id, h] of this.handles) {
      if (h.worker === slot.index && h.life !== slot.life && !h.persisted) {
        this.handles.delete(id)
        lost++
      }
    }
    if (lost) {
      this.host.warn(
        `worker-lost-${this.poolId}`,
        `worker ${slot.index} of pool "${this.poolName}" was restarted and ${lost} handle(s) it held are gone; keep(value, { persist: true }) survives a restart.`,
      )
    }
  }

  clear(): void {
    this.handles.clear()
    this.orphans.clear()
  }
}
