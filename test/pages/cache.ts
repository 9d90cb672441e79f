// Fixture for test/e2e/cache-tabs.spec.ts. Several pages of one browser context open it.
//
//   seed ─► [expensive, cache global]        ─► result
//   seed ─► [per-session, cache session]     ─► sessionResult
//   shared (idb) ─► [mirror] ─► mirrored      note (session store)
//
// URL parameters: `board` names the board (one per test), `hold` makes `expensive` wait
// for `api.release()` (a computation in progress a test can close or finish), `silent`
// loses every BroadcastChannel hint this page would post (F23: the writer "died before
// posting"), `frame` opens the page again in a same-origin iframe. Every execution of `expensive`, in any tab, bumps a localStorage counter.
import { createBoard } from 'switchboard'

const params = new URLSearchParams(location.search)
const name = params.get('board') ?? 'e2e-cache'
if (params.has('silent')) BroadcastChannel.prototype.postMessage = () => {}

let release!: () => void
const released = new Promise<void>((r) => (release = r))
const executions = `${name}:executions`

const board = createBoard({ name, version: 1 })
const seed = board.store('seed', { initial: Number(params.get('seed') ?? 6) })
const result = board.store<number>('result')
const sessionResult = board.store<number>('sessionResult')
const note = board.store('note', { initial: 'none', storage: 'session' })
const shared = board.store('shared', { initial: 0, storage: 'idb' })
const mirrored = board.store<number>('mirrored')

board.callback({
  id: 'expensive',
  inputs: [seed],
  outputs: [result],
  cache: {},
  run: async (s) => {
    localStorage.setItem(executions, String(Number(localStorage.getItem(executions) ?? 0) + 1))
    if (params.has('hold')) await released
    return s * 7
  },
})
board.callback({
  id: 'per-session',
  inputs: [seed],
  outputs: [sessionResult],
  cache: { scope: 'session' },
  run: (s) => s * 11,
})
board.callback({ id: 'mirror', inputs: [shared], outputs: [mirrored], run: (v) => v * 2 })

const show = (id: string, v: unknown) => {
  document.querySelector(`[data-testid="${id}"]`)!.textContent = v === undefined ? '' : String(v)
}
function render() {
  const stats = Object.fromEntries(board.inspect().callbacks.map((c) => [c.id, c.stats]))
  show('result', result.get())
  show('runs', stats.expensive!.runs)
  show('hits', stats.expensive!.hits)
  show('session-result', sessionResult.get())
  show('session-runs', stats['per-session']!.runs)
  show('session-id', board.session.id)
  show('note', note.get())
  show('shared', shared.get())
  show('mirrored', mirrored.get())
}
for (const s of [result, sessionResult, note, shared, mirrored]) s.subscribe(() => queueMicrotask(render))

// The id given out before start (a duplicated tab's copy), then every 'session' event.
const earlyId = board.session.id
const sessionEvents: Array<{ id: string; previous: string | undefined }> = []
;(globalThis as { api?: unknown }).api = { board, seed, note, shared, release, render, earlyId, sessionEvents }
// Session renewals (clearSession here or in another tab) change no store: the 'session'
// event tells them; 'change' any run (a hit that leaves its store equal included).
board.on('session', (e) => {
  sessionEvents.push(e)
  render()
})
board.on('change', () => queueMicrotask(render))
await board.start()
render()
show('ready', 'yes')
// `frame`: the same page again, inside a same-origin iframe (it must share our session).
if (params.has('frame')) {
  const iframe = document.createElement('iframe')
  iframe.src = `cache.html?board=${encodeURIComponent(name)}`
  iframe.dataset.testid = 'frame'
  document.body.append(iframe)
}
