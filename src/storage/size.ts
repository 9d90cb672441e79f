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
export function sizeOf(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 8
    case 'boolean':
      return 4
    case 'string':
      return value.length * 2
    case 'object': {
      if (value === null) return 0
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength
      if (value instanceof Date) return 8
      if (depth >= DEPTH) return 16
      const d = depth + 1
      let b = 0
      let k = 0
      let n: number
      if (Array.isArray(value)) {
        // An evenly spread sample: a sorted or grouped array is not judged by its head.
        n = value.length
        k = Math.min(n, SAMPLE)
        for (let i = 0; i < k; i++) b += sizeOf(value[Math.floor((i * n) / k)], d)
      } else if (value instanceof Map || value instanceof Set) {
        n = value.size
        for (const x of value as Iterable<unknown>) {
          if (k === SAMPLE) break
          k++
          b += value instanceof Map ? sizeOf((x as unknown[])[0], d) + sizeOf((x as unknown[])[1], d) : sizeOf(x, d)
        }
      } else {
        // Own enumerable keys (2 per unit) and their values; past SAMPLE, counted only.
        n = 0
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue
          if (n++ < SAMPLE) {
            k++
            b += key.length * 2 + sizeOf((value as Record<string, unknown>)[key], d)
          }
        }
      }
      return 16 + (k && Math.round((b / k) * n))
    }
    default:
      return 0 // functions, symbols: nothing a store or a thread boundary carries as data
  }
}
