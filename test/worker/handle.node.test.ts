/**
 * The pure parts of the worker boundary: telling handles apart, finding them among
 * arguments, finding the buffers a result can transfer, and errors on the wire.
 */
import { describe, expect, it } from 'vitest'
import { sizeOf } from '../../src/storage/size'
import { eachHandle, type Handle, isHandle, mapHandles, transferables } from '../../src/worker/handle'
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
