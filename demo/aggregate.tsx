// Pattern 2: aggregate upfront, where the rows live, and ship the small result; or ship
// the rows and aggregate on the page. Same question, same answer, very different bytes.
//
//   base ─► [load] (worker) ─► table (handle)
//                                 │
//   groupBy ─────────────────────┬┴─► [shipRows] (worker: copies of 2 columns) ─► rows ─► [groupHere] ─► viaRows
//                                └──► [upfront]  (pool.aggregate in the worker) ─────────────────────► viaUpfront
//   viaRows, viaUpfront (table, groupBy as state) ─► [timeBoth] ─► timing
//
// The times shown are measured by `timeBoth` once both answers are in: each way three times,
// one after the other, so neither waits for the other in the worker (the callbacks' own
// times at start-up do: both ask the same worker at once).
import type { JSX } from 'preact'
import { type AggregateResult, aggregate, bin, count, createBoard, type Handle, mean } from 'switchboard'
import { useStore, useStoreState } from 'switchboard/preact'
import { Figure, fmtBytes, mountPage } from './lib/shell'

type GroupBy = 'time' | 'distance'
const specs: Record<GroupBy, { label: string; step: number; unit: string }> = {
  time: { label: 'hour of departure', step: 1, unit: 'h' },
  distance: { label: 'distance band', step: 250, unit: 'mi' },
}
const question = (g: GroupBy) => ({
  by: bin(g, { step: specs[g].step }),
  measures: { flights: count(), delay: mean('delay') },
})

const board = createBoard({ name: 'demo-aggregate', version: 1, profile: true })
const pool = board.workers(() => new Worker(new URL('./flights.worker.ts', import.meta.url), { type: 'module' }), {
  name: 'flights',
})
type Size = '200k' | '3m'
const size = board.store<Size>('size', { initial: '200k', storage: 'session' })
const base = board.store('base', { initial: new URL('../', document.baseURI).href })
const table = board.store<Handle | null>('table', { initial: null })
const groupBy = board.store<GroupBy>('groupBy', { initial: 'time', storage: 'session' })
const rows = board.store<Record<string, ArrayLike<number>> | null>('rows', { initial: null })
const viaRows = board.store<AggregateResult | null>('viaRows', { initial: null })
const viaUpfront = board.store<AggregateResult | null>('viaUpfront', { initial: null })
const timing = board.store<Timing | null>('timing', { initial: null })

board.callback({ id: 'load', inputs: [size, base], outputs: [table], run: pool.task('load'), timeoutMs: 120_000 })
// Way 1: ship the rows. The worker copies the two columns the question needs and they cross
// to the page, where `aggregate` runs on the main thread.
board.callback({
  id: 'shipRows',
  inputs: [table, groupBy],
  outputs: [rows],
  run: (t: Handle | null, g: GroupBy, ctx) => (t ? pool.task('columns')(t, [g, 'delay'], ctx) : null),
})
board.callback({
  id: 'groupHere',
  inputs: [rows],
  state: [groupBy],
  outputs: [viaRows],
  run: (r, g) => (r ? aggregate(r, question(g)) : null),
})
// Way 2: aggregate upfront, in the worker that holds the table; only the groups cross.
board.callback({
  id: 'upfront',
  inputs: [table, groupBy],
  outputs: [viaUpfront],
  run: (t: Handle | null, g: GroupBy) => (t ? pool.aggregate(t, question(g)) : null),
})

/** Medians of `runs` timings of each way, in ms, and what part of shipping rows ran on the page. */
interface Timing {
  /** The question timed: the table's handle id and the grouping. */
  table: string
  g: GroupBy
  runs: number
  rowsMs: number
  pageMs: number
  upfrontMs: number
}
const runs = 3
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!

// Once both answers to the current question are in: each way `runs` times, alternately.
board.callback({
  id: 'timeBoth',
  inputs: [viaRows, viaUpfront],
  state: [table, groupBy],
  outputs: [timing],
  timeoutMs: 120_000,
  run: async (a, b, t, g) => {
    if (!t || !a || !b || keyOf(a) !== g || keyOf(b) !== g) return null
    const rows: number[] = []
    const page: number[] = []
    const up: number[] = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      const cols = await pool.task<Record<string, ArrayLike<number>>>('columns')(t, [g, 'delay'])
      const t1 = performance.now()
      aggregate(cols, question(g))
      const t2 = performance.now()
      rows.push(t2 - t0)
      page.push(t2 - t1)
      await pool.aggregate(t, question(g))
      up.push(performance.now() - t2)
    }
    return { table: t.id, g, runs, rowsMs: median(rows), pageMs: median(page), upfrontMs: median(up) }
  },
})

/** Bytes of what reached the page: typed arrays by their buffers, numbers as 8 bytes. */
function bytesOf(v: unknown): number {
  if (v == null) return 0
  if (ArrayBuffer.isView(v)) return v.byteLength
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + (typeof x === 'number' || x === null ? 8 : bytesOf(x)), 0)
  if (typeof v === 'object') return Object.values(v).reduce((a: number, x) => a + bytesOf(x), 0)
  return typeof v === 'string' ? v.length * 2 : 8
}

/** A result names its own key column: while a new question is computed, the old answer shows. */
function keyOf(r: AggregateResult): GroupBy {
  return Object.keys(r).find((k) => k !== 'flights' && k !== 'delay') as GroupBy
}

function same(a: AggregateResult | null, b: AggregateResult | null): boolean {
  if (!a || !b || keyOf(a) !== keyOf(b)) return false
  const ka = a[keyOf(a)] as number[]
  const kb = b[keyOf(b)] as number[]
  if (ka.length !== kb.length) return false
  return ka.every(
    (k, i) =>
      k === kb[i] &&
      a.flights![i] === b.flights![i] &&
      Math.abs((a.delay![i] as number) - (b.delay![i] as number)) < 1e-9,
  )
}

/** A tick step of 1, 2 or 5 times a power of ten that cuts `span` into at most 5 parts. */
function tickStep(span: number): number {
  const p = 10 ** Math.floor(Math.log10(span / 5 || 1))
  return [1, 2, 5, 10].map((m) => m * p).find((s) => span / s <= 5) ?? 10 * p
}

/**
 * Mean delay per group as bars, with both axes and each bar's value written above it (below
 * it when negative). Only the bars are rects: the tests read the answer from them.
 */
function Bars({ result, testid }: { result: AggregateResult | null; testid: string }): JSX.Element {
  const g = result ? keyOf(result) : 'time'
  const keys = (result?.[g] ?? []) as number[]
  const delays = (result?.delay ?? []) as number[]
  const flights = (result?.flights ?? []) as number[]
  // Plot area inside the 460 × 230 drawing: room for the y labels left, the x labels below.
  const [left, top, w, h] = [40, 18, 410, 164]
  const stepY = tickStep(Math.max(1, ...delays) - Math.min(0, ...delays))
  const hi = Math.ceil(Math.max(1, ...delays) / stepY) * stepY
  // Below zero only as far as the lowest bar and its label need.
  const lo = Math.min(0, ...delays) * 1.2
  const y = (d: number) => top + ((hi - d) / (hi - lo)) * h
  const ticks: number[] = []
  for (let t = Math.ceil(lo / stepY) * stepY; t <= hi + 1e-9; t += stepY) ticks.push(t)
  const bw = keys.length ? w / keys.length : 0
  // Label every key while they fit, else every 2nd, 3rd… key.
  const every = Math.max(1, Math.ceil(keys.length / 12))
  const unit = specs[g].unit
  return (
    <svg
      viewBox="0 0 460 230"
      role="img"
      aria-label={`mean delay in minutes per ${specs[g].label}`}
      data-testid={testid}
    >
      <g class="axis" data-testid={`${testid}-y`}>
        {ticks.map((t) => (
          <>
            <line x1={left} x2={left + w} y1={y(t)} y2={y(t)} class={t === 0 ? 'zero' : 'grid'} />
            <text x={left - 6} y={y(t) + 4} text-anchor="end">
              {t}
            </text>
          </>
        ))}
        <text x={4} y={10} class="title">
          mean delay (min)
        </text>
      </g>
      {delays.map((d, i) => (
        <rect
          x={left + i * bw + 1}
          width={Math.max(1, bw - 2)}
          y={Math.min(y(d), y(0))}
          height={Math.abs(y(d) - y(0))}
          class="bar"
          // The exact answer, for tests that check it against their own computation.
          data-key={keys[i]}
          data-flights={flights[i]}
          data-delay={d}
        >
          <title>
            {keys[i]} {unit}: {d.toFixed(1)} min, {flights[i]!.toLocaleString()} flights
          </title>
        </rect>
      ))}
      <g class="values" data-testid={`${testid}-values`}>
        {delays.map((d, i) => (
          <text x={left + (i + 0.5) * bw} y={d >= 0 ? y(d) - 3 : y(d) + 10} text-anchor="middle">
            {Math.round(d)}
          </text>
        ))}
      </g>
      <g class="axis" data-testid={`${testid}-x`}>
        {keys.map((k, i) =>
          i % every ? null : (
            <text x={left + i * bw} y={top + h + 14} text-anchor="middle">
              {k}
            </text>
          ),
        )}
        <text x={left + w / 2} y={226} text-anchor="middle" class="title">
          {specs[g].label} ({unit}), from the left edge of each bar
        </text>
      </g>
    </svg>
  )
}

function caption(r: AggregateResult): string {
  const g = keyOf(r)
  const keys = r[g] as number[]
  const n = (r.flights as number[]).reduce((a, b) => a + b, 0)
  return `${keys.length} groups (${keys[0]} to ${keys[keys.length - 1]! + specs[g].step} ${specs[g].unit}), ${n.toLocaleString()} flights; bars: mean delay, min`
}

function Way(props: {
  title: string
  bytes: number
  ms: number | undefined
  hint: string | undefined
  result: AggregateResult | null
  name: string
  note: JSX.Element
}): JSX.Element {
  return (
    <div class="card">
      <h3>{props.title}</h3>
      <p class="muted">{props.note}</p>
      <div class="figures">
        <Figure
          label="bytes to the page"
          testid={`${props.name}-bytes`}
          value={props.bytes ? fmtBytes(props.bytes) : '…'}
        />
        <Figure
          label={`time, median of ${runs}`}
          testid={`${props.name}-ms`}
          value={props.ms === undefined ? '…' : `${Math.round(props.ms)} ms`}
          hint={props.hint}
        />
      </div>
      <Bars result={props.result} testid={`${props.name}-chart`} />
      <p class="muted" data-testid={`${props.name}-groups`}>
        {props.result ? caption(props.result) : '…'}
      </p>
    </div>
  )
}

function App(): JSX.Element {
  const [g, setGroupBy] = useStoreState(groupBy)
  const [n, setSize] = useStoreState(size)
  const shipped = useStore(rows)
  const a = useStore(viaRows)
  const b = useStore(viaUpfront)
  const t = useStore(table)
  // Times for the question on screen only: a new table or grouping is timed again.
  const last = useStore(timing)
  const tm = last && t && last.table === t.id && last.g === g ? last : null
  const shippedBytes = bytesOf(shipped)
  const upfrontBytes = bytesOf(b)
  const ratio = shippedBytes && upfrontBytes ? Math.round(shippedBytes / upfrontBytes) : 0
  const flights = b ? (b.flights as number[]).reduce((x, y) => x + y, 0) : 0
  return (
    <>
      <p class="lede">
        The question: <strong>how many flights, and how late on average, per {specs[g].label}?</strong> The{' '}
        {flights ? flights.toLocaleString() : '…'} flights are held by a worker ({t ? fmtBytes(t.bytes) : '…'}). On the
        left the worker ships the two columns the question needs and the page aggregates them; on the right{' '}
        <code>pool.aggregate(handle, spec)</code> runs <code>aggregate</code> in the worker and only the groups cross.
        Same answer.
      </p>
      <div class="controls">
        <label>
          data{' '}
          <select data-testid="dataset" value={n} onChange={(e) => setSize(e.currentTarget.value as Size)}>
            <option value="200k">200 000 flights</option>
            <option value="3m">3 000 000 flights</option>
          </select>
        </label>
        <label>
          group by{' '}
          <select data-testid="group-by" value={g} onChange={(e) => setGroupBy(e.currentTarget.value as GroupBy)}>
            <option value="time">hour of departure</option>
            <option value="distance">distance, 250-mile bands</option>
          </select>
        </label>
        <span class="result" data-testid="same">
          {a && b ? (same(a, b) ? 'same answer' : 'answers differ') : '…'}
        </span>
        <span class="result" data-testid="ratio">
          {ratio ? `${ratio.toLocaleString()}× fewer bytes upfront` : '…'}
        </span>
      </div>
      <p class="muted" data-testid="timing-note">
        Times: once both answers are in, each way runs {runs} more times, one after the other, and the median shows
        (each way alone: neither waits for the other in the worker). Shipping rows copies the columns in the worker,
        sends them, then aggregates on the page's main thread, which can do nothing else meanwhile; upfront does the
        same aggregation in the worker and the page only receives the groups.{' '}
        {tm && (
          <span data-testid="timing-summary">
            Here: {Math.round(tm.rowsMs)} ms shipping rows, of which {Math.round(tm.pageMs)} ms on the main thread,
            against {Math.round(tm.upfrontMs)} ms upfront with none.
          </span>
        )}{' '}
        Try 3 000 000 flights: shipping rows, the bytes and the main-thread time grow with the rows; upfront, still only
        the groups cross and the main thread does no aggregating.
      </p>
      <div class="grid2">
        <Way
          title="Ship the rows"
          name="rows"
          bytes={shippedBytes}
          ms={tm?.rowsMs}
          hint={tm ? `${Math.round(tm.pageMs)} ms of it aggregating on the main thread` : undefined}
          result={a}
          note={
            <>
              worker → page: <code>{g}</code> and <code>delay</code> for every flight, then <code>aggregate</code> on
              the main thread
            </>
          }
        />
        <Way
          title="Aggregate upfront"
          name="upfront"
          bytes={upfrontBytes}
          ms={tm?.upfrontMs}
          hint={tm ? 'none on the main thread: the groups arrive computed' : undefined}
          result={b}
          note={
            <>
              <code>aggregate</code> in the worker; worker → page: one row per group
            </>
          }
        />
      </div>
    </>
  )
}

void mountPage(board, 'Aggregate upfront, ship less', <App />)
