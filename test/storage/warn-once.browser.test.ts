/**
 * Warnings are printed once per kind AND id (issue 12 §3 errors): a warning that names a
 * store is keyed by that store, so a second store meeting the same trouble is told too,
 * and a third write of the first store is not printed again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { useWebStorage } from '../../src/storage/web'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<Parameters<typeof createBoard>[0]> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `warn-once-${label}-${Date.now()}-${++n}`

/** The console.warn lines printed so far that mention `text`. */
const printed = (spy: { mock: { calls: unknown[][] } }, text: string) =>
  spy.mock.calls.filter((c) => String(c[0]).includes(text)).length

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  useWebStorage(undefined)
  localStorage.clear()
  vi.restoreAllMocks()
})

describe('warn once per kind and id', () => {
  it('W01 localStorage missing: each local store is warned about once, the second store too', async () => {
    // a (local), b (local); localStorage absent (our seam); a set twice, b once
    useWebStorage((kind) => (kind === 'local' ? undefined : sessionStorage))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const x = board(fresh('web'))
    const a = x.store('a', { initial: 0, storage: 'local' })
    const b = x.store('b', { initial: 0, storage: 'local' })
    await x.start()
    a.set(1)
    a.set(2)
    b.set(1)
    await x.idle()
    expect([
      printed(warn, 'store "a" is kept in memory only'),
      printed(warn, 'store "b" is kept in memory only'),
    ]).toEqual([1, 1])
    expect([a.get(), b.get()]).toEqual([2, 1])
  })

  it('W02 no IndexedDB: the board says so once, and each idb store is named once', async () => {
    // a (idb), b (idb); the board opts out of IndexedDB; a set twice, b once
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const x = board(fresh('idb'), { idb: false })
    const a = x.store('a', { initial: 0, storage: 'idb' })
    const b = x.store('b', { initial: 0, storage: 'idb' })
    await x.start()
    a.set(1)
    a.set(2)
    b.set(1)
    await x.idle()
    expect([
      printed(warn, 'keeps idb stores in memory only'),
      printed(warn, 'store "a" is kept in memory only'),
      printed(warn, 'store "b" is kept in memory only'),
    ]).toEqual([1, 1, 1])
  })
})
