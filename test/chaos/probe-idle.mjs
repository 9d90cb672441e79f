// Reproduction for a finding of the soak: idle() resolves while superseded cached runs are
// still going through the cache (IndexedDB read, key lock, read-write claim transaction).
// Counts the Web Lock bodies, lock requests and IndexedDB transactions still active when
// `await board.idle()` has resolved after a 3 s burst of sets; exits 1 when any is (the
// tab's session lock aside). Intermittent: run it a few times.
//
//   node scripts/build.mjs site && node test/chaos/probe-idle.mjs [--port 4306]
import { launch, parseArgs, serve } from './harness.mjs'

const opt = parseArgs('PROBE', { port: 4173 })
const server = await serve(opt.port, 'test/pages/soak.html')
const browser = await launch()
const page = await browser.newPage()
await page.addInitScript(() => {
  const request = LockManager.prototype.request
  const bodies = (globalThis.__bodies = new Map())
  let n = 0
  LockManager.prototype.request = function (name, ...rest) {
    const body = rest.pop()
    const id = ++n
    return request.call(this, name, ...rest, async (lock) => {
      bodies.set(id, { name: String(name), t: performance.now() })
      try {
        return await body(lock)
      } finally {
        bodies.delete(id)
      }
    })
  }
  const transaction = IDBDatabase.prototype.transaction
  const open = (globalThis.__tx = { n: 0 })
  IDBDatabase.prototype.transaction = function (...args) {
    const t = transaction.apply(this, args)
    open.n++
    const done = () => open.n--
    for (const e of ['complete', 'abort']) t.addEventListener(e, done)
    return t
  }
})
await page.goto(`${server.base}test/pages/soak.html`)
await page.getByTestId('ready').getByText('yes').waitFor({ timeout: 60_000 })
await page.evaluate(() => globalThis.api.warm())
let found = 0
for (const which of ['x', 'h', 'x', 'h', 'x', 'h']) {
  const r = await page.evaluate(async (which) => {
    const { board, stores } = globalThis.api
    const st = stores[which]
    let v = st.get()
    const t0 = performance.now()
    while (performance.now() - t0 < 3000) {
      for (let i = 0; i < 6; i++) st.set(which === 'x' ? ++v : ++v % 32)
      await new Promise((r) => setTimeout(r, 0))
    }
    await board.idle()
    const now = performance.now()
    const keyLocks = [...globalThis.__bodies.values()].filter((b) => !b.name.includes(':session:'))
    const q = await navigator.locks.query()
    return {
      which,
      keyLockBodies: keyLocks.length,
      oldestMs: Math.round(Math.max(0, ...keyLocks.map((b) => now - b.t))),
      transactions: globalThis.__tx.n,
      pendingLocks: q.pending.length,
    }
  }, which)
  console.log(
    `after a 3 s burst of ${r.which} sets and idle(): ${r.keyLockBodies} key lock bodies running (oldest ${r.oldestMs} ms), ${r.pendingLocks} lock requests pending, ${r.transactions} IndexedDB transactions open`,
  )
  if (r.keyLockBodies || r.pendingLocks || r.transactions) found++
}
await browser.close()
server.close()
process.exit(found ? 1 : 0)
