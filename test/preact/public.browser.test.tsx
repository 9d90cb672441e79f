/**
 * The Preact hooks on the public board only (issue 12 §2): they follow the board's
 * 'change' event and `board.status(id)`, subscribe to no store they do not show, and
 * throw our typed errors.
 */
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard, GraphError } from '../../src/index'
import { BoardProvider, useBoard, useBoardErrors, useStatus } from '../../src/preact/index'

let root: HTMLElement | undefined
const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `public-hooks-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
function mount(vnode: preact.ComponentChild) {
  root = document.createElement('div')
  document.body.append(root)
  act(() => render(vnode, root!))
  return root
}
afterEach(() => {
  if (root) act(() => render(null, root!))
  root?.remove()
  root = undefined
  for (const b of boards.splice(0)) b.dispose()
})

describe('Preact hooks on the public API', () => {
  //   x ─► [half] ─► y        half throws for odd x;   z: a store no callback touches
  it('useBoardErrors subscribes to no store, and still sees a sync failure and its recovery', async () => {
    const b = board()
    const x = b.store('x', { initial: 2 })
    const y = b.store<number>('y')
    const z = b.store('z', { initial: 0 })
    b.callback({
      id: 'half',
      inputs: [x],
      outputs: [y],
      run: (v) => {
        if (v % 2) throw new Error(`odd: ${v}`)
        return v / 2
      },
    })
    await b.start()
    const subscribed = [vi.spyOn(x, 'subscribe'), vi.spyOn(y, 'subscribe'), vi.spyOn(z, 'subscribe')]
    let renders = 0
    function Banner() {
      renders++
      return (
        <p>
          {useBoardErrors()
            .map((e) => e.callbackId)
            .join(',')}
        </p>
      )
    }
    const el = mount(
      <BoardProvider board={b}>
        <Banner />
      </BoardProvider>,
    )
    for (const s of subscribed) expect(s).not.toHaveBeenCalled()
    expect(renders).toBe(1)
    act(() => x.set(3))
    expect(el.textContent).toBe('half')
    expect(renders).toBe(2)
    act(() => z.set(1))
    expect(renders).toBe(2)
    act(() => x.set(4))
    expect(el.textContent).toBe('')
    expect(renders).toBe(3)
  })

  //   a ─► [inc] ─► out      (sync: its runs show through 'change', not through its outputs)
  it("useStatus follows a sync callback's runs without subscribing to its outputs", async () => {
    const b = board()
    const a = b.store('a', { initial: 1 })
    const out = b.store<number>('out')
    b.callback({ id: 'inc', inputs: [a], outputs: [out], run: (v) => v + 1 })
    await b.start()
    const outSub = vi.spyOn(out, 'subscribe')
    const Runs = () => <span>{useStatus('inc').runs}</span>
    const el = mount(
      <BoardProvider board={b}>
        <Runs />
      </BoardProvider>,
    )
    expect(el.textContent).toBe('1')
    act(() => a.set(5))
    expect(el.textContent).toBe('2')
    expect(outSub).not.toHaveBeenCalled()
  })

  it("without a board, the hooks throw GraphError('no-board') naming the hook and the fix", () => {
    const cases: Array<[string, () => unknown]> = [
      ['useBoard', () => useBoard()],
      ['useStatus', () => useStatus('x')],
      ['useBoardErrors', () => useBoardErrors()],
    ]
    for (const [name, hook] of cases) {
      let caught: unknown
      const Use = () => {
        try {
          hook()
        } catch (e) {
          caught = e
        }
        return null
      }
      mount(<Use />)
      expect(caught).toBeInstanceOf(GraphError)
      expect((caught as GraphError).code).toBe('no-board')
      expect((caught as GraphError).message).toContain(`${name}()`)
      expect((caught as GraphError).message).toContain('BoardProvider')
      act(() => render(null, root!))
      root!.remove()
      root = undefined
    }
  })
})
