/**
 * Web Locks denied (S06, F14): `locks.request` rejects, as under an opaque origin or a
 * policy. The tab goes on as without Web Locks: it keeps the id it read, says so once,
 * `capabilities.locks` is false, and a logout still renews the id. Alone in its file: the
 * denial is remembered per lock manager, i.e. for the rest of this page.
 */
import { afterEach, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'

const boards: Board[] = []

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
  delete (navigator.locks as { request?: unknown }).request
  sessionStorage.clear()
})

it('S06 F14 Web Locks denied: one warning naming the board, no locks in capabilities, the kept id stays, clearSession() still renews it', async () => {
  Object.defineProperty(navigator.locks, 'request', {
    configurable: true,
    value: () => Promise.reject(new DOMException('The request is denied.', 'SecurityError')),
  })
  sessionStorage.setItem('sb-session', 'kept-while-denied') // what the page before left
  const name = `session-locks-denied-${Date.now()}`
  const a = createBoard({ name, version: 1 })
  boards.push(a)
  a.store('s', { initial: 0, storage: 'session' })
  const warnings: Array<[string, string]> = []
  a.on('warning', (w) => warnings.push([w.message, (w.cause as DOMException).name]))
  await a.start()
  expect(a.session.id).toBe('kept-while-denied')
  expect(a.inspect().capabilities.locks).toBe(false)

  await a.clearSession()
  const renewed = a.session.id
  expect(renewed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  expect(sessionStorage.getItem('sb-session')).toBe(renewed)
  expect(warnings).toEqual([
    [
      `board "${name}": Web Locks are denied here; each tab computes its cached callbacks for itself and duplicated tabs go undetected.`,
      'SecurityError',
    ],
  ])
})
