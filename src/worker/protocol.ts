/**
 * Every message between the main thread and a worker, as typed values. Comlink carries
 * them: the main thread holds a `Remote<WorkerApi>` of each worker, and each worker gives
 * its pool an `EventSink` over a MessagePort of its own. Nothing here touches the DOM.
 *
 *   main (pool.ts)                         worker (expose.ts)
 *   ─────────────────────────────────────────────────────────────────
 *                     ◄── ReadyMessage       exposeTasks() ran (raw post, once)
 *   api.init(Init, port) ──►                 ids, board name, event port, life lock
 *                     ◄── true               the worker holds its life lock (see Init.lock)
 *   api.call(Call) ──►
 *                     ◄── sink.event(Progress)   ctx.progress()
 *                     ◄── Reply              value or WireError
 *   api.abort(callId) ──►                    ctx.signal fires
 *   api.resolve(id) / api.release(ids) ──►   handle table
 */
import type { Handle } from './handle'

/** The worker's side of the wire, as the pool calls it through Comlink. */
export interface WorkerApi {
  /**
   * Tells the worker who it is (for handles) and where to send events. Answers `true` once
   * the worker holds `init.lock`, `false` when it cannot (no Web Locks).
   */
  init(init: Init, events: MessagePort): boolean | Promise<boolean>
  /** Runs a task; never throws: failures come back as `{ type: 'error' }`. */
  call(call: Call): Reply | Promise<Reply>
  /** Fires the signal of a running call (cooperative cancel). */
  abort(callId: number): void
  /** The value behind a handle, for `board.resolve` (the one way data reaches the main thread). */
  resolve(handleId: string): Promise<Reply>
  /** Forgets held values (and their persisted copies when `dropPersisted`). */
  release(handleIds: string[], dropPersisted: boolean): Promise<number>
  /** Counts for leak checks (F19). */
  stats(): WorkerStats
}

/** Who the worker is: handles carry these so the pool can route calls to their holder. */
export interface Init {
  readonly type: 'init'
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
  readonly lock?: string
}

/** One task call. Handles among the args are replaced by their values in the worker. */
export interface Call {
  readonly type: 'call'
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

/** What a call, resolve or aggregate answers. */
export type Reply = OkReply | ErrorReply

export interface OkReply {
  readonly type: 'ok'
  readonly value: unknown
  /**
   * Where the task returned `noUpdate` (a frozen object whose identity a clone loses):
   * -1 for the whole value, otherwise indexes of the returned array.
   */
  readonly noUpdate?: number[]
  /** Handles made by `keep` during this call, so the pool can track and release them. */
  readonly kept?: Handle[]
  /** Bytes of the transferred buffers (what crossed without a copy). */
  readonly transferred?: number
  /** The value as JSON instead of `value`: big arrays of plain rows (see expose.ts). */
  readonly json?: string
}

export interface ErrorReply {
  readonly type: 'error'
  readonly error: WireError
  readonly kept?: Handle[]
}

/**
 * An error as it crosses: Comlink's own error path keeps only name, message and stack,
 * and F15 needs `code` and `cause` too.
 */
export interface WireError {
  readonly name: string
  readonly message: string
  readonly code?: string | number
  readonly stack?: string
  readonly cause?: WireError | string | number | boolean | null
}

/** Events a worker sends on its own, outside a call's reply. */
export type WorkerEvent = ProgressMessage | WarningMessage

export interface ProgressMessage {
  readonly type: 'progress'
  readonly call: number
  readonly fraction: number
  readonly note: string | undefined
}

export interface WarningMessage {
  readonly type: 'warning'
  readonly message: string
}

/** The main thread's side of the event port (exposed with Comlink on a MessagePort). */
export interface EventSink {
  event(e: WorkerEvent): void
}

/** Posted raw, once, when `exposeTasks` has run: the pool waits for it before `init`. */
export interface ReadyMessage {
  readonly switchboard: 'ready'
  readonly tasks: string[]
}

export function isReady(data: unknown): data is ReadyMessage {
  return !!data && typeof data === 'object' && (data as { switchboard?: unknown }).switchboard === 'ready'
}

/**
 * A message Comlink sends back on the worker's own port (its replies: `RAW` or `HANDLER`
 * values under a request id). Anything else there is outside the protocol (F32).
 */
export function isComlinkWire(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false
  const { id, type } = data as { id?: unknown; type?: unknown }
  return typeof id === 'string' && (type === 'RAW' || type === 'HANDLER')
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
    if (o.cause !== undefined && depth < 3) {
      const c = o.cause
      out.cause = c === null || ['string', 'number', 'boolean'].includes(typeof c) ? (c as string) : toWire(c, depth + 1)
    }
    return out
  }
  return { name: 'Error', message: String(e) }
}

/** Rebuilds an Error from its wire form: same name, message, code, cause; stack of the worker. */
export function fromWire(w: WireError): Error {
  const e = new Error(w.message) as Error & { code?: string | number; cause?: unknown }
  Object.defineProperty(e, 'name', { value: w.name, configurable: true, writable: true })
  if (w.code !== undefined) e.code = w.code
  if (w.stack !== undefined) e.stack = w.stack
  if (w.cause !== undefined) e.cause = w.cause !== null && typeof w.cause === 'object' ? fromWire(w.cause) : w.cause
  return e
}
