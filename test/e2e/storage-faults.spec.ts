/**
 * Storage that is missing, denied or partitioned, in real Chromium (FAULTS.md F06, F12, F14):
 * the fault comes from the browser itself (a sandboxed frame, a third-party frame, a second
 * page) or is set up before the library loads, never mocked inside it.
 */
import { expect as baseExpect, type Frame, type Page, test } from '@playwright/test'

const expect = baseExpect.configure({ timeout: 30_000 })
test.setTimeout(120_000)

const port = Number(process.env.E2E_PORT ?? 4173)
const iife = `http://127.0.0.1:${port}/dist/switchboard.iife.js`

interface Report {
  values: Record<string, unknown>
  /** Executions of the cached callback `square`. */
  squares: number
  capabilities: { indexedDB: boolean; locks: boolean; broadcast: boolean }
  /** The same three, found by using each API for real in the same context. */
  probe: { indexedDB: boolean; locks: boolean; broadcast: boolean }
  errors: string[]
  /** What the board printed with console.warn (the `warning` event fires each time; the console once). */
  printed: string[]
}

/**
 * Runs in the page or frame, with the IIFE bundle loaded (`Switchboard`):
 *
 *   n (local) ─┬─► [toIdb]     ─► tenfold (idb)
 *              ├─► [toSession] ─► next (session)
 *              └─► [square]    ─► squared (memory; cache: global)
 *
 * n goes 2 → 3 → 2: square executes for 2 and 3, and the second 2 is a hit in memory.
 */
async function scenario(name: string): Promise<Report> {
  type Any = any // eslint-disable-line @typescript-eslint/no-explicit-any
  const S = (globalThis as Any).Switchboard
  const printed: string[] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    printed.push(String(args[0]))
    warn(...args)
  }
  const board = S.createBoard({ name, version: 1 })
  const n = board.store('n', { initial: 2, storage: 'local' })
  const tenfold = board.store('tenfold', { storage: 'idb' })
  const next = board.store('next', { storage: 'session' })
  const squared = board.store('squared')
  let squares = 0
  board.callback({ id: 'toIdb', inputs: [n], outputs: [tenfold], run: (x: number) => x * 10 })
  board.callback({ id: 'toSession', inputs: [n], outputs: [next], run: (x: number) => x + 1 })
  board.callback({
    id: 'square',
    inputs: [n],
    outputs: [squared],
    cache: { scope: 'global' },
    run: (x: number) => {
      squares++
      return x * x
    },
  })
  await board.start()
  await board.idle()
  n.set(3)
  await board.idle()
  n.set(2)
  await board.idle()

  const probe = {
    indexedDB: await new Promise<boolean>((resolve) => {
      try {
        const r = indexedDB.open(`${name}-probe`)
        r.onsuccess = () => {
          r.result.close()
          resolve(true)
        }
        r.onerror = () => resolve(false)
      } catch {
        resolve(false) // undefined, or a SecurityError in an opaque origin
      }
    }),
    locks: await (async () => {
      try {
        return await navigator.locks.request(`${name}-probe`, () => true)
      } catch {
        return false
      }
    })(),
    broadcast: (() => {
      try {
        new BroadcastChannel(`${name}-probe`).close()
        return true
      } catch {
        return false
      }
    })(),
  }
  const { indexedDB: idb, locks, broadcast } = board.inspect().capabilities
  console.warn = warn
  return {
    values: { n: n.get(), tenfold: tenfold.get(), next: next.get(), squared: squared.get() },
    squares,
    capabilities: { indexedDB: idb, locks, broadcast },
    probe,
    errors: [...board.errors.keys()].map((id) => `${id}: ${board.errors.get(id).message}`),
    printed,
  }
}

/**
 * What every case must show: the graph ran in full, from memory where storage failed;
 * IndexedDB reported as it is; each warning printed once (per kind and id), not per write.
 */
function expectWorking(r: Report): void {
  expect(r.values).toEqual({ n: 2, tenfold: 20, next: 3, squared: 4 })
  expect(r.squares).toBe(2)
  expect(r.errors).toEqual([])
  expect(r.capabilities.indexedDB).toBe(r.probe.indexedDB)
  expect(r.capabilities.broadcast).toBe(r.probe.broadcast)
  expect(r.printed.every((m) => m.startsWith('[switchboard] '))).toBe(true)
  expect(r.printed.length).toBe(new Set(r.printed).size)
}

/** Without the cached callback, which needs S06 where locks are denied. */
function expectUncachedWorking(r: Report): void {
  expect(r.values).toMatchObject({ n: 2, tenfold: 20, next: 3 })
  expect(r.errors.filter((e) => !e.startsWith('square:'))).toEqual([])
  expect(r.capabilities.indexedDB).toBe(r.probe.indexedDB)
  expect(r.printed.length).toBe(new Set(r.printed).size)
}

function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

/** The child frame of that name, once attached and loaded. */
async function frameNamed(page: Page, name: string): Promise<Frame> {
  await expect.poll(() => page.frame({ name }) !== null).toBe(true)
  const frame = page.frame({ name })!
  await frame.waitForLoadState()
  return frame
}

async function loadIife(frame: Frame | Page): Promise<void> {
  await frame.addScriptTag({ url: iife })
  await frame.waitForFunction(() => typeof (globalThis as { Switchboard?: unknown }).Switchboard === 'object')
}

async function indexedDBUndefined(page: Page): Promise<Report> {
  await page.addInitScript(() =>
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true }),
  )
  await page.goto('./')
  await loadIife(page)
  return page.evaluate(scenario, 'f06-undefined')
}

async function sandboxed(page: Page): Promise<Report> {
  await page.goto('./')
  await page.evaluate((src) => {
    const frame = document.createElement('iframe')
    frame.name = 'sandboxed'
    frame.setAttribute('sandbox', 'allow-scripts') // no allow-same-origin: an opaque origin
    frame.srcdoc = `<script src="${src}"></script>`
    document.body.append(frame)
  }, iife)
  const frame = await frameNamed(page, 'sandboxed')
  await frame.waitForFunction(() => typeof (globalThis as { Switchboard?: unknown }).Switchboard === 'object')
  expect(await frame.evaluate(() => origin)).toBe('null')
  return frame.evaluate(scenario, 'f06-sandboxed')
}

/** navigator.locks denied, as a browser policy or an embedder can: request (and query) throw or reject. */
async function locksDenied(page: Page, how: 'throw' | 'reject'): Promise<Report> {
  await page.addInitScript((how) => {
    const error = () => new DOMException('The request was denied.', 'SecurityError')
    const denied =
      how === 'throw'
        ? () => {
            throw error()
          }
        : () => Promise.reject(error())
    Object.defineProperty(navigator.locks, 'request', { value: denied, configurable: true })
    Object.defineProperty(navigator.locks, 'query', { value: denied, configurable: true })
  }, how)
  await page.goto('./')
  await loadIife(page)
  const r = await page.evaluate(scenario, `f14-locks-${how}`)
  expect(r.probe).toEqual({ indexedDB: true, locks: false, broadcast: true })
  return r
}

test('F06 indexedDB undefined before the library loads: memory for idb stores, capability false, callbacks run', async ({
  page,
}) => {
  const errors = watchErrors(page)
  const r = await indexedDBUndefined(page)
  expect(r.probe).toEqual({ indexedDB: false, locks: true, broadcast: true })
  expectWorking(r)
  expect(r.capabilities).toEqual(r.probe)
  // The Web Storage stores are untouched by the missing IndexedDB: they persisted.
  expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes('f06-undefined')))).toBe(true)
  expect(errors).toEqual([])
})

test('F06 sandboxed iframe (opaque origin): IndexedDB, Web Storage and locks throw SecurityError; the board runs from memory', async ({
  page,
}) => {
  const errors = watchErrors(page)
  const r = await sandboxed(page)
  expect(r.probe).toEqual({ indexedDB: false, locks: false, broadcast: true })
  expectWorking(r)
  expect(errors).toEqual([])
})

test('F14 navigator.locks throws: stores and callbacks without a cache are unaffected', async ({ page }) => {
  const errors = watchErrors(page)
  expectUncachedWorking(await locksDenied(page, 'throw'))
  expect(errors).toEqual([])
})

test('F14 third-party iframe (localhost inside 127.0.0.1): storage denied to it, the board works there, nothing reaches the first party', async ({
  page,
}) => {
  const errors = watchErrors(page)
  await page.goto('./')
  const thirdParty = `http://localhost:${port}/`
  await page.evaluate((src) => {
    const frame = document.createElement('iframe')
    frame.name = 'third'
    frame.src = src
    document.body.append(frame)
  }, thirdParty)
  const frame = await frameNamed(page, 'third')
  expect(await frame.evaluate(() => origin)).toBe(`http://localhost:${port}`)
  await loadIife(frame)
  const r = await frame.evaluate(scenario, 'f14-third-party')
  // This Chromium denies the third party IndexedDB, Web Storage and locks outright (as it
  // does where third-party cookies are blocked) rather than partitioning them: the
  // locked-down case. Should that change, this precondition says so first.
  expect(r.probe).toEqual({ indexedDB: false, locks: false, broadcast: true })
  expectWorking(r)
  const first = await page.context().newPage()
  await first.goto(thirdParty)
  expect(await first.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('f14-third-party')))).toEqual([])
  expect(errors).toEqual([])
})

// Web Locks denied (S06) and capabilities that tell the truth (S16).
test.describe('locks denied', () => {
  test('F14 S06 navigator.locks throws: the cached callback computes in the tab, once per key', async ({ page }) => {
    expectWorking(await locksDenied(page, 'throw'))
  })

  test('F14 S06 navigator.locks.request rejects: the cached callback computes in the tab, once per key', async ({
    page,
  }) => {
    expectWorking(await locksDenied(page, 'reject'))
  })

  test('F14 S16 navigator.locks throws: capabilities.locks is false', async ({ page }) => {
    const r = await locksDenied(page, 'throw')
    expect(r.capabilities).toEqual(r.probe)
  })

  test('F06 S16 sandboxed iframe: capabilities tell the truth about locks too', async ({ page }) => {
    const r = await sandboxed(page)
    expect(r.capabilities).toEqual(r.probe)
  })
})

// count (local) ─┬─► [square] ─► squared (idb)
//                ├─► [encode] ─► bytes (session, base64)
//                └─► [label]  ─► label (memory)           (test/pages/persist.html)
test('F12 storage events from a real second page: its writes arrive, own writes do not echo, clear() (key null) resets', async ({
  context,
}) => {
  const a = await context.newPage()
  const b = await context.newPage()
  for (const p of [a, b]) {
    await p.goto('test/pages/persist.html')
    await expect(p.getByTestId('ready')).toHaveText('yes')
    await expect(p.getByTestId('label-runs')).toHaveText('1')
  }
  const idle = (p: Page) =>
    p.evaluate(() => (globalThis as unknown as { board: { idle(): Promise<void> } }).board.idle())

  // A's write reaches B as a real storage event: one wave there.
  await a.getByTestId('bump').click()
  await expect(b.getByTestId('count')).toHaveText('1')
  await expect(b.getByTestId('label')).toHaveText('count is 1')
  await expect(b.getByTestId('squared')).toHaveText('1')
  // B's write reaches A; neither page answers an event with a write of its own (no echo,
  // no ping-pong): each label ran once per change, however long we wait for idle.
  await b.getByTestId('bump').click()
  await expect(a.getByTestId('count')).toHaveText('2')
  await Promise.all([idle(a), idle(b)])
  // A bumped, then followed B; B followed A, then bumped: two changes each.
  await expect(a.getByTestId('label-runs')).toHaveText('3')
  await expect(b.getByTestId('label-runs')).toHaveText('3')

  // localStorage.clear() in A: B gets a storage event with key null and treats it as a
  // clear of its local stores: back to initial, and their readers run again.
  await a.evaluate(() => localStorage.clear())
  await expect(b.getByTestId('count')).toHaveText('0')
  await expect(b.getByTestId('label')).toHaveText('count is 0')
  await expect(b.getByTestId('squared')).toHaveText('0')
  await expect(b.getByTestId('label-runs')).toHaveText('4')
  // A, the page that cleared, got no event (storage events go to the other pages only).
  await expect(a.getByTestId('count')).toHaveText('2')
})
