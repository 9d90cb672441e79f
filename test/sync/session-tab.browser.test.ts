/**
 * The tab's session id in real Chromium (DESIGN "Session", F11, S25): kept in
 * sessionStorage across a reload, one for every board of the tab, renewed in a duplicated
 * tab (a real `window.open` popup, into which Chromium copies sessionStorage), adopted by a
 * same-origin iframe below the top window, let go when the last board is disposed, and
 * renewed once when another tab logs out. A "reload" is a new board after the old ones are
 * disposed; "another tab" is a popup with its own copy of the library, or a
 * BroadcastChannel of the test posting what another tab's library posts.
 *
 * The names below are the cross-tab protocol, which other tabs (other versions of the
 * library among them) rely on: the sessionStorage key `sb-session`, the Web Lock
 * `sb-session:<id>` a live tab holds on its id, the logout channel `sb-session`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardEvents, createBoard } from '../../src/index'
import { useWebStorage, type WebKind } from '../../src/storage/web'
import { waitFor } from '../wait'

type Lib = typeof import('../../src/index')

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

let n = 0
const boards: Board[] = []
const popups: Window[] = []
const channels: BroadcastChannel[] = []
const restores: Array<() => void> = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `session-tab-${label}-${Date.now()}-${++n}`
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
/** The next message `c` hears that `pick` accepts. */
function hears(c: BroadcastChannel, pick: (data: unknown) => boolean): Promise<unknown> {
  return new Promise((resolve) => {
    const on = (e: MessageEvent) => {
      if (!pick(e.data)) return
      c.removeEventListener('message', on)
      resolve(e.data)
    }
    c.addEventListener('message', on)
  })
}
const entry = new URL('../../src/index.ts', import.meta.url).href
/** Loads its own copy of the library into `win` (a popup, or a frame in one). */
function loadIn(win: Window): Promise<Lib> {
  const w = win as Window & { __sbLoaded?: (lib: Lib) => void }
  return new Promise<Lib>((resolve, reject) => {
    w.__sbLoaded = resolve
    w.addEventListener('error', (e) => reject(e.error ?? new Error(e.message)))
    const script = win.document.createElement('script')
    script.type = 'module'
    // What Vitest's browser mode gives its workers: the library's lazy imports go through it.
    script.textContent = `window.__vitest_browser_runner__ = { wrapDynamicImport: (f) => f() }
import * as lib from ${JSON.stringify(entry)}
window.__sbLoaded(lib)`
    win.document.head.append(script)
  })
}
/** Another tab opened from this one: Chromium gives it a copy of this tab's sessionStorage. */
function openTab(): Window {
  const win = window.open('about:blank', '_blank')
  if (!win) throw new Error('the popup was blocked')
  popups.push(win)
  return win
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  for (const w of popups.splice(0)) w.close()
  for (const c of channels.splice(0)) c.close()
  for (const r of restores.splice(0)) r()
  useWebStorage(undefined)
  sessionStorage.clear()
  localStorage.clear()
})

describe('the tab session id', () => {
  it('S25 a reload keeps the id the page before left in sessionStorage', async () => {
    // What the page before the reload left; its document (and its lock) are gone.
    sessionStorage.setItem('sb-session', 'kept-before-reload')
    const a = board(fresh('reload'))
    a.store('s', { initial: 0, storage: 'session' })
    const seen = events(a, 'session')
    expect(a.session.id).toBe('kept-before-reload') // before the session's code has loaded
    await a.start()
    expect(a.session.id).toBe('kept-before-reload')
    expect(seen).toEqual([{ id: 'kept-before-reload', previous: undefined }])
    expect(sessionStorage.getItem('sb-session')).toBe('kept-before-reload')
  })

  it('S25 a new tab mints one id, keeps it in sessionStorage, and every board of the tab gives it out', async () => {
    // board A: s (session)     board B: memory only      one tab, one id
    const a = board(fresh('a'))
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const id = a.session.id
    expect(id).toMatch(uuid)
    expect(sessionStorage.getItem('sb-session')).toBe(id)
    const b = board(fresh('b'))
    expect(b.session.id).toBe(id)
    await b.session.ready
    expect([a.session.id, b.session.id, sessionStorage.getItem('sb-session')]).toEqual([id, id, id])
  })

  it('S25 a reload after clearSession() starts from the new id, not the retired one', async () => {
    const name = fresh('logout-reload')
    const a = board(name)
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const old = a.session.id
    await a.clearSession()
    const renewed = a.session.id
    expect(renewed).not.toBe(old)
    expect(renewed).toMatch(uuid)
    expect(sessionStorage.getItem('sb-session')).toBe(renewed)

    a.dispose() // the page goes; the next one reads what it left
    const b = board(name)
    b.store('s', { initial: 0, storage: 'session' })
    expect(b.session.id).toBe(renewed)
  })

  it('S25 F11 the last board disposed lets go of the id: another tab waiting for its lock gets it', async () => {
    const a = board(fresh('release'))
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const id = a.session.id
    a.dispose()
    // Never granted while the lock leaks (the test would then hang and time out).
    expect(await navigator.locks.request(`sb-session:${id}`, () => 'granted')).toBe('granted')
  })

  it('S25 F11 a board disposed while its session is still claiming the lock lets it go too', async () => {
    const a = board(fresh('dispose-early'))
    await a.clear() // loads the board's storage code, without a session yet
    const id = a.session.id // starts the session: the lock is asked for now
    a.dispose() // before the lock is granted
    expect(await navigator.locks.request(`sb-session:${id}`, () => 'granted')).toBe('granted')
  })

  it('S21 one of two boards disposed: the one left still follows other tabs’ logouts', async () => {
    // board A (disposed), board B: s (session) ─► [f] ─► out
    const a = board(fresh('left-a'))
    a.store('s', { initial: 0, storage: 'session' })
    const b = board(fresh('left-b'))
    const s = b.store('s', { initial: 0, storage: 'session' })
    const out = b.store<number>('out')
    b.callback({ id: 'f', inputs: [s], outputs: [out], run: (v: number) => v * 10 })
    await Promise.all([a.start(), b.start()])
    s.set(4)
    await b.idle()
    const first = b.session.id
    a.dispose()

    const seen = events(b, 'session')
    const renewed = new Promise<void>((resolve) => b.on('session', () => resolve()))
    channel('sb-session').postMessage({ sb: 1, type: 'logout', sid: 'another-tab-id' })
    await renewed
    await b.idle()
    expect(seen).toEqual([{ id: b.session.id, previous: first }])
    expect([s.get(), out.get()]).toEqual([0, 0])
  })

  it('F11 a duplicated tab (sessionStorage copied) finds the id taken and mints its own; the original keeps it', async () => {
    // this tab: id X, holds lock sb-session:X   popup: copied sessionStorage says X
    const name = fresh('dup')
    const a = board(name)
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const original = a.session.id

    const tab = openTab()
    expect(tab.sessionStorage.getItem('sb-session')).toBe(original) // Chromium's copy
    const lib = await loadIn(tab)
    const dup = lib.createBoard({ name, version: 1 })
    dup.store('s', { initial: 0, storage: 'session' })
    const seen: Array<{ id: string; previous: string | undefined }> = []
    dup.on('session', (e) => seen.push(e))
    expect(dup.session.id).toBe(original) // what it starts from, before the check
    await dup.start()
    const own = dup.session.id
    expect(own).toMatch(uuid)
    expect(own).not.toBe(original)
    expect(seen).toEqual([{ id: own, previous: original }])
    expect(tab.sessionStorage.getItem('sb-session')).toBe(own)
    // The original tab is untouched.
    expect([a.session.id, sessionStorage.getItem('sb-session')]).toEqual([original, original])
  })

  it('S25 a same-origin iframe adopts its top window’s session and follows its renewals', async () => {
    // popup (top): board P, id Y, holds the lock     iframe in it: board F, same id, no lock
    const top = openTab()
    const lib = await loadIn(top)
    const p = lib.createBoard({ name: fresh('top'), version: 1 })
    p.store('s', { initial: 0, storage: 'session' })
    await p.start()
    const id = p.session.id
    expect(id).toMatch(uuid)

    const frame = top.document.createElement('iframe')
    top.document.body.append(frame)
    const inner = await loadIn(frame.contentWindow as Window)
    const f = inner.createBoard({ name: fresh('frame'), version: 1 })
    f.store('s', { initial: 0, storage: 'session' })
    await f.start()
    expect(f.session.id).toBe(id) // not taken for a duplicate of its own top

    await p.clearSession()
    await f.idle()
    expect(p.session.id).not.toBe(id)
    expect(f.session.id).toBe(p.session.id)
  })

  it('F32 another tab’s logout renews the id once; malformed messages on the logout channel change nothing', async () => {
    // this tab: s (session) ─► [f] ─► out        another tab posts on 'sb-session'
    const a = board(fresh('told'))
    const s = a.store('s', { initial: 0, storage: 'session' })
    const out = a.store<number>('out')
    const f = vi.fn((v: number) => v * 10)
    a.callback({ id: 'f', inputs: [s], outputs: [out], run: f })
    await a.start()
    s.set(5)
    await a.idle()
    const first = a.session.id
    expect([out.get(), f.mock.calls.length]).toEqual([50, 2])
    const seen = events(a, 'session')

    const other = channel('sb-session')
    const heard: unknown[] = []
    other.onmessage = (e) => heard.push(e.data)
    // Made after the tab's own channel: a message reaches it after the tab's (creation order).
    const probe = channel('sb-session')
    const last = hears(probe, (d) => (d as { sid?: unknown } | null)?.sid === 'other-tab-id')
    const renewed = new Promise<void>((resolve) => a.on('session', () => resolve()))
    for (const m of [
      null,
      'logout',
      7,
      {},
      { sb: 2, type: 'logout', sid: 'm1' },
      { sb: '1', type: 'logout', sid: 'm2' },
      { sb: 1, type: 'clear', sid: 'm3' },
      { sb: 1, type: 'logout', sid: 4 },
      { sb: 1, type: 'logout' },
    ])
      other.postMessage(m)
    other.postMessage({ sb: 1, type: 'logout', sid: 'other-tab-id' })
    await last // every message above has reached the tab, and each renewal they asked for is queued
    await renewed
    await a.idle()
    const [told] = seen
    expect(seen).toEqual([{ id: told?.id, previous: first }])
    expect(told?.id).toMatch(uuid)
    expect(a.session.id).toBe(told?.id)
    // A logout here afterwards: told to the other tabs, unlike the one this tab was told of.
    await a.clearSession()
    await a.idle()
    const own = seen[1]
    expect(seen).toEqual([
      { id: told?.id, previous: first },
      { id: a.session.id, previous: told?.id },
    ])
    expect(new Set([first, told?.id, own?.id]).size).toBe(3)
    expect([s.get(), out.get(), f.mock.calls.length]).toEqual([0, 0, 4])
    expect(sessionStorage.getItem('sb-session')).toBe(a.session.id)
    // Told tabs do not pass a logout on; this tab's own is told to the others once.
    await waitFor(() => expect(heard.length).toBeGreaterThan(0))
    expect(heard).toEqual([{ sb: 1, type: 'logout', sid: told?.id }])
  })

  // Found by this test (wave 8): clearSession named the tab's id at the time it got round to
  // its event, and a told logout's part queued behind a logout asked here meanwhile: the
  // events read [{ id: C, previous: B }, { id: C, previous: A }]. Each renewal now carries
  // the id it made, and a board applies renewals in their order.
  it('a logout here while another tab’s logout is being applied: session events in renewal order, each naming the id it made', async () => {
    const a = board(fresh('race'))
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const first = a.session.id
    const seen = events(a, 'session')
    const other = channel('sb-session')
    const probe = channel('sb-session')
    const last = hears(probe, (d) => (d as { sid?: unknown } | null)?.sid === 'other-tab-id')
    other.postMessage({ sb: 1, type: 'logout', sid: 'other-tab-id' })
    await last // the told renewal is under way (it waits for a Web Lock)
    await a.clearSession()
    await a.idle()
    const [told] = seen
    expect(seen).toEqual([
      { id: told?.id, previous: first },
      { id: a.session.id, previous: told?.id },
    ])
  })

  it('F14 sessionStorage refusing the id: one warning, and every board of the tab still gives out one id', async () => {
    // Our own seam (web.ts reads its areas through useWebStorage): setItem of the session
    // key throws as a locked-down Storage does.
    useWebStorage((kind: WebKind) => {
      const real = kind === 'session' ? sessionStorage : localStorage
      return new Proxy(real, {
        get(target, p) {
          if (p === 'setItem')
            return (k: string, v: string) => {
              if (k === 'sb-session') throw new DOMException('The operation is insecure.', 'SecurityError')
              target.setItem(k, v)
            }
          const v = Reflect.get(target, p, target) as unknown
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
        },
      })
    })
    const name = fresh('refused')
    const a = board(name)
    a.store('s', { initial: 0, storage: 'session' })
    const warnings = events(a, 'warning')
    await a.start()
    const id = a.session.id
    expect(id).toMatch(uuid)
    expect(sessionStorage.getItem('sb-session')).toBe(null)
    expect(warnings.map((w) => [w.message, (w.cause as DOMException).name])).toEqual([
      [`board "${name}" could not keep the tab's session id in sessionStorage.`, 'SecurityError'],
    ])
    const b = board(fresh('refused-b'))
    expect(b.session.id).toBe(id)
    await b.session.ready
    expect(b.session.id).toBe(id)
  })

  it('F14 sessionStorage that throws on every use: board.session.id is an id from the first read on', async () => {
    // Our own seam: an area whose every call throws, as a storage blocked by policy does.
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    }
    useWebStorage((kind: WebKind) =>
      kind === 'session'
        ? ({ getItem: blocked, setItem: blocked, removeItem: blocked } as unknown as Storage)
        : localStorage,
    )
    const a = board(fresh('blocked'))
    expect(a.session.id).toMatch(uuid) // before the session's code has loaded
    await a.session.ready
    expect(a.session.id).toMatch(uuid)
  })

  it('F14 no crypto.randomUUID (an insecure context): ids are still minted, distinct, of letters and digits', async () => {
    // randomUUID exists only in secure contexts; elsewhere it is missing, as here.
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true })
    restores.push(() => delete (crypto as { randomUUID?: unknown }).randomUUID)
    const a = board(fresh('insecure'))
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    const first = a.session.id
    await a.clearSession()
    const second = a.session.id
    const shape = /^[0-9a-z]+-[0-9a-z]+-[0-9a-z]+$/
    expect([shape.test(first), shape.test(second), first === second]).toEqual([true, true, false])
    expect(sessionStorage.getItem('sb-session')).toBe(second)
  })

  it('F14 capabilities tell the truth: locks and broadcast work here; a BroadcastChannel that throws says broadcast false', async () => {
    const a = board(fresh('caps'))
    a.store('s', { initial: 0, storage: 'session' })
    await a.start()
    expect(a.inspect().capabilities).toMatchObject({ locks: true, broadcast: true })

    // A locked-down context throws on construction (F14, S16).
    const Real = globalThis.BroadcastChannel
    globalThis.BroadcastChannel = class {
      constructor() {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      }
    } as unknown as typeof BroadcastChannel
    restores.push(() => {
      globalThis.BroadcastChannel = Real
    })
    const b = board(fresh('caps-denied'))
    b.store('s', { initial: 0, storage: 'session' })
    await b.start()
    expect(b.inspect().capabilities).toMatchObject({ locks: true, broadcast: false })
    const before = b.session.id
    await b.clearSession() // no channel: the logout is this tab's alone, and works
    expect(b.session.id).not.toBe(before)
  })
})
