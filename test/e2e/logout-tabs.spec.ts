/**
 * clearSession() is a logout everywhere (DESIGN "Shared cache, signals, sessions": remove
 * everything of that scope everywhere and tell the other tabs), whatever the boards' names:
 * a tab whose boards have another name than the asking one forgets its session too (its
 * id is renewed once, its `session` stores reset). Two real pages of one context, the IIFE
 * bundle loaded as a script tag.
 */
import { expect as baseExpect, type Page, test } from '@playwright/test'

const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

const port = Number(process.env.E2E_PORT ?? 4173)
const iife = `http://127.0.0.1:${port}/dist/switchboard.iife.js`

type Any = any // eslint-disable-line @typescript-eslint/no-explicit-any

async function open(page: Page, name: string): Promise<void> {
  await page.goto('./')
  await page.addScriptTag({ url: iife })
  await page.waitForFunction(() => typeof (globalThis as { Switchboard?: unknown }).Switchboard === 'object')
  await page.evaluate(async (name) => {
    const S = (globalThis as Any).Switchboard
    const board = S.createBoard({ name, version: 1 })
    const basket = board.store('basket', { initial: 'empty', storage: 'session' })
    ;(globalThis as Any).t = { board, basket }
    await board.start()
    basket.set('apples')
    await board.idle()
  }, name)
}

const state = (page: Page) =>
  page.evaluate(() => {
    const t = (globalThis as Any).t
    return { id: t.board.session.id as string, basket: t.basket.get() as string }
  })

test('L03 clearSession() in one tab logs out a tab whose board has another name: new id, session store reset', async ({
  context,
}) => {
  // tab A: board 'logout-a', basket (session);  tab B: board 'logout-b', basket (session)
  const a = await context.newPage()
  const b = await context.newPage()
  const errors: string[] = []
  for (const p of [a, b]) p.on('pageerror', (e) => errors.push(e.message))
  const stamp = Date.now()
  await open(a, `logout-a-${stamp}`)
  await open(b, `logout-b-${stamp}`)
  const before = await state(b)
  expect(before.basket).toBe('apples')

  await a.evaluate(() => (globalThis as Any).t.board.clearSession())
  await expect
    .poll(() => state(b))
    .toEqual({ id: expect.not.stringMatching(before.id) as unknown as string, basket: 'empty' })
  const after = await state(b)
  expect(after.id).not.toBe((await state(a)).id) // still two tabs, two sessions
  expect(errors).toEqual([])
})
