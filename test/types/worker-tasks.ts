/**
 * Type tests of typed worker tasks (issue 12 §4), checked by `tsc` in the typecheck step
 * (`npx tsc --noEmit -p tsconfig.json`; this file is never run). A `@ts-expect-error` line
 * fails the check when its error disappears; `expectTypeOf` fails when a type drifts.
 *
 *   worker:  export const tasks = { histogram, load, ... }; exposeTasks(tasks)
 *   main:    const pool = board.workers<typeof tasks>(factory); pool.task('histogram')
 */
import { expectTypeOf } from 'vitest'
import { type Board, count, createBoard, type Handle, type WorkerPool } from '../../src/index'
import { keep, type TaskCtx } from '../../src/worker/index'

type Table = { delay: Float64Array; origin: string[] }

// The worker's own task object, as a worker script would export it.
const tasks = {
  histogram: (table: Table, bins: number, ctx: TaskCtx) => {
    ctx.progress(0.5)
    return new Uint32Array(bins + table.delay.length * 0)
  },
  load: async (url: string) => keep<Table>({ delay: new Float64Array(url.length), origin: [] }),
  double: (x: number) => x * 2,
  noArgs: () => 'ok' as const,
  anything: (x: any) => x as unknown,
}

declare const board: Board
const factory = () => new Worker('w.js')
const pool = board.workers<typeof tasks>(factory)
expectTypeOf(pool).toEqualTypeOf<WorkerPool<typeof tasks>>()

// Names come from the task object; an unknown name is a type error.
pool.task('histogram')
// @ts-expect-error "histogrm" is not a task of this worker
pool.task('histogrm')

// Arguments and results come from the task: its ctx is left out, results are awaited.
expectTypeOf(pool.task('double')).parameters.toEqualTypeOf<
  [
    number | Handle<number>,
    ctx?: { readonly callbackId: string; readonly triggered: readonly string[]; readonly signal: AbortSignal },
  ]
>()
expectTypeOf(pool.task('double')(2)).toEqualTypeOf<Promise<number>>()
expectTypeOf(pool.task('load')('/x.json')).toEqualTypeOf<Promise<Handle<Table>>>()
expectTypeOf(pool.task('noArgs')()).toEqualTypeOf<Promise<'ok'>>()
// @ts-expect-error double takes a number
void pool.task('double')('two')
// @ts-expect-error one argument, then only a run's ctx
void pool.task('double')(1, 2)
// An `any` last parameter is an argument, not a ctx.
void pool.task('anything')({ any: 'thing' })

// A handle stands for its value: load's result goes where histogram wants the table.
async function chain(): Promise<Uint32Array> {
  const table = await pool.task('load')('/flights.json')
  return pool.task('histogram')(table, 20)
}
void chain

// As a callback's run: the inputs' values must fit the task's parameters.
const b = createBoard({ name: 'types' })
const p = b.workers<typeof tasks>(factory)
const n = b.store('n', { initial: 1 })
const doubled = b.store<number>('doubled')
b.callback({ inputs: [n], outputs: [doubled], run: p.task('double') })
const text = b.store('text', { initial: 'a' })
// @ts-expect-error a string input cannot feed double(x: number)
b.callback({ inputs: [text], outputs: [doubled], run: p.task('double') })

// pool.aggregate takes an AggregateSpec.
declare const table: Handle<Table>
void p.aggregate(table, { by: 'origin', measures: { n: count() } })
// @ts-expect-error measures are required
void p.aggregate(table, { by: 'origin' })
// @ts-expect-error a spec is an object of by, measures and where
void p.aggregate(table, 'origin')

// An untyped pool takes any name and says nothing about arguments (as before).
const loose = b.workers(factory)
expectTypeOf(loose.task('whatever')).toEqualTypeOf<(...args: any[]) => Promise<any>>()
expectTypeOf(loose.task<number>('whatever')(1, 'x')).toEqualTypeOf<Promise<number>>()
