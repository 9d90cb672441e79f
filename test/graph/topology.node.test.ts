/**
 * The graph's shape (src/graph/topology.ts) through the public board: the cycle check
 * searches every branch and visits each store once, and a recompute of the ranks (Kahn)
 * gives every callback one rank after all its upstream ones. Written against the survivors
 * of the wave-4 mutation run (topology.ts: 16 survived).
 *
 * The ladders below have 2^depth paths from top to bottom: a search that followed paths
 * instead of stores (no `seen` set, or a node queued once per incoming edge) would not
 * finish; done right, each store and callback is visited once. No time is measured.
 */
import { describe, expect, it } from 'vitest'
import { createBoard, GraphError, type Store } from '../../src/index'

describe('topology', () => {
  it('T01 the cycle check looks past a first branch that ends nowhere', () => {
    //   a ──first──▶ x            (a dead end)
    //   a ──second─▶ b
    //   b ──back───▶ a            refused: a → b → a
    const b = createBoard({ name: 'topo1', version: 1 })
    const a = b.store('a', { initial: 0 })
    const x = b.store('x', { initial: 0 })
    const bb = b.store('b', { initial: 0 })
    b.callback({ id: 'first', inputs: [a], outputs: x, run: (v) => v })
    b.callback({ id: 'second', inputs: [a], outputs: bb, run: (v) => v })
    let err: unknown
    try {
      b.callback({ id: 'back', inputs: [bb], outputs: a, run: (v) => v })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GraphError)
    expect(err).toMatchObject({ code: 'cycle', message: 'callback "back" closes a cycle: a → b → a.' })
    // And through a state slot of the second reader, past a first reader's two dead ends.
    const c = createBoard({ name: 'topo1s', version: 1 })
    const p = c.store('p', { initial: 0 })
    const q = c.store('q', { initial: 0 })
    const r = c.store('r', { initial: 0 })
    const t = c.store('t', { initial: 0 })
    const k = c.store('k', { initial: 0 })
    c.callback({ id: 'dead', inputs: [p], outputs: [q, r], run: (v) => [v, v] })
    c.callback({ id: 'live', inputs: [k], state: [p], outputs: t, run: (v, w) => v + w })
    expect(() => c.callback({ id: 'close', inputs: [t], outputs: p, run: (v) => v })).toThrow(
      'callback "close" closes a cycle: p → t → p.',
    )
  })

  /** A ladder `depth` rungs deep: each rung's two callbacks read both stores of the rung above. */
  function ladder(name: string, depth: number, order: 'down' | 'up') {
    const b = createBoard({ name, version: 1 })
    const rungs: Array<[Store<number>, Store<number>]> = []
    for (let i = 0; i <= depth; i++) rungs.push([b.store(`l${i}`, { initial: 0 }), b.store(`r${i}`, { initial: 0 })])
    const define = (i: number) => {
      const [l, r] = rungs[i]!
      const [nl, nr] = rungs[i + 1]!
      b.callback({ id: `L${i}`, inputs: [l, r], outputs: nl, run: (x, y) => x + y })
      b.callback({ id: `R${i}`, inputs: [l, r], outputs: nr, run: (x, y) => x + y + 1 })
    }
    const steps = [...Array(depth).keys()]
    for (const i of order === 'down' ? steps : steps.reverse()) define(i)
    return { b, rungs }
  }

  it('T02 a callback joining on top of a 30-rung ladder (2^30 paths) is checked for cycles store by store', async () => {
    // Defined bottom rung first: every newcomer's cycle check walks the whole ladder below it.
    const { b, rungs } = ladder('topo2', 30, 'up')
    await b.start()
    const before = new Map(b.inspect().callbacks.map((c) => [c.id, c.stats.runs]))
    const [l0, r0] = rungs[0]!
    b.batch(() => {
      l0.set(1)
      r0.set(1)
    })
    // Rung i+1: L = l + r, R = l + r + 1. Computed by hand for the first rungs:
    expect([rungs[1]![0].get(), rungs[1]![1].get()]).toEqual([2, 3])
    expect([rungs[2]![0].get(), rungs[2]![1].get()]).toEqual([5, 6])
    let l = 1
    let r = 1
    for (let i = 0; i < 30; i++) [l, r] = [l + r, l + r + 1]
    expect([rungs[30]![0].get(), rungs[30]![1].get()]).toEqual([l, r])
    // One wave: each of the 60 callbacks ran once more.
    const after = b.inspect().callbacks
    expect(after).toHaveLength(60)
    for (const c of after) expect(c.stats.runs, c.id).toBe(before.get(c.id)! + 1)
  })

  it('T03 ranks recomputed over a 30-rung ladder: every callback once per wave, after all it reads', async () => {
    //   first: u ← f(t)                 (rank 0, defined before anything feeds t)
    //   then the ladder, rung by rung (ranks 1..60)
    //   last:  t ← g(bottom)            writes what rank 0 reads: the ranks are recomputed
    const b = createBoard({ name: 'topo3', version: 1 })
    const t = b.store('t', { initial: 0 })
    const u = b.store('u', { initial: 0 })
    const order: string[] = []
    b.callback({
      id: 'f',
      inputs: [t],
      outputs: u,
      run: (v) => {
        order.push('f')
        return v * 10
      },
    })
    const rungs: Array<[Store<number>, Store<number>]> = []
    for (let i = 0; i <= 30; i++) rungs.push([b.store(`l${i}`, { initial: 0 }), b.store(`r${i}`, { initial: 0 })])
    for (let i = 0; i < 30; i++) {
      const [ll, rr] = rungs[i]!
      b.callback({
        id: `L${i}`,
        inputs: [ll, rr],
        outputs: rungs[i + 1]![0],
        run: (x, y) => {
          order.push(`L${i}`)
          return x + y
        },
      })
      b.callback({
        id: `R${i}`,
        inputs: [ll, rr],
        outputs: rungs[i + 1]![1],
        run: (x, y) => {
          order.push(`R${i}`)
          return x - y
        },
      })
    }
    b.callback({
      id: 'g',
      inputs: [rungs[30]![0]],
      outputs: t,
      run: (v) => {
        order.push('g')
        return v + 1
      },
    })
    await b.start()
    order.length = 0
    rungs[0]![0].set(1)
    // One wave: 60 ladder callbacks, then g, then f; each once, every rung after the one above.
    expect(order.length).toBe(62)
    expect(new Set(order).size).toBe(62)
    expect(order.slice(-2)).toEqual(['g', 'f'])
    for (let i = 1; i < 30; i++) {
      const firstOfRung = Math.min(order.indexOf(`L${i}`), order.indexOf(`R${i}`))
      expect(firstOfRung, `rung ${i}`).toBeGreaterThan(Math.max(order.indexOf(`L${i - 1}`), order.indexOf(`R${i - 1}`)))
    }
    expect(u.get()).toBe((rungs[30]![0].get() + 1) * 10)
  })
})
