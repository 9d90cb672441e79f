/**
 * useBoardErrors in real Chromium: a failing callback appears, a recovery (sync or async)
 * removes it, and two failures are listed once each.
 */
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { BoardProvider, useBoardErrors } from '../../src/preact/index'

let root: HTMLElement | undefined
const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `errors-hook-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
function Banner() {
  const errors = useBoardErrors()
  return (
    <ul>
      {errors.map((e) => (
        <li>{`${e.callbackId}: ${(e.cause as Error).message}`}</li>
      ))}
    </ul>
  )
}
function mount(b: Board) {
  root = document.createElement('div')
  document.body.append(root)
  act(() =>
    render(
      <BoardProvider board={b}>
        <Banner />
      </BoardProvider>,
      root!,
    ),
  )
  return root
}
afterEach(() => {
  if (root) act(() => render(null, root!))
  root?.remove()
  for (const b of boards.splice(0)) b.dispose()
})

describe('useBoardErrors', () => {
  //   x ─► [half] ─► y        half throws for odd x
  it('lists a sync failure and drops it when the callback next succeeds', async () => {
    const b = board()
    const x = b.store('x', { initial: 2 })
    const y = b.store<number>('y')
    b.callback({
      id: 'half',
      inputs: [x],
      outputs: [y],
      run: (v) => {
        if (v % 2) throw new Error(`odd ${v}`)
        return v / 2
      },
    })
    await b.start()
    const el = mount(b)
    expect(el.querySelectorAll('li')).toHaveLength(0)
    act(() => x.set(3))
    expect(el.textContent).toBe('half: odd 3')
    act(() => x.set(4))
    expect(el.querySelectorAll('li')).toHaveLength(0)
  })

  //   a ─► [slow] ─► p        slow rejects, then resolves
  //   c ─► [bad]  ─► q        bad always throws
  it('follows async failures and recoveries, one entry per failing callback', async () => {
    const b = board()
    const a = b.store('a', { initial: 0 })
    const c = b.store('c', { initial: 0 })
    const p = b.store<number>('p')
    const q = b.store<number>('q')
    b.callback({
      id: 'slow',
      inputs: [a],
      outputs: [p],
      run: async (v) => {
        await new Promise((r) => setTimeout(r, 1))
        if (v === 1) throw new Error('slow failed')
        return v
      },
    })
    b.callback({
      id: 'bad',
      inputs: [c],
      outputs: [q],
      run: () => {
        throw new Error('always')
      },
    })
    await b.start()
    const el = mount(b)
    expect(el.textContent).toBe('bad: always')
    await act(async () => {
      a.set(1)
      await b.idle()
    })
    expect([...el.querySelectorAll('li')].map((li) => li.textContent).sort()).toEqual([
      'bad: always',
      'slow: slow failed',
    ])
    await act(async () => {
      a.set(2)
      await b.idle()
    })
    expect(el.textContent).toBe('bad: always')
  })
})
