import type { BrowserContext, Page } from '@playwright/test'
import { expect, test } from 'switchboard/testing'

// test/pages/cache.html records `board.on('session')` from before start (`api.sessionEvents`)
// and the id it gave out before start (`api.earlyId`). Two pages of one context: a tab and
// its duplicate (a copy of its sessionStorage).

let n = 0
type Seen = { earlyId: string; events: Array<{ id: string; previous: string | null }> }
const seen = (page: Page) =>
  page.evaluate(() => {
    const api = (
      globalThis as unknown as { api: { earlyId: string; sessionEvents: Array<{ id: string; previous?: string }> } }
    ).api
    return {
      earlyId: api.earlyId,
      events: api.sessionEvents.map((e) => ({ id: e.id, previous: e.previous ?? null })),
    } as Seen
  })

async function open(context: BrowserContext, board: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`test/pages/cache.html?board=${board}`)
  await expect(page.getByTestId('ready')).toHaveText('yes')
  return page
}

test("N7 'session' events: settled once per tab (a duplicate's names the copied id), then once per clearSession in every tab", async ({
  context,
}) => {
  const board = `e2e-session-event-${Date.now()}-${++n}`
  const a = await open(context, board)
  const idA = (await a.getByTestId('session-id').textContent())!
  expect(await seen(a)).toEqual({ earlyId: idA, events: [{ id: idA, previous: null }] })

  const copied = await a.evaluate(() => JSON.stringify(Object.entries(sessionStorage)))
  const dup = await context.newPage()
  await dup.addInitScript((entries) => {
    if (sessionStorage.length === 0)
      for (const [k, v] of JSON.parse(entries) as [string, string][]) sessionStorage.setItem(k, v)
  }, copied)
  await dup.goto(`test/pages/cache.html?board=${board}`)
  await expect(dup.getByTestId('ready')).toHaveText('yes')
  const idDup = (await dup.getByTestId('session-id').textContent())!
  expect(idDup).not.toBe(idA)
  // The duplicate gave out the copied id before its check, and its first event says so.
  expect(await seen(dup)).toEqual({ earlyId: idA, events: [{ id: idDup, previous: idA }] })

  await a.evaluate(() =>
    (globalThis as unknown as { api: { board: { clearSession(): Promise<void> } } }).api.board.clearSession(),
  )
  await expect(a.getByTestId('session-id')).not.toHaveText(idA)
  await expect(dup.getByTestId('session-id')).not.toHaveText(idDup)
  const idA2 = (await a.getByTestId('session-id').textContent())!
  const idDup2 = (await dup.getByTestId('session-id').textContent())!
  await expect
    .poll(async () => (await seen(a)).events)
    .toEqual([
      { id: idA, previous: null },
      { id: idA2, previous: idA },
    ])
  await expect
    .poll(async () => (await seen(dup)).events)
    .toEqual([
      { id: idDup, previous: idA },
      { id: idDup2, previous: idDup },
    ])
})
