/**
 * Mutation tests for src/cache (issue 11 §1), in real Chromium: behaviours of the memo cache
 * and single flight that surviving mutants showed no other test pins. Public API and the
 * existing seams only (createBoard, stores, callbacks, inspect(), raw IndexedDB reads).
 */
import { afterEach, expect, it, vi } from 'vitest'
import { type Board, type BoardOptions, createBoard } from '../../src/index'
import { rawKeys, readRaw } from '../idb'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<BoardOptions> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `mut-${label}-${Date.now()}-${++n}`
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats

const restores: Array<() => void> = []
afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  for (const r of restores.splice(0)) r()
  sessionStorage.clear()
  vi.restoreAllMocks()
})

it('M cache: without crypto.subtle (not a secure context) a cached callback runs every time, each run a miss, with one warning naming the board', async () => {
  Object.defineProperty(crypto, 'subtle', { configurable: true, get: () => undefined })
  restores.push(() => delete (crypto as { subtle?: unknown }).subtle)
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  // n ─► [f, cached] ─► out
  const name = fresh('nohash')
  const b = board(name)
  const warnings: string[] = []
  b.on('warning', (w) => warnings.push(w.message))
  const input = b.store('n', { initial: 1 })
  const out = b.store<number>('out')
  const run = vi.fn((x: number) => x * 10)
  b.callback({ id: 'f', inputs: [input], outputs: [out], cache: {}, run })
  await b.start()
  input.set(2)
  await b.idle()
  input.set(1)
  await b.idle()
  expect(out.get()).toBe(10)
  expect(run.mock.calls.map((c) => c[0])).toEqual([1, 2, 1])
  expect(statsOf(b, 'f')).toMatchObject({ runs: 3, misses: 3, hits: 0 })
  const text = `board "${name}" cannot hash cache keys here (no crypto.subtle: not a secure context); cached callbacks run every time.`
  expect(warnings).toEqual([text, text, text])
  expect(warn.mock.calls.map((c) => c[0])).toEqual([`[switchboard] ${text}`])
})

it('M cache: storage pressure is read once per board, however many cached runs and callbacks', async () => {
  const estimate = vi.spyOn(navigator.storage, 'estimate')
  // n ─┬─► [f, cached] ─► f-out
  //    └─► [g, cached] ─► g-out      three values of n: six cached runs, one estimate
  const b = board(fresh('estimate-once'))
  const input = b.store('n', { initial: 1 })
  b.callback({ id: 'f', inputs: [input], outputs: [b.store('f-out')], cache: {}, run: (x: number) => x })
  b.callback({ id: 'g', inputs: [input], outputs: [b.store('g-out')], cache: {}, run: (x: number) => -x })
  await b.start()
  input.set(2)
  await b.idle()
  input.set(3)
  await b.idle()
  expect(statsOf(b, 'f').runs + statsOf(b, 'g').runs).toBe(6)
  expect(estimate).toHaveBeenCalledTimes(1)
})

it('M cache: an estimate without usage or quota reports 0 for each; one that rejects or throws reports nothing and fails nothing', async () => {
  const estimate = vi.spyOn(navigator.storage, 'estimate').mockResolvedValue({})
  const one = board(fresh('estimate-empty'))
  one.callback({
    id: 'f',
    inputs: [one.store('n', { initial: 1 })],
    outputs: [one.store('out')],
    cache: {},
    run: (x: number) => x,
  })
  await one.start()
  await vi.waitFor(() => expect(one.inspect().capabilities.storage).toEqual({ usage: 0, quota: 0 }))

  for (const how of ['rejects', 'throws'] as const) {
    let settled = false
    estimate.mockReset().mockImplementation(() => {
      if (how === 'throws') throw new DOMException('denied', 'SecurityError')
      return Promise.reject(new DOMException('denied', 'SecurityError')).finally(() => (settled = true))
    })
    const b = board(fresh(`estimate-${how}`))
    const out = b.store<number>('out')
    b.callback({
      id: 'f',
      inputs: [b.store('n', { initial: 2 })],
      outputs: [out],
      cache: {},
      run: (x: number) => x * 3,
    })
    await b.start()
    expect(estimate).toHaveBeenCalledTimes(1)
    if (how === 'rejects') await vi.waitFor(() => expect(settled).toBe(true))
    await new Promise((r) => setTimeout(r, 0))
    expect(out.get()).toBe(6)
    expect(b.errors.size).toBe(0)
    expect(b.inspect().capabilities.storage).toBeUndefined()
  }
})

it("M cache: callbacks of one tab asking for one key share the tab's flight: one lock claim (generation 1), not one per callback", async () => {
  //        ┌─► [c0, cache id "shared"] ─► o0
  // seed ──┼─► [c1] ─► o1                  one execution, one claim of the key's lock
  //        └─► [c2] ─► o2
  const name = fresh('one-claim')
  const b = board(name)
  const seed = b.store('seed', { initial: 4 })
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const compute = vi.fn(async (x: number) => {
    await gate
    return x * 5
  })
  const outs = [0, 1, 2].map((i) => {
    const o = b.store<number>(`o${i}`)
    b.callback({ id: `c${i}`, inputs: [seed], outputs: [o], run: compute, cache: { id: 'shared' } })
    return o
  })
  const started = b.start()
  await vi.waitFor(() => expect(compute).toHaveBeenCalledTimes(1))
  release()
  await started
  expect(outs.map((o) => o.get())).toEqual([20, 20, 20])
  const generations = (await rawKeys(name, 'cache')).filter((k) => (k as string[])[0] === 'g')
  expect(generations).toHaveLength(1)
  expect(await readRaw(name, 'cache', (s) => s.get(generations[0]!))).toBe(1)
})

it("M cache: maxEntries counts and evicts per cache id: another id's entries neither count toward it nor get evicted for it", async () => {
  // a ─► [f, maxEntries 5] ─► fo        memory only (idb: false): what memory keeps is
  // b ─► [g, maxEntries 2] ─► go        exactly what hits
  const b = board(fresh('per-id'), { idb: false })
  const a = b.store('a', { initial: 1 })
  const bb = b.store('b', { initial: 1 })
  const f = vi.fn((x: number) => x + 100)
  const g = vi.fn((x: number) => x + 200)
  b.callback({ id: 'f', inputs: [a], outputs: [b.store('fo')], cache: { maxEntries: 5 }, run: f })
  b.callback({ id: 'g', inputs: [bb], outputs: [b.store('go')], cache: { maxEntries: 2 }, run: g })
  await b.start() // f(1), g(1)
  for (const v of [2, 3, 2, 1]) {
    bb.set(v) // g(2) kept beside g(1); g(3) evicts g(1), the oldest of g (f(1) is older)
    await b.idle()
  }
  expect(g.mock.calls.map((c) => c[0])).toEqual([1, 2, 3, 1]) // 2 was a hit, 1 a miss
  a.set(2)
  await b.idle()
  a.set(1)
  await b.idle()
  expect(f.mock.calls.map((c) => c[0])).toEqual([1, 2]) // f(1) survived g's evictions
  expect(statsOf(b, 'f')).toMatchObject({ runs: 2, hits: 1 })
})

it('M cache: memory keeps at most 128 MiB of entries over all cache ids, least recently used out first, never the entry just added', async () => {
  // a ─► [f, cache id "big"]   ─► fo      memory only (idb: false). Each value is an
  // b ─► [g, cache id "other"] ─► go      ArrayBuffer (zero pages: cheap until written) of
  // c ─► [h, cache id "big"]   ─► ho      72 MB (x ≠ 9) or 144 MB (x = 9); two 72 MB entries
  //                                       are past the 128 MiB cap, each id under its own.
  const big = (x: number) => new ArrayBuffer(x === 9 ? 144_000_000 : 72_000_000)
  const b = board(fresh('memory-cap'), { idb: false })
  const a = b.store('a', { initial: 1 })
  const bb = b.store('b', { initial: 0 })
  const c = b.store('c', { initial: 0 })
  const f = vi.fn(big)
  const g = vi.fn(big)
  b.callback({ id: 'f', inputs: [a], outputs: [b.store('fo')], cache: { id: 'big' }, run: f })
  b.callback({
    id: 'g',
    inputs: [bb],
    outputs: [b.store('go')],
    cache: { id: 'other' },
    run: g,
    preventInitialCall: true,
  })
  b.callback({ id: 'h', inputs: [c], outputs: [b.store('ho')], cache: { id: 'big' }, run: f, preventInitialCall: true })
  await b.start() // f(1)
  const step = async (s: typeof a, v: number) => {
    s.set(v)
    await b.idle()
  }
  await step(bb, 1) // g(1): f(1) out
  await step(a, 2) // f(2): g(1) out
  await step(a, 1) // f(1) again: f(2) out
  await step(bb, 2) // g(2): f(1) out
  await step(bb, 1) // g(1) again: g(2) out
  expect(f.mock.calls.map((x) => x[0])).toEqual([1, 2, 1])
  expect(g.mock.calls.map((x) => x[0])).toEqual([1, 2, 1])
  // One entry past the cap on its own: everything else goes, it stays (h finds it).
  await step(a, 9)
  await step(c, 9)
  expect(f.mock.calls.map((x) => x[0])).toEqual([1, 2, 1, 9])
  expect(statsOf(b, 'h')).toMatchObject({ runs: 0, hits: 1 })
})

it("M cache: a leader's error fails its in-tab follower too, from one execution", async () => {
  //       ┌─► [p, cache id "k"] ─► po      the computation throws once; both callbacks fail
  // seed ─┤                                with that error, and it ran once
  //       └─► [q, cache id "k"] ─► qo
  const b = board(fresh('leader-error'))
  const seed = b.store('seed', { initial: 1 })
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const compute = vi.fn(async () => {
    await gate
    throw new Error('no data for seed 1')
  })
  b.callback({ id: 'p', inputs: [seed], outputs: [b.store('po')], cache: { id: 'k' }, run: compute })
  b.callback({ id: 'q', inputs: [seed], outputs: [b.store('qo')], cache: { id: 'k' }, run: compute })
  const started = b.start()
  await vi.waitFor(() => expect(compute).toHaveBeenCalledTimes(1))
  release()
  await started
  expect(compute).toHaveBeenCalledTimes(1)
  expect([...b.errors.keys()].sort()).toEqual(['p', 'q'])
  for (const id of ['p', 'q']) expect(b.errors.get(id)!.message).toMatch(/no data for seed 1/)
})

it("M cache: scope 'global' is the default scope (one key with and without it), and a global entry outlives clearSession()", async () => {
  // n ─┬─► [d, cache id "k"]                  ─► do      same key: one execution
  //    └─► [e, cache id "k", scope "global"]  ─► eo
  const name = fresh('scope-default')
  const b = board(name)
  const input = b.store('n', { initial: 3 })
  const compute = vi.fn((x: number) => x * 7)
  b.callback({ id: 'd', inputs: [input], outputs: [b.store('do')], cache: { id: 'k' }, run: compute })
  b.callback({ id: 'e', inputs: [input], outputs: [b.store('eo')], cache: { id: 'k', scope: 'global' }, run: compute })
  await b.start()
  expect(compute).toHaveBeenCalledTimes(1)
  await b.clearSession()
  b.dispose()
  // A reload in the new session: the global entry is still its key's (an IndexedDB hit).
  const again = board(name)
  const out = again.store<number>('eo')
  again.callback({
    id: 'e',
    inputs: [again.store('n', { initial: 3 })],
    outputs: [out],
    cache: { id: 'k', scope: 'global' },
    run: compute,
  })
  await again.start()
  expect(out.get()).toBe(21)
  expect(compute).toHaveBeenCalledTimes(1)
  expect(statsOf(again, 'e')).toMatchObject({ runs: 0, hits: 1 })
})
