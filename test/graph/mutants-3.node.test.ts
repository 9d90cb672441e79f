/**
 * Scheduler rules pinned for mutation testing (npm run mutate), from the survivors of the
 * run over src/graph/schedule.ts at a4718a5: the abort reason of a superseded run, stats
 * without profiling, equal outputs, concurrency while a run is in flight, idle() inside a
 * batch, and a ctx kept past its run.
 */
import { expect, it, vi } from 'vitest'
import { type Ctx, createBoard } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `mut3-${++n}`, version: 1 })
const turns = async (k = 5) => {
  for (let i = 0; i < k; i++) await new Promise((r) => setTimeout(r, 0))
}

it('M graph: a superseded run is aborted with an AbortError naming the callback and why', async () => {
  // a ─► [f, async, held] ─► out
  const b = newBoard()
  const a = b.store('a', { initial: 1 })
  const signals: AbortSignal[] = []
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  b.callback({
    id: 'f',
    inputs: [a],
    outputs: [b.store('out')],
    run: async (x: number, ctx: Ctx) => {
      signals.push(ctx.signal)
      if (x === 1) await gate
      return x
    },
  })
  void b.start()
  await vi.waitFor(() => expect(signals).toHaveLength(1)) // f(1) is in flight
  a.set(2)
  await b.idle()
  expect(signals).toHaveLength(2)
  expect(signals[0]!.aborted).toBe(true)
  expect(signals[0]!.reason).toBeInstanceOf(DOMException)
  expect(signals[0]!.reason).toMatchObject({
    name: 'AbortError',
    message: 'callback "f" was superseded by a newer input change.',
  })
  expect(signals[1]!.aborted).toBe(false)
  release()
})

it('M graph: without profiling, synchronous runs are counted but not timed or measured', async () => {
  // a ─► [f] ─► out ;  a ─► [g] ─► (o1, o2)
  const b = newBoard()
  const a = b.store('a', { initial: 'abc' })
  b.callback({ id: 'f', inputs: [a], outputs: [b.store('out')], run: (s: string) => s + s })
  b.callback({ id: 'g', inputs: [a], outputs: [b.store('o1'), b.store('o2')], run: (s: string) => [s, s] })
  await b.start()
  a.set('xyz')
  await b.idle()
  for (const id of ['f', 'g']) {
    expect(b.inspect().callbacks.find((c) => c.id === id)!.stats).toMatchObject({
      runs: 2,
      lastMs: 0,
      avgMs: 0,
      bytesIn: 0,
      bytesOut: 0,
    })
  }
})

it("M graph: a callback that returns its output's current value does not run the callbacks downstream", async () => {
  // a ─► [f: always 7] ─► x ─► [g] ─► y
  const b = newBoard()
  const a = b.store('a', { initial: 1 })
  const x = b.store<number>('x')
  const y = b.store<number>('y')
  let f = 0
  let g = 0
  b.callback({ id: 'f', inputs: [a], outputs: [x], run: () => (f++, 7) })
  b.callback({ id: 'g', inputs: [x], outputs: [y], run: (v) => (g++, v! + 1) })
  await b.start()
  a.set(2)
  a.set(3)
  await b.idle()
  expect([f, g, y.get()]).toEqual([3, 1, 8])
})

it('M graph: while an async run is in flight, an unrelated chain whose upstream has settled runs at once', async () => {
  // s ─► [slow, async, held] ─► o
  // t ─► [b] ─► u ─► [c] ─► v          c must not wait for slow
  const b = newBoard()
  const s = b.store('s', { initial: 0 })
  const t = b.store('t', { initial: 0 })
  const u = b.store<number>('u')
  const v = b.store<number>('v')
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  b.callback({
    id: 'slow',
    inputs: [s],
    outputs: [b.store('o')],
    run: async (x: number) => {
      if (x === 1) await gate
      return x
    },
  })
  b.callback({ id: 'b', inputs: [t], outputs: [u], run: (x) => x! + 1 })
  b.callback({ id: 'c', inputs: [u], outputs: [v], run: (x) => x! * 10 })
  await b.start()
  s.set(1) // slow is in flight until the gate opens
  t.set(4)
  expect(v.get()).toBe(50)
  release()
  await b.idle()
})

it('M graph: idle() asked inside a batch waits for the wave the batch starts, async runs included', async () => {
  // a ─► [f, async, held] ─► out
  const b = newBoard()
  const a = b.store('a', { initial: 0 })
  const out = b.store<number>('out')
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  b.callback({
    id: 'f',
    inputs: [a],
    outputs: [out],
    run: async (x: number) => {
      if (x === 1) await gate
      return x * 2
    },
  })
  await b.start()
  let idle: Promise<void> | undefined
  let settled = false
  b.batch(() => {
    a.set(1)
    idle = b.idle().then(() => void (settled = true))
  })
  await turns()
  expect(settled).toBe(false)
  release()
  await idle
  expect(out.get()).toBe(2)
})

it('M graph: a ctx kept past a synchronous run goes stale when the callback runs again, and at dispose (no warning)', async () => {
  // a ─► [f: keeps its ctx] ─► out ;  side is written only through ctx.set
  const b = newBoard()
  const a = b.store('a', { initial: 0 })
  const side = b.store('side', { initial: 'initial' })
  const ctxs: Ctx[] = []
  const warnings: string[] = []
  b.on('warning', (w) => warnings.push(w.message))
  b.callback({ id: 'f', inputs: [a], outputs: [b.store('out')], run: (x: number, ctx: Ctx) => (ctxs.push(ctx), x) })
  await b.start()
  a.set(1)
  await b.idle()
  ctxs[0]!.set(side, 'late') // the run of a = 0 is over and superseded by a = 1's
  expect(side.get()).toBe('initial')
  ctxs[1]!.set(side, 'current')
  expect(side.get()).toBe('current')
  b.dispose()
  ctxs[1]!.set(side, 'after dispose')
  expect(side.get()).toBe('current')
  expect(warnings).toEqual([])
})
