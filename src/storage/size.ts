/**
 * Size estimates for inspect() and stats. Its own module because the scheduler needs it up
 * front while the rest of storage loads only when a board persists something.
 */

/** Estimated bytes a value takes, without serialising it: for inspect() and stats. */
export function sizeOf(value: unknown, depth = 0): number {
  if (value == null) return 0
  switch (typeof value) {
    case 'string':
      return value.length * 2
    case 'number':
      return 8
    case 'boolean':
      return 4
    case 'bigint':
      return 8
    case 'object': {
      if (value instanceof ArrayBuffer) return value.byteLength
      if (ArrayBuffer.isView(value)) return value.byteLength
      if (depth > 3) return 0
      let n = 0
      if (Array.isArray(value)) {
        const len = value.length
        if (len > 64 && typeof value[0] !== 'object') return len * sizeOf(value[0], depth + 1)
        for (let i = 0; i < len && i < 1000; i++) n += sizeOf(value[i], depth + 1)
        return n
      }
      let k = 0
      for (const key in value) {
        if (k++ > 1000) break
        n += key.length * 2 + sizeOf((value as Record<string, unknown>)[key], depth + 1)
      }
      return n
    }
    default:
      return 0
  }
}
