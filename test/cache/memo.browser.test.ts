/**
 * The shared memo cache in real Chromium: hits and misses, single flight in a tab and
 * across "tabs" (two boards of one name in one page share IndexedDB, Web Locks and
 * BroadcastChannel exactly as two tabs of an origin do, but each has its own memory),
 * reloads, TTL and caps, the signal pattern, sessions and clears.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardOptions, createBoard } from '../../src/index'
import { editRaw, readRaw } from '../idb'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<BoardOptions> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `memo-${label}-${Date.now()}-${++n}`
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats

/** Lets every microtask and one macrotask turn pass (no wall-clock wait). */
const turn = () => new Promise((r) => setTimeout(r, 0))

function deferred<T = void>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  vi.restoreAllMocks()
})

describe('hits, misses and keys', () => {
  it('the same input is computed once; a new input misses; going back hits memory', async () => {
    // n ─► [square, cached] ─► sq
    const b = board(fresh('basic'))
    const input = b.store('n', { initial: 2 })
    const sq = b.store<number>('sq')
    const run = vi.fn((x: number) => x * x)
    b.callback({ id: 'square', inputs: [input], outputs: [sq], run, cache: {} })
    await b.start()
    expect(sq.get()).toBe(4)
    input.set(3)
    await b.idle()
    expect(sq.get()).toBe(9)
    input.set(2)
    await b.idle()
    expect(sq.get()).toBe(4)
    expect(run).toHaveBeenCalledTimes(2)
    expect(statsOf(b, 'square')).toMatchObject({ runs: 2, misses: 2, hits: 1 })
  })

  it('a reload (new board, same name) gets a hit from IndexedDB and runs nothing', async () => {
    const name = fresh('reload')
    const define = (b: Board) => {
      const input = b.store('n', { initial: 5 })
      const out = b.store<{ total: number }>('out')
      const run = vi.fn((x: number) => ({ total: x * 10 }))
      b.callback({ id: 'total', inputs: [input], outputs: [out], run, cache: {} })
      return { out, run }
    }
    const first = board(name)
    const a = define(first)
    await first.start()
    await first.idle()
    expect(a.run).toHaveBeenCalledTimes(1)
    first.dispose()

    const second = board(name)
    const c = define(second)
    await second.start()
    expect(c.out.get()).toEqual({ total: 50 })
    expect(c.run).not.toHaveBeenCalled()
    expect(statsOf(second, 'total')).toMatchObject({ runs: 0, hits: 1, misses: 0 })
  })

  it('cache.version and board version are part of the key', async () => {
    const name = fresh('version')
    const run = vi.fn((x: number) => x + 1)
    for (const [bv, cv] of [
      [1, 1],
      [1, 2],
      [2, 2],
      [1, 1],
    ] as const) {
      const b = board(name, { version: bv })
      const input = b.store('n', { initial: 1 })
      const out = b.store<number>('out')
      b.callback({ id: 'inc', inputs: [input], outputs: [out], run, cache: { version: cv } })
      await b.start()
      await b.idle()
      b.dispose()
    }
    // (1,1) computed, (1,2) computed, (2,2) computed, (1,1) again: a hit.
    expect(run).toHaveBeenCalledTimes(3)
  })

  it('an input with no stable key fails the callback with a clear error naming it; others run', async () => {
    const b = board(fresh('unhashable'))
    const input = b.store<unknown>('n', { initial: { f: () => 1 } })
    const out = b.store('out')
    const other = b.store('other')
    b.callback({ id: 'bad', inputs: [input], outputs: [out], run: () => 1, cache: {} })
    b.callback({ id: 'fine', inputs: [input], outputs: [other], run: () => 2 })
    await b.start()
    const err = b.errors.get('bad')!
    expect(err.callbackId).toBe('bad')
    expect(err.code).toBe('unhashable')
    expect(err.message).toMatch(/callback "bad" argument 1 at \.f is a function/)
    expect(other.get()).toBe(2)
  })

  it('inspect() reports storage pressure (navigator.storage.estimate) once a cached callback ran', async () => {
    const b = board(fresh('estimate'))
    const input = b.store('n', { initial: 1 })
    b.callback({ id: 'e', inputs: [input], outputs: [b.store('out')], run: (x) => x, cache: {} })
    const estimate = vi.spyOn(navigator.storage, 'estimate')
    expect(b.inspect().capabilities.storage).toBeUndefined()
    await b.start()
    await waitFor(() => expect(b.inspect().capabilities.storage).toBeDefined())
    // Read once, and reported as the browser gave it.
    expect(estimate).toHaveBeenCalledTimes(1)
    const given = await estimate.mock.results[0]!.value
    expect(b.inspect().capabilities.storage).toEqual({ usage: given.usage, quota: given.quota })
    expect(given.quota).toBeGreaterThan(0)
  })

  it('state values are part of the key', async () => {
    const b = board(fresh('state'))
    const input = b.store('n', { initial: 1 })
    const factor = b.store('factor', { initial: 10 })
    const out = b.store<number>('out')
    const run = vi.fn((x: number, f: number) => x * f)
    b.callback({ id: 'mul', inputs: [input], state: [factor], outputs: [out], run, cache: {} })
    await b.start()
    factor.set(20)
    input.set(2)
    await b.idle()
    input.set(1)
    await b.idle()
    expect(out.get()).toBe(20)
    expect(run).toHaveBeenCalledTimes(3)
  })
})

describe('single flight', () => {
  it('in a tab: 50 callbacks sharing a cache id and input run the computation once', async () => {
    //        ┌─► [c0, cache id "heavy"] ─► o0
    // seed ──┼─► …                             one execution, 49 hits
    //        └─► [c49] ─► o49
    const b = board(fresh('fifty'))
    const seed = b.store('seed', { initial: 7 })
    const gate = deferred()
    const compute = vi.fn(async (x: number) => {
      await gate.promise
      return x * 3
    })
    const outs = Array.from({ length: 50 }, (_, i) => {
      const o = b.store<number>(`o${i}`)
      b.callback({ id: `c${i}`, inputs: [seed], outputs: [o], run: compute, cache: { id: 'heavy' } })
      return o
    })
    const started = b.start()
    await waitFor(() => expect(compute).toHaveBeenCalledTimes(1))
    gate.resolve()
    await started
    expect(outs.map((o) => o.get())).toEqual(Array(50).fill(21))
    expect(compute).toHaveBeenCalledTimes(1)
    const all = b.inspect().callbacks.map((c) => c.stats)
    expect(all.reduce((s, x) => s + x.runs, 0)).toBe(1)
    expect(all.reduce((s, x) => s + x.hits, 0)).toBe(49)
    expect(all.reduce((s, x) => s + x.misses, 0)).toBe(1)
  })

  it('across tabs: two boards of one name asking at once compute once; the follower counts a hit', async () => {
    const name = fresh('two-tabs')
    const gate = deferred()
    const runs = vi.fn(async (x: number) => {
      await gate.promise
      return x + 100
    })
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 1 })
      const out = b.store<number>('out')
      b.callback({ id: 'slow', inputs: [input], outputs: [out], run: runs, cache: {} })
      return { b, out, started: b.start() }
    }
    const a = tab()
    await waitFor(() => expect(runs).toHaveBeenCalledTimes(1))
    const c = tab()
    // c is now waiting on the key's lock (or its IndexedDB read found nothing yet).
    await new Promise((r) => setTimeout(r, 50))
    gate.resolve()
    await Promise.all([a.started, c.started])
    expect(a.out.get()).toBe(101)
    expect(c.out.get()).toBe(101)
    expect(runs).toHaveBeenCalledTimes(1)
    expect(statsOf(c.b, 'slow')).toMatchObject({ runs: 0, hits: 1 })
  })

  it("a superseded leader's abort does not fail a follower in the same tab: the follower computes the value", async () => {
    // a1 ─► [leader, cache id "k"] ─► out1      a1 and a2 hold the same value, so both
    // a2 ─► [follower, cache id "k"] ─► out2    callbacks ask for one key
    const b = board(fresh('follower'))
    const a1 = b.store('a1', { initial: 1 })
    const a2 = b.store('a2', { initial: 0 })
    const out1 = b.store<number>('out1')
    const out2 = b.store<number>('out2')
    const gate = deferred()
    const compute = vi.fn(async (v: number, ctx: { signal: AbortSignal }) => {
      await gate.promise
      ctx.signal.throwIfAborted() // the superseded leader fails with its AbortError
      return v * 2
    })
    b.callback({ id: 'leader', inputs: [a1], outputs: [out1], cache: { id: 'k' }, run: compute })
    b.callback({
      id: 'follower',
      inputs: [a2],
      outputs: [out2],
      cache: { id: 'k' },
      run: compute,
      preventInitialCall: true,
    })
    const digest = crypto.subtle.digest.bind(crypto.subtle)
    let hashed = 0
    vi.spyOn(crypto.subtle, 'digest').mockImplementation((alg, data) => digest(alg, data).finally(() => hashed++))
    void b.start()
    await waitFor(() => expect(compute).toHaveBeenCalledTimes(1))
    a2.set(1) // the follower hashes the same key and joins the leader's flight
    await waitFor(() => expect(hashed).toBe(2))
    await turn()
    a1.set(5) // the leader is superseded
    gate.resolve()
    await b.idle()
    expect(b.errors.size).toBe(0)
    expect(out2.get()).toBe(2)
    expect(out1.get()).toBe(10)
    expect(compute).toHaveBeenCalledTimes(3) // leader(1) aborted, follower(1), leader(5)
    expect(statsOf(b, 'follower')).toMatchObject({ runs: 1, misses: 1, hits: 0 })
  })
})

describe('a leader superseded while it waits for the key lock', () => {
  it("its follower in the same tab is not failed by the leader's abort: it leads and computes the value itself", async () => {
    //   tab x: n ─► [x, cache id "k"] ─► out      holds the key(1) lock, then fails: no entry
    //   tab t: a1 ─► [leader, cache id "k"] ─► o1  waits for that lock; a1 changes meanwhile
    //          a2 ─► [follower, cache id "k"] ─► o2 joins the leader's flight for key(1)
    const name = fresh('lock-superseded')
    const gate = deferred()
    const x = board(name)
    const xn = x.store('n', { initial: 1 })
    const xo = x.store<number>('out')
    const failing = vi.fn(async () => {
      await gate.promise
      throw new Error('tab x failed')
    })
    x.callback({ id: 'x', inputs: [xn], outputs: [xo], cache: { id: 'k' }, run: failing })
    void x.start()
    await waitFor(() => expect(failing).toHaveBeenCalledTimes(1))

    const t = board(name)
    const a1 = t.store('a1', { initial: 1 })
    const a2 = t.store('a2', { initial: 0 })
    const o1 = t.store<number>('o1')
    const o2 = t.store<number>('o2')
    const compute = vi.fn((v: number) => v * 2)
    t.callback({ id: 'leader', inputs: [a1], outputs: [o1], cache: { id: 'k' }, run: compute })
    t.callback({
      id: 'follower',
      inputs: [a2],
      outputs: [o2],
      cache: { id: 'k' },
      run: compute,
      preventInitialCall: true,
    })
    const digest = crypto.subtle.digest.bind(crypto.subtle)
    let hashed = 0
    vi.spyOn(crypto.subtle, 'digest').mockImplementation((alg, data) => digest(alg, data).finally(() => hashed++))
    void t.start()
    // The leader read IndexedDB (nothing) and now waits in the key's lock queue.
    await waitFor(async () => expect((await navigator.locks.query()).pending?.length ?? 0).toBeGreaterThan(0))
    a2.set(1) // the follower hashes key(1) and joins the leader's flight
    await waitFor(() => expect(hashed).toBe(2))
    await turn()
    a1.set(5) // the leader is superseded while it waits
    gate.resolve() // tab x fails and lets go of the lock: the leader gets it, superseded
    await t.idle()
    await x.idle()
    expect(t.errors.size).toBe(0)
    expect(o2.get()).toBe(2)
    expect(o1.get()).toBe(10)
    expect(compute.mock.calls.map((c) => c[0]).sort()).toEqual([1, 5])
    expect(x.errors.get('x')?.cause).toEqual(new Error('tab x failed'))
  })
})

describe('hostile throws in a shared flight', () => {
  for (const [label, thrown] of [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'boom'],
    ['a null-prototype object', Object.create(null) as object],
  ] as const) {
    it(`a computation that throws ${label} fails the leader and the follower with that very value`, async () => {
      // seed ─► [c0, cache id "k"] ─► o0     both ask for one key: c1 joins c0's flight
      //     └─► [c1, cache id "k"] ─► o1     and must see what c0's computation threw
      const b = board(fresh('throws'))
      const seed = b.store('seed', { initial: 1 })
      const gate = deferred()
      const compute = vi.fn(async () => {
        await gate.promise
        throw thrown
      })
      const outs = [0, 1].map((i) => {
        const o = b.store<number>(`o${i}`)
        b.callback({ id: `c${i}`, inputs: [seed], outputs: [o], run: compute, cache: { id: 'k' } })
        return o
      })
      const started = b.start()
      await waitFor(() => expect(compute).toHaveBeenCalledTimes(1))
      gate.resolve()
      await started
      expect(compute).toHaveBeenCalledTimes(1)
      expect([...b.errors.keys()].sort()).toEqual(['c0', 'c1'])
      for (const id of ['c0', 'c1']) expect(Object.is(b.errors.get(id)!.cause, thrown)).toBe(true)
      expect(outs.map((o) => o.get())).toEqual([undefined, undefined])
    })
  }
})

describe('entries: TTL, caps', () => {
  // n ─► [t, cached, ttlMs 60 s] ─► out
  const ttlBoard = (name: string) => {
    const b = board(fresh(name))
    const input = b.store('n', { initial: 1 })
    const out = b.store<number>('out')
    const run = vi.fn((x: number) => x)
    b.callback({ id: 't', inputs: [input], outputs: [out], run, cache: { ttlMs: 60_000 } })
    return { b, input, out, run }
  }
  // Only the clock is faked: IndexedDB, locks and crypto keep their real timing.
  const withFrozenDate = async (body: () => Promise<void>) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      await body()
    } finally {
      vi.useRealTimers()
    }
  }

  it('ttlMs: an entry expires that long after its write', async () => {
    const { b, input, run } = ttlBoard('ttl')
    await withFrozenDate(async () => {
      await b.start()
      input.set(2)
      await b.idle()
      input.set(1)
      await b.idle()
      expect(run).toHaveBeenCalledTimes(2)
      vi.setSystemTime(Date.now() + 59_000)
      input.set(2)
      await b.idle()
      expect(run).toHaveBeenCalledTimes(2) // 59 s after its write: still fresh
      vi.setSystemTime(Date.now() + 2_000)
      input.set(1)
      await b.idle()
      expect(run).toHaveBeenCalledTimes(3) // 61 s: expired, computed again
    })
  })

  it('ttlMs: an entry read exactly ttlMs after its write has expired (fresh means younger than ttlMs)', async () => {
    // the clock is frozen, then moved to the edge
    const { b, input, out, run } = ttlBoard('ttl-edge')
    await withFrozenDate(async () => {
      await b.start() // key 1 written at T
      input.set(2)
      await b.idle() // key 2 written at T: key 1 leaves the inputs, its entry stays in memory
      vi.setSystemTime(Date.now() + 60_000)
      input.set(1)
      await b.idle()
      expect(run).toHaveBeenCalledTimes(3) // T + 60 s: key 1 expired, in memory and in IndexedDB
      expect(out.get()).toBe(1)
    })
  })

  it('maxEntries applies to memory and IndexedDB alike, oldest evicted first', async () => {
    const name = fresh('cap')
    const define = (b: Board) => {
      const input = b.store('n', { initial: 0 })
      const out = b.store<number>('out')
      const run = vi.fn((x: number) => x * 2)
      b.callback({ id: 'cap', inputs: [input], outputs: [out], run, cache: { maxEntries: 2 } })
      return { input, run }
    }
    const b = board(name)
    const a = define(b)
    await b.start()
    for (const v of [1, 2]) {
      a.input.set(v)
      await b.idle()
      await new Promise((r) => setTimeout(r, 5)) // distinct write times: "oldest" is defined
    }
    // Entries written: 0, 1, 2 → only 1 and 2 are kept.
    a.input.set(0)
    await b.idle()
    expect(a.run).toHaveBeenCalledTimes(4)
    b.dispose()

    // After a reload: 2 and 0 are in IndexedDB (1 was evicted by the rewrite of 0).
    const c = board(name)
    const d = define(c)
    await c.start() // n = 0: a hit
    d.input.set(2)
    await c.idle()
    expect(d.run).toHaveBeenCalledTimes(0)
    d.input.set(1)
    await c.idle()
    expect(d.run).toHaveBeenCalledTimes(1)
  })

  it('a write under the caps does not read every entry of its cache id (filling n entries is O(n), not O(n²))', async () => {
    // n ─► [fill, cached, maxEntries 1000] ─► out
    // Counts getAll() requests on the real IndexedDB (a spy that calls through): the caps
    // are checked against a running total kept in the same transaction, and entries are
    // read only when that total says the caps may be exceeded.
    const b = board(fresh('fill'))
    const input = b.store('n', { initial: 0 })
    const out = b.store<number>('out')
    b.callback({ id: 'fill', inputs: [input], outputs: [out], run: (x: number) => x + 1, cache: { maxEntries: 1000 } })
    await b.start()
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll')
    for (let v = 1; v <= 40; v++) {
      input.set(v)
      await b.idle()
    }
    expect(out.get()).toBe(41)
    expect(getAll).toHaveBeenCalledTimes(0)
  })

  it('filling a cache id to exactly maxEntries reads no entries; the write past it reads them and evicts one', async () => {
    // n ─► [cap, cached, maxEntries 3] ─► out
    // Counts getAll() on the real IndexedDB (a spy that calls through). The running total
    // decides: 3 entries under a cap of 3 are within it, a 4th is not.
    const name = fresh('cap-edge')
    const b = board(name)
    const input = b.store('n', { initial: 0 })
    const out = b.store<number>('out')
    b.callback({ id: 'cap', inputs: [input], outputs: [out], run: (x: number) => x + 1, cache: { maxEntries: 3 } })
    await b.start() // entry 1 of 3 (the first write of the id has no total yet: it scans)
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll')
    for (const v of [1, 2]) {
      input.set(v)
      await b.idle()
    }
    expect(getAll).toHaveBeenCalledTimes(0) // entries 2 and 3 of 3
    input.set(3)
    await b.idle()
    expect(getAll).toHaveBeenCalled() // entry 4: past the cap
    const metas = await readRaw(name, 'cache', (os) => os.getAllKeys(IDBKeyRange.bound(['m'], ['m', []])))
    expect(metas).toHaveLength(3)
    expect(out.get()).toBe(4)
  })

  it('the running total is shared by tabs: two boards of one name filling one cache id keep maxEntries between them', async () => {
    // two "tabs" ─► [cap, cached, maxEntries 3] ─► out ; each writes 4 distinct keys
    const name = fresh('cap-tabs')
    const define = (b: Board) => {
      const input = b.store('n', { initial: 0 })
      const out = b.store<number>('out')
      const run = vi.fn((x: number) => x * 3)
      b.callback({ id: 'cap', inputs: [input], outputs: [out], run, cache: { maxEntries: 3 } })
      return { input, out, run }
    }
    const t1 = board(name)
    const t2 = board(name)
    const a = define(t1)
    const c = define(t2)
    await Promise.all([t1.start(), t2.start()]) // both compute key 0 once between them
    for (const v of [1, 2, 3, 4]) {
      a.input.set(v * 10)
      await t1.idle()
      c.input.set(v * 10 + 1)
      await t2.idle()
      await new Promise((r) => setTimeout(r, 2)) // distinct write times: "oldest" is defined
    }
    // IndexedDB holds exactly the 3 newest keys: 40, 41 and 31.
    const keys = await readRaw(name, 'cache', (os) => os.getAllKeys(IDBKeyRange.bound(['m'], ['m', []])))
    expect(keys).toHaveLength(3)
    // The newest written (41, by t2) is among them: a third tab gets it without computing.
    const t3 = board(name)
    const e = define(t3)
    e.input.set(41)
    await t3.start()
    expect(e.out.get()).toBe(123)
    expect(e.run).toHaveBeenCalledTimes(0)
  })
})

describe('F08 malformed rows in IndexedDB', () => {
  /** The one meta row of board `name`'s cache (it holds one entry). */
  const metaKeyOf = async (name: string) => {
    const keys = await readRaw(name, 'cache', (os) => os.getAllKeys(IDBKeyRange.bound(['m'], ['m', []])))
    expect(keys).toHaveLength(1)
    return keys![0] as [string, string, string]
  }
  const define = (b: Board) => {
    const input = b.store('n', { initial: 1 })
    const out = b.store<number>('out')
    const run = vi.fn((x: number) => x * 10)
    b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
    return { input, out, run }
  }

  for (const [field, value] of [
    ['t', 'yesterday'],
    ['exp', 'Infinity'], // a string that would compare as never expiring
    ['bytes', null],
  ] as const) {
    it(`a meta whose ${field} is not a number is a miss: the value stored beside it is not used, the callback computes`, async () => {
      // n ─► [f, cached] ─► out      written by one board, its meta corrupted, read after a reload
      const name = fresh(`bad-meta-${field}`)
      const first = board(name)
      define(first)
      await first.start()
      first.dispose()
      const key = await metaKeyOf(name)
      const meta = await readRaw(name, 'cache', (os) => os.get(key))
      await editRaw(name, 'cache', (os) => os.put({ ...(meta as object), [field]: value }, key))

      const second = board(name)
      const c = define(second)
      await second.start()
      expect(c.run).toHaveBeenCalledTimes(1)
      expect(c.out.get()).toBe(10)
      expect(second.errors.size).toBe(0)
      // The corrupt meta was replaced by the recomputed entry's.
      expect(typeof ((await readRaw(name, 'cache', (os) => os.get(key))) as { [k: string]: unknown })[field]).toBe(
        'number',
      )
    })
  }

  it('a meta row that is not an object (null) is skipped when a write scans its cache id, and the write lands', async () => {
    // n ─► [f, cached] ─► out      a null meta row of another key sits in the cache id, and the
    // running total is gone, so the next write reads every meta of the id.
    const name = fresh('null-meta')
    const first = board(name)
    define(first)
    await first.start()
    first.dispose()
    const [, cacheId] = await metaKeyOf(name)
    await editRaw(name, 'cache', (os) => {
      os.put(null, ['m', cacheId, 'not-a-real-key'])
      os.delete(['s', cacheId])
    })

    const second = board(name)
    const c = define(second)
    await second.start() // n = 1: a hit
    c.input.set(2)
    await second.idle() // a miss: computed and written, the write scans the metas
    expect(c.run).toHaveBeenCalledTimes(1)
    expect(second.errors.size).toBe(0)
    second.dispose()

    // A reload at n = 2 is a hit: the write landed.
    const third = board(name)
    const d = define(third)
    d.input.set(2)
    await third.start()
    expect(d.out.get()).toBe(20)
    expect(d.run).toHaveBeenCalledTimes(0)
  })
})

describe('entries: byte cap', () => {
  it('maxBytes: entries of a cache id are evicted oldest-first past the cap, in memory and IndexedDB', async () => {
    const name = fresh('bytes')
    const define = (b: Board) => {
      const input = b.store('n', { initial: 1 })
      const out = b.store<Uint8Array>('out')
      const run = vi.fn((x: number) => new Uint8Array(1000).fill(x))
      b.callback({ id: 'blob', inputs: [input], outputs: [out], run, cache: { maxBytes: 2500 } })
      return { input, run }
    }
    const b = board(name)
    const a = define(b)
    await b.start()
    for (const v of [2, 3]) {
      await new Promise((r) => setTimeout(r, 5)) // distinct write times
      a.input.set(v)
      await b.idle()
    }
    // 3 × 1000 bytes written under a 2500-byte cap: 1 was evicted.
    a.input.set(1)
    await b.idle()
    expect(a.run).toHaveBeenCalledTimes(4)
    b.dispose()
    const c = board(name)
    const d = define(c)
    await c.start() // 1 was rewritten last: a hit
    d.input.set(3)
    await c.idle()
    expect(d.run).toHaveBeenCalledTimes(0)
    d.input.set(2) // evicted by the rewrite of 1
    await c.idle()
    expect(d.run).toHaveBeenCalledTimes(1)
  })

  it('filling a cache id to exactly maxBytes reads no entries; the write past it reads them and evicts to the cap, not below', async () => {
    // n ─► [blob, cached, maxBytes 3000] ─► out      each value is 1000 bytes exactly (sizeOf
    // counts a typed array by its byteLength). getAll() is counted on the real IndexedDB (a
    // spy that calls through): 3 × 1000 bytes under a cap of 3000 are within it, a 4th is not.
    const name = fresh('bytes-edge')
    const b = board(name)
    const input = b.store('n', { initial: 0 })
    const out = b.store<Uint8Array>('out')
    const run = (x: number) => new Uint8Array(1000).fill(x)
    b.callback({ id: 'blob', inputs: [input], outputs: [out], run, cache: { maxBytes: 3000 } })
    await b.start() // entry 1 (the first write of the id has no total yet: it scans)
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll')
    for (const v of [1, 2]) {
      input.set(v)
      await b.idle()
    }
    expect(getAll).toHaveBeenCalledTimes(0) // 2000 and 3000 bytes of 3000
    input.set(3)
    await b.idle()
    expect(getAll).toHaveBeenCalled() // 4000 bytes: past the cap
    const metas = await readRaw(name, 'cache', (os) => os.getAll(IDBKeyRange.bound(['m'], ['m', []])))
    expect((metas as { bytes: number }[]).map((m) => m.bytes)).toEqual([1000, 1000, 1000])
    expect(await readRaw(name, 'cache', (os) => os.get(['s', 'blob']))).toEqual({ count: 3, bytes: 3000 })
    expect(out.get()).toEqual(new Uint8Array(1000).fill(3))
  })
})

describe('signal pattern', () => {
  it('four downstream callbacks wake on a small key while the data waits in IndexedDB; the expensive step runs once', async () => {
    //                                   ┌─► [min]
    // seed ─► [expensive, cached] ─► ref ┼─► [max]     ref is a small object naming the
    //                                   ├─► [mean]    data; the data itself stays in an
    //                                   └─► [count]   idb store and is read where it is.
    const b = board(fresh('signal'))
    const seed = b.store('seed', { initial: 3 })
    const data = b.store<Float64Array>('data', { storage: 'idb' })
    const ref = b.store<{ rows: number; seed: number }>('ref')
    const expensive = vi.fn((s: number, ctx: { set(store: string, v: unknown): void }) => {
      const arr = new Float64Array(100_000).map((_, i) => (i % 1000) * s)
      ctx.set('data', arr)
      return { rows: arr.length, seed: s }
    })
    b.callback({ id: 'expensive', inputs: [seed], outputs: [ref], run: expensive, cache: {} })
    const reads: string[] = []
    const reducer = (name: string, f: (a: Float64Array) => number) => {
      const out = b.store<number>(name)
      b.callback({
        id: name,
        inputs: [ref],
        outputs: [out],
        run: (r) => {
          reads.push(name)
          expect(JSON.stringify(r).length).toBeLessThan(100)
          return f(data.get()!)
        },
      })
      return out
    }
    const min = reducer('min', (a) => a.reduce((m, x) => Math.min(m, x), Infinity))
    const max = reducer('max', (a) => a.reduce((m, x) => Math.max(m, x), -Infinity))
    const mean = reducer('mean', (a) => a.reduce((s, x) => s + x, 0) / a.length)
    const count = reducer('count', (a) => a.length)
    await b.start()
    await b.idle()
    expect(expensive).toHaveBeenCalledTimes(1)
    expect(reads.sort()).toEqual(['count', 'max', 'mean', 'min'])
    expect([min.get(), max.get(), mean.get(), count.get()]).toEqual([0, 2997, 1498.5, 100_000])
    expect(b.inspect().stores.find((s) => s.id === 'ref')!.bytes).toBeLessThan(100)
  })
})

describe('sessions', () => {
  it('F11 duplicated tab: a session id that another live tab holds is not taken; this tab mints its own and a reload keeps it', async () => {
    // A duplicated tab starts with a copy of sessionStorage naming the original's id, while
    // the original (here: a lock held by hand, under the name session.ts gives it) is alive.
    // Two pages with a real copy: F11 in test/e2e/cache-tabs.spec.ts.
    const name = fresh('session')
    const original = crypto.randomUUID()
    sessionStorage.setItem('sb-session', original)
    let letGo!: () => void
    await new Promise<void>((held) => {
      void navigator.locks.request(`sb-session:${original}`, () => {
        held()
        return new Promise<void>((r) => (letGo = r))
      })
    })
    const a = board(name)
    a.store('note', { initial: '', storage: 'session' })
    await a.start()
    const id = a.session.id
    expect(id).not.toBe(original)
    expect(sessionStorage.getItem('sb-session')).toBe(id)
    letGo()
    a.dispose()
    // A reload: the old document is gone with its lock; the id in storage is kept.
    await waitFor(async () => {
      const held = (await navigator.locks.query()).held ?? []
      expect(held.some((l) => l.name?.endsWith(id))).toBe(false)
    })
    const reloaded = board(name)
    await reloaded.session.ready
    expect(reloaded.session.id).toBe(id)
  })

  it('session-scope entries are keyed by the session: another session gets no hit, the same session does', async () => {
    const name = fresh('session-scope')
    const run = vi.fn((x: number) => x * 2)
    const tab = async (sid: string) => {
      // A tab of session `sid` (its sessionStorage names it), after the previous one closed.
      for (const b of boards.splice(0)) b.dispose()
      sessionStorage.setItem('sb-session', sid)
      const b = board(name)
      const input = b.store('n', { initial: 4 })
      const out = b.store<number>('out')
      b.callback({ id: 'per-session', inputs: [input], outputs: [out], run, cache: { scope: 'session' } })
      await b.start()
      await b.idle()
      expect(b.session.id).toBe(sid)
      return { b, out }
    }
    const [first, second] = [crypto.randomUUID(), crypto.randomUUID()]
    expect((await tab(first)).out.get()).toBe(8)
    expect((await tab(second)).out.get()).toBe(8)
    expect(run).toHaveBeenCalledTimes(2)
    const again = await tab(first)
    expect(again.out.get()).toBe(8)
    expect(run).toHaveBeenCalledTimes(2)
    expect(statsOf(again.b, 'per-session')).toMatchObject({ runs: 0, hits: 1 })
  })
})
