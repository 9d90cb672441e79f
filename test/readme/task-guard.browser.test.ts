/**
 * docs/workers.md: a task given a store with no `initial` is wrapped to skip `undefined`, and
 * the wrapper passes `ctx` on. Checked here: with the wrapper, progress still reaches the
 * callback's status and hardCancel still terminates a worker whose run was superseded.
 */
import { createBoard, noUpdate } from 'switchboard'
import { expect, it } from 'vitest'

//  ms (no initial) ──► [busy: ms ? busyReported(ms, ctx) : noUpdate, hardCancel] ──► out
it('docs/workers.md guarded task: nothing runs while undefined; progress and hardCancel work through the wrapper', async () => {
  const b = createBoard({ name: `readme-guard-${Date.now()}`, version: 1, register: false })
  let spawned = 0
  const pool = b.workers(
    () => (spawned++, new Worker(new URL('../worker/tasks.worker.ts', import.meta.url), { type: 'module' })),
  )
  const ms = b.store<number>('ms')
  const out = b.store<string>('out')
  const busy = pool.task<string>('busyReported')
  b.callback({
    id: 'busy',
    inputs: [ms],
    outputs: [out],
    hardCancel: true,
    run: (n, ctx) => (n ? busy(n, ctx) : noUpdate),
  })
  await b.start()
  expect([out.get(), spawned]).toEqual([undefined, 0])

  ms.set(60_000)
  await expect.poll(() => b.status('busy')?.progress?.note).toBe('started')
  ms.set(1) // supersedes the run stuck in a 60 s loop: hardCancel terminates that worker
  await b.idle()
  expect([out.get(), spawned]).toEqual(['finished', 2])
  b.dispose()
})
