/**
 * The dev panel on the public board only (issue 12 §2): it follows the board's 'change'
 * event, so it subscribes to no store, polls nothing and leaves profiling as the board
 * was created (sync runs stay untimed unless `profile: true`).
 */
import { render } from 'preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DevPanel } from '../../src/devtools/panel'
import { type Board, createBoard } from '../../src/index'
import { deep } from './deep'

let root: HTMLElement | undefined
const boards: Board[] = []
let n = 0
function board(profile = false) {
  const b = createBoard({ name: `panel-public-${Date.now()}-${++n}`, profile })
  boards.push(b)
  return b
}
afterEach(() => {
  if (root) render(null, root)
  root?.remove()
  root = undefined
  vi.restoreAllMocks()
  for (const b of boards.splice(0)) b.dispose()
})
const node = (id: string) => deep<SVGGElement>(`[data-testid="devnode-${id}"]`)
const counts = () => deep('[data-testid="devpanel-counts"]')?.textContent

describe('DevPanel on the public API', () => {
  //   a ─► [inc] ─► b
  it('subscribes to no store, sets no interval, and does not turn profiling on', async () => {
    const b = board()
    const a = b.store('a', { initial: 1 })
    const out = b.store<number>('b')
    b.callback({ id: 'inc', inputs: [a], outputs: [out], run: (v) => v + 1 })
    await b.start()
    const subscribed = [vi.spyOn(a, 'subscribe'), vi.spyOn(out, 'subscribe')]
    const interval = vi.spyOn(window, 'setInterval')
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)
    a.set(2)
    await expect.poll(() => node('inc')?.dataset.runs).toBe('2')
    for (const s of subscribed) expect(s).not.toHaveBeenCalled()
    expect(interval).not.toHaveBeenCalled()
    // Not profiled: the sync run was counted, neither timed nor sized.
    const stats = b.inspect().callbacks[0]!.stats
    expect(stats.runs).toBe(2)
    expect(stats.bytesIn).toBe(0)
    expect(stats.lastMs).toBe(0)
  })

  it('a profiled board shows its sync runs sized, with the panel open or not', async () => {
    const b = board(true)
    const a = b.store('a', { initial: 1 })
    b.callback({ id: 'inc', inputs: [a], outputs: [b.store<number>('b')], run: (v) => v + 1 })
    await b.start()
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)
    a.set(2)
    await expect.poll(() => node('inc')?.dataset.runs).toBe('2')
    expect(b.inspect().callbacks[0]!.stats.bytesIn).toBe(16)
    render(null, root)
    a.set(3)
    expect(b.inspect().callbacks[0]!.stats.bytesIn).toBe(24)
  })

  it('the graph growing after the panel opened shows at once (a definition is a change)', async () => {
    const b = board()
    const a = b.store('a', { initial: 1 })
    await b.start()
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)
    await expect.poll(counts).toBe('1 stores · 0 callbacks · 0 edges')
    const later = b.store<number>('later')
    await expect.poll(counts).toBe('2 stores · 0 callbacks · 0 edges')
    b.callback({ id: 'copy', inputs: [a], outputs: [later], run: (v) => v })
    await expect.poll(counts).toBe('2 stores · 1 callbacks · 2 edges')
    await expect.poll(() => node('copy')?.dataset.runs).toBe('1')
  })
})
