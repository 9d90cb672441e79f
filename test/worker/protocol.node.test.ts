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
      // an unknown kind shaped like a good 'ready' is still unknown
      { sb: 'call', tasks: ['a'], locked: true },
      { sb: 'ready', tasks: ['a'], locked: 'yes' },
      { sb: 'reply', id: 1, ok: 'yes' },
      { sb: 'reply', id: 1, ok: false, error: null },
      { sb: 'reply', id: 1, ok: false, error: 'text' },
      { sb: 'progress', id: '1', fraction: 0.5 },
      { sb: 'warning', kind: 'persist', message: 1 },
      { sb: 'warning', kind: 1, message: 'm' },
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

describe('errors on the wire: what a task may throw', () => {
  const cross = (thrown: unknown) => fromWire(structuredClone(toWire(thrown)))

  it('thrown non-Errors cross as a plain Error whose message is their text, with nothing invented', () => {
    for (const [thrown, message] of [
      [null, 'null'],
      [undefined, 'undefined'],
      ['boom', 'boom'],
      [42, '42'],
      [false, 'false'],
      [{ name: 7, message: 5, code: {}, stack: 1 }, '[object Object]'],
    ] as const) {
      const back = cross(thrown)
      expect(back).toBeInstanceOf(Error)
      expect([back.name, back.message]).toEqual(['Error', message])
      expect(Object.hasOwn(back, 'code')).toBe(false)
      expect(Object.hasOwn(back, 'cause')).toBe(false)
    }
  })

  it('numeric and text codes cross; the stack is the worker one; the name stays a plain, writable property', () => {
    const sent = Object.assign(new Error('m'), { name: 'QuotaError', code: 7, stack: 'worker stack' })
    const back = cross(sent) as Error & { code?: unknown }
    expect([back.name, back.message, back.code, back.stack]).toEqual(['QuotaError', 'm', 7, 'worker stack'])
    back.name = 'Renamed' // strict mode: throws if the name were read-only
    expect(back.name).toBe('Renamed')
    expect(delete (back as { name?: string }).name).toBe(true)
    expect(back.name).toBe('Error')
  })

  it('a cause chain crosses four levels deep (the error and three causes), each an Error with its name', () => {
    let e: unknown
    for (let i = 5; i >= 0; i--) e = Object.assign(new (i % 2 ? TypeError : Error)(`e${i}`, { cause: e }))
    const chain: unknown[] = []
    for (let at: unknown = cross(e); at !== undefined; at = (at as Error).cause) chain.push(at)
    expect(chain.map((x) => (x as Error).message)).toEqual(['e0', 'e1', 'e2', 'e3'])
    expect(chain.map((x) => (x as Error).name)).toEqual(['Error', 'TypeError', 'Error', 'TypeError'])
    expect(chain.every((x) => x instanceof Error)).toBe(true)
    expect(Object.hasOwn(chain[3] as Error, 'cause')).toBe(false)
  })

  it('a primitive cause crosses as it is: text, number, boolean, null', () => {
    for (const cause of ['why', 0, false, null]) {
      const back = cross(new Error('m', { cause }))
      expect(Object.hasOwn(back, 'cause')).toBe(true)
      expect(back.cause).toBe(cause)
    }
    expect(Object.hasOwn(cross(new Error('m')), 'cause')).toBe(false)
  })

  it('a WorkerError with no stack on the wire keeps its own', () => {
    const back = fromWire({ name: 'WorkerError', message: 'gone', worker: 'handle-lost' })
    expect(back).toBeInstanceOf(WorkerError)
    expect(typeof back.stack).toBe('string')
    expect(back.stack).not.toBe('')
  })
})
