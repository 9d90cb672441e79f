/**
 * The demo's worker: it loads the flights table and keeps it (only a handle goes to the
 * page), then answers small questions about it. Shared by the aggregate and flights pages.
 * Runs in a worker: imports nothing that touches the DOM.
 */
import { aggregate, bin, count, exposeTasks, keep, type TaskCtx } from 'switchboard/worker'
import { type Dim, dimNames, dims, edges, type Filters, type Histograms, spread } from './lib/dims'
import { type FlightsSize, type FlightsTable, loadFlights } from './lib/flights'

/** Histograms over all rows depend on the table only: computed once per table. */
const unfiltered = new WeakMap<FlightsTable, Map<Dim, number[]>>()

function allCounts(table: FlightsTable, d: Dim): number[] {
  let m = unfiltered.get(table)
  if (!m) unfiltered.set(table, (m = new Map()))
  let counts = m.get(d)
  if (!counts) {
    const r = aggregate(table, { by: bin(d, { step: dims[d].step }), measures: { n: count() } })
    m.set(d, (counts = spread(d, r[d]!, r.n!)))
  }
  return counts
}

exposeTasks({
  /** Fetches and decodes a flights file, keeps the table here, returns its handle. */
  async load(size: FlightsSize | '5m', baseUrl: string, ctx: TaskCtx) {
    ctx.progress(0.05, `fetching flights-${size}…`)
    if (size === '5m') {
      // The page offers a file the site does not have, to show how a failure reads. A static
      // host answers 404; a dev server answers its index page instead of the file.
      const url = new URL('data/flights-5m.arrow', baseUrl)
      const r = await fetch(url, { method: 'HEAD', signal: ctx.signal })
      const type = r.headers.get('content-type') ?? ''
      if (!r.ok || type.includes('html'))
        throw new Error(`${url.pathname} is not on this site (HTTP ${r.status}${r.ok ? `, ${type}` : ''}).`)
    }
    const table = await loadFlights(size as FlightsSize, { baseUrl, signal: ctx.signal })
    ctx.progress(0.95, 'decoded')
    return keep(table)
  },

  /** Pattern 2's "ship the rows": copies of whole columns, sent to the page. */
  columns(table: FlightsTable, names: string[]) {
    const out: Record<string, unknown> = {}
    // Copies: the kept table's own buffers are never transferred out from under its handle.
    for (const n of names) out[n] = (table[n] as Int16Array | Float32Array).slice()
    return out
  },

  /**
   * Crossfilter: each dimension's histogram under every brush but its own (so a brushed
   * chart still shows where else one could brush), plus the rows under all brushes.
   */
  crossfilter(table: FlightsTable, filters: Filters, ctx: TaskCtx): Histograms {
    const where = (except?: Dim) => {
      const w: Record<string, { gte: number; lt: number }> = {}
      for (const d of dimNames) {
        const f = filters[d]
        if (f && d !== except) w[d] = { gte: f[0], lt: f[1] }
      }
      return w
    }
    const rows = (table.delay as ArrayLike<number>).length
    const out = { rows, selected: 0, dims: {} } as Histograms
    dimNames.forEach((d, i) => {
      const w = where(d)
      // Under no other brush a chart shows all rows: the counts kept per table, no pass over
      // the rows. Under a brush that moved, `aggregate` answers from a tile of the brushed
      // column once it has moved twice (src/aggregate/tiles.ts): a few hundred subtractions.
      const all = allCounts(table, d)
      let filtered = all
      if (Object.keys(w).length > 0) {
        const some = aggregate(table, { by: bin(d, { step: dims[d].step }), measures: { n: count() }, where: w })
        filtered = spread(d, some[d]!, some.n!)
      }
      out.dims[d] = { x: edges(d), all, filtered }
      ctx.progress((i + 1) / (dimNames.length + 1), `${d} binned`)
    })
    out.selected = aggregate(table, { measures: { n: count() }, where: where() }).n![0] as number
    return out
  },
})
