// Pattern 3: one expensive computation serving four callbacks, reloads and other tabs
// (the seed's Example 3).
//
//                                               ┌─► [mean]      ─► meanOut
//   params (local) ─► [simulate] ─► paths ──────┼─► [quantiles] ─► quantOut
//                     cache: global              ├─► [histogram] ─► histOut
//                                               └─► [extremes]  ─► extOut
//
// `simulate` is memoised by a SHA-256 of its inputs, in memory and IndexedDB, with single
// flight across tabs (a Web Lock per key). Four callbacks read its one result. Reload: a
// cache hit. Open a second tab: the tabs follow each other's params (a 'local' store) and
// only one of them computes; the other waits and reads the result.
import type { ComponentChildren, JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { createBoard } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
import { rng } from './lib/rng'
import { Figure, mountPage } from './lib/shell'

interface Params {
  seed: number
  paths: number
}

const board = createBoard({ name: 'demo-shared', version: 1, profile: true })
const params = board.store<Params>('params', { initial: { seed: 1, paths: 2000 }, storage: 'local' })
const paths = board.store<Float64Array | null>('paths', { initial: null })
const meanOut = board.store('meanOut', { initial: '' })
const quantOut = board.store<number[]>('quantOut', { initial: [] })
const histOut = board.store<number[]>('histOut', { initial: [] })
const extOut = board.store('extOut', { initial: '' })

/** Executions of `simulate` in every tab of this browser: written where it really runs. */
const EXEC_KEY = 'demo-shared:executions'
const executions = () => Number(localStorage.getItem(EXEC_KEY) ?? 0)

const DAYS = 250
board.callback({
  id: 'simulate',
  inputs: [params],
  outputs: [paths],
  cache: { scope: 'global', maxEntries: 20 },
  // Final prices of `paths` geometric Brownian motions over 250 trading days, a few hundred
  // ms of honest work, yielding between chunks so progress shows.
  async run(p, ctx) {
    localStorage.setItem(EXEC_KEY, String(executions() + 1))
    const next = rng(p.seed)
    const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next())
    const out = new Float64Array(p.paths)
    const mu = 0.05 / DAYS
    const sigma = 0.2 / Math.sqrt(DAYS)
    for (let i = 0; i < p.paths; i += 200) {
      const end = Math.min(p.paths, i + 200)
      for (let j = i; j < end; j++) {
        let price = 100
        for (let d = 0; d < DAYS; d++) price *= Math.exp(mu - (sigma * sigma) / 2 + sigma * normal())
        out[j] = price
      }
      ctx.progress(end / p.paths, `${end} of ${p.paths} paths`)
      await new Promise((r) => setTimeout(r, 0))
    }
    return out
  },
})

board.callback({
  id: 'mean',
  inputs: [paths],
  outputs: [meanOut],
  run: (xs) => (xs ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : ''),
})
board.callback({
  id: 'quantiles',
  inputs: [paths],
  outputs: [quantOut],
  run: (xs) => {
    if (!xs) return []
    const s = Float64Array.from(xs).sort()
    return [0.05, 0.5, 0.95].map((q) => s[Math.floor(q * (s.length - 1))]!)
  },
})
board.callback({
  id: 'histogram',
  inputs: [paths],
  outputs: [histOut],
  run: (xs) => {
    if (!xs) return []
    const counts = new Array<number>(30).fill(0)
    for (const v of xs) counts[Math.max(0, Math.min(29, Math.floor((v - 40) / 6)))]!++
    return counts
  },
})
board.callback({
  id: 'extremes',
  inputs: [paths],
  outputs: [extOut],
  run: (xs) => {
    if (!xs) return ''
    let lo = Infinity
    let hi = -Infinity
    for (const v of xs) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    return `${lo.toFixed(2)} … ${hi.toFixed(2)}`
  },
})

function useExecutions(): number {
  const [n, setN] = useState(executions)
  useEffect(() => {
    const refresh = () => setN(executions())
    // Another tab's write arrives as a storage event; this tab's as a status change.
    window.addEventListener('storage', refresh)
    const off = board.on('status', refresh)
    return () => {
      window.removeEventListener('storage', refresh)
      off()
    }
  }, [])
  return n
}

function Hist(): JSX.Element {
  const counts = useStore(histOut)
  const max = Math.max(1, ...counts)
  return (
    <svg viewBox="0 0 300 80" role="img" aria-label="Histogram of final prices" data-testid="histogram">
      {counts.map((c, i) => (
        <rect x={i * 10 + 1} y={80 - (c / max) * 76} width={8} height={(c / max) * 76} class="bar" />
      ))}
    </svg>
  )
}

function Reader(props: { id: string; title: string; children: ComponentChildren }): JSX.Element {
  const st = useStatus(props.id)
  return (
    <div class="card">
      <h3>
        <code>{props.id}</code> · {props.title}
      </h3>
      {props.children}
      <p class="muted">
        runs: <span data-testid={`${props.id}-runs`}>{st.runs}</span>
      </p>
    </div>
  )
}

function App(): JSX.Element {
  const [p, setParams] = useStoreState(params)
  const sim = useStatus('simulate')
  const total = useExecutions()
  const mean = useStore(meanOut)
  const q = useStore(quantOut)
  const ext = useStore(extOut)
  return (
    <>
      <p class="lede">
        <code>simulate</code> prices {p.paths.toLocaleString()} random paths over {DAYS} days. It declares{' '}
        <code>
          cache: {'{'} scope: 'global' {'}'}
        </code>
        : its result is kept by a hash of its inputs in memory and IndexedDB, and four callbacks read it.{' '}
        <strong>Reload</strong>: a cache hit, no execution. <strong>Open this page in a second tab</strong>: the tabs
        share their parameters, and when they change only one tab computes; the other waits for it and reads the result.
      </p>
      <div class="controls">
        <button type="button" data-testid="next-seed" onClick={() => setParams({ ...p, seed: p.seed + 1 })}>
          Next seed ({p.seed})
        </button>
        <button
          type="button"
          class="secondary"
          data-testid="prev-seed"
          disabled={p.seed <= 1}
          onClick={() => setParams({ ...p, seed: p.seed - 1 })}
        >
          Previous seed
        </button>
        <label>
          paths{' '}
          <select
            data-testid="paths"
            value={p.paths}
            onChange={(e) => setParams({ ...p, paths: Number(e.currentTarget.value) })}
          >
            {[1000, 2000, 4000].map((v) => (
              <option value={v}>{v.toLocaleString()}</option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" data-testid="clear-cache" onClick={() => void board.clear()}>
          Clear the cache
        </button>
        <a href="shared.html" target="_blank" rel="noopener">
          open a second tab ↗
        </a>
        {sim.running && (
          <progress data-testid="progress" max={1} value={sim.progress?.fraction ?? 0} aria-label="simulate progress" />
        )}
        {sim.running && <span class="muted">{sim.progress?.note ?? 'waiting for another tab…'}</span>}
      </div>
      <div class="figures">
        <Figure label="executions, every tab" testid="executions" value={total} hint="counted inside simulate" />
        <Figure
          label="executions, this page load"
          testid="simulate-runs"
          value={sim.runs}
          hint={sim.lastMs ? `last ${Math.round(sim.lastMs)} ms` : undefined}
        />
        <Figure
          label="cache hits, this page load"
          testid="simulate-hits"
          value={sim.hits}
          hint="memory, IndexedDB or another tab"
        />
        <Figure label="cache misses, this page load" testid="simulate-misses" value={sim.misses} />
      </div>
      <div class="grid2">
        <Reader id="mean" title="mean final price">
          <p class="result" data-testid="mean">
            {mean || '…'}
          </p>
        </Reader>
        <Reader id="quantiles" title="5%, 50%, 95%">
          <p class="result" data-testid="quantiles">
            {q.length ? q.map((v) => v.toFixed(2)).join(' · ') : '…'}
          </p>
        </Reader>
        <Reader id="histogram" title="distribution">
          <Hist />
        </Reader>
        <Reader id="extremes" title="lowest … highest">
          <p class="result" data-testid="extremes">
            {ext || '…'}
          </p>
        </Reader>
      </div>
    </>
  )
}

void mountPage(board, 'One computation, four callbacks, every tab', <App />)
