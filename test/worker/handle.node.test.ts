/**
 * The pure parts of the worker boundary: telling handles apart, finding them among
 * arguments, finding the buffers a result can transfer, and errors on the wire.
 */
import { describe, expect, it } from 'vitest'
import { sizeOf } from '../../src/storage/size'
import {
  describe as describeValue,
  eachHandle,
  type Handle,
  isHandle,
  mapHandles,
  transferables,
} from '../../src/worker/handle'
import { fromWire, toWire } from '../../src/worker/protocol'

const handle = (id: string): Handle => ({
  switchboard: 'handle',
  id,
  bytes: 8,
  desc: 'Float64Array(1)',
  pool: 'p',
  worker: 0,
  life: 0,
  persisted: false,
  board: 'b',
})

describe('handles', () => {
  it('isHandle: the brand and a string id, after a JSON round trip too; not look-alikes', () => {
    const h = handle('a')
    expect(isHandle(h)).toBe(true)
    expect(isHandle(JSON.parse(JSON.stringify(h)))).toBe(true)
    expect(isHandle({ switchboard: 'handle' })).toBe(false)
    expect(isHandle({ id: 'a' })).toBe(false)
    expect(isHandle(null)).toBe(false)
    expect(isHandle('handle')).toBe(false)
    expect(JSON.stringify(h).length).toBeLessThan(1024)
  })

  it('eachHandle finds handles as arguments and one level down in arrays and plain objects, not deeper', () => {
    const found: string[] = []
    eachHandle([handle('a'), [1, handle('b')], { t: handle('c') }, { deep: { t: handle('d') } }, 3], (h) =>
      found.push(h.id),
    )
    expect(found).toEqual(['a', 'b', 'c'])
  })

  it('mapHandles replaces them, copying only the containers that change', () => {
    const inner = [1, 2]
    const args: unknown[] = [handle('a'), [handle('b'), 0], inner, { t: handle('c'), k: 1 }]
    const out = mapHandles(args, (h) => `value-${h.id}`)
    expect(out).toEqual(['value-a', ['value-b', 0], [1, 2], { t: 'value-c', k: 1 }])
    expect(out[2]).toBe(inner)
  })

  it('S17 hostile key: an own "__proto__" key holding a handle stays an own key of the copy', () => {
    const arg = JSON.parse('{"__proto__": 1, "k": 2}') as Record<string, unknown>
    Object.defineProperty(arg, '__proto__', {
      value: handle('p'),
      enumerable: true,
      writable: true,
      configurable: true,
    })
    const [out] = mapHandles([arg], (h) => `value-${h.id}`) as [Record<string, unknown>]
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('value-p')
    expect(out.k).toBe(2)
  })
})

describe('handles: hostile and edge arguments', () => {
  it('eachHandle and mapHandles step over null, undefined and primitives among the arguments', () => {
    const found: string[] = []
    const args = [null, undefined, 0, 'x', false, handle('a'), [null, handle('b')], { n: null, h: handle('c') }]
    eachHandle(args, (h) => found.push(h.id))
    expect(found).toEqual(['a', 'b', 'c'])
    expect(mapHandles([...args], (h) => h.id)).toEqual([
      null,
      undefined,
      0,
      'x',
      false,
      'a',
      [null, 'b'],
      { n: null, h: 'c' },
    ])
  })

  it('an array is scanned for handles in its first 64 items (a handle is a store value, not buried in a list)', () => {
    const at = (i: number) => {
      const list: unknown[] = Array.from({ length: 100 }, () => 0)
      list[i] = handle(`h${i}`)
      const found: string[] = []
      eachHandle([list], (h) => found.push(h.id))
      const [mapped] = mapHandles([list], () => 'value') as [unknown[]]
      return { found, replaced: mapped[i] === 'value' }
    }
    expect(at(63)).toEqual({ found: ['h63'], replaced: true })
    expect(at(64)).toEqual({ found: [], replaced: false })
  })

  it('class instances, Maps and null-prototype objects are not looked into for handles', () => {
    class Holder {
      h = handle('in-class')
    }
    const found: string[] = []
    const args = [new Holder(), new Map([['h', handle('in-map')]])]
    eachHandle(args, (h) => found.push(h.id))
    expect(found).toEqual([])
    expect(mapHandles([...args], () => 'value')).toEqual(args)
  })

  it('mapHandles copies a changed array or object and never writes into the caller one', () => {
    const list = [handle('a'), 1]
    const record = { h: handle('b'), k: 2 }
    const untouched = [1, 2]
    const args: unknown[] = [list, record, untouched]
    const out = mapHandles(args, (h) => `value-${h.id}`)
    expect(out).toEqual([['value-a', 1], { h: 'value-b', k: 2 }, [1, 2]])
    expect(isHandle(list[0])).toBe(true)
    expect(isHandle(record.h)).toBe(true)
    expect(out[2]).toBe(untouched)
  })
})

describe('describe (what a handle shows of its value)', () => {
  it('names the shape and size of each kind of value', () => {
    const keys = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i]))
    expect(
      [
        new ArrayBuffer(8),
        new Float64Array(3),
        new DataView(new ArrayBuffer(5)),
        [1, 2],
        { a: 1, b: 2 },
        keys,
        'abc',
        42,
        null,
        undefined,
      ].map((v) => describeValue(v).desc),
    ).toEqual([
      'ArrayBuffer(8)',
      'Float64Array(3)',
      'DataView(5)',
      'Array(2)',
      '{a, b}',
      '{k0, k1, k2, k3, k4, k5, …}',
      'string(3)',
      'number',
      'object',
      'undefined',
    ])
    expect(describeValue(new Float64Array(3)).bytes).toBe(24)
    expect(describeValue({ [`${'x'.repeat(200)}`]: 1 }).desc).toHaveLength(120)
  })
})

describe('transferables', () => {
  it('finds each buffer once: typed arrays, DataViews, bare buffers, nested in arrays, objects and maps', () => {
    const a = new Float64Array(4)
    const view = new Float32Array(a.buffer, 0, 2) // same buffer as a
    const b = new ArrayBuffer(8)
    const d = new DataView(new ArrayBuffer(4))
    const found = transferables({ a, view, rows: [{ b }], m: new Map([['d', d]]) })
    expect(found).toHaveLength(3)
    expect(found).toContain(a.buffer)
    expect(found).toContain(b)
    expect(found).toContain(d.buffer)
  })

  it('leaves out shared and detached buffers, and what skip() keeps', () => {
    const shared = new Int32Array(new SharedArrayBuffer(8))
    const detached = new ArrayBuffer(8)
    structuredClone(detached, { transfer: [detached] })
    const kept = new Uint8Array(8)
    const free = new Uint8Array(8)
    const found = transferables([shared, detached, kept, free], (buf) => buf === kept.buffer)
    expect(found).toEqual([free.buffer])
  })

  it('samples long arrays of rows: no buffer in the first 64 rows means no walk of the rest', () => {
    const rows: unknown[] = Array.from({ length: 1000 }, (_, i) => ({ i }))
    rows[500] = { col: new Float64Array(2) }
    expect(transferables(rows)).toEqual([])
    rows[10] = { col: new Float64Array(2) }
    expect(transferables(rows)).toHaveLength(2)
  })

  it('finds buffers four levels down, not five; in null-prototype objects too', () => {
    const buf = () => new Float64Array(1)
    const four = { a: { b: { c: { d: buf() } } } }
    const five = { a: { b: { c: { d: { e: buf() } } } } }
    expect(transferables(four)).toEqual([four.a.b.c.d.buffer])
    expect(transferables(five)).toEqual([])
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { col: buf() })
    expect(transferables(bare)).toEqual([(bare.col as Float64Array).buffer])
  })

  it('samples at exactly 64 rows: a buffer at row 63 opens the walk, one at row 64 alone is not found', () => {
    const rows = (at: number[]) => {
      const list: unknown[] = Array.from({ length: 200 }, (_, i) => ({ i }))
      for (const i of at) list[i] = { col: new Float64Array(1) }
      return list
    }
    expect(transferables(rows([64, 150]))).toEqual([])
    expect(transferables(rows([63, 150]))).toHaveLength(2)
  })

  it('what counts as found for the sampling: buffers in Maps and kept ones count; rows of class instances do not', () => {
    class Row {
      col = new Float64Array(1)
    }
    const kept = new Float64Array(1)
    const tail = new Float64Array(1)
    // 64 Maps holding a buffer each, then one more buffer: the walk goes on past the sample.
    const maps: unknown[] = Array.from({ length: 64 }, () => new Map([['c', new Float64Array(1)]]))
    maps.push(tail)
    expect(transferables(maps)).toHaveLength(65)
    // 64 rows holding only a buffer skip() keeps: found (not moved), so the walk goes on.
    const keptRows: unknown[] = Array.from({ length: 64 }, () => ({ kept }))
    keptRows.push(tail)
    expect(transferables(keptRows, (b) => b === kept.buffer)).toEqual([tail.buffer])
    // 64 class instances: not walked, nothing found, so the rest is not walked either.
    const instances: unknown[] = Array.from({ length: 64 }, () => new Row())
    instances.push(tail)
    expect(transferables(instances)).toEqual([])
  })

  it('an empty buffer that is not detached can be transferred', () => {
    const empty = new ArrayBuffer(0)
    expect(transferables([empty])).toEqual([empty])
  })

  it('does not walk class instances (their buffers are theirs to give)', () => {
    class Box {
      data = new Float64Array(2)
    }
    expect(transferables({ box: new Box() })).toEqual([])
  })
})

describe('sizeOf (the one estimator, shared with the worker side)', () => {
  it('exact for buffers, estimated by sampling for long arrays', () => {
    expect(sizeOf(new Float64Array(1000))).toBe(8000)
    expect(sizeOf(Array.from({ length: 10_000 }, () => 1))).toBe(16 + 80_000)
    expect(sizeOf('abc')).toBe(6)
    expect(sizeOf(null)).toBe(0)
  })
})

describe('errors on the wire', () => {
  it('keep name, message, code, stack and a chain of causes', () => {
    class DiskError extends Error {
      override name = 'DiskError'
      code = 'E_DISK'
    }
    const e = new DiskError('full', { cause: Object.assign(new TypeError('inner'), { code: 42 }) })
    const back = fromWire(structuredClone(toWire(e))) as Error & { code: string; cause: Error & { code: number } }
    expect(back.name).toBe('DiskError')
    expect(back.message).toBe('full')
    expect(back.code).toBe('E_DISK')
    expect(back.stack).toBe(e.stack)
    expect(back.cause.name).toBe('TypeError')
    expect(back.cause.code).toBe(42)
  })

  it('thrown non-errors become a message; primitive causes stay as they are', () => {
    expect(toWire('plain')).toEqual({ name: 'Error', message: 'plain' })
    expect(fromWire(toWire(new Error('x', { cause: 'why' }))).cause).toBe('why')
  })
})
