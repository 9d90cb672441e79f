/**
 * S01 in real Chromium: boards whose names or store ids contain the separator keep apart
 * in Web Storage, IndexedDB, Web Locks and BroadcastChannel; clear() touches only its own
 * board name and version. A "reload" is a new board of the same name after the old one is
 * disposed: it reads exactly what a reloaded page would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { sessionKey } from '../../src/sync/id'

let n = 0
const boards: Board[] = []
function board(name: string, version: string | number = 1) {
  const b = createBoard({ name, version })
  boards.push(b)
  return b
}
const fresh = (label: string) => `keys-${label}-${Date.now()}-${++n}`

afterEach(async () => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
  vi.restoreAllMocks()
})

/** Defines the stores of one board, one per medium, sets them to `tag`, and disposes it. */
async function write(name: string, id: string, tag: string, version: string | number = 1) {
  const b = board(name, version)
  const stores = (['local', 'session', 'idb'] as const).map((storage) =>
    b.store(`${id}-${storage}`, { initial: 'initial', storage }),
  )
  await b.start()
  b.batch(() => {
    for (const s of stores) s.set(tag)
  })
  await b.idle()
  b.dispose()
}

/** What a reload of board `name` finds in its stores. */
async function read(name: string, id: string, version: string | number = 1) {
  const b = board(name, version)
  const stores = (['local', 'session', 'idb'] as const).map((storage) =>
    b.store(`${id}-${storage}`, { initial: 'initial', storage }),
  )
  await b.start()
  const out = stores.map((s) => s.get())
  b.dispose()
  return out
}

describe('S01 keys never collide', () => {
  it("S01 createBoard({name:'app'}).clear() leaves 'app:admin' entries alone", async () => {
    const app = fresh('app')
    await write(`${app}:admin`, 'x', 'admin')
    await write(app, 'x', 'app')
    const b = board(app)
    await b.start()
    await b.clear()
    b.dispose()
    expect(await read(app, 'x')).toEqual(['initial', 'initial', 'initial'])
    expect(await read(`${app}:admin`, 'x')).toEqual(['admin', 'admin', 'admin'])
  })

  it("S01 board 'k:b' store 'c' and board 'k' store 'b:c' keep their own values", async () => {
    const k = fresh('k')
    await write(`${k}:b`, 'c', 'first')
    await write(k, 'b:c', 'second')
    expect(await read(`${k}:b`, 'c')).toEqual(['first', 'first', 'first'])
    expect(await read(k, 'b:c')).toEqual(['second', 'second', 'second'])
  })

  it("S01 store 'a' and store 'a:' and '%3A' of one board keep their own values", async () => {
    const name = fresh('ids')
    const ids = ['a', 'a:', 'a%3A', '__proto__', ':', '💥']
    const b = board(name)
    const stores = ids.map((id) => b.store(id, { initial: 'initial', storage: 'local' }))
    await b.start()
    b.batch(() => stores.forEach((s, i) => s.set(`value ${i}`)))
    await b.idle()
    b.dispose()
    const again = board(name)
    const back = ids.map((id) => again.store(id, { initial: 'initial', storage: 'local' }))
    await again.start()
    expect(back.map((s) => s.get())).toEqual(ids.map((_, i) => `value ${i}`))
    expect(Object.keys(localStorage).sort()).toEqual(ids.map((id) => nameOf(name, id)).sort())
  })

  it('S01 clear() touches only its own board version in Web Storage', async () => {
    // Another deploy of the app, open in another tab, keeps its entries under the same name.
    const name = fresh('version')
    await write(name, 'old', 'v1', 1)
    await write(name, 'x', 'v2', 2)
    const b = board(name, 2)
    await b.start()
    await b.clear()
    expect(Object.keys(localStorage)).toEqual([nameOf(name, 'old-local')])
    expect(Object.keys(sessionStorage).filter((k) => k !== sessionKey)).toEqual([nameOf(name, 'old-session')])
  })

  it('S01 locks, channel and database are named per board through the same escaping', async () => {
    const name = fresh('lock:session')
    const b = board(name)
    b.store('s', { initial: 1, storage: 'idb' })
    await b.start()
    const held = (await navigator.locks.query()).held?.map((l) => l.name) ?? []
    // The session lock is the tab's, not the board's (S25: one session per tab): its name is
    // outside the `sb:` namespace of board names, so no board name can produce it.
    expect(held).toContain(`sb-session:${b.session.id}`)
    expect(held.filter((l) => l?.startsWith(nameOf(name)))).toEqual([])
    const dbs = (await indexedDB.databases()).map((d) => d.name)
    expect(dbs).toContain(nameOf(name))
  })
})
