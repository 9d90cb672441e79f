/**
 * clear() touches only its own board name AND version (DESIGN "Keys never collide"), in
 * IndexedDB too: another deploy of the app (another version, open in another tab) keeps
 * its persisted stores and cache entries. Web Storage already keeps them (S01, keys test).
 * "Another tab" is a second board of the same name in this page.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { rawKeys } from '../idb'

let n = 0
const boards: Board[] = []
function board(name: string, version: number) {
  const b = createBoard({ name, version })
  boards.push(b)
  return b
}
const fresh = (label: string) => `clear-versions-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
})

describe('clear() and other versions of the board', () => {
  it('V01 an idb store written by version 1 survives clear() by version 2; version 2 own entry goes', async () => {
    // v1: legacy (idb) = 'old';  v2: mine (idb) = 'new'; v2.clear()
    const name = fresh('stores')
    const v1 = board(name, 1)
    const legacy = v1.store('legacy', { initial: '', storage: 'idb' })
    await v1.start()
    legacy.set('old')
    await v1.idle()

    const v2 = board(name, 2)
    const mine = v2.store('mine', { initial: '', storage: 'idb' })
    await v2.start()
    mine.set('new')
    await v2.idle()
    expect((await rawKeys(name, 'stores')).sort()).toEqual(['legacy', 'mine'])

    await v2.clear()
    expect(await rawKeys(name, 'stores')).toEqual(['legacy'])

    // Version 1 reloads and finds its value.
    v1.dispose()
    const again = board(name, 1)
    const legacy2 = again.store('legacy', { initial: '', storage: 'idb' })
    await again.start()
    expect(legacy2.get()).toBe('old')
  })

  it('V02 a cache entry of version 1 survives clear() by version 2 (a reload of version 1 still hits)', async () => {
    // n ─► [f, cache] ─► out, in v1; v2 defines the same and clears
    const name = fresh('cache')
    const f = vi.fn((x: number) => x * 10)
    const define = (b: Board) => {
      const input = b.store('n', { initial: 1 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [input], outputs: [out], run: f, cache: {} })
      return out
    }
    const v1 = board(name, 1)
    define(v1)
    await v1.start()
    await v1.idle()
    expect(f).toHaveBeenCalledTimes(1)

    const v2 = board(name, 2)
    define(v2)
    await v2.start()
    await v2.idle()
    expect(f).toHaveBeenCalledTimes(2) // another version: another key
    await v2.clear()
    await v2.idle()
    expect(f).toHaveBeenCalledTimes(3) // the clear re-runs v2's callback (S18), its entry gone

    v1.dispose()
    const again = board(name, 1)
    const out = define(again)
    await again.start()
    await again.idle()
    expect([out.get(), f.mock.calls.length]).toEqual([10, 3])
  })
})
