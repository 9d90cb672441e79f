// Screenshots of the demo site and the dev panel for the README, saved in docs/.
//   node scripts/build.mjs && node scripts/screenshots.mjs
// Serves dist-site with `vite preview` on a free port, drives the pages with Playwright in
// the system Chromium, and writes one PNG per view. Not part of `npm test`.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from 'playwright'
import { preview } from 'vite'
import { chromiumArgs, findChromium } from './chromium.mjs'

const root = resolve(import.meta.dirname, '..')
const out = resolve(root, 'docs')
mkdirSync(out, { recursive: true })

const server = await preview({ root, logLevel: 'warn', preview: { port: 4179, host: '127.0.0.1', strictPort: false } })
const base = server.resolvedUrls.local[0]
const executablePath = findChromium()
const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: chromiumArgs })
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })
const shots = []

async function open(path) {
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`${path}: ${e.message}`))
  await page.goto(new URL(path, base).href)
  if (path.startsWith('demo/')) await ready(page)
  return page
}
// The ready mark is hidden text: wait on its content, not its visibility.
const ready = (page) =>
  page.waitForFunction(() => document.querySelector('[data-testid="ready"]')?.textContent === 'yes')
const idle = (page) => page.evaluate(() => globalThis.board.idle())
async function shot(page, file, what, target) {
  // No focus ring in the picture, unless the shot is of the panel (which takes focus).
  if (!target) await page.evaluate(() => document.activeElement?.blur())
  await page.waitForTimeout(300) // let the last frame paint (charts draw on rAF)
  const path = resolve(out, file)
  if (target) await target.screenshot({ path })
  else await page.screenshot({ path, fullPage: true })
  shots.push([file, what])
}
async function panel(page) {
  await page.keyboard.press('Alt+Shift+D')
  const p = page.getByTestId('devpanel')
  await p.waitFor()
  return p
}

try {
  let page = await open('./')
  await shot(page, 'demo-index.png', 'the landing page: the four patterns and the dashboard')

  page = await open('demo/session.html')
  await idle(page)
  await shot(
    page,
    'demo-session.png',
    'pattern 1: the expensive step, its session stores (JSON and base64), counters and where the data lives',
  )
  await shot(
    page,
    'devpanel-session.png',
    'the dev panel on pattern 1: stores by storage, callbacks with runs, times and bytes',
    await panel(page),
  )

  page = await open('demo/aggregate.html')
  await page.getByTestId('same').filter({ hasText: 'same answer' }).waitFor()
  // The times are measured once both answers are in (the timeBoth callback).
  await page.getByTestId('timing-summary').waitFor({ timeout: 120_000 })
  await shot(
    page,
    'demo-aggregate.png',
    'pattern 2: the same group-by by shipping rows (1.1 MB) or aggregating in the worker (under 1 KB), charts with axes and values, times measured each way alone',
  )

  page = await open('demo/shared.html')
  await idle(page)
  const second = await open('demo/shared.html')
  await idle(second)
  await second.getByTestId('next-seed').click()
  await idle(second)
  await idle(page)
  await page.getByTestId('mean').filter({ hasNotText: '…' }).waitFor()
  await shot(
    page,
    'demo-shared.png',
    'pattern 3: one cached computation, four readers, executions counted across two tabs',
  )
  await second.reload()
  await ready(second)
  await shot(
    second,
    'devpanel-shared.png',
    'the dev panel after a reload: simulate answered from the cache (green), four readers',
    await panel(second),
  )

  page = await open('demo/sessions.html')
  for (const item of ['apples', 'pears', 'plums']) {
    await page.getByTestId('item').fill(item)
    await page.getByTestId('item').press('Enter')
  }
  await page.getByTestId('name').fill('Ada')
  await idle(page)
  await page.getByTestId('report').filter({ hasText: 'plums' }).waitFor()
  await shot(
    page,
    'demo-sessions.png',
    "pattern 4: this session's basket and session-scoped cache, the browser-wide name, and the clear controls",
  )

  page = await open('demo/scenarios.html')
  await page.getByTestId('add').click()
  await idle(page)
  await shot(
    page,
    'demo-scenarios.png',
    'pattern ids: Monte Carlo cards (MATCH, a cached worker task each), a running total (ALLSMALLER) and a summary (ALL)',
  )
  await shot(
    page,
    'devpanel-scenarios.png',
    'the dev panel on the scenarios page: each store family and each pattern callback drawn as one box with its count',
    await panel(page),
  )
  await page.getByTestId('devpanel-close').click()

  page = await open('demo/flights.html')
  await page.getByTestId('rows').filter({ hasText: '200,000' }).waitFor()
  await page.getByTestId('from-delay').fill('30')
  await page.getByTestId('from-delay').press('Enter')
  await page.getByTestId('brushes').filter({ hasText: 'delay 30 to 180' }).waitFor()
  await idle(page)
  await shot(
    page,
    'demo-flights.png',
    'the flights crossfilter: a delay brush and the other histograms under it, computed in a worker',
  )
  await shot(
    page,
    'devpanel-flights.png',
    'the dev panel on the dashboard: the table as a worker handle (1.5 MB), worker tasks with bytes crossed',
    await panel(page),
  )

  await page.getByTestId('devpanel-close').click()
  await page.getByTestId('dataset').selectOption('3m')
  await page.getByTestId('progress-load').waitFor()
  await shot(
    page,
    'demo-flights-progress.png',
    'the dashboard loading 3 million rows: the worker reports progress',
    page.locator('main'),
  )
  await page.getByTestId('rows').filter({ hasText: '3,000,000' }).waitFor({ timeout: 60_000 })

  await page.getByTestId('dataset').selectOption('5m')
  await page.getByTestId('errors').waitFor()
  await shot(
    page,
    'demo-flights-error.png',
    'a failure as the user sees it: the callback and the cause, in one line',
    page.locator('main'),
  )
} finally {
  await browser.close()
  await new Promise((r) => server.httpServer.close(r))
}
for (const [file, what] of shots) console.log(`docs/${file}  ${what}`)
