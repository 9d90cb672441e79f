/**
 * Routing and queueing: a call goes to the worker holding its handle argument, else to an
 * idle worker, else to the least loaded; each worker runs one call at a time and the rest
 * wait in its queue. A call ends once: with the worker's reply, its timeout, its abort,
 * its worker exiting, or the pool terminating. Loaded on first use (see pool.ts).
 *
 * Invariants:
 * - a worker runs one call at a time, so a call's `timeoutMs` counts from when a ready
 *   worker takes it, not from start-up or queue time;
 * - a call with a handle among its arguments goes to the worker holding that handle;
 * - arguments are copied (structured clone, no transfer): a store never loses its value to
 *   a detached buffer (F20); results' buffers are transferred by the worker;
 * - a call's outcome reaches the caller once (`settled`); a reply after that is dropped
 *   and the handles it carried released.
 */
import { CallbackError, noUpdate, PreventUpdate, WorkerError } from '../errors'
import { type PoolBoard, poolHostOf } from '../graph/pool-host'
import { sizeOf } from '../storage/size'
import { eachHandle, type Handle, isHandle } from './handle'
import { issued, type Member, Ownership, poolsOf, resolveHandle } from './ownership'
import { AGGREGATE_TASK, type Call, fromWire, type Progress, type Reply, type WorkerStats } from './protocol'
import type { PoolHost, PoolOptions, PoolStats, TaskRun, WorkerPool } from './types'
import { kindOf, type Slot, type SlotEvents, Workers } from './workers'

/** `board.resolve(handle)` once the pool's code has loaded (pool.ts). */
export function resolveOwned<T>(board: PoolBoard, handle: Handle<T>): Promise<T> {
  return resolveHandle(poolHostOf(board), handle)
}

/** One call, from `task()` to its outcome. */
interface Pending {
  readonly id: number
  readonly task: string
  args: unknown[]
  /** Ids of the handles among `args` (see `Call.handles`), set by `route`. */
  handles: string[] | undefined
  readonly run: TaskRun | undefined
  readonly resolve: (v: unknown) => void
  readonly reject: (e: unknown) => void
  settled: boolean
  timer: ReturnType<typeof setTimeout> | undefined
  onAbort: (() => void) | undefined
  bytesIn: number
}

let poolSeq = 0
/** Part of every pool id: two tabs' pools must not mint the same persisted handle ids. */
const tabTag = Math.random().toString(36).slice(2, 7)

export function startPool(board: PoolBoard, factory: () => Worker, options: PoolOptions): WorkerPool {
  return new Pool(poolHostOf(board), factory, options).face
}

class Pool implements Member, SlotEvents<Pending> {
  readonly id = `${tabTag}${(++poolSeq).toString(36)}`
  readonly name: string
  readonly owned: Ownership
  readonly face: WorkerPool
  private readonly workers: Workers<Pending>
  private readonly active = new Map<number, Pending>()
  private readonly pools: Map<string, Member>
  private callSeq = 0
  private calls = 0
  private bytesToMain = 0
  private terminated = false

  constructor(
    private readonly host: PoolHost,
    factory: () => Worker,
    options: PoolOptions,
  ) {
    this.name = options.name ?? 'workers'
    const size = Math.max(1, Math.floor(options.size ?? 1))
    this.workers = new Workers<Pending>(
      size,
      {
        poolId: this.id,
        poolName: this.name,
        host,
        factory,
        startTimeoutMs: options.startTimeoutMs ?? 10_000,
        retries: options.retries ?? 2,
        backoffMs: options.backoffMs ?? 100,
      },
      this,
    )
    this.owned = new Ownership(this.id, this.name, host, this.workers)
    this.pools = poolsOf(host)
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

  task(name: string): (...args: any[]) => Promise<any> {
    if (typeof name !== 'string' || name.startsWith('$'))
      throw new TypeError(`pool "${this.name}": bad task name "${String(name)}".`)
    return (...args: unknown[]) => {
      const run = args.length ? this.host.runOf(args[args.length - 1]) : undefined
      if (run) args.pop()
      return this.call(name, args, run)
    }
  }

  call(task: string, args: unknown[], run: TaskRun | undefined): Promise<unknown> {
    if (this.terminated)
      return Promise.reject(this.wrap(run, new WorkerError('terminated', `pool "${this.name}" is terminated.`)))
    this.calls++
    let resolve!: (v: unknown) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res
      reject = rej
    })
    const call: Pending = {
      id: ++this.callSeq,
      task,
      args,
      handles: undefined,
      run,
      resolve,
      reject,
      settled: false,
      timer: undefined,
      onAbort: undefined,
      bytesIn: 0,
    }
    const signal = run?.signal
    if (signal) {
      if (signal.aborted) return Promise.reject(signal.reason)
      call.onAbort = () => this.abort(call)
      signal.addEventListener('abort', call.onAbort, { once: true })
    }
    this.active.set(call.id, call)
    this.route(call)
    return promise
  }

  // ---- routing ------------------------------------------------------------------------------

  /** Picks the worker: the holder of a handle argument, else an idle one, else the least loaded. */
  private route(call: Pending): void {
    let slot: Slot<Pending> | undefined
    let foreign: Handle[] | undefined
    let lost: Handle | undefined
    // Most calls carry no object at all: skip the handle scan.
    if (hasObject(call.args)) {
      eachHandle(call.args, (h) => {
        if (!issued(h)) return
        ;(call.handles ??= []).push(h.id)
        // Memory-only and its worker gone: of an earlier life of ours, or of a pool that is no more.
        if (
          !h.persisted &&
          (h.pool === this.id ? this.workers.slots[h.worker]?.life !== h.life : !this.pools.has(h.pool))
        )
          lost ??= h
        const holder = this.owned.holder(h) as Slot<Pending> | undefined
        if (!slot && holder) slot = holder
        else if (holder && holder !== slot && !h.persisted) (foreign ??= []).push(h)
      })
    }
    if (lost) {
      const by =
        lost.pool === this.id
          ? `worker ${lost.worker} of pool "${this.name}", which exited or was restarted`
          : 'a pool that is not running here (terminated, or of another tab or page)'
      const e = new WorkerError(
        'handle-lost',
        `task "${call.task}" got handle "${lost.id}" (${lost.desc}), held by ${by}; keep(value, { persist: true }) survives that.`,
      )
      return this.settle(call, undefined, e)
    }
    // Handles held by two different workers: the second worker hands its value over
    // (through this thread; rare, and counted in bytesResolved).
    if (foreign) return void this.handOver(call, foreign, slot!)
    slot ??= this.pick()
    if (!slot) return this.settle(call, undefined, this.startFailure())
    this.enqueue(slot, call)
  }

  private async handOver(call: Pending, foreign: Handle[], slot: Slot<Pending>): Promise<void> {
    try {
      const values = new Map<string, unknown>()
      for (const h of foreign) values.set(h.id, await this.owned.resolve(h))
      call.args = call.args.map((a) => (isHandle(a) && values.has(a.id) ? values.get(a.id) : a))
      call.handles = call.handles!.filter((id) => !values.has(id))
    } catch (e) {
      return this.settle(call, undefined, e)
    }
    if (!call.settled) this.enqueue(slot, call)
  }

  private pick(): Slot<Pending> | undefined {
    let best: Slot<Pending> | undefined
    let load = Infinity
    for (const s of this.workers.slots) {
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
    const f = this.workers.slots.find((s) => s.failure)?.failure
    return f ?? new WorkerError('start-failed', `pool "${this.name}" has no worker that could start.`)
  }

  // ---- queueing -----------------------------------------------------------------------------

  private enqueue(slot: Slot<Pending>, call: Pending): void {
    slot.queue.push(call)
    if (slot.state === 'new') this.workers.spawn(slot)
    else this.pump(slot)
  }

  /** Sends the next queued call if the slot has a worker and it is free. */
  private pump(slot: Slot<Pending>): void {
    // A starting worker already takes its first call (it holds messages until exposeTasks
    // runs, see expose.ts): that saves a hop at start-up. Its timer starts once it is ready.
    if (!slot.worker || slot.busy) return
    let call: Pending | undefined
    while ((call = slot.queue.shift()) && call.settled);
    if (!call) return
    const msg: { -readonly [K in keyof Call]: Call[K] } = { sb: 'call', id: call.id, task: call.task, args: call.args }
    if (call.handles?.length) msg.handles = call.handles
    if (call.run) {
      msg.callbackId = call.run.callbackId
      const triggered = call.run.triggered
      if (triggered.length) msg.triggered = triggered
    }
    try {
      this.workers.post(slot, msg)
    } catch (e) {
      // postMessage threw: an argument cannot be cloned and the call never left (S19).
      this.settle(call, undefined, inputError(call.task, call.args, e))
      return this.pump(slot)
    }
    slot.busy = call
    if (slot.state === 'ready') this.startTimer(slot, call)
    let bytesIn = 0
    for (const a of call.args) bytesIn += isHandle(a) ? 0 : sizeOf(a)
    call.bytesIn = bytesIn
  }

  /** `timeoutMs` counts from here: a ready worker has the call. */
  private startTimer(slot: Slot<Pending>, call: Pending): void {
    const timeoutMs = call.run?.timeoutMs
    if (timeoutMs === undefined || !(timeoutMs > 0) || call.timer) return
    call.timer = setTimeout(() => {
      const label = call.run ? `callback "${call.run.callbackId}"` : `task "${call.task}"`
      const e = new WorkerError(
        'timeout',
        `${label} did not finish within ${timeoutMs} ms in worker ${slot.index} of pool "${this.name}"; the worker was restarted.`,
      )
      this.settle(call, undefined, e)
      this.workers.respawn(slot)
    }, timeoutMs)
  }

  // ---- what the workers say (SlotEvents) ------------------------------------------------------

  started(slot: Slot<Pending>): void {
    this.pump(slot)
  }

  ready(slot: Slot<Pending>): void {
    if (slot.busy) this.startTimer(slot, slot.busy)
    else this.pump(slot)
  }

  replied(slot: Slot<Pending>, reply: Reply | undefined): void {
    const call = slot.busy
    if (!call || (reply && reply.id !== call.id)) return // not the call it runs: a late reply of an aborted one
    slot.busy = undefined
    // Only an object can be or hold a handle: a plain number skips the walks below.
    const carries = reply?.ok === true && reply.value !== null && typeof reply.value === 'object'
    if (carries) this.owned.track(reply.value)
    if (call.settled) {
      // Superseded or timed out meanwhile: whatever it kept is nobody's.
      if (carries) this.owned.releaseUnheldSoon((reply as { value: unknown }).value)
    } else if (!reply) {
      this.settle(call, undefined, new TypeError(`task "${call.task}": the worker sent a malformed reply.`))
    } else if (reply.ok) {
      let value = reply.json !== undefined ? JSON.parse(reply.json) : reply.value
      if (reply.noUpdate) {
        if (reply.noUpdate[0] === -1) value = noUpdate
        else for (const i of reply.noUpdate) (value as unknown[])[i] = noUpdate
      }
      const out = sizeOf(value)
      this.bytesToMain += out
      // A profiling scheduler measures every run's arguments and result itself (the same
      // values, with the same estimator): report only when it does not, or they count twice.
      if (call.run && !this.host.profiling()) call.run.reportBytes(call.bytesIn, out)
      if (call.run && value !== null && typeof value === 'object') this.owned.afterSettle(call.run.callbackId, value)
      this.settle(call, value, undefined)
    } else {
      this.settle(call, undefined, reply.prevent ? new PreventUpdate() : fromWire(reply.error))
    }
    this.pump(slot)
  }

  progress(p: Progress): void {
    const call = this.active.get(p.id)
    if (call && !call.settled) call.run?.progress(p.fraction, p.note)
  }

  exited(slot: Slot<Pending>, busy: Pending | undefined): void {
    if (busy) {
      const where = `worker ${slot.index} of pool "${this.name}"`
      this.settle(
        busy,
        undefined,
        new WorkerError(
          'exited',
          `${where} exited while running task "${busy.task}" (self.close(), a crash or out of memory); the next call starts a new worker.`,
        ),
      )
    }
    // Not at once when idle: a worker that always exits would otherwise restart forever.
    if (slot.queue.some((c) => !c.settled)) this.workers.spawn(slot)
  }

  failed(slot: Slot<Pending>, e: WorkerError): void {
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

  forgot(slot: Slot<Pending>): void {
    this.owned.forget(slot as Slot<{ readonly settled: boolean }>)
  }

  // ---- outcomes -----------------------------------------------------------------------------

  private settle(call: Pending, value: unknown, error: unknown): void {
    if (call.settled) return
    call.settled = true
    this.active.delete(call.id)
    if (call.timer) clearTimeout(call.timer)
    if (call.onAbort) call.run!.signal.removeEventListener('abort', call.onAbort)
    if (error === undefined) call.resolve(value)
    else call.reject(this.wrap(call.run, error))
  }

  /** Errors name the callback (F15): the scheduler keeps a CallbackError with its own id. */
  private wrap(run: TaskRun | undefined, e: unknown): unknown {
    if (!run || e instanceof PreventUpdate || e === run.signal.reason) return e
    return new CallbackError(run.callbackId, e)
  }

  /** The run was superseded (or the board disposed): it ends with the signal's reason. */
  private abort(call: Pending): void {
    if (call.settled) return
    const slot = this.workers.slots.find((s) => s.busy === call)
    this.settle(call, undefined, call.run!.signal.reason)
    if (!slot) return // still queued: pump() skips settled calls
    if (call.run!.hardCancel) {
      slot.busy = undefined
      this.workers.respawn(slot)
    } else this.workers.post(slot, { sb: 'abort', id: call.id })
  }

  // ---- counts and the end -------------------------------------------------------------------

  stats(): PoolStats {
    let open = 0
    let workers = 0
    for (const s of this.workers.slots) {
      open += s.queue.filter((c) => !c.settled).length + (s.busy ? 1 : 0)
      if (s.worker) workers++
    }
    return {
      calls: this.calls,
      open: Math.max(open, this.active.size),
      workers,
      ports: workers,
      handles: this.owned.size,
      bytesToMain: this.bytesToMain,
      bytesResolved: this.owned.bytesResolved,
      startError: this.workers.slots.find((s) => s.failure)?.failure?.message,
    }
  }

  workerStats(): Promise<WorkerStats[]> {
    const ready = this.workers.slots.filter((s) => s.state === 'ready')
    const gone = () => new WorkerError('terminated', `a worker of pool "${this.name}" went away before it answered.`)
    return Promise.all(ready.map((s) => this.workers.ask<WorkerStats>(s, { sb: 'stats' }, gone)))
  }

  terminate(): void {
    if (this.terminated) return
    this.terminated = true
    const e = new WorkerError('terminated', `pool "${this.name}" was terminated.`)
    for (const c of [...this.active.values()]) this.settle(c, undefined, e)
    this.workers.terminate()
    this.owned.clear()
    this.pools.delete(this.id)
  }
}

function hasObject(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a !== null && typeof a === 'object') return true
  }
  return false
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
      const bad = unclonable(
        x,
        path + (k.startsWith('[') || k.startsWith('.') || k.startsWith(' ') ? k : `.${k}`),
        depth + 1,
      )
      if (bad) return bad
    }
  }
  return `${path} is ${kindOf(v)}`
}
