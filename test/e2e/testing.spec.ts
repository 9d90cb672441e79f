import { type BoardHandle, expect, test } from 'switchboard/testing'

// switchboard/testing's own tests, against test/pages/testing.html (built, served as files):
//
//   n ─► [double] ─► doubled
//   n ─► [fragile] ─► checked          throws when n is 13
//   samples (Float32Array) ─► [sum] ─► total
//   gate ─► [hold] ─► held             waits for api.release() while gate is true
//   tags (Map), when (Date), note (session storage)

let k = 0
const unique = () => `testing-${Date.now()}-${++k}`
const url = (board: string, extra = '') => `test/pages/testing.html?board=${board}${extra}`
/** Matcher messages are coloured for terminals; the tests read the words. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the terminal colour codes removed here
const plain = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\u001b\[[0-9;]*m/g, '')
/** The error an assertion fails with (the test fails if it passes). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return plain(e)
  }
  throw new Error('expected the assertion to fail; it passed')
}

test('get waits for the board to start, then reads its stores after the initial wave', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name, '&manual'))
  let got = false
  const pending = boards.get(name).then((b) => ((got = true), b))
  // Registered but not started: get is still waiting (a look now, not a timing claim).
  await expect.poll(() => page.evaluate(() => typeof (globalThis as { api?: unknown }).api)).toBe('object')
  expect(got).toBe(false)
  await page.evaluate(() => (globalThis as unknown as { api: { start(): Promise<void> } }).api.start())
  const board = await pending
  // The default wait of boards.get and of each later call (the boardTimeout option).
  expect(board.timeout).toBe(30_000)
  expect(await board.get('doubled')).toBe(2)
  expect(await board.get('checked')).toBe(1)
  await expect(board).toHaveRun('double', 1)
})

test('set and batch: one wave each; matchers see the result; the DOM agrees', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  await board.set('n', 5)
  await expect(board).toHaveStore('doubled', 10)
  await expect(page.getByTestId('doubled')).toHaveText('10')
  await expect(board).toHaveRun('double', 2)
  // n twice in one batch: one wave, the last value, double runs once more.
  await board.batch({ n: 7, gate: false })
  await expect(board).toHaveStore('doubled', 14)
  await expect(board).toHaveRun('double', 3)
  await board.idle()
  expect(await board.stats('double')).toEqual({
    runs: 3,
    lastMs: expect.any(Number),
    avgMs: expect.any(Number),
    bytesIn: 0,
    bytesOut: 0,
    hits: 0,
    misses: 0,
    errors: 0,
  })
})

test('values cross both ways as structured data: typed arrays, Map, Date, undefined, NaN', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  const samples = await board.get<Float32Array>('samples')
  expect(samples).toBeInstanceOf(Float32Array)
  expect([...samples]).toEqual([0.5, 1.5])
  expect(await board.get('tags')).toEqual(new Map([['a', [1]]]))
  expect(await board.get('when')).toEqual(new Date(0))

  await board.set('samples', new Float32Array([1, 2, 3.5]))
  await expect(board).toHaveStore('total', 6.5)
  await expect(board).toHaveStore('samples', new Float32Array([1, 2, 3.5]))
  await board.set('tags', new Map([['b', [NaN, undefined]]]))
  await board.set('when', new Date(86_400_000))
  // What the page holds, seen from the page itself: the real types arrived.
  const kinds = await page.evaluate(() => {
    type S = { get(): unknown }
    const { stores } = (globalThis as unknown as { api: { stores: { samples: S; tags: S; when: S } } }).api
    const samples = stores.samples.get()
    const tags = stores.tags.get() as Map<string, unknown[]>
    const when = stores.when.get()
    return {
      samples: Object.prototype.toString.call(samples),
      tags:
        tags instanceof Map
          ? [...tags].map(([key, v]) => [
              key,
              v.map((x) => (x === undefined ? 'undefined' : Number.isNaN(x) ? 'NaN' : x)),
            ])
          : 'not a Map',
      when: when instanceof Date ? when.getTime() : 'not a Date',
    }
  })
  expect(kinds).toEqual({ samples: '[object Float32Array]', tags: [['b', ['NaN', 'undefined']]], when: 86_400_000 })
  const tags = await board.get<Map<string, unknown[]>>('tags')
  expect(Number.isNaN(tags.get('b')![0])).toBe(true)
  expect(tags.get('b')!.length).toBe(2)
  expect(tags.get('b')![1]).toBeUndefined()
})

test('errors, stats and toHaveNoErrors follow a failing callback and its recovery', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  await expect(board).toHaveNoErrors()
  await board.set('n', 13)
  await expect(board).not.toHaveNoErrors()
  expect(await board.errors()).toEqual({
    fragile: { message: 'callback "fragile" failed: Error: 13 is unlucky', code: 'UNLUCKY' },
  })
  expect((await board.stats('fragile')).errors).toBe(1)
  await board.set('n', 14)
  await expect(board).toHaveNoErrors()
  await expect(board).toHaveStore('checked', 14)
})

test('toBeIdle waits for a running callback; idle() resolves once it settles', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  await board.set('gate', true)
  await expect(board).not.toBeIdle()
  await page.evaluate(() => (globalThis as unknown as { api: { release(): void } }).api.release())
  await expect(board).toBeIdle()
  await board.idle()
  expect(await board.get('held')).toBe(true)
})

test("sessionId, clearSession and clear act on the page's board", async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  const first = await board.sessionId()
  expect(first).toMatch(/^[0-9a-f-]{36}$/)
  expect(first).toBe(
    await page.evaluate(
      () => (globalThis as unknown as { api: { board: { session: { id: string } } } }).api.board.session.id,
    ),
  )
  await board.set('note', 'kept')
  await board.idle()
  await board.clearSession()
  expect(await board.sessionId()).not.toBe(first)
  await expect(board).toHaveStore('note', 'none')
  await board.set('n', 4)
  await board.set('note', 'again')
  await expect(board).toHaveStore('doubled', 8)
  await board.clear()
  // clear() forgets everything of the board, memory stores included: back to the initials.
  await expect(board).toHaveStore('n', 1)
  await expect(board).toHaveStore('doubled', 2)
  await expect(board).toHaveStore('note', 'none')
})

test('a handle names a board: after a reload it reaches the new board of that name', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  await board.set('n', 9)
  await expect(board).toHaveStore('doubled', 18)
  await page.reload()
  // A new page, a new board: back at its initial values, first run of double.
  await expect(board).toHaveStore('doubled', 2)
  await expect(board).toHaveRun('double', 1)
})

test('several boards in one page, and boards in several pages of the context (multi-tab)', async ({
  page,
  context,
  boards,
}) => {
  const name = unique()
  await page.goto(url(name, '&second'))
  const second = await boards.get(`${name}-b`)
  await expect(second).toHaveStore('y', 'second')
  const other = await context.newPage()
  await other.goto(url(name))
  const a = await boards.get(name)
  const b = await boards.get(name, { page: other })
  await b.set('n', 21)
  await expect(b).toHaveStore('doubled', 42)
  // Memory stores: the other tab's board is another board.
  await expect(a).toHaveStore('doubled', 2)
  expect(b.page).toBe(other)
})

test('unknown ids fail at once, naming the board and listing what it has', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  expect(await failure(board.get('nope'))).toBe(
    `board "${name}" has no store "nope" (its stores: n, doubled, checked, samples, total, gate, held, tags, when, note).`,
  )
  expect(await failure(board.stats('nope'))).toBe(
    `board "${name}" has no callback "nope" (its callbacks: double, fragile, sum, hold).`,
  )
  // A batch with one unknown id writes nothing.
  expect(await failure(board.batch({ n: 3, nope: 1 }))).toContain('has no store "nope"')
  expect(await board.get('n')).toBe(1)
  expect(await failure(expect(board).toHaveRun('nope', 1, { timeout: 60_000 }))).toContain(
    `board "${name}" has no callback "nope"`,
  )
})

test('boards.get: a board made with register: false, or never started, cannot be reached; the message says why', async ({
  page,
  boards,
}) => {
  const hidden = unique()
  await page.goto(url(hidden, '&register=0&second'))
  // The second board (registered) is there, so the page is up.
  await boards.get(`${hidden}-b`)
  expect(await failure(boards.get(hidden, { timeout: 500 }))).toBe(
    `no board "${hidden}" on ${page.url()} within 500 ms (its boards: ${hidden}-b; a board made with register: false cannot be reached).`,
  )
  const idle = unique()
  await page.goto(url(idle, '&manual'))
  expect(await failure(boards.get(idle, { timeout: 500 }))).toBe(
    `board "${idle}" did not start within 500 ms on ${page.url()} (it is registered: does the page call board.start()?).`,
  )
})

test('a disposed board leaves the registry; the handle then cannot reach it', async ({ page, boards }) => {
  const name = unique()
  await page.goto(url(name))
  const board = await boards.get(name)
  const names = () =>
    page.evaluate(() =>
      [...(globalThis as unknown as { __switchboard: Set<{ name: string }> }).__switchboard].map((b) => b.name),
    )
  expect(await names()).toEqual([name])
  await page.evaluate(() => (globalThis as unknown as { api: { board: { dispose(): void } } }).api.board.dispose())
  expect(await names()).toEqual([])
  expect(await failure(board.call('get', ['n'], 300))).toContain(`no board "${name}"`)
})

test.describe('matcher failures print what the board holds', () => {
  test('toHaveStore: expected and received values, and the writing callback with its stats and last error', async ({
    page,
    boards,
  }) => {
    const name = unique()
    await page.goto(url(name))
    const board = await boards.get(name)
    await board.set('n', 13)
    const message = await failure(expect(board).toHaveStore('checked', 13, { timeout: 500 }))
    expect(message).toContain(`expect(board "${name}").toHaveStore("checked", expected)`)
    expect(message).toContain('Expected: 13')
    expect(message).toContain('Received: 1')
    expect(message).toContain('Timeout: 500 ms')
    expect(message).toContain(
      'Written by callback "fragile": runs 2, errors 1; last error: callback "fragile" failed: Error: 13 is unlucky',
    )
    // A typed array is printed as one.
    const typed = await failure(expect(board).toHaveStore('samples', new Float32Array([9]), { timeout: 300 }))
    expect(typed).toContain('Float32Array')
    expect(typed).toContain('No callback writes store "samples".')
    // .not: the value it should not have had.
    const not = await failure(expect(board).not.toHaveStore('doubled', 26, { timeout: 300 }))
    expect(not).toContain(`expect(board "${name}").not.toHaveStore("doubled", expected)`)
    expect(not).toContain('Expected: not 26')
  })

  test("toHaveRun: the callback's stats and last error", async ({ page, boards }) => {
    const name = unique()
    await page.goto(url(name))
    const board = await boards.get(name)
    await board.set('n', 13)
    await expect(board).not.toHaveNoErrors()
    const message = await failure(expect(board).toHaveRun('fragile', 5, { timeout: 500 }))
    expect(message).toContain(`expect(board "${name}").toHaveRun("fragile", 5)`)
    expect(message).toContain('Expected runs: 5')
    expect(message).toContain('Received runs: 2')
    expect(message).toContain(
      'callback "fragile": runs 2, errors 1; last error: callback "fragile" failed: Error: 13 is unlucky',
    )
    expect(message).toMatch(/stats: \{"runs":2,.*"errors":1\}/)
  })

  test('toHaveNoErrors: each failing callback with its message and code', async ({ page, boards }) => {
    const name = unique()
    await page.goto(url(name))
    const board = await boards.get(name)
    await board.set('n', 13)
    const message = await failure(expect(board).toHaveNoErrors({ timeout: 500 }))
    expect(message).toContain(`expect(board "${name}").toHaveNoErrors()`)
    expect(message).toContain(
      'Expected no failing callback; 1 fails:\n  fragile: callback "fragile" failed: Error: 13 is unlucky (code UNLUCKY)',
    )
  })

  test('toBeIdle: the callbacks still running, with their progress', async ({ page, boards }) => {
    const name = unique()
    await page.goto(url(name))
    const board = await boards.get(name)
    await board.set('gate', true)
    const message = await failure(expect(board).toBeIdle({ timeout: 500 }))
    expect(message).toContain(`expect(board "${name}").toBeIdle()`)
    expect(message).toContain('Expected the board to be idle; it was not within 500 ms.')
    expect(message).toContain(
      'Still running:\n  callback "hold": runs 1, errors 0, running now; last error: none; progress 0.5 (waiting for release)',
    )
    await page.evaluate(() => (globalThis as unknown as { api: { release(): void } }).api.release())
    await expect(board).toBeIdle()
  })

  test('a matcher on something else than a handle says what it expects', async () => {
    expect(await failure(expect({} as BoardHandle).toHaveStore('x', 1))).toBe(
      'toHaveStore expects a board handle from boards.get(name); it got object.',
    )
  })
})
