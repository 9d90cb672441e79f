/**
 * Matchers on a board handle. Each retries until it passes or its timeout (the
 * assertion's `timeout` option, else the project's expect timeout), like Playwright's
 * web-first assertions, and says on failure what the board holds: the store's value and
 * the stats and last error of the callback writing it, a callback's stats, the errors.
 */
import type { ExpectMatcherState, MatcherReturnType } from '@playwright/test'
import { type CallbackFamily, familyInfo } from '../devtools/families'
import type { StoreId } from '../graph/ids'
import type { CallbackInfo, Inspection } from '../index'
import { BoardHandle, idText } from './handle'

/** Options of every board matcher. */
export interface MatcherOptions {
  /** How long to retry (ms); default the expect timeout. */
  timeout?: number
}

/** Between two looks at the page (then 1 s), as Playwright's own assertions retry. */
const intervals = [100, 250, 500, 1000]

/**
 * Calls `look` until it says `want` or the time is up; the last look's result is kept for
 * the message. A look that throws (an unknown store) ends the wait at once.
 */
async function retry<T>(timeout: number, want: boolean, look: (left: number) => Promise<{ ok: boolean; seen: T }>) {
  const deadline = Date.now() + timeout
  for (let i = 0; ; i++) {
    const { ok, seen } = await look(Math.max(0, deadline - Date.now()))
    if (ok === want || Date.now() >= deadline) return { ok, seen }
    await new Promise((r) =>
      setTimeout(r, Math.min(intervals[Math.min(i, intervals.length - 1)]!, Math.max(0, deadline - Date.now()))),
    )
  }
}

function handleOf(received: unknown, matcher: string): BoardHandle {
  if (received instanceof BoardHandle) return received
  throw new TypeError(`${matcher} expects a board handle from boards.get(name); it got ${typeof received}.`)
}

/**
 * Equality as `toEqual` has it, over what crosses the wire: primitives by Object.is, Dates
 * by time, typed arrays and ArrayBuffers by type and content, Maps and Sets by content,
 * objects ignoring undefined properties, and asymmetric matchers (`expect.any(Number)`).
 * (Playwright does not hand custom matchers its `equals`.)
 */
function same(a: unknown, b: unknown): boolean {
  if (isAsymmetric(b)) return b.asymmetricMatch(a)
  if (isAsymmetric(a)) return a.asymmetricMatch(b)
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime())
  if (a instanceof RegExp) return String(a) === String(b)
  if (a instanceof Error) return a.name === (b as Error).name && a.message === (b as Error).message
  if (a instanceof ArrayBuffer) return same(new Uint8Array(a), new Uint8Array(b as ArrayBuffer))
  if (a instanceof DataView) {
    return same(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      new Uint8Array((b as DataView).buffer, (b as DataView).byteOffset, (b as DataView).byteLength),
    )
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>
    if (a.size !== m.size) return false
    const rest = [...m]
    return [...a].every(([k, v]) => {
      const i = rest.findIndex(([k2, v2]) => same(k, k2) && same(v, v2))
      return i >= 0 && rest.splice(i, 1).length === 1
    })
  }
  if (a instanceof Set) {
    const rest = [...(b as Set<unknown>)]
    if (a.size !== rest.length) return false
    return [...a].every((v) => {
      const i = rest.findIndex((v2) => same(v, v2))
      return i >= 0 && rest.splice(i, 1).length === 1
    })
  }
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>
    const y = b as ArrayLike<unknown>
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false
    return true
  }
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined)
  const ka = keys(a)
  const kb = keys(b)
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  )
}

function isAsymmetric(v: unknown): v is { asymmetricMatch(other: unknown): boolean } {
  return !!v && typeof v === 'object' && typeof (v as { asymmetricMatch?: unknown }).asymmetricMatch === 'function'
}

/** What a callback did, in one line: runs, errors, cache, running, last error. */
function describeCallback(c: CallbackInfo): string {
  const s = c.stats
  const cache = c.cached ? `, hits ${s.hits}, misses ${s.misses}` : ''
  return `callback "${c.id}": runs ${s.runs}, errors ${s.errors}${cache}${c.running ? ', running now' : ''}; last error: ${c.error ?? 'none'}`
}

/** The callbacks writing `storeId`, described; or why none is. */
async function writersOf(board: BoardHandle, storeId: string): Promise<string> {
  const info = await board.inspect().catch(() => undefined)
  if (!info) return ''
  const writers = info.callbacks.filter((c) => c.outputs.includes(storeId))
  if (!writers.length) return `\nNo callback writes store "${storeId}".`
  return `\nWritten by ${writers.map(describeCallback).join('\n           ')}`
}

/** A callback of the inspection, or a pattern callback as its instances added up. */
function callbackIn(
  info: Pick<Inspection, 'callbacks'> & { families?: CallbackFamily[] },
  id: string,
): CallbackInfo | undefined {
  const c = info.callbacks.find((x) => x.id === id)
  if (c) return c
  const f = info.families?.find((x) => x.id === id)
  return f && familyInfo(f)
}

const hint = (state: ExpectMatcherState, board: BoardHandle, matcher: string, args: string) =>
  `expect(board "${board.name}")${state.isNot ? '.not' : ''}.${matcher}(${args})`

export const matchers = {
  /**
   * The store holds a value equal to `expected` (toEqual semantics, typed arrays and Maps
   * compared by content), retrying until the timeout.
   */
  async toHaveStore(
    this: ExpectMatcherState,
    received: BoardHandle,
    given: StoreId,
    expected: unknown,
    options?: MatcherOptions,
  ): Promise<MatcherReturnType> {
    const board = handleOf(received, 'toHaveStore')
    // An object id is asked for, and named in the message, by its canonical string.
    const storeId = idText(given)
    const timeout = options?.timeout ?? this.timeout
    const { ok, seen } = await retry(timeout, !this.isNot, async (left) => {
      const value = await board.call('get', [storeId], left)
      return { ok: same(value, expected), seen: value }
    })
    const detail = ok === this.isNot ? await writersOf(board, storeId) : ''
    const u = this.utils
    return {
      pass: ok,
      name: 'toHaveStore',
      expected,
      actual: seen,
      message: () =>
        `${hint(this, board, 'toHaveStore', `${JSON.stringify(storeId)}, expected`)}\n\n` +
        (this.isNot
          ? `Expected: not ${u.printExpected(expected)}\nReceived: ${u.printReceived(seen)}`
          : u.printDiffOrStringify(expected, seen, 'Expected', 'Received', false)) +
        `\nTimeout: ${timeout} ms` +
        detail,
    }
  },

  /** The callback's `stats.runs` equals `n`, retrying until the timeout. */
  async toHaveRun(
    this: ExpectMatcherState,
    received: BoardHandle,
    callbackId: string,
    n: number,
    options?: MatcherOptions,
  ): Promise<MatcherReturnType> {
    const board = handleOf(received, 'toHaveRun')
    const timeout = options?.timeout ?? this.timeout
    const { ok, seen } = await retry(timeout, !this.isNot, async (left) => {
      const info = (await board.call('inspect', [], left)) as Pick<Inspection, 'callbacks'> & {
        families?: CallbackFamily[]
      }
      const c = callbackIn(info, callbackId)
      if (!c)
        throw new Error(
          `board "${board.name}" has no callback "${callbackId}" (its callbacks: ${info.callbacks.map((x) => x.id).join(', ') || 'none'}).`,
        )
      return { ok: c.stats.runs === n, seen: c }
    })
    return {
      pass: ok,
      name: 'toHaveRun',
      expected: n,
      actual: seen.stats.runs,
      message: () =>
        `${hint(this, board, 'toHaveRun', `"${callbackId}", ${n}`)}\n\n` +
        `Expected runs: ${this.isNot ? 'not ' : ''}${this.utils.printExpected(n)}\nReceived runs: ${this.utils.printReceived(seen.stats.runs)}\nTimeout: ${timeout} ms\n` +
        `${describeCallback(seen)}\nstats: ${JSON.stringify(seen.stats)}`,
    }
  },

  /** No callback of the board is failing (`board.errors` is empty), retrying until the timeout. */
  async toHaveNoErrors(
    this: ExpectMatcherState,
    received: BoardHandle,
    options?: MatcherOptions,
  ): Promise<MatcherReturnType> {
    const board = handleOf(received, 'toHaveNoErrors')
    const timeout = options?.timeout ?? this.timeout
    const { ok, seen } = await retry(timeout, !this.isNot, async (left) => {
      const errors = (await board.call('errors', [], left)) as Record<string, { message: string; code?: string }>
      return { ok: Object.keys(errors).length === 0, seen: errors }
    })
    const listed = Object.entries(seen).map(([id, e]) => `  ${id}: ${e.message}${e.code ? ` (code ${e.code})` : ''}`)
    return {
      pass: ok,
      name: 'toHaveNoErrors',
      actual: seen,
      message: () =>
        `${hint(this, board, 'toHaveNoErrors', '')}\n\n` +
        (this.isNot
          ? 'Expected a failing callback; none fails.'
          : `Expected no failing callback; ${listed.length} fail${listed.length === 1 ? 's' : ''}:\n${listed.join('\n')}`) +
        `\nTimeout: ${timeout} ms`,
    }
  },

  /**
   * The board is idle (no callback pending, storage writes done) within the timeout.
   * On failure, lists the callbacks still running and their progress.
   */
  async toBeIdle(
    this: ExpectMatcherState,
    received: BoardHandle,
    options?: MatcherOptions,
  ): Promise<MatcherReturnType> {
    const board = handleOf(received, 'toBeIdle')
    const timeout = options?.timeout ?? this.timeout
    // The page itself waits for idle(), up to the time left; no polling for the positive case.
    const { ok } = await retry(timeout, !this.isNot, async (left) => {
      const idle = (await board.call('idleWithin', [this.isNot ? 0 : left], left)) as boolean
      return { ok: idle, seen: idle }
    })
    let busy = ''
    if (ok === this.isNot && !this.isNot) {
      const info = await board.inspect().catch(() => undefined)
      const running = info?.callbacks.filter((c) => c.running) ?? []
      busy = running.length
        ? `\nStill running:\n${running.map((c) => `  ${describeCallback(c)}${c.progress ? `; progress ${c.progress.fraction}${c.progress.note ? ` (${c.progress.note})` : ''}` : ''}`).join('\n')}`
        : '\nNo callback is running: storage writes (or a lazily loaded part) are still pending.'
    }
    return {
      pass: ok,
      name: 'toBeIdle',
      message: () =>
        `${hint(this, board, 'toBeIdle', '')}\n\n` +
        (this.isNot
          ? 'Expected the board to be busy; it is idle.'
          : `Expected the board to be idle; it was not within ${timeout} ms.`) +
        busy,
    }
  },
}
