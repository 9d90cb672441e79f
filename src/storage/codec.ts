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
  | 'Int8Array' | 'Uint8Array' | 'Uint8ClampedArray' | 'Int16Array' | 'Uint16Array'
  | 'Int32Array' | 'Uint32Array' | 'Float32Array' | 'Float64Array' | 'BigInt64Array' | 'BigUint64Array'

const typedArrays: Record<TypedArrayName, { new (b: ArrayBuffer): ArrayBufferView; BYTES_PER_ELEMENT: number }> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
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

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (Uint8Array.prototype as NativeBase64).toBase64
  if (native) return native.call(bytes)
  // btoa wants a binary string; build it in chunks so large arrays do not blow the stack.
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[])
  }
  return btoa(s)
}

export function base64ToBytes(text: string): Uint8Array {
  const native = (Uint8Array as NativeFromBase64).fromBase64
  if (native) return native(text)
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Encodes binary for the base64 codec; throws a TypeError for anything else. */
export function encodeBase64(value: unknown, what: string): Base64Payload | null {
  // "No data yet" is common for a binary store (initial: null): kept as JSON null.
  if (value == null) return null
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
