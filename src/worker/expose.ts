/**
 * The worker side: `exposeTasks` turns an object of functions into tasks the main thread's
 * pool can call, and `keep` holds a value here and gives back a small handle instead.
 * Runs inside a worker (module or classic): imports nothing that touches the DOM.
 *
 * Invariants:
 * - the pool sends one call at a time to a worker, so "the call running now" is well
 *   defined; handles kept during a call and not returned by it are dropped at its end;
 * - a buffer reachable from a kept value is never transferred (it would be detached
 *   under the handle table); every other buffer in a result is, without a copy;
 * - a task's failure always comes back as an ErrorReply, so name, message, code and cause
 *   survive (F15); the worker's own failures (unknown task, a lost handle, a result that
 *   cannot be sent) are `WorkerError`s with a code, rebuilt as such on the main thread;
 * - every message this file posts is a `FromWorker` of protocol.ts, on the worker's port.
 */
import type { AggregateSpec, Table } from '../aggregate/index'
import { noUpdate, PreventUpdate, WorkerError } from '../errors'
import type { Idb } from '../storage/idb'
import { nameOf } from '../storage/names'
import { sizeOf } from '../storage/size'
import { describe, eachHandle, type Handle, mapHandles, transferables } from './handle'
import {
  AGGREGATE_TASK,
  type Ask,
  BUILTIN,
  type Call,
  type FromWorker,
  type Init,
  isOurs,
  type Reply,
  type ToWorker,
  toWire,
  type WorkerStats,
} from './protocol'

/** What a task gets after its arguments. */
export interface TaskCtx {
  /** The callback this call runs for (undefined when the task is called directly). */
  readonly callbackId: string | undefined
  /** Ids of the inputs whose change caused the run; empty on the initial call. */
  readonly triggered: readonly string[]
  /** Fires when the run is superseded: stop early (the result would be dropped anyway). */
  readonly signal: AbortSignal
  /** Reports progress (0..1) to the callback's status in `board.inspect()`. */
  progress(fraction: number, note?: string): void
}

/** A task: the callback's arguments (handles already replaced by their values), then ctx. */
export type Task = (...args: any[]) => unknown

export interface KeepOptions {
  /** Also write the value to IndexedDB, so other workers, tabs and reloads can resolve it. */
  persist?: boolean
}

interface Held {
  value: unknown
  bytes: number
  persisted: boolean
}

/** Everything this worker knows; one per worker global. */
const state = {
  init: undefined as Init | undefined,
  held: new Map<string, Held>(),
  /** Buffers of held values: never transferred. */
  heldBuffers: new WeakSet<ArrayBuffer>(),
  running: new Map<number, Running>(),
  /** Handles kept by the call running now (see the invariants); made on the first keep. */
  kept: undefined as Handle[] | undefined,
  /** IndexedDB writes started by the call running now; its reply waits for them. */
  writes: undefined as Promise<unknown>[] | undefined,
  idb: undefined as Promise<Idb> | undefined,
  seq: 0,
  /** Set while the life lock (Init.lock) is being taken: `close()` waits for it (see `closeAfterLife`). */
  life: undefined as Promise<boolean> | undefined,
}

/**
 * Holds `value` in this worker and returns a handle for it: a small plain object the graph
 * carries instead of the data. Another task of the same pool given the handle gets the value.
 *
 * @example
 * exposeTasks({
 *   load: async (url) => keep(await (await fetch(url)).arrayBuffer()),
 *   size: (buf) => buf.byteLength, // buf arrives as the value
 * })
 */
export function keep<T>(value: T, options: KeepOptions = {}): Handle<T> {
  const init = state.init
  if (!init) throw new Error('[switchboard] keep() works inside a task, once the pool has started this worker.')
  const { bytes, desc } = describe(value)
  const id = `${init.pool}.${init.worker}.${init.life}.${(++state.seq).toString(36)}`
  const persisted = !!options.persist
  state.held.set(id, { value, bytes, persisted })
  for (const b of transferables(value)) state.heldBuffers.add(b)
  const handle: Handle<T> = {
    switchboard: 'handle',
    id,
    bytes,
    desc,
    pool: init.pool,
    worker: init.worker,
    life: init.life,
    persisted,
    board: init.board,
  }
  if (state.running.size) (state.kept ??= []).push(handle)
  if (persisted) {
    const write = db()
      .then((d) => d.setMany('handles', [[id, value]]))
      .catch((e: unknown) => {
        warn(
          'persist',
          `could not persist handle "${id}" (${desc}) to IndexedDB; it stays in worker ${init.worker} only.`,
          e,
        )
      })
    ;(state.writes ??= []).push(write)
  }
  return handle
}

/**
 * Holds `name` for as long as this worker global lives (see `Init.lock`): the pool learns
 * the worker is gone when it is granted the same name. Answers whether the lock is held.
 */
function holdLife(name: string): Promise<boolean> {
  let answer!: (held: boolean) => void
  const life = new Promise<boolean>((resolve) => (answer = resolve))
  const done = (held: boolean) => {
    if (state.life === life) state.life = undefined
    answer(held)
  }
  state.life = life
  try {
    // ifAvailable: the name is this worker's own, so it is free; never queue behind anything.
    void navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        done(lock !== null)
        return lock ? new Promise<never>(() => {}) : undefined
      })
      .catch(() => done(false)) // locks denied (opaque origin, policy): the pool goes without
  } catch {
    done(false) // no navigator.locks (an insecure context): the pool goes without
  }
  return life
}

/** IndexedDB serves persisted handles only: loaded on first use, so a worker starts lighter. */
function db(): Promise<Idb> {
  return (state.idb ??= import('../storage/idb').then((m) =>
    m.openIdb(nameOf(state.init!.board), { warn: (kind, msg) => warn(`idb-${kind}`, msg) }),
  ))
}

/** The worker's global, as far as this file uses it (no DOM types in a worker). */
interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void
}
const scope = globalThis as unknown as Scope

function post(message: FromWorker, transfer?: Transferable[]): void {
  if (transfer?.length) scope.postMessage(message, transfer)
  else scope.postMessage(message)
}

/** A warning for the board; `kind` is what the board prints it once per (with the pool). */
function warn(kind: string, message: string, cause?: unknown): void {
  const detail = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : ''
  if (state.init) post({ sb: 'warning', kind, message: message + detail })
}

/** The value behind a handle: held here, or read back from IndexedDB when persisted. */
async function valueBehind(h: Handle, task: string): Promise<unknown> {
  const held = state.held.get(h.id)
  if (held) return held.value
  if (h.persisted) {
    let v: unknown
    if (h.board === state.init?.board) [v] = await (await db()).getMany('handles', [h.id])
    else {
      // A handle of another board (rare): open its database for this read only.
      const other = (await import('../storage/idb')).openIdb(nameOf(h.board))
      ;[v] = await other.getMany('handles', [h.id]).finally(() => other.dispose())
    }
    if (v !== undefined) return v
  }
  throw new WorkerError(
    'handle-lost',
    `task "${task}" got handle "${h.id}" (${h.desc}), which is no longer held (released, or its worker restarted); keep it with { persist: true } to survive that.`,
  )
}

/** Finds a function, symbol or promise in a result (bounded walk), for a clear F16 message. */
function unclonable(v: unknown, path: string, depth: number): string | undefined {
  if (typeof v === 'function') return `${path} is a function`
  if (typeof v === 'symbol') return `${path} is a symbol`
  if (v === null || typeof v !== 'object' || depth > 3 || ArrayBuffer.isView(v) || v instanceof ArrayBuffer)
    return undefined
  if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) return `${path} is a ${v.constructor.name}`
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && i < 64; i++) {
      const bad = unclonable(v[i], `${path}[${i}]`, depth + 1)
      if (bad) return bad
    }
    return undefined
  }
  let n = 0
  for (const k in v) {
    if (n++ > 64) break
    const bad = unclonable((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)
    if (bad) return bad
  }
  return undefined
}

const isNoUpdate = (v: unknown) =>
  v === noUpdate || (v !== null && typeof v === 'object' && (v as { switchboard?: unknown }).switchboard === 'noUpdate')

/**
 * Makes this worker's tasks callable by a pool (`board.workers(...)`). Call it once, at the
 * top level of the worker script.
 *
 * @example
 * // stats.worker.ts
 * import { exposeTasks, keep } from 'switchboard/worker'
 * exposeTasks({
 *   histogram(values: Float64Array, bins: number, ctx) { ... return counts },
 * })
 */
export function exposeTasks<T extends Record<string, Task>>(tasks: T): void {
  for (const name of Object.keys(tasks)) {
    if (name.startsWith(BUILTIN))
      throw new Error(`[switchboard] task name "${name}" is reserved (names starting with "${BUILTIN}").`)
    if (typeof tasks[name] !== 'function') throw new Error(`[switchboard] task "${name}" is not a function.`)
  }
  // Own names only (S15): a plain object would answer "toString" from Object.prototype.
  const all = new Map<string, Task>([...Object.entries(tasks), ...Object.entries(builtins)])
  const names = Object.keys(tasks)

  const call = (c: Call): Reply | Promise<Reply> => {
    // Calls run at once, even while the life lock is still being taken (P3: no round trip
    // to the browser before the first answer); a task that closes this worker meanwhile
    // is held back by `closeAfterLife` until the lock is held, so the pool notices (S08).
    const fn = all.get(c.task)
    const run = new Running(c)
    state.running.set(c.id, run)
    state.kept = undefined
    state.writes = undefined
    try {
      if (!fn) {
        throw new WorkerError(
          'unknown-task',
          `this worker has no task "${c.task}" (it has ${names.map((t) => `"${t}"`).join(', ') || 'none'}).`,
        )
      }
      let args = c.args
      // Only what the pool recognised is a handle (S23): look-alikes are user data.
      const ids = c.handles
      let missing = false
      if (ids) {
        eachHandle(args, (h) => {
          if (ids.includes(h.id) && !state.held.has(h.id)) missing = true
        })
      }
      // Persisted or lost handles resolve one by one (the rare path, async).
      if (missing)
        return withHandles(args, c.task, ids!).then(
          (a) => settleRun(run, fn(...a, run)),
          (e: unknown) => failRun(run, e),
        )
      if (ids) args = mapHandles(args, (h) => (ids.includes(h.id) ? state.held.get(h.id)!.value : h))
      // Direct calls for short argument lists: cheaper than a spread on the hot path.
      const value = args.length === 1 ? fn(args[0], run) : args.length === 0 ? fn(run) : fn(...args, run)
      return settleRun(run, value)
    } catch (e) {
      return failRun(run, e)
    }
  }

  dispatch = (m) => {
    switch (m.sb) {
      case 'init':
        state.init = m
        // Ready first, so that a first call that hangs or throws later runs on a worker
        // the pool counts as started (its timeout applies, its errors are the task's).
        post({ sb: 'ready', tasks: names, locked: false })
        void holdLife(m.lock).then((locked) => locked && post({ sb: 'held' }))
        return
      case 'call': {
        const r = call(m)
        if (isThenable(r)) void r.then(send)
        else send(r)
        return
      }
      case 'abort':
        state.running.get(m.id)?.abort()
        return
      default:
        void answer(m).then(send, (e: unknown) => send({ sb: 'reply', id: m.id, ok: false, error: toWire(e) }))
    }
  }
  for (const m of early.splice(0)) dispatch(m)
}

/** The side requests: resolve a handle, release handles, counts. */
async function answer(m: Ask): Promise<Reply> {
  const ok = (value: unknown): Reply => ({ sb: 'reply', id: m.id, ok: true, value })
  if (m.sb === 'stats') {
    let heldBytes = 0
    for (const h of state.held.values()) heldBytes += h.bytes
    return ok({ running: state.running.size, held: state.held.size, heldBytes } satisfies WorkerStats)
  }
  if (m.sb === 'resolve') {
    const held = state.held.get(m.handle)
    if (held) return ok(held.value)
    const [v] = await (await db()).getMany('handles', [m.handle])
    if (v !== undefined) return ok(v)
    throw new WorkerError('handle-lost', `handle "${m.handle}" is no longer held by this worker or in IndexedDB.`)
  }
  let n = 0
  const persisted: string[] = []
  for (const id of m.handles) {
    const h = state.held.get(id)
    if (h?.persisted || (!h && m.dropPersisted)) persisted.push(id)
    if (state.held.delete(id)) n++
  }
  if (m.dropPersisted && persisted.length && state.init) {
    await db()
      .then((d) => d.delMany('handles', persisted))
      .catch((e: unknown) => warn('release', `could not delete persisted handles from IndexedDB.`, e))
  }
  return ok(n)
}

/**
 * Posts a reply. The transfer list was worked out with the reply; a value that still cannot
 * be cloned (postMessage throws, the reply never left) fails the call with `unserialisable`.
 */
function send(r: Reply): void {
  const out = outgoing.get(r)
  try {
    post(r, out?.transfer)
  } catch (e) {
    // postMessage throws only a DataCloneError here: the value is the culprit, not the port.
    const what = out ? `task "${out.task}" returned a value that` : 'the answer'
    const error = new WorkerError(
      'unserialisable',
      `${what} cannot be sent to the main thread (it cannot be cloned).`,
      e,
    )
    post({ sb: 'reply', id: r.id, ok: false, error: toWire(error) })
  }
}
/** A call's reply: its task, and the buffers to transfer with it (set by `reply`, read by `send`). */
const outgoing = new WeakMap<Reply, { task: string; transfer: ArrayBuffer[] }>()

/**
 * Messages of ours that arrive before `exposeTasks` runs (the pool sends init and its first
 * call without waiting, and a worker may await something before exposing) wait here, in
 * order. Registered when this module loads, which is before any user code of the worker
 * runs. Messages without `sb` are the worker script's own business.
 */
let dispatch: ((m: ToWorker) => void) | undefined
const early: ToWorker[] = []
if (typeof (globalThis as { importScripts?: unknown }).importScripts === 'function') {
  closeAfterLife()
  scope.addEventListener('message', (e) => {
    const m = e.data as unknown
    if (!isOurs(m)) return
    if (dispatch) dispatch(m as ToWorker)
    else early.push(m as ToWorker)
  })
}

/**
 * `self.close()` while the life lock (Init.lock) is still being taken closes once it is
 * held: the pool learns that a worker went away only through that lock, and calls do
 * not wait for it, so a first call that closes its worker would otherwise go unnoticed
 * (S08). Outside that window `close()` is the browser's, at once.
 */
function closeAfterLife(): void {
  const g = globalThis as { close?: () => void }
  const close = g.close
  if (typeof close !== 'function') return
  g.close = () => {
    const life = state.life
    if (life) void life.then(() => close.call(globalThis))
    else close.call(globalThis)
  }
}

/**
 * One call in this worker, and the `ctx` its task gets. The AbortController is made only
 * when the task reads `signal` or the pool aborts: most calls never need one.
 */
class Running implements TaskCtx {
  private controller: AbortController | undefined
  done = false
  kept: Handle[] | undefined
  constructor(private readonly call: Call) {}
  get callbackId(): string | undefined {
    return this.call.callbackId
  }
  get triggered(): readonly string[] {
    return this.call.triggered ?? none
  }
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal
  }
  get task(): string {
    return this.call.task
  }
  get id(): number {
    return this.call.id
  }
  abort(): void {
    ;(this.controller ??= new AbortController()).abort(
      new DOMException('the run was superseded by a newer input change.', 'AbortError'),
    )
  }
  progress(fraction: number, note?: string): void {
    if (this.done || this.controller?.signal.aborted) return
    post({ sb: 'progress', id: this.call.id, fraction, note })
  }
}

const none: readonly string[] = Object.freeze([])

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  x !== null &&
  (typeof x === 'object' || typeof x === 'function') &&
  typeof (x as PromiseLike<unknown>).then === 'function'

async function withHandles(args: unknown[], task: string, ids: readonly string[]): Promise<unknown[]> {
  const list: Handle[] = []
  eachHandle(args, (h) => {
    if (ids.includes(h.id)) list.push(h)
  })
  const values = new Map<string, unknown>()
  for (const h of list) values.set(h.id, await valueBehind(h, task))
  return mapHandles(args, (h) => (values.has(h.id) ? values.get(h.id) : h))
}

/** The task returned (a value or a promise of one): build the reply. */
function settleRun(run: Running, value: unknown): Reply | Promise<Reply> {
  // Handles kept by this call so far belong to it (the pool sends one call at a time).
  run.kept ??= state.kept
  if (isThenable(value)) {
    return Promise.resolve(value).then(
      (v) => settleRun(run, v),
      (e: unknown) => failRun(run, e),
    )
  }
  const writes = state.writes
  if (writes?.length) {
    state.writes = undefined
    return Promise.all(writes).then(() => settleRun(run, value))
  }
  try {
    return reply(run, value)
  } catch (e) {
    return failRun(run, e)
  }
}

function reply(run: Running, value: unknown): Reply {
  finishRun(run)
  const bad = unclonable(value, 'the result', 0)
  if (bad) {
    throw new WorkerError(
      'unserialisable',
      `task "${run.task}" returned a value that cannot be sent to the main thread: ${bad}.`,
    )
  }
  if (run.kept) dropUnreturned(run.kept, value, run.task, false)
  const id = run.id
  if (value === null || typeof value !== 'object') return { sb: 'reply', id, ok: true, value }
  let out: Reply
  if (isNoUpdate(value)) out = { sb: 'reply', id, ok: true, value: undefined, noUpdate: [-1] }
  else if (Array.isArray(value) && value.some(isNoUpdate)) {
    const at: number[] = []
    out = {
      sb: 'reply',
      id,
      ok: true,
      value: value.map((v, i) => (isNoUpdate(v) ? (at.push(i), null) : v)),
      noUpdate: at,
    }
  } else if (sizeOf(value) >= JSON_ROWS_BYTES && !hasHandle(value) && jsonSafe(value, 0)) {
    return { sb: 'reply', id, ok: true, value: undefined, json: JSON.stringify(value) }
  } else out = { sb: 'reply', id, ok: true, value }
  outgoing.set(out, { task: run.task, transfer: transferables(value, (b) => state.heldBuffers.has(b)) })
  return out
}

/**
 * Big results of plain rows (over 1 MB, e.g. an array of records or an object holding
 * one) cross as one JSON string when that loses nothing: Chromium parses JSON about twice
 * as fast as it deserialises the same rows as cloned objects (bench P3, rows 11 MB).
 * Lossless means finite numbers but -0, strings, booleans, null, plain objects and arrays,
 * three levels deep at most; anything else (a typed array, a Date, NaN) goes by clone, and
 * the check stops at the first such value.
 */
const JSON_ROWS_BYTES = 1 << 20

/** The pool tracks handles in results it can see: those go by clone. */
function hasHandle(value: unknown): boolean {
  let found = false
  eachHandle([value], () => (found = true))
  return found
}

function jsonSafe(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0)
    case 'object': {
      if (v === null) return true
      if (depth > 2) return false
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!jsonSafe(v[i], depth + 1)) return false
        return true
      }
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return false
      for (const k in v) if (!jsonSafe((v as Record<string, unknown>)[k], depth + 1)) return false
      return true
    }
    default:
      return false // undefined, functions, symbols, bigints
  }
}

function failRun(run: Running, e: unknown): Reply {
  run.kept ??= state.kept
  finishRun(run)
  if (run.kept) dropUnreturned(run.kept, undefined, run.task, true)
  // By name too: a PreventUpdate imported from the main entry is another copy of the class.
  if (e instanceof PreventUpdate || (e as Error | null)?.name === 'PreventUpdate') {
    return {
      sb: 'reply',
      id: run.id,
      ok: false,
      prevent: true,
      error: { name: 'PreventUpdate', message: 'PreventUpdate' },
    }
  }
  return { sb: 'reply', id: run.id, ok: false, error: toWire(e) }
}

function finishRun(run: Running): void {
  run.done = true
  state.running.delete(run.id)
  if (state.kept === run.kept) state.kept = undefined
}

/** Handles kept by a call but not in what it returned would leak: drop them now. */
function dropUnreturned(kept: Handle[], value: unknown, task: string, failed: boolean): void {
  if (!kept.length) return
  const returned = new Set<string>()
  eachHandle([value], (h) => returned.add(h.id))
  let dropped = 0
  for (const h of kept) {
    if (returned.has(h.id)) continue
    dropped++
    state.held.delete(h.id)
    if (h.persisted)
      void db()
        .then((d) => d.delMany('handles', [h.id]))
        .catch(() => undefined) // best effort: an orphan entry only wastes space
  }
  // Keeping without returning is almost always a handle buried too deep in the result.
  if (dropped && !failed && !warnedTasks.has(task)) {
    warnedTasks.add(task)
    warn(
      `unreturned:${task}`,
      `task "${task}" kept ${dropped} value(s) it did not return; they were dropped. Return a handle as the result, an item of it, or a value of it (one level deep).`,
    )
  }
}
const warnedTasks = new Set<string>()

/** Tasks every worker has: the pool calls them by their reserved names. */
const builtins: Record<string, Task> = {
  // pool.aggregate(handle, spec): the table arrives as the held value; only the small
  // columnar result crosses back.
  // Loaded on first use: a worker that never aggregates starts without parsing it.
  [AGGREGATE_TASK]: async (table: Table, spec: AggregateSpec) =>
    (await import('../aggregate/index')).aggregate(table, spec),
}
