/**
 * The one worker protocol (issue 12 §3): messages are told apart by their `sb` brand and
 * checked by shape (F32); worker-side WorkerErrors cross with their code.
 */
import { describe, expect, it } from 'vitest'
import { WorkerError } from '../../src/errors'
import { fromWire, isOurs, toWire, wellFormed } from '../../src/worker/protocol'

describe('messages', () => {
  it('ours carry an sb string; anything else on the port is a stray', () => {
    expect([isOurs({ sb: 'reply' }), isOurs({ hello: 1 }), isOurs('junk'), isOurs(null), isOurs({ sb: 1 })]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ])
  })

  it('well formed by kind; a wrong field or an unknown kind is malformed', () => {
    const good = [
      { sb: 'ready', tasks: ['a'], locked: true },
      { sb: 'held' },
      { sb: 'reply', id: 1, ok: true, value: 2 },
      { sb: 'reply', id: -3, ok: false, error: { name: 'Error', message: 'x' } },
      { sb: 'progress', id: 1, fraction: 0.5, note: undefined },
      { sb: 'warning', kind: 'persist', message: 'm' },
    ]
    const bad = [
      { sb: 'ready', tasks: 'a', locked: true },
      { sb: 'reply', id: 1, value: 42 },
      { sb: 'reply', id: '1', ok: true },
      { sb: 'reply', id: 1, ok: false },
      { sb: 'progress', id: 1, fraction: 'half' },
      { sb: 'warning', message: 'no kind' },
      { sb: 'call', id: 1, task: 't', args: [] },
      { sb: 'nonsense' },
    ]
    expect(good.map(wellFormed)).toEqual(good.map(() => true))
    expect(bad.map(wellFormed)).toEqual(bad.map(() => false))
  })
})

describe('errors on the wire', () => {
  it.each(['unknown-task', 'handle-lost', 'unserialisable'] as const)(
    'a WorkerError %s comes back a WorkerError of that code, stack and cause kept',
    (code) => {
      const sent = new WorkerError(code, `went wrong: ${code}`, new TypeError('inner'))
      const back = fromWire(structuredClone(toWire(sent)))
      expect(back).toBeInstanceOf(WorkerError)
      expect(back).toMatchObject({ name: 'WorkerError', code, message: `went wrong: ${code}` })
      expect(back.stack).toBe(sent.stack)
      expect((back.cause as Error).name).toBe('TypeError')
    },
  )

  it('an error of the task keeps its own name and code and is not a WorkerError', () => {
    const back = fromWire(toWire(Object.assign(new RangeError('r'), { code: 'E_R' })))
    expect(back).not.toBeInstanceOf(WorkerError)
    expect(back).toMatchObject({ name: 'RangeError', code: 'E_R' })
  })
})
