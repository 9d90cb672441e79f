// The user test of docs/testing-compare.md, in plain Playwright. Its twin,
// compare-helpers.spec.ts, is the same test with switchboard/testing. This one relies on
// what the demo pages add for it: the board as a global (`globalThis.board`) and a ready
// flag (`data-testid="ready"` reads "yes" once the board has started).
import { expect, test } from '@playwright/test'

type Board = { inspect(): { callbacks: Array<{ id: string; stats: { runs: number } }> }; idle(): Promise<void> }

test('shared page: one simulation for four readers, and one more for 1000 paths (plain Playwright)', async ({
  page,
}) => {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto('demo/shared.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  const runs = (id: string) =>
    page.evaluate(
      (id) =>
        (globalThis as unknown as { board: Board }).board.inspect().callbacks.find((c) => c.id === id)!.stats.runs,
      id,
    )
  await expect.poll(() => runs('simulate')).toBe(1)
  for (const reader of ['mean', 'quantiles', 'histogram', 'extremes']) await expect.poll(() => runs(reader)).toBe(1)
  const before = await page.getByTestId('mean').textContent()
  await page.getByTestId('paths').selectOption('1000')
  await expect.poll(() => runs('simulate')).toBe(2)
  for (const reader of ['mean', 'quantiles', 'histogram', 'extremes']) await expect.poll(() => runs(reader)).toBe(2)
  await page.evaluate(() => (globalThis as unknown as { board: Board }).board.idle())
  await expect(page.getByTestId('mean')).toHaveText(/^\d+\.\d\d$/)
  await expect(page.getByTestId('mean')).not.toHaveText(before!)
  expect(errors).toEqual([])
})
