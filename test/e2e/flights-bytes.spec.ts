import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect as baseExpect, test } from '@playwright/test'
import type { Board } from '../../src/index'

// Loading 200 000 flights takes seconds on a busy machine: a safety net, not a speed claim.
const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

/** Bytes as the demo writes them (demo/lib/shell.tsx fmtBytes), restated here. */
function fmtBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(2)} MB`
}

// demo/flights.html: table, filters ─► [crossfilter] (worker) ─► hists
//
// "Bytes to the page per brush" is the size of crossfilter's answer as the board's profile
// counts it (src/storage/size.ts: a number 8 bytes, a string 2 bytes a character), added up
// over the brushes and divided by the runs. This spec brushes three times from the keyboard,
// computes that figure from board.inspect(), checks the page shows it, and checks README.md
// says the same number: the two cannot drift apart again.
test('flights: bytes per brush, measured over three brushes, as the page shows and the README says', async ({
  page,
}) => {
  await page.goto('demo/flights.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('rows')).toHaveText('200,000')
  const stats = () =>
    page.evaluate(() => {
      const { board } = globalThis as unknown as { board: Board }
      const c = board.inspect().callbacks.find((x) => x.id === 'crossfilter')!
      return { runs: c.stats.runs, bytesOut: c.stats.bytesOut }
    })
  const before = await stats()
  const brushes: Array<[string, string, string]> = [
    ['from-delay', '30', 'delay 30 to 180'],
    ['to-distance', '1000', 'distance 0 to 1000'],
    ['from-time', '6', 'time 6 to 24'],
  ]
  for (const [id, value, shown] of brushes) {
    await page.getByTestId(id).fill(value)
    await page.getByTestId(id).press('Enter')
    await expect(page.getByTestId('brushes')).toContainText(shown)
    await page.evaluate(() => (globalThis as unknown as { board: Board }).board.idle())
  }
  const after = await stats()
  const runs = after.runs - before.runs
  expect(runs).toBe(3)
  const perBrush = (after.bytesOut - before.bytesOut) / runs
  // Every answer carries the same bins (3 histograms of fixed length): the same size each brush.
  expect(perBrush).toBe(before.bytesOut / before.runs)
  const measured = fmtBytes(perBrush)
  await expect(page.getByTestId('bin-bytes')).toHaveText(measured)
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8')
  const said = /about ([\d.]+ K?B) crosses to\s+the page per brush/.exec(readme)?.[1]
  expect(said, 'README.md: "about … crosses to the page per brush"').toBe(measured)
  console.log(`[flights-bytes] ${perBrush} bytes per brush (${measured}) over ${runs} brushes`)
})
