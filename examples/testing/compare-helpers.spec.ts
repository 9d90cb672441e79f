// The user test of docs/testing-compare.md, with switchboard/testing. Its twin,
// compare-plain.spec.ts, is the same test in plain Playwright: same page, same steps, same
// checks. demo/shared.html:
//   params (local) ─► [simulate] (cache: global) ─► paths ─► [mean] [quantiles] [histogram] [extremes]
import { expect, test } from 'switchboard/testing'

test('shared page: one simulation for four readers, and one more for 1000 paths (switchboard/testing)', async ({
  page,
  boards,
}) => {
  await page.goto('demo/shared.html')
  const board = await boards.get('demo-shared')
  await expect(board).toHaveRun('simulate', 1)
  for (const reader of ['mean', 'quantiles', 'histogram', 'extremes']) await expect(board).toHaveRun(reader, 1)
  const before = await page.getByTestId('mean').textContent()
  await page.getByTestId('paths').selectOption('1000')
  await expect(board).toHaveRun('simulate', 2)
  for (const reader of ['mean', 'quantiles', 'histogram', 'extremes']) await expect(board).toHaveRun(reader, 2)
  await expect(board).toBeIdle()
  await expect(page.getByTestId('mean')).toHaveText(/^\d+\.\d\d$/)
  await expect(page.getByTestId('mean')).not.toHaveText(before!)
})
