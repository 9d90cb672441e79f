/**
 * Type tests (issue 12 §4, "types a user can trust"): compiled by `tsc` in the typecheck
 * step of `npm test`, never run. `expectTypeOf` fails the compile when a type differs;
 * each `// @ts-expect-error` line fails it when the error it expects goes away (TS2578).
 */
import { expectTypeOf } from 'vitest'
import { type Ctx, createBoard, type NoUpdate, noUpdate, type Store } from '../../src/index'

const board = createBoard({ name: 'types', version: 1 })
const n = board.store('n', { initial: 1 })
const text = board.store('text', { initial: 'a' })

// ---- T1 a store without `initial` holds undefined until set (nanostores' overload) ----
{
  expectTypeOf(board.store<string>('s1')).toEqualTypeOf<Store<string | undefined>>()
  expectTypeOf(board.store<number>('s2', { storage: 'local' })).toEqualTypeOf<Store<number | undefined>>()
  expectTypeOf(board.store<string[]>('s3', { initial: [] })).toEqualTypeOf<Store<string[]>>()
  expectTypeOf(board.store('s4', { initial: 'x' })).toEqualTypeOf<Store<string>>()
  expectTypeOf(board.store('s5')).toEqualTypeOf<Store<unknown>>()
  // `equals` sees the undefined a store without `initial` starts from.
  board.store<number>('s6', { equals: (a, b) => expectTypeOf(a).toEqualTypeOf<number | undefined>() && a === b })
  const s = board.store<string>('s7')
  // @ts-expect-error: the value may be undefined before the first set
  s.get().toUpperCase()
  // @ts-expect-error: `initial` must be a T
  board.store<number>('s8', { initial: 'one' })
}

// ---- T2 several outputs: `run` returns a tuple of the outputs' types, in order ----
{
  const num = board.store('num', { initial: 0 })
  const str = board.store('str', { initial: '' })
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [v, 'x'] })
  board.callback({ inputs: [n], outputs: [num, str], run: async (v) => [v, `${v}`] })
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [noUpdate, `${v}`] })
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [v, 'x'] as const })
  // Block bodies, several returns, async methods: array literals are still read as the tuple.
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => (v ? [noUpdate, noUpdate] : [v, 'x']) })
  board.callback({
    inputs: [n],
    outputs: [num, str],
    async run(v) {
      if (v > 1) return [noUpdate, noUpdate]
      await null
      return [v, 'x']
    },
  })
  // A slot whose store holds an array takes an array literal (no readonly tuple forced on it).
  const list = board.store('list', { initial: [0] })
  board.callback({ inputs: [n], outputs: [list, str], run: (v) => [[v, 2], 'x'] })
  board.callback({ inputs: [n], outputs: list, run: (v) => [v, v] })
  board.callback({ inputs: [n], outputs: [list], run: (v) => [v] })
  // @ts-expect-error: [number, number] for [number, string] outputs
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [v, 1] })
  // @ts-expect-error: the outputs swapped
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [`${v}`, v] })
  // @ts-expect-error: one value short
  board.callback({ inputs: [n], outputs: [num, str], run: (v) => [v] })
  const loose: Array<number | string> = [1, 'x']
  // @ts-expect-error: an array of the union is not the tuple (it could be [1, 1])
  board.callback({ inputs: [n], outputs: [num, str], run: () => loose })
  // @ts-expect-error: a promise of the wrong tuple
  board.callback({ inputs: [n], outputs: [num, str], run: async (v) => [v, v] })
  // One output given as a store or as a one-element list: the value itself, not a 1-tuple.
  board.callback({ inputs: [n], outputs: num, run: (v) => v + 1 })
  board.callback({ inputs: [n], outputs: [num], run: (v) => v + 1 })
  // @ts-expect-error: [v] would be written to the number store as an array
  board.callback({ inputs: [n], outputs: [num], run: (v) => [v] })
  // @ts-expect-error: the same with the store given alone
  board.callback({ inputs: [n], outputs: num, run: (v) => [v] })
  // Outputs known only as an array (not a tuple): an array of their values.
  const many: Store<number>[] = [num]
  board.callback({ inputs: [n], outputs: many, run: (v) => many.map(() => v) })
  board.callback({ inputs: [n], outputs: [], run: () => undefined })
}

// ---- T3 ctx.set checks the value against the store ----
board.callback({
  inputs: [n],
  outputs: [],
  run: (v, ctx) => {
    ctx.set(n, v + 1)
    ctx.set(text, 'ok')
    // @ts-expect-error: a string into a number store
    ctx.set(n, 'str')
    // @ts-expect-error: a number into a string store
    ctx.set(text, v)
    // By id the store's type is not known: any value.
    ctx.set('n', 'anything')
    expectTypeOf(ctx.set).returns.toEqualTypeOf<void>()
  },
})

// ---- T4 Ctx shows what `run` may use, nothing of the scheduler's or the pool's ----
{
  expectTypeOf<keyof Ctx>().toEqualTypeOf<'callbackId' | 'triggered' | 'match' | 'signal' | 'progress' | 'set'>()
  const use = (ctx: Ctx) => {
    // @ts-expect-error: internal (worker tasks)
    ctx.reportBytes(1, 2)
    // @ts-expect-error: internal (worker tasks)
    void ctx.timeoutMs
    // @ts-expect-error: internal (worker tasks)
    void ctx.hardCancel
  }
  void use
}

// ---- NoUpdate stays a value of every output slot ----
expectTypeOf(noUpdate).toEqualTypeOf<NoUpdate>()
