/**
 * The string a store id is known by: itself, or an object id's canonical form (keys
 * sorted, JSON; `-0` written `0`), which is the store's `id`. The adapter sees the public
 * board only, and the core does not export its own function for this, so the few lines
 * are repeated here; test/preact/ids.browser.test.tsx holds them to `store.id`.
 */
import { GraphError } from '../errors'
import type { StoreId } from '../index'

export function idText(id: StoreId): string {
  if (typeof id === 'string') return id
  const keys = Object.keys(id).sort()
  if (keys.length === 0) throw new GraphError('bad-definition', 'an object id without keys names no store.')
  return `{${keys
    .map((k) => {
      const v = id[k]
      if (typeof v === 'number' && !Number.isFinite(v))
        throw new GraphError('bad-definition', `an object id has key "${k}" whose value is not a finite number.`)
      return `${JSON.stringify(k)}:${typeof v === 'number' ? String(Object.is(v, -0) ? 0 : v) : JSON.stringify(v)}`
    })
    .join(',')}}`
}
