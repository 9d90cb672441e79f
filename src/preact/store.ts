/**
 * Reading a store from a Preact component. The store is the source of truth, never a copy
 * in component state: every render reads `store.get()`, and the subscription only asks for
 * a re-render. That is useSyncExternalStore's contract, written against preact/hooks so
 * the adapter does not pull in preact/compat.
 */
import { useCallback, useContext } from 'preact/hooks'
import { GraphError } from '../errors'
import type { Board, Store } from '../graph/types'
import type { StoreId } from '../index'
import { useExternal } from './external'
import { idText } from './ids'
import { BoardContext, boardFor } from './status'

export { useExternal } from './external'

/**
 * The store's current value; the component re-renders when it changes. Given an id (a
 * string or an object id) instead of the store, it reads the store of that id on the board
 * passed or the nearest `BoardProvider`'s: `undefined` while there is none, following it
 * as it is created, removed and created again (a list item's store).
 *
 * @example
 * function Count() {
 *   const n = useStore(count)
 *   return <button onClick={() => count.set(n + 1)}>{n}</button>
 * }
 * function Qty({ index }: { index: number }) {
 *   return <span>{useStore<number>({ type: 'qty', index })}</span>
 * }
 */
export function useStore<T>(store: Store<T>): T
export function useStore<T = unknown>(id: StoreId, board?: Board): T | undefined
export function useStore<T>(ref: Store<T> | StoreId, board?: Board): T | undefined {
  const fromContext = useContext(BoardContext)
  const store = isStore(ref) ? ref : undefined
  const b = store ? undefined : boardFor('useStore', board, fromContext)
  // An object literal is new at each render; its canonical text is what stays the same.
  const text = store ? undefined : idText(ref as StoreId)
  const subscribe = useCallback(
    (fn: () => void) => (store ? store.subscribe(fn) : follow(b!, text!, fn)),
    [store, b, text],
  )
  const get = useCallback(
    (): T | undefined => (store ? (store.get() as T) : storeOf<T>(b!, text!)?.get()),
    [store, b, text],
  )
  return useExternal(subscribe, get)
}

function isStore(x: unknown): x is Store<unknown> {
  return typeof (x as Store<unknown> | null)?.subscribe === 'function'
}

/** The live store of that id on the board, or undefined (`board.get` never creates one). */
function storeOf<T>(board: Board, text: string): Store<T> | undefined {
  return board.get<T>(text)
}

/**
 * Subscribes to the store of that id, whichever store it is now: the board's 'change'
 * event names a store when it is created (or removed), and then the subscription moves.
 */
function follow(board: Board, text: string, fn: () => void): () => void {
  let current = storeOf(board, text)
  let off = current?.subscribe(fn)
  // Any change: a Map lookup is cheaper than asking whether the event names this id.
  const offChange = board.on('change', () => {
    const next = storeOf(board, text)
    if (next === current) return
    off?.()
    current = next
    off = next?.subscribe(fn)
    fn()
  })
  return () => {
    off?.()
    offChange()
  }
}

/** A new value, or a function of the current one (read at call time, not render time). */
export type SetStore<T, Current = T> = (next: T | ((current: Current) => T)) => void

/**
 * `useState` for a store: its value and a setter. The setter is stable per store, so it
 * can go in dependency lists and props without re-rendering children.
 *
 * @example
 * const [query, setQuery] = useStoreState(queryStore)
 * return <input value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
 */
export function useStoreState<T>(store: Store<T>): [T, SetStore<T>]
export function useStoreState<T = unknown>(id: StoreId, board?: Board): [T | undefined, SetStore<T, T | undefined>]
export function useStoreState<T>(ref: Store<T> | StoreId, board?: Board): [T | undefined, SetStore<T, T | undefined>] {
  const value = useStore<T>(ref as StoreId, board)
  const b = useContext(BoardContext)
  const target = isStore(ref) ? ref : undefined
  const owner = target ? undefined : boardFor('useStoreState', board, b)
  const text = target ? undefined : idText(ref as StoreId)
  const set = useCallback<SetStore<T, T | undefined>>(
    (next) => {
      const s = (target as Store<T> | undefined) ?? storeOf<T>(owner!, text!)
      if (!s)
        throw new GraphError('unknown-store', `useStoreState(): board "${owner!.name}" has no store "${text}" to set.`)
      s.set(typeof next === 'function' ? (next as (c: T | undefined) => T)(s.get()) : next)
    },
    [target, owner, text],
  )
  return [value, set]
}
