/**
 * The worker of bench P10: loads flights-3m.parquet once and keeps the columns here; only
 * a handle goes back. A brush then asks for its three histograms in one call.
 */
import { loadFlights } from '../demo/lib/flights'
import { aggregate, bin, count, exposeTasks, keep } from '../src/worker/index'

const DAY = 86_400_000
exposeTasks({
  async load(baseUrl: string) {
    const table = await loadFlights('3m', { baseUrl, columns: ['date', 'time', 'delay', 'distance'] })
    return keep(table)
  },
  hists(table: Record<string, ArrayLike<number>>, brush: { gte: number; lt: number }) {
    return [
      ['distance', 100],
      ['time', 1],
      ['date', DAY],
    ].map(([name, step]) =>
      aggregate(table, {
        by: bin(name as string, { step: step as number }),
        measures: { n: count() },
        where: { delay: brush },
      }),
    )
  },
})
