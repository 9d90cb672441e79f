/**
 * Worker lifecycle: each slot of a pool starts a worker on demand, waits for it to be
 * ready, retries a failed start with backoff, notices a worker that went away on its own,
 * restarts one on request (a timeout, a hard cancel) and terminates them all at the end.
 * The messages are protocol.ts's, on each worker's own port; this file reads them and
 * hands calls' replies and progress to the router (calls.ts) through `SlotEvents`.
 *
 *   new ──spawn──► starting ──Ready──► ready ──exit / kill──► new (life + 1)
 *                     │ error, no Ready in startTimeoutMs
 *                     └──► retry with backoff ──► … ──► failed (its calls fail: start-failed)
 *
 * Invariants:
 * - a slot's `life` goes up each time its worker goes; everything tagged with an older life
 *   (a late reply, a lock grant, a retry timer) is ignored;
 * - a side request (resolve, release, stats) never hangs: the worker going first fails it;
 * - a worker that goes away on its own (`self.close()`, a crash) is noticed through its life
 *   lock (see `Init.lock`): the pool, queued behind it, is granted the lock when it is gone.
 */
import { WorkerError } from '../errors'
import { nameOf } from '../storage/names'
import {
  type Ask,
  type AskBody,
  type FromWorker,
  fromWire,
  isOurs,
  type Progress,
  type Reply,
  type ToWorker,
  wellFormed,
} from './protocol'
import type { PoolHost } from './types'

/** What the lifecycle needs of a queued call: whether it is settled already. */
interface Job {
  readonly settled: boolean
}

/** One worker place in the pool; `life` counts its incarnations. */
export interface Slot<J extends Job> {
  readonly index: number
  life: number
  state: 'new' | 'starting' | 'ready' | 'failed'
  worker: Worker | undefined
  /** The call the worker runs now (sent early while it starts), and those waiting for it. */
  busy: J | undefined
  queue: J[]
  attempts: number
  failure: WorkerError | undefined
  startTimer: ReturnType<typeof setTimeout> | undefined
  /** Side requests waiting on this worker, by (negative) id: failed if it goes first. */
  readonly asks: Map<number, { resolve(v: unknown): void; reject(e: unknown): void; gone(): Error }>
}

/** What the router (calls.ts) hears from the lifecycle. */
export interface SlotEvents<J extends Job> {
  /** A worker was created: calls may be sent at once (it holds them until its tasks exist). */
  started(slot: Slot<J>): void
  /** The worker is ready: the busy call's timer starts, or the next call goes. */
  ready(slot: Slot<J>): void
  /** The reply to the busy call; undefined when it was malformed (F32). */
  replied(slot: Slot<J>, reply: Reply | undefined): void
  progress(p: Progress): void
  /** The worker went away on its own; `busy` was running there. */
  exited(slot: Slot<J>, busy: J | undefined): void
  /** The slot's worker would not start, after every retry: its queued calls go elsewhere or fail. */
  failed(slot: Slot<J>, error: WorkerError): void
  /** The slot's worker was replaced: memory-only handles of its earlier life are gone. */
  forgot(slot: Slot<J>): void
}

export interface Lifecycle {
  readonly poolId: string
  readonly poolName: string
  readonly host: PoolHost
  readonly factory: () => Worker
  readonly startTimeoutMs: number
  readonly retries: number
  readonly backoffMs: number
}

export class Workers<J extends Job> {
  readonly slots: Slot<J>[] = []
  terminated = false
  private askSeq = 0
  /** Kinds of stray message already warned about, by worker (S24). */
  private readonly strays = new Set<string>()

  constructor(
    size: number,
    private readonly o: Lifecycle,
    private readonly events: SlotEvents<J>,
  ) {
    for (let index = 0; index < size; index++) {
      this.slots.push({
        index,
        life: 0,
        state: 'new',
        worker: undefined,
        busy: undefined,
        queue: [],
        attempts: 0,
        failure: undefined,
        startTimer: undefined,
        asks: new Map(),
      })
    }
  }

  /** Starts the slot's worker and tells it who it is; calls may be sent at once. */
  spawn(slot: Slot<J>): void {
    if (this.terminated) return
    slot.state = 'starting'
    const life = slot.life
    let worker: Worker
    try {
      worker = this.o.factory()
    } catch (e) {
      return this.startFailed(slot, life, e instanceof Error ? e.message : String(e))
    }
    slot.worker = worker
    const where = `worker ${slot.index} of pool "${this.o.poolName}"`
    worker.addEventListener('error', (e: Event) => {
      if (slot.life !== life) return
      const m = (e as ErrorEvent).message
      if (slot.state === 'starting') {
        e.preventDefault()
        this.startFailed(slot, life, m ? m : 'the script failed to load or evaluate (a 404, network or syntax error)')
      } else {
        // An uncaught error of the worker's own code (a timer, a stray promise): its calls
        // go on, but the board says so.
        this.o.host.warn(
          `worker-error-${this.o.poolId}-${slot.index}`,
          `${where} reported an uncaught error: ${m || 'unknown error'}`,
        )
      }
    })
    worker.addEventListener('message', (e: MessageEvent) => this.received(slot, life, e.data))
    worker.addEventListener('messageerror', () => this.stray(slot, 'one that could not be deserialised'))
    slot.startTimer = setTimeout(
      () => this.startFailed(slot, life, `it did not call exposeTasks() within ${this.o.startTimeoutMs} ms`),
      this.o.startTimeoutMs,
    )
    // Named like every lock of the board (S01): no board or pool id can make another's name.
    const lock = nameOf(this.o.host.name, 'worker', this.o.poolId, String(slot.index), String(life))
    this.post(slot, { sb: 'init', pool: this.o.poolId, worker: slot.index, life, board: this.o.host.name, lock })
    this.events.started(slot)
  }

  /** Sends a message to the slot's worker. Throws what postMessage throws (an argument that cannot be cloned). */
  post(slot: Slot<J>, m: ToWorker): void {
    slot.worker!.postMessage(m)
  }

  /** A side request to a live worker; fails with `gone()` instead of hanging if the worker goes first. */
  ask<T>(slot: Slot<J>, m: AskBody, gone: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = -++this.askSeq
      slot.asks.set(id, { resolve: resolve as (v: unknown) => void, reject, gone })
      try {
        this.post(slot, { ...m, id } as Ask)
      } catch (e) {
        slot.asks.delete(id)
        reject(e)
      }
    })
  }

  private received(slot: Slot<J>, life: number, data: unknown): void {
    if (slot.life !== life) return // a message of a worker that is gone
    // F32: the worker's own port carries only our protocol.
    if (!isOurs(data)) return this.stray(slot, kindOf(data))
    if (!wellFormed(data)) {
      this.o.host.warn(
        `worker-malformed-${this.o.poolId}`,
        `pool "${this.o.poolName}": dropped a malformed ${data.sb === 'reply' ? 'reply' : 'message'} from a worker.`,
      )
      if (data.sb === 'reply') this.events.replied(slot, undefined)
      return
    }
    const m: FromWorker = data
    switch (m.sb) {
      case 'reply': {
        const ask = slot.asks.get(m.id)
        if (!ask) return this.events.replied(slot, m)
        slot.asks.delete(m.id)
        return m.ok ? ask.resolve(m.value) : ask.reject(fromWire(m.error))
      }
      case 'progress':
        return this.events.progress(m)
      case 'warning':
        return this.o.host.warn(`worker-${this.o.poolId}-${m.kind}`, `pool "${this.o.poolName}": ${m.message}`)
      case 'held':
        return this.watch(slot, life)
      case 'ready':
        if (slot.state !== 'starting') return
        clearTimeout(slot.startTimer)
        slot.startTimer = undefined
        slot.state = 'ready'
        slot.attempts = 0
        slot.failure = undefined
        if (m.locked) this.watch(slot, life)
        return this.events.ready(slot)
    }
  }

  /**
   * Queues for the worker's life lock (S08): granted once the worker's global is gone,
   * whether it was terminated here or went on its own.
   */
  private watch(slot: Slot<J>, life: number): void {
    const lock = nameOf(this.o.host.name, 'worker', this.o.poolId, String(slot.index), String(life))
    try {
      // Denied on this thread: the worker goes unwatched, and a call's timeoutMs still applies.
      void navigator.locks.request(lock, () => this.exited(slot, life)).catch(() => undefined)
    } catch {
      // No navigator.locks here (an insecure context): the same, unwatched.
    }
  }

  /** The worker of `life` went away on its own: fail what it had, restart on demand. */
  private exited(slot: Slot<J>, life: number): void {
    if (slot.life !== life || this.terminated) return // terminated or restarted by us
    const busy = this.kill(slot)
    this.o.host.warn(
      `worker-exited-${this.o.poolId}-${slot.index}`,
      `worker ${slot.index} of pool "${this.o.poolName}" exited on its own (self.close(), a crash or out of memory); the next call starts a new worker.`,
    )
    this.events.forgot(slot)
    slot.state = 'new'
    this.events.exited(slot, busy)
  }

  /** F18: bounded retries with backoff, then the slot's calls fail with the reason. */
  private startFailed(slot: Slot<J>, life: number, why: string): void {
    if (slot.life !== life || this.terminated) return
    // The call sent early goes back to the front of the queue, for the next attempt.
    const early = this.kill(slot)
    if (early && !early.settled) slot.queue.unshift(early)
    slot.attempts++
    if (slot.attempts <= this.o.retries) {
      slot.state = 'starting'
      const delay = this.o.backoffMs * 4 ** (slot.attempts - 1)
      slot.startTimer = setTimeout(() => {
        slot.startTimer = undefined
        if (slot.life === life + 1) this.spawn(slot)
      }, delay)
      return
    }
    const e = new WorkerError(
      'start-failed',
      `worker ${slot.index} of pool "${this.o.poolName}" failed to start after ${slot.attempts} attempts: ${why}.`,
    )
    slot.state = 'failed'
    slot.failure = e
    this.o.host.warn(`worker-start-${this.o.poolId}-${slot.index}`, e.message)
    this.events.failed(slot, e)
  }

  /** Terminate and start afresh (a timeout, a hard cancel). The busy call is settled already. */
  respawn(slot: Slot<J>): void {
    this.kill(slot)
    this.events.forgot(slot)
    slot.state = 'new'
    // Now, so the next call finds a warm worker.
    this.spawn(slot)
  }

  /** Terminates the slot's worker, bumps its life, fails its side requests; returns the call it had. */
  kill(slot: Slot<J>): J | undefined {
    const busy = slot.busy
    if (slot.startTimer) clearTimeout(slot.startTimer)
    slot.startTimer = undefined
    slot.worker?.terminate()
    slot.worker = undefined
    slot.busy = undefined
    slot.life++
    for (const a of slot.asks.values()) a.reject(a.gone())
    slot.asks.clear()
    return busy
  }

  terminate(): void {
    this.terminated = true
    for (const s of this.slots) {
      s.queue = []
      this.kill(s)
      s.state = 'new'
    }
  }

  /** F32: a message outside the protocol on the worker's port; dropped, one warning per kind and worker. */
  private stray(slot: Slot<J>, kind: string): void {
    const key = `${slot.index}:${kind}`
    if (this.strays.has(key)) return
    this.strays.add(key)
    this.o.host.warn(
      `worker-stray-${this.o.poolId}-${key}`,
      `worker ${slot.index} of pool "${this.o.poolName}" sent a message outside the switchboard protocol (${kind}); it was dropped. A task answers by returning and reports with ctx.progress().`,
    )
  }
}

/** "a function", "an AbortSignal", "an HTMLDivElement", "a string": for messages. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v)
  const name =
    typeof v === 'object' ? ((Object.getPrototypeOf(v)?.constructor?.name as string | undefined) ?? 'object') : typeof v
  const plain = name === 'Object' ? 'object' : name === 'Array' ? 'array' : name
  return `${/^([aeiouAEIOU]|HTML)/.test(plain) ? 'an' : 'a'} ${plain}`
}
