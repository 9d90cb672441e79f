import { defineConfig } from '@playwright/test'
import { chromiumArgs, findChromium } from './scripts/chromium.mjs'

const executablePath = findChromium()
// E2E_PORT lets a second checkout run its suite while another serves the default port.
const port = Number(process.env.E2E_PORT ?? 4173)

// End-to-end specs run against the built static site (dist-site) and the built library
// (dist), served as plain files by `vite preview`, as a user would deploy them.
export default defineConfig({
  // The project's specs, and the example specs users copy (examples/testing, which import
  // the built `switchboard/testing` as an app would).
  testDir: '.',
  testMatch: [/\/test\/e2e\/.*\.spec\.ts$/, /\/examples\/testing\/.*\.spec\.ts$/],
  testIgnore: [/\/node_modules\//, /\/dist-site\//],
  fullyParallel: false,
  workers: 2,
  retries: 0,
  // Safety nets, not speed limits (S26): web-first assertions retry for up to 30 s, so a
  // busy machine (npm run test:stress) slows a spec down without failing it.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    launchOptions: { ...(executablePath ? { executablePath } : {}), args: chromiumArgs },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
})
