/**
 * Persisted stores in real Chromium: sessionStorage, localStorage and IndexedDB, the
 * codecs, restore before the initial wave, and the Web Storage faults of FAULTS.md B/E.
 * A "reload" here is a new board of the same name on the same origin, after the old one
 * is disposed: it reads exactly what a reloaded page would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, createBoard } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { countingOpen } from '../idb'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<Parameters<typeof createBoard>[0]> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `persist-${label}-${Date.now()}-${++n}`

afterEach(async () => {
  for (const b of boards.splice(0)) b.dispose()
  sessionStorage.clear()
  localStorage.clear()
  vi.restoreAllMocks()
})

describe('restore survives a reload', () => {
  it('clear() of a store that its callback writes again in the same wave persists the new value', async () => {
    // n (idb) ─► [triple] ─► out (idb); clearing both in one batch recomputes out from n's initial
    const name = fresh('clear-rewrite')
    const define = (b: Board) => {
      const n = b.store('n', { initial: 1, storage: 'idb' })
      const out = b.store<number>('out', { storage: 'idb' })
      b.callback({ id: 'triple', inputs: [n], outputs: [out], run: (x: number) => x * 3 })
      return { n, out }
    }
    const first = board(name)
    const a = define(first)
    await first.start()
    a.n.set(5)
    first.batch(() => {
      a.n.clear()
      a.out.clear()
    })
    expect(a.out.get()).toBe(3)
    await first.idle()
    first.dispose()

    // A page that only reads out (it cannot recompute it) finds the value written last.
    const second = board(name)
    const out = second.store<number>('out', { storage: 'idb' })
    await second.start()
    expect(out.get()).toBe(3)
  })

  it('a store never changed from its initial value counts as restored on the next load', async () => {
    // seed (session, initial 3, never set) ─► [square] ─► squared (session)
    // samples (session, base64, initial null, never set) ─► [size] ─► bytes (session)
    const name = fresh('initial')
    const define = (b: Board) => {
      const seed = b.store('seed', { initial: 3, storage: 'session' })
      const squared = b.store<number>('squared', { storage: 'session' })
      const samples = b.store<Float32Array | null>('samples', { initial: null, storage: 'session', codec: 'base64' })
      const bytes = b.store<number>('bytes', { storage: 'session' })
      const square = vi.fn((x: number) => x * x)
      const size = vi.fn((xs: Float32Array | null) => xs?.byteLength ?? 0)
      b.callback({ id: 'square', inputs: [seed], outputs: [squared], run: square })
      b.callback({ id: 'size', inputs: [samples], outputs: [bytes], run: size })
      return { seed, squared, samples, bytes, square, size }
    }
    const failures: unknown[] = []
    const first = board(name)
    first.on('persist-failed', (e) => failures.push(e))
    const a = define(first)
    await first.start()
    expect(a.square).toHaveBeenCalledTimes(1)
    expect(a.size).toHaveBeenCalledTimes(1)
    expect(a.seed.modifiedAt).toBeUndefined()
    first.dispose()
    expect(failures).toEqual([])

    const second = board(name)
    const b = define(second)
    await second.start()
    expect(b.square).not.toHaveBeenCalled()
    expect(b.size).not.toHaveBeenCalled()
    expect([b.seed.get(), b.squared.get(), b.samples.get(), b.bytes.get()]).toEqual([3, 9, null, 0])
    // Never modified stays never modified (dcc.Store's modified_timestamp of -1).
    expect(b.seed.modifiedAt).toBeUndefined()
    b.seed.set(4)
    expect(b.squared.get()).toBe(16)
  })

  it('session, local and idb stores come back; callbacks whose stores were all restored do not run', async () => {
    // input ─► [expensive] ─► result   (all three persisted: no re-run on reload)
    // input ─► [view] ─► label         (label is memory: it runs again)
    const name = fresh('reload')
    const define = (b: Board) => {
      const input = b.store('input', { initial: 1, storage: 'local' })
      const result = b.store<number>('result', { storage: 'idb' })
      const note = b.store('note', { initial: '', storage: 'session' })
      const label = b.store<string>('label')
      const expensive = vi.fn((x: number) => x * 100)
      const view = vi.fn((x: number) => `input is ${x}`)
      b.callback({ id: 'expensive', inputs: [input], outputs: [result], run: expensive })
      b.callback({ id: 'view', inputs: [input], outputs: [label], run: view })
      return { input, result, note, label, expensive, view }
    }
    const first = board(name)
    const a = define(first)
    await first.start()
    a.input.set(7)
    a.note.set('kept for this tab')
    await first.idle()
    expect(a.expensive).toHaveBeenCalledTimes(2)
    first.dispose()

    const second = board(name)
    const b = define(second)
    await second.start()
    expect(b.input.get()).toBe(7)
    expect(b.result.get()).toBe(700)
    expect(b.note.get()).toBe('kept for this tab')
    expect(b.expensive).not.toHaveBeenCalled()
    expect(b.view).toHaveBeenCalledTimes(1)
    expect(b.label.get()).toBe('input is 7')
    expect(typeof b.result.modifiedAt).toBe('number')
  })

  it('IndexedDB writes of one wave share one transaction', async () => {
    // a ─► [fan] ─► (x, y, z) all idb: one wave, one readwrite transaction
    const { counter, open } = countingOpen()
    const b = board(fresh('batch'), { idb: { open } })
    const a = b.store('a', { initial: 0, storage: 'idb' })
    const outs = ['x', 'y', 'z'].map((id) => b.store<number>(id, { storage: 'idb' }))
    b.callback({ inputs: [a], outputs: outs, run: (v) => [v + 1, v + 2, v + 3] })
    await b.start()
    await b.idle()
    counter.readwrite = 0
    a.set(10)
    await b.idle()
    expect(counter.readwrite).toBe(1)
    const again = board(b.name)
    const restored = ['a', 'x', 'y', 'z'].map((id) => again.store(id, { storage: 'idb' }))
    b.dispose()
    await again.start()
    expect(restored.map((s) => s.get())).toEqual([10, 11, 12, 13])
  })

  it('base64 codec: typed arrays and ArrayBuffer come back as the same type, stored as RFC 4648 text', async () => {
    const name = fresh('b64')
    const b = board(name)
    const f64 = b.store('f64', { storage: 'local', codec: 'base64', initial: new Float64Array(0) })
    const u8 = b.store('u8', { storage: 'session', codec: 'base64', initial: new Uint8Array(0) })
    const buf = b.store('buf', { storage: 'local', codec: 'base64', initial: new ArrayBuffer(0) })
    await b.start()
    f64.set(new Float64Array([1.5, -0, Math.PI, Number.MAX_VALUE]))
    u8.set(new Uint8Array([0, 1, 2, 250, 251, 255]))
    buf.set(new Uint8Array([104, 105]).buffer)
    await b.idle()
    const raw = JSON.parse(sessionStorage.getItem(nameOf(name, 'u8'))!)
    expect(raw.d).toEqual({ t: 'Uint8Array', b: btoa(String.fromCharCode(0, 1, 2, 250, 251, 255)) })
    b.dispose()

    const c = board(name)
    const f64b = c.store<Float64Array>('f64', { storage: 'local', codec: 'base64' })
    const u8b = c.store<Uint8Array>('u8', { storage: 'session', codec: 'base64' })
    const bufb = c.store<ArrayBuffer>('buf', { storage: 'local', codec: 'base64' })
    await c.start()
    expect(f64b.get()).toBeInstanceOf(Float64Array)
    expect(Array.from(f64b.get()!)).toEqual([1.5, -0, Math.PI, Number.MAX_VALUE])
    expect(Object.is(f64b.get()![1], -0)).toBe(true)
    expect(u8b.get()).toBeInstanceOf(Uint8Array)
    expect(Array.from(u8b.get()!)).toEqual([0, 1, 2, 250, 251, 255])
    expect(bufb.get()).toBeInstanceOf(ArrayBuffer)
    expect(new TextDecoder().decode(bufb.get())).toBe('hi')
  })

  it('store.clear() sets initial and removes the persisted entry', async () => {
    const name = fresh('clear')
    const b = board(name)
    const s = b.store('s', { initial: 'start', storage: 'local' })
    await b.start()
    s.set('changed')
    await b.idle()
    expect(localStorage.getItem(nameOf(name, 's'))).toContain('changed')
    s.clear()
    await b.idle()
    expect(s.get()).toBe('start')
    expect(localStorage.getItem(nameOf(name, 's'))).toBeNull()
  })
})

describe('Web Storage faults', () => {
  it('F09 setItem over quota: caught by name, value kept, falls back to IndexedDB and says so', async () => {
    const name = fresh('quota')
    const b = board(name)
    const big = b.store('big', { initial: '', storage: 'local', spillOver: Infinity })
    const failed: Array<{ store: string; error: Error }> = []
    const warnings: string[] = []
    b.on('persist-failed', (e) => failed.push(e))
    b.on('warning', (e) => warnings.push(e.message))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    await b.start()
    const value = 'x'.repeat(6_000_000) // over Chromium's ~5.24 M UTF-16 characters per area
    big.set(value)
    await b.idle()
    expect(big.get()).toBe(value)
    expect(failed).toHaveLength(1)
    expect(failed[0]!.store).toBe('big')
    expect(failed[0]!.error).toMatchObject({ name: 'StorageError', code: 'quota' })
    expect(warnings.some((w) => w.includes('"big"') && w.includes('IndexedDB'))).toBe(true)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(b.inspect().stores[0]!.location).toBe('idb')
    // A pointer, not a half entry, sits in localStorage; the value comes back from IndexedDB.
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'big'))!)).toMatchObject({ spill: true })
    b.dispose()
    const c = board(name)
    const again = c.store('big', { initial: '', storage: 'local', spillOver: Infinity })
    await c.start()
    expect(again.get().length).toBe(6_000_000)
  })

  it("F09 setItem over quota with fallback 'memory': the stale entry is removed, the value stays in memory", async () => {
    const name = fresh('quota-mem')
    const b = board(name)
    const big = b.store('big', { initial: 'small', storage: 'local', spillOver: Infinity, fallback: 'memory' })
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    await b.start()
    big.set('old value')
    await b.idle()
    big.set('y'.repeat(6_000_000))
    await b.idle()
    expect(big.get().length).toBe(6_000_000)
    expect(localStorage.getItem(nameOf(name, 'big'))).toBeNull()
    expect(b.inspect().stores[0]!.location).toBe('memory')
  })

  it('F10 size routing: just under the threshold stays in Web Storage, just over goes to IndexedDB', async () => {
    const name = fresh('route')
    const b = board(name)
    // The envelope adds a fixed overhead; find the payload size that lands exactly on it.
    const under = b.store('under', { initial: '', storage: 'session', spillOver: 1000 })
    const over = b.store('over', { initial: '', storage: 'session', spillOver: 1000 })
    await b.start()
    const overhead = JSON.stringify({ sb: 1, v: 1, t: Date.now(), d: '' }).length
    under.set('u'.repeat(1000 - overhead))
    over.set('o'.repeat(1001 - overhead))
    await b.idle()
    const rawUnder = sessionStorage.getItem(nameOf(name, 'under'))!
    const rawOver = sessionStorage.getItem(nameOf(name, 'over'))!
    expect(rawUnder.length).toBe(1000)
    expect(JSON.parse(rawUnder).spill).toBeUndefined()
    expect(JSON.parse(rawOver).spill).toBe(true)
    const where = Object.fromEntries(b.inspect().stores.map((s) => [s.id, s.location]))
    expect(where).toEqual({ under: 'session', over: 'idb' })
    b.dispose()
    const c = board(name)
    const u = c.store('under', { initial: '', storage: 'session', spillOver: 1000 })
    const o = c.store('over', { initial: '', storage: 'session', spillOver: 1000 })
    await c.start()
    expect(u.get()).toBe('u'.repeat(1000 - overhead))
    expect(o.get()).toBe('o'.repeat(1001 - overhead))
  })

  it("F12 storage events: another tab's write updates a local store and runs its readers; key null clears", async () => {
    // theme (local) ─► [apply] ─► applied
    const name = fresh('events')
    const b = board(name)
    const theme = b.store('theme', { initial: 'light', storage: 'local' })
    const applied = b.store<string>('applied')
    const apply = vi.fn((t: string) => `theme:${t}`)
    b.callback({ inputs: [theme], outputs: [applied], run: apply })
    await b.start()
    apply.mockClear()
    // Own writes fire no storage event in this tab, so nothing re-runs from them.
    theme.set('dark')
    await b.idle()
    expect(apply).toHaveBeenCalledTimes(1)
    // What the browser delivers when another tab of the origin writes the key: the area
    // holds its value (this page's setItem fires no event here, so the event is dispatched).
    const key = nameOf(name, 'theme')
    const newValue = JSON.stringify({ sb: 1, v: 1, t: Date.now(), d: 'solarized' })
    localStorage.setItem(key, newValue)
    dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: localStorage }))
    expect(theme.get()).toBe('solarized')
    expect(applied.get()).toBe('theme:solarized')
    expect(apply).toHaveBeenCalledTimes(2)
    // Another tab called localStorage.clear(): key is null.
    dispatchEvent(new StorageEvent('storage', { key: null, storageArea: localStorage }))
    expect(theme.get()).toBe('light')
    expect(applied.get()).toBe('theme:light')
  })

  it("F12 storage events: an event older than this tab's own later write does not roll the store back (what the area holds wins)", async () => {
    // Two tabs set a local store at once: tab X writes 2, then this tab writes 3, so the
    // area holds 3 everywhere; X's event (newValue 2) reaches this tab after its own write.
    // Taking the event's newValue left this tab at 2 while the area and every other tab
    // held 3, for good (the chaos run found it: "a differs across tabs: 3, 2, 3, 3, 3, 3").
    // a (local) ─► [show] ─► shown
    const name = fresh('late-event')
    const b = board(name)
    const a = b.store('a', { initial: 0, storage: 'local' })
    const shown = b.store<string>('shown')
    const show = vi.fn((x: number) => `a=${x}`)
    b.callback({ inputs: [a], outputs: [shown], run: show })
    await b.start()
    show.mockClear()
    a.set(3)
    await b.idle()
    const key = nameOf(name, 'a')
    expect(JSON.parse(localStorage.getItem(key)!).d).toBe(3)
    const older = JSON.stringify({ sb: 1, v: 1, t: Date.now() - 5, d: 2 })
    dispatchEvent(new StorageEvent('storage', { key, oldValue: null, newValue: older, storageArea: localStorage }))
    await b.idle()
    expect(a.get()).toBe(3)
    expect(shown.get()).toBe('a=3')
    expect(show).toHaveBeenCalledTimes(1)
  })

  it('F13 corrupt entry: not JSON, truncated base64, wrong schema: dropped, recomputed, one warning', async () => {
    // seed (local) ─► [double] ─► doubled (local)
    const name = fresh('corrupt')
    localStorage.setItem(nameOf(name, 'seed'), '{not json')
    localStorage.setItem(nameOf(name, 'doubled'), JSON.stringify({ sb: 7, v: 1, t: 1, d: 4 }))
    localStorage.setItem(
      nameOf(name, 'bytes'),
      JSON.stringify({ sb: 1, v: 1, t: 1, d: { t: 'Float64Array', b: 'AAAAAAAA8D8A' } }),
    )
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const b = board(name)
    const seed = b.store('seed', { initial: 2, storage: 'local' })
    const doubled = b.store<number>('doubled', { storage: 'local' })
    const bytes = b.store('bytes', { initial: new Float64Array([9]), storage: 'local', codec: 'base64' })
    const double = vi.fn((x: number) => x * 2)
    b.callback({ inputs: [seed], outputs: [doubled], run: double })
    await b.start()
    expect(seed.get()).toBe(2)
    expect(doubled.get()).toBe(4)
    expect(double).toHaveBeenCalledTimes(1)
    expect(Array.from(bytes.get())).toEqual([9])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/\[switchboard\].*seed, doubled, bytes/)
    // The corrupt entry is gone; the store's initial value is written in its place (t = 0).
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'bytes'))!)).toEqual({
      sb: 1,
      v: 1,
      t: 0,
      d: { t: 'Float64Array', b: 'AAAAAAAAIkA=' },
    })
  })

  it('F25 stale persisted cache: another board version, no timestamp, unparseable: removed, start continues', async () => {
    const name = fresh('stale')
    localStorage.setItem(nameOf(name, 'old'), JSON.stringify({ sb: 1, v: 0, t: 1, d: 'from v0' }))
    localStorage.setItem(nameOf(name, 'nots'), JSON.stringify({ sb: 1, v: 1, d: 'no timestamp' }))
    sessionStorage.setItem(nameOf(name, 'junk'), 'undefined')
    const warnings: string[] = []
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const b = board(name)
    b.on('warning', (w) => warnings.push(w.message))
    const old = b.store('old', { initial: 'fresh', storage: 'local' })
    const nots = b.store('nots', { initial: 'fresh', storage: 'local' })
    const junk = b.store('junk', { initial: 'fresh', storage: 'session' })
    await b.start()
    expect([old.get(), nots.get(), junk.get()]).toEqual(['fresh', 'fresh', 'fresh'])
    expect(warnings).toHaveLength(1)
    // Stale entries are replaced by the initial value, marked never modified (t = 0).
    const entry = { sb: 1, v: 1, t: 0, d: 'fresh' }
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'old'))!)).toEqual(entry)
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'nots'))!)).toEqual(entry)
    expect(JSON.parse(sessionStorage.getItem(nameOf(name, 'junk'))!)).toEqual(entry)
  })

  it('F31 hostile input: restored JSON with __proto__ / constructor.prototype pollutes nothing', async () => {
    const name = fresh('proto')
    localStorage.setItem(
      nameOf(name, 'prefs'),
      '{"sb":1,"v":1,"t":1,"d":{"size":3,"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted2":"yes"}}}}',
    )
    const b = board(name)
    const prefs = b.store<Record<string, unknown>>('prefs', { initial: {}, storage: 'local' })
    await b.start()
    const merged = Object.assign({}, prefs.get())
    const spread = { ...prefs.get() }
    expect(prefs.get().size).toBe(3)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined()
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
    expect((merged as Record<string, unknown>).polluted).toBeUndefined()
    expect((spread as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('F03 value IndexedDB cannot store: that store fails alone, the rest of the wave is written', async () => {
    const name = fresh('clone')
    const b = board(name)
    const good = b.store('good', { initial: 0, storage: 'idb' })
    const bad = b.store<unknown>('bad', { initial: null, storage: 'idb' })
    // A Proxy looks like plain data to our check (S12); only the browser's clone refuses it.
    const proxied = b.store<unknown>('proxied', { initial: null, storage: 'idb' })
    const failed: string[] = []
    b.on('persist-failed', (e) => failed.push(`${e.store}:${(e.error as { code?: string }).code}`))
    await b.start()
    b.batch(() => {
      good.set(42)
      bad.set({ fn: () => 1 })
      proxied.set({ p: new Proxy({}, {}) })
    })
    await b.idle()
    expect(failed).toEqual(['bad:unencodable', 'proxied:unserialisable'])
    expect(typeof (bad.get() as { fn: unknown }).fn).toBe('function')
    b.dispose()
    const c = board(name)
    const good2 = c.store('good', { initial: 0, storage: 'idb' })
    const bad2 = c.store<unknown>('bad', { initial: null, storage: 'idb' })
    await c.start()
    expect(good2.get()).toBe(42)
    expect(bad2.get()).toBeNull()
  })
})
