/**
 * An async callback's settle writes all its outputs as one wave: a reader of two of them
 * runs once, and never sees one new output beside one old (guarantee 1).
 */
import { describe, expect, it } from 'vitest'
import { createBoard } from '../../src/index'

describe('async settle with several outputs', () => {
  //   n ─► [split] (async) ─┬─► a ─┐
  //                         └─► b ─┴─► [pair] ─► out
  it('pair runs once per settle of split, with both new values', async () => {
    const board = createBoard({ name: 'settle-outputs' })
    const n = board.store('n', { initial: 1 })
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    const out = board.store('out', { initial: '' })
    board.callback({ id: 'split', inputs: [n], outputs: [a, b], run: async (v) => [v * 10, v * 100] })
    const seen: string[] = []
    board.callback({
      id: 'pair',
      inputs: [a, b],
      outputs: [out],
      run: (x, y) => {
        seen.push(`${x},${y}`)
        return `${x},${y}`
      },
    })
    await board.start()
    // Initial wave: pair waits for split (upstream, async) and runs once.
    expect(seen).toEqual(['10,100'])
    n.set(2)
    await board.idle()
    expect(seen).toEqual(['10,100', '20,200'])
    expect(out.get()).toBe('20,200')
  })
})
