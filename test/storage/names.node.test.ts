/**
 * S01: the names of everything switchboard keeps outside memory never collide, whatever
 * the board and store ids are (hostile ones included). Pure logic: the browser-side
 * collisions of the issue are in keys.browser.test.ts.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { nameOf, storeOfKey } from '../../src/storage/names'

// Ids an attacker or an unlucky user would pick: separators, escapes, prototype keys, empty, unicode.
const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ':',
    '::',
    '%',
    '%3A',
    '%253A',
    '%25',
    'a:b',
    'b:c',
    'k',
    'k:b',
    'c',
    '__proto__',
    'constructor',
    'sb',
    'sb:',
    'é',
    '💥',
    '\u0000',
  ),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: fc.constantFrom('a', ':', '%', '3', 'A', '2', '5'), maxLength: 6 }),
)
const pair = fc.tuple(hostile, hostile)

describe('S01 names', () => {
  it('S01 the collisions of the issue are gone', () => {
    expect(nameOf('k:b', 'c')).not.toBe(nameOf('k', 'b:c'))
    expect(nameOf('app', 'x').startsWith(nameOf('app'))).toBe(true)
    expect(nameOf('app:admin', 'x').startsWith(nameOf('app'))).toBe(false)
    expect(nameOf('app', 'q')).toBe('sb:app:q:')
    expect(nameOf('app:admin', 'q')).toBe('sb:app%3Aadmin:q:')
  })

  test.prop([pair, pair], { numRuns: 2000 })(
    'S01 injective: two (board, store) pairs share a key only when they are equal',
    ([b1, s1], [b2, s2]) => {
      expect(nameOf(b1, s1) === nameOf(b2, s2)).toBe(b1 === b2 && s1 === s2)
    },
  )

  test.prop([pair, pair], { numRuns: 2000 })(
    'S01 prefix-free: no key is a proper prefix of another (board, store) key',
    ([b1, s1], [b2, s2]) => {
      const a = nameOf(b1, s1)
      const b = nameOf(b2, s2)
      expect(a !== b && b.startsWith(a)).toBe(false)
    },
  )

  test.prop([hostile, pair], { numRuns: 2000 })(
    "S01 a board's prefix matches exactly its own keys",
    (board, [b2, s2]) => {
      expect(nameOf(b2, s2).startsWith(nameOf(board))).toBe(b2 === board)
    },
  )

  test.prop([pair], { numRuns: 2000 })('S01 a key reads back to its store id, for its own board only', ([b, s]) => {
    expect(storeOfKey(b, nameOf(b, s))).toBe(s)
    expect(storeOfKey(b, nameOf(b, 'session', s))).toBeUndefined()
  })

  test.prop([hostile, pair, pair])(
    'S01 names with more parts (locks) never equal a store key',
    (board, [a, b], [c, d]) => {
      expect(nameOf(board, a, b)).not.toBe(nameOf(c, d))
    },
  )
})
