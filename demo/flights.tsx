// Crossfilter dashboard on the flights of vega-datasets, computed in a worker.
//
//   dataset (session) ─┐
//   base (memory) ─────┴─► [load] (worker) ─► table (a handle: the rows stay in the worker)
//   table, filters (session) ─► [crossfilter] (worker) ─► hists (small: bins only)
//
// The page never holds the rows. Brushing a chart sets `filters`; `crossfilter` runs where
// the table lives and sends back three histograms, a few hundred bytes each. A new brush
// while one is computing supersedes it.
import type { JSX } from 'preact'
import { createBoard, type Handle } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
import { BrushChart } from './lib/brush-chart'
import { type Dim, dimNames, type Filters, type Histograms } from './lib/dims'
import { Figure, fmtBytes, mountPage } from './lib/shell'

type Dataset = '200k' | '3m' | '5m'

const board = createBoard({ name: 'demo-flights', version: 1, profile: true })
const pool = board.workers(() => new Worker(new URL('./flights.worker.ts', import.meta.url), { type: 'module' }), {
  size: 1,
  name: 'flights',
})
const dataset = board.store<Dataset>('dataset', { initial: '200k', storage: 'session' })
// The site's root: data/ sits beside index.html, one level above the demo pages.
const base = board.store('base', { initial: new URL('../', document.baseURI).href })
const table = board.store<Handle | null>('table', { initial: null })
const filters = board.store<Filters>('filters', { initial: {}, storage: 'session' })
const hists = board.store<Histograms | null>('hists', { initial: null })

board.callback({ id: 'load', inputs: [dataset, base], outputs: [table], run: pool.task('load'), timeoutMs: 120_000 })
board.callback({
  id: 'crossfilter',
  inputs: [table, filters],
  outputs: [hists],
  // No table yet (loading, or the load failed): nothing to bin.
  run: (t: Handle | null, f: Filters, ctx) => (t ? pool.task<Histograms>('crossfilter')(t, f, ctx) : null),
  timeoutMs: 60_000,
})

function Progress({ id, label }: { id: string; label: string }): JSX.Element | null {
  const st = useStatus(id)
  if (!st.running) return null
  const f = st.progress?.fraction ?? 0
  return (
    <span class="progress-line" data-testid={`progress-${id}`}>
      {label}: <progress max={1} value={f} aria-label={`${label} progress`} /> {st.progress?.note ?? ''}
    </span>
  )
}

function App(): JSX.Element {
  const [ds, setDataset] = useStoreState(dataset)
  const [f, setFilters] = useStoreState(filters)
  const h = useStore(hists)
  const t = useStore(table)
  const cf = useStatus('crossfilter')
  const stats = board.inspect().callbacks.find((c) => c.id === 'crossfilter')?.stats
  const perRun = stats?.runs ? stats.bytesOut / stats.runs : 0
  const setRange = (d: Dim, r: [number, number] | undefined) => setFilters((cur) => ({ ...cur, [d]: r }))
  const brushed = dimNames.filter((d) => f[d])
  return (
    <>
      <p class="lede">
        {h ? h.rows.toLocaleString() : 'The'} US flights, held by a Web Worker. Drag across a histogram to brush it: the
        other two show the flights inside the brush (blue) against all flights (grey). Only the bins cross to the page;
        the rows stay in the worker behind a handle.
      </p>
      <div class="controls">
        <label>
          data{' '}
          <select data-testid="dataset" value={ds} onChange={(e) => setDataset(e.currentTarget.value as Dataset)}>
            <option value="200k">flights-200k.arrow (200 000 rows, 1.6 MB)</option>
            <option value="3m">flights-3m.parquet (3 000 000 rows, 13 MB)</option>
            <option value="5m">flights-5m.arrow (not on this site: shows an error)</option>
          </select>
        </label>
        <button
          type="button"
          class="secondary"
          data-testid="reset"
          disabled={brushed.length === 0}
          onClick={() => setFilters({})}
        >
          Reset brushes
        </button>
        <Progress id="load" label="loading" />
        <Progress id="crossfilter" label="binning" />
      </div>
      <div class="figures">
        <Figure label="flights" testid="rows" value={h ? h.rows.toLocaleString() : '…'} />
        <Figure
          label="inside every brush"
          testid="selected"
          value={h ? h.selected.toLocaleString() : '…'}
          hint={h?.rows ? `${((100 * h.selected) / h.rows).toFixed(1)}%` : undefined}
        />
        <Figure
          label="table, kept in the worker"
          testid="table-bytes"
          value={t ? fmtBytes(t.bytes) : '…'}
          hint={t ? t.desc : undefined}
        />
        <Figure
          label="bytes to the page per brush"
          testid="bin-bytes"
          value={perRun ? fmtBytes(perRun) : '…'}
          hint={`${cf.runs} runs, last ${Math.round(cf.lastMs)} ms`}
        />
      </div>
      <p class="muted" data-testid="brushes">
        {brushed.length ? brushed.map((d) => `${d} ${f[d]![0]} to ${f[d]![1]}`).join(' · ') : 'no brush'}
      </p>
      <div class="charts">
        {dimNames.map((d) => (
          <BrushChart
            dim={d}
            x={h?.dims[d].x ?? []}
            all={h?.dims[d].all ?? []}
            filtered={h?.dims[d].filtered ?? []}
            range={f[d]}
            onRange={(r) => setRange(d, r)}
          />
        ))}
      </div>
    </>
  )
}

void mountPage(board, 'Flights crossfilter', <App />)
