// count (local) ─► [square] ─► squared (idb)
//       │
//       ├─────────► [encode] ─► bytes (session, base64)
//       └─────────► [label]  ─► label (memory)
import { createBoard } from 'switchboard'

const board = createBoard({ name: 'e2e-persist', version: 1 })
const count = board.store('count', { initial: 0, storage: 'local' })
const squared = board.store<number>('squared', { storage: 'idb' })
const bytes = board.store<Float64Array>('bytes', { storage: 'session', codec: 'base64' })
const label = board.store<string>('label')
board.callback({ id: 'square', inputs: [count], outputs: [squared], run: (c) => c * c })
board.callback({ id: 'encode', inputs: [count], outputs: [bytes], run: (c) => new Float64Array([c, c / 2]) })
board.callback({ id: 'label', inputs: [count], outputs: [label], run: (c) => `count is ${c}` })

const show = (id: string, v: unknown) => {
  document.querySelector(`[data-testid="${id}"]`)!.textContent = String(v)
}
function render() {
  show('count', count.get())
  show('squared', squared.get())
  show('bytes', Array.from(bytes.get() ?? []).join(','))
  show('label', label.get())
  for (const cb of board.inspect().callbacks) show(`${cb.id}-runs`, cb.stats.runs)
}
for (const s of [count, squared, bytes, label]) s.subscribe(render)
document.querySelector('[data-testid="bump"]')!.addEventListener('click', () => count.set(count.get() + 1))
await board.start()
await board.idle()
render()
show('ready', 'yes')
;(globalThis as { board?: unknown }).board = board
