// Fixture for scripts/soak.mjs: one page, a 20-callback graph, driven by `api.burst(ms, rate)`
// at `rate` set() per second for `ms`, then idle(); the driver forces GC and reads the heap
// between bursts. What a set touches, by kind:
//
//   x (memory, always new) ─► [double] ─► x2 ─► [later, async] ─► x3 ─────────────┐
//   x ─► [slow] ─► xs = x / 16 ─► [missX, cache global, async: a miss per new xs] ─► xm
//   x ─► [guard: PreventUpdate unless x % 3 == 0] ─► gx
//   h (memory, 0..31) ─► [hitH, cache global, async: hits] ─► hh ─┐
//   q (session), h ─► [sessQ, cache session, async] ─► qh ────────┴─► [hq, async] ─► hq
//   p (idb) ─► [pMirror] ─► p2 ─► [sum] (p2, x3) ─► s1 ─► [parity] ─► parity
//   w (memory, 0..63) ─► [square, worker pool] ─► wr ─► [plusOne] ─► wr2
//   text (memory, bound to <input>, typed into) ─► [upper] ─► up
//   [fan1] (xm, hq) ─► f1    [fan2] (wr2, up) ─► f2    [fan3] (f1, f2, parity, gx) ─► total
//   [stamp] total, state p ─► ts (noUpdate when total is odd)
//   [sideEffect] h ─► ctx.set(seen)      [label] (total, ts) ─► label ─► bind() to <span>
//
// 20 callbacks. A miss computes under a Web Lock and writes IndexedDB: xs changes every 16th
// x, so misses come at a rate IndexedDB keeps up with, and maxEntries 64 evicts. `warm()`
// fills the hit-side caches first (at a thousand sets a second almost every run is
// superseded before it computes, so they would fill only slowly).
import { bind, createBoard, noUpdate, PreventUpdate } from 'switchboard'

const board = createBoard({ name: `soak-${Date.now()}`, version: 1 })
const pool = board.workers(() => new Worker(new URL('./soak.worker.ts', import.meta.url), { type: 'module' }), {
  size: 2,
})

const x = board.store('x', { initial: 0 })
const h = board.store('h', { initial: 0 })
const q = board.store('q', { initial: 0, storage: 'session' })
const p = board.store('p', { initial: 0, storage: 'idb' })
const w = board.store('w', { initial: 0 })
const text = board.store('text', { initial: '' })
const n = <T = number>(id: string) => board.store<T>(id)
const x2 = n('x2'),
  x3 = n('x3'),
  xm = n('xm'),
  gx = n('gx'),
  hh = n('hh'),
  qh = n('qh'),
  hq = n('hq')
const p2 = n('p2'),
  s1 = n('s1'),
  parity = n('parity'),
  wr = n('wr'),
  wr2 = n('wr2'),
  up = n<string>('up'),
  xs = n('xs')
const f1 = n('f1'),
  f2 = n('f2'),
  total = n('total'),
  ts = n('ts'),
  seen = n('seen')
const label = n<string>('label')
const tick = () => new Promise((r) => setTimeout(r, 0))
const num = (v: unknown) => Number(v ?? 0)

board.callback({ id: 'double', inputs: [x], outputs: [x2], run: (v) => v * 2 })
board.callback({ id: 'later', inputs: [x2], outputs: [x3], run: async (v) => (await tick(), num(v) + 1) })
board.callback({ id: 'slow', inputs: [x], outputs: [xs], run: (v) => Math.floor(v / 16) })
board.callback({
  id: 'missX',
  inputs: [xs],
  outputs: [xm],
  cache: { maxEntries: 64 },
  run: async (v) => (await tick(), num(v) % 1000),
})
board.callback({
  id: 'guard',
  inputs: [x],
  outputs: [gx],
  run: (v) => {
    if (v % 3 !== 0) throw new PreventUpdate()
    return v / 3
  },
})
board.callback({ id: 'hitH', inputs: [h], outputs: [hh], cache: {}, run: async (v) => (await tick(), v * v) })
board.callback({
  id: 'sessQ',
  inputs: [q, h],
  outputs: [qh],
  cache: { scope: 'session' },
  run: async (a, b) => (await tick(), a * 100 + b),
})
board.callback({
  id: 'hq',
  inputs: [hh, qh],
  outputs: [hq],
  run: async (a, b) => (await Promise.resolve(), num(a) + num(b)),
})
board.callback({ id: 'pMirror', inputs: [p], outputs: [p2], run: (v) => v })
board.callback({ id: 'sum', inputs: [p2, x3], outputs: [s1], run: (a, b) => num(a) + num(b) })
board.callback({ id: 'parity', inputs: [s1], outputs: [parity], run: (v) => num(v) % 2 })
board.callback({ id: 'square', inputs: [w], outputs: [wr], run: pool.task('square') })
board.callback({ id: 'plusOne', inputs: [wr], outputs: [wr2], run: (v) => num(v) + 1 })
board.callback({ id: 'upper', inputs: [text], outputs: [up], run: (t) => t.toUpperCase() })
board.callback({ id: 'fan1', inputs: [xm, hq], outputs: [f1], run: (a, b) => num(a) + num(b) })
board.callback({ id: 'fan2', inputs: [wr2, up], outputs: [f2], run: (a, t) => num(a) + String(t ?? '').length })
board.callback({
  id: 'fan3',
  inputs: [f1, f2, parity, gx],
  outputs: [total],
  run: (a, b, c, d) => num(a) + num(b) + num(c) + num(d),
})
board.callback({
  id: 'stamp',
  inputs: [total],
  state: [p],
  outputs: [ts],
  run: (t, pv) => (num(t) % 2 ? noUpdate : num(t) * 10 + (num(pv) % 10)),
})
board.callback({ id: 'sideEffect', inputs: [h], outputs: [], run: (v, ctx) => ctx.set(seen, v) })
board.callback({ id: 'label', inputs: [total, ts], outputs: [label], run: (t, s) => `${t} / ${s}` })

const field = document.querySelector<HTMLInputElement>('[data-testid="text"]')!
bind(text, field)
bind(label, document.querySelector('[data-testid="label"]')!)

const errors: string[] = []
board.on('error', (e) => errors.push(e.message))
board.on('persist-failed', (e) => errors.push(`persist-failed ${e.store}: ${e.error.message}`))

let i = 0
let cx = 0
/** One set() (or a batch of two), chosen by a fixed cycle of 20; returns how many sets it made. */
function one(): number {
  const k = i++ % 20
  if (k % 2 === 0 && k !== 18) return (x.set(++cx), 1)
  if (k % 4 === 1) return (h.set((i * 7) % 32), 1)
  if (k === 3) return (p.set(i), 1)
  if (k === 7) return (q.set(i % 8), 1)
  if (k === 11) return (w.set(i % 64), 1)
  if (k === 15) {
    // Typing: the bound field writes the store (bind's input listener calls set()).
    field.value = `t${i % 50}`
    field.dispatchEvent(new Event('input', { bubbles: true }))
    return 1
  }
  // k === 18 or 19: a batch of two sets, one wave.
  board.batch(() => {
    x.set(++cx)
    h.set(i % 32)
  })
  return 2
}

;(globalThis as { api?: unknown }).api = {
  board,
  stores: { x, h, q, p, w, text },
  errors,
  /** `rate` sets per second for `ms`, then idle(); returns the sets made and the time taken. */
  async burst(ms: number, rate: number) {
    const t0 = performance.now()
    let sets = 0
    for (;;) {
      const elapsed = performance.now() - t0
      if (elapsed >= ms) break
      const due = Math.min(Math.floor((elapsed * rate) / 1000) - sets, 200)
      let made = 0
      while (made < due) made += one()
      sets += made
      await tick()
    }
    const busy = performance.now() - t0
    await board.idle()
    // idle() can resolve while superseded runs' cache lookups still take key locks (see
    // test/chaos/probe-idle.mjs): let them finish too, so each heap sample sees a quiet page.
    for (const until = performance.now() + 30_000; performance.now() < until; ) {
      const q = await navigator.locks.query()
      if (![...(q.held ?? []), ...(q.pending ?? [])].some((l) => !l.name?.includes(':session:'))) break
      await new Promise((r) => setTimeout(r, 50))
      await board.idle()
    }
    return { sets, ms: busy, idleMs: performance.now() - t0 - busy }
  },
  /**
   * Every key of the hit-side caches once (h 0..31, and q 0..7 × h for the session scope):
   * afterwards they answer from memory, and the misses are missX's (a new xs every 16 x).
   */
  async warm() {
    for (let qv = 0; qv < 8; qv++) {
      q.set(qv)
      for (let hv = 0; hv < 32; hv++) {
        h.set(hv)
        await board.idle()
      }
    }
  },
  stats: () => Object.fromEntries(board.inspect().callbacks.map((c) => [c.id, c.stats])),
  storage: () => navigator.storage.estimate().then((e) => e.usage ?? 0),
}
await board.start()
document.querySelector('[data-testid="ready"]')!.textContent = 'yes'
