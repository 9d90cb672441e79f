import { expect, test } from '@playwright/test'

// Tab A: size ──► [make] (A's worker, keep with persist) ──► column (local store)
// Tab B:                                  column (storage event) ──► [total] (B's own worker)
// B's worker has never seen the column: it reads it from IndexedDB by the handle's id.
test('a persisted handle made in one tab is read by another tab\'s worker and resolved there', async ({ context }) => {
  const errors: string[] = []
  const a = await context.newPage()
  const b = await context.newPage()
  for (const p of [a, b]) p.on('pageerror', (e) => errors.push(e.message))
  await a.goto('test/pages/handles.html')
  await b.goto('test/pages/handles.html')
  await expect(a.getByTestId('ready')).toHaveText('yes')
  await expect(b.getByTestId('ready')).toHaveText('yes')

  await a.getByTestId('make').click()
  // 100 + 99 + … + 1
  await expect(a.getByTestId('total')).toHaveText('5050')
  await expect(b.getByTestId('handle')).toHaveText('Float64Array(100), persisted')
  await expect(b.getByTestId('total')).toHaveText('5050')
  await expect(b.getByTestId('resolved')).toHaveText('100')
  await expect(b.getByTestId('mine')).toHaveText('')
  expect(errors).toEqual([])
})
