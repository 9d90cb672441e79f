// Timing for bench pages. Every benchmark compares implementations that run in the same
// page, so what matters is that they are measured the same way:
//   1. warm up each one until the JIT has settled (a few hundred ms of real work),
//   2. pick one repetition count per case, so a sample of the fastest lasts `targetMs`
//      (performance.now() is coarsened to 5 µs even when cross-origin isolated, 100 µs
//      otherwise; a sample of a few ms keeps that error under a percent),
//   3. interleave: round r runs every implementation once, in an order rotated by r, so
//      drift (GC debt, thermal, tier-up) spreads over all of them, not the last one,
//   4. report the median of the samples, which ignores the odd GC pause.

/** What a bench module's `run()` resolves to; `bench/run.mjs` prints and stores it. */
export interface BenchResult {
  /** `P1`, `P2`, …: the file `bench/p1-*.ts` reports `P1`. */
  id: string
  rows: BenchRow[]
  /** Figures for the whole benchmark, e.g. geometric means of the ratios. */
  summary?: Record<string, number>
  notes?: string
}

/** A figure over the runs of `npm run bench` (separate page loads): see bench/run.mjs. */
export interface Spread {
  min: number
  median: number
  max: number
  /** Present only when fewer runs than the entry's `runs` reported this figure. */
  n?: number
}

/**
 * What bench/run.mjs stores per id in bench/results/latest.json: the `run()` result with
 * every number replaced by its median over `runs` page loads, and, added beside it, where
 * and on what it was measured and each figure's { min, median, max }.
 */
export interface StoredResult extends BenchResult {
  date: string
  /** `git rev-parse HEAD` of the copy benched; `dirty` when it had uncommitted changes. */
  commit: string
  dirty: boolean
  runs: number
  runsAre: string
  chromium?: string
  cores?: number
  cpu?: string
  memoryGB?: number
  rows: (BenchRow & {
    spread: { ours_ms?: Spread; anchors: Record<string, Spread>; ratios: Record<string, Spread> }
  })[]
  spread?: { summary: Record<string, Spread> }
}

/** One case. `ratios` are ours divided by an anchor: below 1 means we are faster. */
export interface BenchRow {
  case: string
  ours_ms: number
  anchors: Record<string, number>
  ratios: Record<string, number>
}

/** A unit of work to time; may be async (then the await is part of the time). */
export type Work = () => unknown

export interface TimeOptions {
  /** Warm-up time per implementation, ms. */
  warmupMs?: number
  /** Target duration of one sample of the fastest implementation, ms. */
  targetMs?: number
  /** Samples per implementation. */
  samples?: number
}

/** Median ms of one call of `work`, per implementation, plus how many calls a sample made. */
export interface Timing<K extends string> {
  ms: Record<K, number>
  reps: number
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  if (s.length === 0) return NaN
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function geomean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN
  return Math.exp(xs.reduce((acc, x) => acc + Math.log(x), 0) / xs.length)
}

/** Rounds for display and JSON: 3 significant digits are all the noise allows. */
export function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(3)) : x
}

/** Launched with --js-flags=--expose-gc by run.mjs; absent elsewhere, then a no-op. */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})

/** Lets the page breathe between samples: timers fire, pending promises settle. */
export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

async function repeat(work: Work, reps: number): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < reps; i++) {
    const r = work()
    if (r instanceof Promise) await r
  }
  return performance.now() - t0
}

/**
 * Times several implementations of the same work, interleaved, and returns the median ms
 * per call of each.
 *
 * ```ts
 * const { ms } = await timeInterleaved({ ours: () => wave(board), alien: () => wave(alien) })
 * const ratio = ms.ours / ms.alien
 * ```
 */
export async function timeInterleaved<K extends string>(
  impls: Record<K, Work>,
  { warmupMs = 300, targetMs = 10, samples = 15 }: TimeOptions = {},
): Promise<Timing<K>> {
  const names = Object.keys(impls) as K[]
  // Warm-up doubles as calibration: it learns each implementation's time per call.
  let fastest = Infinity
  for (const name of names) {
    const work = impls[name]
    let calls = 0
    let spent = 0
    const t0 = performance.now()
    for (let reps = 1; performance.now() - t0 < warmupMs; reps = Math.min(reps * 2, 1 << 16)) {
      spent += await repeat(work, reps)
      calls += reps
    }
    fastest = Math.min(fastest, Math.max(spent, 0.001) / calls)
    await tick()
  }
  const reps = Math.max(1, Math.ceil(targetMs / fastest))

  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < samples; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(round + j) % names.length]!
      collect()
      times[name].push((await repeat(impls[name], reps)) / reps)
    }
    await tick()
  }
  const ms = Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<K, number>
  return { ms, reps }
}

/** Times one implementation alone: warm-up, then the median of `samples` samples. */
export async function timeOne(work: Work, options?: TimeOptions): Promise<number> {
  return (await timeInterleaved({ only: work }, options)).ms.only
}

/** A deterministic PRNG, so every run and every library sees the same data. */
export function xorshift(seed: number) {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}
