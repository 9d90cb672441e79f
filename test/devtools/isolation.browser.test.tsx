/**
 * The dev panel is dropped on pages it does not know (issue 14 §3): their CSS must not
 * reach it, its floating button must not sit on the graph, and a wide graph stays readable,
 * with zoom and pan by wheel, pinch, drag and keyboard.
 */
import { render } from 'preact'
import { afterEach, describe, expect, it } from 'vitest'
import { DevPanel, mountDevPanel } from '../../src/devtools/panel'
import { type Board, createBoard } from '../../src/index'
import { deep, deepActive, deepAll } from './deep'

let root: HTMLElement | undefined
const boards: Board[] = []
const cleanups: Array<() => void> = []
let n = 0
function board() {
  const b = createBoard({ name: `panel-iso-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
  if (root) render(null, root)
  root?.remove()
  root = undefined
  for (const b of boards.splice(0)) b.dispose()
})
function hostRule(css: string) {
  const style = document.createElement('style')
  style.textContent = css
  document.head.append(style)
  cleanups.push(() => style.remove())
}

/**
 * A chain of `k` callbacks, too wide for any screen at full size:
 *   s0 ─► [c1] ─► s1 ─► [c2] ─► s2 ─► … ─► [ck] ─► sk
 */
async function chain(k: number): Promise<Board> {
  const b = board()
  let prev = b.store('s0', { initial: 0 })
  for (let i = 1; i <= k; i++) {
    const next = b.store<number>(`s${i}`, { initial: 0 })
    b.callback({ id: `c${i}`, inputs: [prev], outputs: [next], run: (v: number) => v + 1 })
    prev = next
  }
  await b.start()
  return b
}
function open(b: Board) {
  root = document.createElement('div')
  document.body.append(root)
  render(<DevPanel board={b} />, root)
}
// A node's outline (its first rect): text extents do not scale exactly with the zoom.
const box = (id: string) => deep(`[data-testid="devnode-${id}"] rect`)!.getBoundingClientRect()
const graph = () => deep('[data-testid="devpanel-graph"]')!
function key(target: Element, k: string) {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, composed: true }))
}
function pointer(target: Element, type: string, x: number, y: number, id = 1, pointerType = 'mouse') {
  target.dispatchEvent(
    new PointerEvent(type, {
      clientX: x,
      clientY: y,
      pointerId: id,
      pointerType,
      isPrimary: id === 1,
      button: 0,
      buttons: type === 'pointerup' ? 0 : 1,
      bubbles: true,
      cancelable: true,
      composed: true,
    }),
  )
}

describe('dev panel isolation', () => {
  it('a host rule svg{height:120px} leaves the legend swatches at 26 × 8', async () => {
    hostRule('svg{height:120px}')
    const b = board()
    b.store('x', { initial: 1 })
    await b.start()
    const panel = mountDevPanel(b, { open: true })
    cleanups.push(() => panel.dispose())
    const swatches = deepAll<SVGSVGElement>('.sb-legend svg')
    expect(swatches).toHaveLength(3)
    for (const s of swatches) {
      const r = s.getBoundingClientRect()
      expect([r.width, r.height]).toEqual([26, 8])
    }
    // And the same for a panel placed by a Preact app.
    panel.dispose()
    open(b)
    const placed = deepAll<SVGSVGElement>('.sb-legend svg', root)
    expect(placed).toHaveLength(3)
    for (const s of placed) expect(s.getBoundingClientRect().height).toBe(8)
  })

  it('the floating button covers no part of the graph while the panel is open, and comes back when it closes', async () => {
    const b = await chain(3)
    const panel = mountDevPanel(b)
    cleanups.push(() => panel.dispose())
    const button = deep<HTMLButtonElement>('[data-testid="devpanel-toggle"]')!
    button.click()
    const g = deep('.sb-graph')!.getBoundingClientRect()
    const r = button.getBoundingClientRect()
    const overlaps = r.width > 0 && r.left < g.right && r.right > g.left && r.top < g.bottom && r.bottom > g.top
    expect(overlaps).toBe(false)
    key(deep('[data-testid="devpanel"]')!, 'Escape')
    expect(panel.open).toBe(false)
    expect(button.getBoundingClientRect().width).toBeGreaterThan(20)
    expect(deepActive()).toBe(button)
  })
})

describe('dev panel zoom and pan', () => {
  it('node text on a 12-callback graph opens readable (at least 9.9 px on screen)', async () => {
    open(await chain(12))
    const text = deep<SVGTextElement>('[data-testid="devnode-c1"] text:not(.sb-title)')!
    const onScreen = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM()!.a
    expect(onScreen).toBeGreaterThanOrEqual(9.9)
    // A small graph is not blown up past its own size.
    render(null, root!)
    const b = board()
    b.store('alone', { initial: 1 })
    await b.start()
    open(b)
    const small = deep<SVGTextElement>('[data-testid="devnode-alone"] text:not(.sb-title)')!
    expect(small.getScreenCTM()!.a).toBe(1)
  })

  it('keyboard: arrows pan by 40 px, + and - zoom by 1.25 around the centre, 0 and the reset button restore', async () => {
    open(await chain(12))
    const g = graph()
    expect(g.tabIndex).toBe(0)
    const a0 = box('c1')
    key(g, 'ArrowRight')
    key(g, 'ArrowDown')
    const a1 = box('c1')
    expect(a1.x).toBeCloseTo(a0.x - 40, 3)
    expect(a1.y).toBeCloseTo(a0.y - 40, 3)
    key(g, 'ArrowLeft')
    key(g, 'ArrowUp')
    expect(box('c1').x).toBeCloseTo(a0.x, 3)
    key(g, '+')
    expect(box('c1').width).toBeCloseTo(a0.width * 1.25, 3)
    key(g, '-')
    key(g, '-')
    expect(box('c1').width).toBeCloseTo(a0.width / 1.25, 3)
    key(g, '0')
    expect(box('c1').x).toBeCloseTo(a0.x, 3)
    expect(box('c1').width).toBeCloseTo(a0.width, 3)
    // Keys pressed on a focused node pan the graph too.
    key(deep('[data-testid="devnode-c2"]')!, 'ArrowRight')
    expect(box('c1').x).toBeCloseTo(a0.x - 40, 3)
    deep<HTMLButtonElement>('[data-testid="devpanel-zoom-in"]')!.click()
    expect(box('c1').width).toBeCloseTo(a0.width * 1.25, 3)
    deep<HTMLButtonElement>('[data-testid="devpanel-reset"]')!.click()
    expect(box('c1').x).toBeCloseTo(a0.x, 3)
    expect(box('c1').width).toBeCloseTo(a0.width, 3)
  })

  it('wheel and pinch zoom around the pointer; a wheel over the graph does not scroll the page', async () => {
    open(await chain(12))
    const a0 = box('c2')
    // A wheel event's clientX and clientY are whole pixels (MouseEvent's are integers).
    const cx = Math.round(a0.x + a0.width / 2)
    const cy = Math.round(a0.y + a0.height / 2)
    const wheel = new WheelEvent('wheel', { deltaY: -100, clientX: cx, clientY: cy, bubbles: true, cancelable: true })
    graph().dispatchEvent(wheel)
    expect(wheel.defaultPrevented).toBe(true)
    const a1 = box('c2')
    expect(a1.width).toBeGreaterThan(a0.width * 1.1)
    // The graph point under the pointer stays under it: same place inside the node.
    const at = (a: DOMRect) => [(cx - a.x) / a.width, (cy - a.y) / a.height]
    expect(at(a1)[0]).toBeCloseTo(at(a0)[0]!, 4)
    expect(at(a1)[1]).toBeCloseTo(at(a0)[1]!, 4)
    // A trackpad pinch arrives as a wheel with ctrlKey: spreading out (deltaY < 0) zooms in.
    graph().dispatchEvent(
      new WheelEvent('wheel', { deltaY: 20, ctrlKey: true, clientX: cx, clientY: cy, bubbles: true, cancelable: true }),
    )
    const a2 = box('c2')
    expect(a2.width).toBeLessThan(a1.width)
    expect(at(a2)[0]).toBeCloseTo(at(a0)[0]!, 4)
    // A touch pinch: two pointers moving apart double the scale around their midpoint.
    const t0 = box('c2')
    const mx = t0.x + t0.width / 2
    const my = t0.y + t0.height / 2
    pointer(graph(), 'pointerdown', mx - 20, my, 1, 'touch')
    pointer(graph(), 'pointerdown', mx + 20, my, 2, 'touch')
    pointer(graph(), 'pointermove', mx - 40, my, 1, 'touch')
    pointer(graph(), 'pointermove', mx + 40, my, 2, 'touch')
    pointer(graph(), 'pointerup', mx - 40, my, 1, 'touch')
    pointer(graph(), 'pointerup', mx + 40, my, 2, 'touch')
    const t1 = box('c2')
    expect(t1.width).toBeCloseTo(t0.width * 2, 3)
    expect(t1.x + t1.width / 2).toBeCloseTo(mx, 3)
  })

  it('drag pans by the distance moved; a drag that ends on a node does not select it, a click does', async () => {
    open(await chain(12))
    const a0 = box('c1')
    const g = graph()
    const gr = g.getBoundingClientRect()
    const x = gr.left + 4
    const y = gr.top + 4
    pointer(g, 'pointerdown', x, y)
    pointer(g, 'pointermove', x + 30, y + 10)
    pointer(g, 'pointermove', x + 60, y + 25)
    pointer(g, 'pointerup', x + 60, y + 25)
    const a1 = box('c1')
    expect(a1.x).toBeCloseTo(a0.x + 60, 3)
    expect(a1.y).toBeCloseTo(a0.y + 25, 3)
    // Dragging from a node pans and leaves it unselected.
    const node = deep('[data-testid="devnode-c1"]')!
    const nx = a1.x + 20
    const ny = a1.y + 20
    pointer(node, 'pointerdown', nx, ny)
    pointer(node, 'pointermove', nx - 50, ny)
    pointer(node, 'pointerup', nx - 50, ny)
    node.dispatchEvent(new MouseEvent('click', { clientX: nx - 50, clientY: ny, bubbles: true, composed: true }))
    expect(box('c1').x).toBeCloseTo(a1.x - 50, 3)
    expect(deep('[data-testid="devpanel-details"]')).toBeNull()
    // A click without a drag selects, as before.
    pointer(node, 'pointerdown', nx, ny)
    pointer(node, 'pointerup', nx + 1, ny)
    node.dispatchEvent(new MouseEvent('click', { clientX: nx + 1, clientY: ny, bubbles: true, composed: true }))
    await expect.poll(() => deep('[data-testid="devpanel-details"]')?.textContent).toContain('callback c1')
  })

  it('a node reached by Tab outside the view is panned into it', async () => {
    open(await chain(12))
    const g = graph().getBoundingClientRect()
    const far = deep<SVGGElement>('[data-testid="devnode-c12"]')!
    expect(far.getBoundingClientRect().left).toBeGreaterThan(g.right)
    far.focus()
    far.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }))
    const r = far.getBoundingClientRect()
    expect(r.left).toBeGreaterThanOrEqual(g.left)
    expect(r.right).toBeLessThanOrEqual(g.right)
    expect(r.top).toBeGreaterThanOrEqual(g.top)
    expect(r.bottom).toBeLessThanOrEqual(g.bottom)
  })
})
