// Pattern 5: a list the user grows and shrinks, as store families (Dash's pattern-matching
// callbacks: ALL, MATCH, ALLSMALLER).
//
//   {type:'scenario', index:i} (session) ─► [simulate] (MATCH, a worker task, cache per
//                                            instance) ─► {type:'outcome', index:i}
//   {type:'outcome', index:MATCH}       ─┐
//   {type:'outcome', index:ALLSMALLER}  ─┴─► [running] (MATCH) ─► {type:'running', index:i}
//   {type:'outcome', index:ALL}  ───────────► [portfolio] ─► portfolio
//
// Each card is three stores of one index. Adding a card creates them (the new instances
// run); removing it removes them (the ALL and ALLSMALLER readers run again). The scenarios
// and the list are `session` stores: a reload restores them and each outcome comes back
// from the cache without a simulation; another tab starts its own list.
import type { JSX } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { ALL, ALLSMALLER, createBoard, MATCH, type Store } from 'switchboard'
import { useStatus, useStore, useStoreState } from 'switchboard/preact'
import { Figure, mountPage } from './lib/shell'
import type { Outcome, Scenario, tasks } from './scenarios.worker'
import './scenarios.css'

const board = createBoard({ name: 'demo-scenarios', version: 1, profile: true })
const pool = board.workers<typeof tasks>(
  () => new Worker(new URL('./scenarios.worker.ts', import.meta.url), { type: 'module' }),
  { size: 2, name: 'scenarios' },
)

/** The cards' indices, in the order they were added; null until the first visit picks two. */
const order = board.store<number[] | null>('order', { initial: null, storage: 'session' })
/** The next index to hand out: indices are never reused within a session. */
const nextIndex = board.store('nextIndex', { initial: 0, storage: 'session' })

interface Portfolio {
  count: number
  /** Expected final value of all scenarios together (100 put in each). */
  expected: number
  /** Sum of the 5% quantiles: a bad year everywhere at once. */
  bad: number
  pending: number
}
const portfolio = board.store<Portfolio>('portfolio', {
  initial: { count: 0, expected: 0, bad: 0, pending: 0 },
})

const simulate = pool.task('simulate')
board.callback({
  id: 'simulate',
  inputs: [{ type: 'scenario', index: MATCH }],
  outputs: [{ type: 'outcome', index: MATCH }],
  // One worker call per card whose inputs changed. The cache key holds the card's index as
  // well as its inputs, so a reload answers each card from the cache without simulating.
  // (A wrapper: the pool's ctx type lists string ids as `triggered`, a pattern's may be objects.)
  run: (s: Scenario, ctx) => simulate(s, ctx as Parameters<typeof simulate>[1]),
  cache: { scope: 'session', maxEntries: 200 },
  timeoutMs: 60_000,
})

board.callback({
  id: 'running',
  inputs: [
    { type: 'outcome', index: MATCH },
    { type: 'outcome', index: ALLSMALLER },
  ],
  outputs: [{ type: 'running', index: MATCH }],
  // Expected value of this card and every card before it (by index).
  run: (own: Outcome | null, before: Array<Outcome | null>) =>
    [...before, own].reduce((a, o) => a + (o ? o.mean : 0), 0),
})

board.callback({
  id: 'portfolio',
  inputs: [{ type: 'outcome', index: ALL }],
  outputs: [portfolio],
  run: (all: Array<Outcome | null>) => {
    return {
      count: all.length,
      expected: all.reduce((a, o) => a + (o ? o.mean : 0), 0),
      bad: all.reduce((a, o) => a + (o ? o.p5 : 0), 0),
      pending: all.filter((o) => o === null).length,
    }
  },
})

interface Card {
  scenario: Store<Scenario>
  outcome: Store<Outcome | null>
  running: Store<number>
}
const cards = new Map<number, Card>()

/** The three stores of card `i`; a `session` scenario is restored when it is created. */
function ensure(i: number, initial?: Scenario): Card {
  let card = cards.get(i)
  if (!card) {
    card = {
      scenario: board.store<Scenario>(
        { type: 'scenario', index: i },
        { initial: initial ?? { drift: 6, volatility: 18, horizon: 252, seed: i + 1 }, storage: 'session' },
      ),
      outcome: board.store<Outcome | null>({ type: 'outcome', index: i }, { initial: null }),
      running: board.store({ type: 'running', index: i }, { initial: 0 }),
    }
    cards.set(i, card)
  }
  return card
}

function addCard(initial?: Scenario): number {
  const i = nextIndex.get()
  board.batch(() => {
    ensure(i, initial)
    // The scenario's initial value is not stored; setting it makes a reload restore it.
    cards.get(i)!.scenario.set({ ...cards.get(i)!.scenario.get() })
    nextIndex.set(i + 1)
    order.set([...(order.get() ?? []), i])
  })
  return i
}

function removeCard(i: number): void {
  const card = cards.get(i)
  if (!card) return
  board.batch(() => {
    board.remove(card.scenario)
    board.remove(card.outcome)
    board.remove(card.running)
    order.set((order.get() ?? []).filter((x) => x !== i))
  })
  cards.delete(i)
}

const money = (v: number) => v.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const same = (a: Scenario, b: Scenario) =>
  a.drift === b.drift && a.volatility === b.volatility && a.horizon === b.horizon && a.seed === b.seed

function NumberField(props: {
  label: string
  testid: string
  value: number
  min: number
  max: number
  step: number
  onValue: (v: number) => void
}): JSX.Element {
  // What the user is typing, until committed: the card re-renders while it simulates, and a
  // controlled input would be reset to the store's value under the user's fingers.
  const [draft, setDraft] = useState<string | null>(null)
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        type="number"
        data-testid={props.testid}
        value={draft ?? String(props.value)}
        min={props.min}
        max={props.max}
        step={props.step}
        onInput={(e) => setDraft(e.currentTarget.value)}
        // On commit (Enter, Tab away), not per keystroke: each value is a simulation.
        onChange={(e) => {
          const text = e.currentTarget.value
          const v = Number(text)
          setDraft(null)
          if (text !== '' && Number.isFinite(v) && v >= props.min && v <= props.max) props.onValue(v)
          else e.currentTarget.value = String(props.value)
        }}
      />
    </label>
  )
}

function Bins({ o, label }: { o: Outcome; label: string }): JSX.Element {
  const max = Math.max(1, ...o.bins)
  return (
    <svg viewBox="0 0 240 48" class="bins" role="img" aria-label={label}>
      {o.bins.map((c, i) => (
        <rect x={i * 10 + 1} y={48 - (c / max) * 46} width={8} height={(c / max) * 46} class="bar" />
      ))}
    </svg>
  )
}

function ScenarioCard(props: { index: number; card: Card; position: number; onRemoved: () => void }): JSX.Element {
  const { index, card, position, onRemoved } = props
  const [s, setScenario] = useStoreState(card.scenario)
  const outcome = useStore(card.outcome)
  const running = useStore(card.running)
  // This card's instance of `simulate`: running, its progress, its runs and cache hits.
  const st = useStatus('simulate', { match: { index } })
  const fresh = outcome !== null && same(outcome.scenario, s)
  const title = `Scenario ${index + 1}`
  const set = (patch: Partial<Scenario>) => setScenario((cur) => ({ ...cur, ...patch }))
  const t = `card-${index}`
  return (
    <li class="card scenario" data-testid={t} aria-labelledby={`${t}-title`} data-index={index}>
      <div class="card-head">
        <h3 id={`${t}-title`} tabIndex={-1}>
          {title} <span class="muted">#{position + 1} in the list</span>
        </h3>
        <button
          type="button"
          class="linkish"
          data-testid={`${t}-remove`}
          aria-label={`Remove ${title}`}
          onClick={() => {
            removeCard(index)
            onRemoved()
          }}
        >
          Remove
        </button>
      </div>
      <div class="fields">
        <NumberField
          label="drift, %/yr"
          testid={`${t}-drift`}
          value={s.drift}
          min={-50}
          max={50}
          step={0.5}
          onValue={(drift) => set({ drift })}
        />
        <NumberField
          label="volatility, %/yr"
          testid={`${t}-volatility`}
          value={s.volatility}
          min={0}
          max={150}
          step={1}
          onValue={(volatility) => set({ volatility })}
        />
        <NumberField
          label="horizon, days"
          testid={`${t}-horizon`}
          value={s.horizon}
          min={1}
          max={1260}
          step={1}
          onValue={(horizon) => set({ horizon })}
        />
        <NumberField
          label="seed"
          testid={`${t}-seed`}
          value={s.seed}
          min={0}
          max={1e9}
          step={1}
          onValue={(seed) => set({ seed })}
        />
      </div>
      <div class="outcome" aria-live="polite">
        {fresh ? (
          <>
            <p>
              100 becomes <strong data-testid={`${t}-mean`}>{money(outcome.mean)}</strong> on average (5%{' '}
              <span data-testid={`${t}-p5`}>{money(outcome.p5)}</span>, median {money(outcome.p50)}, 95%{' '}
              {money(outcome.p95)}; {outcome.paths.toLocaleString()} paths)
            </p>
            <Bins o={outcome} label={`${title}: distribution of the final value`} />
          </>
        ) : (
          <p class="muted" data-testid={`${t}-pending`}>
            simulating…{' '}
            {st.running && (
              <progress max={1} value={st.progress?.fraction ?? 0} aria-label={`${title}: simulation progress`} />
            )}
          </p>
        )}
        <p class="muted">
          running total up to here: <span data-testid={`${t}-running`}>{money(running)}</span> · simulated{' '}
          <span data-testid={`${t}-runs`}>{st.runs}</span>×, {st.hits} from the cache
        </p>
      </div>
    </li>
  )
}

function App(): JSX.Element {
  const ids = useStore(order) ?? []
  const p = useStore(portfolio)
  const sim = useStatus('simulate')
  const run = useStatus('running')
  const port = useStatus('portfolio')
  const addButton = useRef<HTMLButtonElement>(null)
  const list = useRef<HTMLOListElement>(null)
  const focusCard = (i: number) =>
    requestAnimationFrame(() => list.current?.querySelector<HTMLElement>(`#card-${i}-title`)?.focus())
  return (
    <>
      <p class="lede">
        Each card is a Monte Carlo scenario: its inputs are one store of a family (
        <code>{"{ type: 'scenario', index }"}</code>), and one callback with <code>MATCH</code> simulates every card in
        a Web Worker, only the cards whose inputs changed, each cached by its own inputs and index. A running total
        reads the cards before it with <code>ALLSMALLER</code>, and the portfolio reads them all with <code>ALL</code>.
        Add and remove cards: the graph grows and shrinks. <strong>Reload</strong>: the list comes back from this tab's
        session and every card from the cache. A new tab starts its own list.
      </p>
      <div class="controls">
        <button type="button" ref={addButton} data-testid="add" onClick={() => focusCard(addCard())}>
          Add a scenario
        </button>
        {sim.running && (
          <span class="muted" data-testid="simulating">
            simulating in a worker… {sim.progress?.note ?? ''}
          </span>
        )}
      </div>
      <div class="figures">
        <Figure label="scenarios" testid="count" value={p.count} />
        <Figure
          label="expected value, all scenarios"
          testid="expected"
          value={money(p.expected)}
          hint={`${p.count * 100} put in${p.pending ? `, ${p.pending} pending` : ''}`}
        />
        <Figure label="sum of the 5% quantiles" testid="bad" value={money(p.bad)} hint="a bad year everywhere" />
        <Figure
          label="simulations of these cards, this page load"
          testid="simulate-runs"
          value={sim.runs}
          hint={`${sim.hits} from the cache`}
        />
        <Figure label="running / portfolio runs" testid="reader-runs" value={`${run.runs} / ${port.runs}`} />
      </div>
      <ol class="scenarios" ref={list} aria-label="Scenarios" data-testid="scenarios">
        {ids.map((i, pos) => {
          const card = cards.get(i)
          return (
            card && (
              <ScenarioCard
                key={i}
                index={i}
                card={card}
                position={pos}
                onRemoved={() => {
                  // Focus goes to the next card, else the previous one, else the add button.
                  const next = ids[pos + 1] ?? ids[pos - 1]
                  if (next === undefined) addButton.current?.focus()
                  else focusCard(next)
                }}
              />
            )
          )
        })}
      </ol>
      {ids.length === 0 && <p class="muted">No scenarios: add one.</p>}
    </>
  )
}

void mountPage(board, 'Scenarios: a list that grows and shrinks', <App />, () => {
  const restored = order.get()
  if (restored === null) {
    // First visit in this tab: two scenarios to start with.
    addCard({ drift: 4, volatility: 8, horizon: 252, seed: 1 })
    addCard({ drift: 9, volatility: 24, horizon: 252, seed: 2 })
  } else {
    // A reload: the cards' stores again, in the list's order (each restored as it is created).
    board.batch(() => {
      for (const i of restored) ensure(i)
    })
  }
})
