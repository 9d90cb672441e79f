/**
 * The board's half of persistence and sync (src/graph/kept.ts), in real Chromium, against
 * its survivors of the wave-5 browser mutation run. A "reload" is a new board of the same
 * name after the old one is disposed; "another tab" is a second board of the same name in
 * this page (BroadcastChannel delivers between two channels of one page as between tabs).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `kept-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
})

describe('kept: restore and follow', () => {
  it('KB01 an idb store follows another tab of the board, also when the board holds memory stores too', async () => {
    //   tab A: x (idb), m (memory)          tab B: x (idb), m (memory), x ──double──▶ d
    const name = fresh('follow')
    const a = board(name)
    const ax = a.store('x', { initial: 0, storage: 'idb' })
    a.store('m', { initial: 0 })
    await a.start()
    const b = board(name)
    const bx = b.store('x', { initial: 0, storage: 'idb' })
    b.store('m', { initial: 0 })
    const d = b.store('d', { initial: 0 })
    b.callback({ id: 'double', inputs: [bx], outputs: d, run: (v) => v * 2 })
    await b.start()
    ax.set(21)
    await a.idle()
    await waitFor(() => expect(bx.get()).toBe(21))
    expect(d.get()).toBe(42)
  })

  it('KB02 a store persisted by an earlier page and now defined in memory starts at its initial value', async () => {
    const name = fresh('now-memory')
    const first = board(name)
    const x = first.store('x', { initial: 1, storage: 'local' })
    const y = first.store('y', { initial: 1, storage: 'idb' })
    await first.start()
    x.set(7)
    y.set(8)
    await first.idle()
    first.dispose()
    const again = board(name)
    const x2 = again.store('x', { initial: 1 })
    const y2 = again.store('y', { initial: 1 })
    await again.start()
    await again.idle()
    expect(x2.get()).toBe(1)
    expect(y2.get()).toBe(1)
  })

  it('KB03 a restored store keeps the time it was last changed through a reload that does not change it', async () => {
    const name = fresh('modified-at')
    const first = board(name)
    const x = first.store('x', { initial: 1, storage: 'idb' })
    const l = first.store('l', { initial: 1, storage: 'local' })
    await first.start()
    x.set(5)
    l.set(6)
    await first.idle()
    const at = (b: Board, id: string) => b.inspect().stores.find((s) => s.id === id)!.modifiedAt
    const tx = at(first, 'x')
    const tl = at(first, 'l')
    expect(tx).toBeGreaterThan(0)
    expect(tl).toBeGreaterThan(0)
    first.dispose()
    const second = board(name)
    second.store('x', { initial: 1, storage: 'idb' })
    second.store('l', { initial: 1, storage: 'local' })
    await second.start()
    await second.idle()
    expect([at(second, 'x'), at(second, 'l')]).toEqual([tx, tl])
    second.dispose()
    const third = board(name)
    const x3 = third.store('x', { initial: 1, storage: 'idb' })
    third.store('l', { initial: 1, storage: 'local' })
    await third.start()
    expect(x3.get()).toBe(5)
    expect([at(third, 'x'), at(third, 'l')]).toEqual([tx, tl])
  })
})
