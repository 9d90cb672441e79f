import { expect, type Page, test } from '@playwright/test'

// demo/aggregate.html (pattern 2):
//   table (handle) ─┬─► [shipRows] (worker) ─► rows ─► [groupHere] ─► viaRows
//   groupBy ────────┴─► [upfront] (pool.aggregate in the worker) ───► viaUpfront

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}
/** "1.14 MB" → bytes. */
function parseBytes(text: string): number {
  const [n, unit] = text.split(' ')
  return Number(n) * ({ B: 1, KB: 1024, MB: 1024 * 1024 } as Record<string, number>)[unit!]!
}

test('aggregate: both ways give the same answer; upfront ships a thousand times fewer bytes', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/aggregate.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('same')).toHaveText('same answer')
  await expect(page.getByTestId('rows-groups')).toContainText('24 groups')
  await expect(page.getByTestId('upfront-groups')).toContainText('200,000 flights')
  const rows = parseBytes((await page.getByTestId('rows-bytes').textContent())!)
  const upfront = parseBytes((await page.getByTestId('upfront-bytes').textContent())!)
  // time (float32) and delay (int16) for 200 000 flights: 1.2 MB; 24 groups × 3 numbers.
  expect(rows).toBeGreaterThan(1_000_000)
  expect(upfront).toBeLessThan(2_000)
  await expect(page.getByTestId('ratio')).toHaveText(/× fewer bytes upfront/)
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
  await expect(page.getByTestId('rows-groups')).toHaveText((await page.getByTestId('upfront-groups').textContent())!)
  expect(errors).toEqual([])
})
