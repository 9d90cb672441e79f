// size ──► [make] (worker, keep persist) ──► column (local: the handle crosses tabs)
//                                              └──► [total] (this tab's worker) ──► total
import { createBoard, type Handle, isHandle } from 'switchboard'

const board = createBoard({ name: 'e2e-handles', version: 1 })
const pool = board.workers(() => new Worker(new URL('./handles.worker.ts', import.meta.url), { type: 'module' }))
const size = board.store('size', { initial: 0 })
const column = board.store<Handle | null>('column', { initial: null, storage: 'local' })
const total = board.store<number | null>('total', { initial: null })
board.callback({ id: 'make', inputs: [size], outputs: [column], run: pool.task('make'), preventInitialCall: true })
board.callback({
  id: 'total',
  inputs: [column],
  outputs: [total],
  run: (h, ctx) => (isHandle(h) ? pool.task('total')(h, ctx) : null),
})

const show = (id: string, v: unknown) => {
  document.querySelector(`[data-testid="${id}"]`)!.textContent = String(v)
}
column.subscribe((h) => {
  show('handle', h ? `${h.desc}, ${h.persisted ? 'persisted' : 'memory'}` : '')
  if (isHandle(h)) void board.resolve(h).then((xs) => show('resolved', (xs as Float64Array).length))
})
total.subscribe((t) => show('total', t ?? ''))
document.querySelector('[data-testid="make"]')!.addEventListener('click', () => {
  size.set(size.get() + 100)
  show('mine', 'yes')
})
board.on('error', (e) => show('total', `error: ${e.message}`))
await board.start()
show('ready', 'yes')
