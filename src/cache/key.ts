/**
 * Cache keys: SHA-256 over a canonical binary encoding of what a result depends on.
 *
 * Why not `JSON.stringify`: it loses exactly the differences that make two inputs
 * different results (F31): `{a: undefined}` and `{}` both print `{}`, `NaN` prints `null`,
 * `-0` prints `0`, a Date prints as its ISO string, a Map prints `{}`, and key order
 * changes the text of equal objects. The encoding below is a tag byte per value:
 *
 *   value        bytes
 *   undefined    U               number   N + float64 (so -0 ≠ 0; NaN has its own tag)
 *   null         Z               bigint   B + decimal text
 *   false/true   F / T           string   S + u32 length + UTF-8
 *   array        A + u32 n + n values (a hole is H, not undefined)
 *   object       O + u32 n + n (key, value), keys sorted; own enumerable string keys,
 *                `__proto__` included as the plain key it is after JSON.parse
 *   Date         D + float64 time      Map / Set  M / E + entries sorted by their bytes
 *   typed array  Y + type name + bytes ArrayBuffer X + bytes    RegExp  R + source + flags
 *
 * Map and Set entries are sorted by their own encodings, so insertion order does not
 * change the key (their meaning is lookup, not sequence). Anything else — functions,
 * symbols, DOM nodes, class instances, cycles — has no stable encoding and is refused
 * with an error naming the callback and the path to the value.
 */
import { CacheKeyError } from '../errors'

enum Tag {
  Undefined = 0x55, // U
  Null = 0x5a, // Z
  False = 0x46, // F
  True = 0x54, // T
  Number = 0x4e, // N
  NaN = 0x51, // Q
  BigInt = 0x42, // B
  String = 0x53, // S
  Array = 0x41, // A
  Hole = 0x48, // H
  Object = 0x4f, // O
  Date = 0x44, // D
  Map = 0x4d, // M
  Set = 0x45, // E
  Typed = 0x59, // Y
  Buffer = 0x58, // X
  RegExp = 0x52, // R
}

/** A growable byte buffer: encodings of big typed arrays are copied once, not joined. */
class Writer {
  buf = new Uint8Array(256)
  view = new DataView(this.buf.buffer)
  len = 0
  /** Made on first use: loading switchboard must not need TextEncoder. */
  private static text: TextEncoder | undefined

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  byte(b: number): void {
    this.room(1)
    this.buf[this.len++] = b
  }
  u32(n: number): void {
    this.room(4)
    this.view.setUint32(this.len, n)
    this.len += 4
  }
  f64(x: number): void {
    this.room(8)
    this.view.setFloat64(this.len, x)
    this.len += 8
  }
  str(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; write the length after encoding.
    const n = s.length
    this.room(4 + n * 3)
    const at = this.len
    const buf = this.buf
    let j = at + 4
    // Short ASCII strings (object keys, labels) are most strings: copy them by hand, which
    // is several times cheaper than a TextEncoder call each.
    if (n < 64) {
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c > 0x7f) break
        buf[j++] = c
      }
      if (i === n) {
        this.view.setUint32(at, n)
        this.len = j
        return
      }
      j = at + 4
    }
    const { written } = (Writer.text ??= new TextEncoder()).encodeInto(s, buf.subarray(j))
    this.view.setUint32(at, written)
    this.len = j + written
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length)
    this.room(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len)
  }
}

function describeValue(x: unknown): string {
  if (typeof x === 'function') return 'a function'
  if (typeof x === 'symbol') return 'a symbol'
  if (typeof Node !== 'undefined' && x instanceof Node) return 'a DOM node'
  const ctor = (x as { constructor?: { name?: string } }).constructor?.name
  return ctor ? `an instance of ${ctor}` : 'an object with a foreign prototype'
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/**
 * The canonical bytes of `value`. `what` names the owner for errors, e.g.
 * `callback "stats" argument 2`.
 */
export function encodeCanonical(value: unknown, what: string): Uint8Array {
  const e = new Encoder(what)
  e.enc(value)
  return e.w.result()
}

/**
 * One encoding pass. A class rather than closures: the hot `enc` stays monomorphic, and
 * the path to the current value is a stack of segments (a number is an array index, a
 * string an object key, an object a Map/Set entry) joined only for an error message.
 */
class Encoder {
  w = new Writer()
  private ancestors = new Set<object>()
  private path: Array<string | number | { entry: string }> = []

  constructor(private what: string) {}

  private fail(reason: string): never {
    const at = this.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : typeof p === 'string' ? `.${p}` : p.entry))
      .join('')
    throw new CacheKeyError(`${this.what}${at ? ` at ${at}` : ''} is ${reason}, which has no stable cache key.`)
  }

  /** Encodes one value on its own (for sorting Map and Set entries). */
  private alone(x: unknown): Uint8Array {
    const saved = this.w
    this.w = new Writer()
    this.enc(x)
    const out = this.w.result().slice()
    this.w = saved
    return out
  }

  enc(x: unknown): void {
    const w = this.w
    switch (typeof x) {
      case 'undefined':
        return w.byte(Tag.Undefined)
      case 'boolean':
        return w.byte(x ? Tag.True : Tag.False)
      case 'number':
        if (x !== x) return w.byte(Tag.NaN)
        w.byte(Tag.Number)
        return w.f64(x)
      case 'bigint':
        w.byte(Tag.BigInt)
        return w.str(x.toString())
      case 'string':
        w.byte(Tag.String)
        return w.str(x)
      case 'function':
      case 'symbol':
        return this.fail(describeValue(x))
    }
    if (x === null) return w.byte(Tag.Null)
    const o = x as object
    if (ArrayBuffer.isView(o)) {
      w.byte(Tag.Typed)
      w.str(o.constructor.name)
      return w.bytes(new Uint8Array(o.buffer, o.byteOffset, o.byteLength))
    }
    if (o instanceof ArrayBuffer) {
      w.byte(Tag.Buffer)
      return w.bytes(new Uint8Array(o))
    }
    if (o instanceof Date) {
      const t = o.getTime()
      w.byte(Tag.Date)
      return w.f64(t === t ? t : NaN)
    }
    if (o instanceof RegExp) {
      w.byte(Tag.RegExp)
      w.str(o.source)
      return w.str(o.flags)
    }
    const ancestors = this.ancestors
    if (ancestors.has(o)) return this.fail('a cycle (an object that contains itself)')
    ancestors.add(o)
    const path = this.path
    if (Array.isArray(o)) {
      w.byte(Tag.Array)
      w.u32(o.length)
      for (let i = 0; i < o.length; i++) {
        if (!(i in o)) {
          w.byte(Tag.Hole)
          continue
        }
        path.push(i)
        this.enc(o[i])
        path.pop()
      }
    } else if (o instanceof Map || o instanceof Set) {
      const isMap = o instanceof Map
      const entries: Uint8Array[] = []
      let i = 0
      for (const e of o as Iterable<unknown>) {
        path.push({ entry: `${isMap ? '.get' : '.has'}(#${i++})` })
        entries.push(this.alone(e))
        path.pop()
      }
      entries.sort(compareBytes)
      const out = this.w
      out.byte(isMap ? Tag.Map : Tag.Set)
      out.u32(entries.length)
      for (const e of entries) out.bytes(e)
    } else {
      const proto = Object.getPrototypeOf(o)
      if (proto !== Object.prototype && proto !== null) return this.fail(describeValue(o))
      const keys = Object.keys(o).sort()
      w.byte(Tag.Object)
      w.u32(keys.length)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        w.str(k)
        path.push(k)
        this.enc((o as Record<string, unknown>)[k])
        path.pop()
      }
    }
    ancestors.delete(o)
  }
}

/** What a cache key is made of (DESIGN.md, "Cache key"). */
export interface KeyParts {
  board: string
  boardVersion: string | number
  /** The callback id, or the `cache.id` several callbacks share. */
  cacheId: string
  cacheVersion: string | number | undefined
  scope: 'global' | 'session'
  /** Only for scope 'session'. */
  session: string | undefined
  /** Input values, then state values, in declaration order. */
  args: readonly unknown[]
  /** Names the owner in errors: `callback "stats"`. */
  what: string
}

/** The canonical bytes of a whole key; exported for tests and the hashing benchmark. */
export function encodeKey(p: KeyParts): Uint8Array {
  const head = encodeCanonical(
    ['switchboard-cache/1', p.board, p.boardVersion, p.cacheId, p.cacheVersion, p.scope, p.session ?? null],
    p.what,
  )
  const parts: Uint8Array[] = [head]
  p.args.forEach((a, i) => parts.push(encodeCanonical(a, `${p.what} argument ${i + 1}`)))
  let n = 0
  for (const x of parts) n += 4 + x.length
  const out = new Uint8Array(n)
  const view = new DataView(out.buffer)
  let at = 0
  for (const x of parts) {
    view.setUint32(at, x.length)
    out.set(x, at + 4)
    at += 4 + x.length
  }
  return out
}

/** Is SHA-256 available here? (crypto.subtle exists only in secure contexts.) */
export function canHash(): boolean {
  return typeof crypto !== 'undefined' && !!crypto.subtle
}

/** SHA-256 of the canonical encoding, as 64 lowercase hex digits. */
export async function hashKey(p: KeyParts): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encodeKey(p) as Uint8Array<ArrayBuffer>))
  let hex = ''
  for (const b of digest) hex += (b < 16 ? '0' : '') + b.toString(16)
  return hex
}
