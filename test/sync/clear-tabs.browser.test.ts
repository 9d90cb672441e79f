/**
 * clear() and clearSession() across tabs in real Chromium (DESIGN "Logout is complete",
 * "A clear told by another tab leaves this tab consistent", F30, S18): what the asking tab
 * removes and tells, what a told tab resets and what it leaves to the asking tab, and that
 * a tab told twice of one logout (on the logout channel and on the board's channel, as
 * another tab's clearSession() posts both) acts on it once. "Another tab" is a
 * BroadcastChannel of the test posting what another tab's library posts; a "reload" is a
 * new board of the same name after the old one is disposed.
 *
 * Ordering without timers: a BroadcastChannel made after the board's own hears each message
 * after it (delivery follows creation order), so once that probe hears a message, the
 * board has taken it; messages of one sender arrive in the order posted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardEvents, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
const channels: BroadcastChannel[] = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `clear-tabs-${label}-${Date.now()}-${++n}`
function channel(name: string) {
  const c = new BroadcastChannel(name)
  channels.push(c)
  return c
}
function events<K extends keyof BoardEvents>(b: Board, type: K): BoardEvents[K][] {
  const list: BoardEvents[K][] = []
  b.on(type, (e) => list.push(e))
  return list
}
type Heard = { type?: unknown; scope?: unknown; sid?: unknown; v?: unknown }
/** The next message `c` hears that `pick` accepts. */
function hears(c: BroadcastChannel, pick: (data: Heard) => boolean): Promise<unknown> {
  return new Promise((resolve) => {
    const on = (e: MessageEvent) => {
      if (!e.data || !pick(e.data as Heard)) return
      c.removeEventListener('message', on)
      resolve(e.data)
    }
    c.addEventListener('message', on)
  })
}
/** Every message `c` hears from now on. */
function log(c: BroadcastChannel): Heard[] {
  const list: Heard[] = []
  c.addEventListener('message', (e) => list.push(e.data as Heard))
  return list
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  for (const c of channels.splice(0)) c.close()
  sessionStorage.clear()
  localStorage.clear()
})

describe('clear() across tabs', () => {
  it('F30 S18 clear() removes every entry of the board, of stores this page never defined too, runs the callbacks again, and tells the other tabs', async () => {
    const name = fresh('asking')
    // An earlier page of this board kept stores this page does not define.
    const before = board(name)
    const gl = before.store('gl', { initial: 'l0', storage: 'local' })
    const gs = before.store('gs', { initial: 's0', storage: 'session' })
    const gi = before.store('gi', { initial: 'i0', storage: 'idb' })
    await before.start()
    gl.set('l1')
    gs.set('s1')
    gi.set('i1')
    await before.idle()
    before.dispose()

    // this page: q (local) ─► [double, cached] ─► d
    const a = board(name)
    const q = a.store('q', { initial: 1, storage: 'local' })
    const d = a.store<number>('d')
    const double = vi.fn((v: number) => v * 2)
    a.callback({ id: 'double', inputs: [q], outputs: [d], run: double, cache: { scope: 'global' } })
    await a.start()
    q.set(3)
    await a.idle()
    expect([d.get(), double.mock.calls.length]).toEqual([6, 2])
    const id = a.session.id

    const other = channel(nameOf(name))
    const told = hears(other, (m) => m.type === 'clear')
    await a.clear()
    // double(1) ran at start and was cached: it runs again, the cache went too.
    expect([q.get(), d.get(), double.mock.calls.length]).toEqual([1, 2, 3])
    expect([localStorage.getItem(nameOf(name, 'gl')), sessionStorage.getItem(nameOf(name, 'gs'))]).toEqual([null, null])
    expect(a.session.id).toBe(id) // a clear is not a logout
    expect(await told).toEqual({ sb: 1, from: expect.any(String), type: 'clear', scope: 'all', v: 1 })

    // A reload brings nothing of before back, from any medium.
    a.dispose()
    const r = board(name)
    const stores = [
      r.store('gl', { initial: 'l0', storage: 'local' }),
      r.store('gs', { initial: 's0', storage: 'session' }),
      r.store('gi', { initial: 'i0', storage: 'idb' }),
    ]
    await r.start()
    expect(stores.map((s) => s.get())).toEqual(['l0', 's0', 'i0'])
  })

  it("F30 S18 a clear told by another tab: stores back to initial, callbacks run once, the asking tab's shared entries left alone, nothing told back; another version's clear and other messages change nothing", async () => {
    const name = fresh('told-all')
    // this tab: q (local) ─► [double] ─► d;   s (session)
    const b = board(name)
    const q = b.store('q', { initial: 1, storage: 'local' })
    const s = b.store('s', { initial: 's0', storage: 'session' })
    const d = b.store<number>('d')
    const double = vi.fn((v: number) => v * 2)
    b.callback({ id: 'double', inputs: [q], outputs: [d], run: double })
    await b.start()
    q.set(3)
    s.set('s1')
    await b.idle()
    expect([d.get(), double.mock.calls.length]).toEqual([6, 2])
    const id = b.session.id
    // The asking tab removed the shared entries and may have written new ones since.
    const shared = localStorage.getItem(nameOf(name, 'q'))
    expect(shared).not.toBe(null)

    const tab = channel(nameOf(name))
    const heard = log(tab)
    const probe = channel(nameOf(name))
    const ignored = hears(probe, (m) => m.type === 'clear' && m.v === 2)
    tab.postMessage({ sb: 1, from: 'tab-a', type: 'stores', ids: [] })
    tab.postMessage({ sb: 1, from: 'tab-a', type: 'clear', scope: 'all', v: 2 }) // another deploy's
    await ignored
    await b.idle()
    expect([q.get(), s.get(), d.get(), double.mock.calls.length]).toEqual([3, 's1', 6, 2])

    const delivered = hears(probe, (m) => m.type === 'clear' && m.v === 1)
    tab.postMessage({ sb: 1, from: 'tab-a', type: 'clear', scope: 'all', v: 1 })
    await delivered
    await b.idle()
    expect([q.get(), s.get(), d.get(), double.mock.calls.length]).toEqual([1, 's0', 2, 3])
    expect(localStorage.getItem(nameOf(name, 'q'))).toBe(shared)
    expect(b.session.id).toBe(id)

    // This board's next message on the channel comes after anything it posted before.
    await b.clearSession()
    await waitFor(() => expect(heard.length).toBeGreaterThan(0))
    expect(heard).toEqual([{ sb: 1, from: expect.any(String), type: 'clear', scope: 'session', sid: id }])
  })

  it('F30 S21 a logout told by another tab reaches two boards of one name: the tab renews once, each board forgets once, memory and local stores stay', async () => {
    const name = fresh('told-twice')
    // this tab, boards B1 and B2 of one name, each: s (session) ─► [f] ─► out;  m (memory), l (local)
    const runs: string[] = []
    const define = (bd: Board, tag: string) => {
      const s = bd.store('s', { initial: 0, storage: 'session' })
      const m = bd.store('m', { initial: 'm0' })
      const l = bd.store('l', { initial: 'l0', storage: 'local' })
      const out = bd.store<number>('out')
      bd.callback({ id: 'f', inputs: [s], outputs: [out], run: (v: number) => (runs.push(tag), v + 1) })
      return { s, m, l, out }
    }
    const b1 = board(name)
    const b2 = board(name)
    const one = define(b1, 'b1')
    const two = define(b2, 'b2')
    await Promise.all([b1.start(), b2.start()])
    for (const x of [one, two]) {
      x.s.set(5)
      x.m.set('m1')
    }
    one.l.set('l1')
    await Promise.all([b1.idle(), b2.idle()])
    runs.length = 0
    const first = b1.session.id
    const seen1 = events(b1, 'session')
    const seen2 = events(b2, 'session')

    const tab = channel(nameOf(name))
    const probe = channel(nameOf(name))
    const delivered = hears(probe, (m) => m.type === 'clear')
    tab.postMessage({ sb: 1, from: 'tab-a', type: 'clear', scope: 'session', sid: 'tab-a-old' })
    await delivered
    await Promise.all([b1.idle(), b2.idle()])
    const renewed = b1.session.id
    expect(renewed).not.toBe(first)
    expect(b2.session.id).toBe(renewed)
    expect(seen1).toEqual([{ id: renewed, previous: first }])
    expect(seen2).toEqual(seen1)
    expect(runs.sort()).toEqual(['b1', 'b2'])
    expect([one, two].map((x) => [x.s.get(), x.out.get(), x.m.get()])).toEqual([
      [0, 1, 'm1'],
      [0, 1, 'm1'],
    ])
    expect([one.l.get(), two.l.get()]).toEqual(['l1', 'l1'])

    // Renewals run one after another: a logout here comes after any the message asked for.
    await b1.clearSession()
    await Promise.all([b1.idle(), b2.idle()])
    expect(seen1).toEqual([
      { id: renewed, previous: first },
      { id: b1.session.id, previous: renewed },
    ])
    expect(seen2).toEqual(seen1)
  })

  it('F30 told twice of one logout (logout channel, then board channel): the run started for the new session is not aborted', async () => {
    const name = fresh('twice-inflight')
    // this tab: s (session) ─► [f, async, held open by the test] ─► out
    const b = board(name)
    const s = b.store('s', { initial: 0, storage: 'session' })
    const out = b.store<number>('out')
    let hold: Promise<void> | undefined
    let started: () => void = () => undefined
    const f = vi.fn(async (v: number) => {
      started()
      if (hold) await hold
      return v * 10
    })
    b.callback({ id: 'f', inputs: [s], outputs: [out], run: f })
    await b.start()
    s.set(5)
    await b.idle()
    expect([out.get(), f.mock.calls.length]).toEqual([50, 2])

    let open: () => void = () => undefined
    hold = new Promise<void>((resolve) => {
      open = resolve
    })
    const rerun = new Promise<void>((resolve) => {
      started = resolve
    })
    // Another tab's clearSession() posts on the logout channel and on the board's channel.
    channel('sb-session').postMessage({ sb: 1, type: 'logout', sid: 'tab-a-old' })
    await rerun // s is back to 0 and f runs for the new session
    const tab = channel(nameOf(name))
    const probe = channel(nameOf(name))
    const delivered = hears(probe, (m) => m.type === 'clear')
    tab.postMessage({ sb: 1, from: 'tab-a', type: 'clear', scope: 'session', sid: 'tab-a-old' })
    await delivered
    open()
    await b.idle()
    expect([s.get(), out.get(), f.mock.calls.length]).toEqual([0, 0, 3])
  })

  it('F30 clearSession() here: session stores reset, memory and local stores kept, the reader runs once more, both channels tell the other tabs', async () => {
    const name = fresh('logout')
    // this tab: s (session) ─► [f] ─► out;   m (memory), l (local)
    const b = board(name)
    const s = b.store('s', { initial: 0, storage: 'session' })
    const m = b.store('m', { initial: 'm0' })
    const l = b.store('l', { initial: 'l0', storage: 'local' })
    const out = b.store<number>('out')
    const f = vi.fn((v: number) => v + 1)
    b.callback({ id: 'f', inputs: [s], outputs: [out], run: f })
    await b.start()
    s.set(5)
    m.set('m1')
    l.set('l1')
    await b.idle()
    const old = b.session.id
    const seen = events(b, 'session')

    const logout = hears(channel('sb-session'), () => true)
    const clear = hears(channel(nameOf(name)), (x) => x.type === 'clear')
    await b.clearSession()
    expect([s.get(), out.get(), m.get(), l.get(), f.mock.calls.length]).toEqual([0, 1, 'm1', 'l1', 3])
    expect(seen).toEqual([{ id: b.session.id, previous: old }])
    expect(await clear).toEqual({ sb: 1, from: expect.any(String), type: 'clear', scope: 'session', sid: old })
    expect(await logout).toEqual({ sb: 1, type: 'logout', sid: old })
  })

  it("S21 two boards of one name in one page follow each other's local stores", async () => {
    const name = fresh('page')
    const a = board(name)
    const xa = a.store('x', { initial: 0, storage: 'local' })
    const b = board(name)
    const xb = b.store('x', { initial: 0, storage: 'local' })
    await Promise.all([a.start(), b.start()])
    xa.set(7)
    await Promise.all([a.idle(), b.idle()])
    expect(xb.get()).toBe(7)
  })
})
