/**
 * The canonical key encoding byte for byte, as src/cache/key.ts documents it (tag byte,
 * big-endian u32 lengths, float64, UTF-8), built here independently with Node's Buffer;
 * and the hash checked against Node's own SHA-256. Pure logic (Node).
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canHash, encodeCanonical, encodeKey, hashKey, type KeyParts } from '../../src/cache/key'
import { CacheKeyError } from '../../src/errors'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const enc = (x: unknown) => hex(encodeCanonical(x, 'callback "t" argument 1'))

// ---- an independent writer of the documented format ----
const tag = (c: string) => Buffer.from(c, 'latin1')
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const f64 = (x: number) => {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(x)
  return b
}
const str = (s: string) => {
  const utf8 = Buffer.from(s, 'utf8')
  return Buffer.concat([u32(utf8.length), utf8])
}
const bytes = (b: Uint8Array) => Buffer.concat([u32(b.length), Buffer.from(b)])
const cat = (...parts: Buffer[]) => Buffer.concat(parts).toString('hex')
const S = (s: string) => Buffer.concat([tag('S'), str(s)])
const N = (x: number) => Buffer.concat([tag('N'), f64(x)])

describe('scalars', () => {
  it('undefined, null, false, true, NaN are one tag byte each', () => {
    expect([undefined, null, false, true, NaN].map(enc)).toEqual(['55', '5a', '46', '54', '51'])
  })

  it('numbers are N + big-endian float64 (so -0 differs from 0)', () => {
    for (const x of [0, -0, 1, -1.5, 2 ** 53 + 2, Number.MAX_VALUE, Infinity, -Infinity, 5e-324])
      expect(enc(x)).toBe(cat(N(x)))
  })

  it('bigints are B + their decimal text', () => {
    expect(enc(123n)).toBe(cat(tag('B'), str('123')))
    expect(enc(-(2n ** 70n))).toBe(cat(tag('B'), str((-(2n ** 70n)).toString())))
  })

  it('strings are S + UTF-8 byte length + UTF-8: ASCII, accents, emoji, short and long', () => {
    const cases = [
      '',
      'a',
      'plain ascii',
      'é',
      'aé',
      'x'.repeat(63) + 'é',
      'y'.repeat(64),
      'z'.repeat(300),
      '日本語'.repeat(40),
      'a😀b',
      'é'.repeat(70),
    ]
    for (const s of cases) expect(enc(s)).toBe(cat(S(s)))
  })

  it('a long string grows the buffer more than once and keeps every byte', () => {
    const s = 'abcdefghij'.repeat(1000) + 'Ω'
    expect(enc(s)).toBe(cat(S(s)))
    expect(enc([s, s])).toBe(cat(tag('A'), u32(2), S(s), S(s)))
  })
})

describe('containers', () => {
  it('arrays: A + count + items; a hole is H', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(enc([1, , 'a'])).toBe(cat(tag('A'), u32(3), N(1), tag('H'), S('a')))
    expect(enc([])).toBe(cat(tag('A'), u32(0)))
  })

  it('objects: O + count + (key, value) with keys sorted', () => {
    expect(enc({ b: 2, a: [true] })).toBe(cat(tag('O'), u32(2), str('a'), tag('A'), u32(1), tag('T'), str('b'), N(2)))
    expect(enc(Object.assign(Object.create(null), { k: null }))).toBe(cat(tag('O'), u32(1), str('k'), tag('Z')))
  })

  it('Map and Set: M / E + count + each entry (u32 length + its own encoding), entries sorted by bytes', () => {
    const e1 = Buffer.concat([tag('A'), u32(2), S('b'), N(1)])
    const e2 = Buffer.concat([tag('A'), u32(2), S('a'), N(2)])
    const [lo, hi] = Buffer.compare(e1, e2) < 0 ? [e1, e2] : [e2, e1]
    const want = cat(tag('M'), u32(2), bytes(lo!), bytes(hi!))
    expect(
      enc(
        new Map<string, number>([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toBe(want)
    expect(
      enc(
        new Map<string, number>([
          ['a', 2],
          ['b', 1],
        ]),
      ),
    ).toBe(want)
    expect(enc(new Set([3, 1]))).toBe(cat(tag('E'), u32(2), bytes(N(1)), bytes(N(3))))
  })

  it('Set entries sort by their bytes (length first, as the u32 length leads), not by insertion', () => {
    const a = new Set(['a', 'ab', 'b', ''])
    const b = new Set(['b', '', 'ab', 'a'])
    expect(enc(a)).toBe(enc(b))
    const sorted = ['', 'a', 'b', 'ab'].map((s) => bytes(S(s)))
    expect(enc(a)).toBe(cat(tag('E'), u32(4), ...sorted))
  })

  it('Dates are D + float64 time; an invalid Date is D + NaN', () => {
    expect(enc(new Date(86_400_000))).toBe(cat(tag('D'), f64(86_400_000)))
    expect(enc(new Date(Number.NaN))).toBe(cat(tag('D'), f64(Number.NaN)))
  })

  it('typed arrays are Y + type name + their own bytes; ArrayBuffers X + bytes', () => {
    const buf = new Uint8Array([9, 1, 2, 3, 9]).buffer
    expect(enc(new Uint8Array(buf, 1, 3))).toBe(cat(tag('Y'), str('Uint8Array'), bytes(new Uint8Array([1, 2, 3]))))
    expect(enc(new Uint16Array(new Uint8Array([1, 2, 3, 4, 5, 6]).buffer, 2, 2))).toBe(
      cat(tag('Y'), str('Uint16Array'), bytes(new Uint8Array([3, 4, 5, 6]))),
    )
    expect(enc(new DataView(buf, 3))).toBe(cat(tag('Y'), str('DataView'), bytes(new Uint8Array([3, 9]))))
    expect(enc(buf)).toBe(cat(tag('X'), bytes(new Uint8Array([9, 1, 2, 3, 9]))))
    const big = new Uint8Array(1000).map((_, i) => i % 251)
    expect(enc(big)).toBe(cat(tag('Y'), str('Uint8Array'), bytes(big)))
  })

  it('RegExps are R + source + flags', () => {
    expect(enc(/a+b/gi)).toBe(cat(tag('R'), str('a+b'), str('gi')))
    expect(enc(/a+b/g)).not.toBe(enc(/a+b/gi))
  })
})

describe('refusals name the path', () => {
  const message = (x: unknown) => {
    try {
      encodeCanonical(x, 'callback "t" argument 1')
    } catch (e) {
      expect(e).toBeInstanceOf(CacheKeyError)
      expect((e as CacheKeyError).name).toBe('CacheKeyError')
      return (e as Error).message
    }
    return 'no error'
  }

  it('top level has no "at"; nested paths join indexes, keys and Map/Set entries', () => {
    expect(message(() => 1)).toBe('callback "t" argument 1 is a function, which has no stable cache key.')
    expect(message({ a: [0, { b: Symbol('s') }] })).toBe(
      'callback "t" argument 1 at .a[1].b is a symbol, which has no stable cache key.',
    )
    expect(
      message(
        new Map<string, unknown>([
          ['k', 1],
          ['f', () => 0],
        ]),
      ),
    ).toBe('callback "t" argument 1 at .get(#1)[1] is a function, which has no stable cache key.')
    expect(message([new Set([1, 2, () => 0])])).toBe(
      'callback "t" argument 1 at [0].has(#2) is a function, which has no stable cache key.',
    )
  })

  it('an object whose prototype chain has no constructor name is "an object with a foreign prototype"', () => {
    const bare = Object.create(Object.create(null)) as object
    expect(message({ x: bare })).toBe(
      'callback "t" argument 1 at .x is an object with a foreign prototype, which has no stable cache key.',
    )
    class Thing {}
    expect(message(new Thing())).toBe('callback "t" argument 1 is an instance of Thing, which has no stable cache key.')
  })

  it('a cycle is named; the same object twice side by side is not a cycle', () => {
    const a: unknown[] = [1]
    a.push(a)
    expect(message({ a })).toBe(
      'callback "t" argument 1 at .a[1] is a cycle (an object that contains itself), which has no stable cache key.',
    )
    const shared = [1]
    expect(enc([shared, shared])).toBe(cat(tag('A'), u32(2), tag('A'), u32(1), N(1), tag('A'), u32(1), N(1)))
    const m = new Map([
      [1, shared],
      [2, shared],
    ])
    expect(message(m)).toBe('no error')
  })

  it('after a refusal inside a Map, the path does not leak into the next error', () => {
    const x = { m: new Map([['k', 1]]), f: () => 0 }
    expect(message(x)).toBe('callback "t" argument 1 at .f is a function, which has no stable cache key.')
  })
})

describe('the whole key', () => {
  const parts = (over: Partial<KeyParts> = {}): KeyParts => ({
    board: 'b',
    boardVersion: 1,
    cacheId: 'cb',
    cacheVersion: undefined,
    scope: 'global',
    session: undefined,
    args: [1, 'x'],
    what: 'callback "cb"',
    ...over,
  })

  it('is u32 length + bytes for the head, then for each argument', () => {
    const head = Buffer.concat([
      tag('A'),
      u32(7),
      S('switchboard-cache/1'),
      S('b'),
      N(1),
      S('cb'),
      tag('U'),
      S('global'),
      tag('Z'),
    ])
    const want = cat(bytes(head), bytes(N(1)), bytes(S('x')))
    expect(hex(encodeKey(parts()))).toBe(want)
    const sess = Buffer.concat([
      tag('A'),
      u32(7),
      S('switchboard-cache/1'),
      S('b'),
      S('v2'),
      S('cb'),
      N(3),
      S('session'),
      S('s1'),
    ])
    expect(
      hex(encodeKey(parts({ boardVersion: 'v2', cacheVersion: 3, scope: 'session', session: 's1', args: [] }))),
    ).toBe(cat(bytes(sess)))
  })

  it('an argument error names its position', () => {
    expect(() => encodeKey(parts({ args: [1, 2, () => 0] }))).toThrow(
      'callback "cb" argument 3 is a function, which has no stable cache key.',
    )
  })

  it('hashKey is the SHA-256 of encodeKey, as lowercase hex with leading zeros kept', async () => {
    expect(canHash()).toBe(true)
    // Several keys, so some digest bytes are below 16 (their hex needs the leading 0).
    for (let i = 0; i < 8; i++) {
      const p = parts({ args: [i] })
      const want = createHash('sha256').update(encodeKey(p)).digest('hex')
      expect(await hashKey(p)).toBe(want)
    }
  })
})
