/**
 * Every message between the main thread and a worker, as typed values: one layer, plain
 * postMessage on the worker's own port. Each message carries `sb`, its kind; anything on
 * the port without it is not ours (F32). Nothing here touches the DOM.
 *
 *   main (pool)                               worker (expose.ts)
 *   ───────────────────────────────────────────────────────────────────────
 *   Init ──►                                  who it is, its life lock (held until exposeTasks)
 *   Call ──►                                  sent at once, before Ready: it waits in order
 *                      ◄── Ready              exposeTasks ran (calls run from now on)
 *                      ◄── Held               the life lock is held (never without Web Locks)
 *                      ◄── Progress           ctx.progress()
 *                      ◄── Reply              the call's value or error (same id)
 *   Abort ──►                                 ctx.signal fires
 *   Ask (resolve | release | stats) ──►
 *                      ◄── Reply              the answer (same id)
 *                      ◄── Warning            a warning of the worker side, any time
 *
 * Why not Comlink (issue 12, measured in bench/p12-protocol.ts): a Comlink call is a Proxy
 * read, a random string id and a nested message; our calls carried our own envelope inside
 * it, with a raw ready message and a second Comlink channel for events beside. One layer
 * of our own is what raw postMessage costs plus a switch.
 */
import { WorkerError, type WorkerErrorCode } from '../errors'

/** main → worker */
export type ToWorker = Init | Call | Abort | Ask

/** worker → main */
export type FromWorker = Ready | Held | Reply | Progress | Warning

/** Who the worker is: handles carry these so the pool can route calls to their holder. */
export interface Init {
  readonly sb: 'init'
  readonly pool: string
  readonly worker: number
  /** Incarnation of the slot: a respawned worker holds nothing of the previous one. */
  readonly life: number
  /** Board name, for the persisted handles' database `nameOf(board)`. */
  readonly board: string
  /**
   * A Web Lock the worker holds for as long as its global lives. Nothing tells the page
   * that a worker closed itself (`self.close()`) or died alone; Chromium releases a
   * context's locks when it goes, so the pool, queued behind it for the same name, is
   * granted the lock exactly then.
   */
  readonly lock: string
}

/**
 * Answers Init as soon as `exposeTasks` has run: the worker's calls run from now on, while
 * it takes its life lock (a Held follows once it holds it). Before, calls waited for the
 * lock: a round trip to the browser on every cold start (P3).
 */
export interface Ready {
  readonly sb: 'ready'
  readonly tasks: string[]
  /** The worker holds `Init.lock` already: the pool may watch for it (a Held says it later). */
  readonly locked: boolean
}

/** The worker holds `Init.lock` now: the pool may watch for it. */
export interface Held {
  readonly sb: 'held'
}

/** One task call. Handles among the args are replaced by their values in the worker. */
export interface Call {
  readonly sb: 'call'
  readonly id: number
  readonly task: string
  readonly args: unknown[]
  /** Absent when the task is called directly (not as a callback's run). */
  readonly callbackId?: string
  /** Absent when empty: every field costs on both sides of a structured clone. */
  readonly triggered?: readonly string[]
  /**
   * Ids of the handles among the args, as the pool recognised them. Anything else shaped
   * like a handle is user data and reaches the task as given. Absent when none.
   */
  readonly handles?: readonly string[]
}

/** Fires the signal of a running call (cooperative cancel). */
export interface Abort {
  readonly sb: 'abort'
  readonly id: number
}

/** A side request, answered by a Reply of the same id (negative: calls have the positive ones). */
export type Ask = AskBody & { readonly id: number }

export type AskBody =
  /** The value behind a handle, for `board.resolve` (the one way data reaches the main thread). */
  | { readonly sb: 'resolve'; readonly handle: string }
  /** Forgets held values (and their persisted copies when `dropPersisted`); answers how many. */
  | { readonly sb: 'release'; readonly handles: string[]; readonly dropPersisted: boolean }
  /** Counts for leak checks (F19). */
  | { readonly sb: 'stats' }

/** What a call or an Ask answers. */
export type Reply = OkReply | ErrorReply

export interface OkReply {
  readonly sb: 'reply'
  readonly id: number
  readonly ok: true
  readonly value: unknown
  /**
   * Where the task returned `noUpdate` (a frozen object whose identity a clone loses):
   * -1 for the whole value, otherwise indexes of the returned array.
   */
  readonly noUpdate?: number[]
  /** The value as JSON instead of `value`: big arrays of plain rows (see expose.ts). */
  readonly json?: string
}

export interface ErrorReply {
  readonly sb: 'reply'
  readonly id: number
  readonly ok: false
  readonly error: WireError
  /** The task threw PreventUpdate: leave every output alone (not an error). */
  readonly prevent?: true
}

export interface Progress {
  readonly sb: 'progress'
  /** The call's id. */
  readonly id: number
  readonly fraction: number
  readonly note: string | undefined
}

export interface Warning {
  readonly sb: 'warning'
  /** What it is about ('persist', 'idb', 'release', `unreturned:<task>`): printed once per kind and pool. */
  readonly kind: string
  readonly message: string
}

/**
 * An error as it crosses: name, message, stack, `code` and `cause` (structured clone of an
 * Error keeps only some of them, and F15 needs all). `worker` marks a `WorkerError` the
 * worker side raised (unknown task, handle lost, a result it could not send): the main
 * thread rebuilds it as a `WorkerError` of that code.
 */
export interface WireError {
  readonly name: string
  readonly message: string
  readonly code?: string | number
  readonly stack?: string
  readonly cause?: WireError | string | number | boolean | null
  readonly worker?: WorkerErrorCode
}

export interface WorkerStats {
  /** Calls running in the worker now. */
  running: number
  /** Values held by handle, and their bytes. */
  held: number
  heldBytes: number
}

/** Task names starting with this are the worker's own (aggregate); user tasks may not use it. */
export const BUILTIN = '$'
export const AGGREGATE_TASK = '$aggregate'

const fromWorkerKinds: ReadonlySet<unknown> = new Set(['ready', 'held', 'reply', 'progress', 'warning'])

/** Is this message on a worker's port one of ours (shape checked later, by kind)? */
export function isOurs(data: unknown): data is { readonly sb: string } {
  return data !== null && typeof data === 'object' && typeof (data as { sb?: unknown }).sb === 'string'
}

/** F32: a message of ours whose fields have the wrong shape is dropped, with one warning. */
export function wellFormed(m: { readonly sb: string }): m is FromWorker {
  if (!fromWorkerKinds.has(m.sb)) return false
  const o = m as {
    id?: unknown
    ok?: unknown
    error?: unknown
    fraction?: unknown
    kind?: unknown
    message?: unknown
    tasks?: unknown
    locked?: unknown
  }
  switch (m.sb) {
    case 'reply':
      return (
        typeof o.id === 'number' &&
        (o.ok === true || (o.ok === false && o.error !== null && typeof o.error === 'object'))
      )
    case 'progress':
      return typeof o.id === 'number' && typeof o.fraction === 'number'
    case 'warning':
      return typeof o.message === 'string' && typeof o.kind === 'string'
    case 'held':
      return true
    default:
      return Array.isArray(o.tasks) && typeof o.locked === 'boolean'
  }
}

/** Serialises a thrown value so name, message, code and cause survive the boundary. */
export function toWire(e: unknown, depth = 0): WireError {
  if (e !== null && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown }
    const out: { -readonly [K in keyof WireError]: WireError[K] } = {
      name: typeof o.name === 'string' ? o.name : 'Error',
      message: typeof o.message === 'string' ? o.message : String(e),
    }
    if (typeof o.code === 'string' || typeof o.code === 'number') out.code = o.code
    if (typeof o.stack === 'string') out.stack = o.stack
    if (e instanceof WorkerError) out.worker = e.code
    if (o.cause !== undefined && depth < 3) {
      const c = o.cause
      out.cause =
        c === null || ['string', 'number', 'boolean'].includes(typeof c) ? (c as string) : toWire(c, depth + 1)
    }
    return out
  }
  return { name: 'Error', message: String(e) }
}

/**
 * Rebuilds an Error from its wire form: same name, message, code, cause; stack of the
 * worker. A `WorkerError` of the worker side comes back as one (`instanceof` and `code`).
 */
export function fromWire(w: WireError): Error {
  const cause = w.cause !== null && typeof w.cause === 'object' ? fromWire(w.cause) : w.cause
  if (w.worker) {
    const e = new WorkerError(w.worker, w.message, cause)
    if (w.stack !== undefined) e.stack = w.stack
    return e
  }
  const e = new Error(w.message) as Error & { code?: string | number; cause?: unknown }
  Object.defineProperty(e, 'name', { value: w.name, configurable: true, writable: true })
  if (w.code !== undefined) e.code = w.code
  if (w.stack !== undefined) e.stack = w.stack
  if (cause !== undefined) e.cause = cause
  return e
}
