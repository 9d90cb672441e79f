import { defineConfig } from '@playwright/test'
import { chromiumArgs, findChromium } from '../../../scripts/chromium.mjs'

// A Playwright run inside a test: test/e2e/testing-guard.spec.ts runs cases.ts with this
// config and reads the JSON report, to see tests of switchboard/testing fail (or pass)
// for their page errors, with the message a user would read. No server: the cases write
// their pages with setContent.
const executablePath = findChromium()
export default defineConfig({
  testDir: '.',
  testMatch: 'cases.ts',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  use: { launchOptions: { ...(executablePath ? { executablePath } : {}), args: chromiumArgs } },
})
