/**
 * The session id is observable (issue 14 §2.7): `board.on('session', fn)` fires once when
 * the tab's session is settled (the duplicated-tab check done) and once per renewal
 * (`clearSession()` on this board, on another board of the tab, or in another tab), with
 * `{ id, previous }`. A page shows the id without polling it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'

let n = 0
const boards: Board[] = []
function board(label: string) {
  const b = createBoard({ name: `session-event-${label}-${Date.now()}-${++n}`, version: 1 })
  boards.push(b)
  return b
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
})

describe("board.on('session')", () => {
  it('N7 fires once when the session is settled and once per clearSession, on every board of the tab', async () => {
    // board A: basket (session)      board B: cart (session)      one tab, one session
    const a = board('a')
    const b = board('b')
    a.store('basket', { initial: 'empty', storage: 'session' })
    b.store('cart', { initial: 0, storage: 'session' })
    const seenA: Array<{ id: string; previous: string | undefined }> = []
    const seenB: Array<{ id: string; previous: string | undefined }> = []
    a.on('session', (e) => seenA.push(e))
    b.on('session', (e) => seenB.push(e))
    await Promise.all([a.start(), b.start()])
    const first = a.session.id
    expect(seenA).toEqual([{ id: first, previous: undefined }])
    expect(seenB).toEqual([{ id: first, previous: undefined }])

    await a.clearSession()
    await Promise.all([a.idle(), b.idle()])
    const second = a.session.id
    expect(second).not.toBe(first)
    expect(seenA).toEqual([
      { id: first, previous: undefined },
      { id: second, previous: first },
    ])
    expect(seenB).toEqual(seenA)

    // Renewed from the other board: one more event each, none twice.
    await b.clearSession()
    await Promise.all([a.idle(), b.idle()])
    const third = b.session.id
    expect(new Set([first, second, third]).size).toBe(3)
    expect(seenA.slice(2)).toEqual([{ id: third, previous: second }])
    expect(seenB).toEqual(seenA)
  })

  it('N7 a board that keeps nothing tells its session once it is first read; unsubscribing stops the events', async () => {
    const a = board('memory')
    const seen: string[] = []
    const off = a.on('session', (e) => seen.push(`${e.id} ${e.previous}`))
    await a.start()
    expect(seen).toEqual([]) // nothing kept, nothing read: no session yet
    const id = a.session.id
    await a.session.ready
    expect(seen).toEqual([`${id} undefined`])
    off()
    await a.clearSession()
    await a.idle()
    expect(a.session.id).not.toBe(id)
    expect(seen).toEqual([`${id} undefined`])
  })
})
