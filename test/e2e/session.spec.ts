import type { Page } from '@playwright/test'
import { expect as baseExpect, test } from 'switchboard/testing'

// The walks take seconds on a busy machine: a safety net, not a speed claim.
const expect = baseExpect.configure({ timeout: 60_000 })
test.use({ boardTimeout: 60_000 })
test.setTimeout(120_000)

// demo/session.html (pattern 1):
//   seed, size (session) ─► [simulate] ─┬─► summary (session, JSON)   ─► [report]
//                                        └─► samples (session, base64) ─► [histogram]
// switchboard/testing fails each test on any console error or uncaught exception.

test('session: the expensive step runs once, two callbacks read its JSON and base64 stores', async ({
  page,
  boards,
}) => {
  await page.goto('demo/session.html')
  const board = await boards.get('demo-session')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(board).toHaveRun('simulate', 1)
  await expect(page.getByTestId('simulate-runs')).toHaveText('1')
  await expect(page.getByTestId('simulations')).toHaveText('1')
  await expect(page.getByTestId('report')).toContainText('100,000 walks')
  // Its initial call (no summary yet) and once after simulate.
  await expect(board).toHaveRun('report', 2)
  await expect(page.getByTestId('report-runs')).toHaveText('2')
  // The samples cross to the test as the Float32Array they are.
  const samples = await board.get<Float32Array>('samples')
  expect(samples).toBeInstanceOf(Float32Array)
  expect(samples.length).toBe(100_000)
  await expect(page.getByTestId('where-summary')).toHaveText('sessionStorage')
  await expect(page.getByTestId('where-samples')).toHaveText('sessionStorage')
  // 100 000 float32 samples = 400 000 bytes, about 533 000 base64 characters, 2 bytes each.
  await expect(page.getByTestId('bytes-samples')).toHaveText(/^1\.0\d MB$/)
  // The entry holds those bytes as standard base64 text inside its envelope: 4 characters
  // per 3 bytes, 533 336 of them, decoding to exactly 400 000 bytes.
  const base64 = await page.evaluate(() => {
    const longest = (v: unknown): string =>
      typeof v === 'string'
        ? v
        : v && typeof v === 'object'
          ? Object.values(v)
              .map(longest)
              .reduce((a, b) => (b.length > a.length ? b : a), '')
          : ''
    const best = longest(JSON.parse(sessionStorage.getItem('sb:demo-session:samples:')!))
    return { length: best.length, bytes: atob(best).length }
  })
  expect(base64).toEqual({ length: Math.ceil(400_000 / 3) * 4, bytes: 400_000 })
})

test('session: a reload restores summary and samples without running simulate again', async ({ page, boards }) => {
  await page.goto('demo/session.html')
  const board = await boards.get('demo-session')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('size').selectOption('25000')
  await expect(page.getByTestId('report')).toContainText('25,000 walks')
  await expect(page.getByTestId('simulations')).toHaveText('2')
  const report = await page.getByTestId('report').textContent()
  const samples = await board.get<Float32Array>('samples')
  await board.idle()

  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('report')).toHaveText(report!)
  // The handle reaches the reloaded board: restored, not recomputed, the same samples.
  await expect(board).toHaveRun('simulate', 0)
  await expect(board).toHaveStore('samples', samples)
  await expect(page.getByTestId('simulate-runs')).toHaveText('0')
  await expect(page.getByTestId('simulations')).toHaveText('2')
  // The histogram is a memory store: recomputed from the restored base64 samples.
  await expect(board).toHaveRun('histogram', 1)
  await expect(page.getByTestId('histogram-runs')).toHaveText('1')
  await expect(page.locator('[data-testid="histogram"] rect')).toHaveCount(40)
})

test('session: keyboard alone changes the seed and opens the dev panel with the right nodes', async ({ page }) => {
  await page.goto('demo/session.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('new-seed').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('new-seed')).toHaveText('New seed (2)')
  await expect(page.getByTestId('simulations')).toHaveText('2')

  await page.keyboard.press('Alt+Shift+D')
  const panel = page.getByTestId('devpanel')
  await expect(panel).toBeVisible()
  await expect(panel).toBeFocused()
  await expect(page.getByTestId('devpanel-counts')).toHaveText('7 stores · 3 callbacks · 10 edges')
  for (const id of ['simulate', 'histogram', 'report'])
    await expect(page.getByTestId(`devnode-${id}`)).toHaveAttribute('data-kind', 'callback')
  for (const id of ['seed', 'size', 'summary', 'samples', 'simulations', 'bins', 'line']) {
    await expect(page.getByTestId(`devnode-${id}`)).toHaveAttribute('data-kind', 'store')
  }
  await expect(page.getByTestId('devnode-simulate')).toHaveAttribute('data-runs', '2')
  await expect(page.getByTestId('devnode-samples')).toHaveAttribute('data-where', 'session')
  await expect(page.getByTestId('devnode-bins')).toHaveAttribute('data-where', 'memory')
  await expect(panel.locator('path[data-kind="state"]')).toHaveCount(1)
  await expect(panel.locator('path[data-kind="output"]')).toHaveCount(4)
  await expect(panel.locator('path[data-kind="input"]')).toHaveCount(5)

  // Tab to a node, Enter shows its details; Escape closes the panel.
  await page.getByTestId('devnode-simulate').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('devpanel-details')).toContainText('callback simulate')
  await page.keyboard.press('Escape')
  await expect(panel).toHaveCount(0)
  await expect(page.getByTestId('devpanel-toggle')).toBeFocused()
})

/**
 * Counts, from outside the page and across its reloads, the runs of `simulate` that did the
 * expensive work: a run that reports progress (only its walk loop does). The page's own
 * counters reset on reload and could not see a run made just before one.
 */
async function countSimulations(page: Page): Promise<{ total(): number }> {
  let total = 0
  await page.exposeBinding('sbSimulated', () => void total++)
  await page.addInitScript(() => {
    type Board = {
      on(t: 'status', fn: (e: { callback: string }) => void): () => void
      inspect(): { callbacks: Array<{ id: string; running: boolean; progress: unknown }> }
    }
    const w = globalThis as unknown as { sbSimulated(): void }
    // The demo shell sets `globalThis.board` before start: watch that board's simulate.
    Object.defineProperty(globalThis, 'board', {
      configurable: true,
      set(board: Board) {
        Object.defineProperty(globalThis, 'board', { value: board, writable: true, configurable: true })
        let counted = false
        board.on('status', ({ callback }) => {
          if (callback !== 'simulate') return
          const info = board.inspect().callbacks.find((c) => c.id === 'simulate')!
          if (!info.running) counted = false
          else if (info.progress && !counted) {
            counted = true
            w.sbSimulated()
          }
        })
      },
    })
  })
  return { total: () => total }
}

test('session: "Clear stored data and reload" does not run simulate before the reload', async ({ page }) => {
  const simulations = await countSimulations(page)
  await page.goto('demo/session.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('simulations')).toHaveText('1')
  expect(simulations.total()).toBe(1)

  const reloaded = page.waitForEvent('load')
  await page.getByTestId('clear').click()
  await reloaded
  await expect(page.getByTestId('ready')).toHaveText('yes')
  // The fresh page picks seed 1 and simulates once: one run after the clear, none before it.
  expect(simulations.total()).toBe(2)
  await expect(page.getByTestId('simulate-runs')).toHaveText('1')
  await expect(page.getByTestId('simulations')).toHaveText('1')
  await expect(page.getByTestId('report')).toContainText('100,000 walks')
})
