// P8: single flight. One expensive computation (COMPUTE_MS of waiting plus a little CPU),
// asked for at once by
//
//   one tab:   seed ─► [c0 … c49, cache id "heavy"] ─► o0 … o49     (50 callbacks)
//   four tabs: four real pages of one origin (bench/run.mjs opens them), each a board of
//              the same name whose cached callback is triggered by one broadcast "go"
//
// and reports: executions (target exactly 1), follower latency / leader compute time
// (target <= 1.05; a follower asked at the same moment as the leader and is answered from
// memory in the tab, or from IndexedDB after the leader's commit across tabs), the latency
// of a cross-tab hit (a fresh board, nothing in memory, the entry in IndexedDB), and the
// cost of hashing a 1 MB input into its key, next to the compute it saves.
//
// Where a follower's extra time goes, per four-tab round, from clocks every tab shares
// (performance.timeOrigin + now(), ms since the epoch): the value carries its compute's
// start and end, each tab reports when it was told "go" and when it had the value.
//   follower latency = go skew (the leader was told later)  + leader before compute (hash,
//                      read, lock, claim) + compute + after compute (hint, wave)
// One round is run first and not counted: each helper tab loads the cache code and opens
// its database on its first cached run, as the bench page warms up every other figure.
import { encodeKey, hashKey } from '../src/cache/key'
import { type Board, createBoard, type Store } from '../src/index'
import { type BenchResult, type BenchRow, median, round, timeOne } from './timing'

const COMPUTE_MS = 300
const TABS = 4
/** Rounds counted per setting (after one warm-up round in four tabs). */
const ROUNDS = 9
const now = () => performance.timeOrigin + performance.now()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The expensive step: COMPUTE_MS of waiting (a server, a worker) and some CPU. */
async function expensive(seed: number): Promise<Computed> {
  const start = now()
  const t0 = performance.now()
  await sleep(COMPUTE_MS - 20)
  let sum = 0
  while (performance.now() - t0 < COMPUTE_MS) for (let i = 0; i < 1000; i++) sum += Math.sqrt(i * seed)
  return { seed, sum, ms: performance.now() - t0, start, end: now() }
}
/** What the computation returns; `start` and `end` on the shared clock. */
interface Computed {
  seed: number
  sum: number
  ms: number
  start: number
  end: number
}

/** One cached callback on `board`; `answered` gets the ms from `t0` to its output. */
function heavy(
  board: Board,
  id: string,
  seed: Store<number>,
  onValue: (v: { ms: number } | undefined) => void,
): Store<{ ms: number } | undefined> {
  const out = board.store<{ ms: number }>(`out-${id}`)
  board.callback({
    id,
    inputs: [seed],
    outputs: [out],
    cache: { id: 'heavy' },
    preventInitialCall: true,
    run: expensive,
  })
  out.subscribe(onValue)
  return out
}

// ---- helper tabs ----------------------------------------------------------------------------

type Control =
  | { type: 'up'; tab: string }
  | { type: 'go'; seed: number }
  | {
      type: 'done'
      tab: string
      latency: number
      runs: number
      computeMs: number
      seed: number
      sum: number
      /** When this tab was told "go" and when it had the value; the value's compute start and end. */
      goAt: number
      valueAt: number
      start: number
      end: number
    }

type Answer = Computed | undefined

/** Every asker must have been answered with the one value computed for `seed`: else the figure is void. */
function checkSame(what: string, answers: Array<{ seed: number; sum: number } | undefined>, n: number, seed: number) {
  if (answers.length !== n) throw new Error(`P8 ${what}: ${answers.length} of ${n} askers answered`)
  const first = answers[0]
  if (!first || first.seed !== seed) throw new Error(`P8 ${what}: answered ${JSON.stringify(first)} for seed ${seed}`)
  for (const a of answers)
    if (!a || a.seed !== first.seed || a.sum !== first.sum)
      throw new Error(`P8 ${what}: askers got different values (${JSON.stringify(a)} vs ${JSON.stringify(first)})`)
}

/** A helper tab: a board of the shared name; on "go", sets the seed and reports back. */
export async function tab(params: URLSearchParams): Promise<void> {
  const name = params.get('board')!
  const me = params.get('tab')!
  const control = new BroadcastChannel(`${name}:control`)
  const board = createBoard({ name, version: 1 })
  const seed = board.store('seed', { initial: 0 })
  let t0 = 0
  let goAt = 0
  let computeMs = 0
  /** Executions before this round: stats are cumulative. */
  let before = 0
  heavy(board, 'heavy', seed, (v) => {
    const latency = performance.now() - t0
    const valueAt = now()
    const runs = board.inspect().callbacks[0]!.stats.runs - before
    computeMs = runs ? v!.ms : 0
    const { seed, sum, start, end } = v as unknown as Computed
    control.postMessage({
      type: 'done',
      tab: me,
      latency,
      runs,
      computeMs,
      seed,
      sum,
      goAt,
      valueAt,
      start,
      end,
    } satisfies Control)
  })
  await board.start()
  control.onmessage = (e: MessageEvent<Control>) => {
    if (e.data.type !== 'go') return
    before = board.inspect().callbacks[0]!.stats.runs
    t0 = performance.now()
    goAt = now()
    seed.set(e.data.seed)
  }
  control.postMessage({ type: 'up', tab: me } satisfies Control)
}

// ---- the bench page ---------------------------------------------------------------------------

async function oneTab(round: number) {
  const board = createBoard({ name: `p8-one-${Date.now()}-${round}`, version: 1 })
  const seed = board.store('seed', { initial: 0 })
  const at: number[] = []
  const got: Answer[] = []
  let t0 = 0
  for (let i = 0; i < 50; i++)
    heavy(board, `c${i}`, seed, (v) => {
      at.push(performance.now() - t0)
      got.push(v as unknown as Answer)
    })
  await board.start()
  t0 = performance.now()
  seed.set(round + 1)
  await board.idle()
  checkSame('one tab', got, 50, round + 1)
  const stats = board.inspect().callbacks.map((c) => c.stats)
  const executions = stats.reduce((n, s) => n + s.runs, 0)
  const computeMs = stats.find((s) => s.runs > 0)!.lastMs
  board.dispose()
  return { executions, computeMs, followerMs: Math.max(...at), answered: at.length }
}

interface Round {
  executions: number
  ratio: number
  overheadMs: number
  /** The worst follower's extra time, in parts (ms): see the header. */
  skewMs: number
  beforeMs: number
  afterMs: number
}

async function fourTabs(name: string): Promise<Round[]> {
  const control = new BroadcastChannel(`${name}:control`)
  const up = new Set<string>()
  let done: Array<Extract<Control, { type: 'done' }>> = []
  let wake: () => void = () => {}
  control.onmessage = (e: MessageEvent<Control>) => {
    if (e.data.type === 'up') up.add(e.data.tab)
    if (e.data.type === 'done') done.push(e.data)
    wake()
  }
  const until = async (ok: () => boolean, what: string) => {
    const deadline = performance.now() + 30_000
    while (!ok()) {
      if (performance.now() > deadline) throw new Error(`P8: timed out waiting for ${what}`)
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 200)
      })
    }
  }
  await (globalThis as unknown as { __benchTabs(n: number, q: string): Promise<void> }).__benchTabs(
    TABS,
    `board=${encodeURIComponent(name)}`,
  )
  await until(() => up.size === TABS, 'the tabs to start')
  const out: Round[] = []
  // Round -1 warms up: not counted (see the header).
  for (let r = -1; r < ROUNDS; r++) {
    done = []
    control.postMessage({ type: 'go', seed: 1000 + r } satisfies Control)
    await until(() => done.length === TABS, 'every tab to answer')
    checkSame(`${TABS} tabs`, done, TABS, 1000 + r)
    const leaders = done.filter((d) => d.runs > 0)
    const followers = done.filter((d) => d.runs === 0)
    const computeMs = Math.max(...leaders.map((d) => d.computeMs))
    const worst = followers.reduce((a, b) => (b.latency > a.latency ? b : a))
    const leader = leaders[0]!
    if (r >= 0)
      out.push({
        executions: leaders.reduce((n, d) => n + d.runs, 0),
        ratio: worst.latency / computeMs,
        overheadMs: worst.latency - computeMs,
        skewMs: leader.goAt - worst.goAt,
        beforeMs: worst.start - leader.goAt,
        afterMs: worst.valueAt - worst.end,
      })
    await sleep(100)
  }
  control.close()
  return out
}

/** A fresh board (nothing in memory) asking for a key another tab computed. */
async function crossTabHit(name: string, seedValue: number): Promise<number> {
  const board = createBoard({ name, version: 1 })
  const seed = board.store('seed', { initial: 0 })
  let t0 = 0
  let ms = -1
  const out = heavy(board, 'probe', seed, () => (ms = performance.now() - t0))
  await board.start()
  t0 = performance.now()
  seed.set(seedValue)
  await board.idle()
  if (board.inspect().callbacks[0]!.stats.runs !== 0 || !out.get())
    throw new Error('P8: the cross-tab probe computed instead of hitting')
  board.dispose()
  return ms
}

export async function run(): Promise<BenchResult> {
  const rows: BenchRow[] = []

  const one = []
  for (let r = 0; r < ROUNDS; r++) one.push(await oneTab(r))
  const oneRatio = median(one.map((o) => o.followerMs / o.computeMs))
  rows.push({
    case: 'one tab, 50 callbacks, one key',
    ours_ms: round(median(one.map((o) => o.followerMs))),
    anchors: { 'leader compute': round(median(one.map((o) => o.computeMs))) },
    ratios: { 'follower/compute': round(oneRatio), executions: Math.max(...one.map((o) => o.executions)) },
  })

  const name = `p8-tabs-${Date.now()}`
  const four = await fourTabs(name)
  rows.push({
    case: `${TABS} tabs, one key at once`,
    ours_ms: round(COMPUTE_MS + median(four.map((f) => f.overheadMs))),
    anchors: { 'leader compute': COMPUTE_MS },
    ratios: {
      'follower/compute': round(median(four.map((f) => f.ratio))),
      'follower/compute min': round(Math.min(...four.map((f) => f.ratio))),
      'follower/compute max': round(Math.max(...four.map((f) => f.ratio))),
      executions: Math.max(...four.map((f) => f.executions)),
    },
  })
  // The worst follower's extra time per round, in its parts (medians over the rounds).
  rows.push({
    case: `${TABS} tabs: the worst follower's extra ms, in parts`,
    ours_ms: round(median(four.map((f) => f.overheadMs))),
    anchors: {
      'go skew': round(median(four.map((f) => f.skewMs))),
      'leader before compute': round(median(four.map((f) => f.beforeMs))),
      'after compute': round(median(four.map((f) => f.afterMs))),
    },
    ratios: {},
  })
  for (const f of four)
    console.log(
      `4 tabs round: ratio ${f.ratio.toFixed(3)}, extra ${f.overheadMs.toFixed(1)} ms = skew ${f.skewMs.toFixed(1)} + before ${f.beforeMs.toFixed(1)} + after ${f.afterMs.toFixed(1)} (+ compute over ${COMPUTE_MS})`,
    )

  const hits: number[] = []
  for (let r = 0; r < ROUNDS; r++) for (let k = 0; k < 5; k++) hits.push(await crossTabHit(name, 1000 + r))
  const hitMs = median(hits)
  rows.push({
    case: 'cross-tab hit (fresh board, from IndexedDB)',
    ours_ms: round(hitMs),
    anchors: { compute: COMPUTE_MS },
    ratios: { 'hit/compute': round(hitMs / COMPUTE_MS) },
  })

  // Hashing cost: 1 MB as one typed array, and as ~1 MB of plain rows.
  const typed = new Float64Array(2 ** 17).map((_, i) => i * 0.5)
  const rowsInput = Array.from({ length: 16_000 }, (_, i) => ({
    id: i,
    name: `row ${i}`,
    x: i * 0.25,
    tags: ['a', 'b'],
  }))
  const parts = (args: unknown[]) => ({
    board: 'p8',
    boardVersion: 1,
    cacheId: 'heavy',
    cacheVersion: 1,
    scope: 'global' as const,
    session: undefined,
    args,
    what: 'P8',
  })
  const rowBytes = encodeKey(parts([rowsInput])).length
  for (const [label, input] of [
    ['1 MB Float64Array', typed],
    [`${(rowBytes / 2 ** 20).toFixed(1)} MB of rows (16 000 objects)`, rowsInput],
  ] as const) {
    const ms = await timeOne(() => hashKey(parts([input])), { warmupMs: 300, targetMs: 20, samples: 11 })
    rows.push({
      case: `hash key of ${label}`,
      ours_ms: round(ms),
      anchors: { compute: COMPUTE_MS },
      ratios: { 'hash/compute': round(ms / COMPUTE_MS) },
    })
  }

  return {
    id: 'P8',
    rows,
    summary: {
      'executions, one tab (target 1)': Math.max(...one.map((o) => o.executions)),
      [`executions, ${TABS} tabs (target 1)`]: Math.max(...four.map((f) => f.executions)),
      'worst follower/compute (target <= 1.05)': round(
        Math.max(...one.map((o) => o.followerMs / o.computeMs), ...four.map((f) => f.ratio)),
      ),
      [`median follower/compute, ${TABS} tabs`]: round(median(four.map((f) => f.ratio))),
    },
    notes:
      `Compute = ${COMPUTE_MS} ms (wait + CPU). Follower latency: from the moment every asker asked to its value; ${ROUNDS} rounds each (four tabs: after one warm-up round, not counted), medians; worst = the largest over all counted rounds of both settings. ` +
      "The worst follower's extra time per round = go skew (it was told before the leader) + leader before compute (hash, IndexedDB read, lock, claim) + after compute (the hint, with the value when it is small, and the wave there), on the clock the tabs share. " +
      'Cross-tab hit: a fresh board (empty memory) answered from IndexedDB: hashing + one read + the wave. Hash: canonical encoding + SHA-256 (crypto.subtle).',
  }
}
