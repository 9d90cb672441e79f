import { expect as baseExpect, type Page, test } from '@playwright/test'
import { countWhere, flights200k } from './reference'

// Loading and decoding 200 000 flights takes seconds on a busy machine: a safety net, not a
// speed claim.
const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

// demo/flights.html:
//   dataset, base ─► [load] (worker) ─► table (handle)
//   table, filters ─► [crossfilter] (worker) ─► hists

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}
const num = async (page: Page, id: string) => Number((await page.getByTestId(id).textContent())!.replace(/,/g, ''))

test('flights: 200 000 rows stay in the worker; only bins reach the page', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('rows')).toHaveText('200,000')
  await expect(page.getByTestId('selected')).toHaveText('200,000')
  // The table is a handle on the page: its data (3 columns × 200 000) stays in the worker.
  await expect(page.getByTestId('table-bytes')).toHaveText(/MB$/)
  await expect(page.getByTestId('bin-bytes')).toHaveText(/KB$|B$/)
  const handleJson = await page.evaluate(() =>
    JSON.stringify((globalThis as any).board.inspect().stores.find((s: any) => s.id === 'table')),
  )
  expect(handleJson.length).toBeLessThan(1000)
  expect(errors).toEqual([])
})

test('flights: a keyboard brush on delay narrows the selection and the other histograms', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('rows')).toHaveText('200,000')

  const distanceAll = await num(page, 'count-distance')
  await page.getByTestId('from-delay').fill('60')
  await page.getByTestId('from-delay').press('Tab')
  await page.getByTestId('to-delay').fill('180')
  await page.getByTestId('to-delay').press('Enter')
  await expect(page.getByTestId('brushes')).toHaveText('delay 60 to 180')
  await expect(page.getByTestId('selected')).not.toHaveText('200,000')
  // The same counts by a plain loop over the raw file (test/e2e/reference.ts).
  const f = flights200k()
  const selected = countWhere(f, [['delay', 60, 180]])
  await expect(page.getByTestId('selected')).toHaveText(selected.toLocaleString('en-US'))
  // Crossfilter: distance and time count the delayed flights in their drawn bins (distance
  // 0-2500 mi, time 0-24 h); delay ignores its own brush and counts every flight it draws
  // (-60 to 180 min).
  const en = (n: number) => n.toLocaleString('en-US')
  await expect(page.getByTestId('count-distance')).toHaveText(
    en(
      countWhere(f, [
        ['delay', 60, 180],
        ['distance', 0, 2500],
      ]),
    ),
  )
  await expect(page.getByTestId('count-time')).toHaveText(
    en(
      countWhere(f, [
        ['delay', 60, 180],
        ['time', 0, 24],
      ]),
    ),
  )
  await expect(page.getByTestId('count-delay')).toHaveText(en(countWhere(f, [['delay', -60, 180]])))
  expect(distanceAll).toBe(countWhere(f, [['distance', 0, 2500]]))
  // The selection is what the worker counted under the brush: the session store keeps it.
  const filters = await page.evaluate(() => sessionStorage.getItem('sb:demo-flights:filters:'))
  expect(filters).toContain('60')

  // The brush survives a reload (session store) and the figures come back the same.
  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('brushes')).toHaveText('delay 60 to 180')
  await expect(page.getByTestId('selected')).toHaveText(selected.toLocaleString('en-US'))

  await page.getByTestId('reset').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('selected')).toHaveText('200,000')
  expect(errors).toEqual([])
})

test('flights: dragging across a histogram brushes it', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('rows')).toHaveText('200,000')
  const over = page.locator('[data-testid="chart-time"] .u-over')
  const box = (await over.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 })
  await page.mouse.up()
  await expect(page.getByTestId('brushes')).toHaveText(/^time \d+ to \d+$/)
  await expect(page.getByTestId('selected')).not.toHaveText('200,000')
  expect(errors).toEqual([])
})

test('flights: a missing file shows an error naming the callback and the file', async ({ page }) => {
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('dataset').selectOption('5m')
  await expect(page.getByTestId('errors')).toContainText('load failed')
  await expect(page.getByTestId('errors')).toContainText('flights-5m.arrow is not on this site')
  // Back to a real file: the error clears.
  await page.getByTestId('dataset').selectOption('200k')
  await expect(page.getByTestId('errors')).toHaveCount(0)
  await expect(page.getByTestId('rows')).toHaveText('200,000')
})

test('flights: the 3 million row parquet file loads in the worker with a progress bar', async ({ page }) => {
  test.setTimeout(180_000)
  const errors = watchConsole(page)
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('dataset').selectOption('3m')
  await expect(page.getByTestId('progress-load')).toBeVisible()
  await expect(page.getByTestId('rows')).toHaveText('3,000,000', { timeout: 60_000 })
  await expect(page.getByTestId('progress-load')).toHaveCount(0)
  await page.getByTestId('from-time').fill('6')
  await page.getByTestId('from-time').press('Enter')
  await expect(page.getByTestId('brushes')).toHaveText('time 6 to 24')
  await expect(page.getByTestId('selected')).not.toHaveText('3,000,000')
  expect(errors).toEqual([])
})
