/**
 * P8 (issue 13): a small result rides in the leader's 'ready' hint, so a follower in
 * another tab is answered without an IndexedDB read of its own (which waited for the
 * leader's commit, then read). Two boards of one name in one page play two tabs: they share
 * IndexedDB, Web Locks and BroadcastChannel exactly as two tabs of an origin do.
 *
 * The leader's cache write is held open at our own seam (`createBoard({ idb: { open } })`:
 * the real database, one transaction kept busy with reads until the test lets it commit),
 * so "before the commit" is an observable state, not a race.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardOptions, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<BoardOptions> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `hint-value-${label}-${Date.now()}-${++n}`
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats

function deferred<T = void>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  vi.restoreAllMocks()
})

/**
 * The board's open seam over the real database. While `hold` is on, a readwrite
 * transaction that puts a cache value (`['d', …]`) is kept from committing: it keeps
 * issuing reads until `hold` is turned off. `held` says one is being held now.
 */
function holdingCommits() {
  const ctl = { hold: false, held: false }
  const open = (name: string, version: number) => {
    const req = indexedDB.open(name, version)
    req.addEventListener('success', () => {
      const db = req.result
      const transaction = db.transaction.bind(db)
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode, o?: IDBTransactionOptions) => {
        const t = transaction(stores, mode, o)
        if (mode !== 'readwrite') return t
        const objectStore = t.objectStore.bind(t)
        t.objectStore = (s: string) => {
          const os = objectStore(s)
          const put = os.put.bind(os)
          os.put = (value: unknown, key?: IDBValidKey) => {
            const r = put(value, key)
            if (ctl.hold && s === 'cache' && Array.isArray(key) && key[0] === 'd') {
              ctl.held = true
              const spin = () => {
                if (ctl.hold) os.get(['held']).onsuccess = spin
                else ctl.held = false
              }
              spin()
            }
            return r
          }
          return os
        }
        return t
      }) as IDBDatabase['transaction']
    })
    return req
  }
  return { ctl, open }
}

/** Counts the follower's transactions on the `cache` object store, by mode, from `reset()` on. */
function countingCache() {
  const count = { readonly: 0, readwrite: 0 }
  const open = (name: string, version: number) => {
    const req = indexedDB.open(name, version)
    req.addEventListener('success', () => {
      const db = req.result
      const transaction = db.transaction.bind(db)
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode, o?: IDBTransactionOptions) => {
        if ([stores].flat().includes('cache')) count[mode === 'readwrite' ? 'readwrite' : 'readonly']++
        return transaction(stores, mode, o)
      }) as IDBDatabase['transaction']
    })
    return req
  }
  const reset = () => {
    count.readonly = 0
    count.readwrite = 0
  }
  return { count, open, reset }
}

/** Until a board of `name` waits for a cache key's Web Lock (it read IndexedDB and found nothing). */
async function waitingOnLock(name: string) {
  await waitFor(async () =>
    expect((await navigator.locks.query()).pending?.some((l) => l.name?.startsWith(nameOf(name, 'cache')))).toBe(true),
  )
}

describe('P8 the result in the hint', () => {
  it('P8 a small result rides in the ready hint: a follower in another tab has it before the leader commits, and reads nothing', async () => {
    //   tab a: n ─► [slow, cached] ─► out     computes (leader), its write held open
    //   tab c: n ─► [slow, cached] ─► out     waits on the key's lock (follower)
    const name = fresh('small')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return { x, label: `result ${x}` }
    })
    const tab = (extra: Partial<BoardOptions> = {}) => {
      const b = board(name, extra)
      const input = b.store('n', { initial: 4 })
      const out = b.store<{ x: number; label: string }>('out')
      b.callback({ id: 'slow', inputs: [input], outputs: [out], run, cache: {} })
      return { b, out, started: b.start() }
    }
    const holding = holdingCommits()
    const a = tab({ idb: { open: holding.open } })
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const counting = countingCache()
    const c = tab({ idb: { open: counting.open } })
    await waitingOnLock(name)
    counting.reset()
    holding.ctl.hold = true
    gate.resolve()
    // The follower has the value while the leader's entry is still uncommitted.
    await waitFor(() => expect(c.out.get()).toEqual({ x: 4, label: 'result 4' }))
    expect(holding.ctl.held).toBe(true)
    expect(counting.count).toEqual({ readonly: 0, readwrite: 0 })
    holding.ctl.hold = false
    await Promise.all([a.started, c.started, a.b.idle(), c.b.idle()])
    expect(a.out.get()).toEqual({ x: 4, label: 'result 4' })
    expect(run).toHaveBeenCalledTimes(1)
    expect(statsOf(c.b, 'slow')).toMatchObject({ runs: 0, hits: 1, misses: 0 })
    expect(counting.count).toEqual({ readonly: 0, readwrite: 0 })
    // The entry is committed all the same: a reload gets it from IndexedDB.
    const later = tab()
    await later.started
    expect(later.out.get()).toEqual({ x: 4, label: 'result 4' })
    expect(statsOf(later.b, 'slow')).toMatchObject({ runs: 0, hits: 1 })
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('P8 a result over the hint size limit is not carried: the follower reads it from IndexedDB after the commit', async () => {
    const name = fresh('big')
    const gate = deferred()
    // 128 KiB: over the 64 KiB a hint may carry.
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return new Float64Array(16_384).fill(x)
    })
    const tab = (extra: Partial<BoardOptions> = {}) => {
      const b = board(name, extra)
      const input = b.store('n', { initial: 3 })
      const out = b.store<Float64Array>('out')
      b.callback({ id: 'slow', inputs: [input], outputs: [out], run, cache: {} })
      return { b, out, started: b.start() }
    }
    const seen: unknown[] = []
    const listener = new BroadcastChannel(nameOf(name))
    listener.onmessage = (e) => seen.push(e.data)
    const a = tab()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const counting = countingCache()
    const c = tab({ idb: { open: counting.open } })
    await waitingOnLock(name)
    counting.reset()
    gate.resolve()
    await Promise.all([a.started, c.started])
    await waitFor(() => expect(c.out.get()?.length).toBe(16_384))
    expect(c.out.get()!.every((v) => v === 3)).toBe(true)
    expect(run).toHaveBeenCalledTimes(1)
    // It read the entry (after the hint, or under the lock): one transaction at least.
    expect(counting.count.readonly + counting.count.readwrite).toBeGreaterThan(0)
    const ready = seen.filter((m) => (m as { type?: string }).type === 'ready')
    expect(ready.length).toBeGreaterThan(0)
    for (const m of ready) expect(m).not.toHaveProperty('value')
    listener.close()
  })

  it('P8 F22 a holder whose lock was stolen does not hand its late value to anyone in the hint', async () => {
    const name = fresh('stolen')
    const gate = deferred()
    const tab = (run: (x: number) => string | Promise<string>) => {
      const b = board(name)
      const input = b.store('n', { initial: 1 })
      const out = b.store<string>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], cache: { lockTimeoutMs: 100 }, run })
      return { b, out, started: b.start() }
    }
    const seen: Array<{ from: string; type: string; value?: unknown }> = []
    const listener = new BroadcastChannel(nameOf(name))
    listener.onmessage = (e) => seen.push(e.data)
    const old = tab(async (x) => {
      await gate.promise
      return `old:${x}`
    })
    await waitFor(async () =>
      expect((await navigator.locks.query()).held?.some((l) => l.name?.startsWith(nameOf(name, 'cache')))).toBe(true),
    )
    const next = tab((x) => `new:${x}`)
    await next.started
    expect(next.out.get()).toBe('new:1')
    await waitFor(() => expect(seen.filter((m) => m.type === 'ready')).toHaveLength(1))
    expect(seen.find((m) => m.type === 'ready')).toMatchObject({ value: 'new:1' })
    const before = seen.length
    gate.resolve()
    await old.started
    await old.b.idle()
    expect(old.out.get()).toBe('old:1') // its own value, for itself only
    // The old holder still hints (its write is queued, then fenced), without its value.
    await waitFor(() => expect(seen.slice(before).filter((m) => m.type === 'ready').length).toBeGreaterThan(0))
    for (const m of seen.slice(before)) expect(m.value).toBeUndefined()
    listener.close()
  })
})

describe('P8 hints: how many, what they carry, whose they are', () => {
  /** Every 'ready' message on the board's channel, as another tab would receive it. */
  function listen(name: string) {
    const seen: Array<{ type: string; key?: string; value?: unknown }> = []
    const listener = new BroadcastChannel(nameOf(name))
    listener.onmessage = (e) => seen.push(e.data)
    return { ready: () => seen.filter((m) => m.type === 'ready'), close: () => listener.close() }
  }

  for (const [label, make, carried] of [
    ['a small result', (x: number) => ({ x }), true],
    ['a result of exactly the 64 KiB a hint may carry', (x: number) => new Uint8Array(65_536).fill(x), true],
    ['a result one byte over the limit', (x: number) => new Uint8Array(65_537).fill(x), false],
  ] as const) {
    it(`P8 one computation sends exactly one 'ready': ${label} ${carried ? 'rides in it' : 'is read from IndexedDB'}`, async () => {
      //   n ─► [f, cached] ─► out     one miss, one write, one hint
      const name = fresh('one-ready')
      const heard = listen(name)
      const b = board(name)
      const input = b.store('n', { initial: 7 })
      const out = b.store<unknown>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run: make, cache: {} })
      await b.start()
      await b.idle()
      await waitFor(() => expect(heard.ready().length).toBeGreaterThan(0))
      // Anything more would have been posted in the same turns as the write's commit.
      await new Promise((r) => setTimeout(r, 50))
      const ready = heard.ready()
      expect(ready).toHaveLength(1)
      if (carried) expect(ready[0]!.value).toEqual(make(7))
      else expect(ready[0]).not.toHaveProperty('value')
      heard.close()
    })
  }

  it('P8 TTL a hinted value that has already expired is not taken: the follower computes its own (ttlMs 0, frozen clock)', async () => {
    //   tab a: n ─► [f, cached, ttlMs 0] ─► out   computes; its entry expires as it is written
    //   tab c: n ─► [f, cached, ttlMs 0] ─► out   waits on the lock: may not use that value
    const name = fresh('expired')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return x * 10
    })
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 2 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: { ttlMs: 0 } })
      return { b, out, started: b.start() }
    }
    // Only the clock is faked (and stands still): IndexedDB, locks and messages keep their timing.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const a = tab()
      await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
      const c = tab()
      await waitingOnLock(name)
      gate.resolve()
      await Promise.all([a.started, c.started])
      await Promise.all([a.b.idle(), c.b.idle()])
      expect(a.out.get()).toBe(20)
      expect(c.out.get()).toBe(20)
      expect(run).toHaveBeenCalledTimes(2)
      expect(statsOf(c.b, 'f')).toMatchObject({ runs: 1, misses: 1, hits: 0 })
      expect(a.b.errors.size + c.b.errors.size).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it("P8 a hint for another key is not this follower's answer, value or not", async () => {
    //   tab a: p ─► [f, cached] ─► outP      computes key(1) and key(2) at once, each gated
    //          q ─► [f2, cache id "f"] ─► outQ
    //   tab c: p ─► [f, cached] ─► outP      waits for key(1) only
    const name = fresh('other-key')
    const gates = new Map([
      [1, deferred()],
      [2, deferred()],
    ])
    const run = vi.fn(async (x: number) => {
      await gates.get(x)!.promise
      return `value of ${x}`
    })
    const a = board(name)
    const p = a.store('p', { initial: 1 })
    const q = a.store('q', { initial: 2 })
    const aP = a.store<string>('outP')
    const aQ = a.store<string>('outQ')
    a.callback({ id: 'f', inputs: [p], outputs: [aP], run, cache: {} })
    a.callback({ id: 'f2', inputs: [q], outputs: [aQ], run, cache: { id: 'f' } })
    const aStarted = a.start()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(2))
    const c = board(name)
    const cp = c.store('p', { initial: 1 })
    const cP = c.store<string>('outP')
    c.callback({ id: 'f', inputs: [cp], outputs: [cP], run, cache: {} })
    const cStarted = c.start()
    await waitingOnLock(name)
    const heard = listen(name)
    gates.get(2)!.resolve() // key(2) is hinted first, with its value
    await waitFor(() => expect(heard.ready().length).toBeGreaterThan(0))
    await new Promise((r) => setTimeout(r, 50))
    expect(cP.get()).toBeUndefined() // still waiting for its own key
    gates.get(1)!.resolve()
    await Promise.all([aStarted, cStarted])
    await c.idle()
    expect(cP.get()).toBe('value of 1')
    expect(aQ.get()).toBe('value of 2')
    expect(run).toHaveBeenCalledTimes(2)
    heard.close()
  })

  it('P8 a follower answered by the hint gives up its place in the lock queue: it never claims the key afterwards', async () => {
    const name = fresh('gives-up')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return x + 1
    })
    const tab = (extra: Partial<BoardOptions> = {}) => {
      const b = board(name, extra)
      const input = b.store('n', { initial: 1 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
      return { b, out, started: b.start() }
    }
    // The leader's commit is held until the follower has its value: the hint answers it
    // while it still waits in the lock's queue.
    const holding = holdingCommits()
    const a = tab({ idb: { open: holding.open } })
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const counting = countingCache()
    const c = tab({ idb: { open: counting.open } })
    await waitingOnLock(name)
    counting.reset()
    holding.ctl.hold = true
    gate.resolve()
    await waitFor(() => expect(c.out.get()).toBe(2))
    holding.ctl.hold = false
    await Promise.all([a.started, c.started, a.b.idle(), c.b.idle()])
    // Once no one holds or waits for the key's lock, the follower has claimed nothing.
    await waitFor(async () => {
      const { held = [], pending = [] } = await navigator.locks.query()
      expect([...held, ...pending].filter((l) => l.name?.startsWith(nameOf(name, 'cache')))).toHaveLength(0)
    })
    expect(counting.count.readwrite).toBe(0)
    expect(run).toHaveBeenCalledTimes(1)
  })
})

describe('F32 hints: only a ready message is a hint', () => {
  it("F32 a message of another type that carries a key and a value is not taken as that key's answer", async () => {
    //   tab a: n ─► [f, cached] ─► out      computing, gated (holds the key's lock)
    //   tab c: n ─► [f, cached] ─► out      waits for it; a forged 'stores' message names
    //                                       its key with a value: it must keep waiting
    const name = fresh('forged')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return `real ${x}`
    })
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 1 })
      const out = b.store<string>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
      return { b, out, started: b.start() }
    }
    const a = tab()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const c = tab()
    await waitingOnLock(name)
    const lock = (await navigator.locks.query()).pending!.find((l) => l.name?.startsWith(nameOf(name, 'cache')))!
    const key = /([0-9a-f]{64}):$/.exec(lock.name!)![1]!
    const forger = new BroadcastChannel(nameOf(name))
    forger.postMessage({
      sb: 1,
      from: 'forger',
      type: 'stores',
      ids: [],
      key,
      value: 'forged',
      t: Date.now(),
      exp: Infinity,
    })
    // A 'ready' for the key posted after it: once c has handled that one, it has handled the
    // forged one too (one channel delivers in order). It carries no value: "read now", and
    // IndexedDB has nothing yet, so c keeps waiting.
    forger.postMessage({ sb: 1, from: 'forger', type: 'ready', key })
    await new Promise((r) => setTimeout(r, 50))
    expect(c.out.get()).toBeUndefined()
    gate.resolve()
    await Promise.all([a.started, c.started])
    expect(c.out.get()).toBe('real 1')
    expect(a.out.get()).toBe('real 1')
    forger.close()
  })
})
