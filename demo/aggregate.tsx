// Pattern 2: aggregate upfront, where the rows live, and ship the small result; or ship
// the rows and aggregate on the page. Same question, same answer, very different bytes.
//
//   base ─► [load] (worker) ─► table (handle)
//                                 │
//   groupBy ─────────────────────┬┴─► [shipRows] (worker: copies of 2 columns) ─► rows ─► [groupHere] ─► viaRows
//                                └──► [upfront]  (pool.aggregate in the worker) ─────────────────────► viaUpfront
import type { JSX } from 'preact'
import { type AggregateResult, aggregate, bin, count, createBoard, type Handle, mean } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
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
const size = board.store('size', { initial: '200k' })
const base = board.store('base', { initial: new URL('../', document.baseURI).href })
const table = board.store<Handle | null>('table', { initial: null })
const groupBy = board.store<GroupBy>('groupBy', { initial: 'time', storage: 'session' })
const rows = board.store<Record<string, ArrayLike<number>> | null>('rows', { initial: null })
const viaRows = board.store<AggregateResult | null>('viaRows', { initial: null })
const viaUpfront = board.store<AggregateResult | null>('viaUpfront', { initial: null })

board.callback({ id: 'load', inputs: [size, base], outputs: [table], run: pool.task('load'), timeoutMs: 60_000 })
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

function Bars({ result, testid }: { result: AggregateResult | null; testid: string }): JSX.Element {
  const g = result ? keyOf(result) : 'time'
  const keys = (result?.[g] ?? []) as number[]
  const delays = (result?.delay ?? []) as number[]
  const flights = (result?.flights ?? []) as number[]
  const max = Math.max(1, ...delays.map((d) => Math.abs(d)))
  const w = keys.length ? 300 / keys.length : 0
  return (
    <svg viewBox="0 0 300 100" role="img" aria-label={`mean delay per ${specs[g].label}`} data-testid={testid}>
      <line x1="0" x2="300" y1="70" y2="70" stroke="#cbd5e1" />
      {delays.map((d, i) => (
        <rect
          x={i * w + 1}
          width={Math.max(1, w - 2)}
          y={d >= 0 ? 70 - (d / max) * 66 : 70}
          height={(Math.abs(d) / max) * (d >= 0 ? 66 : 28)}
          class="bar"
          // The exact answer, for tests that check it against their own computation.
          data-key={keys[i]}
          data-flights={flights[i]}
          data-delay={d}
        >
          <title>
            {keys[i]} {specs[g].unit}: {d.toFixed(1)} min
          </title>
        </rect>
      ))}
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
  ids: string[]
  bytes: number
  result: AggregateResult | null
  name: string
  note: JSX.Element
}): JSX.Element {
  const a = useStatus(props.ids[0]!)
  const b = useStatus(props.ids[1] ?? props.ids[0]!)
  const ms = props.ids.length > 1 ? a.lastMs + b.lastMs : a.lastMs
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
        <Figure label="time, last answer" testid={`${props.name}-ms`} value={ms ? `${Math.round(ms)} ms` : '…'} />
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
  const shipped = useStore(rows)
  const a = useStore(viaRows)
  const b = useStore(viaUpfront)
  const t = useStore(table)
  const shippedBytes = bytesOf(shipped)
  const upfrontBytes = bytesOf(b)
  const ratio = shippedBytes && upfrontBytes ? Math.round(shippedBytes / upfrontBytes) : 0
  return (
    <>
      <p class="lede">
        The question: <strong>how many flights, and how late on average, per {specs[g].label}?</strong> The 200 000
        flights are held by a worker ({t ? fmtBytes(t.bytes) : '…'}). On the left the worker ships the two columns the
        question needs and the page aggregates them; on the right <code>pool.aggregate(handle, spec)</code> runs{' '}
        <code>aggregate</code> in the worker and only the groups cross. Same answer.
      </p>
      <div class="controls">
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
      <div class="grid2">
        <Way
          title="Ship the rows"
          ids={['shipRows', 'groupHere']}
          name="rows"
          bytes={shippedBytes}
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
          ids={['upfront']}
          name="upfront"
          bytes={upfrontBytes}
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
