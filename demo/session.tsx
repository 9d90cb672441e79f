// Pattern 1: data kept in the browser session (the seed's Example 1).
//
//   seed (session) ──┐                    ┌─► summary (session, JSON) ──► [report]    ─► line
//   size (session) ──┴─► [simulate] ──────┤
//                          (expensive)    └─► samples (session, base64) ─► [histogram] ─► bins
//
// The expensive step runs once; its results sit in sessionStorage (JSON for the summary,
// base64 for the Float32Array of samples), and two cheap callbacks read them. Reload the
// page: every store of `simulate` is restored, so it does not run again.
import type { JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { createBoard, noUpdate, PreventUpdate } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
import { rng } from './lib/rng'
import { Figure, fmtBytes, mountPage } from './lib/shell'

interface Summary {
  n: number
  mean: number
  sd: number
  min: number
  max: number
  ms: number
}

const board = createBoard({ name: 'demo-session', version: 1, profile: true })
// null until the page picks the defaults after start (see the end): a stored value is what
// makes a reload restore it, and an initial value is never stored.
const seed = board.store<number | null>('seed', { initial: null, storage: 'session' })
const size = board.store<number | null>('size', { initial: null, storage: 'session' })
const DEFAULT_SIZE = 100_000
const summary = board.store<Summary | null>('summary', { initial: null, storage: 'session' })
const samples = board.store<Float32Array | null>('samples', { initial: null, storage: 'session', codec: 'base64' })
// How many times this tab's session has run the expensive step (survives reload).
const simulations = board.store('simulations', { initial: 0, storage: 'session' })
const bins = board.store<number[]>('bins', { initial: [] })
const line = board.store('line', { initial: '' })

const STEPS = 256
board.callback({
  id: 'simulate',
  inputs: [seed, size],
  state: [simulations],
  outputs: [summary, samples],
  // It runs when the seed or size changes, never on page load: on a reload its results are
  // already in sessionStorage.
  preventInitialCall: true,
  // Each sample is the end point of a 256-step random walk: n × 256 draws, in chunks so the
  // page stays responsive and the progress bar moves.
  async run(seedValue, sizeValue, done, ctx) {
    // No seed chosen: the page has just been cleared (and is about to reload), or has not
    // picked its default yet. Nothing to simulate, and no walk is wasted on a page going away.
    if (seedValue === null) throw new PreventUpdate()
    const t0 = performance.now()
    const s = seedValue
    const n = sizeValue ?? DEFAULT_SIZE
    const next = rng(s)
    const out = new Float32Array(n)
    const chunk = 5_000
    for (let i = 0; i < n; i += chunk) {
      const end = Math.min(n, i + chunk)
      for (let j = i; j < end; j++) {
        let x = 0
        for (let k = 0; k < STEPS; k++) x += next() - 0.5
        out[j] = x
      }
      ctx.progress(end / n, `${end.toLocaleString()} of ${n.toLocaleString()} walks`)
      await new Promise((r) => setTimeout(r, 0))
      if (ctx.signal.aborted) return [noUpdate, noUpdate] // superseded: dropped anyway
    }
    let sum = 0
    let min = Infinity
    let max = -Infinity
    for (const v of out) {
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
    const mean = sum / n
    let sq = 0
    for (const v of out) sq += (v - mean) ** 2
    ctx.set(simulations, done + 1)
    return [{ n, mean, sd: Math.sqrt(sq / n), min, max, ms: Math.round(performance.now() - t0) }, out]
  },
})

board.callback({
  id: 'histogram',
  inputs: [samples, summary],
  outputs: [bins],
  run(xs, sum) {
    if (!xs || !sum) return []
    const counts = new Array<number>(40).fill(0)
    const w = (sum.max - sum.min) / 40 || 1
    for (const v of xs) counts[Math.min(39, Math.floor((v - sum.min) / w))]!++
    return counts
  },
})

board.callback({
  id: 'report',
  inputs: [summary],
  outputs: [line],
  run: (s) =>
    s
      ? `${s.n.toLocaleString()} walks: mean ${s.mean.toFixed(3)}, sd ${s.sd.toFixed(3)}, range ${s.min.toFixed(1)} … ${s.max.toFixed(1)}`
      : '',
})

/** What this board keeps in sessionStorage right now: keys, characters, bytes (UTF-16). */
function storedEntries(): Array<{ key: string; chars: number }> {
  const out: Array<{ key: string; chars: number }> = []
  for (let i = 0; i < sessionStorage.length; i++) {
    const key = sessionStorage.key(i)!
    // Store entries only (`sb:<board>:<store>:`), not the session id (`sb:<board>:session:id:`).
    if (/^[^:]*:$/.test(key.slice(`sb:${board.name}:`.length)) && key.startsWith(`sb:${board.name}:`))
      out.push({ key, chars: key.length + (sessionStorage.getItem(key)?.length ?? 0) })
  }
  return out.sort((a, b) => a.key.localeCompare(b.key))
}

function useStored(): Array<{ key: string; chars: number }> {
  const [entries, setEntries] = useState(storedEntries)
  useEffect(() => {
    // Persistence finishes after the wave; read sessionStorage once the board is idle.
    const refresh = () => void board.idle().then(() => setEntries(storedEntries()))
    const offs = [summary, samples, seed, size, simulations].map((s) => s.subscribe(refresh))
    refresh()
    return () => offs.forEach((off) => off())
  }, [])
  return entries
}

function Histogram(): JSX.Element {
  const counts = useStore(bins)
  const s = useStore(summary)
  const max = Math.max(1, ...counts)
  return (
    <figure class="chart">
      <svg viewBox="0 0 400 120" role="img" aria-label="Histogram of the walks' end points" data-testid="histogram">
        {counts.map((c, i) => (
          <rect x={i * 10 + 1} y={120 - (c / max) * 116} width={8} height={(c / max) * 116} class="bar" />
        ))}
      </svg>
      <figcaption>
        end points of the walks{s ? `, ${s.min.toFixed(1)} to ${s.max.toFixed(1)}` : ''} (read from the base64 store)
      </figcaption>
    </figure>
  )
}

async function clearAndReload() {
  board.batch(() => [seed, size, summary, samples, simulations].forEach((x) => x.clear()))
  await board.idle()
  location.reload()
}

function App(): JSX.Element {
  const [s, setSeed] = useStoreState(seed)
  const [sizeValue, setSize] = useStoreState(size)
  const n = sizeValue ?? DEFAULT_SIZE
  const sum = useStore(summary)
  const text = useStore(line)
  const total = useStore(simulations)
  const sim = useStatus('simulate')
  const hist = useStatus('histogram')
  const rep = useStatus('report')
  const entries = useStored()
  const info = board.inspect().stores
  const where = (id: string) => info.find((x) => x.id === id)?.location ?? '?'
  const totalBytes = entries.reduce((a, e) => a + e.chars * 2, 0)
  return (
    <>
      <p class="lede">
        An expensive step (<code>simulate</code>: {n.toLocaleString()} random walks of {STEPS} steps) writes its summary
        to a <code>session</code> store as JSON and its samples to a <code>session</code> store with the{' '}
        <code>base64</code> codec. Two cheap callbacks read them. <strong>Reload the page</strong>: the data comes back
        from sessionStorage and <code>simulate</code> does not run again. A new tab starts its own session.
      </p>
      <div class="controls">
        <button type="button" data-testid="new-seed" onClick={() => setSeed((x) => (x ?? 0) + 1)}>
          New seed ({s ?? '…'})
        </button>
        <label>
          walks{' '}
          <select data-testid="size" value={n} onChange={(e) => setSize(Number(e.currentTarget.value))}>
            {[25_000, 50_000, 100_000].map((v) => (
              <option value={v}>{v.toLocaleString()}</option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" data-testid="clear" onClick={clearAndReload}>
          Clear stored data and reload
        </button>
        {sim.running && (
          <progress data-testid="progress" max={1} value={sim.progress?.fraction ?? 0} aria-label="simulate progress">
            {Math.round((sim.progress?.fraction ?? 0) * 100)}%
          </progress>
        )}
        {sim.running && <span class="muted">{sim.progress?.note}</span>}
      </div>
      <div class="figures">
        <Figure
          label="simulate runs, this page load"
          testid="simulate-runs"
          value={sim.runs}
          hint={sim.lastMs ? `last ${Math.round(sim.lastMs)} ms` : 'restored, not run'}
        />
        <Figure label="simulate runs, this tab's session" testid="simulations" value={total} />
        <Figure label="histogram runs" testid="histogram-runs" value={hist.runs} />
        <Figure label="report runs" testid="report-runs" value={rep.runs} />
        <Figure
          label="bytes in sessionStorage"
          testid="stored-bytes"
          value={fmtBytes(totalBytes)}
          hint="UTF-16, keys included"
        />
      </div>
      <p class="result" data-testid="report">
        {text || '…'}
      </p>
      <p class="muted" data-testid="summary-n">
        {sum ? `summary computed in ${sum.ms} ms for ${sum.n.toLocaleString()} walks (seed ${s})` : 'no summary yet'}
      </p>
      <Histogram />
      <h2>Where the data lives</h2>
      <table class="where" data-testid="where">
        <thead>
          <tr>
            <th>store</th>
            <th>storage</th>
            <th>lives in</th>
            <th>key</th>
            <th>size</th>
          </tr>
        </thead>
        <tbody>
          {['summary', 'samples', 'seed', 'size', 'simulations'].map((id) => {
            const e = entries.find((x) => x.key === `sb:${board.name}:${id}:`)
            return (
              <tr>
                <td>
                  <code>{id}</code>
                </td>
                <td>{id === 'samples' ? 'session, base64' : 'session, JSON'}</td>
                <td data-testid={`where-${id}`}>{where(id) === 'session' ? 'sessionStorage' : where(id)}</td>
                <td>
                  <code>
                    sb:{board.name}:{id}
                  </code>
                </td>
                <td data-testid={`bytes-${id}`}>{e ? fmtBytes(e.chars * 2) : 'not stored (default)'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </>
  )
}

void mountPage(board, 'Data kept in the browser session', <App />, () => {
  // First visit in this tab (nothing restored): choose a seed, which runs `simulate` once.
  if (seed.get() === null) seed.set(1)
})
