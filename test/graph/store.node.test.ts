/**
 * A store's subscribers through the public board (src/graph/store.ts): a memory store
 * written by a callback is seen at the end of the drain only while someone subscribes
 * (`observed`), so who is still subscribed must be counted right. Written against the
 * store.ts survivors of the wave-4 mutation run.
 */
import { describe, expect, it, vi } from 'vitest'
import { createBoard } from '../../src/index'

describe('store subscribers', () => {
  it('ST01 two subscribers of a store a callback writes: after one leaves, the other still hears every change', async () => {
    //   a ──double──▶ b      b: memory, written inside the wave (the path that skips unseen stores)
    const board = createBoard({ name: 'st01', version: 1 })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    board.callback({ inputs: [a], outputs: b, run: (v) => v * 2 })
    await board.start()
    const first: number[] = []
    const second: number[] = []
    const offFirst = b.subscribe((v) => first.push(v))
    b.subscribe((v) => second.push(v))
    a.set(2)
    offFirst()
    a.set(3)
    a.set(4)
    expect(first).toEqual([4])
    expect(second).toEqual([4, 6, 8])
    // Unsubscribing twice changes nothing for the one left.
    offFirst()
    a.set(5)
    expect(second).toEqual([4, 6, 8, 10])
  })

  it('ST02 a store nobody hears any more is written all the same, and a new subscriber hears the next change', async () => {
    const board = createBoard({ name: 'st02', version: 1 })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    board.callback({ inputs: [a], outputs: b, run: (v) => v + 100 })
    await board.start()
    const heard: number[] = []
    const off = b.subscribe((v) => heard.push(v))
    off()
    a.set(2)
    expect(b.get()).toBe(102)
    expect(heard).toEqual([])
    b.subscribe((v) => heard.push(v))
    a.set(3)
    expect(heard).toEqual([103])
  })

  it('ST03 a subscriber that throws is reported as a warning naming the store; the others and the wave go on', async () => {
    const board = createBoard({ name: 'st03', version: 1 })
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: 0 })
    board.callback({ inputs: [a], outputs: b, run: (v) => v + 1 })
    await board.start()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const warnings: Array<{ message: string; cause?: unknown }> = []
    board.on('warning', (w) => warnings.push(w))
    const boom = new Error('boom')
    a.subscribe(() => {
      throw boom
    })
    const heard: number[] = []
    a.subscribe((v) => heard.push(v))
    a.set(1)
    expect(heard).toEqual([1])
    expect(b.get()).toBe(2)
    expect(warnings).toEqual([{ message: 'a subscriber of store "a" threw.', cause: boom }])
    expect(warn).toHaveBeenCalledWith('[switchboard] a subscriber of store "a" threw.', boom)
    warn.mockRestore()
  })
})
