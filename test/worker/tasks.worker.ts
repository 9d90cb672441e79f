/**
 * The fixture worker of the worker tests: small tasks, each showing one behaviour the
 * tests check from the main thread.
 */
import { exposeTasks, keep, noUpdate, PreventUpdate, type TaskCtx } from '../../src/worker/index'

class QuotaLikeError extends Error {
  override name = 'QuotaLikeError'
  code = 'E_QUOTA'
  constructor(message: string, cause?: unknown) {
    super(message, { cause })
  }
}

/** Module state the F20 test reads back: a typed array kept across calls. */
let stash: Float64Array | undefined

/** Many plain rows (over 1 MB: they may travel as JSON), with one odd value at the end. */
function rowsOf(n: number, odd: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => ({
    i,
    name: `row ${i}`,
    ok: i % 2 === 0,
    none: null,
    tags: ['a', i],
  }))
  const last = rows[n - 1]!
  if (odd === 'negzero') last.i = -0
  if (odd === 'nan') last.i = NaN
  if (odd === 'date') last.when = new Date(0)
  if (odd === 'undefined') last.none = undefined
  if (odd === 'proto')
    Object.defineProperty(last, '__proto__', { value: 'x', enumerable: true, configurable: true, writable: true })
  return rows
}

exposeTasks({
  double: (x: number) => x * 2,
  add: (a: number, b: number) => a + b,
  echo: (x: unknown) => x,
  sumArray: (xs: Float64Array) => xs.reduce((a, b) => a + b, 0),
  /** Fresh typed column: transferred to the main thread. */
  column: (n: number) => Float64Array.from({ length: n }, (_, i) => i),
  /** Kept column: only a handle crosses. */
  keepColumn: (n: number, persist?: unknown) =>
    keep(
      Float64Array.from({ length: n }, (_, i) => i),
      { persist: persist === true },
    ),
  keepTable: (n: number) =>
    keep({
      g: Array.from({ length: n }, (_, i) => (i % 2 ? 'b' : 'a')),
      v: Float64Array.from({ length: n }, (_, i) => i),
    }),
  /** A handle argument arrives as the value. */
  total: (xs: Float64Array) => xs.reduce((a, b) => a + b, 0),
  length: (xs: Float64Array) => xs.length,
  /** Keeps a column and returns the very same buffer too: the kept one must stay readable (F20). */
  keepAndReturn: (n: number) => {
    const xs = Float64Array.from({ length: n }, (_, i) => i)
    return [keep(xs), xs]
  },
  /** Returns the module-level stash (transferred), then reports its length on the next call. */
  stashMake: (n: number) => (stash = new Float64Array(n).fill(1)),
  stashRead: () => stash?.length ?? -1,
  fail: (msg: string) => {
    throw new QuotaLikeError(msg, new TypeError('inner cause'))
  },
  returnFunction: () => ({ ok: 1, f: () => 1 }),
  /** A function deeper than the worker's own check looks: only postMessage finds it. */
  returnDeepFunction: () => ({ a: { b: { c: { d: { e: { f: () => 1 } } } } } }),
  skip: () => noUpdate,
  skipSecond: (x: number) => [x + 1, noUpdate],
  prevent: () => {
    throw new PreventUpdate()
  },
  /** Progress then finish. */
  steps: async (n: number, ctx: TaskCtx) => {
    for (let i = 1; i <= n; i++) {
      ctx.progress(i / n, `step ${i}`)
      await new Promise((r) => setTimeout(r, 5))
    }
    return n
  },
  /** Reports progress, then waits until the test says so (a "gate" value in a shared flag is not needed: it waits on abort). */
  waitAbort: (_x: unknown, ctx: TaskCtx) =>
    new Promise((resolve) => {
      ctx.progress(0.5, 'waiting')
      ctx.signal.addEventListener('abort', () => resolve('aborted-' + String(ctx.signal.reason?.name)))
    }),
  slow: async (ms: number, ctx: TaskCtx) => {
    await new Promise((r) => setTimeout(r, ms))
    return ctx.signal.aborted ? 'late' : ms
  },
  /** Never returns: a synchronous infinite loop (F17). */
  spin: () => {
    for (;;) {
      // busy
    }
  },
  /** Sync work for a while (F27 hard cancel), unless terminated. */
  busy: (ms: number) => {
    const end = Date.now() + ms
    while (Date.now() < end) {
      // busy
    }
    return 'finished'
  },
  /** Says it started, then sync work (the progress message leaves before the loop blocks). */
  busyReported: (ms: number, ctx: TaskCtx) => {
    ctx.progress(0, 'started')
    const end = Date.now() + ms
    while (Date.now() < end) {
      // busy
    }
    return 'finished'
  },
  /** Returns, then throws from a timer: an uncaught error outside any call. */
  throwLater: () => {
    setTimeout(() => {
      throw new Error('boom later')
    })
    return 1
  },
  /** A handle buried two levels deep: not seen, so dropped (with a warning). */
  buried: (n: number) => ({ result: { column: keep(new Float64Array(n)) } }),
  /** The rows as the result, or inside it. */
  rowsIn: (n: number, odd: string) => ({ n, rows: rowsOf(n, odd) }),
  rows: (n: number, odd: string) => rowsOf(n, odd),
  ctxInfo: (_x: unknown, ctx: TaskCtx) => ({ callbackId: ctx.callbackId, triggered: [...ctx.triggered] }),
  /** Closes this worker's global from inside a task (S08): no event tells the page, and the call never answers. */
  closeSelf: () => {
    self.close()
    return new Promise(() => {})
  },
  /** Answers, then closes this worker's global from a timer (S08): it dies while idle. */
  closeLater: () => {
    setTimeout(() => self.close())
    return 'bye'
  },
  /** Posts messages outside the protocol on the worker's own port, then answers (S24): three strings, two objects. */
  garbage: () => {
    for (const m of ['junk', 'more junk', 'still junk', { hello: 1 }, { hello: 2 }]) postMessage(m)
    return 'sent'
  },
})
