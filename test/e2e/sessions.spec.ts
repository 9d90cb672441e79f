import { expect, type Page, test } from '@playwright/test'

// demo/sessions.html (pattern 4):
//   basket (session) ─► [fingerprint] (cache: session) ─► report
//   name (local)     ─► [greet] ─► greeting

function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

async function addItem(page: Page, text: string) {
  // Keyboard only: type in the field, Enter submits.
  await page.getByTestId('item').fill(text)
  await page.getByTestId('item').press('Enter')
}

test('sessions: the basket and the session cache survive reload; clearing the basket keeps the cache', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/sessions.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  const sid = await page.getByTestId('session-id').textContent()
  await addItem(page, 'apples')
  await expect(page.getByTestId('report')).toContainText('apples →')
  await expect(page.getByTestId('basket')).toHaveText('apples')

  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(page.getByTestId('session-id')).toHaveText(sid!)
  await expect(page.getByTestId('basket')).toHaveText('apples')
  await expect(page.getByTestId('report')).toContainText('apples →')
  await expect(page.getByTestId('fingerprint-runs')).toHaveText('0')

  await page.getByTestId('clear-basket').click()
  await expect(page.getByTestId('basket')).toHaveText('')
  const runs = Number(await page.getByTestId('fingerprint-runs').textContent())
  await addItem(page, 'apples')
  await expect(page.getByTestId('report')).toContainText('apples →')
  // Same basket, same session: answered from the session cache, not run again.
  await expect(page.getByTestId('fingerprint-runs')).toHaveText(String(runs))
  expect(errors).toEqual([])
})

test('sessions: a new session forgets the basket and its cache but keeps the browser-wide name', async ({ page }) => {
  const errors = watchConsole(page)
  await page.goto('demo/sessions.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await page.getByTestId('name').fill('Ada')
  await expect(page.getByTestId('greeting')).toHaveText('Welcome back, Ada.')
  await addItem(page, 'pears')
  await expect(page.getByTestId('report')).toContainText('pears →')
  const sid = await page.getByTestId('session-id').textContent()

  await page.getByTestId('new-session').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('session-id')).not.toHaveText(sid!)
  await expect(page.getByTestId('basket')).toHaveText('')
  await expect(page.getByTestId('greeting')).toHaveText('Welcome back, Ada.')
  const runs = Number(await page.getByTestId('fingerprint-runs').textContent())
  await addItem(page, 'pears')
  await expect(page.getByTestId('report')).toContainText('pears →')
  // Another session: the earlier session's cache entry is gone, so it runs.
  await expect(page.getByTestId('fingerprint-runs')).toHaveText(String(runs + 1))

  await page.getByTestId('clear-all').click()
  await expect(page.getByTestId('greeting')).toHaveText(/Tell us your name/)
  await expect(page.getByTestId('name')).toHaveValue('')
  expect(errors).toEqual([])
})
