import { expect as baseExpect, type Locator, test } from '@playwright/test'

// Loading and decoding flights takes seconds on a busy machine (3 million rows: tens of
// seconds): safety nets, not speed claims. No time figure is compared with another here.
const expect = baseExpect.configure({ timeout: 60_000 })
test.setTimeout(240_000)

// demo/aggregate.html: the charts carry their axes and each bar's value; the times shown
// are measured by the page's timeBoth callback once both answers are in.

/** Each bar's mean delay next to the value label drawn for it, and the x-axis labels. */
async function chartOf(chart: Locator) {
  const bars = await chart
    .locator('rect.bar')
    .evaluateAll((rs) => rs.map((r) => ({ key: Number(r.dataset['key']), delay: Number(r.dataset['delay']) })))
  const values = await chart.locator('.values text').allTextContents()
  const x = await chart.locator('.axis text:not(.title)').allTextContents()
  return { bars, values, x }
}

test('aggregate: both charts have axes and a value on every bar; the times are measured, 200 000 and 3 million rows', async ({
  page,
}) => {
  await page.goto('demo/aggregate.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  for (const [n, flights] of [
    ['200k', '200,000'],
    ['3m', '3,000,000'],
  ] as const) {
    if (n === '3m') await page.getByTestId('dataset').selectOption('3m')
    await expect(page.getByTestId('upfront-groups')).toContainText(`${flights} flights`)
    await expect(page.getByTestId('same')).toHaveText('same answer')
    for (const id of ['rows-chart', 'upfront-chart']) {
      const chart = page.getByTestId(id)
      const { bars, values } = await chartOf(chart)
      expect(bars).toHaveLength(24)
      expect(values, id).toEqual(bars.map((b) => String(Math.round(b.delay))))
      // Hours 0 to 23: every other one labelled under its bar's left edge, and the titles.
      const xs = await chart.getByTestId(`${id}-x`).locator('text:not(.title)').allTextContents()
      expect(xs).toEqual(['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20', '22'])
      await expect(chart.getByTestId(`${id}-x`).locator('.title')).toHaveText(
        'hour of departure (h), from the left edge of each bar',
      )
      await expect(chart.getByTestId(`${id}-y`).locator('.title')).toHaveText('mean delay (min)')
      const ys = (await chart.getByTestId(`${id}-y`).locator('text:not(.title)').allTextContents()).map(Number)
      expect(ys).toContain(0)
      // The y ticks reach the highest bar.
      expect(Math.max(...ys)).toBeGreaterThanOrEqual(Math.max(...bars.map((b) => b.delay)))
    }
    // The times: what timeBoth measured, shown in the figures and the sentence under the controls.
    const summary = page.getByTestId('timing-summary')
    await expect(summary).toHaveText(
      /^Here: \d+ ms shipping rows, of which \d+ ms on the main thread, against \d+ ms upfront with none\.$/,
    )
    const [rows, main, up] = (await summary.textContent())!.match(/\d+/g)!
    await expect(page.getByTestId('rows-ms')).toHaveText(`${rows} ms`)
    await expect(page.locator('.figure', { has: page.getByTestId('rows-ms') })).toContainText(
      `${main} ms of it aggregating on the main thread`,
    )
    await expect(page.getByTestId('upfront-ms')).toHaveText(`${up} ms`)
    console.log(`[aggregate ${n}] ${await summary.textContent()}`)
  }
})
