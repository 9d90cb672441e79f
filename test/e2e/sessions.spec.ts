import type { Page } from '@playwright/test'
import { expect, test } from 'switchboard/testing'

// demo/sessions.html (pattern 4):
//   basket (session) ─► [fingerprint] (cache: session) ─► report
//   name (local)     ─► [greet] ─► greeting
// switchboard/testing fails each test on any console error or uncaught exception.

async function addItem(page: Page, text: string) {
  // Keyboard only: type in the field, Enter submits.
  await page.getByTestId('item').fill(text)
  await page.getByTestId('item').press('Enter')
}

test('sessions: the basket and the session cache survive reload; clearing the basket keeps the cache', async ({
  page,
  boards,
}) => {
  await page.goto('demo/sessions.html')
  const board = await boards.get('demo-sessions')
  const sid = await board.sessionId()
  await expect(page.getByTestId('session-id')).toHaveText(sid.slice(0, 8))
  await addItem(page, 'apples')
  await expect(board).toHaveStore('basket', ['apples'])
  await expect(page.getByTestId('report')).toContainText('apples →')
  await expect(page.getByTestId('basket')).toHaveText('apples')
  await board.idle()

  await page.reload()
  // The handle reaches the reloaded page's board: same session, basket restored, a hit.
  expect(await board.sessionId()).toBe(sid)
  await expect(page.getByTestId('session-id')).toHaveText(sid.slice(0, 8))
  await expect(page.getByTestId('basket')).toHaveText('apples')
  await expect(page.getByTestId('report')).toContainText('apples →')
  await expect(board).toHaveRun('fingerprint', 0)
  await expect(page.getByTestId('fingerprint-runs')).toHaveText('0')

  await page.getByTestId('clear-basket').click()
  await expect(board).toHaveStore('basket', [])
  await expect(page.getByTestId('basket')).toHaveText('')
  const { runs, hits } = await board.stats('fingerprint')
  await addItem(page, 'apples')
  await expect(page.getByTestId('report')).toContainText('apples →')
  // Same basket, same session: answered from the session cache, not run again.
  await expect.poll(async () => (await board.stats('fingerprint')).hits).toBe(hits + 1)
  await expect(board).toHaveRun('fingerprint', runs)
  await expect(page.getByTestId('fingerprint-runs')).toHaveText(String(runs))
  await expect(board).toHaveNoErrors()
})

test('sessions: a new session forgets the basket and its cache but keeps the browser-wide name', async ({
  page,
  boards,
}) => {
  await page.goto('demo/sessions.html')
  const board = await boards.get('demo-sessions')
  await page.getByTestId('name').fill('Ada')
  await expect(board).toHaveStore('greeting', 'Welcome back, Ada.')
  await expect(page.getByTestId('greeting')).toHaveText('Welcome back, Ada.')
  await addItem(page, 'pears')
  await expect(page.getByTestId('report')).toContainText('pears →')
  const sid = await board.sessionId()

  await page.getByTestId('new-session').focus()
  await page.keyboard.press('Enter')
  await expect.poll(() => board.sessionId()).not.toBe(sid)
  await expect(page.getByTestId('session-id')).not.toHaveText(sid.slice(0, 8))
  await expect(board).toHaveStore('basket', [])
  await expect(page.getByTestId('basket')).toHaveText('')
  await expect(board).toHaveStore('name', 'Ada')
  await expect(page.getByTestId('greeting')).toHaveText('Welcome back, Ada.')
  const { runs } = await board.stats('fingerprint')
  await addItem(page, 'pears')
  await expect(page.getByTestId('report')).toContainText('pears →')
  // Another session: the earlier session's cache entry is gone, so it runs.
  await expect(board).toHaveRun('fingerprint', runs + 1)
  await expect(page.getByTestId('fingerprint-runs')).toHaveText(String(runs + 1))

  await page.getByTestId('clear-all').click()
  await expect(board).toHaveStore('name', '')
  await expect(page.getByTestId('greeting')).toHaveText(/Tell us your name/)
  await expect(page.getByTestId('name')).toHaveValue('')
})

test('sessions, two tabs: the name (local) reaches the other tab; each tab keeps its own basket and session', async ({
  page,
  context,
  boards,
}) => {
  await page.goto('demo/sessions.html')
  const other = await context.newPage()
  await other.goto('demo/sessions.html')
  const a = await boards.get('demo-sessions')
  const b = await boards.get('demo-sessions', { page: other })
  // Two tabs (not duplicates): two sessions.
  expect(await a.sessionId()).not.toBe(await b.sessionId())

  await page.getByTestId('name').fill('Grace')
  await expect(b).toHaveStore('name', 'Grace')
  await expect(other.getByTestId('greeting')).toHaveText('Welcome back, Grace.')

  await addItem(page, 'figs')
  await expect(a).toHaveStore('report', expect.stringContaining('figs →'))
  await b.idle()
  await expect(b).toHaveStore('basket', [])
  await expect(other.getByTestId('basket')).toHaveText('')
})
