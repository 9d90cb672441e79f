/**
 * Pattern ids with real storage (Chromium): persisted family members restored after a
 * reload, "all restored" judged per instance, board.remove() removing the persisted entry,
 * and the cache keyed per MATCH instance. A "reload" is a new board of the same name after
 * the old one is disposed, as in test/storage/persist.browser.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ALL, type Board, createBoard, MATCH, type StorageKind } from '../../src/index'

let n = 0
const boards: Board[] = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `pattern-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
})

/**
 *  {qty,i} ─► [cost[i]] ─► {cost,i} ─┐
 *                                    ├─► [total] ─► total      (all persisted in `storage`)
 *  `ids` (persisted) lists the items; the page creates their stores after start(), as a
 *  page restoring a list the user built does.
 */
async function page(name: string, storage: StorageKind, runs: Map<string, number>) {
  const b = board(name)
  const count = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1)
  const ids = b.store<number[]>('ids', { initial: [], storage })
  const total = b.store<number>('total', { storage })
  b.callback({
    id: 'cost',
    inputs: [{ type: 'qty', index: MATCH }],
    outputs: [{ type: 'cost', index: MATCH }],
    run: (q, ctx) => (count(`cost${ctx.match!.index}`), (q as number) * 10),
  })
  b.callback({
    id: 'total',
    inputs: [{ type: 'cost', index: ALL }],
    outputs: [total],
    run: (c) => (count('total'), (c as number[]).reduce((x, y) => x + y, 0)),
  })
  await b.start()
  const add = (i: number, qty = 1) => {
    b.store({ type: 'qty', index: i }, { initial: qty, storage })
    b.store<number>({ type: 'cost', index: i }, { storage })
  }
  for (const i of ids.get()) add(i)
  await b.idle()
  return { b, ids, total, add }
}

describe('persisted families', () => {
  for (const storage of ['session', 'local', 'idb'] as const) {
    it(`PM18 ${storage}: members created after start() are restored when created; PM20 a reload re-runs no instance whose stores were all restored`, async () => {
      const name = fresh(`reload-${storage}`)
      const runs = new Map<string, number>()
      const one = await page(name, storage, runs)
      expect(one.total.get()).toBe(0)
      one.b.batch(() => {
        one.add(1)
        one.add(2)
        one.ids.set([1, 2])
      })
      one.b.store({ type: 'qty', index: 2 }).set(7)
      await one.b.idle()
      expect(one.total.get()).toBe(80)
      one.b.dispose()

      runs.clear()
      const two = await page(name, storage, runs)
      expect(two.b.store({ type: 'qty', index: 2 }).get()).toBe(7)
      expect(two.b.store({ type: 'cost', index: 2 }).get()).toBe(70)
      expect(two.total.get()).toBe(80)
      // Every store of cost[1], cost[2] and total was restored: nothing ran.
      expect([...runs]).toEqual([])
      // And the restored graph is live.
      two.b.store({ type: 'qty', index: 1 }).set(3)
      expect(two.total.get()).toBe(100)
    })
  }

  it('PM20 an instance with a store that had no entry runs on reload; the others do not', async () => {
    const name = fresh('partial')
    const runs = new Map<string, number>()
    const one = await page(name, 'session', runs)
    one.b.batch(() => {
      one.add(1)
      one.add(2)
      one.ids.set([1, 2])
    })
    await one.b.idle()
    one.b.dispose()
    // Item 2's output entry is lost (say, evicted).
    const lost = Object.keys(sessionStorage).filter((k) => k.includes('{"index"%3A2,"type"%3A"cost"}'))
    expect(lost).toHaveLength(1)
    sessionStorage.removeItem(lost[0]!)
    runs.clear()
    const two = await page(name, 'session', runs)
    // cost[2] recomputes its output, which changes total's ALL input: total runs once, after it.
    expect([...runs]).toEqual([
      ['cost2', 1],
      ['total', 1],
    ])
    expect(two.total.get()).toBe(20)
  })

  it('PM11 board.remove() removes the persisted entry: a reload does not find it', async () => {
    const name = fresh('remove')
    const runs = new Map<string, number>()
    const one = await page(name, 'local', runs)
    one.b.batch(() => {
      one.add(1, 5)
      one.ids.set([1])
    })
    await one.b.idle()
    expect(Object.keys(localStorage).filter((k) => k.includes('qty'))).toHaveLength(1)
    one.b.batch(() => {
      one.b.remove({ type: 'qty', index: 1 })
      one.b.remove({ type: 'cost', index: 1 })
    })
    await one.b.idle()
    expect(one.total.get()).toBe(0)
    expect(Object.keys(localStorage).filter((k) => k.includes('qty') || k.includes('cost'))).toEqual([])
    one.b.dispose()
    // ids still says [1] (the page forgot to update it): item 1 comes back at its initial value.
    const two = await page(name, 'local', runs)
    expect(two.b.store({ type: 'qty', index: 1 }).get()).toBe(1)
    expect(two.total.get()).toBe(10)
  })
})

describe('cache per instance', () => {
  it('PM15 the cache key of a MATCH instance includes its matched values; a reload hits for each', async () => {
    // Two instances see the same input value: each computes its own entry.
    const name = fresh('cache')
    let computed: string[] = []
    const define = async () => {
      const b = board(name)
      for (const i of [1, 2]) {
        b.store({ type: 'x', index: i }, { initial: 3 })
        b.store({ type: 'y', index: i })
      }
      b.callback({
        id: 'slow',
        inputs: [{ type: 'x', index: MATCH }],
        outputs: [{ type: 'y', index: MATCH }],
        cache: {},
        run: async (x, ctx) => (computed.push(JSON.stringify(ctx.match)), `${x}@${ctx.match!.index}`),
      })
      await b.start()
      await b.idle()
      return b
    }
    const one = await define()
    expect(computed.sort()).toEqual(['{"index":1}', '{"index":2}'])
    expect([1, 2].map((i) => one.store({ type: 'y', index: i }).get())).toEqual(['3@1', '3@2'])
    expect(one.status('slow[{"index":1}]')?.stats.misses).toBe(1)
    one.dispose()
    computed = []
    const two = await define()
    expect(computed).toEqual([])
    expect([1, 2].map((i) => two.store({ type: 'y', index: i }).get())).toEqual(['3@1', '3@2'])
    expect(two.status('slow[{"index":2}]')?.stats.hits).toBe(1)
  })
})

describe('worker tasks', () => {
  it('PM25 a worker task is the run of MATCH instances and of an ALL summary; triggered crosses with object ids', async () => {
    //  {qty,i} ─► [cost[i]: worker] ─► {cost,i} ─► [total: worker] (ALL) ─► total
    const b = board(fresh('worker'))
    const pool = b.workers(() => new Worker(new URL('./pattern.worker.ts', import.meta.url), { type: 'module' }))
    const total = b.store<number>('total')
    b.callback({ id: 'cost', inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: 'cost', index: MATCH }], run: pool.task('cost') })
    b.callback({ id: 'total', inputs: [{ type: 'cost', index: ALL }], outputs: [total], run: pool.task('total') })
    for (const i of [1, 2]) {
      b.store({ type: 'qty', index: i }, { initial: i })
      b.store({ type: 'cost', index: i })
    }
    await b.start()
    await b.idle()
    expect(total.get()).toBe(30)
    b.store({ type: 'qty', index: 2 }).set(5)
    await b.idle()
    expect(b.store({ type: 'cost', index: 2 }).get()).toEqual({ cost: 50, triggered: [{ index: 2, type: 'qty' }] })
    expect(total.get()).toBe(60)
    expect(b.status('cost[{"index":1}]')?.stats.runs).toBe(1)
    expect(b.status('cost[{"index":2}]')?.stats.runs).toBe(2)
    expect(b.status('total')?.stats.runs).toBe(2)
  })
})
