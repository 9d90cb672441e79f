/**
 * F32 malformed message, as pure logic: every shape we do not know is refused and reported
 * to the board's warn (which prints once per kind); own echoes are ignored.
 */
import { describe, expect, it, vi } from 'vitest'
import { Channel, parseMessage } from '../../src/sync/broadcast'

const key = 'a'.repeat(64)

describe('parseMessage', () => {
  it('accepts exactly the known shapes', () => {
    for (const m of [
      { sb: 1, from: 'x', type: 'ready', key },
      { sb: 1, from: 'x', type: 'stores', ids: ['a', 'b'] },
      { sb: 1, from: 'x', type: 'stores', ids: [] },
      { sb: 1, from: 'x', type: 'clear', scope: 'session' },
      { sb: 1, from: 'x', type: 'clear', scope: 'session', sid: 'a-session-id' },
      { sb: 1, from: 'x', type: 'clear', scope: 'all' },
    ]) {
      expect(parseMessage(m)).toEqual(m)
    }
  })

  it.each([
    ['null', null],
    ['a string', 'ready'],
    ['another schema', { sb: 2, from: 'x', type: 'clear', scope: 'all' }],
    ['no sender', { sb: 1, type: 'clear', scope: 'all' }],
    ['an unknown type', { sb: 1, from: 'x', type: 'drop-tables' }],
    ['a key that is not a SHA-256 hex', { sb: 1, from: 'x', type: 'ready', key: '../../etc' }],
    ['ids that are not strings', { sb: 1, from: 'x', type: 'stores', ids: [{ toString: 1 }] }],
    ['ids that are not an array', { sb: 1, from: 'x', type: 'stores', ids: 'a' }],
    ['an unknown scope', { sb: 1, from: 'x', type: 'clear', scope: 'everything' }],
    ['a session id that is not a string', { sb: 1, from: 'x', type: 'clear', scope: 'session', sid: 7 }],
  ])('refuses %s', (_label, m) => expect(parseMessage(m)).toBeUndefined())
})

describe('Channel.receive', () => {
  it('drops malformed messages with a warning, ignores its own echoes, delivers the rest', () => {
    const warn = vi.fn()
    const ch = new Channel(`test-${Date.now()}`, warn)
    const got = vi.fn()
    ch.on(got)
    ch.receive({ nonsense: true })
    ch.receive({ sb: 1, from: ch.from, type: 'clear', scope: 'all' })
    ch.receive({ sb: 1, from: 'other tab', type: 'clear', scope: 'all' })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toBe('broadcast-malformed')
    expect(got).toHaveBeenCalledTimes(1)
    expect(got.mock.calls[0]![0]).toMatchObject({ from: 'other tab', type: 'clear' })
    ch.close()
  })
})
