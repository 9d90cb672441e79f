/**
 * The main-thread side of worker callbacks: a pool of workers started by a factory,
 * calls routed to them through Comlink, and the table of handles they hold.
 *
 * Invariants:
 * - a worker runs one call at a time (the pool queues the rest), so a call's `timeoutMs`
 *   counts from when a ready worker takes it, not from start-up or queue time;
 * - a call with a handle among its arguments goes to the worker holding that handle;
 * - arguments are copied (structured clone, no transfer): a store never loses its value to
 *   a detached buffer (F20); results' buffers are transferred by the worker;
 * - every handle in the table is held by a store of the board or by nothing for long: it
 *   is released when its store is overwritten or cleared, when the result that carried it
 *   was dropped, and when the pool terminates (no unbounded growth);
 * - a respawned worker holds nothing: its slot's `life` goes up and handles of the old
 *   life resolve from IndexedDB if persisted, or fail with `handle-lost`;
 * - a worker that goes away on its own (`self.close()`, a crash, out of memory) is noticed
 *   through its life lock (see `Init.lock`): its call fails with `exited`, nothing waits on
 *   it, and the calls queued behind it go to a new worker;
 * - only handles the pool recognises (`issued`) are handles; look-alikes are user data.
 */
import * as Comlink from 'comlink'
import { CallbackError, noUpdate, PreventUpdate, WorkerError } from '../errors'
import type { BoardImpl, Ctx } from '../graph/board'
import { idbOf } from '../storage/board-idb'
import { nameOf } from '../storage/names'
import { sizeOf as bytesOf } from '../storage/size'
import { eachHandle, type Handle, isHandle } from './handle'
import {
  AGGREGATE_TASK,
  type Call,
  type EventSink,
  fromWire,
  type Init,
  isComlinkWire,
  isReady,
  type Reply,
  type WorkerApi,
  type WorkerEvent,
  type WorkerStats,
} from './protocol'

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

interface PendingCall {
  readonly id: number
  readonly task: string
  args: unknown[]
  /** Ids of the handles among `args` (see `Call.handles`), set by `route`. */
  handles: string[] | undefined
  readonly ctx: Ctx | undefined
  readonly callbackId: string | undefined
  readonly resolve: (v: unknown) => void
  readonly reject: (e: unknown) => void
  settled: boolean
  timer: ReturnType<typeof setTimeout> | undefined
  onAbort: (() => void) | undefined
  bytesIn: number
}

/** One worker place in the pool; `life` counts its incarnations. */
interface Slot {
  readonly index: number
  life: number
  state: 'new' | 'starting' | 'ready' | 'failed'
  worker: Worker | undefined
  api: Comlink.Remote<WorkerApi> | undefined
  /** `api.call`, fetched once: each property read on a Comlink proxy makes a new proxy. */
  callFn: ((c: Call) => Promise<Reply>) | undefined
  events: MessagePort | undefined
  busy: PendingCall | undefined
  queue: PendingCall[]
  attempts: number
  failure: WorkerError | undefined
  startTimer: ReturnType<typeof setTimeout> | undefined
  /** Side requests (resolve, stats) waiting on this worker: failed if it goes first. */
  waiters: Set<() => void>
}

interface Tracked {
  readonly handle: Handle
}

/** Pools of each board, for `board.resolve` and the board's hooks. */
const registries = new WeakMap<BoardImpl, Map<string, Pool>>()

function registry(board: BoardImpl): Map<string, Pool> {
  let pools = registries.get(board)
  if (pools) return pools
  pools = new Map()
  registries.set(board, pools)
  const all = pools
  board.hooks.replaced.push((_store, old) => {
    // A store's handle was overwritten or cleared: release it unless another store holds it.
    eachHandle([old], (h) => {
      const pool = all.get(h.pool)
      if (pool) pool.releaseIfUnheld(h)
      // A persisted handle of an earlier page (restored by an idb store): no pool of ours
      // made it, but its IndexedDB entry is ours to drop, or reloads would pile them up.
      else if (h.persisted && h.board === board.name && !storeHolds(board, h.id)) {
        void idbOf(board)?.delMany('handles', [h.id]).catch(() => undefined) // degraded storage: nothing to remove
      }
    })
  })
  // clear() and clearSession() (F30): worker-held data goes; clear() drops every persisted handle.
  board.hooks.clear.push(async (scope) => {
    for (const p of all.values()) p.releaseAll(true)
    if (scope === 'all') await idbOf(board)?.clear('handles').catch(() => undefined) // degraded storage: nothing to remove
  })
  // A callback settled (or was superseded): handles its run returned that no store took
  // (an equal value, noUpdate, a dropped result) are nobody's now.
  board.on('status', ({ callback }) => {
    for (const p of all.values()) p.settled(callback)
  })
  board.hooks.dispose.push(() => {
    for (const p of [...all.values()]) p.terminate()
  })
  return pools
}

/** Is this handle the value (or an item) of some store of the board? */
function storeHolds(board: BoardImpl, id: string): boolean {
  // A cache entry holding it counts as a store would: a later hit hands it out again.
  if (board.hooks.holds.length && board.hooks.holds.some((f) => f(id))) return true
  for (const s of board.stores.values()) {
    const v = s.value
    if (v === null || typeof v !== 'object') continue
    let found = false
    eachHandle([v], (h) => {
      if (h.id === id) found = true
    })
    if (found) return true
  }
  return false
}

export function createPool(board: BoardImpl, factory: () => Worker, options: PoolOptions = {}): WorkerPool {
  return new Pool(board, factory, options).face
}

/** `board.resolve(handle)`: the one way data held by a worker reaches the main thread. */
export async function resolveHandle<T>(board: BoardImpl, handle: Handle<T>): Promise<T> {
  if (!isHandle(handle)) throw new TypeError(`board "${board.name}": resolve() expects a handle made by keep(), got ${typeof handle}.`)
  const pool = registries.get(board)?.get(handle.pool)
  if (pool) return (await pool.resolve(handle)) as T
  if (handle.persisted) {
    const idb = idbOf(board)
    const [v] = idb ? await idb.getMany<T>('handles', [handle.id]) : [undefined]
    if (v !== undefined) return v
  }
  throw new WorkerError('handle-lost', `handle "${handle.id}" (${handle.desc}) is held by no live pool of board "${board.name}" and not in IndexedDB.`)
}

/** A handle some pool made (S23): the whole shape keep() gives, not just the brand and an id. */
function issued(h: Handle): boolean {
  return (
    typeof h.pool === 'string' &&
    Number.isInteger(h.worker) &&
    Number.isInteger(h.life) &&
    typeof h.persisted === 'boolean' &&
    typeof h.board === 'string'
  )
}

/**
 * S19: which argument, and where in it, could not be cloned. Runs only after a failed send:
 * clones smaller and smaller parts until the culprit is found.
 */
function inputError(task: string, args: readonly unknown[], cause: unknown): WorkerError {
  let where = 'one of the arguments'
  for (let i = 0; i < args.length; i++) {
    const bad = unclonable(args[i], `argument ${i + 1}`, 0)
    if (bad) {
      where = bad
      break
    }
  }
  return new WorkerError(
    'unserialisable-input',
    `task "${task}": an input cannot be sent to the worker: ${where}, which cannot be cloned (functions, DOM nodes, AbortSignals and the like stay on the main thread).`,
    cause,
  )
}

function unclonable(v: unknown, path: string, depth: number): string | undefined {
  try {
    structuredClone(v)
    return undefined
  } catch {
    // This part fails: look for a smaller one that does.
  }
  if (v !== null && typeof v === 'object' && depth < 8) {
    const proto = Object.getPrototypeOf(v)
    const parts: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [`[${i}]`, x])
      : v instanceof Map
        ? [...v].map(([k, x]) => [`.get(${JSON.stringify(k) ?? String(k)})`, x])
        : v instanceof Set
          ? [...v].map((x, i) => [` (item ${i})`, x])
          : proto === Object.prototype || proto === null
            ? Object.entries(v)
            : []
    for (const [k, x] of parts) {
      const bad = unclonable(x, path + (k.startsWith('[') || k.startsWith('.') || k.startsWith(' ') ? k : `.${k}`), depth + 1)
      if (bad) return bad
    }
  }
  return `${path} is ${kindOf(v)}`
}

/** "a function", "an AbortSignal", "an HTMLDivElement", "a string": for messages. */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v)
  const name = typeof v === 'object' ? (Object.getPrototypeOf(v)?.constructor?.name as string | undefined) ?? 'object' : typeof v
  const plain = name === 'Object' ? 'object' : name === 'Array' ? 'array' : name
  return `${/^([aeiouAEIOU]|HTML)/.test(plain) ? 'an' : 'a'} ${plain}`
}

/**
 * The worker as Comlink's endpoint. Comlink files a request's reply handler before it
 * posts the request; when the post throws (an input that cannot be cloned, S19) no reply
 * would ever come and the handler would stay for the worker's life. A stand-in reply,
 * in Comlink's own shape, lets it go: the caller has its rejection already. Our stray-message
 * check (F32) listens on the worker itself and never sees it.
 */
function endpointOf(worker: Worker): Comlink.Endpoint {
  const listeners: EventListenerOrEventListenerObject[] = []
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      try {
        worker.postMessage(message, transfer ?? [])
      } catch (e) {
        const id = (message as { id?: unknown } | null)?.id
        // After the throw has rejected the request: a reply now would resolve it instead.
        if (typeof id === 'string') {
          queueMicrotask(() => {
            const reply = new MessageEvent('message', { data: { id, type: 'RAW', value: undefined } })
            for (const l of listeners) typeof l === 'function' ? l(reply) : l.handleEvent(reply)
          })
        }
        throw e
      }
    },
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      if (type === 'message') listeners.push(listener)
      worker.addEventListener(type, listener)
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const at = listeners.indexOf(listener)
      if (at >= 0) listeners.splice(at, 1)
      worker.removeEventListener(type, listener)
    },
  }
}

let poolSeq = 0
/** Part of every pool id: two tabs' pools must not mint the same persisted handle ids. */
const tabTag = Math.random().toString(36).slice(2, 7)

class Pool {
  readonly id = `${tabTag}${(++poolSeq).toString(36)}`
  readonly name: string
  private readonly size: number
  private readonly slots: Slot[] = []
  private readonly active = new Map<number, PendingCall>()
  private readonly handles = new Map<string, Tracked>()
  /** Handles returned to callbacks still settling, by callback id (see `settled`). */
  private readonly orphans = new Map<string, Handle[]>()
  private callSeq = 0
  /** Kinds of stray message already warned about, by worker (S24). */
  private readonly strays = new Set<string>()
  private calls = 0
  private bytesToMain = 0
  private bytesResolved = 0
  private terminated = false
  private readonly pools: Map<string, Pool>
  private readonly startTimeoutMs: number
  private readonly retries: number
  private readonly backoffMs: number
  readonly face: WorkerPool

  constructor(
    private readonly board: BoardImpl,
    private readonly factory: () => Worker,
    options: PoolOptions,
  ) {
    this.name = options.name ?? 'workers'
    this.size = Math.max(1, Math.floor(options.size ?? 1))
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000
    this.retries = options.retries ?? 2
    this.backoffMs = options.backoffMs ?? 100
    for (let i = 0; i < this.size; i++) {
      this.slots.push({
        index: i,
        life: 0,
        state: 'new',
        worker: undefined,
        api: undefined,
        callFn: undefined,
        events: undefined,
        busy: undefined,
        queue: [],
        attempts: 0,
        failure: undefined,
        startTimer: undefined,
        waiters: new Set(),
      })
    }
    this.pools = registry(board)
    this.pools.set(this.id, this)
    this.face = {
      name: this.name,
      task: (name) => this.task(name),
      aggregate: (table, spec) => this.call(AGGREGATE_TASK, [table, spec], undefined) as never,
      stats: () => this.stats(),
      workerStats: () => this.workerStats(),
      terminate: () => this.terminate(),
    }
  }

  // ---- calls ------------------------------------------------------------------------------

  task(name: string): (...args: any[]) => Promise<any> {
    if (typeof name !== 'string' || name.startsWith('$')) throw new TypeError(`pool "${this.name}": bad task name "${String(name)}".`)
    return (...args: unknown[]) => {
      const last = args[args.length - 1] as Partial<Ctx> | undefined
      const ctx = last && typeof last === 'object' && typeof last.reportBytes === 'function' && typeof last.progress === 'function' ? (args.pop() as Ctx) : undefined
      return this.call(name, args, ctx)
    }
  }

  call(task: string, args: unknown[], ctx: Ctx | undefined): Promise<unknown> {
    const callbackId = ctx?.callbackId
    if (this.terminated) return Promise.reject(this.wrap(callbackId, new WorkerError('terminated', `pool "${this.name}" is terminated.`)))
    this.calls++
    let resolve!: (v: unknown) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res
      reject = rej
    })
    const call: PendingCall = {
      id: ++this.callSeq,
      task,
      args,
      handles: undefined,
      ctx,
      callbackId,
      resolve,
      reject,
      settled: false,
      timer: undefined,
      onAbort: undefined,
      bytesIn: 0,
    }
    const signal = ctx?.signal
    if (signal) {
      if (signal.aborted) return Promise.reject(signal.reason)
      call.onAbort = () => this.abort(call)
      signal.addEventListener('abort', call.onAbort, { once: true })
    }
    this.active.set(call.id, call)
    this.route(call)
    return promise
  }

  /** Picks the worker: the holder of a handle argument, else an idle one, else the least loaded. */
  private route(call: PendingCall): void {
    let slot: Slot | undefined
    let foreign: Handle[] | undefined
    let lost: Handle | undefined
    // Most calls carry no object at all: skip the handle scan.
    if (call.args.some((a) => a !== null && typeof a === 'object')) eachHandle(call.args, (h) => {
      if (!issued(h)) return
      ;(call.handles ??= []).push(h.id)
      // Memory-only and its worker gone: of an earlier life of ours, or of a pool that is no more.
      if (!h.persisted && (h.pool === this.id ? this.slots[h.worker]?.life !== h.life : !this.pools.has(h.pool))) lost ??= h
      const holder = this.holder(h)
      if (!slot && holder) slot = holder
      else if (holder && holder !== slot && !h.persisted) (foreign ??= []).push(h)
    })
    if (lost) {
      const e = new WorkerError(
        'handle-lost',
        `task "${call.task}" got handle "${lost.id}" (${lost.desc}), held by ${lost.pool === this.id ? `worker ${lost.worker} of pool "${this.name}", which exited or was restarted` : 'a pool that is not running here (terminated, or of another tab or page)'}; keep(value, { persist: true }) survives that.`,
      )
      return this.settle(call, undefined, e)
    }
    if (foreign) {
      // Handles held by two different workers: the second worker hands its value over
      // (through this thread; rare, and counted in bytesResolved).
      void this.handOver(call, foreign, slot!)
      return
    }
    slot ??= this.pick()
    if (!slot) return this.settle(call, undefined, this.startFailure())
    this.enqueue(slot, call)
  }

  private async handOver(call: PendingCall, foreign: Handle[], slot: Slot): Promise<void> {
    try {
      const values = new Map<string, unknown>()
      for (const h of foreign) values.set(h.id, await this.resolve(h))
      call.args = call.args.map((a) => (isHandle(a) && values.has(a.id) ? values.get(a.id) : a))
      call.handles = call.handles!.filter((id) => !values.has(id))
    } catch (e) {
      return this.settle(call, undefined, e)
    }
    if (!call.settled) this.enqueue(slot, call)
  }

  private holder(h: Handle): Slot | undefined {
    if (h.pool !== this.id) return undefined
    const s = this.slots[h.worker]
    return s && s.life === h.life && s.state !== 'failed' ? s : undefined
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined
    let load = Infinity
    for (const s of this.slots) {
      if (s.state === 'failed') continue
      // An unstarted slot costs a start-up: take it only when every started one is busy.
      const l = s.state === 'new' ? 0.5 : (s.busy ? 1 : 0) + s.queue.length
      if (l < load) {
        best = s
        load = l
      }
    }
    return best
  }

  private startFailure(): WorkerError {
    const f = this.slots.find((s) => s.failure)?.failure
    return f ?? new WorkerError('start-failed', `pool "${this.name}" has no worker that could start.`)
  }

  private enqueue(slot: Slot, call: PendingCall): void {
    slot.queue.push(call)
    if (slot.state === 'new') this.spawn(slot)
    else this.pump(slot)
  }

  /** Sends the next queued call if the worker is ready and free. */
  private pump(slot: Slot): void {
    // A starting worker already takes its first call (it buffers messages until exposeTasks
    // runs, see expose.ts): that saves a hop at start-up. Its timer starts once it is ready.
    if (!slot.callFn || slot.busy) return
    let call: PendingCall | undefined
    while ((call = slot.queue.shift()) && call.settled);
    if (!call) return
    slot.busy = call
    const life = slot.life
    if (slot.state === 'ready') this.startTimer(slot, call)
    let bytesIn = 0
    for (const a of call.args) bytesIn += isHandle(a) ? 0 : bytesOf(a)
    call.bytesIn = bytesIn
    const msg: { -readonly [K in keyof Call]: Call[K] } = { type: 'call', id: call.id, task: call.task, args: call.args }
    if (call.handles?.length) msg.handles = call.handles
    if (call.ctx) {
      msg.callbackId = call.ctx.callbackId
      const triggered = call.ctx.triggered
      if (triggered.length) msg.triggered = triggered
    }
    slot.callFn(msg).then(
      (reply) => this.replied(slot, life, call!, reply),
      (e: unknown) => this.replied(slot, life, call!, undefined, e),
    )
  }

  /** `timeoutMs` counts from here: a ready worker has the call. */
  private startTimer(slot: Slot, call: PendingCall): void {
    const timeoutMs = call.ctx?.timeoutMs
    if (timeoutMs === undefined || !(timeoutMs > 0) || call.timer) return
    call.timer = setTimeout(() => {
      const label = call.callbackId ? `callback "${call.callbackId}"` : `task "${call.task}"`
      const e = new WorkerError('timeout', `${label} did not finish within ${timeoutMs} ms in worker ${slot.index} of pool "${this.name}"; the worker was restarted.`)
      this.settle(call, undefined, e)
      this.respawn(slot)
    }, timeoutMs)
  }

  private replied(slot: Slot, life: number, call: PendingCall, reply: Reply | undefined, thrown?: unknown): void {
    if (slot.life !== life) return // that worker is gone; its call was settled when it went
    slot.busy = undefined
    if (reply !== undefined && (reply === null || typeof reply !== 'object' || (reply.type !== 'ok' && reply.type !== 'error'))) {
      this.board.warn(`worker-malformed-${this.id}`, `pool "${this.name}": dropped a malformed reply from a worker.`)
      reply = undefined
      thrown = new TypeError(`task "${call.task}": the worker sent a malformed reply.`)
    }
    if (reply?.type === 'ok') this.track(reply.value)
    if (call.settled) {
      // Superseded or timed out meanwhile: whatever it kept is nobody's.
      if (reply?.type === 'ok') this.releaseUnheldSoon(reply.value)
    } else if (reply?.type === 'ok') {
      let value = reply.json !== undefined ? JSON.parse(reply.json) : reply.value
      if (reply.noUpdate) {
        if (reply.noUpdate[0] === -1) value = noUpdate
        else {
          const arr = value as unknown[]
          for (const i of reply.noUpdate) arr[i] = noUpdate
        }
      }
      const out = bytesOf(value)
      this.bytesToMain += out
      // A profiling scheduler measures every run's arguments and result itself (the same
      // values, as this thread sees them): report only when it does not, or they count twice.
      if (!this.board.scheduler.profile) call.ctx?.reportBytes(call.bytesIn, out)
      if (call.ctx) this.afterSettle(call.ctx.callbackId, value)
      this.settle(call, value, undefined)
    } else if (reply?.type === 'error') {
      const e = reply.error.name === 'PreventUpdate' ? new PreventUpdate() : fromWire(reply.error)
      this.settle(call, undefined, e)
    } else if ((thrown as Error | undefined)?.name === 'DataCloneError') {
      // Thrown by this thread's postMessage: an argument could not be cloned, and the call
      // never left (S19). The worker's own clone failures come back as TypeErrors.
      this.settle(call, undefined, inputError(call.task, call.args, thrown))
    } else {
      // Comlink's own failure: in practice the result could not be cloned (F16).
      const msg = (thrown as Error | undefined)?.message ?? String(thrown)
      const e = /unserializable|could not be cloned/i.test(msg)
        ? new WorkerError(
            'unserialisable',
            `${call.callbackId ? `callback "${call.callbackId}"` : `task "${call.task}"`}: the worker's result cannot be sent to the main thread (a function, DOM node or similar inside it).`,
            thrown,
          )
        : thrown
      this.settle(call, undefined, e)
    }
    this.pump(slot)
  }

  private settle(call: PendingCall, value: unknown, error: unknown): void {
    if (call.settled) return
    call.settled = true
    this.active.delete(call.id)
    if (call.timer) clearTimeout(call.timer)
    if (call.onAbort) call.ctx!.signal.removeEventListener('abort', call.onAbort)
    if (error === undefined) call.resolve(value)
    else call.reject(this.wrap(call.callbackId, error))
  }

  /** Errors name the callback (F15): the scheduler keeps a CallbackError with its own id. */
  private wrap(callbackId: string | undefined, e: unknown): unknown {
    if (!callbackId || e instanceof PreventUpdate || (e as Error)?.name === 'AbortError') return e
    return new CallbackError(callbackId, e)
  }

  /** The run was superseded (or the board disposed). */
  private abort(call: PendingCall): void {
    if (call.settled) return
    const slot = this.slots.find((s) => s.busy === call)
    const reason = call.ctx!.signal.reason ?? new WorkerError('aborted', `task "${call.task}" was aborted.`)
    this.settle(call, undefined, reason)
    if (!slot) return // still queued: pump() skips settled calls
    if (call.ctx!.hardCancel) this.respawn(slot)
    else void slot.api?.abort(call.id)
  }

  // ---- workers ----------------------------------------------------------------------------

  private spawn(slot: Slot): void {
    if (this.terminated) return
    slot.state = 'starting'
    const life = slot.life
    let worker: Worker
    try {
      worker = this.factory()
    } catch (e) {
      return this.startFailed(slot, life, e instanceof Error ? e.message : String(e))
    }
    slot.worker = worker
    const onError = (e: Event) => {
      e.preventDefault?.()
      const m = (e as ErrorEvent).message
      this.startFailed(slot, life, m ? m : 'the script failed to load or evaluate (a 404, network or syntax error)')
    }
    const onMessage = (e: MessageEvent) => {
      if (!isReady(e.data)) return
      cleanup()
      // From now on an error event is an uncaught error of the worker's own code (a timer,
      // a stray promise): its calls go on, but the board says so.
      worker.addEventListener('error', (ev) => {
        const m = (ev as ErrorEvent).message || 'unknown error'
        this.board.warn(`worker-error-${this.id}-${m}`, `worker ${slot.index} of pool "${this.name}" reported an uncaught error: ${m}`)
      })
      this.ready(slot, life)
    }
    const cleanup = () => {
      worker.removeEventListener('error', onError)
      worker.removeEventListener('message', onMessage)
      clearTimeout(slot.startTimer)
      slot.startTimer = undefined
    }
    worker.addEventListener('error', onError)
    worker.addEventListener('message', onMessage)
    // F32: the worker's own port carries only the ready message and Comlink's replies.
    worker.addEventListener('message', (e) => {
      if (!isReady(e.data) && !isComlinkWire(e.data)) this.stray(slot, kindOf(e.data))
    })
    worker.addEventListener('messageerror', () => this.stray(slot, 'one that could not be deserialised'))
    slot.startTimer = setTimeout(() => {
      cleanup()
      this.startFailed(slot, life, `it did not call exposeTasks() within ${this.startTimeoutMs} ms`)
    }, this.startTimeoutMs)
    // Talk to it at once: the worker holds messages until its tasks are exposed.
    const api = Comlink.wrap<WorkerApi>(endpointOf(worker))
    const { port1, port2 } = new MessageChannel()
    const sink: EventSink = { event: (ev) => this.event(ev) }
    Comlink.expose(sink, port1)
    // Named like every lock of the board (S01): no board or pool id can make another's name.
    const lock = nameOf(this.board.name, 'worker', this.id, String(slot.index), String(life))
    const init: Init = { type: 'init', pool: this.id, worker: slot.index, life, board: this.board.name, lock }
    api.init(init, Comlink.transfer(port2, [port2])).then(
      (held) => {
        if (held === true) this.watch(slot, life, lock)
      },
      () => undefined, // the worker went first: kill() or the start-up timeout has dealt with it
    )
    slot.api = api
    slot.callFn = api.call as unknown as (c: Call) => Promise<Reply>
    slot.events = port1
    this.pump(slot)
  }

  /**
   * Queues for the worker's life lock (S08): granted once the worker's global is gone,
   * whether it was terminated here or went on its own.
   */
  private watch(slot: Slot, life: number, lock: string): void {
    if (slot.life !== life || this.terminated) return
    try {
      // Denied on this thread: the worker goes unwatched, and a call's timeoutMs still applies.
      void navigator.locks.request(lock, () => this.exited(slot, life)).catch(() => undefined)
    } catch {
      // No navigator.locks here (an insecure context): the same, unwatched.
    }
  }

  /** The worker of `life` went away on its own: fail what it had, restart on demand. */
  private exited(slot: Slot, life: number): void {
    if (slot.life !== life || this.terminated) return // terminated or restarted by us
    const busy = slot.busy
    const where = `worker ${slot.index} of pool "${this.name}"`
    this.kill(slot, false) // also fails the resolve() and stats requests waiting on it
    if (busy) {
      const e = new WorkerError('exited', `${where} exited while running task "${busy.task}" (self.close(), a crash or out of memory); the next call starts a new worker.`)
      this.settle(busy, undefined, e)
    }
    this.board.warn(`worker-exited-${this.id}-${slot.index}`, `${where} exited on its own (self.close(), a crash or out of memory); the next call starts a new worker.`)
    this.forgetLife(slot)
    slot.state = 'new'
    // Not at once when idle: a worker that always exits would otherwise restart forever.
    if (slot.queue.some((c) => !c.settled)) this.spawn(slot)
  }

  /** F32: a message outside the protocol on the worker's port; dropped, one warning per kind and worker. */
  private stray(slot: Slot, kind: string): void {
    const key = `${slot.index}:${kind}`
    if (this.strays.has(key)) return
    this.strays.add(key)
    this.board.warn(
      `worker-stray-${this.id}-${key}`,
      `worker ${slot.index} of pool "${this.name}" sent a message outside the switchboard protocol (${kind}); it was dropped. A task answers by returning and reports with ctx.progress().`,
    )
  }

  private ready(slot: Slot, life: number): void {
    if (slot.life !== life || this.terminated) return
    slot.state = 'ready'
    slot.attempts = 0
    slot.failure = undefined
    if (slot.busy) this.startTimer(slot, slot.busy)
    else this.pump(slot)
  }

  /** F18: bounded retries with backoff, then the slot's calls fail with the reason. */
  private startFailed(slot: Slot, life: number, why: string): void {
    if (slot.life !== life || this.terminated) return
    // The call sent early goes back to the front of the queue, for the next attempt.
    const early = slot.busy
    this.kill(slot, false)
    if (early && !early.settled) slot.queue.unshift(early)
    slot.attempts++
    if (slot.attempts <= this.retries) {
      slot.state = 'starting'
      const delay = this.backoffMs * 4 ** (slot.attempts - 1)
      slot.startTimer = setTimeout(() => {
        slot.startTimer = undefined
        if (slot.life === life + 1) this.spawn(slot)
      }, delay)
      return
    }
    const e = new WorkerError(
      'start-failed',
      `worker ${slot.index} of pool "${this.name}" failed to start after ${slot.attempts} attempts: ${why}.`,
    )
    slot.state = 'failed'
    slot.failure = e
    this.board.warn(`worker-start-${this.id}-${slot.index}`, e.message)
    const queued = slot.queue
    slot.queue = []
    // Calls that may go elsewhere do; the rest fail with the reason.
    for (const c of queued) {
      if (c.settled) continue
      let pinned = false
      eachHandle(c.args, (h) => {
        if (h.pool === this.id) pinned = true
      })
      const other = pinned ? undefined : this.pick()
      if (other) this.enqueue(other, c)
      else this.settle(c, undefined, e)
    }
  }

  /** Terminate + respawn (timeout, hard cancel). The busy call, if any, is already settled. */
  private respawn(slot: Slot): void {
    const busy = slot.busy
    this.kill(slot, false)
    if (busy && !busy.settled) this.settle(busy, undefined, new WorkerError('aborted', `worker ${slot.index} of pool "${this.name}" was restarted.`))
    this.forgetLife(slot)
    slot.state = 'new'
    // Respawn now, so the next call finds a warm worker.
    this.spawn(slot)
  }

  /** Terminates the slot's worker and bumps its life; `polite` releases Comlink proxies first. */
  private kill(slot: Slot, polite: boolean): void {
    if (slot.startTimer) clearTimeout(slot.startTimer)
    slot.startTimer = undefined
    if (polite && slot.api) slot.api[Comlink.releaseProxy]()
    slot.events?.close()
    slot.worker?.terminate()
    slot.worker = undefined
    slot.api = undefined
    slot.callFn = undefined
    slot.events = undefined
    slot.busy = undefined
    slot.life++
    for (const w of slot.waiters) w()
    slot.waiters.clear()
  }

  /** A side request to a live worker that fails with `gone` instead of hanging if the worker is killed first. */
  private ask<T>(slot: Slot, request: (api: Comlink.Remote<WorkerApi>) => Promise<T>, gone: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onGone = () => reject(gone())
      slot.waiters.add(onGone)
      request(slot.api!).then(resolve, reject).finally(() => slot.waiters.delete(onGone))
    })
  }

  /** Handles of a worker that is gone: memory-only ones are lost, persisted ones stay resolvable. */
  private forgetLife(slot: Slot): void {
    let lost = 0
    for (const [id, t] of this.handles) {
      if (t.handle.worker === slot.index && t.handle.life !== slot.life && !t.handle.persisted) {
        this.handles.delete(id)
        lost++
      }
    }
    if (lost) {
      this.board.warn(
        `worker-lost-${this.id}`,
        `worker ${slot.index} of pool "${this.name}" was restarted and ${lost} handle(s) it held are gone; keep(value, { persist: true }) survives a restart.`,
      )
    }
  }

  private event(e: WorkerEvent): void {
    // F32: a message of the wrong shape is dropped, with one warning.
    if (!e || typeof e !== 'object' || (e.type !== 'progress' && e.type !== 'warning')) {
      this.board.warn(`worker-malformed-${this.id}`, `pool "${this.name}": dropped a malformed event from a worker.`)
      return
    }
    if (e.type === 'progress') {
      if (typeof e.fraction !== 'number') return
      const call = this.active.get(e.call)
      if (call && !call.settled) call.ctx?.progress(e.fraction, e.note)
    } else if (e.type === 'warning') {
      this.board.warn(`worker-${e.message}`, `pool "${this.name}": ${e.message}`)
    }
  }

  // ---- handles ----------------------------------------------------------------------------

  private track(value: unknown): void {
    eachHandle([value], (h) => {
      if (h.pool === this.id) this.handles.set(h.id, { handle: h })
    })
  }

  async resolve(h: Handle): Promise<unknown> {
    const slot = this.holder(h)
    let reply: Reply | undefined
    if (slot?.state === 'ready' && slot.api) {
      const lost = () => new WorkerError('handle-lost', `handle "${h.id}" (${h.desc}): worker ${slot.index} of pool "${this.name}" went away before it answered.`)
      reply = await this.ask(slot, (api) => api.resolve(h.id) as Promise<Reply>, lost)
    }
    else if (h.persisted) {
      const idb = idbOf(this.board)
      const [v] = idb ? await idb.getMany('handles', [h.id]) : [undefined]
      if (v !== undefined) reply = { type: 'ok', value: v }
    }
    if (reply?.type === 'ok') {
      this.bytesResolved += bytesOf(reply.value)
      return reply.value
    }
    if (reply?.type === 'error') throw fromWire(reply.error)
    throw new WorkerError('handle-lost', `handle "${h.id}" (${h.desc}) is no longer held by pool "${this.name}" (released, or its worker restarted).`)
  }

  releaseIfUnheld(h: Handle): void {
    if (!this.handles.has(h.id) || storeHolds(this.board, h.id)) return
    this.release([this.handles.get(h.id)!.handle])
  }

  /** Handles a dropped result carried: released once the scheduler has moved on. */
  private releaseUnheldSoon(value: unknown): void {
    const list = this.ours(value)
    if (!list.length) return
    setTimeout(() => {
      for (const h of list) this.releaseIfUnheld(h)
    }, 0)
  }

  /** Handles a callback's run returned: checked when that callback settles (see `settled`). */
  private afterSettle(callbackId: string, value: unknown): void {
    const list = this.ours(value)
    if (!list.length) return
    const waiting = this.orphans.get(callbackId)
    if (waiting) waiting.push(...list)
    else this.orphans.set(callbackId, list)
  }

  /** The board says `callbackId` changed status: once it is not running, check its handles. */
  settled(callbackId: string): void {
    const list = this.orphans.get(callbackId)
    if (!list) return
    const node = this.board.callbacks.find((c) => c.id === callbackId)
    if (node && this.board.scheduler.isRunning(node)) return
    this.orphans.delete(callbackId)
    for (const h of list) this.releaseIfUnheld(h)
  }

  private ours(value: unknown): Handle[] {
    const list: Handle[] = []
    eachHandle([value], (h) => {
      if (h.pool === this.id) list.push(h)
    })
    return list
  }

  private release(list: Handle[]): void {
    for (const h of list) {
      this.handles.delete(h.id)
      const slot = this.holder(h) ?? (h.persisted ? this.slots.find((s) => s.state === 'ready') : undefined)
      if (slot?.state === 'ready' && slot.api) void slot.api.release([h.id], h.persisted).catch(() => undefined) // the worker went away: nothing left to free
    }
  }

  releaseAll(dropPersisted: boolean): void {
    const list = [...this.handles.values()].map((t) => t.handle)
    if (dropPersisted) this.release(list)
    else this.handles.clear()
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  stats(): PoolStats {
    let open = 0
    let workers = 0
    let ports = 0
    for (const s of this.slots) {
      open += s.queue.filter((c) => !c.settled).length + (s.busy ? 1 : 0)
      if (s.worker) workers++
      if (s.events) ports++
    }
    return {
      calls: this.calls,
      open: Math.max(open, this.active.size),
      workers,
      ports,
      handles: this.handles.size,
      bytesToMain: this.bytesToMain,
      bytesResolved: this.bytesResolved,
      startError: this.slots.find((s) => s.failure)?.failure?.message,
    }
  }

  async workerStats(): Promise<WorkerStats[]> {
    const ready = this.slots.filter((s) => s.state === 'ready' && s.api)
    const gone = () => new WorkerError('terminated', `a worker of pool "${this.name}" went away before it answered.`)
    return Promise.all(ready.map((s) => this.ask(s, (api) => api.stats() as Promise<WorkerStats>, gone)))
  }

  terminate(): void {
    if (this.terminated) return
    this.terminated = true
    const e = new WorkerError('terminated', `pool "${this.name}" was terminated.`)
    for (const c of [...this.active.values()]) this.settle(c, undefined, e)
    for (const s of this.slots) {
      s.queue = []
      this.kill(s, true)
      s.state = 'new'
    }
    this.handles.clear()
    this.orphans.clear()
    this.pools.delete(this.id)
  }
}
