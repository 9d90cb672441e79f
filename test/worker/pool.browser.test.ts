/**
 * Worker callbacks in real Chromium: pool.task as a callback's run, handles, progress,
 * supersession, and the worker faults of FAULTS.md C (F15–F20) and F27/F28.
 * Every pool runs tests/worker/tasks.worker.ts unless a test needs a broken worker.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type Board,
  CallbackError,
  count,
  createBoard,
  type Handle,
  isHandle,
  noUpdate,
  sum,
  type WorkerPool,
} from '../../src/index'
import { readRaw } from '../idb'

const boards: Board[] = []
let n = 0
function board(): Board {
  const b = createBoard({ name: `worker-${Date.now()}-${++n}`, version: 1 })
  boards.push(b)
  return b
}
const tasksWorker = () => new Worker(new URL('./tasks.worker.ts', import.meta.url), { type: 'module' })

/** Reads the board's `handles` object store directly, as another tab would. */
const rawHandle = (boardName: string, id: string) => readRaw(boardName, 'handles', (s) => s.get(id))

/** size ──► [column: keepColumn, in a worker] ──► col (a handle) */
function columnGraph(initial: number) {
  const b = board()
  const pool = b.workers(tasksWorker)
  const size = b.store('size', { initial })
  const col = b.store<unknown>('col')
  b.callback({ id: 'column', inputs: [size], outputs: [col], run: pool.task('keepColumn') })
  return { b, pool, size, col }
}

afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
})

/** Resolves when `pred()` holds, checking after each board status event (no timers). */
function until(b: Board, pred: () => boolean): Promise<void> {
  if (pred()) return Promise.resolve()
  return new Promise((resolve) => {
    const off = b.on('status', () => {
      if (pred()) {
        off()
        resolve()
      }
    })
  })
}

describe('pool.task as run', () => {
  it('runs in a worker and writes the output; ctx carries the callback id and triggered', async () => {
    // n ──► [double] ──► d ;  n ──► [info] ──► i
    const b = board()
    const pool = b.workers(tasksWorker)
    const num = b.store('n', { initial: 2 })
    const d = b.store<number>('d')
    const i = b.store<unknown>('i')
    b.callback({ id: 'double', inputs: [num], outputs: [d], run: pool.task('double') })
    b.callback({ id: 'info', inputs: [num], outputs: [i], run: pool.task('ctxInfo') })
    await b.start()
    expect(d.get()).toBe(4)
    expect(i.get()).toEqual({ callbackId: 'info', triggered: [] })
    num.set(5)
    await b.idle()
    expect(d.get()).toBe(10)
    expect(i.get()).toEqual({ callbackId: 'info', triggered: ['n'] })
    expect(b.inspect().callbacks.find((c) => c.id === 'double')!.stats.runs).toBe(2)
  })

  it('bytes in and out of a worker run are counted once, with and without profile', async () => {
    for (const profile of [false, true]) {
      const b = createBoard({ name: `worker-bytes-${Date.now()}-${++n}`, version: 1, profile })
      boards.push(b)
      const pool = b.workers(tasksWorker)
      const xs = b.store('xs', { initial: new Float64Array(100) })
      const total = b.store<number>('total')
      b.callback({ id: 'sum', inputs: [xs], outputs: [total], run: pool.task('sumArray') })
      await b.start()
      const stats = b.inspect().callbacks[0]!.stats
      expect([profile, stats.bytesIn, stats.bytesOut]).toEqual([profile, 800, 8])
    }
  })

  it('big arrays of rows arrive exactly as returned, whichever way they travel (JSON when lossless, clone otherwise)', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const n = 20_000
    for (const [task, odd] of ['', 'negzero', 'nan', 'date', 'undefined', 'proto'].flatMap((o) => [
      ['rows', o],
      ['rowsIn', o],
    ])) {
      const got = await pool.task(task!)(n, odd)
      const rows = (task === 'rows' ? got : got.rows) as Record<string, unknown>[]
      if (task === 'rowsIn') expect(got.n).toBe(n)
      expect(rows).toHaveLength(n)
      expect(rows[5]).toEqual({ i: 5, name: 'row 5', ok: false, none: null, tags: ['a', 5] })
      const last = rows[n - 1]!
      if (odd === 'negzero') expect(Object.is(last.i, -0)).toBe(true)
      if (odd === 'nan') expect(last.i).toBeNaN()
      if (odd === 'date') expect(last.when).toBeInstanceOf(Date)
      if (odd === 'undefined') expect('none' in last && last.none === undefined).toBe(true)
      if (odd === 'proto') {
        expect(Object.getPrototypeOf(last)).toBe(Object.prototype)
        expect(Object.getOwnPropertyDescriptor(last, '__proto__')?.value).toBe('x')
        expect(({} as Record<string, unknown>).x).toBeUndefined()
      }
    }
  })

  it('noUpdate and PreventUpdate from a worker leave outputs alone', async () => {
    // x ──► [skipSecond] ──► a, c ;  x ──► [prevent] ──► p
    const b = board()
    const pool = b.workers(tasksWorker)
    const x = b.store('x', { initial: 1 })
    const a = b.store('a', { initial: 0 })
    const c = b.store('c', { initial: 'kept' })
    const p = b.store('p', { initial: 'kept' })
    let downstream = 0
    b.callback({ inputs: [c], outputs: [], run: () => void downstream++, preventInitialCall: true })
    b.callback({ id: 'two', inputs: [x], outputs: [a, c], run: pool.task('skipSecond') })
    b.callback({ id: 'prevent', inputs: [x], outputs: [p], run: pool.task('prevent') })
    await b.start()
    expect(a.get()).toBe(2)
    expect(c.get()).toBe('kept')
    expect(p.get()).toBe('kept')
    expect(downstream).toBe(0)
    expect(b.errors.size).toBe(0)
    expect(await pool.task('skip')()).toBe(noUpdate)
  })

  it('ctx.progress in a task reaches inspect().callbacks[i].progress', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const go = b.store('go', { initial: 0 })
    const out = b.store('out')
    b.callback({ id: 'wait', inputs: [go], outputs: [out], run: pool.task('waitAbort'), preventInitialCall: true })
    await b.start()
    go.set(1)
    const info = () => b.inspect().callbacks.find((c) => c.id === 'wait')!
    await until(b, () => info().progress !== null)
    expect(info().progress).toEqual({ fraction: 0.5, note: 'waiting' })
    expect(info().running).toBe(true)
    b.dispose() // aborts the run: the progress goes with it
    expect(info().progress).toBeNull()
    expect(pool.stats().workers).toBe(0)
  })

  it('progress notes arrive in order while a task runs', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const k = b.store('k', { initial: 4 })
    const out = b.store('out')
    const seen: string[] = []
    b.on('status', () => {
      const p = b.inspect().callbacks[0]!.progress
      if (p?.note && seen.at(-1) !== p.note) seen.push(p.note)
    })
    b.callback({ id: 'steps', inputs: [k], outputs: [out], run: pool.task('steps') })
    await b.start()
    expect(out.get()).toBe(4)
    expect(seen).toEqual(['step 1', 'step 2', 'step 3', 'step 4'])
    expect(b.inspect().callbacks[0]!.progress).toBeNull()
  })
})

describe('handles', () => {
  it('keep() puts a small handle in the store; a downstream task gets the value; resolve() gives the data', async () => {
    // size ──► [keepColumn] ──► col (handle) ──► [total] ──► t
    //                                      └──► [length] ──► len
    const b = board()
    const pool = b.workers(tasksWorker, { size: 2 })
    const size = b.store('size', { initial: 1000 })
    const col = b.store<unknown>('col')
    const t = b.store('t')
    const len = b.store('len')
    b.callback({ id: 'make', inputs: [size], outputs: [col], run: pool.task('keepColumn') })
    b.callback({ id: 'total', inputs: [col], outputs: [t], run: pool.task('total') })
    b.callback({ id: 'length', inputs: [col], outputs: [len], run: pool.task('length') })
    await b.start()
    const h = col.get()
    expect(isHandle(h)).toBe(true)
    expect(JSON.stringify(h).length).toBeLessThan(1024)
    expect(h).toMatchObject({ bytes: 8000, desc: 'Float64Array(1000)' })
    expect(t.get()).toBe((999 * 1000) / 2)
    expect(len.get()).toBe(1000)
    const data = await b.resolve(h as never)
    expect(data).toBeInstanceOf(Float64Array)
    expect((data as Float64Array)[999]).toBe(999)
    // Only the handle crossed to the main thread on the way: bytes out of "make" are small.
    expect(b.inspect().callbacks.find((c) => c.id === 'make')!.stats.bytesOut).toBeLessThan(1024)
  })

  it('a handle is released when its store is overwritten, and when its store is cleared', async () => {
    const { b, pool, size, col } = columnGraph(10)
    await b.start()
    for (let i = 11; i < 31; i++) {
      size.set(i)
      await b.idle()
    }
    // 21 columns were kept; only the one in the store is still held.
    expect((await pool.workerStats())[0]!.held).toBe(1)
    expect(pool.stats().handles).toBe(1)
    const last = col.get()
    col.clear()
    await b.idle()
    expect((await pool.workerStats())[0]!.held).toBe(0)
    await expect(b.resolve(last as never)).rejects.toMatchObject({ code: 'handle-lost' })
  })

  it('a handle a run got but did not return is released when the callback settles; one it returns after more awaits is kept', async () => {
    // size ──► [twoSteps: keepColumn, then total of it] ──► t      (the column's handle is never stored)
    // size ──► [late: keepColumn, await, return it]     ──► col
    const b = board()
    const pool = b.workers(tasksWorker)
    const size = b.store('size', { initial: 10 })
    const t = b.store<number>('t')
    const col = b.store<unknown>('col')
    b.callback({
      id: 'twoSteps',
      inputs: [size],
      outputs: [t],
      run: async (v, ctx) => pool.task('total')(await pool.task('keepColumn')(v, ctx), ctx),
    })
    b.callback({
      id: 'late',
      inputs: [size],
      outputs: [col],
      run: async (v, ctx) => {
        const h = await pool.task('keepColumn')(v, ctx)
        await new Promise((r) => setTimeout(r, 20))
        return h
      },
    })
    await b.start()
    expect(t.get()).toBe(45)
    expect(isHandle(col.get())).toBe(true)
    expect((await pool.workerStats())[0]!.held).toBe(1)
    expect(await pool.task('length')(col.get())).toBe(10)
  })

  it('a handle returned deeper than one level is dropped at the end of the call, and the board warns naming the task', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    const pool = b.workers(tasksWorker)
    const out = (await pool.task('buried')(4)) as { result: { column: unknown } }
    await expect(pool.task('length')(out.result.column)).rejects.toMatchObject({ code: 'handle-lost' })
    expect((await pool.workerStats())[0]!.held).toBe(0)
    await expect.poll(() => warnings.find((w) => w.includes('task "buried"'))).toContain('one level deep')
  })

  it('a handle held by two stores stays until neither holds it', async () => {
    const { b, pool, col } = columnGraph(10)
    const copy = b.store<unknown>('copy')
    b.callback({ inputs: [col], outputs: [copy], run: (h) => h })
    await b.start()
    copy.set(null)
    await b.idle()
    expect((await pool.workerStats())[0]!.held).toBe(1)
    col.set(null)
    await b.idle()
    expect((await pool.workerStats())[0]!.held).toBe(0)
  })

  it('pool.aggregate runs in the worker holding the table and returns the small result', async () => {
    const b = board()
    const pool = b.workers(tasksWorker, { size: 2 })
    const h = await pool.task('keepTable')(6)
    expect(isHandle(h)).toBe(true)
    const res = await pool.aggregate(h, { by: 'g', measures: { n: count(), s: sum('v') } })
    expect(res).toEqual({ g: ['a', 'b'], n: [3, 3], s: [0 + 2 + 4, 1 + 3 + 5] })
  })

  it('keep(value, { persist: true }) survives its worker: another pool (or tab) resolves it from IndexedDB', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const col = b.store<unknown>('col')
    const size = b.store('size', { initial: 100 })
    b.callback({ inputs: [size], outputs: [col], run: pool.task('keepColumn'), state: [] })
    // keepColumn(n, persist) reads a second argument: give it through a wrapper callback.
    const persisted = await pool.task('keepColumn')(100, true)
    expect(persisted.persisted).toBe(true)
    pool.terminate()
    expect(((await b.resolve(persisted)) as Float64Array)[99]).toBe(99)
    // A fresh pool's worker gets the value from IndexedDB when the handle is an argument.
    const other = b.workers(tasksWorker)
    expect(await other.task('total')(persisted)).toBe((99 * 100) / 2)
  })

  it('a persisted handle restored by an idb store (an earlier page) leaves IndexedDB when the store is overwritten', async () => {
    const name = `worker-reload-${Date.now()}`
    const first = createBoard({ name, version: 1 })
    boards.push(first)
    const pool1 = first.workers(tasksWorker)
    const col1 = first.store<unknown>('col', { storage: 'idb' })
    await first.start()
    const h = await pool1.task('keepColumn')(100, true)
    col1.set(h)
    await first.idle()
    expect(await rawHandle(name, h.id)).toBeInstanceOf(Float64Array)
    first.dispose()

    // The "reloaded" page: same board name, its own pool.
    const again = createBoard({ name, version: 1 })
    boards.push(again)
    const pool2 = again.workers(tasksWorker)
    const col2 = again.store<unknown>('col', { storage: 'idb' })
    await again.start()
    expect(col2.get()).toEqual(h)
    expect(await pool2.task('total')(col2.get())).toBe((99 * 100) / 2)
    col2.set(null)
    await again.idle()
    await expect.poll(() => rawHandle(name, h.id)).toBeUndefined()
  })

  it('board.clear() drops worker-held data and every persisted handle (F30)', async () => {
    const { b, pool, col } = columnGraph(10)
    await b.start()
    const before = col.get() as Handle
    const kept = await pool.task('keepColumn')(5, true)
    expect((await pool.workerStats())[0]!.held).toBe(2)
    await b.clear()
    // Everything the board held is dropped; then the board re-runs as a new one would (a
    // clear never leaves a blank page, S18): col holds a fresh handle, the only one held.
    const after = col.get() as Handle
    expect(isHandle(after)).toBe(true)
    expect(after.id).not.toBe(before.id)
    expect((await pool.workerStats())[0]!.held).toBe(1)
    expect(await rawHandle(b.name, kept.id)).toBeUndefined()
    await expect(b.resolve(before)).rejects.toMatchObject({ code: 'handle-lost' })
  })

  it('terminate() releases every handle of the pool', async () => {
    const { b, pool, col } = columnGraph(100)
    await b.start()
    expect(pool.stats().handles).toBe(1)
    pool.terminate()
    expect(pool.stats()).toMatchObject({ handles: 0, workers: 0, ports: 0, open: 0 })
    await expect(b.resolve(col.get() as never)).rejects.toMatchObject({ code: 'handle-lost' })
  })
})

describe('faults', () => {
  it('F15 custom error in a worker: name, message, code, cause and the callback id survive', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const msg = b.store('msg', { initial: 'disk full' })
    const out = b.store('out')
    b.callback({ id: 'writer', inputs: [msg], outputs: [out], run: pool.task('fail') })
    await b.start()
    const err = b.errors.get('writer')!
    expect(err).toBeInstanceOf(CallbackError)
    expect(err.callbackId).toBe('writer')
    expect(err.code).toBe('E_QUOTA')
    const cause = err.cause as Error & { code: string; cause: Error }
    expect(cause.name).toBe('QuotaLikeError')
    expect(cause.message).toBe('disk full')
    expect(cause.code).toBe('E_QUOTA')
    expect(cause.cause.name).toBe('TypeError')
    expect(cause.cause.message).toBe('inner cause')
    expect(err.message).toContain('writer')
  })

  it('F16 function returned from a worker: a clear error naming the callback; nothing hangs', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const x = b.store('x', { initial: 1 })
    const out = b.store('out', { initial: 'before' })
    const d = b.store<number>('d')
    b.callback({ id: 'leaky', inputs: [x], outputs: [out], run: pool.task('returnFunction') })
    b.callback({ id: 'fine', inputs: [x], outputs: [d], run: pool.task('double') })
    await b.start()
    const err = b.errors.get('leaky')!
    expect(err.callbackId).toBe('leaky')
    expect(err.code).toBe('unserialisable')
    expect(err.message).toContain('leaky')
    expect(err.message).toContain('function')
    expect(out.get()).toBe('before')
    expect(d.get()).toBe(2)
  })

  it('F17 worker hang: the timeout terminates and respawns it, fails with TimeoutError; other workers unaffected; next call succeeds', async () => {
    // x ──► [hang] ──► h (timeoutMs 300, size-2 pool) ;  x ──► [double] ──► d
    const b = board()
    let spawned = 0
    const pool = b.workers(() => (spawned++, tasksWorker()), { size: 2 })
    const x = b.store('x', { initial: 1 })
    const mode = b.store('mode', { initial: 'spin' })
    const h = b.store('h')
    const d = b.store<number>('d')
    b.callback({
      id: 'hang',
      inputs: [x],
      state: [mode],
      outputs: [h],
      run: (v, m, ctx) => (m === 'spin' ? pool.task('spin')(v, ctx) : pool.task('double')(v, ctx)),
      timeoutMs: 300,
    })
    b.callback({ id: 'double', inputs: [x], outputs: [d], run: pool.task('double') })
    await b.start()
    const err = b.errors.get('hang')!
    expect((err.cause as Error).name).toBe('TimeoutError')
    expect(err.message).toContain('hang')
    expect(d.get()).toBe(2)
    expect(spawned).toBe(3) // two workers, and one respawn
    mode.set('ok')
    x.set(4)
    await b.idle()
    expect(h.get()).toBe(8)
    expect(b.errors.has('hang')).toBe(false)
    expect(pool.stats().open).toBe(0)
  })

  it('F17 timeout counts from when a worker takes the call, not while it waits in the queue', async () => {
    const b = board()
    const pool = b.workers(tasksWorker, { size: 1 })
    const ctx = (timeoutMs: number) => ({
      callbackId: 'q',
      triggered: [],
      signal: new AbortController().signal,
      progress() {},
      set() {},
      timeoutMs,
      hardCancel: false,
      reportBytes() {},
    })
    const first = pool.task('busy')(800, ctx(5000))
    // Queued behind 800 ms of work with a 500 ms timeout: it would time out if queue time counted.
    const second = pool.task('slow')(10, ctx(500))
    expect(await first).toBe('finished')
    expect(await second).toBe(10)
  })

  it('F17 a resolve() waiting on a worker that hangs and is restarted fails with handle-lost instead of hanging', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const h = await pool.task('keepColumn')(10)
    const ctx = {
      callbackId: 'spinner',
      triggered: [],
      signal: new AbortController().signal,
      progress() {},
      set() {},
      timeoutMs: 300,
      hardCancel: false,
      reportBytes() {},
    }
    const spinning = pool.task('spin')(ctx)
    const resolving = b.resolve(h)
    await expect(spinning).rejects.toMatchObject({ cause: { name: 'TimeoutError' } })
    await expect(resolving).rejects.toMatchObject({ code: 'handle-lost' })
  })

  it('F18 worker fails to start (404): bounded retries with backoff, pending calls reject, the board says why', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    let attempts = 0
    const pool = b.workers(
      () => (attempts++, new Worker(new URL('./missing.worker.js', import.meta.url), { type: 'module' })),
      {
        name: 'missing',
        retries: 2,
        backoffMs: 10,
      },
    )
    const x = b.store('x', { initial: 1 })
    const out = b.store('out')
    b.callback({ id: 'needs-worker', inputs: [x], outputs: [out], run: pool.task('double') })
    await b.start()
    expect(attempts).toBe(3)
    const err = b.errors.get('needs-worker')!
    expect(err.code).toBe('start-failed')
    expect(err.message).toContain('needs-worker')
    expect(err.message).toContain('"missing"')
    expect(warnings.some((w) => w.includes('failed to start after 3 attempts'))).toBe(true)
    expect(pool.stats().startError).toContain('failed to start')
    // Bounded: later calls fail at once, without new attempts.
    await expect(pool.task('double')(1)).rejects.toMatchObject({ code: 'start-failed' })
    expect(attempts).toBe(3)
  })

  it('F18 worker with a syntax error fails to start the same way', async () => {
    const b = board()
    const pool = b.workers(
      () => new Worker(new URL('./broken-syntax.worker.js', import.meta.url), { type: 'module' }),
      { retries: 1, backoffMs: 10 },
    )
    await expect(pool.task('double')(1)).rejects.toMatchObject({ code: 'start-failed' })
  })

  it('F18 a worker that never calls exposeTasks fails on the start-up timeout', async () => {
    const b = board()
    const pool = b.workers(() => new Worker(new URL('./late.worker.ts', import.meta.url), { type: 'module' }), {
      retries: 0,
      startTimeoutMs: 300,
    })
    await expect(pool.task('double')(1)).rejects.toThrow(/exposeTasks/)
  })

  it('F18 a start that fails once then works: the retry picks the call up', async () => {
    const b = board()
    let attempts = 0
    const pool = b.workers(
      () =>
        attempts++ === 0
          ? new Worker(new URL('./missing.worker.js', import.meta.url), { type: 'module' })
          : tasksWorker(),
      { backoffMs: 10 },
    )
    expect(await pool.task('double')(21)).toBe(42)
    expect(attempts).toBe(2)
  })

  it('F19 no leak over 10 000 calls: open calls, ports, handles and held values stay flat', async () => {
    const b = board()
    const pool = b.workers(tasksWorker, { size: 2 })
    const x = b.store('x', { initial: 0 })
    const out = b.store<number>('out')
    const col = b.store<unknown>('col')
    b.callback({ inputs: [x], outputs: [out], run: pool.task('double') })
    b.callback({ inputs: [x], outputs: [col], run: (v, ctx) => pool.task('keepColumn')(8 + (v % 4), ctx) })
    await b.start()
    const before = pool.stats()
    for (let i = 1; i <= 5000; i++) {
      x.set(i)
      await b.idle()
    }
    expect(out.get()).toBe(10000)
    const after = pool.stats()
    expect(after.calls - before.calls).toBe(10000)
    expect(after).toMatchObject({ open: 0, ports: before.ports, workers: before.workers, handles: 1 })
    const held = (await pool.workerStats()).reduce((s, w) => s + w.held, 0)
    expect(held).toBe(1)
    expect((await pool.workerStats()).every((w) => w.running === 0)).toBe(true)
  }, 120_000)

  it('F20 transferred buffer: a store never loses its value to a worker; the worker side of a returned buffer is detached', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const xs = b.store('xs', { initial: new Float64Array([1, 2, 3]) })
    const total = b.store<number>('total')
    b.callback({ inputs: [xs], outputs: [total], run: pool.task('sumArray') })
    await b.start()
    expect(total.get()).toBe(6)
    // The input was copied, not transferred.
    expect(xs.get().byteLength).toBe(24)
    expect([...xs.get()]).toEqual([1, 2, 3])
    // A returned buffer is transferred: the worker's copy is detached (length 0) afterwards.
    const made = await pool.task('stashMake')(1000)
    expect(made.length).toBe(1000)
    expect(await pool.task('stashRead')()).toBe(0)
    // Except a buffer that keep() holds: returning it too copies it, the kept one stays whole.
    const [h, arr] = await pool.task('keepAndReturn')(50)
    expect(arr.length).toBe(50)
    expect(await pool.task('length')(h)).toBe(50)
  })

  it('F27 superseded call: the worker task sees its signal fire; the late result is dropped', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const q = b.store('q', { initial: 0 })
    const out = b.store<unknown>('out')
    b.callback({
      id: 'wait',
      inputs: [q],
      outputs: [out],
      run: (v, ctx) => (v === 0 ? pool.task('waitAbort')(v, ctx) : pool.task('double')(v, ctx)),
    })
    void b.start()
    await until(b, () => b.inspect().callbacks[0]!.progress !== null)
    q.set(3) // supersedes the waiting run: the worker aborts it cooperatively, then runs double
    await b.idle()
    expect(out.get()).toBe(6)
    expect(b.inspect().callbacks[0]!.running).toBe(false)
  })

  it('F27 superseded call with hardCancel: a worker doing sync work is terminated and respawned', async () => {
    const b = board()
    let spawned = 0
    const pool = b.workers(() => (spawned++, tasksWorker()))
    const ms = b.store('ms', { initial: 60_000 })
    const out = b.store<unknown>('out')
    b.callback({ id: 'busy', inputs: [ms], outputs: [out], run: pool.task('busyReported'), hardCancel: true })
    void b.start()
    // The worker took the call and is in its loop.
    await until(b, () => b.inspect().callbacks[0]!.progress?.note === 'started')
    ms.set(1)
    await b.idle()
    expect(out.get()).toBe('finished')
    expect(spawned).toBe(2)
  })

  it('F27 a hard-cancelled worker loses the memory-only handles it held: the board warns, a task given one fails with handle-lost', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    const pool = b.workers(tasksWorker, { name: 'one' })
    const col = b.store<unknown>('col')
    const ms = b.store('ms', { initial: 60_000 })
    const out = b.store<unknown>('out')
    col.set(await pool.task('keepColumn')(10))
    b.callback({ id: 'busy', inputs: [ms], outputs: [out], run: pool.task('busyReported'), hardCancel: true })
    void b.start()
    await until(b, () => b.inspect().callbacks[0]!.progress?.note === 'started')
    ms.set(1)
    await b.idle()
    expect(warnings.some((w) => w.includes('pool "one"') && w.includes('1 handle(s)'))).toBe(true)
    await expect(pool.task('total')(col.get())).rejects.toMatchObject({ code: 'handle-lost' })
  })

  it('F28 diamond with B and C in workers: D runs once per change and sees consistent B and C (as input and as state)', async () => {
    //      ┌──► [B: double] ──► b ──┐
    //  a ──┤                        ├──► [D] ──► d     (D reads c as state in the second graph)
    //      └──► [C: add 1]  ──► c ──┘
    for (const asState of [false, true]) {
      const bd = board()
      const pool = bd.workers(tasksWorker, { size: 2 })
      const a = bd.store('a', { initial: 1 })
      const bs = bd.store<number>('b')
      const cs = bd.store<number>('c')
      const d = bd.store<string>('d')
      const seen: string[] = []
      bd.callback({ id: 'B', inputs: [a], outputs: [bs], run: pool.task('double') })
      bd.callback({ id: 'C', inputs: [a], outputs: [cs], run: (v, ctx) => pool.task('add')(v, 1, ctx) })
      bd.callback({
        id: 'D',
        inputs: asState ? [bs] : [bs, cs],
        state: asState ? [cs] : [],
        outputs: [d],
        run: (...args: unknown[]) => {
          const [x, y] = args
          seen.push(`${x},${y}`)
          return `${x},${y}`
        },
      })
      await bd.start()
      expect(seen).toEqual(['2,2'])
      a.set(5)
      await bd.idle()
      expect(seen).toEqual(['2,2', '10,6'])
      expect(d.get()).toBe('10,6')
    }
  })

  it('an uncaught error in a worker after start: the board warns naming the pool; calls go on', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    const pool = b.workers(tasksWorker, { name: 'noisy' })
    expect(await pool.task('throwLater')()).toBe(1)
    await expect.poll(() => warnings.find((w) => w.includes('boom later'))).toContain('pool "noisy"')
    expect(await pool.task('double')(2)).toBe(4)
  })

  it('P3 calls do not wait for the life lock: a worker whose lock request never answers still answers its first and later calls', async () => {
    const b = board()
    const pool = b.workers(() => new Worker(new URL('./lock-never.worker.ts', import.meta.url), { type: 'module' }), {
      name: 'lockless',
    })
    // Before, the first call waited for the lock and never came back.
    const answers = await Promise.race([
      Promise.all([pool.task('double')(21), pool.task('double')(4)]),
      new Promise((resolve) => setTimeout(() => resolve('no answer within 20 s'), 20_000)),
    ])
    expect(answers).toEqual([42, 8])
    expect(pool.stats()).toMatchObject({ open: 0, workers: 1 })
  })

  it('F32 malformed worker messages: a reply or event of the wrong shape is dropped with a warning; the call fails, nothing hangs', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    const pool = b.workers(() => new Worker(new URL('./malformed.worker.ts', import.meta.url), { type: 'module' }), {
      name: 'odd',
    })
    const x = b.store('x', { initial: 1 })
    const out = b.store('out', { initial: 'before' })
    b.callback({ id: 'odd-one', inputs: [x], outputs: [out], run: pool.task('anything') })
    await b.start()
    expect(b.errors.get('odd-one')!.message).toMatch(/malformed reply/)
    expect(out.get()).toBe('before')
    await expect.poll(() => warnings.filter((w) => w.includes('pool "odd"') && w.includes('malformed')).length).toBe(2)
  })

  it('an unknown task fails with a clear error naming it and the tasks the worker has; "$" names are refused', async () => {
    const b = board()
    const pool = b.workers(tasksWorker)
    const x = b.store('x', { initial: 1 })
    const out = b.store('out')
    b.callback({ id: 'typo', inputs: [x], outputs: [out], run: pool.task('dubble') })
    await b.start()
    const err = b.errors.get('typo')!
    expect(err.code).toBe('unknown-task')
    expect(err.message).toContain('"dubble"')
    expect(err.message).toContain('"double"')
    expect(() => pool.task('$aggregate')).toThrow(TypeError)
  })

  it('board.dispose() terminates its pools and rejects pending calls', async () => {
    const b = board()
    const pool: WorkerPool = b.workers(tasksWorker)
    const pending = pool.task('slow')(5000)
    b.dispose()
    await expect(pending).rejects.toMatchObject({ code: 'terminated' })
    expect(pool.stats().workers).toBe(0)
  })
})

describe('safety (issue 10) and survivors (issue 11)', () => {
  it('S08 worker self.close(): its call in flight fails with exited, the queued call runs on a respawned worker, memory handles are lost, persisted ones read back, resolve() never hangs', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    let spawned = 0
    const pool = b.workers(() => (spawned++, tasksWorker()), { name: 'mortal' })
    const mem: Handle = await pool.task('keepColumn')(10)
    const kept: Handle = await pool.task('keepColumn')(10, true)
    const dying = pool.task('closeSelf')()
    const queued = pool.task('double')(21)
    // Sent to the worker that is closing (or already closed): must not hang.
    const resolving = b.resolve(mem)
    await expect(dying).rejects.toMatchObject({ name: 'WorkerError', code: 'exited' })
    await expect(dying).rejects.toThrow(/worker 0 of pool "mortal" exited/)
    await expect(resolving).rejects.toMatchObject({ name: 'WorkerError', code: 'handle-lost' })
    expect(await queued).toBe(42)
    expect(spawned).toBe(2)
    // 0 + 1 + … + 9
    await expect(b.resolve(mem)).rejects.toMatchObject({ name: 'WorkerError', code: 'handle-lost' })
    await expect(pool.task('total')(mem)).rejects.toMatchObject({ name: 'WorkerError', code: 'handle-lost' })
    expect([...((await b.resolve(kept)) as Float64Array)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(await pool.task('total')(kept)).toBe(45)
    expect(warnings.filter((w) => w.includes('pool "mortal"') && w.includes('exited'))).toHaveLength(1)
    expect(pool.stats()).toMatchObject({ open: 0, workers: 1 })
  })

  it('S08 worker self.close() in a callback with timeoutMs: the callback fails with exited, not a TimeoutError; the next run succeeds', async () => {
    //  task ──► [run: pool.task(task)(), timeoutMs 10 min] ──► out
    const b = board()
    const pool = b.workers(tasksWorker, { name: 'mortal' })
    const task = b.store('task', { initial: 'closeSelf' })
    const out = b.store<unknown>('out', { initial: 'before' })
    let runs = 0
    b.callback({
      id: 'quitter',
      inputs: [task],
      outputs: [out],
      timeoutMs: 600_000,
      run: (t, ctx) => (runs++, pool.task(t)(ctx)),
    })
    await b.start()
    const err = b.errors.get('quitter')!
    expect(err.cause).toMatchObject({ name: 'WorkerError', code: 'exited' })
    expect(out.get()).toBe('before')
    task.set('stashRead')
    await b.idle()
    // A fresh worker: nothing stashed yet.
    expect(out.get()).toBe(-1)
    expect(runs).toBe(2)
  })

  it('S08 a worker that closes itself while idle is noticed: the board warns, its memory handles are lost, the next call starts a new worker', async () => {
    const b = board()
    let spawned = 0
    const pool = b.workers(() => (spawned++, tasksWorker()), { name: 'idle' })
    const mem: Handle = await pool.task('keepColumn')(3)
    const exited = new Promise<string>((resolve) =>
      b.on('warning', (w) => w.message.includes('exited') && resolve(w.message)),
    )
    expect(await pool.task('closeLater')()).toBe('bye')
    expect(await exited).toContain('worker 0 of pool "idle" exited on its own')
    expect(pool.stats()).toMatchObject({ workers: 0, open: 0, handles: 0 })
    await expect(b.resolve(mem)).rejects.toMatchObject({ name: 'WorkerError', code: 'handle-lost' })
    expect(await pool.task('double')(4)).toBe(8)
    expect(spawned).toBe(2)
  })

  it('S15 task names are own properties of the exposed object: toString, constructor, __proto__ are unknown tasks', async () => {
    const pool = board().workers(tasksWorker)
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      await expect(pool.task(name)(1)).rejects.toMatchObject({
        code: 'unknown-task',
        message: expect.stringContaining(`"${name}"`),
      })
    }
    expect(await pool.task('double')(2)).toBe(4)
  })

  it('S19 an input that cannot be cloned fails as an input, naming the callback, the argument and the path', async () => {
    //  opts (holds a function) ──► [filterRows: echo in a worker] ──► out
    const b = board()
    const pool = b.workers(tasksWorker)
    const opts = b.store('opts', { initial: { rows: [1, 2], filter: { test: (x: number) => x > 1 } } })
    const out = b.store<unknown>('out', { initial: 'before' })
    b.callback({ id: 'filterRows', inputs: [opts], outputs: [out], run: pool.task('echo') })
    await b.start()
    const err = b.errors.get('filterRows')!
    expect(err.code).toBe('unserialisable-input')
    expect(err.message).toContain('callback "filterRows"')
    expect(err.message).toContain(
      'task "echo": an input cannot be sent to the worker: argument 1.filter.test is a function',
    )
    expect(err.message).not.toMatch(/result/)
    expect(out.get()).toBe('before')
    // An AbortSignal or a DOM node given directly.
    await expect(pool.task('echo')(1, new AbortController().signal)).rejects.toMatchObject({
      name: 'WorkerError',
      code: 'unserialisable-input',
      message: expect.stringContaining('argument 2 is an AbortSignal'),
    })
    await expect(pool.task('echo')([0, { el: document.createElement('div') }])).rejects.toMatchObject({
      code: 'unserialisable-input',
      message: expect.stringContaining('argument 1[1].el is an HTMLDivElement'),
    })
    // The worker was never involved: it goes on.
    expect(await pool.task('double')(2)).toBe(4)
  })

  it('S23 user data shaped like a handle is data: a task gets it as given; real handles still arrive as values', async () => {
    //  s (a look-alike) ──► [copy: echo in a worker] ──► out
    const b = board()
    const pool = b.workers(tasksWorker)
    const lookalike = { switchboard: 'handle', id: 'mine' }
    expect(await pool.task('echo')(lookalike)).toEqual(lookalike)
    expect(await pool.task('echo')([lookalike, 1])).toEqual([lookalike, 1])
    const s = b.store('s', { initial: lookalike })
    const out = b.store<unknown>('out')
    b.callback({ id: 'copy', inputs: [s], outputs: [out], run: pool.task('echo') })
    await b.start()
    expect(b.errors.size).toBe(0)
    expect(out.get()).toEqual(lookalike)
    const h = await pool.task('keepColumn')(4)
    // 0 + 1 + 2 + 3
    expect(await pool.task('total')(h)).toBe(6)
    // One level down, beside a look-alike: the handle becomes its value, the look-alike stays.
    const [value, same] = await pool.task('echo')([h, lookalike])
    expect([...value]).toEqual([0, 1, 2, 3])
    expect(same).toEqual(lookalike)
  })

  it('S23 a real memory-only handle of a pool that is gone still counts as a handle: handle-lost, not data', async () => {
    const b = board()
    const first = b.workers(tasksWorker, { name: 'first' })
    const h: Handle = await first.task('keepColumn')(4)
    first.terminate()
    const second = b.workers(tasksWorker, { name: 'second' })
    await expect(second.task('echo')(h)).rejects.toMatchObject({
      name: 'WorkerError',
      code: 'handle-lost',
      message: expect.stringContaining(
        `task "echo" got handle "${h.id}" (Float64Array(4)), held by a pool that is not running here`,
      ),
    })
  })

  it('S24 messages outside the protocol from a worker are dropped with one [switchboard] warning per kind and worker', async () => {
    const b = board()
    const warnings: string[] = []
    b.on('warning', (w) => warnings.push(w.message))
    const printed: string[] = []
    const spy = vi.spyOn(console, 'warn').mockImplementation((m: unknown) => void printed.push(String(m)))
    try {
      const pool = b.workers(tasksWorker, { name: 'chatty' })
      // Messages on one port arrive in order: the garbage is handled before the reply.
      expect(await pool.task('garbage')()).toBe('sent')
      expect(await pool.task('garbage')()).toBe('sent')
      const mine = warnings.filter((w) => w.includes('pool "chatty"'))
      expect(mine).toHaveLength(2)
      expect(mine[0]).toMatch(/worker 0 of pool "chatty" sent a message outside the switchboard protocol \(a string\)/)
      expect(mine[1]).toMatch(/worker 0 of pool "chatty" sent a message outside the switchboard protocol \(an object\)/)
      expect(printed.filter((m) => m.includes('pool "chatty"'))).toEqual(mine.map((m) => `[switchboard] ${m}`))
    } finally {
      spy.mockRestore()
    }
  })

  it('F19 one channel per worker: terminate() ends each worker once, nothing is posted to it after, and no port stays open', async () => {
    const log: string[][] = []
    const pool = board().workers(
      () => {
        const w = tasksWorker()
        const mine: string[] = []
        log.push(mine)
        const post = w.postMessage.bind(w)
        w.postMessage = ((m: { sb?: unknown }, t?: Transferable[]) => (
          mine.push(String(m?.sb)), post(m, t ?? [])
        )) as Worker['postMessage']
        const terminate = w.terminate.bind(w)
        w.terminate = () => (mine.push('terminate'), terminate())
        return w
      },
      { size: 2 },
    )
    await Promise.all([pool.task('slow')(20), pool.task('double')(1)])
    expect(log.map((mine) => mine.slice(0, 2))).toEqual([
      ['init', 'call'],
      ['init', 'call'],
    ])
    pool.terminate()
    pool.terminate()
    for (const mine of log) expect(mine.filter((m) => m === 'terminate')).toHaveLength(1)
    for (const mine of log) expect(mine.at(-1)).toBe('terminate')
    expect(pool.stats()).toMatchObject({ workers: 0, ports: 0, open: 0 })
  })

  it("board.clear() removes an earlier page's persisted handle that no pool of this page knows (F30)", async () => {
    const name = `worker-clear-${Date.now()}`
    const first = createBoard({ name, version: 1 })
    boards.push(first)
    const h: Handle = await first.workers(tasksWorker).task('keepColumn')(10, true)
    expect(await rawHandle(name, h.id)).toBeInstanceOf(Float64Array)
    first.dispose()
    // The "reloaded" page: same board name, a pool of its own that never saw the handle.
    const again = createBoard({ name, version: 1 })
    boards.push(again)
    expect(await again.workers(tasksWorker).task('double')(1)).toBe(2)
    await again.clear()
    expect(await rawHandle(name, h.id)).toBeUndefined()
  })
})
