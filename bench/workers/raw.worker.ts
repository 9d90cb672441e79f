// P3's anchor worker: plain postMessage, no library. Messages are [id, op, ...args].
import { inc, type Kind, payload } from './payload'

type Msg =
  | [number, 'ping', number]
  | [number, 'inc', number]
  | [number, 'payload', Kind, number, 'clone' | 'json' | 'transfer']

self.onmessage = (e: MessageEvent<Msg>) => {
  const m = e.data
  const id = m[0]
  if (m[1] === 'ping') return postMessage([id, m[2]])
  if (m[1] === 'inc') return postMessage([id, inc(m[2])])
  const [, , kind, bytes, how] = m
  const { value, madeMs } = payload(kind, bytes)
  if (how === 'json') {
    const plain =
      kind === 'columns'
        ? Object.fromEntries(Object.entries(value as Record<string, Float64Array>).map(([k, v]) => [k, Array.from(v)]))
        : value
    return postMessage([id, JSON.stringify(plain), madeMs])
  }
  if (how === 'transfer' && kind === 'columns') {
    const c = value as Record<string, Float64Array>
    return postMessage([id, value, madeMs], { transfer: Object.values(c).map((v) => v.buffer) })
  }
  postMessage([id, value, madeMs])
}
postMessage('ready')
