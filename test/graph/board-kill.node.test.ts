/**
 * The board (src/graph/board.ts) through its public face, written against the mutation
 * survivors of board.ts (issue 11 §1): options of createBoard and store(), lookups by an
 * existing id, callback definitions, remove(), status(), inspect(), events, warnings and
 * dispose. Ids BKnn. Memory stores only, except where a test says what Node lacks (no Web
 * Storage, no IndexedDB, no Web Locks): those paths are the board's own fallbacks, not
 * mocks of storage; what needs real storage is in the browser tests.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { boardImpl } from '../../src/graph/board'
import { ALL, type Board, createBoard, GraphError, MATCH } from '../../src/index'

let n = 0
const newBoard = (name = `bk-${++n}`) => createBoard({ name, version: 1, register: false })

/** The GraphError `fn` throws, as [code, message]; anything else thrown is rethrown. */
function refusal(fn: () => unknown): [string, string] {
  try {
    fn()
  } catch (e) {
    if (e instanceof GraphError) return [e.code, e.message]
    throw e
  }
  throw new Error('expected a GraphError')
}

/** Every 'warning' event's message, in order. */
function warnings(board: Board): string[] {
  const seen: string[] = []
  board.on('warning', (w) => seen.push(w.message))
  return seen
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createBoard options', () => {
  it('BK01 a board needs a non-empty string name: no options, a number, an empty string are refused alike', () => {
    const sentence = ['bad-definition', 'createBoard needs a non-empty string `name`.']
    expect(refusal(() => createBoard(undefined as never))).toEqual(sentence)
    expect(refusal(() => createBoard({ name: 5 } as never))).toEqual(sentence)
    expect(refusal(() => createBoard({ name: '' }))).toEqual(sentence)
    expect(createBoard({ name: 'ok', register: false }).name).toBe('ok')
  })

  it('BK02 boardImpl refuses an object that createBoard did not make', () => {
    expect(refusal(() => boardImpl({ name: 'fake' } as never))).toEqual([
      'bad-definition',
      'expected a board made by createBoard.',
    ])
    const board = newBoard()
    expect(boardImpl(board)).toBe(board)
  })
})

describe('store() definitions', () => {
  it('BK03 a store id with a wildcard, or neither a string nor an object, is refused with its sentence', () => {
    const board = newBoard('b3')
    expect(refusal(() => board.store({ type: 't', i: ALL } as never))).toEqual([
      'bad-pattern',
      'board "b3": store id {"i":ALL,"type":"t"} holds a wildcard; wildcards name stores only in callbacks.',
    ])
    for (const bad of [5, true, '']) {
      expect(refusal(() => board.store(bad as never))).toEqual([
        'bad-definition',
        'board "b3": a store needs a non-empty string id.',
      ])
    }
    expect(board.inspect().stores).toEqual([])
  })

  it('BK04 every storage kind is accepted; inspect() shows the codec of Web Storage stores only and the bytes of memory ones', () => {
    // Defined, never started: nothing is read or written, so Node's lack of storage is not
    // reached. A memory store's bytes are its value's size (UTF-16: 'abc' is 6 bytes); a kept
    // store's are what storage holds, nothing yet.
    const board = newBoard()
    board.store('m', { initial: 'abc' })
    board.store('s', { storage: 'session', initial: 1 })
    board.store('l', { storage: 'local', codec: 'base64', initial: 2 })
    board.store('i', { storage: 'idb', initial: 3 })
    expect(board.inspect().stores).toEqual([
      { id: 'm', storage: 'memory', codec: undefined, location: 'memory', bytes: 6, modifiedAt: undefined },
      { id: 's', storage: 'session', codec: 'json', location: 'session', bytes: 0, modifiedAt: undefined },
      { id: 'l', storage: 'local', codec: 'base64', location: 'local', bytes: 0, modifiedAt: undefined },
      { id: 'i', storage: 'idb', codec: undefined, location: 'idb', bytes: 0, modifiedAt: undefined },
    ])
  })

  it('BK05 maxAgeMs must be a positive number: 0, a negative and NaN are refused with the value named', () => {
    const board = newBoard()
    expect(refusal(() => board.store('a', { maxAgeMs: 0 }))).toEqual([
      'bad-definition',
      'store "a" has maxAgeMs 0; it must be a positive number of ms.',
    ])
    expect(refusal(() => board.store('a', { maxAgeMs: -5 }))[1]).toBe(
      'store "a" has maxAgeMs -5; it must be a positive number of ms.',
    )
    expect(refusal(() => board.store('a', { maxAgeMs: Number.NaN }))[1]).toBe(
      'store "a" has maxAgeMs NaN; it must be a positive number of ms.',
    )
    expect(board.get('a')).toBe(undefined)
    expect(board.store('a', { maxAgeMs: 1 }).id).toBe('a')
  })
})

describe('store() lookups: an existing id takes the options it was created with', () => {
  it('BK06 the defaults (memory, json, spillOver 1e6, fallback idb, maxAgeMs Infinity) agree when written out', () => {
    const board = newBoard()
    const x = board.store('x')
    expect(
      board.store('x', {
        storage: 'memory',
        codec: 'json',
        spillOver: 1_000_000,
        fallback: 'idb',
        maxAgeMs: Number.POSITIVE_INFINITY,
      }),
    ).toBe(x)
  })

  it('BK07 an option given as undefined, or one a store does not have, is no disagreement', () => {
    const board = newBoard()
    const y = board.store('y', { initial: 5 })
    expect(board.store('y', { initial: undefined })).toBe(y)
    expect(board.store('y', { initial: 5, unknownOption: 1 } as never)).toBe(y)
  })

  it('BK08 only `initial` is compared as JSON: maxAgeMs NaN is not Infinity (both JSON null), two functions are not the same initial', () => {
    const board = newBoard('b8')
    board.store('z')
    expect(refusal(() => board.store('z', { maxAgeMs: Number.NaN }))).toEqual([
      'store-conflict',
      'board "b8" already has store z with another maxAgeMs; an existing id takes the options it was created with.',
    ])
    board.store('f', { initial: () => 1 })
    // Neither function has a JSON form: not the same data.
    expect(refusal(() => board.store('f', { initial: () => 1 }))).toEqual([
      'store-conflict',
      'board "b8" already has store f with another initial; an existing id takes the options it was created with.',
    ])
    // Two objects of the same data are.
    const o = board.store('o', { initial: { k: [1] } })
    expect(board.store('o', { initial: { k: [1] } })).toBe(o)
  })
})

describe('remove()', () => {
  it('BK09 a removed store can no longer be named by a callback; the sentences name where and what', () => {
    const board = newBoard('b9')
    const x = board.store('x', { initial: 1 })
    board.remove(x)
    expect(refusal(() => board.callback({ id: 'C', inputs: [x], outputs: [], run() {} }))).toEqual([
      'unknown-store',
      'callback "C" input names store "x", which was removed.',
    ])
    expect(board.inspect().callbacks).toEqual([])
  })

  it('BK10 remove() of null, of an unknown id and of a pattern: refused with "board.remove" named', () => {
    const board = newBoard('b10')
    expect(refusal(() => board.remove(null as never))).toEqual([
      'unknown-store',
      'board.remove names an unknown store "undefined".',
    ])
    expect(refusal(() => board.remove('nope'))).toEqual([
      'unknown-store',
      'board.remove names an unknown store "nope".',
    ])
    expect(refusal(() => board.remove({ type: 't', i: ALL } as never))).toEqual([
      'bad-pattern',
      'board.remove is the pattern {"i":ALL,"type":"t"}; a pattern cannot name one store here.',
    ])
  })

  it('BK11 remove() after dispose is refused: the board is disposed', () => {
    const board = newBoard('b11')
    const x = board.store('x')
    board.dispose()
    expect(refusal(() => board.remove(x))).toEqual(['disposed', 'board "b11" is disposed.'])
  })

  it('BK12 removing a store hands its object value (and only an object) to the release hooks (worker handles)', () => {
    // The worker pool's seam: a removed store's handle is released unless held elsewhere.
    const board = newBoard()
    const released: Array<[string | undefined, unknown]> = []
    boardImpl(board).hooks.replaced.push((s, old) => released.push([s?.id, old]))
    const value = { big: true }
    const o = board.store('o', { initial: value })
    const z = board.store('z', { initial: null })
    const k = board.store('k', { initial: 7 })
    const t = board.store('t', { initial: 'text' })
    for (const s of [z, k, t, o]) board.remove(s)
    expect(released).toEqual([['o', value]])
    expect(released[0]![1]).toBe(value)
  })

  it('BK13 clear() of a removed store is ignored with a warning naming the store and the board', async () => {
    const board = newBoard('b13')
    const seen = warnings(board)
    const x = board.store('x', { initial: 1 })
    await board.start()
    x.set(2)
    board.remove(x)
    x.clear()
    expect(x.get()).toBe(2)
    expect(seen).toEqual(['store "x" was removed from board "b13"; the value is ignored.'])
  })
})

describe('callback() definitions', () => {
  it('BK14 callback(undefined) is refused as a callback without a run function', () => {
    const board = newBoard()
    expect(refusal(() => board.callback(undefined as never))).toEqual([
      'bad-definition',
      'callback "?" needs a run function.',
    ])
  })

  it('BK15 an unnamed pattern callback is named by its outputs: strings, stores and object ids joined by "+"', () => {
    // {q,i:ALL} ──► [sum+s2+{"k":1,"type":"o"}] ──► sum, s2, {k:1,type:o}
    const board = newBoard()
    board.store({ type: 'q', i: 1 }, { initial: 1 })
    board.store<number>('sum')
    const s2 = board.store<number>('s2')
    board.store<number>({ type: 'o', k: 1 })
    const cb = board.callback({
      inputs: [{ type: 'q', i: ALL }],
      outputs: ['sum', s2, { type: 'o', k: 1 }],
      run: (qs: number[]) => [qs.length, qs.length, qs.length],
    })
    expect(cb.id).toBe('sum+s2+{"k":1,"type":"o"}')
  })

  it('BK16 a cache without key is allowed; inspect() tells cached callbacks from others, with their state and outputs', async () => {
    // a ──► [C, cached; state s] ──► b ; a ──► [D] ──► c, d
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const s = board.store('s', { initial: 10 })
    const b = board.store<number>('b')
    board.callback({ id: 'C', inputs: [a], state: [s], outputs: [b], run: (x: number, y: number) => x + y, cache: {} })
    board.callback({
      id: 'D',
      inputs: [a],
      outputs: [board.store<number>('c'), board.store<number>('d')],
      run: (x: number) => [x, -x],
    })
    const shape = board.inspect().callbacks.map((c) => [c.id, c.inputs, c.state, c.outputs, c.cached])
    expect(shape).toEqual([
      ['C', ['a'], ['s'], ['b'], true],
      ['D', ['a'], [], ['c', 'd'], false],
    ])
    await board.start()
    board.dispose()
  })

  it('BK17 a cached callback goes through the cache: the same arguments again are a hit, not a run', async () => {
    // a ──► [C, cached] ──► b ; a: 1 → 2 → 1
    const board = newBoard()
    const a = board.store('a', { initial: 1 })
    const b = board.store<number>('b')
    const run = vi.fn((x: number) => x * 2)
    board.callback({ id: 'C', inputs: [a], outputs: [b], run, cache: {} })
    await board.start()
    a.set(2)
    await board.idle()
    a.set(1)
    await board.idle()
    expect(b.get()).toBe(2)
    expect(run.mock.calls.map((c) => c[0])).toEqual([1, 2])
    expect([board.status('C')!.stats.hits, board.status('C')!.stats.misses]).toEqual([1, 2])
    board.dispose()
  })

  it('BK18 a cached pattern family goes through the cache too (hits add up in the family status)', async () => {
    // {q,i:MATCH} ──► [F, cached] ──► {o,i:MATCH}; q1: 1 → 2 → 1
    const board = newBoard()
    const q = board.store({ type: 'q', i: 1 }, { initial: 1 })
    const o = board.store<number>({ type: 'o', i: 1 })
    const run = vi.fn((x: number) => x * 3)
    board.callback({ id: 'F', inputs: [{ type: 'q', i: MATCH }], outputs: [{ type: 'o', i: MATCH }], run, cache: {} })
    await board.start()
    q.set(2)
    await board.idle()
    q.set(1)
    await board.idle()
    expect(o.get()).toBe(3)
    expect(run.mock.calls.map((c) => c[0])).toEqual([1, 2])
    expect([board.status('F')!.stats.hits, board.status('F')!.stats.misses]).toEqual([1, 2])
    board.dispose()
  })
})

describe('status() and inspect()', () => {
  it('BK19 status(undefined) and status of an unknown id are undefined, not a throw', () => {
    const board = newBoard()
    expect(board.status(undefined as never)).toBe(undefined)
    expect(board.status('nope')).toBe(undefined)
  })

  it('BK20 inspect() of a board without patterns in Node: no families; no IndexedDB, no Web Locks, BroadcastChannel', () => {
    const board = newBoard('b20')
    board.store('a')
    const seen = board.inspect()
    expect(seen.families).toEqual([])
    expect(seen.capabilities).toEqual({ indexedDB: false, locks: false, broadcast: true, storage: undefined })
    expect(Object.keys(seen.capabilities).sort()).toEqual(['broadcast', 'indexedDB', 'locks', 'storage'])
  })
})

describe('warnings', () => {
  it('BK21 sets after dispose warn once per store: each store has its own warning key', () => {
    const board = newBoard('b21')
    const seen = warnings(board)
    const a = board.store('a')
    const b = board.store('b')
    const printed = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    // dispose() drops listeners: listen again.
    board.dispose()
    const after = warnings(board)
    a.set(1)
    b.set(2)
    a.set(3)
    expect(seen).toEqual([])
    expect(after).toEqual([
      'store "a" was set after board "b21" was disposed; the value is ignored.',
      'store "b" was set after board "b21" was disposed; the value is ignored.',
      'store "a" was set after board "b21" was disposed; the value is ignored.',
    ])
    expect(printed.mock.calls).toEqual([
      ['[switchboard] store "a" was set after board "b21" was disposed; the value is ignored.'],
      ['[switchboard] store "b" was set after board "b21" was disposed; the value is ignored.'],
    ])
  })

  it('BK22 a warning with a cause prints it after the message and carries it; one without has no cause at all', async () => {
    const board = newBoard('b22')
    const events: unknown[] = []
    board.on('warning', (w) => events.push(w))
    const printed = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const x = board.store('x', { initial: 1 })
    const boom = new Error('boom')
    x.subscribe(() => {
      throw boom
    })
    await board.start()
    x.set(2)
    await board.idle()
    board.dispose()
    // dispose() drops listeners: listen again.
    board.on('warning', (w) => events.push(w))
    x.set(3)
    expect(events).toHaveLength(2)
    const [withCause, without] = events as Array<Record<string, unknown>>
    expect(withCause!.cause).toBe(boom)
    expect(Object.keys(withCause!).sort()).toEqual(['cause', 'message'])
    expect(without).toEqual({ message: 'store "x" was set after board "b22" was disposed; the value is ignored.' })
    expect(Object.keys(without!)).toEqual(['message'])
    expect(printed.mock.calls).toEqual([
      [`[switchboard] ${withCause!.message as string}`, boom],
      ['[switchboard] store "x" was set after board "b22" was disposed; the value is ignored.'],
    ])
  })
})
