/**
 * useSyncExternalStore's contract, written against preact/hooks so the adapter does not
 * pull in preact/compat: every hook of this adapter reads its source through it.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks'

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
