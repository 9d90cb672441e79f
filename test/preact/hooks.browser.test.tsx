/**
 * The Preact hooks in real Chromium: useStore reads the store at render and never tears,
 * useStoreState's setter, useStatus following a callback's runs, progress and errors.
 */
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, createBoard, type Store } from '../../src/index'
import { BoardProvider, useBoard, useStatus, useStore, useStoreState } from '../../src/preact/index'

let root: HTMLElement
const boards: Board[] = []
let n = 0
function board() {
  const b = createBoard({ name: `hooks-${Date.now()}-${++n}` })
  boards.push(b)
  return b
}
function mount(vnode: preact.ComponentChild) {
  root = document.createElement('div')
  document.body.append(root)
  act(() => render(vnode, root))
  return root
}
afterEach(() => {
  if (root) act(() => render(null, root))
  root?.remove()
  for (const b of boards.splice(0)) b.dispose()
})

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('useStore', () => {
  it('renders the current value and re-renders once per change', async () => {
    const b = board()
    const count = b.store('count', { initial: 1 })
    let renders = 0
    function Count() {
      renders++
      return <span>{useStore(count)}</span>
    }
    const el = mount(<Count />)
    expect(el.textContent).toBe('1')
    expect(renders).toBe(1)
    act(() => count.set(2))
    expect(el.textContent).toBe('2')
    expect(renders).toBe(2)
    act(() => count.set(2)) // equal: not a change
    expect(renders).toBe(2)
  })

  it('no tearing: a change between render and subscription still shows', () => {
    const b = board()
    const count = b.store('count', { initial: 1 })
    function Count() {
      return <span>{useStore(count)}</span>
    }
    root = document.createElement('div')
    document.body.append(root)
    // The set lands after the render read 1 but before the effect subscribed.
    act(() => {
      render(<Count />, root)
      count.set(5)
    })
    expect(root.textContent).toBe('5')
  })

  it('two components reading one store agree after every change', () => {
    const b = board()
    const x = b.store('x', { initial: 0 })
    const A = () => <i>{useStore(x)}</i>
    const B = () => <b>{useStore(x)}</b>
    const el = mount(
      <p>
        <A />
        <B />
      </p>,
    )
    for (let i = 1; i <= 3; i++) {
      act(() => x.set(i))
      expect(el.querySelector('i')!.textContent).toBe(String(i))
      expect(el.querySelector('b')!.textContent).toBe(String(i))
    }
  })

  it('switching stores resubscribes: the old store no longer renders, the new one does', () => {
    const b = board()
    const a = b.store('a', { initial: 'a0' })
    const c = b.store('c', { initial: 'c0' })
    let renders = 0
    function Show({ s }: { s: Store<string> }) {
      renders++
      return <span>{useStore(s)}</span>
    }
    const el = mount(<Show s={a} />)
    act(() => render(<Show s={c} />, root))
    expect(el.textContent).toBe('c0')
    const before = renders
    act(() => a.set('a1'))
    expect(renders).toBe(before)
    act(() => c.set('c1'))
    expect(el.textContent).toBe('c1')
  })

  it('unmount unsubscribes: later changes render nothing', () => {
    const b = board()
    const x = b.store('x', { initial: 0 })
    let renders = 0
    function Show() {
      renders++
      return <span>{useStore(x)}</span>
    }
    mount(<Show />)
    act(() => render(null, root))
    act(() => x.set(1))
    expect(renders).toBe(1)
  })

  it('a callback downstream shows its output in the same act as the input change', async () => {
    // n ─► [double] ─► d
    const b = board()
    const nStore = b.store('n', { initial: 2 })
    const d = b.store<number>('d')
    b.callback({ inputs: [nStore], outputs: [d], run: (v) => v * 2 })
    await b.start()
    const Show = () => <span>{useStore(d)}</span>
    const el = mount(<Show />)
    expect(el.textContent).toBe('4')
    act(() => nStore.set(5))
    expect(el.textContent).toBe('10')
  })
})

describe('useStoreState', () => {
  it('returns a stable setter that takes a value or an updater', () => {
    const b = board()
    const x = b.store('x', { initial: 1 })
    const setters = new Set<unknown>()
    function Counter() {
      const [v, set] = useStoreState(x)
      setters.add(set)
      return (
        <button type="button" onClick={() => set((c) => c + 1)} onDblClick={() => set(100)}>
          {v}
        </button>
      )
    }
    const el = mount(<Counter />)
    const button = el.querySelector('button')!
    act(() => button.click())
    act(() => button.click())
    expect(x.get()).toBe(3)
    expect(button.textContent).toBe('3')
    act(() => void button.dispatchEvent(new MouseEvent('dblclick', { bubbles: true })))
    expect(button.textContent).toBe('100')
    expect(setters.size).toBe(1)
  })
})

describe('useStatus', () => {
  it('follows an async callback: running, progress, runs, then idle', async () => {
    // q ─► [load] ─► out
    const b = board()
    const q = b.store('q', { initial: 0 })
    const out = b.store<number>('out')
    let gate = deferred<number>()
    let progress!: (f: number, note?: string) => void
    const load = b.callback({
      id: 'load',
      inputs: [q],
      outputs: [out],
      preventInitialCall: true,
      run: (v, ctx) => {
        progress = (f, note) => ctx.progress(f, note)
        return gate.promise.then((x) => x + v)
      },
    })
    await b.start()
    function Status() {
      const s = useStatus(load)
      return (
        <p
          data-running={String(s.running)}
          data-runs={s.runs}
          data-progress={s.progress ? `${s.progress.fraction} ${s.progress.note}` : ''}
        />
      )
    }
    const el = mount(
      <BoardProvider board={b}>
        <Status />
      </BoardProvider>,
    )
    const p = el.querySelector('p')!
    expect(p.dataset.running).toBe('false')
    expect(p.dataset.runs).toBe('0')
    act(() => q.set(1))
    expect(p.dataset.running).toBe('true')
    act(() => progress(0.5, 'half'))
    expect(p.dataset.progress).toBe('0.5 half')
    await act(async () => {
      gate.resolve(10)
      await b.idle()
    })
    expect(p.dataset.running).toBe('false')
    expect(p.dataset.progress).toBe('')
    expect(p.dataset.runs).toBe('1')
    expect(out.get()).toBe(11)
    gate = deferred<number>()
  })

  it('shows an error and clears it when the callback next succeeds (board passed, id by string)', async () => {
    // x ─► [check] ─► y
    const b = board()
    const x = b.store('x', { initial: 1 })
    const y = b.store<number>('y')
    b.callback({
      id: 'check',
      inputs: [x],
      outputs: [y],
      run: (v) => {
        if (v < 0) throw new RangeError(`negative: ${v}`)
        return v
      },
    })
    await b.start()
    function Err() {
      const s = useStatus('check', b)
      return <p role="alert">{s.error ? s.error.message : 'ok'}</p>
    }
    const el = mount(<Err />)
    expect(el.textContent).toBe('ok')
    act(() => x.set(-1))
    expect(el.textContent).toContain('negative: -1')
    expect(el.textContent).toContain('check')
    act(() => x.set(2))
    expect(el.textContent).toBe('ok')
  })

  it('an id not defined yet reads as idle; without a board it says how to fix it', () => {
    const b = board()
    const Show = () => <span>{useStatus('later', b).runs}</span>
    expect(mount(<Show />).textContent).toBe('0')
    const NoBoard = () => <span>{useStatus('x').runs}</span>
    expect(() => mount(<NoBoard />)).toThrow(/BoardProvider/)
  })

  it('N4 a callback object names its board: useStatus(load) needs no provider', async () => {
    // q ─► [load] ─► out          (no <BoardProvider> anywhere; a provider of another board is ignored)
    const b = board()
    const other = board()
    const q = b.store('q', { initial: 1 })
    const out = b.store<number>('out')
    let calls = 0
    const load = b.callback({
      id: 'load',
      inputs: [q],
      outputs: [out],
      run: (v) => {
        calls++
        if (v < 0) throw new RangeError(`negative: ${v}`)
        return v * 2
      },
    })
    other.callback({ id: 'load', inputs: [other.store('q', { initial: 0 })], outputs: [], run: () => undefined })
    await b.start()
    expect(load.board).toBe(b)
    expect(Object.keys(load)).toEqual(['id'])
    function Runs() {
      const s = useStatus(load)
      return <p role="alert">{s.error ? s.error.message : `runs ${s.runs}`}</p>
    }
    const el = mount(<Runs />)
    expect(el.textContent).toBe('runs 1')
    act(() => q.set(2))
    expect(el.textContent).toBe('runs 2')
    act(() => q.set(-1))
    expect(el.textContent).toContain('negative: -1')
    expect(calls).toBe(3)
    // Under a provider of another board that also has a 'load', the callback's own board wins.
    act(() => render(null, root))
    const el2 = mount(
      <BoardProvider board={other}>
        <Runs />
      </BoardProvider>,
    )
    expect(el2.textContent).toContain('negative: -1')
  })

  it('useBoard returns the provided board', () => {
    const b = board()
    const Name = () => <span>{useBoard().name}</span>
    expect(
      mount(
        <BoardProvider board={b}>
          <Name />
        </BoardProvider>,
      ).textContent,
    ).toBe(b.name)
  })
})
