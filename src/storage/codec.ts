/**
 * How a store's value becomes text for Web Storage, and back.
 * - `json`: JSON text; restored objects never carry `__proto__` (F31).
 * - `base64`: ArrayBuffer or a typed array as standard base64 (RFC 4648), restored as the
 *   same type it was given. Uses native `Uint8Array.prototype.toBase64` / `fromBase64`
 *   where the browser has them (Chromium 140+), a chunked `btoa` fallback elsewhere.
 * IndexedDB stores structured clones and needs no codec.
 */

export type Codec = 'json' | 'base64'

type Binary = ArrayBuffer | ArrayBufferView
type TypedArrayName =
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'Float32Array'
  | 'Float64Array'
  | 'BigInt64Array'
  | 'BigUint64Array'

const typedArrays: Record<TypedArrayName, { new (b: ArrayBuffer): ArrayBufferView; BYTES_PER_ELEMENT: number }> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
}

/** What a base64-coded value looks like inside the envelope. */
export interface Base64Payload {
  /** The type to give back: a typed array name or 'ArrayBuffer'. */
  t: TypedArrayName | 'ArrayBuffer'
  /** Standard base64 text of the bytes. */
  b: string
}

interface NativeBase64 {
  toBase64?: (this: Uint8Array) => string
}
interface NativeFromBase64 {
  fromBase64?: (s: string) => Uint8Array
}

function bytesToBase64(bytes: Uint8Array): string {
  const native = (Uint8Array.prototype as NativeBase64).toBase64
  if (native) return native.call(bytes)
  // btoa wants a binary string; build it in chunks so large arrays do not blow the stack.
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[])
  }
  return btoa(s)
}

function base64ToBytes(text: string): Uint8Array {
  const native = (Uint8Array as NativeFromBase64).fromBase64
  if (native) return native(text)
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Encodes binary for the base64 codec; throws a TypeError for anything else. */
export function encodeBase64(value: unknown, what: string): Base64Payload | null | undefined {
  // "No data yet" is common for a binary store (initial: null): kept as JSON null. Undefined
  // stays undefined: the envelope is written without `d`, as the json codec does (S12).
  if (value === null) return null
  if (value === undefined) return undefined
  if (value instanceof ArrayBuffer) return { t: 'ArrayBuffer', b: bytesToBase64(new Uint8Array(value)) }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedArrayName
    if (name in typedArrays) {
      return { t: name, b: bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) }
    }
  }
  throw new TypeError(`${what} uses the base64 codec but its value is not an ArrayBuffer or typed array.`)
}

/** Decodes a base64 payload; throws a TypeError naming `what` on a malformed one. */
export function decodeBase64(payload: unknown, what: string): Binary {
  if (payload === null) return null as unknown as Binary
  if (payload === undefined) return undefined as unknown as Binary
  const p = payload as Partial<Base64Payload> | null
  if (!p || typeof p.b !== 'string' || typeof p.t !== 'string') {
    throw new TypeError(`${what} holds a base64 entry of the wrong shape.`)
  }
  let bytes: Uint8Array
  try {
    bytes = base64ToBytes(p.b)
  } catch (cause) {
    throw new TypeError(`${what} holds base64 text that does not decode.`, { cause })
  }
  if (p.t === 'ArrayBuffer') return new Uint8Array(bytes).buffer
  const Ctor = typedArrays[p.t as TypedArrayName]
  if (!Ctor) throw new TypeError(`${what} names an unknown binary type "${String(p.t)}".`)
  // A truncated payload leaves a byte count that is not a whole number of elements.
  if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new TypeError(`${what} holds ${bytes.byteLength} bytes, not a whole number of ${p.t} elements.`)
  }
  const copy = new Uint8Array(bytes) // own, aligned buffer
  return new Ctor(copy.buffer)
}

/**
 * JSON.parse that drops keys able to reach a prototype (`__proto__`, and a `constructor`
 * holding `prototype`), so restored data merged with spread or Object.assign pollutes nothing.
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text, function (this: unknown, key, value: unknown) {
    if (key === '__proto__') return undefined
    if (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value) return undefined
    return value
  })
}

/** Where a value would not come back equal from a medium, and what to do about it (S12). */
export interface Loss {
  /** The path inside the value (`filters.since`, `rows[0].bytes`); '' for the value itself. */
  path: string
  /** What is there and what the medium would make of it, then the fix. */
  why: string
}

const idbFix = "use storage: 'idb', which keeps it"
const dataOnly = 'a persisted store holds data only; keep it in a memory store'
const protoKey = 'restore drops it so that it cannot reach a prototype; rename the key'
/** What IndexedDB's structured clone gives back as the same type (no walk inside them). */
const cloneLeaves: Array<{ prototype: object }> = [
  Date,
  RegExp,
  ArrayBuffer,
  Boolean,
  Number,
  String,
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  ...(typeof Blob === 'undefined' ? [] : [Blob]),
  ...(typeof File === 'undefined' ? [] : [File]),
]

/**
 * The first place where `value` would not come back equal after a round trip through
 * `medium`: 'json' (the json codec of Web Storage: NaN, -0, Date, Map, typed arrays...
 * all change) or 'clone' (IndexedDB: a class instance loses its prototype, a function or
 * symbol cannot be stored). Both refuse an own `__proto__` key, which restore drops (S17).
 * Shared references are fine in both; a cycle only in 'clone'. Properties holding
 * `undefined` count as absent (JSON drops them).
 */
export function lossOf(value: unknown, medium: 'json' | 'clone'): Loss | undefined {
  // Most values are plain data: a walk without paths or sets clears them; the full walk
  // below runs only where that one is unsure, and names the place.
  if (medium === 'clone' && plainClone(value, 0, budget())) return undefined
  const path: string[] = []
  const open = new Set<object>() // objects on the current path: a revisit is a cycle
  const done = new Set<object>() // objects already checked (shared references)
  const at = (why: string): Loss => ({ path: path.join('').replace(/^\./, ''), why })
  const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)

  function visit(v: unknown, inArray: boolean): Loss | undefined {
    switch (typeof v) {
      case 'undefined':
        return medium === 'json' && inArray
          ? at("is undefined, which JSON writes as null; use null or storage: 'idb'")
          : undefined
      case 'number':
        if (medium === 'clone') return undefined
        if (Number.isNaN(v)) return at(`is NaN, which JSON writes as null; ${idbFix}`)
        if (!Number.isFinite(v)) return at(`is ${v}, which JSON writes as null; ${idbFix}`)
        if (Object.is(v, -0)) return at(`is -0, which JSON writes as 0; ${idbFix}`)
        return undefined
      case 'bigint':
        return medium === 'json' ? at(`is a BigInt, which JSON cannot write; ${idbFix}`) : undefined
      case 'function':
        return at(`is a function; ${dataOnly}`)
      case 'symbol':
        return at(`is a symbol; ${dataOnly}`)
      case 'object':
        return v === null ? undefined : object(v)
      default:
        return undefined
    }
  }

  function object(o: object): Loss | undefined {
    if (open.has(o)) return medium === 'json' ? at(`closes a cycle, which JSON cannot write; ${idbFix}`) : undefined
    if (done.has(o)) return undefined
    const proto = Object.getPrototypeOf(o) as object | null
    const type = (o.constructor as { name?: string } | undefined)?.name || 'object'
    if (medium === 'json') {
      if (o instanceof Date) return at(`is a Date, which JSON writes as a string; ${idbFix}`)
      if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) {
        return at(
          `is a ${type}, which JSON writes as a plain object; use codec: 'base64' (a store holding one binary value) or storage: 'idb'`,
        )
      }
      if (o instanceof Map || o instanceof Set) return at(`is a ${type}, which JSON writes as {}; ${idbFix}`)
    } else if (ArrayBuffer.isView(o) || cloneLeaves.some((C) => proto === C.prototype)) {
      return undefined
    }
    const plain = proto === Object.prototype || proto === null
    const array = Array.isArray(o) && proto === Array.prototype
    const collection = medium === 'clone' && (proto === Map.prototype || proto === Set.prototype)
    if (!plain && !array && !collection) {
      return at(
        `is a ${type} instance, which ${medium === 'json' ? 'JSON' : 'IndexedDB'} gives back as a plain object; persist plain data and rebuild it`,
      )
    }
    open.add(o)
    const found = array
      ? items(o as unknown[])
      : collection
        ? entries(o as Map<unknown, unknown> | Set<unknown>)
        : fields(o as Record<string, unknown>)
    open.delete(o)
    if (!found) done.add(o)
    return found
  }

  function items(a: unknown[]): Loss | undefined {
    for (let i = 0; i < a.length; i++) {
      path.push(`[${i}]`)
      const found =
        !(i in a) && medium === 'json'
          ? at("is an empty slot, which JSON writes as null; use null or storage: 'idb'")
          : visit(a[i], true)
      if (found) return found
      path.pop()
    }
    return undefined
  }

  function fields(o: Record<string, unknown>): Loss | undefined {
    for (const k of Object.keys(o)) {
      path.push(key(k))
      const v = o[k]
      if (k === '__proto__' || (k === 'constructor' && v !== null && typeof v === 'object' && 'prototype' in v)) {
        return at(`is an own "${k}" key; ${protoKey}`)
      }
      const found = visit(v, false)
      if (found) return found
      path.pop()
    }
    return undefined
  }

  function entries(c: Map<unknown, unknown> | Set<unknown>): Loss | undefined {
    let i = 0
    for (const [k, v] of c.entries()) {
      path.push(`.keys()[${i}]`)
      const found = visit(k, false)
      if (found) return found
      path.pop()
      if (c instanceof Map) {
        path.push(
          `.get(${typeof k === 'string' ? JSON.stringify(k) : typeof k === 'number' ? String(k) : `keys()[${i}]`})`,
        )
        const inValue = visit(v, false)
        if (inValue) return inValue
        path.pop()
      }
      i++
    }
    return undefined
  }

  return visit(value, false)
}

/** Nodes the quick walk visits before it leaves the value to the full walk (shared parts, huge values). */
const QUICK_NODES = 100_000
const budget = () => ({ left: QUICK_NODES })

/**
 * True when `v` certainly comes back equal from IndexedDB (what `lossOf(v, 'clone')`
 * accepts), judged without building paths: plain objects, arrays, Maps and Sets of
 * primitives and clone leaves. False means "not sure": anything else, too deep, or
 * more than QUICK_NODES nodes (shared references are walked again here, a cycle runs
 * into the depth limit).
 */
function plainClone(v: unknown, depth: number, b: { left: number }): boolean {
  switch (typeof v) {
    case 'function':
    case 'symbol':
      return false
    case 'object':
      break
    default:
      return true
  }
  if (v === null) return true
  if (--b.left < 0 || depth > 32) return false
  if (ArrayBuffer.isView(v)) return true
  const proto = Object.getPrototypeOf(v) as object | null
  const d = depth + 1
  if (proto === Array.prototype && Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plainClone(v[i], d, b)) return false
    return true
  }
  if (proto === Object.prototype || proto === null) {
    for (const k of Object.keys(v)) {
      if (k === '__proto__' || k === 'constructor') return false
      if (!plainClone((v as Record<string, unknown>)[k], d, b)) return false
    }
    return true
  }
  if (proto === Map.prototype) {
    for (const [k, x] of v as Map<unknown, unknown>) if (!plainClone(k, d, b) || !plainClone(x, d, b)) return false
    return true
  }
  if (proto === Set.prototype) {
    for (const x of v as Set<unknown>) if (!plainClone(x, d, b)) return false
    return true
  }
  return cloneLeaves.some((C) => proto === C.prototype)
}

/** dropProtoKeys without a visited set: false when it gave up (see QUICK_NODES), nothing missed otherwise. */
function dropQuick(v: object, depth: number, b: { left: number }): boolean {
  if (--b.left < 0 || depth > 32) return false
  if (ArrayBuffer.isView(v)) return true
  const d = depth + 1
  if (v instanceof Map) {
    for (const [k, x] of v) {
      if (k !== null && typeof k === 'object' && !dropQuick(k, d, b)) return false
      if (x !== null && typeof x === 'object' && !dropQuick(x, d, b)) return false
    }
    return true
  }
  if (v instanceof Set) {
    for (const x of v) if (x !== null && typeof x === 'object' && !dropQuick(x, d, b)) return false
    return true
  }
  const o = v as Record<string, unknown>
  if (Object.hasOwn(o, '__proto__')) Reflect.deleteProperty(o, '__proto__')
  if (Object.hasOwn(o, 'constructor')) {
    const c = Object.getOwnPropertyDescriptor(o, 'constructor')?.value as unknown
    if (c !== null && typeof c === 'object' && 'prototype' in c) Reflect.deleteProperty(o, 'constructor')
  }
  // Arrays too by their keys: a clone keeps an array's own non-index properties.
  for (const k of Object.keys(o)) {
    const x = o[k]
    if (x !== null && typeof x === 'object' && !dropQuick(x, d, b)) return false
  }
  return true
}

/**
 * Drops own `__proto__` keys (and a `constructor` holding `prototype`) from a value read
 * back from IndexedDB, in place, as parseJson does for Web Storage: restored objects never
 * carry one, from any medium (S17), so a naive merge in app code pollutes nothing.
 */
export function dropProtoKeys<T>(value: T): T {
  // Most values are small trees: cleaned without a visited set; a value the quick walk
  // gives up on (deep, shared, cyclic, huge) is walked again with one. Deleting is idempotent.
  if (value === null || typeof value !== 'object' || dropQuick(value, 0, budget())) return value
  const seen = new Set<object>()
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return
    seen.add(v)
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k)
        walk(x)
      }
    } else if (v instanceof Set) {
      for (const x of v) walk(x)
    } else {
      const o = v as Record<string, unknown>
      if (Object.hasOwn(o, '__proto__')) Reflect.deleteProperty(o, '__proto__')
      const c = Object.getOwnPropertyDescriptor(o, 'constructor')?.value as unknown
      if (c !== null && typeof c === 'object' && 'prototype' in c) Reflect.deleteProperty(o, 'constructor')
      for (const k of Object.keys(o)) walk(o[k])
    }
  }
  walk(value)
  return value
}
