// Types for scripts/bench-scaling.mjs, for the node test that imports it.
export interface Curve {
  name: string
  points: [number, number][]
  slope: number | null
  expected?: number
  why?: string
  flag?: string
}
export interface Panel {
  id: string
  title: string
  x: string
  y: string
  curves: Curve[]
}
export function slopeOf(points: [number, number][]): number
export function chartSvg(result: {
  date: string
  commit: string
  dirty: boolean
  machine: string
  panels: Panel[]
}): string
export function refit<R extends { panels: Panel[] }>(result: R): R & { flags: string[] }
