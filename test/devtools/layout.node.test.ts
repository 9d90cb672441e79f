/**
 * The dev panel's layout: every store and callback becomes one box, every inspect() edge
 * one routed line of its kind, and data flows left to right.
 */
import { describe, expect, it } from 'vitest'
import { layoutGraph, shapeKey } from '../../src/devtools/layout'
import { createBoard } from '../../src/index'

//   a ──► [double] ──► b ──► [show] ──► c
//   k ····(state)·············┘
function graph() {
  const board = createBoard({ name: 'layout' })
  const a = board.store('a', { initial: 1 })
  const b = board.store<number>('b')
  const c = board.store<string>('c')
  const k = board.store('k', { initial: 'x' })
  board.callback({ id: 'double', inputs: [a], outputs: [b], run: (x) => x * 2 })
  board.callback({ id: 'show', inputs: [b], state: [k], outputs: [c], run: (x, y) => `${y}${x}` })
  return { board, a }
}

describe('layoutGraph', () => {
  it('gives one box per store and callback and one line per edge, keeping edge kinds', () => {
    const layout = layoutGraph(graph().board.inspect())
    expect(layout.nodes.map((n) => `${n.kind}:${n.id}`).sort()).toEqual(
      ['callback:double', 'callback:show', 'store:a', 'store:b', 'store:c', 'store:k'].sort(),
    )
    const kinds = layout.edges.map((e) => `${e.from}>${e.to}:${e.kind}`).sort()
    expect(kinds).toEqual(
      ['s:a>c:double:input', 'c:double>s:b:output', 's:b>c:show:input', 's:k>c:show:state', 'c:show>s:c:output'].sort(),
    )
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2)
  })

  it('lays data out left to right: each callback sits between its inputs and outputs', () => {
    const layout = layoutGraph(graph().board.inspect())
    const x = (key: string) => layout.nodes.find((n) => n.key === key)!.x
    expect(x('s:a')).toBeLessThan(x('c:double'))
    expect(x('c:double')).toBeLessThan(x('s:b'))
    expect(x('s:b')).toBeLessThan(x('c:show'))
    expect(x('c:show')).toBeLessThan(x('s:c'))
    expect(layout.width).toBeGreaterThan(0)
    expect(layout.height).toBeGreaterThan(0)
  })

  it('keeps a store and a callback of the same id apart', () => {
    const board = createBoard({ name: 'layout-same-id' })
    const total = board.store('total', { initial: 0 })
    const n = board.store('n', { initial: 1 })
    board.callback({ id: 'total', inputs: [n], outputs: [total], run: (v) => v })
    const layout = layoutGraph(board.inspect())
    expect(
      layout.nodes
        .filter((x) => x.id === 'total')
        .map((x) => x.kind)
        .sort(),
    ).toEqual(['callback', 'store'])
  })

  it('shapeKey changes with the graph, not with values', () => {
    const { board, a } = graph()
    const before = shapeKey(board.inspect())
    a.set(5)
    expect(shapeKey(board.inspect())).toBe(before)
    board.store('extra')
    expect(shapeKey(board.inspect())).not.toBe(before)
  })
})
