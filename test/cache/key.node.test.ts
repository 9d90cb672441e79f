/**
 * Canonical cache keys (pure logic, Node): equal inputs hash the same whatever their key
 * order; lossy look-alikes (F31) hash differently; values with no stable encoding are
 * refused with an error naming the callback and the path.
 */
import { describe, expect, it } from 'vitest'
import { encodeCanonical, encodeKey, hashKey, type KeyParts } from '../../src/cache/key'
import { CacheKeyError } from '../../src/errors'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const enc = (x: unknown) => hex(encodeCanonical(x, 'callback "t" argument 1'))
const same = (a: unknown, b: unknown) => expect(enc(a)).toBe(enc(b))
const differ = (a: unknown, b: unknown) => expect(enc(a)).not.toBe(enc(b))

const parts = (over: Partial<KeyParts> = {}): KeyParts => ({
  board: 'b',
  boardVersion: 1,
  cacheId: 'cb',
  cacheVersion: undefined,
  scope: 'global',
  session: undefined,
  args: [1],
  what: 'callback "cb"',
  ...over,
})

describe('F31 hash cases: equal inputs hash the same', () => {
  it('{a:1,b:2} and {b:2,a:1} hash the same; nested objects too', () => {
    same({ a: 1, b: 2 }, { b: 2, a: 1 })
    same({ x: { p: [1, { q: 2, r: 3 }] } }, { x: { p: [1, { r: 3, q: 2 }] } })
  })

  it('Map and Set insertion order does not matter', () => {
    same(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      new Map([
        ['b', 2],
        ['a', 1],
      ]),
    )
    same(new Set([3, 1, 2]), new Set([2, 3, 1]))
    differ(new Map([['a', 1]]), new Map([['a', 2]]))
  })

  it('null-prototype objects encode like plain ones', () => {
    const o = Object.create(null) as Record<string, number>
    o.a = 1
    same(o, { a: 1 })
  })
})

describe('F31 hash cases: lossy look-alikes hash differently', () => {
  it('{a: undefined} vs {}', () => differ({ a: undefined }, {}))
  it('NaN vs null', () => differ(NaN, null))
  it('-0 vs 0', () => differ(-0, 0))
  it('NaN equals NaN whatever its bit pattern', () => same(NaN, 0 / 0))
  it('a Date vs its ISO string', () => {
    const d = new Date(Date.UTC(2024, 0, 2))
    differ(d, d.toISOString())
    same(d, new Date(d.getTime()))
  })
  it('a Map vs {}, a Map vs an object with the same entries', () => {
    differ(new Map(), {})
    differ(new Map([['a', 1]]), { a: 1 })
  })
  it('a Set vs an array with the same items', () => differ(new Set([1, 2]), [1, 2]))
  it('typed arrays of different types with the same bytes', () => {
    const bytes = new Uint8Array([1, 0, 0, 0])
    differ(bytes, new Int8Array(bytes.buffer))
    differ(new Uint32Array(bytes.buffer), new Float32Array(bytes.buffer))
    differ(bytes, bytes.buffer)
    same(new Float64Array([1, 2]), new Float64Array([1, 2]))
    // A view is its own bytes, not its whole buffer.
    same(new Uint8Array([9, 1, 2, 9]).subarray(1, 3), new Uint8Array([1, 2]))
  })
  it('1 vs "1" vs 1n vs true', () => {
    const all = [1, '1', 1n, true].map(enc)
    expect(new Set(all).size).toBe(4)
  })
  it('a hole vs undefined in an array', () => {
    // eslint-disable-next-line no-sparse-arrays
    differ([, 1], [undefined, 1])
  })
  it('strings cannot collide across boundaries: ["ab","c"] vs ["a","bc"]', () => differ(['ab', 'c'], ['a', 'bc']))
  it('__proto__ as a JSON key is a plain key: hashed, differs from {}, pollutes nothing', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as object
    differ(hostile, { a: 1 })
    same(hostile, JSON.parse('{"a": 1, "__proto__": {"polluted": 1}}'))
    expect(({} as { polluted?: number }).polluted).toBeUndefined()
    const ctor = JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}') as object
    differ(ctor, {})
    expect(({} as { polluted?: number }).polluted).toBeUndefined()
  })
})

describe('unsupported values are refused with a clear error', () => {
  const refuse = (x: unknown, path: RegExp) => {
    let err: unknown
    try {
      encodeCanonical(x, 'callback "stats" argument 2')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CacheKeyError)
    expect((err as CacheKeyError).code).toBe('unhashable')
    expect((err as Error).message).toContain('callback "stats" argument 2')
    expect((err as Error).message).toMatch(path)
  }
  it('a function, named by its path', () => refuse({ filter: { fn: () => 1 } }, /at \.filter\.fn is a function/))
  it('a symbol', () => refuse([Symbol('s')], /at \[0\] is a symbol/))
  it('a class instance with methods', () => {
    class Point {
      constructor(readonly x: number) {}
      norm() {
        return this.x
      }
    }
    refuse({ p: new Point(1) }, /instance of Point/)
  })
  it('a cycle', () => {
    const o: Record<string, unknown> = { a: 1 }
    o.self = o
    refuse(o, /cycle/)
  })
  it('a shared (not cyclic) reference is fine', () => {
    const shared = { v: 1 }
    expect(() => enc({ a: shared, b: shared })).not.toThrow()
  })
})

describe('the whole key', () => {
  it('is 64 hex digits of SHA-256, stable across calls', async () => {
    const k = await hashKey(parts({ args: [{ b: 2, a: 1 }] }))
    expect(k).toMatch(/^[0-9a-f]{64}$/)
    expect(await hashKey(parts({ args: [{ a: 1, b: 2 }] }))).toBe(k)
  })

  it('changes with board, board version, cache id, cache version, scope and session', async () => {
    const keys = await Promise.all([
      hashKey(parts()),
      hashKey(parts({ board: 'other' })),
      hashKey(parts({ boardVersion: 2 })),
      hashKey(parts({ cacheId: 'cb2' })),
      hashKey(parts({ cacheVersion: 1 })),
      hashKey(parts({ scope: 'session', session: 's1' })),
      hashKey(parts({ scope: 'session', session: 's2' })),
      hashKey(parts({ args: [1, undefined] })),
    ])
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('argument boundaries count: (["a"], "b") differs from (["a", "b"])', () => {
    expect(hex(encodeKey(parts({ args: [['a'], 'b'] })))).not.toBe(hex(encodeKey(parts({ args: [['a', 'b']] }))))
  })
})
