/**
 * The one size estimate of a value, in bytes, without serialising it. inspect()'s store
 * bytes, a profiled callback's bytes in and out, a worker's handles and the pool's bytes to
 * the main thread all come from here, so both threads and both modes of the dev panel
 * agree. Shared by the main thread and workers: touches no DOM. Its own module because the
 * scheduler needs it up front while the rest of storage loads only when a board persists.
 *
 * The model (what a caller can rely on):
 * - numbers and bigints 8, booleans 4, strings 2 per UTF-16 unit, null and undefined 0;
 * - ArrayBuffers, typed arrays and DataViews their byteLength (exact, whatever the length);
 * - arrays, plain objects, Maps and Sets 16, plus their items (keys at 2 per unit);
 *   a Date 8; any other object counts its own enumerable properties like a plain object;
 * - past SAMPLE items (or keys), an evenly spread sample of SAMPLE is measured and scaled
 *   to the length: exact when the items are alike (rows of one shape, numbers), and the
 *   cost stays bounded whatever the size;
 * - nesting deeper than DEPTH counts 16 per object (a cycle ends there too).
 */

/** Items or keys measured per array, object, Map or Set before the rest is extrapolated. */
const SAMPLE = 64
/** Levels walked; deeper objects count as 16 bytes. */
const DEPTH = 6

/** Estimated bytes `value` takes (see the model above). */
export function sizeOf(value: unknown): number {
  return measure(value, 0)
}

function measure(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 8
    case 'boolean':
      return 4
    case 'string':
      return v.length * 2
    case 'object':
      if (v === null) return 0
      if (v instanceof ArrayBuffer) return v.byteLength
      if (ArrayBuffer.isView(v)) return v.byteLength
      if (depth >= DEPTH) return 16
      if (Array.isArray(v)) return 16 + items(v, depth + 1)
      if (v instanceof Date) return 8
      if (v instanceof Map) return 16 + entries(v, depth + 1)
      if (v instanceof Set) return 16 + items([...sampleOf(v.values(), v.size)], depth + 1, v.size)
      return 16 + fields(v as Record<string, unknown>, depth + 1)
    default:
      return 0 // functions, symbols: nothing a store or a thread boundary carries as data
  }
}

/** Items of an array: all of them up to SAMPLE, else SAMPLE spread evenly, scaled to `length`. */
function items(xs: readonly unknown[], depth: number, length = xs.length): number {
  const n = xs.length
  if (n <= SAMPLE) {
    let b = 0
    for (let i = 0; i < n; i++) b += measure(xs[i], depth)
    return length === n ? b : Math.round((b / Math.max(n, 1)) * length)
  }
  let b = 0
  for (let k = 0; k < SAMPLE; k++) b += measure(xs[Math.floor((k * n) / SAMPLE)], depth)
  return Math.round((b / SAMPLE) * length)
}

/** The first SAMPLE values of an iterator (a Set's, a Map's): its order is insertion order. */
function sampleOf<T>(it: Iterator<T>, size: number): T[] {
  const out: T[] = []
  for (let r = it.next(); !r.done && out.length < Math.min(size, SAMPLE); r = it.next()) out.push(r.value)
  return out
}

function entries(m: Map<unknown, unknown>, depth: number): number {
  let b = 0
  let n = 0
  for (const [k, x] of m) {
    if (n++ >= SAMPLE) break
    b += measure(k, depth) + measure(x, depth)
  }
  return n ? Math.round((b / n) * m.size) : 0
}

/** Own enumerable keys (2 per unit) and their values; past SAMPLE keys the rest are counted and scaled. */
function fields(o: Record<string, unknown>, depth: number): number {
  let b = 0
  let n = 0
  let total = 0
  for (const key in o) {
    if (!Object.hasOwn(o, key)) continue
    total++
    if (n >= SAMPLE) continue // counted only: the sample stands for them
    n++
    b += key.length * 2 + measure(o[key], depth)
  }
  return n ? Math.round((b / n) * total) : 0
}
