// Fixture for scripts/chaos.mjs: one tab of six, all on one board of one origin.
//
//   a (local) ──┬──► [ga, cache global]  (a, m) ──► ga ─┐
//   m (memory) ─┘                                       │
//   b (idb) ─────┬─► [gb, cache global]  (b)    ──► gb ─┼─► [total] ──► total
//   a ───────────┘   [gab, cache global] (a, b) ──► gab ┤
//   s (session) ─┬─► [ks, cache session] (s, a) ──► ks ─┘
//   a ───────────┘
//
// Every cached callback is async (a random delay, so tabs get killed mid-run) and tells the
// driver, through the `chaosReport` binding (Playwright exposeBinding), when it starts, when
// its value is computed, and when the board is next idle (the entry is committed): the
// executions are counted outside the pages, where a reload cannot lose the count.
// URL parameters: `board`, `tab` (slot 0..5), `life` (how many times the driver (re)opened
// or reloaded it), `seed` (the run's seed: delays are drawn from it).
import { type Ctx, createBoard } from 'switchboard'
import { rng } from '../../demo/lib/rng'

type Report = (msg: Record<string, unknown>) => Promise<void>
const report: Report = (msg) =>
  ((globalThis as { chaosReport?: Report }).chaosReport?.({ ...msg, tab, life }) ?? Promise.resolve()).catch(
    () => undefined,
  )

const params = new URLSearchParams(location.search)
const name = params.get('board') ?? 'chaos'
const tab = Number(params.get('tab') ?? 0)
const life = Number(params.get('life') ?? 0)
const random = rng((Number(params.get('seed') ?? 1) * 7919 + tab * 104_729 + life * 1_299_709) >>> 0)

// Pure functions; scripts/chaos.mjs recomputes them (same formulas) to check every page.
const fa = (a: number, m: number) => a * 100 + m
const fb = (b: number) => b * 3 + 1
const fab = (a: number, b: number) => a * 10 + b
const fk = (s: number, a: number) => s * 1000 + a

const board = createBoard({ name, version: 1 })
const a = board.store('a', { initial: 0, storage: 'local' })
const b = board.store('b', { initial: 0, storage: 'idb' })
const s = board.store('s', { initial: 0, storage: 'session' })
const m = board.store('m', { initial: 0 })
const ga = board.store<number>('ga')
const gb = board.store<number>('gb')
const gab = board.store<number>('gab')
const ks = board.store<number>('ks')
const total = board.store<number>('total')

let serial = 0
/** An execution of a cached callback, as the driver sees it. */
function counted<A extends number[]>(cb: string, session: boolean, f: (...args: A) => number) {
  return async (...args: [...A, unknown]) => {
    const inputs = args.slice(0, -1) as A
    const ctx = args[args.length - 1] as Ctx
    const n = ++serial
    const sid = session ? board.session.id : undefined
    void report({ type: 'start', cb, inputs, sid, n })
    await new Promise((r) => setTimeout(r, Math.floor(random() * 120)))
    const v = f(...inputs)
    void report({ type: 'end', cb, n })
    // The entry is committed once the board is idle (idle() waits for cache writes), unless
    // this run was superseded: idle() does not wait for a superseded run's write (S20), so
    // then `durable` only says the board was idle, and a reload may still kill the write.
    void board.idle().then(() => report({ type: 'durable', cb, n, superseded: ctx.signal.aborted }))
    return v
  }
}
// Enough room that no entry of a 5-minute run is ever evicted: a recomputation is a miss.
const cache = { maxEntries: 100_000 }
board.callback({ id: 'ga', inputs: [a, m], outputs: [ga], cache, run: counted('ga', false, fa) })
board.callback({ id: 'gb', inputs: [b], outputs: [gb], cache, run: counted('gb', false, fb) })
board.callback({ id: 'gab', inputs: [a, b], outputs: [gab], cache, run: counted('gab', false, fab) })
board.callback({
  id: 'ks',
  inputs: [s, a],
  outputs: [ks],
  cache: { ...cache, scope: 'session' },
  run: counted('ks', true, fk),
})
board.callback({
  id: 'total',
  inputs: [ga, gb, gab, ks],
  outputs: [total],
  run: (...xs) => xs.slice(0, 4).reduce<number>((t, x) => t + Number(x ?? 0), 0),
})

board.on('error', (e) => void report({ type: 'error', message: e.message }))
board.on('persist-failed', (e) => void report({ type: 'persist-failed', store: e.store, message: e.error.message }))
board.on('warning', (e) => void report({ type: 'warning', message: e.message }))

const stores = { a, b, s, m } as const
const show = (id: string, v: unknown) => {
  document.querySelector(`[data-testid="${id}"]`)!.textContent = v === undefined ? '' : String(v)
}
for (const [id, st] of Object.entries({ ...stores, total })) st.subscribe((v) => show(id, v))

;(globalThis as { api?: unknown }).api = {
  board,
  set(id: keyof typeof stores, v: number) {
    stores[id].set(v)
  },
  /** Everything the driver checks at the end, after idle(). */
  async snapshot() {
    await board.idle()
    const values = Object.fromEntries(
      [...Object.entries(stores), ['ga', ga], ['gb', gb], ['gab', gab], ['ks', ks], ['total', total]].map(([k, st]) => [
        k,
        (st as typeof a).get(),
      ]),
    )
    return { values, sid: board.session.id, errors: [...board.errors].map(([id, e]) => `${id}: ${e.message}`) }
  },
}
await board.start()
show('ready', 'yes')
void report({ type: 'ready', sid: board.session.id })
