/**
 * Reading a store from a Preact component. The store is the source of truth, never a copy
 * in component state: every render reads `store.get()`, and the subscription only asks for
 * a re-render. That is useSyncExternalStore's contract, written against preact/hooks so
 * the adapter does not pull in preact/compat.
 */
import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks'
import type { Store } from '../graph/types'

/**
 * Subscribes to an external source and returns its current snapshot, without tearing:
 *  - the value returned is always `getSnapshot()` of this render, never a stale copy;
 *  - a change between render and subscription (a wave settling while the component
 *    mounts) is caught by re-checking in the effect, before any paint is trusted;
 *  - a new `subscribe` (another store) unsubscribes the old one first.
 * `getSnapshot` must return the same value until the source changes (a store's `get()`
 * does: values are replaced, never mutated in place).
 */
export function useExternal<T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => T): T {
  const value = getSnapshot()
  // `inst` is a stable box the effects read; a new object in state forces a render.
  const [{ inst }, force] = useState(() => ({ inst: { value, getSnapshot } }))
  useLayoutEffect(() => {
    inst.value = value
    inst.getSnapshot = getSnapshot
    if (changed(inst)) force({ inst })
  }, [subscribe, value, getSnapshot])
  useEffect(() => {
    if (changed(inst)) force({ inst })
    return subscribe(() => {
      if (changed(inst)) force({ inst })
    })
  }, [subscribe])
  return value
}

function changed<T>(inst: { value: T; getSnapshot: () => T }): boolean {
  try {
    return !Object.is(inst.value, inst.getSnapshot())
  } catch {
    // A getter that throws now will throw again in render, where an error boundary sees it.
    return true
  }
}

/**
 * The store's current value; the component re-renders when it changes.
 *
 * @example
 * function Count() {
 *   const n = useStore(count)
 *   return <button onClick={() => count.set(n + 1)}>{n}</button>
 * }
 */
export function useStore<T>(store: Store<T>): T {
  // Bound per store, so a component switching stores resubscribes (subscribe's identity changes).
  const subscribe = useCallback((fn: () => void) => store.subscribe(fn), [store])
  const get = useCallback(() => store.get(), [store])
  return useExternal(subscribe, get)
}

/** A new value, or a function of the current one (read at call time, not render time). */
export type SetStore<T> = (next: T | ((current: T) => T)) => void

/**
 * `useState` for a store: its value and a setter. The setter is stable per store, so it
 * can go in dependency lists and props without re-rendering children.
 *
 * @example
 * const [query, setQuery] = useStoreState(queryStore)
 * return <input value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
 */
export function useStoreState<T>(store: Store<T>): [T, SetStore<T>] {
  const value = useStore(store)
  const set = useCallback<SetStore<T>>(
    (next) => store.set(typeof next === 'function' ? (next as (c: T) => T)(store.get()) : next),
    [store],
  )
  return [value, set]
}
