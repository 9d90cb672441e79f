/**
 * The one way switchboard names what it keeps outside memory: Web Storage keys, the
 * board's IndexedDB database, Web Lock names and the BroadcastChannel. Names live in
 * namespaces shared with every other board of the origin, so they must never collide
 * (DESIGN "Keys never collide", S01):
 *
 *   nameOf('app', 'q')        → sb:app:q:
 *   nameOf('app:admin', 'q')  → sb:app%3Aadmin:q:
 *   nameOf('k:b', 'c')        → sb:k%3Ab:c:       nameOf('k', 'b:c') → sb:k:b%3Ac:
 *
 * Invariants (a property test holds us to them):
 * - each part is escaped (`%` → `%25`, `:` → `%3A`), so an escaped part holds no `:`
 *   and the parts can be read back: the name is injective;
 * - each part ends with `:`, so no name is a prefix of another with as many parts or
 *   more, except that `nameOf(board)` is the prefix of exactly that board's names: a
 *   prefix scan with it finds that board's keys and no other board's (`app` never
 *   matches `app:admin`, whose prefix is `sb:app%3Aadmin:`).
 */
export function nameOf(board: string, ...parts: string[]): string {
  let out = 'sb:'
  for (const p of [board, ...parts]) out += escapePart(p) + ':'
  return out
}

function escapePart(p: string): string {
  return p.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))
}

/** The store id of a key of board `board` (`nameOf(board, id)`), or undefined if it is not one. */
export function storeOfKey(board: string, key: string): string | undefined {
  const prefix = nameOf(board)
  if (!key.startsWith(prefix) || !key.endsWith(':')) return undefined
  const rest = key.slice(prefix.length, -1)
  if (rest.includes(':')) return undefined // more parts: not a store key
  return unescapePart(rest)
}

function unescapePart(p: string): string {
  return p.replace(/%25|%3A/g, (c) => (c === '%25' ? '%' : ':'))
}
