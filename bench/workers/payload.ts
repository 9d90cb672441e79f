// Payloads for the P3 sweep, shared by the three bench workers so each method ships the
// very same data. A worker builds each payload once, then hands out a fresh copy per call
// (the copy is timed in the worker and subtracted: only the crossing is measured).

export type Kind = 'rows' | 'columns'

/** Three float columns, or the same values as rows of three fields. */
export function build(kind: Kind, bytes: number): unknown {
  const n = Math.max(1, Math.round(bytes / 24))
  if (kind === 'columns') {
    const x = new Float64Array(n)
    const y = new Float64Array(n)
    const z = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      x[i] = i
      y[i] = Math.sin(i)
      z[i] = i % 7
    }
    return { x, y, z }
  }
  return Array.from({ length: n }, (_, i) => ({ x: i, y: Math.sin(i), z: i % 7 }))
}

/** A fresh copy (so transferring it leaves the cached one whole). */
export function copy(kind: Kind, p: unknown): unknown {
  if (kind === 'columns') {
    const c = p as { x: Float64Array; y: Float64Array; z: Float64Array }
    return { x: c.x.slice(), y: c.y.slice(), z: c.z.slice() }
  }
  // Rows are cloned by every method anyway: the cached array itself is sent.
  return p
}

const cache = new Map<string, unknown>()
export function payload(kind: Kind, bytes: number): { value: unknown; madeMs: number } {
  const key = `${kind}:${bytes}`
  let p = cache.get(key)
  if (p === undefined) cache.set(key, (p = build(kind, bytes)))
  const t0 = performance.now()
  const value = copy(kind, p)
  return { value, madeMs: performance.now() - t0 }
}

/** The 100-deep chain's hop and the handle path's tasks. */
export const inc = (x: number): number => x + 1

export function column(n: number): Float64Array {
  const xs = new Float64Array(n)
  for (let i = 0; i < n; i++) xs[i] = i % 1000
  return xs
}
export function total(xs: Float64Array): number {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  return s
}
export function largest(xs: Float64Array): number {
  let m = -Infinity
  for (let i = 0; i < xs.length; i++) if (xs[i]! > m) m = xs[i]!
  return m
}
