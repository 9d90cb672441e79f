/**
 * The one-output hop of the scheduler's hot path (issue 13 P1): a store's `observed` flag
 * is a field kept by subscribe and unsubscribe (not a getter asked on every write), its
 * `modifiedAt` an unboxed time (-1 inside for "never"), and a callback's single output is
 * written by the run itself, not through the general path of several outputs.
 */
import { describe, expect, it } from 'vitest'
import { createBoard, noUpdate } from '../../src/index'

describe('one-output hop', () => {
  //   a ─► [double] ─► b      b has two subscribers, then one, then none, then one again
  it('P1 observed: unsubscribing one subscriber keeps the other told; resubscribing tells again', async () => {
    const board = createBoard({ name: 'hop-observed' })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    board.callback({ id: 'double', inputs: [a], outputs: [b], run: (x: number) => x * 2 })
    await board.start()
    const one: number[] = []
    const two: number[] = []
    const offOne = b.subscribe((v) => one.push(v))
    const offTwo = b.subscribe((v) => two.push(v))
    a.set(2)
    expect([one, two]).toEqual([[4], [4]])
    offTwo()
    offTwo() // a second call changes nothing
    a.set(3)
    expect([one, two]).toEqual([[4, 6], [4]])
    offOne()
    a.set(4)
    expect([one, two]).toEqual([[4, 6], [4]])
    const three: number[] = []
    b.subscribe((v) => three.push(v))
    a.set(5)
    expect([one, two, three]).toEqual([[4, 6], [4], [10]])
    expect(b.get()).toBe(10)
  })

  it('P1 modifiedAt: undefined until a change, the wave time after (one time per wave), undefined after clear()', async () => {
    const board = createBoard({ name: 'hop-modified' })
    const a = board.store('a', { initial: 1 })
    const b = board.store('b', { initial: 0 })
    board.callback({ id: 'inc', inputs: [a], outputs: [b], run: (x: number) => x + 1, preventInitialCall: true })
    await board.start()
    expect(a.modifiedAt).toBe(undefined)
    expect(b.modifiedAt).toBe(undefined)
    const before = Date.now()
    a.set(2)
    const after = Date.now()
    expect(b.get()).toBe(3)
    expect(typeof a.modifiedAt).toBe('number')
    expect(a.modifiedAt! >= before && a.modifiedAt! <= after).toBe(true)
    // One Date.now() per wave: the callback's output shares its input's time.
    expect(b.modifiedAt).toBe(a.modifiedAt)
    b.clear()
    expect(b.modifiedAt).toBe(undefined)
    expect(board.inspect().stores.find((s) => s.id === 'b')!.modifiedAt).toBe(undefined)
  })

  //   a ─► [maybe] ─► b ─► [seen]      maybe returns noUpdate for odd values; throws on 13
  it('P1 single output: noUpdate writes nothing and runs nothing downstream; a throw fails the callback, a later success clears it', async () => {
    const board = createBoard({ name: 'hop-single' })
    const a = board.store('a', { initial: 0 })
    const b = board.store('b', { initial: -1 })
    const seen: number[] = []
    board.callback({
      id: 'maybe',
      inputs: [a],
      outputs: [b],
      run: (x: number) => {
        if (x === 13) throw new Error('thirteen')
        return x % 2 ? noUpdate : x
      },
    })
    board.callback({ id: 'seen', inputs: [b], outputs: [], run: (v: number) => void seen.push(v) })
    await board.start()
    expect(seen).toEqual([0])
    a.set(1)
    expect([b.get(), seen]).toEqual([0, [0]])
    a.set(2)
    expect([b.get(), seen]).toEqual([2, [0, 2]])
    a.set(13)
    expect(board.errors.get('maybe')?.cause).toEqual(new Error('thirteen'))
    expect([b.get(), seen]).toEqual([2, [0, 2]])
    a.set(4)
    expect(board.errors.has('maybe')).toBe(false)
    expect([b.get(), seen]).toEqual([4, [0, 2, 4]])
  })
})
