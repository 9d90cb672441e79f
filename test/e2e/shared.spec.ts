import { expect, type Page, test } from '@playwright/test'

// demo/shared.html (pattern 3):
//   params (local) ─► [simulate] (cache: global) ─► paths ─► [mean] [quantiles] [histogram] [extremes]

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}
/**
 * The demo's answer for seed 1, computed here without the demo or the library: mulberry32,
 * Box-Muller, geometric Brownian motion from 100 over 250 days (mu 5 %, sigma 20 % a year),
 * the mean of the final prices to two decimals. Both sides run V8's Math, so it is exact.
 */
function referenceMean(seed: number, n: number): string {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next())
  const days = 250
  const mu = 0.05 / days
  const sigma = 0.2 / Math.sqrt(days)
  let sum = 0
  for (let j = 0; j < n; j++) {
    let price = 100
    for (let d = 0; d < days; d++) price *= Math.exp(mu - (sigma * sigma) / 2 + sigma * normal())
    sum += price
  }
  return (sum / n).toFixed(2)
}

const idle = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { board: { idle(): Promise<void> } }).board.idle())

test('shared: one execution serves four callbacks; a reload is a cache hit', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/shared.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('executions')).toHaveText('1')
  await expect(page.getByTestId('simulate-runs')).toHaveText('1')
  await expect(page.getByTestId('simulate-misses')).toHaveText('1')
  // Each reader runs once: the initial wave waits for the async simulate upstream (guarantee 1).
  for (const id of ['mean', 'quantiles', 'histogram', 'extremes'])
    await expect(page.getByTestId(`${id}-runs`)).toHaveText('1')
  const mean = await page.getByTestId('mean').textContent()
  expect(mean).toBe(referenceMean(1, 2000))
  await idle(page)

  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('simulate-hits')).toHaveText('1')
  await expect(page.getByTestId('simulate-runs')).toHaveText('0')
  await expect(page.getByTestId('executions')).toHaveText('1')
  await expect(page.getByTestId('mean')).toHaveText(mean!)
  expect(errors).toEqual([])
})

test('shared: two tabs, one computation: the second tab follows the first and reads its result', async ({
  context,
}) => {
  const a = await context.newPage()
  const b = await context.newPage()
  const errors = [...watchConsole(a), ...watchConsole(b)]
  await a.goto('demo/shared.html')
  await expect(a.getByTestId('ready')).toHaveText('yes')
  await b.goto('demo/shared.html')
  await expect(b.getByTestId('ready')).toHaveText('yes')
  // b's first value came from a's computation, through the shared cache.
  await expect(b.getByTestId('simulate-runs')).toHaveText('0')
  await expect(b.getByTestId('simulate-hits')).toHaveText('1')
  await expect(a.getByTestId('executions')).toHaveText('1')

  // A new seed in tab a: the local store carries it to tab b; the computation runs once.
  await a.getByTestId('next-seed').click()
  await expect(a.getByTestId('next-seed')).toHaveText('Next seed (2)')
  await expect(b.getByTestId('next-seed')).toHaveText('Next seed (2)')
  await expect(a.getByTestId('mean')).not.toHaveText('…')
  await idle(a)
  await idle(b)
  await expect(b.getByTestId('mean')).toHaveText((await a.getByTestId('mean').textContent())!)
  await expect(a.getByTestId('executions')).toHaveText('2')
  await expect(b.getByTestId('executions')).toHaveText('2')
  // Either tab may win the lock for seed 2; together they executed once (plus a's first
  // run for seed 1), and the follower counted a cache hit (plus b's first load).
  const count = async (id: string) =>
    Number(await a.getByTestId(id).textContent()) + Number(await b.getByTestId(id).textContent())
  expect(await count('simulate-runs')).toBe(2)
  expect(await count('simulate-hits')).toBe(2)
  expect(errors).toEqual([])
})

test('shared: clearing the cache (board.clear) sends params back to seed 1, whose answer is computed again', async ({
  page,
}) => {
  const errors = watchConsole(page)
  await page.goto('demo/shared.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('next-seed').click()
  await expect(page.getByTestId('next-seed')).toHaveText('Next seed (2)')
  await idle(page)
  const before = Number(await page.getByTestId('executions').textContent())
  const misses = Number(await page.getByTestId('simulate-misses').textContent())
  await page.getByTestId('clear-cache').focus()
  await page.keyboard.press('Enter')
  // params went back to seed 1, whose cached answer is gone: one more execution.
  await expect(page.getByTestId('next-seed')).toHaveText('Next seed (1)')
  await expect(page.getByTestId('simulate-misses')).toHaveText(String(misses + 1))
  await expect(page.getByTestId('executions')).toHaveText(String(before + 1))
  await expect(page.getByTestId('mean')).not.toHaveText('…')
  expect(errors).toEqual([])
})

test('S18 clear() in tab A: tab B goes back to seed 1 and shows its full answer again, never a blank page', async ({
  context,
}) => {
  // Tab B is told of A's clear (and sees its localStorage entry go): its params go back to
  // initial and every callback downstream runs again, so mean, quantiles, histogram and
  // extremes are those of seed 1, as in tab A.
  const a = await context.newPage()
  const b = await context.newPage()
  const errors = [...watchConsole(a), ...watchConsole(b)]
  await a.goto('demo/shared.html')
  await expect(a.getByTestId('ready')).toHaveText('yes')
  await b.goto('demo/shared.html')
  await expect(b.getByTestId('ready')).toHaveText('yes')
  const seed1 = await a.getByTestId('mean').textContent()
  await a.getByTestId('next-seed').click()
  await expect(b.getByTestId('next-seed')).toHaveText('Next seed (2)')
  await idle(a)
  await idle(b)
  await expect(b.getByTestId('mean')).not.toHaveText(seed1!)

  await a.getByTestId('clear-cache').click()
  await expect(a.getByTestId('next-seed')).toHaveText('Next seed (1)')
  await expect(b.getByTestId('next-seed')).toHaveText('Next seed (1)')
  await expect(a.getByTestId('mean')).toHaveText(seed1!)
  await expect(b.getByTestId('mean')).toHaveText(seed1!)
  await expect(b.getByTestId('quantiles')).toHaveText((await a.getByTestId('quantiles').textContent())!)
  await expect(b.getByTestId('extremes')).toHaveText((await a.getByTestId('extremes').textContent())!)
  await expect(b.getByTestId('histogram').locator('rect')).toHaveCount(30)
  await idle(b)
  const pathsBytes = await b.evaluate(
    () =>
      (globalThis as unknown as { board: { inspect(): { stores: { id: string; bytes: number }[] } } }).board
        .inspect()
        .stores.find((s) => s.id === 'paths')!.bytes,
  )
  expect(pathsBytes).toBe(2000 * 8)
  expect(errors).toEqual([])
})
