/**
 * The Preact hooks by store id (issue 15): `useStore(id)` and `useStoreState(id)` take a
 * string or an object id (`{ type: 'item', index: 3 }`), read the board of the nearest
 * BoardProvider (or the one passed), and follow the store as it is created and removed.
 * `useStatus` of a pattern callback adds up its instances; with `{ match }`, one instance.
 */
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { ALL, type Board, createBoard, MATCH, type Store } from '../../src/index'
import { BoardProvider, useStatus, useStore, useStoreState } from '../../src/preact/index'

let root: HTMLElement | undefined
const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `hook-ids-${Date.now()}-${++n}` })
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

describe('useStore by id', () => {
  it('reads a store by object id under a BoardProvider, and re-renders on its changes', () => {
    const b = board()
    const qty = b.store({ type: 'qty', index: 3 }, { initial: 1 })
    let renders = 0
    function Qty() {
      renders++
      // A new object literal each render: the same id, no resubscription churn.
      return <span>{String(useStore<number>({ type: 'qty', index: 3 }))}</span>
    }
    const el = mount(
      <BoardProvider board={b}>
        <Qty />
      </BoardProvider>,
    )
    expect(el.textContent).toBe('1')
    expect(renders).toBe(1)
    act(() => qty.set(5))
    expect(el.textContent).toBe('5')
    expect(renders).toBe(2)
  })

  it('a string id and an object id in canonical form name the same store; the board may be passed', () => {
    const b = board()
    b.store({ type: 'qty', index: 3 }, { initial: 7 })
    b.store('plain', { initial: 'p' })
    function Both() {
      const a = useStore<number>('{"index":3,"type":"qty"}', b)
      const p = useStore<string>('plain', b)
      return <span>{`${a} ${p}`}</span>
    }
    expect(mount(<Both />).textContent).toBe('7 p')
  })

  it('undefined until the store exists; follows it when created, removed and created again', async () => {
    const b = board()
    const total = b.store('total', { initial: 0 })
    // total = Σ {type:'qty', index: ALL}: qty stores are a family, removable.
    b.callback({ inputs: [{ type: 'qty', index: ALL }], outputs: [total], run: (qs: unknown[]) => qs.length })
    await b.start()
    function Qty() {
      const v = useStore<number>({ type: 'qty', index: 1 })
      return <span>{v === undefined ? 'none' : String(v)}</span>
    }
    const el = mount(
      <BoardProvider board={b}>
        <Qty />
      </BoardProvider>,
    )
    expect(el.textContent).toBe('none')
    let first!: Store<number>
    act(() => {
      first = b.store({ type: 'qty', index: 1 }, { initial: 4 })
    })
    expect(el.textContent).toBe('4')
    act(() => first.set(6))
    expect(el.textContent).toBe('6')
    act(() => b.remove(first))
    expect(el.textContent).toBe('none')
    // Removed and created again: a new store, and the hook follows the new one.
    let second!: Store<number>
    act(() => {
      second = b.store({ type: 'qty', index: 1 }, { initial: 9 })
    })
    expect(el.textContent).toBe('9')
    act(() => second.set(10))
    expect(el.textContent).toBe('10')
    act(() => first.set(99)) // the removed store: ignored, and not shown
    expect(el.textContent).toBe('10')
  })

  it('useStoreState by object id: the setter writes that store', () => {
    const b = board()
    const qty = b.store({ type: 'qty', index: 0 }, { initial: 1 })
    let set!: (next: number | ((c: number | undefined) => number)) => void
    function Qty() {
      const [v, s] = useStoreState<number>({ type: 'qty', index: 0 })
      set = s
      return <span>{String(v)}</span>
    }
    const el = mount(
      <BoardProvider board={b}>
        <Qty />
      </BoardProvider>,
    )
    act(() => set((c) => (c ?? 0) + 1))
    expect(qty.get()).toBe(2)
    expect(el.textContent).toBe('2')
    act(() => set(8))
    expect(el.textContent).toBe('8')
  })

  it('without a board: an error naming the hook and the fix', () => {
    function Lost() {
      return <span>{String(useStore({ type: 'qty', index: 0 }))}</span>
    }
    expect(() => mount(<Lost />)).toThrow(/useStore\(\) needs a board/)
  })
})

describe('the canonical text the adapter names a store by', () => {
  it('is the store id the board gives: keys sorted, strings and numbers apart, -0 as 0', () => {
    const b = board()
    const ids = [
      { type: 'qty', index: 3 },
      { index: '3', type: 'qty' },
      { z: 1, a: 'x', m: -0 },
      { 'we"ird': 'va\\l"ue', n: 1.5e-7 },
    ]
    function Show({ id }: { id: Record<string, string | number> }) {
      return <span>{String(useStore(id, b))}</span>
    }
    for (const [i, id] of ids.entries()) {
      b.store(id, { initial: i })
      expect(mount(<Show id={id} />).textContent).toBe(String(i))
    }
  })
})

describe('useStatus of a pattern callback', () => {
  //   {type:'x', index:i} ─► [double] (MATCH) ─► {type:'y', index:i}     i = 0, 1
  it('adds up the instances; { match } reads one instance', async () => {
    const b = board()
    const x0 = b.store({ type: 'x', index: 0 }, { initial: 1 })
    b.store({ type: 'y', index: 0 }, { initial: 0 })
    b.store({ type: 'x', index: 1 }, { initial: 2 })
    b.store({ type: 'y', index: 1 }, { initial: 0 })
    b.callback({
      id: 'double',
      inputs: [{ type: 'x', index: MATCH }],
      outputs: [{ type: 'y', index: MATCH }],
      run: (v) => (v as number) * 2,
    })
    await b.start()
    function Runs() {
      const all = useStatus('double')
      const one = useStatus('double', { match: { index: 0 } })
      return <span>{`${all.runs} ${one.runs}`}</span>
    }
    const el = mount(
      <BoardProvider board={b}>
        <Runs />
      </BoardProvider>,
    )
    // The initial wave: each instance once.
    expect(el.textContent).toBe('2 1')
    await act(async () => {
      x0.set(5)
      await b.idle()
    })
    expect(el.textContent).toBe('3 2')
  })
})
