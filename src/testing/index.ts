/**
 * switchboard/testing: Playwright's `test` and `expect`, extended for apps built on
 * switchboard (Dash's `dash_duo`, for Playwright). Runs in Node under @playwright/test
 * (an optional peer dependency); the page needs no test code: every board lists itself in
 * the page's registry (graph/registry.ts) unless made with `register: false`.
 *
 * @example
 * import { test, expect } from 'switchboard/testing'
 * test('search', async ({ page, boards }) => {
 *   await page.goto('/search.html')
 *   const board = await boards.get('search')
 *   await board.set('query', 'an')
 *   await expect(board).toHaveStore('hits', ['banana'])
 * })
 */
import {
  test as base,
  expect as baseExpect,
  type ConsoleMessage,
  type Frame,
  type Page,
  type WebError,
} from '@playwright/test'
import { BoardHandle } from './handle'
import { matchers } from './matchers'

export type { BoardError } from './handle'
export { BoardHandle } from './handle'
export type { MatcherOptions } from './matchers'

/** A console error or an uncaught exception of a page of the test's context. */
export interface PageProblem {
  kind: 'console' | 'pageerror'
  text: string
  /** The page's URL when it happened. */
  url: string
}

/**
 * Which page problems a test lets pass: `false` (default) none, `true` all, or those whose
 * text contains one of the strings or matches one of the patterns.
 */
export type AllowPageErrors = boolean | ReadonlyArray<string | RegExp>

/**
 * The page problems of this test (every page of its context), and a way to expect some.
 * A test with problems not allowed fails when it ends, listing them.
 */
export interface PageErrors {
  /** Every console error and uncaught exception so far, in order (Dash's `get_logs`). */
  readonly all: readonly PageProblem[]
  /** Lets the problems matching any pattern pass in this test; with no pattern, all of them. */
  allow(...patterns: Array<string | RegExp>): void
}

export interface BoardsOptions {
  /** The page or frame holding the board; default the test's `page`. */
  page?: Page | Frame
  /** How long to wait for the board to be there and started, and each later call on it (ms); default the `boardTimeout` option. */
  timeout?: number
}

/** The boards of the test's pages. */
export interface Boards {
  /**
   * Waits until a board of that name has started in the page (its initial wave settled)
   * and returns a handle on it. The latest board of that name wins; after a reload the
   * handle reaches the new one.
   * @example
   * const a = await boards.get('shop')                       // the test's page
   * const b = await boards.get('shop', { page: secondTab })  // another page of the context
   */
  get(name: string, options?: BoardsOptions): Promise<BoardHandle>
}

interface Fixtures {
  boards: Boards
  pageErrors: PageErrors
  /**
   * Page problems that do not fail the test (see `AllowPageErrors`).
   * @example test.use({ allowPageErrors: [/Failed to load resource/] })
   */
  allowPageErrors: AllowPageErrors
  /**
   * How long `boards.get` waits for a board to start, and each call of a handle for its
   * board (after a reload), in ms. Default 30 000: a board starts after its page has
   * loaded and restored its stores. Matchers use their own timeout instead.
   * @example test.use({ boardTimeout: 60_000 })
   */
  boardTimeout: number
}

// search, not test: a /g pattern's test() moves its lastIndex and would skip the next match.
const matches = (p: PageProblem, pattern: string | RegExp) =>
  typeof pattern === 'string' ? p.text.includes(pattern) : p.text.search(pattern) !== -1

/** Playwright's `test` with the `boards` and `pageErrors` fixtures and the `allowPageErrors` option. */
export const test = base.extend<Fixtures>({
  allowPageErrors: [false, { option: true }],
  boardTimeout: [30_000, { option: true }],

  // Automatic: a page error fails any test of this `test`, whether or not it uses `boards`.
  pageErrors: [
    async ({ context, allowPageErrors }, use) => {
      const all: PageProblem[] = []
      let allowed: AllowPageErrors = allowPageErrors
      const onConsole = (m: ConsoleMessage) => {
        if (m.type() === 'error')
          all.push({ kind: 'console', text: m.text(), url: m.page()?.url() ?? m.location().url })
      }
      const onError = (e: WebError) => {
        const err = e.error()
        all.push({ kind: 'pageerror', text: err.stack ?? `${err.name}: ${err.message}`, url: e.page()?.url() ?? '' })
      }
      context.on('console', onConsole)
      context.on('weberror', onError)
      await use({
        all,
        allow(...patterns) {
          if (allowed === true) return
          allowed = patterns.length === 0 ? true : [...(allowed || []), ...patterns]
        },
      })
      context.off('console', onConsole)
      context.off('weberror', onError)
      const final = allowed
      const left = final === true ? [] : all.filter((p) => !(final || []).some((pattern) => matches(p, pattern)))
      if (left.length) {
        const lines = left.map(
          (p) =>
            `  ${p.kind === 'console' ? 'console.error' : 'uncaught exception'} on ${p.url || 'a page'}: ${p.text}`,
        )
        throw new Error(
          `${left.length} page error${left.length === 1 ? '' : 's'} during this test:\n${lines.join('\n')}\n` +
            'A test passes only without them; allow the expected ones with test.use({ allowPageErrors: [/pattern/] }) or pageErrors.allow(/pattern/) in the test.',
        )
      }
    },
    { auto: true },
  ],

  boards: async ({ page, boardTimeout }, use) => {
    await use({
      async get(name, options = {}) {
        const handle = new BoardHandle(name, options.page ?? page, options.timeout ?? boardTimeout)
        await handle.call('ready', [])
        return handle
      },
    })
  },
})

/**
 * Playwright's `expect` with the board matchers: `toHaveStore(id, value)`,
 * `toHaveRun(callbackId, n)`, `toHaveNoErrors()`, `toBeIdle()`. Each retries until its
 * timeout (`{ timeout }` or the expect timeout) and prints what the board holds on failure.
 * @example
 * await expect(board).toHaveStore('total', 42)
 * await expect(board).toHaveRun('fetch', 1, { timeout: 60_000 })
 */
export const expect = baseExpect.extend(matchers)
