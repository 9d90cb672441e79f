/**
 * Handles: the small plain objects that stand for data held in a worker (and, when asked,
 * in IndexedDB). They cross threads, sit in stores and go through the graph instead of
 * the data. This file is shared by both threads and touches no DOM.
 */
import { sizeOf } from '../storage/size'

/**
 * A reference to a value kept in a worker by `keep(value)`. Its JSON stays well under 1 KB
 * whatever the size of the data: pass it to another task of the same pool and the task gets
 * the value; on the main thread only `board.resolve(handle)` gives the data.
 */
export interface Handle<T = unknown> {
  /** Never set: carries the type of the held value to `board.resolve`. */
  readonly __value?: T
  /** Brand, so `isHandle` can tell a handle from user data after a structured clone. */
  readonly switchboard: 'handle'
  readonly id: string
  /** Approximate size of the data in bytes. */
  readonly bytes: number
  /** A short description, e.g. "Float64Array(6553600)" or "{x, y} of 2 columns". */
  readonly desc: string
  /** The pool and worker slot holding it, and that worker's incarnation (a respawn forgets). */
  readonly pool: string
  readonly worker: number
  readonly life: number
  /** Also written to IndexedDB (`nameOf(board)`, store `handles`) under `id`. */
  readonly persisted: boolean
  /** The board name, so a persisted handle is found in the right database. */
  readonly board: string
}

/** Is `x` a handle made by `keep`? Works on both threads and after a structured clone. */
export function isHandle(x: unknown): x is Handle {
  return (
    x !== null &&
    typeof x === 'object' &&
    (x as { switchboard?: unknown }).switchboard === 'handle' &&
    typeof (x as { id?: unknown }).id === 'string'
  )
}

/** Arrays scanned for handles or buffers past this many items only if one was found early. */
const SAMPLE = 64

/**
 * Calls `fn` on every handle among `args`: the arguments themselves and the items of arrays
 * and plain objects one level down (where stores put them). Deeper nesting is not scanned:
 * a handle is meant to be the value of a store, not buried in one.
 */
export function eachHandle(args: readonly unknown[], fn: (h: Handle) => void): void {
  for (const a of args) {
    if (a === null || typeof a !== 'object') continue
    if (isHandle(a)) fn(a)
    else if (Array.isArray(a)) {
      for (let i = 0; i < a.length && i < SAMPLE; i++) if (isHandle(a[i])) fn(a[i] as Handle)
    } else if (Object.getPrototypeOf(a) === Object.prototype) {
      for (const k in a) {
        const v = (a as Record<string, unknown>)[k]
        if (isHandle(v)) fn(v)
      }
    }
  }
}

/** Same walk as `eachHandle`, replacing each handle by `fn(handle)`; copies only what changes. */
export function mapHandles(args: unknown[], fn: (h: Handle) => unknown): unknown[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === null || typeof a !== 'object') continue
    if (isHandle(a)) args[i] = fn(a)
    else if (Array.isArray(a)) {
      let copy: unknown[] | undefined
      for (let j = 0; j < a.length && j < SAMPLE; j++) {
        if (isHandle(a[j])) (copy ??= a.slice())[j] = fn(a[j] as Handle)
      }
      if (copy) args[i] = copy
    } else if (Object.getPrototypeOf(a) === Object.prototype) {
      let copy: Record<string, unknown> | undefined
      for (const k in a) {
        const v = (a as Record<string, unknown>)[k]
        if (isHandle(v)) (copy ??= { ...(a as Record<string, unknown>) })[k] = fn(v)
      }
      if (copy) args[i] = copy
    }
  }
  return args
}

/**
 * The ArrayBuffers in `value` that can be transferred: of typed arrays, DataViews and bare
 * buffers, found in the value, array items and object values (a few levels down). Long
 * arrays are sampled: if their first items hold no buffer, the rest are not walked (rows of
 * plain records would cost a full walk for nothing). `skip` says which buffers must stay
 * (the ones `keep` holds). SharedArrayBuffers and detached buffers are left out.
 */
export function transferables(value: unknown, skip?: (b: ArrayBuffer) => boolean): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  const visit = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return false
    if (v instanceof ArrayBuffer) return add(v)
    if (ArrayBuffer.isView(v)) return add(v.buffer as ArrayBuffer)
    if (depth > 3) return false
    let found = false
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (visit(v[i], depth + 1)) found = true
        if (i === SAMPLE - 1 && !found) break
      }
    } else if (v instanceof Map) {
      for (const x of v.values()) if (visit(x, depth + 1)) found = true
    } else {
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return false
      for (const k in v) if (visit((v as Record<string, unknown>)[k], depth + 1)) found = true
    }
    return found
  }
  const add = (b: ArrayBuffer): boolean => {
    if (!(b instanceof ArrayBuffer)) return false // SharedArrayBuffer: shared, not moved
    if ((b as { detached?: boolean }).detached || (b.byteLength === 0 && isDetached(b))) return false
    if (skip?.(b)) return true
    out.add(b)
    return true
  }
  visit(value, 0)
  return [...out]
}

/** Fallback for engines without `ArrayBuffer.prototype.detached`. */
function isDetached(b: ArrayBuffer): boolean {
  try {
    b.slice(0, 0)
    return false
  } catch {
    // slice throws TypeError on a detached buffer: that is the answer we want.
    return true
  }
}

/** Approximate bytes and a short description of a value, for handles and stats. */
export function describe(value: unknown): { bytes: number; desc: string } {
  const bytes = sizeOf(value)
  if (value instanceof ArrayBuffer) return { bytes, desc: `ArrayBuffer(${value.byteLength})` }
  if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as { length?: number }).length
    return { bytes, desc: `${value.constructor.name}(${n ?? value.byteLength})` }
  }
  if (Array.isArray(value)) return { bytes, desc: `Array(${value.length})` }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    const shown = keys.slice(0, 6).join(', ') + (keys.length > 6 ? ', …' : '')
    return { bytes, desc: `{${shown}}`.slice(0, 120) }
  }
  if (typeof value === 'string') return { bytes, desc: `string(${value.length})` }
  return { bytes, desc: typeof value }
}
