import { expect as baseExpect, type Page, test } from '@playwright/test'

// Loading and decoding 200 000 flights takes seconds on a busy machine: a safety net, not a
// speed claim.
const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

// The whole demo site: the landing page links every page, every page starts without a
// console error, and on every page the dev panel draws exactly the board's graph.

const pages = ['session', 'aggregate', 'shared', 'sessions', 'flights']

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

test('landing page links the five demo pages, and each opens', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('./')
  await expect(page.locator('h1')).toHaveText('Callbacks that share data, in the browser')
  for (const p of pages) {
    await page.goto('./')
    await page.locator(`main a[href="./demo/${p}.html"]`).click()
    await expect(page.getByTestId('ready')).toHaveText('yes')
    await expect(page).toHaveURL(new RegExp(`demo/${p}\\.html$`))
  }
  expect(errors).toEqual([])
})

for (const p of pages) {
  test(`${p}: the dev panel draws every store, callback and edge of the board, with its counts`, async ({ page }) => {
    const errors = watchConsole(page)
    await page.goto(`demo/${p}.html`)
    await expect(page.getByTestId('ready')).toHaveText('yes')
    // The toggle button, from the keyboard.
    await page.getByTestId('devpanel-toggle').focus()
    await page.keyboard.press('Enter')
    const panel = page.getByTestId('devpanel')
    await expect(panel).toBeVisible()
    const shape = await page.evaluate(() => {
      const i = (globalThis as any).board.inspect()
      return {
        stores: i.stores.map((s: any) => s.id),
        callbacks: i.callbacks.map((c: any) => [c.id, c.stats.runs]),
        edges: i.edges.length,
      }
    })
    await expect(page.getByTestId('devpanel-counts')).toHaveText(
      `${shape.stores.length} stores · ${shape.callbacks.length} callbacks · ${shape.edges} edges`,
    )
    await expect(panel.locator('[data-kind="store"]')).toHaveCount(shape.stores.length)
    await expect(panel.locator('g[data-kind="callback"]')).toHaveCount(shape.callbacks.length)
    await expect(panel.locator('path[data-kind]')).toHaveCount(shape.edges)
    for (const [id, runs] of shape.callbacks)
      await expect(page.getByTestId(`devnode-${id}`)).toHaveAttribute('data-runs', String(runs))
    await page.getByTestId('devpanel-close').click()
    await expect(panel).toHaveCount(0)
    expect(errors).toEqual([])
  })
}

test('flights: the dev panel shows the table living in the worker, and a long worker load running with progress', async ({
  page,
}) => {
  test.setTimeout(180_000)
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('rows')).toHaveText('200,000')
  await page.keyboard.press('Alt+Shift+D')
  await expect(page.getByTestId('devnode-table')).toHaveAttribute('data-where', 'worker')
  // A handle stands for the columns held by the worker: delay and distance (int16) and
  // time (float32) for 200 000 flights, 8 bytes a flight, plus the few fields of the handle
  // itself (DESIGN: its JSON is well under 1 KB).
  const bytes = Number(await page.getByTestId('devnode-table').getAttribute('data-bytes'))
  expect(bytes - 200_000 * (2 + 2 + 4)).toBeGreaterThanOrEqual(0)
  expect(bytes - 200_000 * (2 + 2 + 4)).toBeLessThan(1024)
  await expect(page.getByTestId('devnode-filters')).toHaveAttribute('data-where', 'session')
  await expect(page.getByTestId('devnode-crossfilter')).toHaveAttribute('data-state', 'idle')
  // 3 million rows take seconds to fetch and decode in the worker: the node shows it running.
  await page.getByTestId('dataset').selectOption('3m')
  await expect(page.getByTestId('devnode-load')).toHaveAttribute('data-state', 'running')
  await expect(page.getByTestId('devprogress-load')).toBeVisible()
  await expect(page.getByTestId('rows')).toHaveText('3,000,000', { timeout: 60_000 })
  await expect(page.getByTestId('devnode-load')).toHaveAttribute('data-state', 'idle')
})

test('shared: a reload shows simulate answered from the cache in the dev panel', async ({ page }) => {
  await page.goto('demo/shared.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.evaluate(() => (globalThis as any).board.idle())
  await page.reload()
  await expect(page.getByTestId('simulate-hits')).toHaveText('1')
  await page.keyboard.press('Alt+Shift+D')
  await expect(page.getByTestId('devnode-simulate')).toHaveAttribute('data-hits', '1')
  await expect(page.getByTestId('devnode-simulate')).toHaveAttribute('data-runs', '0')
})
