/**
 * P8: a 'ready' hint may carry the leader's small result, with its write time and expiry;
 * F32 still holds for it: a value without both numbers is a shape we do not know.
 */
import { describe, expect, it } from 'vitest'
import { parseMessage } from '../../src/sync/broadcast'

const key = 'b'.repeat(64)

describe('parseMessage: a ready hint with its value', () => {
  it('P8 accepts a value with its write time and expiry (Infinity: no ttlMs), whatever the value', () => {
    for (const value of [{ x: 1 }, 0, null, undefined, 'text', [1, 2]]) {
      const m = { sb: 1, from: 'x', type: 'ready', key, value, t: 1_700_000_000_000, exp: Infinity }
      expect(parseMessage(m)).toEqual(m)
    }
  })

  it.each([
    ['no write time', { value: 1, exp: Infinity }],
    ['no expiry', { value: 1, t: 5 }],
    ['a write time that is not a number', { value: 1, t: '5', exp: 9 }],
    ['an expiry that is not a number', { value: 1, t: 5, exp: null }],
  ])('P8 refuses a value with %s', (_label, extra) =>
    expect(parseMessage({ sb: 1, from: 'x', type: 'ready', key, ...extra })).toBeUndefined(),
  )
})
