/**
 * The session is one per TAB, shared by every board of the page whatever its name (S25):
 * so a logout (`clearSession()`) on one board is a logout of every board of the tab. The
 * other boards' `session` stores go back to initial and their session-bound callbacks run
 * again, once, for the new session (DESIGN "Logout is complete").
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'

let n = 0
const boards: Board[] = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `session-boards-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
})

describe('clearSession() and the other boards of the tab', () => {
  it('L01 a board of another name in the tab forgets the session too: its session store resets, its reader runs once more', async () => {
    // board A: basket (session)
    // board B: cart (session) ─► [count] ─► n
    const a = board(fresh('a'))
    const basket = a.store('basket', { initial: 'empty', storage: 'session' })
    const b = board(fresh('b'))
    const cart = b.store('cart', { initial: 0, storage: 'session' })
    const total = b.store<number>('n')
    const count = vi.fn((c: number) => c * 2)
    b.callback({ id: 'count', inputs: [cart], outputs: [total], run: count })
    await Promise.all([a.start(), b.start()])
    basket.set('apples')
    cart.set(3)
    await Promise.all([a.idle(), b.idle()])
    const before = a.session.id
    expect([b.session.id, count.mock.calls.length, total.get()]).toEqual([before, 2, 6])

    await a.clearSession()
    await Promise.all([a.idle(), b.idle()])
    expect(a.session.id).not.toBe(before)
    expect(b.session.id).toBe(a.session.id)
    expect([basket.get(), cart.get(), total.get(), count.mock.calls.length]).toEqual(['empty', 0, 0, 3])
  })

  it('L02 two boards of one name and one of another: each forgets the session exactly once', async () => {
    // a1, a2: name A, s (session) ─► [f] ─► out;  c: name C, s (session) ─► [g] ─► out
    const nameA = fresh('same')
    const runs: string[] = []
    const define = (bd: Board, tag: string) => {
      const s = bd.store('s', { initial: 0, storage: 'session' })
      const out = bd.store<number>('out')
      bd.callback({ id: 'f', inputs: [s], outputs: [out], run: (v: number) => (runs.push(tag), v + 1) })
      return s
    }
    const a1 = board(nameA)
    const a2 = board(nameA)
    const c = board(fresh('other'))
    const stores = [define(a1, 'a1'), define(a2, 'a2'), define(c, 'c')]
    await Promise.all([a1.start(), a2.start(), c.start()])
    for (const s of stores) s.set(5)
    await Promise.all([a1.idle(), a2.idle(), c.idle()])
    runs.length = 0

    await a1.clearSession()
    await Promise.all([a1.idle(), a2.idle(), c.idle()])
    expect(runs.sort()).toEqual(['a1', 'a2', 'c'])
    expect(stores.map((s) => s.get())).toEqual([0, 0, 0])
    expect(new Set([a1.session.id, a2.session.id, c.session.id]).size).toBe(1)
  })
})
