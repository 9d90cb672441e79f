/**
 * How values cross between the test (Node) and the page: JSON text with tagged objects for
 * what JSON would lose. Both sides run this same function: Node imports it, the page gets
 * its source inside the evaluated expression, so it must stay self-contained (no import,
 * no reference to anything outside its body).
 *
 * Tags, as `{ "$sb": tag, ... }`:
 *   u            undefined (also an array hole)
 *   n  v         NaN, Infinity, -Infinity, -0 (as text)
 *   big v        a bigint (as text)
 *   date v       a Date (its time; an invalid Date as the n tag)
 *   map v        a Map, as [key, value] pairs in insertion order
 *   set v        a Set, as its values
 *   buf v        an ArrayBuffer, base64
 *   view t v     a typed array or DataView (t: its constructor), base64 of its bytes
 *   err name message code?   an Error (decoded as an Error with that name and code)
 *   re source flags          a RegExp
 *   fn v         a function or symbol: decoded as the text `[function name]`, `[symbol x]`
 *   obj v        a plain object that itself has a "$sb" key, as [key, value] pairs
 * Any other object crosses as its own enumerable properties (a class instance arrives as
 * a plain object). A cycle is refused with the path where it closes.
 */
export interface Wire {
  encode(value: unknown): string
  decode(text: string): unknown
}

export function wire(): Wire {
  const TAG = '$sb'
  const toBase64 = (bytes: Uint8Array): string => {
    let s = ''
    // Chunks: String.fromCharCode with a whole megabyte of arguments overflows the stack.
    for (let i = 0; i < bytes.length; i += 0x8000)
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[])
    return btoa(s)
  }
  const fromBase64 = (text: string): Uint8Array => {
    const s = atob(text)
    const bytes = new Uint8Array(s.length)
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)
    return bytes
  }
  // An own key "__proto__" (JSON.parse makes one) must stay an own key: `out[k] = x` would
  // set the object's prototype instead and lose the key.
  const put = (out: Record<string, unknown>, k: string, x: unknown): void => {
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true })
    else out[k] = x
  }
  const num = (n: number): unknown =>
    Number.isNaN(n)
      ? { [TAG]: 'n', v: 'NaN' }
      : n === Infinity || n === -Infinity || Object.is(n, -0)
        ? { [TAG]: 'n', v: Object.is(n, -0) ? '-0' : String(n) }
        : n

  const enc = (v: unknown, path: string, open: Set<object>): unknown => {
    if (v === undefined) return { [TAG]: 'u' }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
    if (typeof v === 'number') return num(v)
    if (typeof v === 'bigint') return { [TAG]: 'big', v: String(v) }
    if (typeof v === 'function') return { [TAG]: 'fn', v: `[function ${v.name || 'anonymous'}]` }
    if (typeof v === 'symbol') return { [TAG]: 'fn', v: `[symbol ${v.description ?? ''}]` }
    const o = v as object
    if (open.has(o))
      throw new TypeError(`the value has a cycle at ${path || 'its root'}; it cannot cross to or from the page.`)
    open.add(o)
    try {
      if (o instanceof Date) return { [TAG]: 'date', v: num(o.getTime()) }
      if (o instanceof RegExp) return { [TAG]: 're', source: o.source, flags: o.flags }
      if (o instanceof ArrayBuffer) return { [TAG]: 'buf', v: toBase64(new Uint8Array(o)) }
      if (ArrayBuffer.isView(o)) {
        return {
          [TAG]: 'view',
          t: Object.prototype.toString.call(o).slice(8, -1),
          v: toBase64(new Uint8Array(o.buffer, o.byteOffset, o.byteLength)),
        }
      }
      if (o instanceof Map)
        return {
          [TAG]: 'map',
          v: [...o].map(([k, x], i) => [enc(k, `${path}<key ${i}>`, open), enc(x, `${path}<value ${i}>`, open)]),
        }
      if (o instanceof Set) return { [TAG]: 'set', v: [...o].map((x, i) => enc(x, `${path}<${i}>`, open)) }
      if (o instanceof Error) {
        const code = (o as { code?: unknown }).code
        return { [TAG]: 'err', name: o.name, message: o.message, ...(typeof code === 'string' ? { code } : {}) }
      }
      if (Array.isArray(o)) {
        const out: unknown[] = []
        for (let i = 0; i < o.length; i++) out.push(enc(o[i], `${path}[${i}]`, open))
        return out
      }
      const keys = Object.keys(o)
      const entries = keys.map(
        (k) => [k, enc((o as Record<string, unknown>)[k], path ? `${path}.${k}` : k, open)] as const,
      )
      if (keys.includes(TAG)) return { [TAG]: 'obj', v: entries }
      const out: Record<string, unknown> = {}
      for (const [k, x] of entries) put(out, k, x)
      return out
    } finally {
      open.delete(o)
    }
  }

  const dec = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) return v.map(dec)
    const o = v as Record<string, unknown>
    const tag = o[TAG]
    if (typeof tag !== 'string') {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(o)) put(out, k, dec(o[k]))
      return out
    }
    switch (tag) {
      case 'u':
        return undefined
      case 'n':
        return o.v === '-0' ? -0 : Number(o.v)
      case 'big':
        return BigInt(o.v as string)
      case 'date':
        return new Date(dec(o.v) as number)
      case 're':
        return new RegExp(o.source as string, o.flags as string)
      case 'buf':
        return fromBase64(o.v as string).buffer
      case 'view': {
        const bytes = fromBase64(o.v as string)
        const Ctor = (globalThis as Record<string, unknown>)[o.t as string] as
          | ((new (
              buffer: ArrayBufferLike,
              offset: number,
              length: number,
            ) => unknown) & { BYTES_PER_ELEMENT?: number })
          | undefined
        if (typeof Ctor !== 'function') throw new TypeError(`a ${String(o.t)} cannot be made on this side.`)
        const per = Ctor.BYTES_PER_ELEMENT ?? 1
        return new Ctor(bytes.buffer, 0, bytes.byteLength / per)
      }
      case 'map':
        return new Map((o.v as Array<[unknown, unknown]>).map(([k, x]) => [dec(k), dec(x)]))
      case 'set':
        return new Set((o.v as unknown[]).map(dec))
      case 'err': {
        const e = new Error(o.message as string)
        e.name = o.name as string
        if (typeof o.code === 'string') (e as Error & { code?: string }).code = o.code
        return e
      }
      case 'fn':
        return o.v
      case 'obj': {
        const out: Record<string, unknown> = {}
        for (const [k, x] of o.v as Array<[string, unknown]>) put(out, k, dec(x))
        return out
      }
      default:
        throw new TypeError(`unknown wire tag "${tag}".`)
    }
  }

  return {
    encode: (value) => JSON.stringify(enc(value, '', new Set())),
    decode: (text) => dec(JSON.parse(text)),
  }
}
