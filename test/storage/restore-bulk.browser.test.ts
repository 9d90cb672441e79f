/**
 * start() restoring many IndexedDB stores (issue 13, "How cost grows": start() was
 * superlinear past 1,000 stores). It counts requests, not time: a restore of n stores reads
 * the board's object store with one getAll and one getAllKeys (two requests, two events),
 * not n gets, when the object store holds little besides what is asked for; when it holds
 * much more (here, many entries nobody asks for), it reads per key, so a restore never
 * reads more than about twice what it needs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'

let n = 0
const boards: Board[] = []
const fresh = (label: string) => `bulk-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  vi.restoreAllMocks()
})

/** A board of `count` idb stores s0… (initial -1); the first load sets s_i to 3i. */
async function written(name: string, count: number): Promise<void> {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  const stores = Array.from({ length: count }, (_, i) => b.store<number>(`s${i}`, { initial: -1, storage: 'idb' }))
  await b.start()
  b.batch(() => stores.forEach((s, i) => s.set(i * 3)))
  await b.idle()
  b.dispose()
}

/** A reload defining the first `count` stores: their values, and the requests its start() made. */
async function reload(name: string, count: number) {
  const proto = IDBObjectStore.prototype
  const get = vi.spyOn(proto, 'get')
  const getAll = vi.spyOn(proto, 'getAll')
  const getAllKeys = vi.spyOn(proto, 'getAllKeys')
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  const stores = Array.from({ length: count }, (_, i) => b.store<number>(`s${i}`, { initial: -1, storage: 'idb' }))
  await b.start()
  const requests = {
    get: get.mock.calls.length,
    getAll: getAll.mock.calls.length,
    getAllKeys: getAllKeys.mock.calls.length,
  }
  vi.restoreAllMocks()
  return { values: stores.map((s) => s.get()), requests }
}

describe('start() restores many idb stores in a constant number of requests', () => {
  it('R1 300 idb stores: one getAll and one getAllKeys, no get; every value restored', async () => {
    const name = fresh('all')
    await written(name, 300)
    const { values, requests } = await reload(name, 300)
    expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i * 3))
    expect(requests).toEqual({ get: 0, getAll: 1, getAllKeys: 1 })
  })

  it('R2 the object store holds over twice what is asked (100 of 300): per-key gets, 100 of them; values right', async () => {
    const name = fresh('few')
    await written(name, 300)
    const { values, requests } = await reload(name, 100)
    expect(values).toEqual(Array.from({ length: 100 }, (_, i) => i * 3))
    expect(requests).toEqual({ get: 100, getAll: 0, getAllKeys: 0 })
  })

  it('R3 a few stores (under the bulk threshold) keep per-key gets', async () => {
    const name = fresh('small')
    await written(name, 5)
    const { values, requests } = await reload(name, 5)
    expect(values).toEqual([0, 3, 6, 9, 12])
    expect(requests).toEqual({ get: 5, getAll: 0, getAllKeys: 0 })
  })
})
