import type { Page } from '@playwright/test'
import { type BoardHandle, type Boards, expect as baseExpect, test } from 'switchboard/testing'

// Simulations run in a worker and take a while on a busy machine: a safety net, not a
// speed claim.
const expect = baseExpect.configure({ timeout: 60_000 })
test.use({ boardTimeout: 60_000 })
test.setTimeout(180_000)

// demo/scenarios.html (pattern 5, store families):
//   {type:'scenario', index:i} (session) ─► [simulate] (MATCH, worker, cache: session) ─► {type:'outcome', index:i}
//   {type:'outcome', index:MATCH} + {type:'outcome', index:ALLSMALLER} ─► [running] (MATCH) ─► {type:'running', index:i}
//   {type:'outcome', index:ALL} ─► [portfolio] ─► portfolio
//   order, nextIndex (session): the cards' indices
// A first visit makes cards 0 and 1. switchboard/testing fails each test on any console
// error or uncaught exception.

interface Outcome {
  scenario: { drift: number; volatility: number; horizon: number; seed: number }
  mean: number
  p5: number
}
const scenario = (index: number) => ({ type: 'scenario', index })
const outcome = (index: number) => ({ type: 'outcome', index })
const running = (index: number) => ({ type: 'running', index })
const money = (v: number) => v.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

async function open(page: Page, boards: Boards): Promise<BoardHandle> {
  await page.goto('demo/scenarios.html')
  await expect(page.getByTestId('ready')).toHaveText('yes')
  return boards.get('demo-scenarios', { page })
}

/** Every card's outcome, once each has one for its current inputs. */
async function outcomes(board: BoardHandle, indices: number[]): Promise<Outcome[]> {
  const out: Outcome[] = []
  for (const i of indices) {
    await expect
      .poll(async () => (await board.get<Outcome | null>(outcome(i)))?.scenario)
      .toEqual(await board.get(scenario(i)))
    out.push(await board.get<Outcome>(outcome(i)))
  }
  return out
}

test('scenarios: each card simulates once; editing one runs only its instance; running total and portfolio follow', async ({
  page,
  boards,
}) => {
  const board = await open(page, boards)
  await expect(board).toHaveStore('order', [0, 1])
  // The initial wave: one instance per card, no more.
  await expect(board).toHaveRun('simulate', 2)
  const [a, b] = await outcomes(board, [0, 1])
  expect(a!.scenario).toEqual({ drift: 4, volatility: 8, horizon: 252, seed: 1 })
  expect(b!.scenario).toEqual({ drift: 9, volatility: 24, horizon: 252, seed: 2 })
  // ALLSMALLER: card 1's running total is card 0's mean plus its own; card 0's is its own.
  await expect(board).toHaveStore(running(0), a!.mean)
  await expect(board).toHaveStore(running(1), a!.mean + b!.mean)
  await expect(page.getByTestId('card-1-running')).toHaveText(money(a!.mean + b!.mean))
  // ALL: the portfolio sums both.
  await expect(board).toHaveStore('portfolio', {
    count: 2,
    expected: a!.mean + b!.mean,
    bad: a!.p5 + b!.p5,
    pending: 0,
  })
  await expect(page.getByTestId('count')).toHaveText('2')

  // Edit card 0's drift from the keyboard: only its instance runs again.
  await page.getByTestId('card-0-drift').fill('5')
  await page.getByTestId('card-0-drift').press('Enter')
  await expect(board).toHaveStore(scenario(0), { drift: 5, volatility: 8, horizon: 252, seed: 1 })
  const [a2] = await outcomes(board, [0])
  await expect(board).toHaveRun('simulate', 3)
  expect(a2!.mean).not.toBe(a!.mean)
  // Card 1 was not simulated again: its outcome is the same object's value.
  expect(await board.get(outcome(1))).toEqual(b)
  await expect(board).toHaveStore(running(1), a2!.mean + b!.mean)
  await expect(board).toHaveStore('portfolio', {
    count: 2,
    expected: a2!.mean + b!.mean,
    bad: a2!.p5 + b!.p5,
    pending: 0,
  })
  await expect(page.getByTestId('card-0-mean')).toHaveText(money(a2!.mean))
  await expect(board).toHaveNoErrors()
})

test('scenarios: add and remove cards from the keyboard; the families grow and shrink', async ({ page, boards }) => {
  const board = await open(page, boards)
  const [a, b] = await outcomes(board, [0, 1])
  await expect(board).toHaveRun('simulate', 2)

  // Add: the new card's stores and its instance; focus lands on its title.
  await page.getByTestId('add').focus()
  await page.keyboard.press('Enter')
  await expect(board).toHaveStore('order', [0, 1, 2])
  await expect(page.locator('#card-2-title')).toBeFocused()
  const [c] = await outcomes(board, [2])
  await expect(board).toHaveRun('simulate', 3)
  await expect(board).toHaveStore(running(2), a!.mean + b!.mean + c!.mean)
  await expect(page.getByTestId('count')).toHaveText('3')

  // Remove the middle card: its stores go; the readers of ALL and ALLSMALLER run again.
  await page.getByTestId('card-1-remove').focus()
  await page.keyboard.press('Enter')
  await expect(board).toHaveStore('order', [0, 2])
  await expect(page.getByTestId('card-1')).toHaveCount(0)
  // Focus moves to the next card.
  await expect(page.locator('#card-2-title')).toBeFocused()
  const ids = (await board.inspect()).stores.map((s: { id: string }) => s.id)
  expect(ids).not.toContain('{"index":1,"type":"scenario"}')
  expect(ids).not.toContain('{"index":1,"type":"outcome"}')
  expect(ids).toContain('{"index":2,"type":"outcome"}')
  await expect(board).toHaveStore(running(2), a!.mean + c!.mean)
  await expect(board).toHaveStore('portfolio', {
    count: 2,
    expected: a!.mean + c!.mean,
    bad: a!.p5 + c!.p5,
    pending: 0,
  })
  // Removing simulates nothing: the cards left ran once each. (A pattern callback's runs are
  // its instances' added up: the removed card's instance left with its run.)
  await expect(board).toHaveRun('simulate[{"index":0}]', 1)
  await expect(board).toHaveRun('simulate[{"index":2}]', 1)
  await expect(board).toHaveRun('simulate', 2)
  // The removed card's entry left sessionStorage with it.
  // (Keys escape the ':' of an object id as %3A.)
  const keys = await page.evaluate(() =>
    Object.keys(sessionStorage)
      .map(decodeURIComponent)
      .filter((k) => k.includes('scenario')),
  )
  expect(keys.some((k) => k.includes('"index":1'))).toBe(false)
  expect(keys.filter((k) => k.includes('"index":2'))).toHaveLength(1)
  await expect(board).toHaveNoErrors()
})

test('scenarios: a reload restores the list and every card from the session, each outcome from the cache', async ({
  page,
  boards,
}) => {
  const board = await open(page, boards)
  await page.getByTestId('add').click()
  await expect(board).toHaveStore('order', [0, 1, 2])
  await page.getByTestId('card-2-horizon').fill('60')
  await page.getByTestId('card-2-horizon').press('Enter')
  await page.getByTestId('card-0-remove').click()
  await expect(board).toHaveStore('order', [1, 2])
  const before = await outcomes(board, [1, 2])
  expect(before[1]!.scenario.horizon).toBe(60)
  const portfolio = await board.get('portfolio')
  await board.idle()

  await page.reload()
  await expect(page.getByTestId('ready')).toHaveText('yes')
  await expect(board).toHaveStore('order', [1, 2])
  await expect(board).toHaveStore('nextIndex', 3)
  await expect(board).toHaveStore(scenario(2), { drift: 6, volatility: 18, horizon: 60, seed: 3 })
  expect(await outcomes(board, [1, 2])).toEqual(before)
  // Both cards answered from this session's cache: no simulation after the reload.
  await expect(board).toHaveRun('simulate', 0)
  await expect.poll(async () => (await board.stats('simulate')).hits).toBe(2)
  await expect(board).toHaveStore('portfolio', portfolio)
  await expect(page.getByTestId('card-2-horizon')).toHaveValue('60')
  await expect(page.getByTestId('card-0')).toHaveCount(0)
  await expect(board).toHaveNoErrors()
})

test('scenarios: two tabs keep two lists (session scope)', async ({ page, context, boards }) => {
  const first = await open(page, boards)
  await page.getByTestId('add').click()
  await expect(first).toHaveStore('order', [0, 1, 2])

  const other = await context.newPage()
  const second = await open(other, boards)
  // A new tab is a new session: its own first visit, its own two cards, simulated there.
  await expect(second).toHaveStore('order', [0, 1])
  await expect(second).toHaveRun('simulate', 2)
  await other.getByTestId('card-1-remove').click()
  await expect(second).toHaveStore('order', [0])
  await other.getByTestId('card-0-seed').fill('42')
  await other.getByTestId('card-0-seed').press('Enter')
  await expect(second).toHaveStore(scenario(0), { drift: 4, volatility: 8, horizon: 252, seed: 42 })

  // The first tab's list and cards are untouched.
  await expect(first).toHaveStore('order', [0, 1, 2])
  await expect(first).toHaveStore(scenario(0), { drift: 4, volatility: 8, horizon: 252, seed: 1 })
  await expect(page.getByTestId('count')).toHaveText('3')
  await expect(other.getByTestId('count')).toHaveText('1')
  await expect(first).toHaveNoErrors()
  await expect(second).toHaveNoErrors()
})

test('scenarios: the dev panel draws each family as one box with its instance count, expandable', async ({
  page,
  boards,
}) => {
  const board = await open(page, boards)
  await outcomes(board, [0, 1])
  await page.getByTestId('devpanel-toggle').focus()
  await page.keyboard.press('Enter')
  const panel = page.getByTestId('devpanel')
  await expect(panel).toBeVisible()
  // Two cards: `simulate` and `running` are one box each with 2 instances; each store family one box.
  await expect(page.getByTestId('devnode-simulate')).toHaveAttribute('data-instances', '2')
  await expect(page.getByTestId('devnode-running')).toHaveAttribute('data-instances', '2')
  const scenarios = page.getByTestId('devfamily-{"index":*,"type":"scenario"}')
  await expect(scenarios).toHaveAttribute('data-instances', '2')
  await expect(page.getByTestId('devfamily-{"index":*,"type":"outcome"}')).toHaveAttribute('data-instances', '2')
  // No store of a family is drawn on its own.
  await expect(panel.locator('[data-testid^="devnode-{"]')).toHaveCount(0)

  // A third card: the counts follow.
  await page.getByTestId('add').click()
  await expect(board).toHaveStore('order', [0, 1, 2])
  await expect(scenarios).toHaveAttribute('data-instances', '3')
  await expect(page.getByTestId('devnode-simulate')).toHaveAttribute('data-instances', '3')

  // Expanded from the keyboard: each scenario store drawn, then folded again.
  await scenarios.focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('devfamily-count')).toHaveText('3')
  await page.getByTestId('devfamily-expand').click()
  for (const i of [0, 1, 2]) await expect(page.getByTestId(`devnode-{"index":${i},"type":"scenario"}`)).toHaveCount(1)
  await expect(scenarios).toHaveCount(0)
  await page.getByTestId('devfamily-fold').click()
  await expect(scenarios).toHaveAttribute('data-instances', '3')
  await expect(board).toHaveNoErrors()
})
