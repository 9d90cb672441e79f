// Types for scripts/bench-readme.mjs, for the node test that imports it.
export interface Spread {
  min: number
  median: number
  max: number
  n?: number
}
export interface Source {
  bench: string
  summary?: string
  row?: string
  ratio?: string
  anchor?: string
  ours?: true
}
export interface Target {
  id: string
  what: string
  from: Source[]
  op: '<=' | '>=' | '=='
  limit: number
  unit: '×' | 'ms' | 'kB' | ''
}
export const START: string
export const END: string
export function locate(latest: Record<string, unknown>, from: Source[]): { entry: unknown; spread: Spread } | null
export function renderMeasured(latest: Record<string, unknown>, targets?: Target[]): string
export function spliceReadme(readme: string, section: string): string
