/** Test worker: holds flights-200k (via the demo's loader) and answers pool.aggregate by handle. */
import { loadFlights } from '../../demo/lib/flights'
import { exposeTasks, keep } from '../../src/worker/index'

exposeTasks({
  load: async (baseUrl: string) => keep(await loadFlights('200k', { baseUrl })),
})
