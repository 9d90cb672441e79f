/**
 * The scenarios page's worker: one Monte Carlo simulation per call. A portfolio of 100
 * grows by geometric Brownian motion with the scenario's drift and volatility (both per
 * year) over its horizon (trading days); the task returns the distribution of the final
 * value as a few figures and a small histogram. Runs in a worker: no DOM here.
 */
import { exposeTasks, type TaskCtx } from 'switchboard/worker'
import { rng } from './lib/rng'

export interface Scenario {
  /** Expected yearly return, percent. */
  drift: number
  /** Yearly volatility, percent. */
  volatility: number
  /** Trading days simulated. */
  horizon: number
  seed: number
}

export interface Outcome {
  /** The scenario these figures are for (the card compares it with its inputs). */
  scenario: Scenario
  paths: number
  mean: number
  p5: number
  p50: number
  p95: number
  /** Counts of final values in 24 bins from `lo` to `hi`. */
  bins: number[]
  lo: number
  hi: number
}

export const PATHS = 2000
const DAYS_PER_YEAR = 252

export const tasks = {
  simulate(s: Scenario, ctx: TaskCtx): Outcome {
    const next = rng(s.seed)
    const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next())
    const mu = s.drift / 100 / DAYS_PER_YEAR
    const sigma = s.volatility / 100 / Math.sqrt(DAYS_PER_YEAR)
    const step = mu - (sigma * sigma) / 2
    const out = new Float64Array(PATHS)
    for (let i = 0; i < PATHS; i++) {
      let logPrice = Math.log(100)
      for (let d = 0; d < s.horizon; d++) logPrice += step + sigma * normal()
      out[i] = Math.exp(logPrice)
      if (i % 500 === 499) ctx.progress((i + 1) / PATHS, `${i + 1} of ${PATHS} paths`)
    }
    out.sort()
    const at = (q: number) => out[Math.floor(q * (PATHS - 1))]!
    let sum = 0
    for (const v of out) sum += v
    const lo = at(0.01)
    const hi = at(0.99)
    const bins = new Array<number>(24).fill(0)
    const w = (hi - lo) / 24 || 1
    for (const v of out) if (v >= lo && v <= hi) bins[Math.min(23, Math.floor((v - lo) / w))]!++
    return { scenario: s, paths: PATHS, mean: sum / PATHS, p5: at(0.05), p50: at(0.5), p95: at(0.95), bins, lo, hi }
  },
}

exposeTasks(tasks)
