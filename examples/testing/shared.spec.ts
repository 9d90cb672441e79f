// A user's Playwright test of a switchboard page, written with switchboard/testing: the
// demo's "shared computation" page (demo/shared.html), in one tab and then two.
//
//                                               ┌─► [mean]      ─► meanOut
//   params (local) ─► [simulate] ─► paths ──────┼─► [quantiles] ─► quantOut
//                     cache: global              ├─► [histogram] ─► histOut
//                                               └─► [extremes]  ─► extOut
//
// Run it from the repository (it imports the built package, as an app would):
//   node scripts/build.mjs && npx playwright test examples/testing
// `npm test` runs it with the end-to-end suite.
import { expect, test } from 'switchboard/testing'

test('one simulation serves four callbacks; the page shows what the board holds', async ({ page, boards }) => {
  await page.goto('demo/shared.html')
  const board = await boards.get('demo-shared') // waits until the board has started

  // The initial wave: simulate once, each reader once, after it.
  await expect(board).toHaveRun('simulate', 1)
  for (const reader of ['mean', 'quantiles', 'histogram', 'extremes']) await expect(board).toHaveRun(reader, 1)

  // Values arrive typed: the simulated prices are the Float64Array the page holds.
  const prices = await board.get<Float64Array>('paths')
  expect(prices).toBeInstanceOf(Float64Array)
  expect(prices).toHaveLength(2000)
  const mean = (prices.reduce((a, b) => a + b, 0) / prices.length).toFixed(2)
  await expect(board).toHaveStore('meanOut', mean)
  await expect(page.getByTestId('mean')).toHaveText(mean)

  // Drive the graph from the test: new params, one more simulation, a cache miss.
  await board.set('params', { seed: 2, paths: 1000 })
  await expect(board).toHaveRun('simulate', 2)
  await expect(board).toBeIdle()
  expect(await board.stats('simulate')).toMatchObject({ runs: 2, misses: 2, hits: 0, errors: 0 })
  expect(await board.get('paths')).toHaveLength(1000)
  await expect(board).toHaveNoErrors()
})

test("a second tab follows the params and reads the first tab's result from the shared cache", async ({
  page,
  context,
  boards,
}) => {
  await page.goto('demo/shared.html')
  const first = await boards.get('demo-shared')
  await first.set('params', { seed: 7, paths: 1000 })
  await expect(first).toHaveRun('simulate', 2)
  await first.idle() // the result is in IndexedDB now

  const tab = await context.newPage()
  await tab.goto('demo/shared.html')
  const second = await boards.get('demo-shared', { page: tab })
  // params is a 'local' store: the new tab starts from seed 7, and its simulate is a hit.
  await expect(second).toHaveStore('params', { seed: 7, paths: 1000 })
  await expect(second).toHaveRun('simulate', 0)
  expect((await second.stats('simulate')).hits).toBe(1)
  await expect(second).toHaveStore('meanOut', await first.get('meanOut'))

  // A change in the second tab reaches the first; one of them computes, the other gets a hit.
  await tab.getByTestId('next-seed').click()
  await expect(first).toHaveStore('params', { seed: 8, paths: 1000 })
  await expect(first).toBeIdle()
  await expect(second).toBeIdle()
  const [a, b] = [await first.stats('simulate'), await second.stats('simulate')]
  expect(a.runs + b.runs).toBe(3) // seeds 1 and 7 in the first tab, seed 8 in one of them
  expect(a.hits + b.hits).toBe(2) // seed 7 in the second tab, seed 8 in the other one
  await expect(second).toHaveStore('meanOut', await first.get('meanOut'))
  // No console error and no uncaught exception in either tab, or the test fails.
})
