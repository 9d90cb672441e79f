/**
 * board.remove() of a pattern store holding a worker handle releases the handle (issue 15):
 * nothing else refers to it, so the worker frees the data, as when the store is cleared.
 */
import { afterEach, expect, it } from 'vitest'
import { type Board, createBoard, MATCH } from '../../src/index'

const boards: Board[] = []
afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
})

it('PM26 removing a store that holds a worker handle releases it in the worker', async () => {
  //  {size,i} ─► [column[i]: keepColumn in a worker] ─► {col,i} (a handle)
  const b = createBoard({ name: `pattern-handle-${Date.now()}`, version: 1 })
  boards.push(b)
  const pool = b.workers(() => new Worker(new URL('../worker/tasks.worker.ts', import.meta.url), { type: 'module' }))
  b.callback({ id: 'column', inputs: [{ t: 'size', i: MATCH }], outputs: [{ t: 'col', i: MATCH }], run: pool.task('keepColumn') })
  for (const i of [1, 2]) {
    b.store({ t: 'size', i }, { initial: 10 * i })
    b.store({ t: 'col', i })
  }
  await b.start()
  await b.idle()
  expect((await pool.workerStats())[0]!.held).toBe(2)
  b.batch(() => {
    b.remove({ t: 'size', i: 1 })
    b.remove({ t: 'col', i: 1 })
  })
  await b.idle()
  expect(pool.stats().handles).toBe(1)
  expect((await pool.workerStats())[0]!.held).toBe(1)
})
