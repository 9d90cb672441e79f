// The worker of script-tag.html: a classic worker, no build step. It loads the worker
// bundle, which defines the global SwitchboardWorker, and exposes its tasks.
importScripts('../dist/switchboard.worker.iife.js')

const { exposeTasks, keep, downsample } = SwitchboardWorker

/** Small seeded generator, so the same inputs give the same series. */
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

exposeTasks({
  /** A random walk of n points. It stays here: the graph only carries its handle. */
  walk(n, seed, ctx) {
    const random = mulberry32(seed)
    const ys = new Float64Array(n)
    let y = 0
    const tenth = Math.max(1, Math.floor(n / 10))
    for (let i = 0; i < n; i++) {
      y += random() - 0.5
      ys[i] = y
      if (i % tenth === 0) ctx.progress(i / n, 'walking')
    }
    return keep(ys)
  },

  /** Summary of the held series (arrives as the Float64Array, not the handle). */
  summary(ys) {
    let min = Infinity
    let max = -Infinity
    let sum = 0
    for (const y of ys) {
      if (y < min) min = y
      if (y > max) max = y
      sum += y
    }
    return { n: ys.length, min, max, mean: ys.length ? sum / ys.length : 0 }
  },

  /** Counts per bin, as a typed array: transferred to the page, not copied. */
  histogram(ys, bins) {
    let min = Infinity
    let max = -Infinity
    for (const y of ys) {
      if (y < min) min = y
      if (y > max) max = y
    }
    const counts = new Uint32Array(bins)
    const width = (max - min) / bins || 1
    for (const y of ys) counts[Math.min(bins - 1, Math.floor((y - min) / width))]++
    return counts
  },

  /** At most 200 points of the series for the chart (LTTB, from the aggregation helpers). */
  outline(ys) {
    const xs = new Float64Array(ys.length)
    for (let i = 0; i < xs.length; i++) xs[i] = i
    return downsample({ x: xs, y: ys }, { x: 'x', y: 'y', n: 200 })
  },
})
