/**
 * Reference answers for the flights pages, computed here with plain loops over the raw
 * file the site serves (node_modules/vega-datasets/data/flights-200k.arrow), without any of
 * switchboard's code: what the pages show is checked against these, not against itself.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { tableFromIPC } from 'apache-arrow'

export interface Flights {
  delay: ArrayLike<number>
  distance: ArrayLike<number>
  time: ArrayLike<number>
  length: number
}

let cached: Flights | undefined
export function flights200k(): Flights {
  if (cached) return cached
  const file = resolve(import.meta.dirname, '../../node_modules/vega-datasets/data/flights-200k.arrow')
  const table = tableFromIPC(readFileSync(file))
  const col = (name: string) => table.getChild(name)!.toArray() as ArrayLike<number>
  cached = { delay: col('delay'), distance: col('distance'), time: col('time'), length: table.numRows }
  return cached
}

/** Flights per bin of `key` (lower edge `floor(x / step) * step`) and their mean delay, keys ascending. */
export function groupByBin(
  f: Flights,
  key: 'time' | 'distance',
  step: number,
): Array<{ key: number; flights: number; delay: number }> {
  const n = new Map<number, number>()
  const sum = new Map<number, number>()
  const xs = f[key]
  for (let i = 0; i < f.length; i++) {
    const k = Math.floor(xs[i]! / step) * step
    n.set(k, (n.get(k) ?? 0) + 1)
    sum.set(k, (sum.get(k) ?? 0) + f.delay[i]!)
  }
  return [...n.keys()]
    .sort((a, b) => a - b)
    .map((k) => ({ key: k, flights: n.get(k)!, delay: sum.get(k)! / n.get(k)! }))
}

/** Rows with `lo <= column < hi` for every condition given. */
export function countWhere(f: Flights, conditions: Array<[keyof Omit<Flights, 'length'>, number, number]>): number {
  let c = 0
  for (let i = 0; i < f.length; i++) {
    if (conditions.every(([col, lo, hi]) => f[col][i]! >= lo && f[col][i]! < hi)) c++
  }
  return c
}
