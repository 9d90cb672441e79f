/**
 * One Subscribable behind every subscribe of the board (issue 12 §3): a store's
 * subscribers and a board event's listeners follow the same rules, tested through both.
 */
import { describe, expect, it, vi } from 'vitest'
import { createBoard } from '../../src/index'

let n = 0
const newBoard = () => createBoard({ name: `subs-${++n}` })

describe('store.subscribe and board.on behave alike', () => {
  it('an unsubscribe removes its own subscription once: calling it twice leaves the other one of the same fn', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const seen: number[] = []
    const fn = (v: number) => seen.push(v)
    const off1 = a.subscribe(fn)
    a.subscribe(fn)
    a.set(1)
    expect(seen).toEqual([1, 1])
    off1()
    off1()
    a.set(2)
    expect(seen).toEqual([1, 1, 2])

    const changes: string[][] = []
    const listener = (e: { stores: readonly string[] }) => changes.push([...e.stores])
    const offA = board.on('change', listener)
    board.on('change', listener)
    offA()
    offA()
    a.set(3)
    expect(changes).toEqual([['a']])
  })

  it('a subscriber added during a notify hears the next change, not this one', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const late: number[] = []
    let added = false
    a.subscribe(() => {
      if (!added) {
        added = true
        a.subscribe((v) => late.push(v))
      }
    })
    a.set(1)
    expect(late).toEqual([])
    a.set(2)
    expect(late).toEqual([2])
  })

  it('a throwing subscriber or listener does not stop the others; each is reported as before', async () => {
    const board = newBoard()
    const a = board.store('a', { initial: 0 })
    await board.start()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const got: string[] = []
    a.subscribe(() => {
      throw new Error('bad subscriber')
    })
    a.subscribe((v) => got.push(`store ${v}`))
    board.on('change', () => {
      throw new Error('bad listener')
    })
    board.on('change', (e) => got.push(`change ${e.stores.join()}`))
    a.set(1)
    expect(got).toEqual(['store 1', 'change a'])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toBe('[switchboard] a subscriber of store "a" threw.')
    expect(error).toHaveBeenCalledTimes(1)
    expect(String(error.mock.calls[0]![0])).toBe('[switchboard] a board listener threw:')
    warn.mockRestore()
    error.mockRestore()
  })
})
