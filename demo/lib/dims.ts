/**
 * The flights dashboard's three dimensions: how each is binned and the range drawn. Shared
 * by the page and the worker, so both mean the same bins. No DOM here.
 */
export type Dim = 'delay' | 'distance' | 'time'

export interface DimSpec {
  label: string
  unit: string
  step: number
  /** Drawn range [lo, hi); rows outside still count in totals. */
  lo: number
  hi: number
}

export const dims: Record<Dim, DimSpec> = {
  delay: { label: 'Arrival delay', unit: 'min', step: 10, lo: -60, hi: 180 },
  distance: { label: 'Distance', unit: 'mi', step: 100, lo: 0, hi: 2500 },
  time: { label: 'Departure time', unit: 'h', step: 1, lo: 0, hi: 24 },
}

export const dimNames = Object.keys(dims) as Dim[]

/** A brush per dimension: [from, to) in the column's unit, or absent. */
export type Filters = Partial<Record<Dim, [number, number]>>

/** Per dimension: bin lower edges, counts over all rows, counts under the other brushes. */
export interface Histograms {
  rows: number
  selected: number
  dims: Record<Dim, { x: number[]; all: number[]; filtered: number[] }>
}

/** Lower edges of a dimension's drawn bins. */
export function edges(d: Dim): number[] {
  const { lo, hi, step } = dims[d]
  const out: number[] = []
  for (let v = lo; v < hi; v += step) out.push(v)
  return out
}

/** Spreads an aggregate result (keys = bin lower edges) onto the drawn bins. */
export function spread(d: Dim, keys: readonly unknown[], counts: readonly unknown[]): number[] {
  const { lo, step } = dims[d]
  const out = new Array<number>(edges(d).length).fill(0)
  for (let i = 0; i < keys.length; i++) {
    const k = Math.round(((keys[i] as number) - lo) / step)
    if (k >= 0 && k < out.length) out[k] = counts[i] as number
  }
  return out
}
