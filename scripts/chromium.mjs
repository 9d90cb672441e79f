// Where the Chromium for tests and benchmarks lives. Playwright cannot download its own
// browser here, so every runner is pointed at a system Chromium by executablePath.
import { existsSync } from 'node:fs'

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  return candidates.find((p) => p && existsSync(p))
}

/** Flags for a root, offline, headless machine: no sandbox, no background connections. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
