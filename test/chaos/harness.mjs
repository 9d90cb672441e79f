// What scripts/chaos.mjs and scripts/soak.mjs share: arguments, a seeded PRNG, the built
// site served by `vite preview`, and a headless Chromium.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { chromium } from 'playwright'
import { chromiumArgs, findChromium } from '../../scripts/chromium.mjs'

export const root = resolve(import.meta.dirname, '../..')

/**
 * `--seconds 30 --seed 7 --port 4306 --check --build --out file.json`; each also from the
 * environment (`<PREFIX>_SECONDS`, `<PREFIX>_SEED`, `E2E_PORT`, ...).
 */
export function parseArgs(prefix, defaults) {
  const out = { ...defaults }
  const argv = process.argv.slice(2)
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith(`${prefix}_`)) continue
    const key = k.slice(prefix.length + 1).toLowerCase()
    if (key in out) out[key] = typeof out[key] === 'number' ? Number(v) : v === '1' || v === 'true' ? true : v
  }
  if (process.env.E2E_PORT && !process.env[`${prefix}_PORT`]) out.port = Number(process.env.E2E_PORT)
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i])
    if (!m) throw new Error(`unknown argument "${argv[i]}"`)
    const key = m[1]
    if (!(key in out))
      throw new Error(
        `unknown option --${key}; known: ${Object.keys(out)
          .map((k) => `--${k}`)
          .join(' ')}`,
      )
    if (typeof out[key] === 'boolean') out[key] = m[2] === undefined ? true : m[2] !== 'false'
    else {
      const v = m[2] ?? argv[++i]
      out[key] = typeof out[key] === 'number' ? Number(v) : v
    }
  }
  for (const [k, v] of Object.entries(out))
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`--${k} must be a number`)
  return out
}

/** mulberry32, as demo/lib/rng.ts: the same seed gives the same sequence. */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Builds the static site (test/pages/*.html → dist-site/test-*.html) when asked or missing. */
export function ensureSite(pages, force) {
  if (!force && pages.every((p) => existsSync(resolve(root, 'dist-site', p)))) return
  console.log('[switchboard] building the site (node scripts/build.mjs site)...')
  execFileSync('node', ['scripts/build.mjs', 'site'], { cwd: root, stdio: 'inherit' })
}

async function up(url) {
  try {
    return (await fetch(url)).ok
  } catch {
    return false
  }
}

/** dist-site served by `vite preview` on the port; an already running server is reused. */
export async function serve(port, probe) {
  const base = `http://127.0.0.1:${port}/`
  if (await up(base + probe)) return { base, close() {} }
  const vite = resolve(root, 'node_modules/vite/bin/vite.js')
  const child = spawn(
    process.execPath,
    [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  // A run that crashes must not leave the server holding the port.
  process.on('exit', () => child.kill())
  const t0 = Date.now()
  while (!(await up(base + probe))) {
    if (child.exitCode !== null)
      throw new Error(`vite preview on port ${port} exited (${child.exitCode}); is the port taken?`)
    if (Date.now() - t0 > 60_000) throw new Error(`vite preview on port ${port} did not answer within 60 s`)
    await sleep(200)
  }
  return { base, close: () => child.kill() }
}

export async function launch() {
  const executablePath = findChromium()
  const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: chromiumArgs })
  return browser
}

export function writeJson(file, data) {
  const path = resolve(root, file)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n')
  console.log(`[switchboard] wrote ${file}`)
}

/** Least-squares slope of y over x. */
export function slope(points) {
  const n = points.length
  if (n < 2) return null
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  let sxy = 0
  let sxx = 0
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my)
    sxx += (p.x - mx) ** 2
  }
  return sxx === 0 ? null : sxy / sxx
}
