// Fixture for test/e2e/testing*.spec.ts (switchboard/testing's own tests). Nothing here
// is for the tests except the URL parameters and `api`: boards reach the test through the
// registry, as any page's would.
//
//   n ─► [double] ─► doubled
//   n ─► [fragile] ─► checked          throws when n is 13
//   samples (Float32Array) ─► [sum] ─► total
//   gate ─► [hold] ─► held             waits for api.release() while gate is true
//   tags (Map), when (Date), note (session storage): read and written by the tests only
//
// URL parameters: `board` names the board; `register=0` makes it with register: false;
// `manual`: the board starts when the test calls api.start(); `second`: another board,
// named `<board>-b`, is made and started after the first.
import { createBoard } from 'switchboard'

const params = new URLSearchParams(location.search)
const name = params.get('board') ?? 'testing'

let release!: () => void
const released = new Promise<void>((r) => (release = r))

const board = createBoard({ name, version: 1, register: params.get('register') !== '0' })
const n = board.store('n', { initial: 1 })
const doubled = board.store<number>('doubled')
const checked = board.store<number>('checked')
const samples = board.store('samples', { initial: new Float32Array([0.5, 1.5]) })
const total = board.store<number>('total')
const gate = board.store('gate', { initial: false })
const held = board.store<boolean>('held')
const tags = board.store('tags', { initial: new Map<string, number[]>([['a', [1]]]) })
const when = board.store('when', { initial: new Date(0) })
board.store('note', { initial: 'none', storage: 'session' })

board.callback({ id: 'double', inputs: [n], outputs: [doubled], run: (x) => x * 2 })
board.callback({
  id: 'fragile',
  inputs: [n],
  outputs: [checked],
  run: (x) => {
    if (x === 13) throw Object.assign(new Error('13 is unlucky'), { code: 'UNLUCKY' })
    return x
  },
})
board.callback({ id: 'sum', inputs: [samples], outputs: [total], run: (a) => a.reduce((s, v) => s + v, 0) })
board.callback({
  id: 'hold',
  inputs: [gate],
  outputs: [held],
  run: async (g, ctx) => {
    if (g) {
      ctx.progress(0.5, 'waiting for release')
      await released
    }
    return g
  },
})
doubled.subscribe((v) => (document.querySelector('[data-testid="doubled"]')!.textContent = String(v)))

;(globalThis as { api?: unknown }).api = { board, stores: { samples, tags, when }, release, start: () => board.start() }
if (!params.has('manual')) await board.start()
if (params.has('second')) {
  const b = createBoard({ name: `${name}-b` })
  const x = b.store('x', { initial: 'second' })
  b.callback({ id: 'echo', inputs: [x], outputs: [b.store<string>('y')], run: (v) => v })
  await b.start()
}
