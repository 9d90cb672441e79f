/**
 * The worker of bench P10: loads flights-3m.parquet once and keeps the columns here; only
 * a handle goes back. Brushes then arrive as `pool.aggregate(handle, spec)`.
 */
import { loadFlights } from '../demo/lib/flights'
import { exposeTasks, keep } from '../src/worker/index'

exposeTasks({
  async load(baseUrl: string) {
    const table = await loadFlights('3m', { baseUrl, columns: ['date', 'time', 'delay', 'distance', 'origin'] })
    return keep(table)
  },
})
