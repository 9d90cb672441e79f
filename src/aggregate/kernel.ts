/**
 * Fused reduce kernels: every measure of a query in ONE pass over the rows.
 *
 * A loop per measure reads the group codes once per measure and pays the loop overhead
 * each time; on 10M rows and five measures that is 2–3x a hand-written loop. So for each
 * query shape (which ops, which columns have missing values, selection or not) we write
 * the hand-written loop as source once, compile it with `new Function`, and keep it:
 *
 *   for (let i = 0; i < n; i++) {
 *     const g = codes[i]; rows[g]++
 *     a0[g] += v0[i]                              sum / mean, no missing values
 *     { const x = v1[i]; if (x < a1[g]) a1[g] = x }   min
 *     ...
 *   }
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

type Kernel = (
  codes: Int32Array,
  sel: Int32Array | null,
  n: number,
  rows: Float64Array,
  acc: Float64Array[],
  vals: (Float64Array | undefined)[],
  valid: Float64Array[],
) => void

const kernels = new Map<string, Kernel>()
let canCompile: boolean | undefined

function compile(lanes: readonly Lane[], selected: boolean): Kernel | null {
  const shape = (selected ? 's' : 'a') + lanes.map((l) => l.op[0]! + l.op[1]! + (l.values ? 'v' : '') + (l.missing ? 'm' : '')).join('|')
  if (canCompile === false) return null
  const hit = kernels.get(shape)
  if (hit) return hit
  let head = ''
  let body = ''
  lanes.forEach((lane, k) => {
    if (!lane.values) return // count(): the row counts are its answer
    head += `const a${k} = acc[${k}], v${k} = vals[${k}], c${k} = valid[${k}];\n`
    const seen = lane.missing ? `c${k}[g]++;` : ''
    if (lane.op === 'count') {
      if (lane.missing) body += `if (v${k}[i] === v${k}[i]) c${k}[g]++;\n`
    } else if (lane.op === 'sum' || lane.op === 'mean') {
      body += lane.missing ? `{ const x = v${k}[i]; if (x === x) { a${k}[g] += x; ${seen} } }\n` : `a${k}[g] += v${k}[i];\n`
    } else {
      const cmp = lane.op === 'min' ? '<' : '>'
      body += `{ const x = v${k}[i]; if (x ${cmp} a${k}[g]) a${k}[g] = x; ${lane.missing ? `if (x === x) ${seen}` : ''} }\n`
    }
  })
  const loop = selected
    ? `for (let j = 0; j < sel.length; j++) { const i = sel[j]; const g = codes[i]; rows[g]++;\n${body}}`
    : `for (let i = 0; i < n; i++) { const g = codes[i]; rows[g]++;\n${body}}`
  try {
    const kernel = new Function('codes', 'sel', 'n', 'rows', 'acc', 'vals', 'valid', `"use strict";\n${head}${loop}`) as Kernel
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
  codes: Int32Array,
  sel: Int32Array | null,
  n: number,
  size: number,
): Reduced | null {
  const kernel = compile(lanes, sel !== null)
  if (!kernel) return null
  const rows = new Float64Array(size)
  const acc: Float64Array[] = []
  const valid: Float64Array[] = []
  for (const lane of lanes) {
    const a = new Float64Array(lane.values ? size : 0)
    if (lane.op === 'min') a.fill(Infinity)
    else if (lane.op === 'max') a.fill(-Infinity)
    acc.push(a)
    valid.push(lane.missing ? new Float64Array(size) : rows)
  }
  kernel(
    codes,
    sel,
    n,
    rows,
    acc,
    lanes.map((l) => l.values),
    valid,
  )
  return { rows, acc, valid }
}
