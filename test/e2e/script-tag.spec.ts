import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, test } from '@playwright/test'

/** The value names an entry exports (`export { a, b } from`), read from its source. */
function exportedNames(file: string): string[] {
  const src = readFileSync(resolve(import.meta.dirname, '../../src', file), 'utf8')
  const names: string[] = []
  for (const m of src.matchAll(/^export \{([^}]*)\} from/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()!
      if (name) names.push(name)
    }
  }
  return names.sort()
}

// points, seed ──► [walk, worker] ──► series (handle) ──► [summary] [histogram] [outline], all in the worker
test('script-tag page: IIFE bundle, classic worker with importScripts, handle in the graph, typed array back', async ({
  page,
}) => {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto('examples/script-tag.html')
  await expect(page.getByTestId('status')).toHaveText('ready')
  await expect(page.getByTestId('setup')).toBeHidden()
  await expect(page.getByTestId('handle')).toHaveText(/^Float64Array\(100000\), 800,000 bytes, held in worker \d$/)
  await expect(page.getByTestId('summary')).toHaveText(/^n=100000 mean=/)
  await expect(page.getByTestId('histogram')).toHaveText('Uint32Array(16) total 100000')
  await expect(page.locator('[data-testid="bars"] span')).toHaveCount(16)
  const points = await page.locator('polyline').getAttribute('points')
  expect(points!.split(' ')).toHaveLength(200)
  // The series never crossed: what reached the page is the handle, the summary, 16 counts and 200 points.
  const bytes = Number((await page.getByTestId('bytes').textContent())!.split(' ')[0]!.replace(/,/g, ''))
  expect(bytes).toBeLessThan(20_000)

  await page.getByTestId('points').fill('5000')
  await expect(page.getByTestId('histogram')).toHaveText('Uint32Array(16) total 5000')
  await expect(page.getByTestId('summary')).toHaveText(/^n=5000 mean=/)
  await expect(page.getByTestId('status')).toHaveText('ready')
  // Same seed and size, same walk: the summary is deterministic.
  const first = await page.getByTestId('summary').textContent()
  await page.getByTestId('seed').fill('8')
  await expect(page.getByTestId('summary')).not.toHaveText(first!)
  await page.getByTestId('seed').fill('7')
  await expect(page.getByTestId('summary')).toHaveText(first!)
  expect(errors).toEqual([])
})

test('IIFE globals: Switchboard has every name of "." and SwitchboardWorker every name of "./worker"', async ({
  page,
}) => {
  await page.goto('examples/script-tag.html')
  const main = await page.evaluate(() =>
    Object.keys((globalThis as unknown as { Switchboard: object }).Switchboard).sort(),
  )
  expect(main).toEqual(exportedNames('index.ts'))
  const worker = await page.evaluate(async () => {
    const url = new URL('../dist/switchboard.worker.iife.js', location.href).href
    const code = `importScripts(${JSON.stringify(url)}); postMessage(Object.keys(SwitchboardWorker))`
    const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })))
    const names = await new Promise<string[]>((r) => (w.onmessage = (e) => r(e.data)))
    w.terminate()
    return names.sort()
  })
  expect(worker).toEqual(exportedNames('worker/index.ts'))
})

// The two ways a newcomer opens this page wrong: straight from disk, or before building dist/.
test('script-tag page opened as file://: says to serve it over http, starts nothing', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`file://${resolve(import.meta.dirname, '../../examples/script-tag.html')}`)
  await expect(page.getByTestId('setup')).toBeVisible()
  await expect(page.getByTestId('setup')).toContainText('opened as a file')
  await expect(page.getByTestId('setup')).toContainText('python3 -m http.server')
  await expect(page.getByTestId('status')).toHaveText('not started')
  expect(errors).toEqual([])
})

test('script-tag page without dist/switchboard.iife.js: says to build it first', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.route('**/dist/switchboard.iife.js', (route) => route.fulfill({ status: 404, body: 'not found' }))
  await page.goto('examples/script-tag.html')
  await expect(page.getByTestId('setup')).toBeVisible()
  await expect(page.getByTestId('setup')).toContainText('npm run build:lib')
  await expect(page.getByTestId('status')).toHaveText('not started')
  expect(errors).toEqual([])
})
