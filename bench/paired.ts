// Paired rounds, for benches whose unit of work is long (a transaction, a page of writes) and
// whose noise is the machine's (other processes, GC, the storage backend), not the timer's.
//
// Each round runs every contender once, in an order rotated by the round, and a ratio is
// taken inside the round (ours over the anchor that ran beside it), so drift between rounds
// cancels out. The median of the per-round ratios is the figure; its quartiles say how sure
// it is. An A/A pair, the anchor timed twice per round under two names, measures the bench's
// own noise: a ratio whose quartiles overlap the A/A quartiles is not told apart from 1 by
// this run.
import { median, type Work } from './timing'

/** The per-round times of each contender, ms per call. */
export type Rounds<K extends string> = Record<K, number[]>

/** A ratio's spread over the rounds. */
export interface RatioSpread {
  median: number
  /** First and third quartiles (linear interpolation). */
  q1: number
  q3: number
  min: number
  max: number
  rounds: number
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

/**
 * Runs `warmup` untimed rounds, then `rounds` timed ones; in each, every contender once (a
 * forced GC before each when the page has one), in an order rotated by the round.
 */
export async function timePaired<K extends string>(
  impls: Record<K, Work>,
  { warmup = 3, rounds = 31 }: { warmup?: number; rounds?: number } = {},
): Promise<Rounds<K>> {
  const names = Object.keys(impls) as K[]
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Rounds<K>
  for (let r = -warmup; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(((r % names.length) + names.length + j) % names.length) as number]!
      gc()
      const t0 = performance.now()
      const out = impls[name]()
      if (out instanceof Promise) await out
      const ms = performance.now() - t0
      if (r >= 0) times[name].push(ms)
    }
    // Timers and pending work of the round run before the next one.
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return times
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo)
}

/** `a / b` in each round, and their spread. */
export function pairedRatio<K extends string>(times: Rounds<K>, a: K, b: K): RatioSpread {
  const ratios = times[a].map((x, i) => x / times[b][i]!)
  const sorted = [...ratios].sort((x, y) => x - y)
  return {
    median: median(sorted),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    rounds: sorted.length,
  }
}
