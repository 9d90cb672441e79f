/**
 * Faults of the cache path (FAULTS.md A, B, D, G) in real Chromium. IndexedDB faults are
 * injected at our own seam (`createBoard({ idb: { open } })`): the real database, with
 * chosen requests made to fail the way browsers fail them. Two boards of one name in one
 * page play two tabs: they share IndexedDB, Web Locks and BroadcastChannel.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardEvents, type BoardOptions, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { rawKeys, readRaw } from '../idb'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<BoardOptions> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `faults-${label}-${Date.now()}-${++n}`
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

function deferred<T = void>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const restores: Array<() => void> = []
afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  for (const r of restores.splice(0)) r()
  sessionStorage.clear()
  localStorage.clear()
  vi.restoreAllMocks()
})

/** navigator.locks replaced for one test (F14, F24): a platform fault, restored after. */
function withLocks(get: () => unknown) {
  Object.defineProperty(navigator, 'locks', { configurable: true, get })
  restores.push(() => delete (navigator as { locks?: unknown }).locks)
}

interface Fault {
  /** Error to throw from `objectStore(name).put(value)`, or undefined to let it through. */
  put?: (store: string, value: unknown) => Error | undefined
  transaction?: () => Error | undefined
  open?: () => Error | undefined
}
/** Our IndexedDB open seam, with faults: the real database underneath. */
function faulty(fault: Fault) {
  const dbs: IDBDatabase[] = []
  const open = (name: string, version: number) => {
    const err = fault.open?.()
    if (err) throw err
    const req = indexedDB.open(name, version)
    req.addEventListener('success', () => {
      const db = req.result
      dbs.push(db)
      const tx = db.transaction.bind(db)
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode) => {
        const e = fault.transaction?.()
        if (e) throw e
        const t = tx(stores, mode)
        const os = t.objectStore.bind(t)
        t.objectStore = (s: string) => {
          const o = os(s)
          const put = o.put.bind(o)
          o.put = (value: unknown, key?: IDBValidKey) => {
            const pe = fault.put?.(s, value)
            if (pe) throw pe
            return put(value, key)
          }
          return o
        }
        return t
      }) as IDBDatabase['transaction']
    })
    return req
  }
  return { open, dbs }
}

const cacheKeys = (name: string) => rawKeys(name, 'cache')
const dataKeys = async (name: string) => (await cacheKeys(name)).filter((k) => (k as string[])[0] === 'd')

/** n ─► [f, cached] ─► out, with run counted. */
function cached(b: Board, id = 'f', cache: object = {}) {
  const input = b.store('n', { initial: 1 })
  const out = b.store<unknown>('out')
  const run = vi.fn((x: number) => ({ x, big: new Uint8Array(1000).fill(x) }))
  b.callback({ id, inputs: [input], outputs: [out], run, cache })
  return { input, out, run }
}
const events = <K extends keyof BoardEvents>(b: Board, type: K) => {
  const list: BoardEvents[K][] = []
  b.on(type, (e) => list.push(e))
  return list
}
const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')

describe('A. IndexedDB', () => {
  it('F01 quota on persist: oldest entries evicted and the write retried once; if it still fails, persist-failed names key and bytes', async () => {
    const name = fresh('f01')
    let refuse = 0
    const { open } = faulty({
      put: (s, v) => (s === 'cache' && typeof v === 'object' && refuse-- > 0 ? quota() : undefined),
    })
    const b = board(name, { idb: { open } })
    const failed = events(b, 'persist-failed')
    const c = cached(b)
    await b.start()
    for (const v of [2, 3, 4]) {
      await pause(3) // distinct write times: "oldest" is defined
      c.input.set(v)
      await b.idle()
    }
    expect(await dataKeys(name)).toHaveLength(4)
    // Next write: refused once, then accepted after evicting the oldest half (1 and 2).
    refuse = 1
    c.input.set(5)
    await b.idle()
    expect((c.out.get() as { x: number }).x).toBe(5)
    expect(failed).toEqual([])
    expect(await dataKeys(name)).toHaveLength(3)
    // Storage stays full: the value comes from memory, the event names key and bytes.
    refuse = 2
    c.input.set(6)
    await b.idle()
    expect((c.out.get() as { x: number }).x).toBe(6)
    expect(failed).toHaveLength(1)
    expect(failed[0]!.store).toBe('cache:f')
    expect(failed[0]!.key).toMatch(/^[0-9a-f]{64}$/)
    expect(failed[0]!.bytes).toBeGreaterThanOrEqual(1000)
    expect(failed[0]!.error.message).toMatch(/callback "f".*storage is full/)
    c.input.set(1)
    c.input.set(6)
    await b.idle()
    expect(c.run).toHaveBeenCalledTimes(6) // 6 is a memory hit
    b.dispose()

    // After a reload: 5 persisted intact; 1 and 2 were evicted for 5, then 3 and 4 for the
    // attempt at 6, which was never written.
    const again = board(name)
    const d = cached(again)
    await again.start()
    for (const v of [3, 4, 5, 6]) {
      d.input.set(v)
      await again.idle()
    }
    expect(d.run.mock.calls.map((a) => a[0])).toEqual([1, 3, 4, 6])
    expect(statsOf(again, 'f').hits).toBe(1)
  })

  it('F02 writes fail after a quota error (InvalidStateError): reopened once, then memory only with one warning', async () => {
    let broken = false
    const { open } = faulty({
      put: (s) => {
        if (s !== 'cache' || broken) return undefined
        broken = true
        return quota()
      },
      transaction: () =>
        broken ? new DOMException('The database connection is closing.', 'InvalidStateError') : undefined,
    })
    const b = board(fresh('f02'), { idb: { open } })
    const warnings = events(b, 'warning')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = cached(b)
    await b.start()
    for (const v of [2, 3, 4, 2]) {
      c.input.set(v)
      await b.idle()
      expect((c.out.get() as { x: number }).x).toBe(v)
    }
    expect(c.run).toHaveBeenCalledTimes(4) // 1, 2, 3, 4; the second 2 is a memory hit
    expect(warnings.filter((w) => /memory only/.test(w.message))).toHaveLength(1)
    expect(b.inspect().capabilities.indexedDB).toBe(false)
  })

  it('F03 a result IndexedDB cannot store: error names the callback, nothing partial written, other outputs unaffected', async () => {
    const name = fresh('f03')
    const b = board(name)
    const failed = events(b, 'persist-failed')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const input = b.store('n', { initial: 1 })
    const out = b.store<unknown>('out')
    const other = b.store<number>('other')
    // A DOM node is a fine output for a page, and not structured-cloneable.
    b.callback({ id: 'node', inputs: [input], outputs: [out], cache: {}, run: () => document.createElement('div') })
    b.callback({ id: 'plain', inputs: [input], outputs: [other], cache: {}, run: (x) => x * 2 })
    await b.start()
    expect(out.get()).toBeInstanceOf(HTMLDivElement)
    expect(other.get()).toBe(2)
    expect(failed).toHaveLength(1)
    expect(failed[0]!.store).toBe('cache:node')
    expect((failed[0]!.error as Error & { code: string }).code).toBe('unserialisable')
    expect(failed[0]!.error.message).toMatch(/callback "node"/)
    // Generations ('g') and the running totals ('s', one per cache id written) aside.
    const keys = (await cacheKeys(name)).filter((k) => !['g', 's'].includes((k as string[])[0]!))
    expect(keys.map((k) => (k as string[]).slice(0, 2).join(':')).sort()).toEqual(['d:plain', 'm:plain'])
  })

  it('F04 upgrade from another tab: this tab closes and reports it; the other never hangs; callbacks go on', async () => {
    const name = fresh('f04')
    const b = board(name)
    const warnings = events(b, 'warning')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = cached(b)
    await b.start()
    // The other tab: a newer app version opening v2.
    const v2 = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open(nameOf(name), 2)
      r.onsuccess = () => res(r.result)
      r.onerror = () => rej(r.error)
    })
    v2.close()
    expect(warnings.some((w) => /closed for an upgrade from another tab/.test(w.message))).toBe(true)
    c.input.set(2)
    await b.idle()
    c.input.set(1)
    await b.idle()
    expect((c.out.get() as { x: number }).x).toBe(1)
    expect(b.errors.size).toBe(0)
  })

  it('F05 connection closed by the browser: the next operation reopens once; if that fails, memory only with ONE warning', async () => {
    const name = fresh('f05')
    let openFails = false
    const { open, dbs } = faulty({
      open: () =>
        openFails ? new DOMException('Connection to Indexed Database server lost.', 'UnknownError') : undefined,
    })
    const b = board(name, { idb: { open } })
    const warnings = events(b, 'warning')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = cached(b)
    await b.start()
    dbs[0]!.close() // as the browser does: our handle now throws InvalidStateError
    c.input.set(2)
    await b.idle()
    expect(dbs).toHaveLength(2) // reopened once
    expect(await dataKeys(name)).toHaveLength(2) // and the write landed
    openFails = true
    dbs[1]!.close()
    for (const v of [3, 4, 5]) {
      c.input.set(v)
      await b.idle()
      expect((c.out.get() as { x: number }).x).toBe(v)
    }
    expect(warnings.filter((w) => /memory only/.test(w.message))).toHaveLength(1)
  })

  it('F06 IndexedDB unavailable: the board starts memory-only, says so, and cached callbacks run and hit memory', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    for (const idb of [
      false,
      {
        open: () => {
          throw new DOMException('The operation is insecure.', 'SecurityError')
        },
      },
    ] as const) {
      const b = board(fresh('f06'), { idb })
      const c = cached(b)
      await b.start()
      c.input.set(2)
      await b.idle()
      c.input.set(1)
      await b.idle()
      expect(c.run).toHaveBeenCalledTimes(2)
      expect(statsOf(b, 'f').hits).toBe(1)
      expect(b.inspect().capabilities.indexedDB).toBe(false)
      c.run.mockClear()
    }
  })

  it('F07 open never settles: a timeout falls back to memory', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const never = () => ({}) as IDBOpenDBRequest
    const b = board(fresh('f07'), { idb: { open: never, openTimeoutMs: 50 } })
    const warnings = events(b, 'warning')
    const c = cached(b)
    await b.start()
    expect((c.out.get() as { x: number }).x).toBe(1)
    c.input.set(2)
    await b.idle()
    c.input.set(1)
    await b.idle()
    expect(c.run).toHaveBeenCalledTimes(2)
    expect(warnings.some((w) => /did not open within 50 ms|never finished opening/.test(w.message))).toBe(true)
  })

  it('F08 data evicted while its index remains: a miss and a recompute, no exception, no dangling index', async () => {
    const name = fresh('f08')
    const first = board(name)
    cached(first, 'f', { scope: 'session' })
    await first.start()
    await first.idle()
    first.dispose()
    // The browser evicted the values but left the metas (and sessionStorage names the session).
    const db = await new Promise<IDBDatabase>((res) => {
      const r = indexedDB.open(nameOf(name), 1)
      r.onsuccess = () => res(r.result)
    })
    await new Promise<void>((res) => {
      const t = db.transaction('cache', 'readwrite')
      t.objectStore('cache').delete(IDBKeyRange.bound(['d'], ['d', []]))
      t.oncomplete = () => res()
    })
    db.close()
    expect(await dataKeys(name)).toHaveLength(0)

    const second = board(name)
    const c = cached(second, 'f', { scope: 'session' })
    await second.start()
    await second.idle()
    expect(c.run).toHaveBeenCalledTimes(1)
    expect(second.errors.size).toBe(0)
    const keys = (await cacheKeys(name)).filter((k) => !['g', 's'].includes((k as string[])[0]!))
    expect(keys).toHaveLength(2) // one meta, one value: the rewrite, nothing dangling
  })
})

describe('B. Web Storage and platform', () => {
  it('F14 navigator.locks throws: feature detection degrades cleanly, each tab computes, sessions still work', async () => {
    withLocks(() => {
      throw new DOMException('Access denied.', 'SecurityError')
    })
    const name = fresh('f14')
    const a = board(name)
    const b = board(name)
    const ca = cached(a)
    const cb = cached(b)
    await Promise.all([a.start(), b.start()])
    expect(a.session.id).toMatch(/\w/)
    expect((ca.out.get() as { x: number }).x).toBe(1)
    expect((cb.out.get() as { x: number }).x).toBe(1)
    expect(a.inspect().capabilities.locks).toBe(false)
  })
})

describe('D. Across tabs', () => {
  // The real F21 (a page closed mid-computation) is in test/e2e/cache-tabs.spec.ts.
  it('a disposed lock holder lets go of the key lock: the waiting board gets it, checks IndexedDB, computes', async () => {
    const name = fresh('f21')
    const never = deferred<number>()
    const holder = board(name)
    const input = holder.store('n', { initial: 1 })
    holder.callback({ id: 'f', inputs: [input], outputs: [holder.store('out')], cache: {}, run: () => never.promise })
    void holder.start()
    await waitFor(async () =>
      expect((await navigator.locks.query()).held?.some((l) => l.name?.startsWith(nameOf(name, 'cache')))).toBe(true),
    )
    const waiter = board(name)
    const c = cached(waiter)
    const started = waiter.start()
    await pause(30)
    expect(c.run).not.toHaveBeenCalled() // waiting on the lock
    holder.dispose() // the tab is gone: its lock is released
    await started
    expect(c.run).toHaveBeenCalledTimes(1)
    expect((c.out.get() as { x: number }).x).toBe(1)
  })

  it('F22 lock holder hangs: the waiter steals after lockTimeoutMs; the old holder cannot overwrite the newer result', async () => {
    const name = fresh('f22')
    const gate = deferred()
    const tab = (label: string, run: (x: number) => string | Promise<string>) => {
      const b = board(name)
      const input = b.store('n', { initial: 1 })
      const out = b.store<string>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], cache: { lockTimeoutMs: 100 }, run })
      return { b, out, started: b.start(), label }
    }
    const old = tab('old', async (x) => {
      await gate.promise
      return `old:${x}`
    })
    // The old holder has the key's lock (and hangs) before the new tab asks.
    await waitFor(async () =>
      expect((await navigator.locks.query()).held?.some((l) => l.name?.startsWith(nameOf(name, 'cache')))).toBe(true),
    )
    const next = tab('new', (x) => `new:${x}`)
    await next.started
    expect(next.out.get()).toBe('new:1')
    gate.resolve()
    await old.started
    await old.b.idle()
    expect(old.out.get()).toBe('old:1') // its own value, for itself only
    const later = tab('later', () => 'computed again')
    await later.started
    expect(later.out.get()).toBe('new:1')
    expect(statsOf(later.b, 'f')).toMatchObject({ runs: 0, hits: 1 })
  })

  it('F23 lost "ready" message: the follower still reads IndexedDB after getting the lock', async () => {
    vi.spyOn(BroadcastChannel.prototype, 'postMessage').mockImplementation(() => {}) // every hint is lost
    const name = fresh('f23')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return x * 7
    })
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 6 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], cache: {}, run })
      return { b, out, started: b.start() }
    }
    const a = tab()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const late = tab()
    await pause(20)
    gate.resolve()
    await Promise.all([a.started, late.started])
    expect(late.out.get()).toBe(42)
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('F24 no Web Locks: each tab computes for itself; nothing crashes; in-tab single flight holds', async () => {
    withLocks(() => undefined)
    //        ┌─► [p, cache id "shared"] ─► out-p
    // input ─┤                                   per tab: one execution, one hit
    //        └─► [q, cache id "shared"] ─► out-q
    const name = fresh('f24')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return x + 1
    })
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 1 })
      const outs = ['p', 'q'].map((id) => {
        const out = b.store<number>(`out-${id}`)
        b.callback({ id, inputs: [input], outputs: [out], cache: { id: 'shared' }, run })
        return out
      })
      return { b, outs, started: b.start() }
    }
    const [a, b] = [tab(), tab()]
    // Both tabs are computing before either finishes, so neither can find the other's
    // entry in IndexedDB: exactly one execution per tab, no lock to share it.
    await waitFor(() => expect(run).toHaveBeenCalledTimes(2))
    gate.resolve()
    await Promise.all([a.started, b.started])
    expect(run).toHaveBeenCalledTimes(2)
    for (const t of [a, b]) {
      expect(t.outs.map((o) => o.get())).toEqual([2, 2])
      expect(t.b.errors.size).toBe(0)
      const s = ['p', 'q'].map((id) => statsOf(t.b, id))
      expect(s.reduce((x, y) => x + y.runs, 0)).toBe(1)
      expect(s.reduce((x, y) => x + y.hits, 0)).toBe(1)
      expect(t.b.inspect().capabilities.locks).toBe(false)
    }
  })

  it('F24 no Web Locks: a reload still finds the entry in IndexedDB and computes nothing', async () => {
    withLocks(() => undefined)
    // reload 1: n ─► [f, cached] ─► out   computes and writes
    // reload 2: n ─► [f, cached] ─► out   reads it back: no lock is needed to read
    const name = fresh('f24-reload')
    const first = board(name)
    const a = cached(first)
    await first.start()
    await first.idle()
    expect(a.run).toHaveBeenCalledTimes(1)
    await waitFor(async () => expect(await dataKeys(name)).toHaveLength(1))
    first.dispose()
    const second = board(name)
    const c = cached(second)
    await second.start()
    expect(c.out.get()).toEqual({ x: 1, big: new Uint8Array(1000).fill(1) })
    expect(c.run).not.toHaveBeenCalled()
    expect(statsOf(second, 'f')).toMatchObject({ runs: 0, hits: 1 })
  })

  it("F06 without IndexedDB a tab computes at once: it does not queue behind another tab's key lock", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    // tab a: n ─► [f, cached] ─► out   computing, gated (holds the key's lock if it took one)
    // tab c: n ─► [f, cached] ─► out   no IndexedDB: nothing to share, so no lock to wait for
    const name = fresh('f06-no-queue')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      await gate.promise
      return x * 7
    })
    const noIdb = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    }
    const tab = () => {
      const b = board(name, { idb: noIdb })
      const input = b.store('n', { initial: 3 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
      return { b, out, started: b.start() }
    }
    const a = tab()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    const c = tab()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(2))
    gate.resolve()
    await Promise.all([a.started, c.started])
    expect([a.out.get(), c.out.get()]).toEqual([21, 21])
    expect(a.b.errors.size + c.b.errors.size).toBe(0)
  })

  it('idb stores follow other tabs: a write in one runs a wave in the other; own echoes ignored', async () => {
    // tab A: shared (idb) ◄─ set          tab B: shared (idb) ─► [double] ─► doubled
    const name = fresh('sync')
    const a = board(name)
    const sharedA = a.store('shared', { initial: 0, storage: 'idb' })
    const echoes = vi.fn()
    sharedA.subscribe(echoes)
    const b = board(name)
    const sharedB = b.store('shared', { initial: 0, storage: 'idb' })
    const doubled = b.store<number>('doubled')
    const double = vi.fn((x: number) => x * 2)
    b.callback({ id: 'double', inputs: [sharedB], outputs: [doubled], run: double })
    await Promise.all([a.start(), b.start()])
    sharedA.set(21)
    await waitFor(() => expect(doubled.get()).toBe(42))
    expect(double).toHaveBeenCalledTimes(2) // initial, then the remote change
    await a.idle()
    await b.idle()
    expect(echoes).toHaveBeenCalledTimes(1) // A's own write only: B did not write it back
    // A removal follows too: A's store.clear() sends B's back to initial.
    sharedA.clear()
    await waitFor(() => expect(doubled.get()).toBe(0))
    expect(sharedB.get()).toBe(0)
  })
})

describe('G. Security', () => {
  it('F30 clearSession: new id, session stores and session-scope entries gone, the other board of the tab follows; nothing of the old session is hit', async () => {
    // Two boards of one name in one page: one tab, one session (S25). Other tabs being
    // told: test/e2e/cache-tabs.spec.ts.
    const name = fresh('f30')
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 3 })
      const note = b.store('note', { initial: 'none', storage: 'session' })
      const mine = b.store<number>('mine')
      const everyone = b.store<number>('everyone')
      const perSession = vi.fn((x: number) => x * 2)
      const global = vi.fn((x: number) => x * 3)
      b.callback({ id: 'per-session', inputs: [input], outputs: [mine], run: perSession, cache: { scope: 'session' } })
      b.callback({ id: 'global', inputs: [input], outputs: [everyone], run: global, cache: {} })
      return { b, note, mine, perSession, global }
    }
    const a = tab()
    await a.b.start()
    a.note.set('user 1 was here')
    await a.b.idle()
    const other = tab()
    await other.b.start()
    other.note.set('user 1 in another board')
    await other.b.idle()
    const old = a.b.session.id
    expect(other.b.session.id).toBe(old)
    const sids = async () =>
      ((await readRaw<unknown[]>(name, 'cache', (s) => s.getAll())) ?? []).flatMap((v) =>
        v && typeof v === 'object' && 'sid' in v ? [(v as { sid: unknown }).sid] : [],
      )
    expect(await sids()).toContain(old)

    await a.b.clearSession()
    const renewed = a.b.session.id
    expect(renewed).not.toBe(old)
    expect(other.b.session.id).toBe(renewed)
    expect(a.note.get()).toBe('none')
    expect(sessionStorage.getItem(nameOf(name, 'note'))).toBeNull()
    // The other board was told: its session store is back to initial, with no second renewal.
    await waitFor(() => expect(other.note.get()).toBe('none'))
    await other.b.idle()
    expect(a.b.session.id).toBe(renewed)
    // IndexedDB holds nothing of the old session; the per-session callback ran once more for
    // the new one: in one of the two boards (the tab's boards apply a renewal in its order,
    // the one told first may compute it), the other got it from the cache.
    expect(await sids()).not.toContain(old)
    expect(a.perSession.mock.calls.length + other.perSession.mock.calls.length).toBe(2)
    expect([a.mine.get(), other.mine.get()]).toEqual([6, 6])

    // A new board of the tab: the new session's entry is a hit; the global one too.
    const after = tab()
    await after.b.start()
    expect(after.perSession).not.toHaveBeenCalled()
    expect(after.global).not.toHaveBeenCalled()
  })

  it('F30 clear(): every cache entry and persisted store of the board name removed, live stores back to initial, in every tab', async () => {
    const name = fresh('f30-all')
    const tab = () => {
      const b = board(name)
      const input = b.store('n', { initial: 3, storage: 'local' })
      const kept = b.store('kept', { initial: 0, storage: 'idb' })
      const out = b.store<number>('out')
      const run = vi.fn((x: number) => x * 3)
      b.callback({ id: 'global', inputs: [input], outputs: [out], run, cache: {} })
      return { b, input, kept, run }
    }
    const a = tab()
    await a.b.start()
    a.input.set(4)
    a.kept.set(99)
    await a.b.idle()
    const other = tab()
    await other.b.start()
    expect(other.kept.get()).toBe(99)
    localStorage.setItem(nameOf(name, 'not-defined-here'), '{"sb":1,"v":1,"t":1,"d":1}')

    await a.b.clear()
    expect(a.input.get()).toBe(3)
    expect(a.kept.get()).toBe(0)
    expect(localStorage.getItem(nameOf(name, 'not-defined-here'))).toBeNull()
    expect(await dataKeys(name)).toHaveLength(1) // only the recompute of n = 3 after the reset
    await waitFor(() => expect(other.kept.get()).toBe(0))
    const after = tab()
    await after.b.start()
    expect(after.kept.get()).toBe(0)
  })

  it('F30 clear() told to another tab leaves the values the asking tab recomputed in shared storage', async () => {
    // asking tab:  n (idb) ─► [triple] ─► out (idb)
    // told tab:    out (idb) only: no page there computes it again
    const name = fresh('f30-told')
    const asking = board(name)
    const n = asking.store('n', { initial: 1, storage: 'idb' })
    const outA = asking.store<number>('out', { storage: 'idb' })
    asking.callback({ id: 'triple', inputs: [n], outputs: [outA], run: (x: number) => x * 3 })
    const told = board(name)
    const outB = told.store<number>('out', { storage: 'idb' })
    await Promise.all([asking.start(), told.start()])
    n.set(5)
    await asking.idle()
    await waitFor(() => expect(outB.get()).toBe(15))

    await asking.clear()
    expect(outA.get()).toBe(3) // reset, then recomputed from n = 1 and written
    await waitFor(() => expect(outB.get()).toBe(3))
    await told.idle()
    await asking.idle()
    // A later page reads what the asking tab wrote: the told tab removed nothing.
    const later = board(name)
    const outLater = later.store<number>('out', { storage: 'idb' })
    await later.start()
    expect(outLater.get()).toBe(3)
  })

  it('F32 malformed message: dropped with one dev warning; valid messages still work', async () => {
    const name = fresh('f32')
    const b = board(name)
    const shared = b.store('shared', { initial: 0, storage: 'idb' })
    const warnings = events(b, 'warning')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    await b.start()
    const hostile = new BroadcastChannel(nameOf(name))
    for (const m of [
      null,
      'text',
      { sb: 1 },
      { sb: 1, from: 'x', type: 'ready', key: 'not-a-key' },
      { sb: 1, from: 'x', type: 'stores', ids: [1] },
      { sb: 1, from: 'x', type: 'clear', scope: 'everything' },
      { sb: 2, from: 'x', type: 'clear', scope: 'all' },
    ]) {
      hostile.postMessage(m)
    }
    await waitFor(() => expect(warnings.filter((w) => /malformed/.test(w.message)).length).toBe(7))
    expect(vi.mocked(console.warn).mock.calls.filter((c) => /malformed/.test(String(c[0])))).toHaveLength(1)
    expect(shared.get()).toBe(0)
    // A valid message still works: another tab committed "shared".
    const writer = board(name)
    const w = writer.store('shared', { initial: 0, storage: 'idb' })
    await writer.start()
    w.set(5)
    await waitFor(() => expect(shared.get()).toBe(5))
    hostile.close()
  })
})
