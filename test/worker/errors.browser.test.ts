/**
 * Worker-side failures cross as typed errors (issue 12 §3): the worker raises a
 * `WorkerError` with a code for an unknown task, a lost handle and a result it cannot send,
 * and the main thread rebuilds it as a `WorkerError` of that code. Nothing is recognised by
 * its message text.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Board, CallbackError, createBoard, type Handle, WorkerError } from '../../src/index'

const boards: Board[] = []
let n = 0
function board(): Board {
  const b = createBoard({ name: `worker-errors-${Date.now()}-${++n}`, version: 1 })
  boards.push(b)
  return b
}
const tasksWorker = () => new Worker(new URL('./tasks.worker.ts', import.meta.url), { type: 'module' })

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
})

describe('worker-side errors are WorkerErrors with a code', () => {
  it('unknown-task: raised in the worker, a WorkerError on the main thread, as a callback cause too', async () => {
    //  x ──► [typo: pool.task('dubble')] ──► out
    const b = board()
    const pool = b.workers(tasksWorker)
    const e = await pool
      .task('dubble')(1)
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(WorkerError)
    expect(e).toMatchObject({ name: 'WorkerError', code: 'unknown-task' })
    const x = b.store('x', { initial: 1 })
    b.callback({ id: 'typo', inputs: [x], outputs: [b.store('out')], run: pool.task('dubble') })
    await b.start()
    const err = b.errors.get('typo')!
    expect(err).toBeInstanceOf(CallbackError)
    expect(err.cause).toBeInstanceOf(WorkerError)
    expect(err.code).toBe('unknown-task')
  })

  it('handle-lost: a persisted handle gone from IndexedDB too fails in the worker as a WorkerError', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const h: Handle = await pool.task('keepColumn')(4, true)
    await b.clear() // drops the worker's value and the IndexedDB copy
    const e = await pool
      .task('total')(h)
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(WorkerError)
    expect(e).toMatchObject({ code: 'handle-lost', message: expect.stringContaining(`handle "${h.id}"`) })
  })

  it('unserialisable: a result only postMessage finds uncloneable fails the call, names the task, keeps the DataCloneError as cause; the worker goes on', async () => {
    const pool = board().workers(tasksWorker)
    const e = (await pool
      .task('returnDeepFunction')()
      .catch((x: unknown) => x)) as WorkerError
    expect(e).toBeInstanceOf(WorkerError)
    expect(e.code).toBe('unserialisable')
    expect(e.message).toContain('task "returnDeepFunction" returned a value that cannot be sent to the main thread')
    expect((e.cause as Error).name).toBe('DataCloneError')
    expect(await pool.task('double')(3)).toBe(6)
  })

  it('a thrown error of the task itself stays what it was (not a WorkerError)', async () => {
    const pool = board().workers(tasksWorker)
    const e = await pool
      .task('fail')('disk full')
      .catch((x: unknown) => x)
    expect(e).not.toBeInstanceOf(WorkerError)
    expect(e).toMatchObject({ name: 'QuotaLikeError', code: 'E_QUOTA', message: 'disk full' })
  })
})
