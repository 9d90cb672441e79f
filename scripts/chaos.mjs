// `npm run chaos`: six tabs of one origin on one board, for five minutes, reloaded, closed,
// reopened and set at random (test/pages/chaos.ts: cached callbacks of global and session
// scope over local, idb, session and memory stores). Executions are counted outside the
// pages (Playwright exposeBinding), so a reload cannot lose the count. At the end every tab
// is (re)opened and must settle to outputs that equal a pure recomputation of its own
// inputs, with the shared local and idb stores equal in every tab.
//
//   node scripts/chaos.mjs [--seconds 300] [--seed N] [--port 4173] [--check] [--build] [--out file]
//
// --seed makes each tab's sequence of operations (what, which value, the pauses) and every
// page's delays reproducible; how the six tabs interleave, and the browser's own timing, not.
// --check exits 1 unless the targets hold: no key computed twice except after its computing
// tab was killed, no errors, every tab consistent. Results: bench/results/chaos.json for a
// full-length run, else test-results/chaos-<seconds>s.json (or --out).
import { ensureSite, launch, parseArgs, rng, serve, sleep, writeJson } from '../test/chaos/harness.mjs'

const opt = parseArgs('CHAOS', { seconds: 300, seed: 0, port: 4173, check: false, build: false, out: '' })
const seed = opt.seed || Math.floor(Math.random() * 2 ** 31) + 1
const out = opt.out || (opt.seconds === 300 ? 'bench/results/chaos.json' : `test-results/chaos-${opt.seconds}s.json`)
const TABS = 6
/**
 * How long a tab may take to start, an operation to finish, or all tabs to settle, before
 * it counts as stuck: generous, a safety net for a loaded machine, not a speed target.
 */
const STUCK_MS = 120_000
console.log(`[switchboard] chaos: ${TABS} tabs, ${opt.seconds} s, seed ${seed} (rerun with --seed ${seed})`)

// The page's pure functions (test/pages/chaos.ts), recomputed here.
const expected = (v) => {
  const ga = v.a * 100 + v.m
  const gb = v.b * 3 + 1
  const gab = v.a * 10 + v.b
  const ks = v.s * 1000 + v.a
  return { ga, gb, gab, ks, total: ga + gb + gab + ks }
}

ensureSite(['test/pages/chaos.html'], opt.build)
const server = await serve(opt.port, 'test/pages/chaos.html')
const browser = await launch()
const context = await browser.newContext()
const board = `chaos-${seed}-${Date.now()}`

/** Every execution of a cached callback, by `${tab}:${life}:${n}`. */
const execs = new Map()
/** `${tab}:${life}` of every page life that a reload or close ended. */
const killed = new Set()
const readyWaiters = new Map()
/** How long each page life took from navigation to `board.start()` resolved, in ms. */
const startups = []
const errors = []
/** Playwright operations (close, navigation) that hung or failed: not the library's. */
const driverProblems = []
const warnings = []
const ops = { set: 0, reload: 0, close: 0, reopen: 0, pause: 0 }
/** A page's CDP target id, to send a close again (see close()). */
const targets = new WeakMap()
const CLOSE_RETRY_MS = 10_000
let closeRetries = 0
let browserSession = null
const browserCdp = async () => (browserSession ??= await browser.newBrowserCDPSession())
const lastSet = {}

await context.exposeBinding('chaosReport', (_source, msg) => {
  const life = `${msg.tab}:${msg.life}`
  const id = `${life}:${msg.n}`
  switch (msg.type) {
    case 'start': {
      const key = msg.sid === undefined ? `${msg.cb}(${msg.inputs})` : `${msg.cb}[${msg.sid}](${msg.inputs})`
      execs.set(id, { id, key, cb: msg.cb, life, t: Date.now() - t0, end: false, durable: false })
      break
    }
    case 'end':
    case 'durable': {
      const e = execs.get(id)
      if (e) e[msg.type] = true
      if (e && msg.type === 'durable') e.superseded = msg.superseded === true
      break
    }
    case 'ready':
      readyWaiters.get(life)?.resolve()
      break
    case 'error':
    case 'persist-failed':
      errors.push({
        tab: msg.tab,
        life: msg.life,
        kind: `board ${msg.type}`,
        text: msg.store ? `${msg.store}: ${msg.message}` : msg.message,
      })
      break
    case 'warning':
      warnings.push({ tab: msg.tab, life: msg.life, text: msg.message })
      break
  }
})

const slots = Array.from({ length: TABS }, (_, tab) => ({ tab, life: 0, page: null, ready: null }))
const url = (slot) =>
  `${server.base}test/pages/chaos.html?board=${board}&tab=${slot.tab}&life=${slot.life}&seed=${seed}`

function expectReady(slot) {
  const life = `${slot.tab}:${slot.life}`
  let resolve
  const p = new Promise((r) => (resolve = r))
  readyWaiters.set(life, { resolve })
  const timer = setTimeout(() => resolve('stuck'), STUCK_MS)
  const since = Date.now()
  slot.ready = p.then((r) => {
    clearTimeout(timer)
    if (r !== 'stuck') startups.push(Date.now() - since)
    readyWaiters.delete(life)
    if (r === 'stuck' && !killed.has(life))
      errors.push({
        tab: slot.tab,
        life: slot.life,
        kind: 'stuck',
        text: `tab ${life} did not start within ${STUCK_MS / 1000} s`,
      })
    return r !== 'stuck'
  })
}

async function open(slot) {
  slot.life++
  const page = await context.newPage()
  slot.page = page
  const where = () => ({ tab: slot.tab, life: slot.life })
  page.on('pageerror', (e) => errors.push({ ...where(), kind: 'page error', text: String(e?.stack ?? e) }))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push({ ...where(), kind: 'console error', text: m.text() })
    else if (m.type() === 'warning' && m.text().startsWith('[switchboard]'))
      warnings.push({ ...where(), text: m.text() })
  })
  const cdp = await context.newCDPSession(page)
  targets.set(page, (await cdp.send('Target.getTargetInfo')).targetInfo.targetId)
  await cdp.detach()
  expectReady(slot)
  await page.goto(url(slot), { waitUntil: 'commit' })
}

/** A reload that also changes `life` in the URL (same tab, same sessionStorage). */
async function reload(slot) {
  killed.add(`${slot.tab}:${slot.life}`)
  slot.life++
  expectReady(slot)
  await slot.page.goto(url(slot), { waitUntil: 'commit' })
}

/**
 * Closes a tab. Chromium can acknowledge `Target.closeTarget` without closing a page whose
 * navigation is committing (crbug.com/536385539, Playwright issues #42068 and #42366), and
 * `page.close()` then waits for ever: a five-minute run met it once. When the page has not
 * closed after CLOSE_RETRY_MS, the close is sent again over a browser CDP session (at most
 * three times), and each re-send is counted in `closeRetries`.
 */
async function close(slot) {
  killed.add(`${slot.tab}:${slot.life}`)
  const page = slot.page
  slot.page = null
  slot.ready = null
  const closed = page.close()
  for (let attempt = 0; attempt < 3; attempt++) {
    const done = await Promise.race([closed.then(() => true), sleep(CLOSE_RETRY_MS).then(() => false)])
    if (done) return
    closeRetries++
    const targetId = targets.get(page)
    if (targetId) await (await browserCdp()).send('Target.closeTarget', { targetId }).catch(() => undefined)
  }
  await closed
}

const t0 = Date.now()
const end = t0 + opt.seconds * 1000
await Promise.all(slots.map((slot) => open(slot)))

/** What each tab's loop is doing now, for the progress lines and the stuck reports. */
const doing = new Map()
/**
 * One operation on a tab, with a deadline: an operation that has not finished after
 * STUCK_MS is an error (a page that never answers), and the tab is replaced.
 */
async function op(slot, what, fn) {
  const life = `${slot.tab}:${slot.life}`
  doing.set(slot.tab, { what: `${what} (life ${life})`, since: Date.now() })
  let timer
  const outcome = await Promise.race([
    fn().then(
      () => 'ok',
      (e) => e,
    ),
    new Promise((r) => (timer = setTimeout(() => r('stuck'), STUCK_MS))),
  ])
  clearTimeout(timer)
  doing.delete(slot.tab)
  if (outcome === 'ok') return
  // Closing and navigating are Playwright's and Chromium's doing (the page runs no unload
  // code): their hangs are reported apart from the library's errors.
  const into = what === 'close' || what === 'reload' || what === 'reopen' ? driverProblems : errors
  if (outcome === 'stuck')
    into.push({
      tab: slot.tab,
      life: slot.life,
      kind: 'stuck',
      text: `tab ${life}: ${what} did not finish within ${STUCK_MS / 1000} s`,
    })
  else
    into.push({
      tab: slot.tab,
      life: slot.life,
      kind: 'driver',
      text: `tab ${life}: ${what} failed: ${outcome?.message ?? outcome}`,
    })
  if (outcome === 'stuck' && slot.page) {
    killed.add(`${slot.tab}:${slot.life}`)
    const old = slot.page
    slot.page = null
    old.close().catch(() => undefined)
    await open(slot)
  }
}

/** One tab's operations, one after another; the six tabs go at once (their sets race). */
async function chaos(slot) {
  const random = rng(seed * 31 + slot.tab)
  const pick = (xs) => xs[Math.floor(random() * xs.length)]
  while (Date.now() < end) {
    const r = random()
    const store = pick(['a', 'b', 's', 'm'])
    const value = Math.floor(random() * 10)
    const wait = Math.floor(random() * 150)
    if (r < 0.75) {
      await op(slot, `set ${store}=${value}`, async () => {
        if (!(await slot.ready)) return
        ops.set++
        await slot.page.evaluate(([id, v]) => globalThis.api.set(id, v), [store, value])
        if (store === 'a' || store === 'b') lastSet[store] = value
      })
    } else if (r < 0.88) {
      ops.reload++
      await op(slot, 'reload', () => reload(slot))
    } else if (r < 0.95) {
      ops.close++
      await op(slot, 'close', () => close(slot))
      await sleep(wait * 4)
      ops.reopen++
      await op(slot, 'reopen', () => open(slot))
    } else {
      ops.pause++
      await sleep(500)
    }
    await sleep(wait)
  }
}
const progress = setInterval(() => {
  const now = Date.now()
  const busy = [...doing].map(([tab, d]) => `${tab}: ${d.what} ${((now - d.since) / 1000).toFixed(0)} s`).join('; ')
  console.log(
    `  t=${((now - t0) / 1000).toFixed(0)} s ${JSON.stringify(ops)} executions ${execs.size} errors ${errors.length} | ${busy}`,
  )
}, 30_000)
await Promise.all(slots.map(chaos))
clearInterval(progress)
const chaosSeconds = (Date.now() - t0) / 1000
console.log(`[switchboard] chaos phase done: ${JSON.stringify(ops)}; reopening closed tabs and settling`)

// ---- settle: every tab open and started, then idle, consistent and in agreement ----------
for (const slot of slots) if (!slot.page) await open(slot)
const started = await Promise.all(slots.map((s) => s.ready))
let snapshots = []
let problems = ['not checked']
const settleStart = Date.now()
while (Date.now() - settleStart < STUCK_MS) {
  snapshots = await Promise.all(
    slots.map((s) =>
      Promise.race([
        s.page.evaluate(() => globalThis.api.snapshot()),
        sleep(STUCK_MS).then(() => ({ stuck: true })),
      ]).catch((e) => ({ failed: e.message })),
    ),
  )
  problems = []
  snapshots.forEach((snap, tab) => {
    if (snap.stuck || snap.failed) return problems.push(`tab ${tab}: ${snap.failed ?? 'idle() did not settle'}`)
    const want = expected(snap.values)
    for (const [k, v] of Object.entries(want))
      if (snap.values[k] !== v)
        problems.push(`tab ${tab}: ${k} = ${snap.values[k]}, a recomputation from its inputs gives ${v}`)
  })
  for (const shared of ['a', 'b']) {
    const seen = new Set(snapshots.map((s) => s.values?.[shared]))
    if (seen.size !== 1)
      problems.push(`${shared} differs across tabs: ${snapshots.map((s) => s.values?.[shared]).join(', ')}`)
  }
  if (problems.length === 0) break
  await sleep(500)
}
const settleSeconds = (Date.now() - settleStart) / 1000
for (const snap of snapshots)
  for (const e of snap.errors ?? []) errors.push({ kind: 'board.errors at the end', text: e })
if (started.some((ok) => !ok)) problems.push('a tab did not start after the chaos phase')

function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))]
  return s.length ? { count: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] } : { count: 0 }
}

// ---- executions ---------------------------------------------------------------------------
// An execution is excused when its page life was killed before the entry was committed
// (`durable`: the board was idle after it): that tab may never have written it. A run
// superseded while computing still writes its entry, but idle() does not wait for that
// write (S20), so its `durable` proves nothing: killed after it, it is excused too.
const all = [...execs.values()]
const byKey = new Map()
for (const e of all) {
  e.killed = (!e.durable || e.superseded) && killed.has(e.life)
  if (!byKey.has(e.key)) byKey.set(e.key, [])
  byKey.get(e.key).push(e)
}
const perKey = Object.fromEntries([...byKey].map(([k, es]) => [k, es.length]))
const histogram = {}
for (const n of Object.values(perKey)) histogram[n] = (histogram[n] ?? 0) + 1
const twice = []
let recomputedAfterKill = 0
for (const [key, es] of byKey) {
  const counted = es.filter((e) => !e.killed)
  if (counted.length > 1)
    twice.push({
      key,
      executions: es.map(({ life, t, end, durable, superseded, killed }) => ({
        life,
        t,
        end,
        durable,
        superseded,
        killed,
      })),
    })
  else if (es.length > 1) recomputedAfterKill++
}
const perCallback = {}
for (const e of all) perCallback[e.cb] = (perCallback[e.cb] ?? 0) + 1
const unfinished = all.filter((e) => !e.durable && !killed.has(e.life)).map((e) => e.id)

await browser.close()
server.close()

const result = {
  what: 'npm run chaos: 6 tabs of one origin, random reloads, closes, reopens and sets over cached callbacks (test/pages/chaos.ts)',
  date: new Date(t0).toISOString(),
  seed,
  seconds: Math.round(chaosSeconds),
  tabs: TABS,
  operations: { total: Object.values(ops).reduce((a, b) => a + b, 0), ...ops },
  pageLives: slots.reduce((n, s) => n + s.life, 0),
  startupMs: quantiles(startups),
  executions: {
    total: all.length,
    perCallback,
    keys: byKey.size,
    keysByExecutionCount: histogram,
    killedBeforeCommitted: all.filter((e) => e.killed).length,
    // Of those: superseded runs whose page was killed after the board was idle (S20).
    killedAfterSupersededIdle: all.filter((e) => e.killed && e.durable && e.superseded).length,
    supersededWhileComputing: all.filter((e) => e.superseded).length,
    keysRecomputedAfterKill: recomputedAfterKill,
    notCommittedAtEnd: unfinished,
    perKey,
  },
  keysComputedTwice: twice,
  consistent: problems.length === 0,
  consistency: { settleSeconds, problems, lastSet, final: snapshots.map((s) => s.values) },
  errors,
  driverProblems,
  closeRetries,
  warnings,
}
writeJson(out, result)
console.log(
  `[switchboard] chaos: ${result.operations.total} operations, ${all.length} executions over ${byKey.size} keys, ` +
    `${twice.length} computed twice (${recomputedAfterKill} recomputed after their computing tab was killed), ` +
    `${errors.length} errors, ${driverProblems.length} driver problems, ${closeRetries} close re-sends, ${warnings.length} warnings, consistent: ${result.consistent}${problems.length ? ` (${problems.slice(0, 5).join('; ')})` : ''}`,
)
for (const e of errors.slice(0, 10)) console.log(`  error: ${JSON.stringify(e)}`)
for (const e of driverProblems.slice(0, 10)) console.log(`  driver problem: ${JSON.stringify(e)}`)
for (const t of twice.slice(0, 10)) console.log(`  twice: ${JSON.stringify(t)}`)
if (opt.check) {
  const failures = []
  if (result.operations.set === 0 || all.length === 0) failures.push('nothing was exercised (no sets or no executions)')
  if (twice.length) failures.push(`${twice.length} keys computed twice`)
  if (errors.length) failures.push(`${errors.length} errors`)
  if (!result.consistent) failures.push('tabs not consistent')
  if (unfinished.length) failures.push(`${unfinished.length} executions never committed in a live tab`)
  if (failures.length) {
    console.error(`[switchboard] chaos (seed ${seed}) failed: ${failures.join('; ')}`)
    process.exit(1)
  }
  console.log(`[switchboard] chaos (seed ${seed}): targets met`)
}
