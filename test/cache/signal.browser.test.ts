/**
 * The signal pattern with worker handles (seed Example 3): a cached worker task returns
 * `keep(column, { persist: true })`; its output store holds the small handle; downstream
 * callbacks wake on the handle and read the data where it lives (in the worker, or from
 * IndexedDB after a reload). The expensive task runs once per distinct input.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard, type Handle, isHandle } from '../../src/index'
import { rawKeys } from '../idb'
import { waitFor } from '../wait'

const tasksWorker = () => new Worker(new URL('../worker/tasks.worker.ts', import.meta.url), { type: 'module' })

let n = 0
const boards: Board[] = []
afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
})

//                                               ┌─► [total, worker]   ─► sum
// size, persist ─► [column, worker, cached] ─► col ┼─► [length, worker]  ─► len
//                                               ├─► [first, main: resolve] ─► head
//                                               └─► [json, main]       ─► handleJson
function define(name: string, o: { persist?: boolean; maxEntries?: number; size?: number } = {}) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  const pool = b.workers(tasksWorker, { size: 1 })
  const size = b.store('size', { initial: o.size ?? 100_000 })
  const persist = b.store('persist', { initial: o.persist ?? true })
  const col = b.store<Handle<Float64Array>>('col')
  const sum = b.store<number>('sum')
  const len = b.store<number>('len')
  const head = b.store<number[]>('head')
  const handleJson = b.store<number>('handleJson')
  b.callback({
    id: 'column',
    inputs: [size, persist],
    outputs: [col],
    run: pool.task('keepColumn'),
    cache: o.maxEntries ? { maxEntries: o.maxEntries } : {},
  })
  b.callback({ id: 'total', inputs: [col], outputs: [sum], run: pool.task('total') })
  b.callback({ id: 'length', inputs: [col], outputs: [len], run: pool.task('length') })
  b.callback({
    id: 'first',
    inputs: [col],
    outputs: [head],
    run: async (h) => Array.from((await b.resolve(h!)).subarray(0, 3)),
  })
  b.callback({ id: 'json', inputs: [col], outputs: [handleJson], run: (h) => JSON.stringify(h).length })
  const runs = (id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats
  return { b, size, col, sum, len, head, handleJson, runs }
}

describe('signal pattern with worker handles', () => {
  it('four downstream callbacks of one cached expensive task: it runs once; a reload gets the handle from the cache and the data from IndexedDB', async () => {
    const name = `signal-${Date.now()}-${++n}`
    const first = define(name)
    await first.b.start()
    await first.b.idle()
    expect(isHandle(first.col.get())).toBe(true)
    expect(first.handleJson.get()).toBeLessThan(1024)
    expect(first.sum.get()).toBe((100_000 * 99_999) / 2)
    expect(first.len.get()).toBe(100_000)
    expect(first.head.get()).toEqual([0, 1, 2])
    expect(first.runs('column')).toMatchObject({ runs: 1, misses: 1 })
    first.b.dispose()

    const again = define(name)
    await again.b.start()
    await again.b.idle()
    expect(again.b.errors.size).toBe(0)
    expect(again.runs('column')).toMatchObject({ runs: 0, hits: 1 })
    expect(again.len.get()).toBe(100_000)
    expect(again.head.get()).toEqual([0, 1, 2])
  })

  it('going back to an earlier input gives a handle that still resolves', async () => {
    const t = define(`signal-back-${Date.now()}-${++n}`)
    await t.b.start()
    await t.b.idle()
    t.size.set(10)
    await t.b.idle()
    expect(t.len.get()).toBe(10)
    t.size.set(100_000)
    await t.b.idle()
    expect(t.runs('column')).toMatchObject({ runs: 2, hits: 1 })
    expect(t.b.errors.size).toBe(0)
    expect(t.len.get()).toBe(100_000)
  })

  it('a handle that is not persisted is cached in memory only: a reload recomputes instead of getting a dead handle', async () => {
    const name = `signal-memory-${Date.now()}-${++n}`
    const first = define(name, { persist: false })
    await first.b.start()
    await first.b.idle()
    expect(first.runs('column').runs).toBe(1)
    first.b.dispose()
    const again = define(name, { persist: false })
    await again.b.start()
    await again.b.idle()
    expect(again.runs('column')).toMatchObject({ runs: 1, hits: 0 })
    expect(again.b.errors.size).toBe(0)
    expect(again.len.get()).toBe(100_000)
  })

  it('a handle the cache forgets (maxEntries) and no store holds is released from its worker', async () => {
    const t = define(`signal-evict-${Date.now()}-${++n}`, { persist: false, maxEntries: 2 })
    await t.b.start()
    await t.b.idle()
    const old = t.col.get()
    t.size.set(10)
    await t.b.idle()
    // The store moved on, the cache still holds it: alive.
    expect((await t.b.resolve(old!)).length).toBe(100_000)
    t.size.set(20)
    await t.b.idle()
    // Now the cache forgot it too (two entries kept: 10 and 20): released.
    await expect(t.b.resolve(old!)).rejects.toMatchObject({ code: 'handle-lost' })
    expect((await t.b.resolve(t.col.get()!)).length).toBe(20)
  })

  it("an entry evicted from IndexedDB takes its persisted handle's data along", async () => {
    const name = `signal-orphan-${Date.now()}-${++n}`
    const first = define(name, { maxEntries: 1 })
    await first.b.start()
    await first.b.idle()
    const h1 = first.col.get()!.id
    first.b.dispose()
    expect(await handleKeys(name)).toContain(h1)
    // A later page computes another input: the cap evicts the first entry, which no store
    // of this page ever held; its handle's data must not stay behind.
    const later = define(name, { maxEntries: 1, size: 10 })
    await later.b.start()
    await later.b.idle()
    const h2 = later.col.get()!.id
    await waitFor(async () => expect(await handleKeys(name)).not.toContain(h1))
    expect(await handleKeys(name)).toContain(h2)
  })
})

const handleKeys = (name: string) => rawKeys(name, 'handles')
