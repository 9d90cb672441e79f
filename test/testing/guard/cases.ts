import { expect, test } from 'switchboard/testing'

// Cases for test/e2e/testing-guard.spec.ts, run by a nested Playwright (guard/playwright.config.ts).
// Each title says what the outer spec expects of it: "fails:" or "passes:".

const consoleError = (text: string) => `<script>console.error(${JSON.stringify(text)})</script>`
const thrown = (text: string) => `<script>throw new Error(${JSON.stringify(text)})</script>`

test('passes: a clean page', async ({ page }) => {
  await page.setContent('<p>fine</p><script>console.warn("a warning is not an error")</script>')
})

test('fails: a console error', async ({ page }) => {
  await page.setContent(consoleError('boom 1'))
})

test('fails: an uncaught exception', async ({ page }) => {
  await page.setContent(thrown('boom 2'))
})

test('fails: an error in a second tab of the context', async ({ context }) => {
  const other = await context.newPage()
  await other.setContent(consoleError('boom in tab 2'))
})

test('passes: pageErrors.allow(pattern) lets a matching error pass, and pageErrors.all lists it', async ({
  page,
  pageErrors,
}) => {
  // A /g pattern matches every time (its lastIndex does not carry over from one error to the next).
  pageErrors.allow(/expected/g)
  await page.setContent(consoleError('an expected failure') + consoleError('another expected failure'))
  await expect
    .poll(() => pageErrors.all.map((p) => `${p.kind}: ${p.text}`))
    .toEqual(['console: an expected failure', 'console: another expected failure'])
})

test('fails: pageErrors.allow(pattern) lets only the matching ones pass', async ({ page, pageErrors }) => {
  pageErrors.allow('expected')
  await page.setContent(consoleError('an expected failure') + thrown('not this one'))
})

test.describe('allowPageErrors: true', () => {
  test.use({ allowPageErrors: true })
  test('passes: every error is allowed', async ({ page }) => {
    await page.setContent(consoleError('boom 3') + thrown('boom 4'))
  })
})

test.describe('allowPageErrors: [pattern]', () => {
  test.use({ allowPageErrors: [/quota/i] })
  test('passes: a matching error', async ({ page }) => {
    await page.setContent(consoleError('Quota exceeded'))
  })
  test('fails: another error', async ({ page }) => {
    await page.setContent(consoleError('Quota exceeded') + consoleError('something else'))
  })
})
