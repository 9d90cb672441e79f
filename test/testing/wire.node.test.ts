import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { wire } from '../../src/testing/wire'

// The wire of switchboard/testing: JSON text both ways between Node and the page, with
// tags for what JSON loses. Node and page run the same function; here it meets itself.
const { encode, decode } = wire()
const cross = (v: unknown) => decode(encode(v))

describe('wire', () => {
  it('typed arrays keep their type, length and bytes, views into a larger buffer included', () => {
    const big = new Float64Array([1, 2, 3, 4, 5])
    const view = new Float64Array(big.buffer, 8, 3) // 2, 3, 4
    const back = cross({
      f32: new Float32Array([1.5, -0, NaN]),
      u8: new Uint8Array([0, 255]),
      view,
      i64: new BigInt64Array([-1n]),
    }) as Record<string, unknown>
    expect(back.f32).toBeInstanceOf(Float32Array)
    expect([...(back.f32 as Float32Array)]).toEqual([1.5, -0, NaN])
    expect(Object.is((back.f32 as Float32Array)[1], -0)).toBe(true)
    expect(back.u8).toStrictEqual(new Uint8Array([0, 255]))
    expect(back.view).toStrictEqual(new Float64Array([2, 3, 4]))
    expect((back.view as Float64Array).buffer.byteLength).toBe(24)
    expect(back.i64).toStrictEqual(new BigInt64Array([-1n]))
  })

  it('a Node Buffer crosses as the Uint8Array it is (the page has no Buffer)', () => {
    const back = cross(Buffer.from([1, 2, 3]))
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype)
    expect([...(back as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('ArrayBuffer, DataView, Map, Set, Date, RegExp, bigint, undefined, NaN, ±Infinity, -0', () => {
    const buf = new Uint8Array([9, 8, 7]).buffer
    const value = {
      buf,
      dv: new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2),
      map: new Map<unknown, unknown>([
        [1, 'a'],
        [{ k: 1 }, new Set([undefined, NaN])],
      ]),
      date: new Date(1_700_000_000_000),
      bad: new Date(NaN),
      re: /a.b/gi,
      big: 2n ** 70n,
      nothing: undefined,
      nums: [NaN, Infinity, -Infinity, -0, 0, 1.25],
    }
    const back = cross(value) as typeof value
    expect(back).toStrictEqual(value)
    expect(back.dv).toBeInstanceOf(DataView)
    expect([back.dv.getUint8(0), back.dv.getUint8(1), back.dv.byteLength]).toEqual([2, 3, 2])
    expect(Object.is(back.nums[3], -0)).toBe(true)
    expect(Object.is(back.nums[4], 0)).toBe(true)
    expect('nothing' in back).toBe(true)
  })

  it('an object that itself has a "$sb" key is not taken for a tag', () => {
    const value = { $sb: 'u', v: 1, nested: [{ $sb: 'date', v: 3 }] }
    expect(cross(value)).toStrictEqual(value)
  })

  it('an Error keeps name, message and code; functions and symbols arrive as text', () => {
    const e = Object.assign(new TypeError('nope'), { code: 'E_NOPE' })
    const back = cross({ e, f: function named() {}, s: Symbol('here') }) as {
      e: Error & { code: string }
      f: unknown
      s: unknown
    }
    expect(back.e).toBeInstanceOf(Error)
    expect([back.e.name, back.e.message, back.e.code]).toEqual(['TypeError', 'nope', 'E_NOPE'])
    expect(back.f).toBe('[function named]')
    expect(back.s).toBe('[symbol here]')
  })

  it('a cycle is refused with the path where it closes; a shared object is not a cycle', () => {
    const shared = { x: 1 }
    expect(cross([shared, shared])).toStrictEqual([{ x: 1 }, { x: 1 }])
    const loop: { a: { b: unknown[] } } = { a: { b: [] } }
    loop.a.b.push(loop)
    expect(() => encode(loop)).toThrow('the value has a cycle at a.b[0]; it cannot cross to or from the page.')
  })

  it('a million-byte typed array crosses whole (base64 in chunks, no stack overflow)', () => {
    const big = new Uint8Array(1_000_003).map((_, i) => i * 7)
    const back = cross(big) as Uint8Array
    expect(back).toBeInstanceOf(Uint8Array)
    // Byte by byte, without the matcher's element-wise walk (slow on a million elements).
    expect(Buffer.compare(Buffer.from(back), Buffer.from(big))).toBe(0)
  })

  it('an own "__proto__" key crosses as an own key, and never sets the prototype', () => {
    // The property test found this (seed -1820012856): {"__proto__": new Set()} came back {}.
    const v = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>
    const back = cross(v) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(back).toStrictEqual(v)
    const tagged = JSON.parse('{"__proto__": [1], "$sb": "x"}') as Record<string, unknown>
    expect(cross(tagged)).toStrictEqual(tagged)
    const inSet = { s: Object.defineProperty({}, '__proto__', { value: new Set([1]), enumerable: true }) }
    expect(Object.hasOwn((cross(inSet) as { s: object }).s, '__proto__')).toBe(true)
  })

  fcTest.prop([
    fc.anything({
      maxDepth: 3,
      maxKeys: 4,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withBigInt: true,
      withUnicodeString: true,
    }),
  ])('any structured value round-trips equal (property)', (v) => {
    expect(cross(v)).toStrictEqual(v)
  })
})
