/**
 * The cache and sessions against DESIGN "Precise semantics: safety" (issue 10 S06, S09,
 * S16, S20, S21, S22, S25) in real Chromium. Two boards of one name in one page play two
 * tabs where a test says so; boards of one page share one tab session (S25).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardOptions, createBoard } from '../../src/index'
import { rawKeys, readRaw } from '../idb'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<BoardOptions> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `safety-${label}-${Date.now()}-${++n}`
const statsOf = (b: Board, id: string) => b.inspect().callbacks.find((c) => c.id === id)!.stats

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
  vi.restoreAllMocks()
})

/** navigator.locks replaced for one test: the API under test, denied. */
function withLocks(locks: unknown) {
  Object.defineProperty(navigator, 'locks', { configurable: true, get: () => locks })
  restores.push(() => delete (navigator as { locks?: unknown }).locks)
}
const heldLocks = async () => ((await navigator.locks.query()).held ?? []).map((l) => l.name ?? '')

describe('S06 Web Locks denied', () => {
  for (const how of ['throws', 'rejects'] as const) {
    it(`S06 locks.request ${how}: each tab computes once per key, no error, one warning in the tab, capabilities.locks false`, async () => {
      const denied = new DOMException('Access to the Locks API is denied in this context.', 'SecurityError')
      withLocks({
        request: () => {
          if (how === 'throws') throw denied
          return Promise.reject(denied)
        },
        query: () => Promise.reject(denied),
      })
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      //        ┌─► [p, cache id "shared"] ─► out-p
      // input ─┤                                       one execution per tab
      //        └─► [q, cache id "shared"] ─► out-q
      const name = fresh(`s06-${how}`)
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
        return { b, input, outs, started: b.start() }
      }
      const [a, c] = [tab(), tab()]
      // Held until both tabs compute: neither finds the other's entry (exactly one each).
      await waitFor(() => expect(run).toHaveBeenCalledTimes(2))
      gate.resolve()
      await Promise.all([a.started, c.started])
      for (const t of [a, c]) {
        expect(t.outs.map((o) => o.get())).toEqual([2, 2])
        expect(t.b.errors.size).toBe(0)
        const s = ['p', 'q'].map((id) => statsOf(t.b, id))
        expect(s.reduce((x, y) => x + y.runs, 0)).toBe(1)
        expect(s.reduce((x, y) => x + y.misses, 0)).toBe(1)
        expect(s.reduce((x, y) => x + y.hits, 0)).toBe(1)
        expect(t.b.inspect().capabilities.locks).toBe(false)
      }
      // A new key later computes too, still without an error or a second warning.
      a.input.set(5)
      await a.b.idle()
      expect(a.outs[0]!.get()).toBe(6)
      expect(a.b.errors.size).toBe(0)
      const said = warn.mock.calls.filter((c) => /Web Locks/.test(String(c[0])))
      expect(said).toHaveLength(1) // once for the tab: the denial holds for every board after
    })
  }
})

describe('S16 capabilities tell the truth', () => {
  it('S16 capabilities.broadcast is false once the BroadcastChannel constructor threw', async () => {
    const Real = BroadcastChannel
    const Throwing = (() => {
      throw new DOMException('BroadcastChannel is blocked here.', 'SecurityError')
    }) as unknown as typeof BroadcastChannel
    globalThis.BroadcastChannel = Throwing
    restores.push(() => (globalThis.BroadcastChannel = Real))
    const b = board(fresh('s16-bc'))
    const input = b.store('n', { initial: 3 })
    const out = b.store<number>('out')
    b.callback({ id: 'f', inputs: [input], outputs: [out], cache: {}, run: (x: number) => x * 2 })
    await b.start()
    expect(out.get()).toBe(6)
    expect(b.inspect().capabilities.broadcast).toBe(false)
  })

  it('S16 capabilities: a working BroadcastChannel and Web Locks are reported true', async () => {
    const b = board(fresh('s16-ok'))
    b.callback({
      id: 'f',
      inputs: [b.store('n', { initial: 1 })],
      outputs: [b.store('out')],
      cache: {},
      run: (x: number) => x,
    })
    await b.start()
    expect(b.inspect().capabilities).toMatchObject({ broadcast: true, locks: true })
  })
})

describe('S20 supersession', () => {
  it('S20 a superseded cached run keeps its result for its own key and counts as a miss; the next value does not wait for it', async () => {
    // n ─► [f, cached] ─► out        f(1) is held by a gate and ignores its signal
    const b = board(fresh('s20'))
    const input = b.store('n', { initial: 1 })
    const out = b.store<number>('out')
    const gate = deferred()
    const run = vi.fn(async (x: number) => {
      if (x === 1) await gate.promise
      return x * 10
    })
    b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
    void b.start()
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1))
    input.set(2)
    await b.idle() // settles with f(1) still held
    expect(out.get()).toBe(20)
    expect(statsOf(b, 'f')).toMatchObject({ runs: 2, misses: 1, hits: 0 })
    gate.resolve()
    // f(1) finishes for its own key: counted as the miss it is, its entry kept.
    await waitFor(() => expect(statsOf(b, 'f')).toMatchObject({ runs: 2, misses: 2 }))
    await b.idle()
    input.set(1)
    await b.idle()
    expect(out.get()).toBe(10)
    expect(run).toHaveBeenCalledTimes(2)
    expect(statsOf(b, 'f')).toMatchObject({ runs: 2, misses: 2, hits: 1 })
  })

  it('S20 a run superseded before it computes takes no key lock and claims nothing (found by the chaos run)', async () => {
    // n ─► [f, cached] ─► out      n set to 2, 3, 4 in one task: the runs for 2 and 3 are
    // superseded while their keys are hashed; only the run for 4 may lock, claim and compute.
    const b = board(fresh('s20-early'))
    const input = b.store('n', { initial: 1 })
    const out = b.store<number>('out')
    const run = vi.fn((x: number) => x * 10)
    b.callback({ id: 'f', inputs: [input], outputs: [out], run, cache: {} })
    await b.start()
    const requests: string[] = []
    const locks = navigator.locks
    const request = locks.request.bind(locks) as (...a: unknown[]) => Promise<unknown>
    vi.spyOn(locks, 'request').mockImplementation(((name: string, ...rest: unknown[]) => {
      requests.push(name)
      return request(name, ...rest)
    }) as never)
    input.set(2)
    input.set(3)
    input.set(4)
    await b.idle()
    expect(out.get()).toBe(40)
    expect(run.mock.calls.map((c) => c[0])).toEqual([1, 4])
    expect(requests.filter((r) => r.includes('cache'))).toHaveLength(1)
  })
})

describe('sessions: one per tab', () => {
  it('S25 board.session.id is one id for every board of the tab, whatever its name, kept across a reload', async () => {
    const x = board(fresh('s25-x'))
    const y = board(fresh('s25-y'))
    for (const b of [x, y]) b.store('note', { initial: '', storage: 'session' })
    await Promise.all([x.start(), y.start()])
    expect(y.session.id).toBe(x.session.id)
    const id = x.session.id
    // A reload: the boards go, new ones of other names come and find the kept id.
    x.dispose()
    y.dispose()
    const z = board(fresh('s25-z'))
    z.store('note', { initial: '', storage: 'session' })
    await z.start()
    expect(z.session.id).toBe(id)
  })

  it('S21 two boards of one name in one page share the session id: neither takes the other for a duplicated tab', async () => {
    const name = fresh('s21')
    const a = board(name)
    a.store('note', { initial: '', storage: 'session' })
    await a.start()
    const id = a.session.id
    const b = board(name)
    b.store('note', { initial: '', storage: 'session' })
    await b.start()
    expect(b.session.id).toBe(id)
    expect(a.session.id).toBe(id)
    const held = (await heldLocks()).filter((l) => l.includes('session'))
    expect(held.filter((l) => l.includes(id))).toHaveLength(1)
  })

  it('S21 a local store changed by one board reaches the other board of its name in the page (no storage event there), with one wave', async () => {
    //  board a: shared (local) ◄─ set        board b: shared (local) ─► [double] ─► doubled
    const name = fresh('s21-local')
    const a = board(name)
    const sharedA = a.store('shared', { initial: { n: 0 }, storage: 'local' })
    const b = board(name)
    const sharedB = b.store('shared', { initial: { n: 0 }, storage: 'local' })
    const doubled = b.store<number>('doubled')
    const double = vi.fn((v: { n: number }) => v.n * 2)
    b.callback({ id: 'double', inputs: [sharedB], outputs: [doubled], run: double })
    const echoes = vi.fn()
    sharedA.subscribe(echoes)
    await Promise.all([a.start(), b.start()])
    sharedA.set({ n: 21 })
    await waitFor(() => expect(doubled.get()).toBe(42))
    await a.idle()
    await b.idle()
    expect(sharedB.get()).toEqual({ n: 21 })
    expect(double).toHaveBeenCalledTimes(2) // initial, then a's change: once
    expect(echoes).toHaveBeenCalledTimes(1) // a's own set; b did not send it back
    // A clear of the store follows too: b's goes back to initial.
    sharedA.clear()
    await waitFor(() => expect(doubled.get()).toBe(0))
    expect(double).toHaveBeenCalledTimes(3)
  })

  it('S22 concurrent clearSession() and clear() calls leave one session lock, under the id in use', async () => {
    const name = fresh('s22')
    const b = board(name)
    b.store('note', { initial: '', storage: 'session' })
    await b.start()
    const before = b.session.id
    await Promise.all([b.clearSession(), b.clearSession(), b.clear(), b.clearSession()])
    const id = b.session.id
    expect(id).not.toBe(before)
    const held = (await heldLocks()).filter((l) => l.includes('session'))
    expect(held).toHaveLength(1)
    expect(held[0]).toContain(id)
  })
})

describe('S18 a clear leaves no blank', () => {
  it('S18 clear() with inputs already at initial: the derived values are computed again, in the asking board and the told one (found by the property test)', async () => {
    //  n (memory, never set) ─► [f, cached] ─► out (memory)
    const name = fresh('s18')
    const tab = () => {
      const b = board(name)
      const n = b.store('n', { initial: 0 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [n], outputs: [out], cache: {}, run: (x: number) => x * 10 + 1 })
      return { b, out }
    }
    const asking = tab()
    const told = tab()
    await Promise.all([asking.b.start(), told.b.start()])
    await asking.b.clear()
    expect(asking.out.get()).toBe(1)
    // The told board answered f twice: at start and after the clear (a run or a hit each).
    const answered = () => {
      const st = statsOf(told.b, 'f')
      return st.runs + st.hits
    }
    await waitFor(() => expect(answered()).toBe(2))
    await told.b.idle()
    expect(told.out.get()).toBe(1)
    expect(asking.b.errors.size + told.b.errors.size).toBe(0)
  })
})

describe('S09 logout is complete', () => {
  it('S09a after clearSession(), session-scope cached callbacks run again for the new session: no old value stays', async () => {
    //  user ─► [profile, cache session] ─► shown (memory)
    //  user ─► [token, cache session]   ─► saved (session store)
    const b = board(fresh('s09a'))
    const user = b.store('user', { initial: 'ann' })
    const shown = b.store<string>('shown')
    const saved = b.store<string>('saved', { storage: 'session' })
    const sessionAt = (s: string) => `${s}@${b.session.id}`
    const profile = vi.fn((u: string) => sessionAt(u))
    const token = vi.fn((u: string) => sessionAt(`t-${u}`))
    b.callback({ id: 'profile', inputs: [user], outputs: [shown], cache: { scope: 'session' }, run: profile })
    b.callback({ id: 'token', inputs: [user], outputs: [saved], cache: { scope: 'session' }, run: token })
    await b.start()
    const old = b.session.id
    expect(shown.get()).toBe(`ann@${old}`)
    await b.clearSession()
    const now = b.session.id
    expect(now).not.toBe(old)
    expect(shown.get()).toBe(`ann@${now}`)
    expect(saved.get()).toBe(`t-ann@${now}`)
    expect(profile).toHaveBeenCalledTimes(2)
    expect(token).toHaveBeenCalledTimes(2)
  })

  it('S09b clearSession() during a session-scope computation: the old run is aborted, its late result neither applied nor cached', async () => {
    const name = fresh('s09b')
    const b = board(name)
    const user = b.store('user', { initial: 'ann' })
    const shown = b.store<string>('shown')
    const gate = deferred()
    let calls = 0
    const profile = vi.fn(async (u: string) => {
      const sid = b.session.id
      if (++calls === 1) await gate.promise // the first run, for the old session, is held
      return `${u}@${sid}`
    })
    b.callback({ id: 'profile', inputs: [user], outputs: [shown], cache: { scope: 'session' }, run: profile })
    void b.start()
    await waitFor(() => expect(profile).toHaveBeenCalledTimes(1))
    const old = b.session.id
    const cleared = b.clearSession()
    await cleared // does not wait for the held run
    const now = b.session.id
    expect(shown.get()).toBe(`ann@${now}`)
    gate.resolve()
    await waitFor(async () => {
      // The old run's late result reached nowhere: not the store, not IndexedDB.
      const metas = (await rawKeys(name, 'cache')).filter((k) => (k as string[])[0] === 'm')
      expect(metas).toHaveLength(1)
    })
    await b.idle()
    expect(shown.get()).toBe(`ann@${now}`)
    const sids = ((await readRaw<unknown[]>(name, 'cache', (s) => s.getAll())) ?? [])
      .filter((v) => v && typeof v === 'object' && 'sid' in (v as object))
      .map((v) => (v as { sid: string }).sid)
    expect(sids).toEqual([now])
    expect(sids).not.toContain(old)
    // idle() stopped waiting for the aborted run, so its late write (if it made one) may
    // still be queued: let the run finish, then write once more. This board's cache writes
    // land in order, so once the new one has, a late one would have too.
    await profile.mock.results[0]!.value
    user.set('bob')
    await b.idle()
    expect(shown.get()).toBe(`bob@${now}`)
    const after = ((await readRaw<unknown[]>(name, 'cache', (s) => s.getAll())) ?? [])
      .filter((v) => v && typeof v === 'object' && 'sid' in (v as object))
      .map((v) => (v as { sid: string }).sid)
    expect(after).toEqual([now, now])
  })
})
