import { expect, test } from '@playwright/test'

// count (local) ─► [square] ─► squared (idb)
//       ├────────► [encode] ─► bytes (session, base64)
//       └────────► [label]  ─► label (memory)
test('reload: session, local and idb stores survive; callbacks whose stores were all restored do not re-run', async ({
  page,
}) => {
  await page.goto('test/pages/persist.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('square-runs')).toHaveText('1')
  await page.getByTestId('bump').click()
  await page.getByTestId('bump').click()
  await page.getByTestId('bump').click()
  await expect(page.getByTestId('squared')).toHaveText('9')
  await expect(page.getByTestId('bytes')).toHaveText('3,1.5')
  await page.evaluate(() => (globalThis as unknown as { board: { idle(): Promise<void> } }).board.idle())

  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('count')).toHaveText('3')
  await expect(page.getByTestId('squared')).toHaveText('9')
  await expect(page.getByTestId('bytes')).toHaveText('3,1.5')
  await expect(page.getByTestId('label')).toHaveText('count is 3')
  // square and encode: inputs and outputs all restored, so no initial call; label's output is memory.
  await expect(page.getByTestId('square-runs')).toHaveText('0')
  await expect(page.getByTestId('encode-runs')).toHaveText('0')
  await expect(page.getByTestId('label-runs')).toHaveText('1')
})

test('local store follows another tab of the origin (real storage events)', async ({ context }) => {
  const a = await context.newPage()
  const b = await context.newPage()
  await a.goto('test/pages/persist.html')
  await b.goto('test/pages/persist.html')
  await expect(a.getByTestId('ready')).toHaveText('yes')
  await expect(b.getByTestId('ready')).toHaveText('yes')
  const before = Number(await b.getByTestId('count').textContent())
  await a.getByTestId('bump').click()
  await expect(b.getByTestId('count')).toHaveText(String(before + 1))
  await expect(b.getByTestId('label')).toHaveText(`count is ${before + 1}`)
})
