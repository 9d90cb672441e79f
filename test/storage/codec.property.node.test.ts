/**
 * S12 and S17 as properties: a value is refused by lossOf(value, medium) exactly when the
 * medium would not give it back equal, and what comes back never carries a key that reaches
 * a prototype. The oracles are the media themselves, not our walk:
 *
 *   json    JSON.stringify, then our parseJson (the restore of Web Storage)
 *   clone   structuredClone (IndexedDB's algorithm; Node has the same V8 serializer),
 *           then our dropProtoKeys (the restore of IndexedDB)
 *   base64  encodeBase64 → JSON text → decodeBase64, for every binary type, any offset
 *
 * "Equal" is what a user would check: same numbers (NaN, -0 and all, by Object.is), same
 * prototypes (a null-prototype object may come back with Object's), Maps and Sets by their
 * entries in order, Dates by time, binary by type and bytes, shared parts allowed. An
 * object property holding undefined counts as absent (JSON drops it; DESIGN says so). An
 * own "__proto__" key, or a "constructor" holding a prototype, is a loss whatever it holds
 * (S17: restore drops it, so lossOf asks for the key to be renamed).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64, dropProtoKeys, encodeBase64, lossOf, parseJson } from '../../src/storage/codec'

class Point {
  constructor(readonly x: number) {}
}

/** Builds an object with own data properties, so "__proto__" becomes an own key too. */
function own(entries: [string, unknown][], nullProto: boolean): Record<string, unknown> {
  const o = nullProto ? Object.create(null) : {}
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

const keys = fc.constantFrom('a', 'b', 'x y', '0', '__proto__', 'constructor', 'prototype')
const { value } = fc.letrec<{ value: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null)),
    },
    { weight: 1, arbitrary: fc.constantFrom(undefined, -0, NaN, Infinity, -Infinity) },
    { weight: 1, arbitrary: fc.bigInt({ min: -10n, max: 10n }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 1e12 }).map((t) => new Date(t)) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([1, 2]), new Float64Array([0.5]), new ArrayBuffer(3)) },
    { weight: 1, arbitrary: fc.constantFrom(() => 1, Symbol('s'), new Point(1), /re/g) },
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: tie('leaf') },
    fc.array(tie('value'), { maxLength: 4 }),
    fc.sparseArray(tie('value'), { maxLength: 4 }),
    fc
      .tuple(fc.array(fc.tuple(keys, tie('value')), { maxLength: 4 }), fc.boolean())
      .map(([entries, nullProto]) => own(entries, nullProto)),
    fc
      .array(fc.tuple(fc.oneof(fc.string({ maxLength: 2 }), fc.integer()), tie('value')), { maxLength: 3 })
      .map((e) => new Map(e)),
    fc.array(tie('leaf'), { maxLength: 3 }).map((e) => new Set(e)),
  ),
}))

const isPlainProto = (p: unknown) => p === Object.prototype || p === null
/** `a` (what was stored) and `b` (what came back) are equal as a user would check. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b)
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
    const bytes = (x: ArrayBuffer | ArrayBufferView) =>
      x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
    return bytes(a).join() === bytes(b as ArrayBufferView).join()
  }
  if (a instanceof Date) return b instanceof Date && Object.is(a.getTime(), b.getTime())
  if (a instanceof RegExp) return b instanceof RegExp && String(a) === String(b)
  if (a instanceof Map || a instanceof Set) {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
    const ea = [...(a as Map<unknown, unknown>).entries()]
    const eb = [...(b as Map<unknown, unknown>).entries()]
    return ea.length === eb.length && ea.every(([k, v], i) => same(k, eb[i]![0]) && same(v, eb[i]![1]))
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || Object.getPrototypeOf(a) !== Array.prototype) return false
    for (let i = 0; i < a.length; i++) if (i in a !== i in b || !same(a[i], b[i])) return false
    return true
  }
  if (!isPlainProto(Object.getPrototypeOf(a)) || !isPlainProto(Object.getPrototypeOf(b))) return false
  // S17's contract: restore drops these keys, so a value holding one is refused whatever the
  // key holds (undefined too): the fix is to rename the key.
  if (Object.hasOwn(a, '__proto__')) return false
  const c = Object.getOwnPropertyDescriptor(a, 'constructor')?.value as unknown
  if (c !== null && typeof c === 'object' && 'prototype' in c) return false
  const at = (o: object, k: string) => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined)
  const names = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const k of names) if (!same(at(a, k), at(b, k))) return false
  return true
}

function viaJson(v: unknown): { back: unknown } | undefined {
  let text: string | undefined
  try {
    text = JSON.stringify(v)
  } catch {
    return undefined // BigInt, a cycle: JSON cannot write it
  }
  return text === undefined ? undefined : { back: parseJson(text) }
}

function viaClone(v: unknown): { back: unknown } | undefined {
  try {
    return { back: dropProtoKeys(structuredClone(v)) }
  } catch {
    return undefined // a function or a symbol: the clone algorithm refuses it
  }
}

/** No object in `v` has an own __proto__, or a constructor holding a prototype. */
function noProtoKeys(v: unknown, seen = new Set<unknown>()): boolean {
  if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return true
  seen.add(v)
  if (v instanceof Map) return [...v].every(([k, x]) => noProtoKeys(k, seen) && noProtoKeys(x, seen))
  if (v instanceof Set) return [...v].every((x) => noProtoKeys(x, seen))
  if (Object.hasOwn(v, '__proto__')) return false
  const c = Object.getOwnPropertyDescriptor(v, 'constructor')?.value as unknown
  if (c !== null && typeof c === 'object' && 'prototype' in c) return false
  return Object.keys(v).every((k) => noProtoKeys((v as Record<string, unknown>)[k], seen))
}

describe('S12 lossOf agrees with the media themselves', () => {
  it('S12 json: refused exactly when JSON text and parseJson would not give it back equal', () => {
    fc.assert(
      fc.property(value, (v) => {
        fc.pre(v !== undefined) // a store holding undefined writes no value at all
        const r = viaJson(v)
        const lossless = r !== undefined && same(v, r.back)
        const loss = lossOf(v, 'json')
        expect(loss === undefined, `lossOf said ${JSON.stringify(loss)}`).toBe(lossless)
      }),
      { numRuns: 600 },
    )
  })

  it('S12 clone: refused exactly when structuredClone and dropProtoKeys would not give it back equal', () => {
    fc.assert(
      fc.property(value, (v) => {
        const r = viaClone(v)
        const lossless = r !== undefined && same(v, r.back)
        const loss = lossOf(v, 'clone')
        expect(loss === undefined, `lossOf said ${JSON.stringify(loss)}`).toBe(lossless)
      }),
      { numRuns: 600 },
    )
  })

  it('S12 the same value twice in one (shared, not a cycle) passes both media; a cycle fails json only', () => {
    fc.assert(
      fc.property(value, (inner) => {
        fc.pre(inner !== null && typeof inner === 'object' && lossOf(inner, 'json') === undefined)
        expect(lossOf({ a: inner, b: [inner] }, 'json')).toBeUndefined()
        expect(lossOf({ a: inner, b: [inner] }, 'clone')).toBeUndefined()
        const cyclic: Record<string, unknown> = { inner }
        cyclic.self = cyclic
        expect(lossOf(cyclic, 'json')?.path).toBe('self')
        expect(lossOf(cyclic, 'clone')).toBeUndefined()
      }),
    )
  })
})

describe('S17 what a restore gives back carries no key that reaches a prototype', () => {
  it('S17 parseJson of any JSON text, and dropProtoKeys of any clone, leave no own __proto__ or constructor.prototype', () => {
    fc.assert(
      fc.property(value, (v) => {
        const j = viaJson(v)
        if (j) expect(noProtoKeys(j.back)).toBe(true)
        const c = viaClone(v)
        if (c) expect(noProtoKeys(c.back)).toBe(true)
      }),
      { numRuns: 400 },
    )
  })

  it('S17 dropProtoKeys keeps everything else, shared parts and cycles included', () => {
    const shared = own(
      [
        ['__proto__', { polluted: true }],
        ['keep', 1],
      ],
      false,
    )
    const root: Record<string, unknown> = { a: shared, b: new Map([[shared, new Set([shared])]]), list: [shared] }
    root.self = root
    const back = dropProtoKeys(root)
    expect(back).toBe(root)
    expect(Object.hasOwn(shared, '__proto__')).toBe(false)
    expect(shared).toEqual({ keep: 1 })
    expect(back.self).toBe(root)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

const binaryTypes = [
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
] as const

describe('S12 base64: every binary type round-trips, bytes and type, at any offset', () => {
  it('S12 random bytes as each type, over a slice of a larger buffer, through JSON text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...binaryTypes, ArrayBuffer),
        fc.uint8Array({ maxLength: 80 }),
        fc.nat({ max: 3 }),
        (Type, bytes, skip) => {
          let v: ArrayBuffer | ArrayBufferView
          if (Type === ArrayBuffer) v = bytes.slice().buffer
          else {
            const Typed = Type as (typeof binaryTypes)[number]
            const size = Typed.BYTES_PER_ELEMENT
            const n = Math.floor(bytes.length / size)
            const buffer = new ArrayBuffer((n + skip) * size)
            new Uint8Array(buffer, skip * size).set(bytes.subarray(0, n * size))
            v = new Typed(buffer, skip * size, n)
          }
          const payload = encodeBase64(v, 'store "bin"')
          const back = decodeBase64(JSON.parse(JSON.stringify(payload)), 'store "bin"')
          expect(same(v, back)).toBe(true)
          if (ArrayBuffer.isView(back)) expect(back.byteOffset).toBe(0)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('S12 null and undefined pass as they are; anything else is refused, naming the store', () => {
    expect(encodeBase64(null, 'store "bin"')).toBeNull()
    expect(encodeBase64(undefined, 'store "bin"')).toBeUndefined()
    expect(decodeBase64(null, 'store "bin"')).toBeNull()
    expect(decodeBase64(undefined, 'store "bin"')).toBeUndefined()
    for (const bad of [[1, 2], 'text', 3, { t: 'Uint8Array', b: '' }, new DataView(new ArrayBuffer(2))]) {
      expect(() => encodeBase64(bad, 'store "bin"')).toThrow(
        new TypeError('store "bin" uses the base64 codec but its value is not an ArrayBuffer or typed array.'),
      )
    }
  })

  it('S12 a malformed payload is refused, naming the store and what is wrong', () => {
    const dec = (p: unknown) => () => decodeBase64(p, 'store "bin"')
    for (const p of [
      0,
      'AAAA',
      {},
      { t: 'Uint8Array' },
      { b: 'AAAA' },
      { t: 1, b: 'AAAA' },
      { t: 'Uint8Array', b: 1 },
    ]) {
      expect(dec(p)).toThrow(new TypeError('store "bin" holds a base64 entry of the wrong shape.'))
    }
    expect(dec({ t: 'Uint8Array', b: '%%%' })).toThrow(
      new TypeError('store "bin" holds base64 text that does not decode.'),
    )
    expect(dec({ t: 'Float16Array2', b: 'AAAA' })).toThrow(
      new TypeError('store "bin" names an unknown binary type "Float16Array2".'),
    )
    // 'AAAAAA==' is 4 bytes: not a whole number of 8-byte elements.
    expect(dec({ t: 'Float64Array', b: 'AAAAAA==' })).toThrow(
      new TypeError('store "bin" holds 4 bytes, not a whole number of Float64Array elements.'),
    )
    expect(dec({ t: 'ArrayBuffer', b: 'AAAAAA==' })()).toBeInstanceOf(ArrayBuffer)
  })
})
