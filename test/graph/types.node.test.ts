/**
 * Types flow from stores into `run`: checked by `tsc` in `npm test` (expectTypeOf is a
 * compile-time assertion; the runtime part only confirms the graph works).
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { type Ctx, createBoard, noUpdate, type Store } from '../../src/index'

describe('types', () => {
  it('run receives input values, then state values, then ctx', async () => {
    const board = createBoard({ name: 'types', version: 1 })
    const n = board.store('n', { initial: 1 })
    const label = board.store('label', { initial: 'x' })
    const flags = board.store('flags', { initial: [true, false] })
    const out = board.store<string>('out')
    const pair = board.store<number>('pair')
    expectTypeOf(n).toEqualTypeOf<Store<number>>()
    board.callback({
      inputs: [n, label],
      state: [flags],
      outputs: [out],
      run: (num, text, fl, ctx) => {
        expectTypeOf(num).toEqualTypeOf<number>()
        expectTypeOf(text).toEqualTypeOf<string>()
        expectTypeOf(fl).toEqualTypeOf<boolean[]>()
        expectTypeOf(ctx).toEqualTypeOf<Ctx>()
        return `${text}${num}${fl.length}`
      },
    })
    board.callback({
      inputs: [n],
      outputs: [pair, label],
      run: (v) => [v * 2, v > 5 ? noUpdate : 'small'],
    })
    // @ts-expect-error: a number is not a valid value for the string output
    board.callback({ id: 'wrong', inputs: [n], outputs: board.store<string>('other'), run: (v) => v })
    await board.start()
    expect(out.get()).toBe('small12')
  })
})
