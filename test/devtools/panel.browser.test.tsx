/**
 * The dev panel in real Chromium: one box per store and callback, and a callback's colour
 * follows its life (idle → running with a progress bar → error → idle), its figures follow
 * its stats, and a store holding a worker handle is drawn as living in the worker.
 */
import { render } from 'preact'
import { afterEach, describe, expect, it } from 'vitest'
import { DevPanel, mountDevPanel } from '../../src/devtools/panel'
import { type Board, createBoard } from '../../src/index'
import { deep, deepActive, deepAll } from './deep'

let root: HTMLElement | undefined
const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `panel-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
afterEach(() => {
  if (root) render(null, root)
  root?.remove()
  root = undefined
  for (const b of boards.splice(0)) b.dispose()
})
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}
const node = (id: string) => deep<SVGGElement>(`[data-testid="devnode-${id}"]`)

describe('DevPanel', () => {
  //   q ─► [fetch] (async) ─► rows ─► [count] ─► total
  it('colours a callback running, with progress, then errored, then idle again', async () => {
    const b = board()
    const q = b.store('q', { initial: 'a' })
    const rows = b.store<string[]>('rows', { initial: [] })
    const total = b.store('total', { initial: 0 })
    let pending = deferred<string[]>()
    b.callback({
      id: 'fetch',
      inputs: [q],
      outputs: [rows],
      preventInitialCall: true,
      run: (_q, ctx) => {
        ctx.progress(0.4, 'half way')
        return pending.promise
      },
    })
    b.callback({ id: 'count', inputs: [rows], outputs: [total], run: (r) => r.length })
    await b.start()
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)

    expect(deepAll('[data-kind="store"]', root)).toHaveLength(3)
    expect(deepAll('g[data-kind="callback"]', root)).toHaveLength(2)
    expect(deepAll('path[data-kind="input"]', root)).toHaveLength(2)
    expect(deepAll('path[data-kind="output"]', root)).toHaveLength(2)

    q.set('b')
    await expect.poll(() => node('fetch')?.dataset['state']).toBe('running')
    await expect.poll(() => !!deep('[data-testid="devprogress-fetch"]')).toBe(true)

    pending.reject(new Error('server down'))
    await expect.poll(() => node('fetch')?.dataset['state']).toBe('error')
    expect(node('fetch')!.querySelector('title')!.textContent).toContain('server down')

    pending = deferred<string[]>()
    q.set('c')
    pending.resolve(['x', 'y'])
    await b.idle()
    await expect.poll(() => node('fetch')?.dataset['state']).toBe('idle')
    expect(node('fetch')!.dataset['runs']).toBe('2')
    await expect.poll(() => node('count')?.dataset['runs']).toBe('2')
    expect(deep('[data-testid="devpanel-counts"]')!.textContent).toBe('3 stores · 2 callbacks · 4 edges')
  })

  //   k ─► [square] (cache: global) ─► sq
  it('colours a callback whose latest answer came from the cache', async () => {
    const b = board()
    const k = b.store('k', { initial: 2 })
    const sq = b.store('sq', { initial: 0 })
    b.callback({ id: 'square', inputs: [k], outputs: [sq], cache: { scope: 'global' }, run: async (v) => v * v })
    await b.start()
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)
    await expect.poll(() => node('square')?.dataset['misses']).toBe('1')
    expect(node('square')!.dataset['state']).toBe('idle')
    k.set(3)
    await b.idle()
    await expect.poll(() => node('square')?.dataset['misses']).toBe('2')
    k.set(2) // seen before: a hit, no run
    await b.idle()
    await expect.poll(() => node('square')?.dataset['hits']).toBe('1')
    expect(node('square')!.dataset['state']).toBe('cached')
    expect(node('square')!.dataset['runs']).toBe('2')
    expect(sq.get()).toBe(4)
  })

  it('draws a store that holds a worker handle as living in the worker, sized by the data', async () => {
    const b = board()
    const h = b.store<unknown>('table', { initial: null })
    await b.start()
    root = document.createElement('div')
    document.body.append(root)
    render(<DevPanel board={b} />, root)
    expect(node('table')!.dataset['where']).toBe('memory')
    // A handle as the worker pool makes them (see src/worker/handle.ts).
    h.set({
      switchboard: 'handle',
      id: 'h1',
      bytes: 1_600_000,
      desc: 'table',
      pool: 'p',
      worker: 0,
      life: 1,
      persisted: false,
      board: b.name,
    })
    await expect.poll(() => node('table')?.dataset['where']).toBe('worker')
    expect(node('table')!.dataset['bytes']).toBe('1600000')
    expect(node('table')!.textContent).toContain('1.5 MB')
  })

  it('mountDevPanel toggles with its button and Alt+Shift+D, and Escape closes it', async () => {
    const b = board()
    b.store('x', { initial: 1 })
    await b.start()
    const panel = mountDevPanel(b)
    try {
      const button = deep<HTMLButtonElement>('[data-testid="devpanel-toggle"]')!
      expect(deep('[data-testid="devpanel"]')).toBeNull()
      button.click()
      expect(deep('[data-testid="devpanel"]')).not.toBeNull()
      expect(button.getAttribute('aria-expanded')).toBe('true')
      window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyD', key: 'D', altKey: true, shiftKey: true }))
      expect(deep('[data-testid="devpanel"]')).toBeNull()
      window.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyD', key: 'D', altKey: true, shiftKey: true }))
      const el = deep('[data-testid="devpanel"]')!
      expect(deepActive()).toBe(el)
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
      expect(deep('[data-testid="devpanel"]')).toBeNull()
      expect(panel.open).toBe(false)
    } finally {
      panel.dispose()
    }
    expect(deep('[data-testid="devpanel-toggle"]')).toBeNull()
  })
})
