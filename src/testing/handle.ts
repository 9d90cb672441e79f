/**
 * The test side of one board: every method is one `evaluate` in the page (or frame) that
 * holds the board, through bridge.ts, with values crossing on the wire (wire.ts). A handle
 * names a board, not an object: after a reload it reaches the page's new board of that
 * name, waiting (up to its timeout) for it to start.
 */
import type { Frame, Page } from '@playwright/test'
import { canonicalId, type StoreId } from '../graph/ids'
import type { Inspection, Stats } from '../index'
import { bridge, type Op, type Reply, type Request } from './bridge'
import { wire } from './wire'

const { encode, decode } = wire()
const source = `(${bridge.toString()})((${wire.toString()})(), `

/** A callback's latest failure, as `board.errors` holds it. */
export interface BoardError {
  message: string
  /** The `code` of what the callback threw, when it had one. */
  code?: string
}

/**
 * One board of a page, driven from a Playwright test. Get it with `boards.get(name)`.
 * @example
 * const board = await boards.get('search')
 * await board.set('query', 'an')
 * await expect(board).toHaveStore('hits', ['banana'])
 */
export class BoardHandle {
  constructor(
    readonly name: string,
    /** The page or frame the board lives in. */
    readonly page: Page | Frame,
    /** How long each call waits for the board to be there and started (ms). */
    readonly timeout: number,
  ) {}

  /** A store's value, by its id: a string, or an object id (`{ type: 'item', index: 3 }`). */
  get<T = unknown>(storeId: StoreId): Promise<T> {
    return this.call('get', [idText(storeId)]) as Promise<T>
  }
  /** Sets a store, as `store.set(value)` in the page would (one wave). */
  async set(storeId: StoreId, value: unknown): Promise<void> {
    await this.call('set', [idText(storeId), value])
  }
  /**
   * Sets several stores in one wave (`board.batch`); every id is checked first. Object ids
   * go as pairs: `batch([[{ type: 'item', index: 0 }, 5], ['total', 0]])`.
   */
  async batch(values: Record<string, unknown> | ReadonlyArray<readonly [StoreId, unknown]>): Promise<void> {
    const pairs = Array.isArray(values)
      ? (values as ReadonlyArray<readonly [StoreId, unknown]>)
      : Object.entries(values as Record<string, unknown>)
    const record: Record<string, unknown> = {}
    for (const [id, v] of pairs) record[idText(id)] = v
    await this.call('batch', [record])
  }
  /** Resolves once no callback is pending and storage writes are done (`board.idle()`). */
  async idle(): Promise<void> {
    await this.call('idle', [])
  }
  inspect(): Promise<Inspection> {
    return this.call('inspect', []) as Promise<Inspection>
  }
  /** One callback's stats (`inspect().callbacks[i].stats`): runs, hits, misses, errors... */
  stats(callbackId: string): Promise<Stats> {
    return this.call('stats', [callbackId]) as Promise<Stats>
  }
  /** Each failing callback's latest error, by callback id (empty when none fails). */
  errors(): Promise<Record<string, BoardError>> {
    return this.call('errors', []) as Promise<Record<string, BoardError>>
  }
  /** This tab's session id, once its duplicated-tab check is done. */
  sessionId(): Promise<string> {
    return this.call('sessionId', []) as Promise<string>
  }
  /** `board.clear()`: forgets everything of the board name, in every tab. */
  async clear(): Promise<void> {
    await this.call('clear', [])
  }
  /** `board.clearSession()`: a new session, in every tab. */
  async clearSession(): Promise<void> {
    await this.call('clearSession', [])
  }

  /**
   * One operation in the page. Waits up to `waitMs` for the board (retrying across
   * navigations, when the page's context is replaced under the call); an error the page
   * reports (an unknown store...) is thrown at once.
   */
  async call(op: Op, args: unknown[], waitMs = this.timeout): Promise<unknown> {
    const deadline = Date.now() + waitMs
    let absent: Extract<Reply, { state: 'absent' }> | undefined
    for (;;) {
      const left = deadline - Date.now()
      // Short slices in the page, so a reload in between is met by a fresh call.
      const request: Request = { name: this.name, op, args: encode(args), waitMs: Math.max(0, Math.min(left, 1000)) }
      let reply: Reply
      try {
        reply = decode(await this.page.evaluate<string>(`${source}${JSON.stringify(request)})`)) as Reply
      } catch (e) {
        if (left > 0 && navigated(e)) {
          await new Promise((r) => setTimeout(r, 50))
          continue
        }
        throw e
      }
      if (reply.state === 'ok') return reply.value
      if (reply.state === 'error') throw new Error(reply.message)
      absent = reply
      if (Date.now() >= deadline) break
    }
    const others = absent.names.filter((n) => n !== this.name)
    throw new Error(
      absent.registered
        ? `board "${this.name}" did not start within ${waitMs} ms on ${absent.url} (it is registered: does the page call board.start()?).`
        : `no board "${this.name}" on ${absent.url} within ${waitMs} ms (${others.length ? `its boards: ${others.join(', ')}` : 'it has no registered board'}; a board made with register: false cannot be reached).`,
    )
  }
}

/**
 * The string a store id is known by in the page: itself, or an object id's canonical form
 * (keys sorted, JSON), the key of the board's store map and `store.id`.
 */
export function idText(id: StoreId): string {
  return typeof id === 'string' ? id : canonicalId(id, 'a store id given to the board handle')
}

/** The page's context went away under the call (a navigation or reload): try again. */
function navigated(e: unknown): boolean {
  return (
    e instanceof Error &&
    /Execution context was destroyed|Cannot find context|navigat|frame was detached/i.test(e.message)
  )
}
