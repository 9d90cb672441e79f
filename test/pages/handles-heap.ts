//      ┌──► [double] (worker) ──► out
//  x ──┤
//      └──► [column] (worker, keep) ──► col (a handle; the one before is released)
// Each x.set() makes two worker calls. window.f19.run(sets) drives them and reports what
// the pool and its workers hold; the spec measures the heap around it with CDP.
import { createBoard, type Handle } from 'switchboard'

const board = createBoard({ name: 'e2e-handles-heap', version: 1 })
const pool = board.workers(() => new Worker(new URL('./handles.worker.ts', import.meta.url), { type: 'module' }), {
  size: 2,
})
const x = board.store('x', { initial: 0 })
const out = board.store<number | null>('out', { initial: null })
const col = board.store<Handle | null>('col', { initial: null })
board.callback({ id: 'double', inputs: [x], outputs: [out], run: pool.task('double') })
board.callback({
  id: 'column',
  inputs: [x],
  outputs: [col],
  run: (v: number, ctx) => pool.task('keepColumn')(8 + (v % 4), ctx),
})

async function run(sets: number) {
  for (let i = 0; i < sets; i++) {
    x.set(x.get() + 1)
    await board.idle()
  }
  const stats = pool.stats()
  const workers = await pool.workerStats()
  return {
    out: out.get(),
    x: x.get(),
    calls: stats.calls,
    open: stats.open,
    ports: stats.ports,
    handles: stats.handles,
    held: workers.reduce((n, w) => n + w.held, 0),
    running: workers.reduce((n, w) => n + w.running, 0),
    errors: board.errors.size,
  }
}
/** Calls whose input cannot be cloned (S19): each fails before it reaches a worker. */
async function runUnclonable(calls: number) {
  const codes = new Set<string>()
  for (let i = 0; i < calls; i++) {
    await pool
      .task('double')({ i, f: () => i })
      .catch((e: { code: string }) => codes.add(e.code))
  }
  const stats = pool.stats()
  return { codes: [...codes], open: stats.open, running: (await pool.workerStats()).reduce((n, w) => n + w.running, 0) }
}
;(window as unknown as { f19: { run: typeof run; runUnclonable: typeof runUnclonable } }).f19 = { run, runUnclonable }
await board.start()
document.querySelector('[data-testid="ready"]')!.textContent = 'yes'
