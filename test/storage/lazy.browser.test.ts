/**
 * Persistence, sessions and cross-tab code load by dynamic import the first time a board
 * needs them (issue 2, P9: a memory-only board does not download them). What a user can
 * see must not change: writes made before that code arrives are queued, not lost, still
 * one IndexedDB transaction per wave; idle() waits for the load and the writes; errors
 * raised in the loaded code reach the same events; board.session.id is synchronous.
 * A "reload" is a new board of the same name after the old one is disposed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { countingOpen } from '../idb'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<Parameters<typeof createBoard>[0]> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `lazy-${label}-${Date.now()}-${++n}`

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
})

describe('writes before the storage code has loaded', () => {
  it('sets before start are queued per wave: nothing lost, one transaction per wave, idle() waits for them', async () => {
    // a (idb), t (local); no callbacks: two sets before start(), then a batch of both
    const name = fresh('queued')
    const { counter, open } = countingOpen()
    const b = board(name, { idb: { open } })
    const a = b.store('a', { initial: 0, storage: 'idb' })
    const t = b.store('t', { initial: 'x', storage: 'local' })
    a.set(1) // wave 1
    a.set(2) // wave 2
    b.batch(() => {
      a.set(3) // wave 3: both stores, one transaction
      t.set('y')
    })
    await b.idle()
    expect(counter.readwrite).toBe(3)
    expect(JSON.parse(localStorage.getItem(nameOf(name, 't'))!).d).toBe('y')

    b.dispose()
    const again = board(name)
    const a2 = again.store('a', { initial: 0, storage: 'idb' })
    const t2 = again.store('t', { initial: 'x', storage: 'local' })
    await again.start()
    expect([a2.get(), t2.get()]).toEqual([3, 'y'])
  })

  it('a set before start is not overwritten by restore, and the initial wave sees it', async () => {
    // n (local) ─► [double] ─► d (memory)
    const name = fresh('touched')
    const first = board(name)
    const n1 = first.store('n', { initial: 1, storage: 'local' })
    await first.start()
    n1.set(5)
    first.dispose()

    const b = board(name)
    const nn = b.store('n', { initial: 1, storage: 'local' })
    const d = b.store<number>('d')
    const double = vi.fn((x: number) => x * 2)
    b.callback({ id: 'double', inputs: [nn], outputs: [d], run: double })
    nn.set(7) // before start, before the storage code: wins over the stored 5
    await b.start()
    expect([nn.get(), d.get(), double.mock.calls.length]).toEqual([7, 14, 1])
    await b.idle()
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'n'))!).d).toBe(7)
  })

  it('a persisted store defined after a memory-only board started is written and restored', async () => {
    // m (memory) started alone; then late (local) defined, set
    const name = fresh('late')
    const b = board(name)
    b.store('m', { initial: 0 })
    await b.start()
    const late = b.store('late', { initial: 0, storage: 'local' })
    late.set(9)
    await b.idle()
    b.dispose()

    const again = board(name)
    const late2 = again.store('late', { initial: 0, storage: 'local' })
    await again.start()
    expect(late2.get()).toBe(9)
  })

  it('a value IndexedDB cannot store, set before start, still reaches persist-failed and stays in memory', async () => {
    const name = fresh('uncloneable')
    const b = board(name)
    const f = b.store<unknown>('f', { initial: null, storage: 'idb' })
    const failed: Array<{ store: string; code: unknown }> = []
    b.on('persist-failed', (e) => failed.push({ store: e.store, code: (e.error as { code?: unknown }).code }))
    const fn = () => 1
    f.set(fn)
    await b.idle()
    expect(failed).toEqual([{ store: 'f', code: 'unencodable' }])
    expect(f.get()).toBe(fn)
    expect(b.inspect().stores[0]!.location).toBe('memory')
  })
})

describe('memory-only boards and sessions', () => {
  it('board.session.id is synchronous before anything loaded, and kept once the session is ready', async () => {
    const name = fresh('session')
    const b = board(name)
    const id = b.session.id
    expect(id).toMatch(/\S{8,}/)
    await b.session.ready
    expect(b.session.id).toBe(id)
    // A reload of the same tab keeps it (sessionStorage).
    b.dispose()
    const again = board(name)
    await again.session.ready
    expect(again.session.id).toBe(id)
  })

  it('clear() on a memory-only board loads what it needs and sets the stores back to initial', async () => {
    // n (memory) ─► [inc] ─► m (memory)
    const name = fresh('clear')
    const b = board(name)
    const nn = b.store('n', { initial: 1 })
    const m = b.store<number>('m')
    const inc = vi.fn((x: number) => x + 1)
    b.callback({ id: 'inc', inputs: [nn], outputs: [m], run: inc })
    await b.start()
    nn.set(4)
    expect(m.get()).toBe(5)
    await b.clear()
    expect([nn.get(), m.get(), inc.mock.calls.length]).toEqual([1, 2, 3])
  })
})
