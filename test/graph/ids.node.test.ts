/**
 * Object ids through the public board (src/graph/ids.ts): what names a store, the one
 * canonical string of an object id, the string that parses back to the same store, and
 * the frozen copy the store keeps. Written against the survivors of the wave-4 mutation
 * run (ids.ts: 26 survived) — each case below fails under one of them.
 */
import { describe, expect, it } from 'vitest'
import { createBoard, GraphError } from '../../src/index'

const board = () => createBoard({ name: 'ids', version: 1 })

/** The GraphError a call throws: its code and its one sentence. */
function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError)
    return { code: (e as GraphError).code, message: (e as Error).message }
  }
  throw new Error('expected a GraphError, nothing was thrown')
}

describe('object ids', () => {
  it('ID01 only a non-empty string or a plain object names a store: null, arrays, class instances and "" are refused', () => {
    const b = board()
    for (const bad of [null, undefined, [], ['a'], new Date(0), new Map(), '', 3, true]) {
      expect(thrown(() => b.store(bad as never))).toEqual({
        code: 'bad-definition',
        message: 'board "ids": a store needs a non-empty string id.',
      })
    }
    // A null-prototype object is an object id like a plain one: the same store.
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { type: 'row', n: 1 })
    const s = b.store(bare as { type: string; n: number }, { initial: 0 })
    expect(s.id).toBe('{"n":1,"type":"row"}')
    expect(b.store({ n: 1, type: 'row' })).toBe(s)
  })

  it('ID02 the canonical string: keys sorted, values as JSON, -0 as 0, each key once with commas between', () => {
    const b = board()
    expect(b.store({ type: 'item', index: 3 }).id).toBe('{"index":3,"type":"item"}')
    expect(b.store({ z: 'a"b', a: -0, m: 1.5 }).id).toBe('{"a":0,"m":1.5,"z":"a\\"b"}')
    expect(b.store({ only: 'x' }).id).toBe('{"only":"x"}')
    // -0 and 0 name the same store.
    expect(b.store({ i: -0 })).toBe(b.store({ i: 0 }))
  })

  it('ID03 an object id needs string keys and string or finite number values; the error names the key and what it got', () => {
    const b = board()
    expect(thrown(() => b.store({}))).toEqual({
      code: 'bad-definition',
      message: 'a store id is an object id without string keys; it needs at least one.',
    })
    const onlySymbol = { [Symbol('s')]: 1 }
    expect(thrown(() => b.store(onlySymbol as never)).message).toBe(
      'a store id is an object id without string keys; it needs at least one.',
    )
    // String keys and a symbol key too: still refused (a symbol key would vanish from the id).
    expect(thrown(() => b.store({ a: 1, [Symbol('s')]: 2 } as never)).code).toBe('bad-definition')
    for (const [v, got] of [
      [true, 'boolean'],
      [Number.NaN, 'number'],
      [Number.POSITIVE_INFINITY, 'number'],
      [{ x: 1 }, 'object'],
      [null, 'object'],
      [10n, 'bigint'],
    ] as const) {
      expect(thrown(() => b.store({ type: 'item', k: v } as never))).toEqual({
        code: 'bad-definition',
        message: `a store id has key "k" whose value is not a string or a finite number (got ${got}).`,
      })
    }
    // Nothing was created by the refused definitions.
    expect(b.inspect().stores).toEqual([])
  })

  it('ID04 the canonical string of an object id names the same store, and gives it its object id', () => {
    const b = board()
    const byString = b.store('{"index":3,"type":"item"}', { initial: 1 }) as unknown as { objectId: unknown }
    expect(byString.objectId).toEqual({ index: 3, type: 'item' })
    expect(Object.isFrozen(byString.objectId)).toBe(true)
    expect(b.store({ type: 'item', index: 3 })).toBe(byString)
  })

  it('ID05 a string that only looks like an object id is a plain string id, without an object id', () => {
    const b = board()
    for (const id of [
      '{"type":"item","index":3}', // keys not sorted: not canonical
      '{"index": 3,"type":"item"}', // spaces: not canonical
      '{not json',
      '{}', // no keys
      '{"a":true}', // a value an object id cannot hold
      '{"a":[1]}',
      'x{"a":1}', // does not start with {
      '[{"a":1}]',
      '"{\\"a\\":1}"',
    ]) {
      const s = b.store(id) as unknown as { objectId: unknown; id: string }
      expect(s.id, id).toBe(id)
      expect(s.objectId, id).toBeUndefined()
    }
    // An array that parses is not an object id either, nor a JSON null.
    expect((b.store('null') as unknown as { objectId: unknown }).objectId).toBeUndefined()
  })

  it('ID06 the store keeps a frozen copy with sorted keys: changing the given object later changes nothing', () => {
    const b = board()
    const given: Record<string, string | number> = { type: 'item', index: -0 }
    const s = b.store(given as { type: string; index: number }, { initial: 0 })
    given.index = 9
    given.extra = 'x'
    expect(s.objectId).toEqual({ index: 0, type: 'item' })
    expect(Object.is(s.objectId.index, 0)).toBe(true)
    expect(Object.keys(s.objectId)).toEqual(['index', 'type'])
    expect(Object.isFrozen(s.objectId)).toBe(true)
    // A key "__proto__" stays an own key (defineProperty), not the prototype.
    const proto = JSON.parse('{"__proto__":"p","a":1}') as Record<string, string | number>
    const p = b.store(proto as never) as unknown as { objectId: Record<string, unknown> }
    expect(Object.keys(p.objectId)).toEqual(['__proto__', 'a'])
    expect(Object.getPrototypeOf(p.objectId)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(p.objectId, '__proto__')?.value).toBe('p')
  })
})
