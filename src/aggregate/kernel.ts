/**
 * Fused reduce kernels: every measure of a query in ONE pass over the rows.
 *
 * A loop per measure reads the group codes once per measure and pays the loop overhead
 * each time; on 10M rows and five measures that is 2–3x a hand-written loop. So for each
 * query shape (which ops, which columns have missing values, selection or not) we write
 * the hand-written loop as source once, compile it with `new Function`, and keep it.
 *
 * Two rows per turn, into two copies of every accumulator (group g and group g + size):
 *
 *   for (let i = 0; i + 1 < n; i += 2) {
 *     const g = codes[i], h = codes[i + 1] + size
 *     rows[g]++; rows[h]++
 *     a0[g] += v0[i]; a0[h] += v0[i + 1]                    sum / mean
 *     { const x = v1[i]; if (x < a1[g]) a1[g] = x } ...       min, max
 *   }
 *   then the odd last row, then copy 2 folded into copy 1
 *
 * With few groups, consecutive rows hit the same accumulator, and each `+=` waits for the
 * previous store to land; two copies halve that chain (1.3–1.5x faster than one copy with
 * 10 groups, measured in Node). Beyond 256 groups consecutive rows rarely meet and one
 * copy is used. Two copies add a sum's values in another order than row order: equal up
 * to rounding, exact for integers.
 *
 * The generated text depends only on the shape, never on user data (column names and
 * values are passed as arguments), so nothing a caller writes is ever evaluated.
 * Where `new Function` is refused (a Content-Security-Policy without 'unsafe-eval'),
 * `fuse` returns null and the caller falls back to one loop per measure.
 */

/** One measure as the kernel sees it: its op, its values, whether NaNs need skipping. */
export interface Lane {
  readonly op: 'count' | 'sum' | 'mean' | 'min' | 'max'
  readonly values: Float64Array | undefined
  readonly missing: boolean
}

/** Per-group outputs: row counts, and per lane an accumulator and a count of values seen. */
export interface Reduced {
  rows: Float64Array
  acc: Float64Array[]
  valid: Float64Array[]
}

import type { Codes } from './table'

type Kernel = (
  codes: Codes,
  sel: Int32Array | null,
  n: number,
  size: number,
  rows: Float64Array,
  acc: Float64Array[],
  vals: (Float64Array | undefined)[],
  valid: Float64Array[],
) => void

const kernels = new Map<string, Kernel>()
/** Up to this many groups, two accumulator copies (see above). */
const SPLIT_GROUPS = 256
let canCompile: boolean | undefined

/** Source for one row `i` in group `g` (the accumulator copy is chosen by g). */
function rowSource(lanes: readonly Lane[], i: string, g: string): string {
  let body = `rows[${g}]++;\n`
  lanes.forEach((lane, k) => {
    if (!lane.values) return // count(): the row counts are its answer
    const seen = lane.missing ? `c${k}[${g}]++;` : ''
    if (lane.op === 'count') {
      if (lane.missing) body += `if (v${k}[${i}] === v${k}[${i}]) ${seen}\n`
    } else if (lane.op === 'sum' || lane.op === 'mean') {
      body += lane.missing
        ? `{ const x = v${k}[${i}]; if (x === x) { a${k}[${g}] += x; ${seen} } }\n`
        : `a${k}[${g}] += v${k}[${i}];\n`
    } else {
      const cmp = lane.op === 'min' ? '<' : '>'
      body += `{ const x = v${k}[${i}]; if (x ${cmp} a${k}[${g}]) a${k}[${g}] = x; ${lane.missing ? `if (x === x) ${seen}` : ''} }\n`
    }
  })
  return body
}

function compile(lanes: readonly Lane[], selected: boolean, split: boolean, codes: Codes): Kernel | null {
  if (canCompile === false) return null
  // One kernel per codes array type too, so each compiled loop sees one element kind.
  const shape =
    codes.BYTES_PER_ELEMENT +
    (selected ? 's' : 'a') +
    (split ? '2' : '1') +
    lanes.map((l) => l.op[0]! + l.op[1]! + (l.values ? 'v' : '') + (l.missing ? 'm' : '')).join('|')
  const hit = kernels.get(shape)
  if (hit) return hit
  let head = ''
  lanes.forEach((lane, k) => {
    if (lane.values) head += `const a${k} = acc[${k}], v${k} = vals[${k}], c${k} = valid[${k}];\n`
  })
  // Row index expressions: straight rows, or through the selection.
  const total = selected ? 'sel.length' : 'n'
  const at = (j: string) => (selected ? `sel[${j}]` : j)
  const one = `{ const i = ${at('j')}; const g = codes[i];\n${rowSource(lanes, 'i', 'g')}}\n`
  const loop = split
    ? `let j = 0;\n` +
      `for (; j + 1 < ${total}; j += 2) {\n` +
      `const i = ${at('j')}, i1 = ${at('j + 1')};\n` +
      `const g = codes[i], h = codes[i1] + size;\n` +
      rowSource(lanes, 'i', 'g') +
      rowSource(lanes, 'i1', 'h') +
      `}\n` +
      `if (j < ${total}) ${one}`
    : `for (let j = 0; j < ${total}; j++) ${one}`
  try {
    const kernel = new Function(
      'codes',
      'sel',
      'n',
      'size',
      'rows',
      'acc',
      'vals',
      'valid',
      `"use strict";\n${head}${loop}`,
    ) as Kernel
    canCompile = true
    kernels.set(shape, kernel)
    return kernel
  } catch {
    // CSP forbids eval here: remember, and let the caller use its plain loops.
    canCompile = false
    return null
  }
}

/**
 * Turns compiled kernels off (or back on: `undefined` tries again). For tests of the
 * fallback loops, and for pages that would rather not see `new Function` at all.
 */
export function setFusion(on: boolean): void {
  canCompile = on ? undefined : false
}

/**
 * Runs all lanes in one pass, or returns null when kernels cannot be compiled here.
 * Accumulators start at 0 (sum, mean), +Infinity (min), -Infinity (max).
 */
export function fuse(
  lanes: readonly Lane[],
  codes: Codes,
  sel: Int32Array | null,
  n: number,
  size: number,
): Reduced | null {
  // Two copies pay only when consecutive rows often share a group; with many groups they
  // would only double the accumulators' share of the cache.
  const split = size <= SPLIT_GROUPS
  const kernel = compile(lanes, sel !== null, split, codes)
  if (!kernel) return null
  // With `split`, two copies of each accumulator side by side: [0, size) and [size, 2 size).
  const width = split ? 2 * size : size
  const rows = new Float64Array(width)
  const acc: Float64Array[] = []
  const valid: Float64Array[] = []
  for (const lane of lanes) {
    const a = new Float64Array(lane.values ? width : 0)
    if (lane.op === 'min') a.fill(Infinity)
    else if (lane.op === 'max') a.fill(-Infinity)
    acc.push(a)
    valid.push(lane.missing ? new Float64Array(width) : rows)
  }
  kernel(
    codes,
    sel,
    n,
    size,
    rows,
    acc,
    lanes.map((l) => l.values),
    valid,
  )
  if (!split) return { rows, acc, valid }
  // Fold copy 2 into copy 1.
  fold(rows, size, 'sum')
  lanes.forEach((lane, k) => {
    if (lane.values && lane.op !== 'count')
      fold(acc[k]!, size, lane.op === 'min' ? 'min' : lane.op === 'max' ? 'max' : 'sum')
    if (lane.missing) fold(valid[k]!, size, 'sum')
  })
  const first = (a: Float64Array) => a.subarray(0, size)
  const rowsOut = first(rows)
  return {
    rows: rowsOut,
    acc: acc.map((a) => (a.length ? first(a) : a)),
    valid: valid.map((v) => (v === rows ? rowsOut : first(v))),
  }
}

function fold(a: Float64Array, size: number, how: 'sum' | 'min' | 'max'): void {
  if (how === 'sum') for (let g = 0; g < size; g++) a[g]! += a[g + size]!
  else if (how === 'min') for (let g = 0; g < size; g++) a[g] = Math.min(a[g]!, a[g + size]!)
  else for (let g = 0; g < size; g++) a[g] = Math.max(a[g]!, a[g + size]!)
}
