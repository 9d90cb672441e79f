import { expect as baseExpect, type Page, test } from '@playwright/test'
import { flights200k, groupByBin } from './reference'

// Loading and decoding 200 000 flights takes seconds on a busy machine: a safety net, not a
// speed claim.
const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

// demo/aggregate.html (pattern 2):
//   table (handle) ─┬─► [shipRows] (worker) ─► rows ─► [groupHere] ─► viaRows
//   groupBy ────────┴─► [upfront] (pool.aggregate in the worker) ───► viaUpfront

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}
/** Bytes as the demo writes them (demo/lib/shell.tsx fmtBytes), restated here. */
function fmtBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(2)} MB`
}

/**
 * Both charts' answers, read from their bars, checked group by group against a plain loop
 * over the raw file: same keys, exact counts, the mean delay to 1e-9.
 */
async function expectReferenceAnswer(page: Page, by: 'time' | 'distance', step: number): Promise<number> {
  const want = groupByBin(flights200k(), by, step)
  for (const chart of ['rows-chart', 'upfront-chart']) {
    const bars = page.locator(`[data-testid="${chart}"] rect`)
    await expect(bars).toHaveCount(want.length)
    const got = await bars.evaluateAll((rects) =>
      rects.map((r) => ({
        key: Number(r.dataset['key']),
        flights: Number(r.dataset['flights']),
        delay: Number(r.dataset['delay']),
      })),
    )
    expect(
      got.map((g) => g.key),
      chart,
    ).toEqual(want.map((w) => w.key))
    expect(
      got.map((g) => g.flights),
      chart,
    ).toEqual(want.map((w) => w.flights))
    got.forEach((g, i) => expect(Math.abs(g.delay - want[i]!.delay), `${chart} ${by} ${g.key}`).toBeLessThan(1e-9))
  }
  return want.length
}

test('aggregate: both ways give the reference answer; upfront ships a thousand times fewer bytes', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/aggregate.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('same')).toHaveText('same answer')
  const groups = await expectReferenceAnswer(page, 'time', 1)
  const rowsTotal = flights200k().length
  await expect(page.getByTestId('rows-groups')).toContainText(`${groups} groups`)
  await expect(page.getByTestId('upfront-groups')).toContainText(`${rowsTotal.toLocaleString('en-US')} flights`)
  // Shipped: time (float32, 4 bytes) and delay (int16, 2 bytes) per flight. Upfront: per
  // group a key, a count and a mean, 8 bytes each.
  const shipped = rowsTotal * (4 + 2)
  const upfront = groups * 3 * 8
  await expect(page.getByTestId('rows-bytes')).toHaveText(fmtBytes(shipped))
  await expect(page.getByTestId('upfront-bytes')).toHaveText(fmtBytes(upfront))
  await expect(page.getByTestId('ratio')).toHaveText(
    `${Math.round(shipped / upfront).toLocaleString('en-US')}× fewer bytes upfront`,
  )
  expect(errors).toEqual([])
})

test('aggregate: another question from the keyboard, answered both ways again', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/aggregate.html')
  await expect(page.getByTestId('same')).toHaveText('same answer')
  await page.getByTestId('group-by').focus()
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('group-by')).toHaveValue('distance')
  await expect(page.getByTestId('upfront-groups')).toContainText('mi')
  await expect(page.getByTestId('same')).toHaveText('same answer')
  await expectReferenceAnswer(page, 'distance', 250)
  await expect(page.getByTestId('rows-groups')).toHaveText((await page.getByTestId('upfront-groups').textContent())!)
  expect(errors).toEqual([])
})
