/**
 * Intent travels with each write (issue 12 §1: `origin`), so what the end of a wave
 * persists is decided by the latest change of each store, not by a flag an earlier write
 * left behind. Two boards of one name in one page play two tabs (their `local` stores
 * follow each other, S21).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'

let n = 0
const boards: Board[] = []
function board(name: string) {
  const b = createBoard({ name, version: 1 })
  boards.push(b)
  return b
}
const fresh = (label: string) => `origin-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  localStorage.clear()
})

describe('origin of a write', () => {
  it("O01 another tab's value that a callback here rewrites in the same wave is written back", async () => {
    // tab A: x (local)            tab B: x (local) ─► [trim] ─► x
    // A sets ' hi '; B applies it (remote: not written back), trim writes 'hi' in the same
    // wave: that change is B's own and is persisted.
    const name = fresh('rewrite')
    const a = board(name)
    const xa = a.store('x', { initial: '', storage: 'local' })
    const b = board(name)
    const xb = b.store('x', { initial: '', storage: 'local' })
    b.callback({ id: 'trim', inputs: [xb], outputs: [xb], run: (v: string) => v.trim() })
    await Promise.all([a.start(), b.start()])

    xa.set(' hi ')
    await Promise.all([a.idle(), b.idle()])
    expect(xb.get()).toBe('hi')
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'x'))!).d).toBe('hi')
  })

  it('O02 a value from another tab alone is not written back (no echo)', async () => {
    // tab A: x (local) = 1;  tab B: x (local), no callback. B applies 1 and writes nothing.
    const name = fresh('echo')
    const a = board(name)
    const xa = a.store('x', { initial: 0, storage: 'local' })
    const b = board(name)
    const xb = b.store('x', { initial: 0, storage: 'local' })
    await Promise.all([a.start(), b.start()])
    const writes: string[] = []
    const setItem = Storage.prototype.setItem
    Storage.prototype.setItem = function (k: string, v: string) {
      writes.push(k)
      setItem.call(this, k, v)
    }
    try {
      xa.set(1)
      await Promise.all([a.idle(), b.idle()])
    } finally {
      Storage.prototype.setItem = setItem
    }
    expect(xb.get()).toBe(1)
    expect(writes).toEqual([nameOf(name, 'x')]) // A's write only
  })
})
