// Types of pattern ids (issue 15), checked by `tsc` like the other files here.
import { ALL, type Board, createBoard, type IdObject, type KeyedStore, MATCH, type Store, type StoreId } from 'switchboard'
import { expectTypeOf } from 'vitest'

declare const board: Board
const named = board.store('n', { initial: 1 })
const keyed = board.store({ type: 'qty', index: 1 }, { initial: 1 })
expectTypeOf(keyed).toEqualTypeOf<KeyedStore<number>>()
expectTypeOf(keyed.objectId).toEqualTypeOf<IdObject>()
expectTypeOf(named).toEqualTypeOf<Store<number>>()

// String ids only: ctx.triggered stays strings.
board.callback({
  inputs: [named],
  outputs: [],
  run: (_n, ctx) => {
    expectTypeOf(ctx.triggered).toEqualTypeOf<readonly string[]>()
    expectTypeOf(ctx.match).toEqualTypeOf<IdObject | undefined>()
  },
})
// A store with an object id, or a pattern: object ids can appear.
board.callback({
  inputs: [keyed, { type: 'qty', index: ALL }],
  outputs: [],
  run: (k, all, ctx) => {
    expectTypeOf(k).toEqualTypeOf<number>()
    expectTypeOf(all).toEqualTypeOf<any[]>()
    expectTypeOf(ctx.triggered).toEqualTypeOf<readonly StoreId[]>()
  },
})
board.callback({ inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: 'cost', index: MATCH }], run: (q: number) => q * 2 })
// @ts-expect-error: a wildcard is not a store id
createBoard({ name: 'x' }).store({ type: 'qty', index: ALL })
