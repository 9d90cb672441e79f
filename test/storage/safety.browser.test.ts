/**
 * "Persist is per store" and "Lossless or loud" (DESIGN, safety) in real Chromium: one
 * store's failure fails that store alone, set() and start() never throw for it, the old
 * entry never outlives a newer value, a value the codec would change is refused loudly,
 * restored objects carry no own `__proto__`, an unusable database degrades once.
 * A "reload" is a new board of the same name after the old one is disposed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Board, type BoardEvents, createBoard, StorageError } from '../../src/index'
import { nameOf } from '../../src/storage/names'
import { useWebStorage, type WebKind } from '../../src/storage/web'
import { rawKeys, refusingPuts } from '../idb'
import { waitFor } from '../wait'

let n = 0
const boards: Board[] = []
function board(name: string, extra: Partial<Parameters<typeof createBoard>[0]> = {}) {
  const b = createBoard({ name, version: 1, ...extra })
  boards.push(b)
  return b
}
const fresh = (label: string) => `safety-${label}-${Date.now()}-${++n}`
function events<K extends keyof BoardEvents>(b: Board, type: K): BoardEvents[K][] {
  const list: BoardEvents[K][] = []
  b.on(type, (e) => list.push(e))
  return list
}
const failures = (b: Board) => {
  const list: string[] = []
  b.on('persist-failed', (e) => list.push(`${e.store}:${(e.error as StorageError).code}`))
  return list
}

afterEach(async () => {
  for (const b of boards.splice(0)) b.dispose()
  useWebStorage(undefined)
  sessionStorage.clear()
  localStorage.clear()
  vi.restoreAllMocks()
})

/**
 * The real area, except that setItem of `refused` keys throws what a locked-down or
 * broken Storage throws (our own seam: web.ts reads its areas through useWebStorage).
 */
function refusing(refused: Set<string>, error = () => new DOMException('The operation is insecure.', 'SecurityError')) {
  return (kind: WebKind): Storage => {
    const real = kind === 'session' ? sessionStorage : localStorage
    return new Proxy(real, {
      get(target, p) {
        if (p === 'setItem') {
          return (k: string, v: string) => {
            if (refused.has(k)) throw error()
            target.setItem(k, v)
          }
        }
        const v = Reflect.get(target, p, target) as unknown
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })
  }
}

describe('S05 persist is per store', () => {
  it('S05 a SecurityError from setItem fails that store alone; set() and start() do not throw; subscribers run; the rest is written', async () => {
    // input ─► [fan] ─► bad (local), good (local), other (session), deep (idb)
    const name = fresh('s05')
    const define = (b: Board) => {
      const input = b.store('input', { initial: 1, storage: 'memory' })
      const outs = {
        bad: b.store<number>('bad', { initial: 0, storage: 'local' }),
        good: b.store<number>('good', { initial: 0, storage: 'local' }),
        other: b.store<number>('other', { initial: 0, storage: 'session' }),
        deep: b.store<number>('deep', { initial: 0, storage: 'idb' }),
      }
      b.callback({
        id: 'fan',
        inputs: [input],
        outputs: Object.values(outs),
        run: (x: number) => [x, x * 2, x * 3, x * 4],
        preventInitialCall: true,
      })
      return { input, ...outs }
    }
    const first = board(name)
    const a = define(first)
    await first.start()
    a.input.set(2) // every store has an entry: bad = 2
    await first.idle()
    first.dispose()

    useWebStorage(refusing(new Set([nameOf(name, 'bad')])))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const second = board(name)
    const failed = failures(second)
    const errors = events(second, 'persist-failed')
    const b = define(second)
    const seen: number[] = []
    b.bad.subscribe((v) => seen.push(v))
    await second.start() // restores every store: nothing written yet
    expect(() => b.input.set(5)).not.toThrow()
    await second.idle()
    expect(seen).toEqual([2, 5])
    expect([b.bad.get(), b.good.get(), b.other.get(), b.deep.get()]).toEqual([5, 10, 15, 20])
    expect(failed).toEqual(['bad:unavailable'])
    expect(errors[0]!.error.message).toMatch(/store "bad".*localStorage.*SecurityError/)
    expect(second.inspect().stores.find((s) => s.id === 'bad')!.location).toBe('memory')
    second.dispose()

    // The old entry (2) would restore a value older than the last one set: it is gone.
    useWebStorage(undefined)
    const third = board(name)
    const c = define(third)
    await third.start()
    expect([c.bad.get(), c.good.get(), c.other.get(), c.deep.get()]).toEqual([0, 10, 15, 20])
  })

  it('S05 start() writing never-modified stores does not throw when setItem refuses', async () => {
    const name = fresh('s05-start')
    useWebStorage(refusing(new Set([nameOf(name, 'x')]), () => new DOMException('blocked', 'SecurityError')))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const b = board(name)
    const failed = failures(b)
    const x = b.store('x', { initial: 'a', storage: 'session' })
    const y = b.store('y', { initial: 'b', storage: 'session' })
    await expect(b.start()).resolves.toBeUndefined()
    expect(failed).toEqual(['x:unavailable'])
    expect([x.get(), y.get()]).toEqual(['a', 'b'])
    expect(JSON.parse(sessionStorage.getItem(nameOf(name, 'y'))!).d).toBe('b')
    expect(sessionStorage.getItem(nameOf(name, 'x'))).toBeNull()
  })
})

describe('S12 lossless or loud', () => {
  // Each value the json codec would give back changed, and the path the event names.
  const lossy: Array<[string, () => unknown, string, RegExp]> = [
    ['Date', () => ({ filters: { since: new Date(0) } }), 'filters.since', /Date.*storage: 'idb'/],
    ['Map', () => ({ byId: new Map([[1, 'a']]) }), 'byId', /Map.*storage: 'idb'/],
    ['Set', () => ({ tags: new Set(['a']) }), 'tags', /Set.*storage: 'idb'/],
    [
      'typed array',
      () => ({ rows: [{ bytes: new Uint8Array([1]) }] }),
      'rows[0].bytes',
      /Uint8Array.*codec: 'base64'.*storage: 'idb'/,
    ],
    ['NaN', () => ({ stats: { mean: NaN } }), 'stats.mean', /NaN.*null/],
    ['-0', () => [1, -0], '[1]', /-0/],
    ['Infinity', () => ({ max: Infinity }), 'max', /Infinity/],
    ['function', () => ({ onClick: () => 1 }), 'onClick', /function/],
    ['BigInt', () => ({ id: 10n }), 'id', /BigInt.*storage: 'idb'/],
    [
      'cycle',
      () => {
        const o: Record<string, unknown> = { a: { b: {} } }
        ;(o.a as { b: { c?: unknown } }).b.c = o
        return o
      },
      'a.b.c',
      /cycle/,
    ],
    ['undefined in an array', () => [1, undefined], '[1]', /undefined.*null/],
    [
      'class instance',
      () => ({
        when: new (class Moment {
          x = 1
        })(),
      }),
      'when',
      /Moment/,
    ],
    ['own __proto__ key', () => JSON.parse('{"a":{"__proto__":{"x":1}}}'), 'a.__proto__', /__proto__/],
    ['odd key', () => ({ 'a b': { 0: 10n } }), '["a b"]["0"]', /BigInt/],
  ]
  for (const [what, make, path, message] of lossy) {
    it(`S12 json codec: ${what} is refused with persist-failed 'unencodable' naming ${path}; the value stays in memory`, async () => {
      const name = fresh('s12')
      vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      const b = board(name)
      const events_ = events(b, 'persist-failed')
      const s = b.store<unknown>('prefs', { initial: null, storage: 'local' })
      const other = b.store('other', { initial: 0, storage: 'local' })
      await b.start()
      const value = make()
      b.batch(() => {
        s.set(value)
        other.set(1)
      })
      await b.idle()
      expect(s.get()).toBe(value)
      expect(events_).toHaveLength(1)
      const e = events_[0]!
      expect(e.store).toBe('prefs')
      expect(e.error).toBeInstanceOf(StorageError)
      expect((e.error as StorageError).code).toBe('unencodable')
      expect((e.error as StorageError & { path?: string }).path).toBe(path)
      expect(e.error.message).toContain(`store "prefs"`)
      expect(e.error.message).toContain(path)
      expect(e.error.message).toMatch(message)
      expect(localStorage.getItem(nameOf(name, 'prefs'))).toBeNull()
      expect(JSON.parse(localStorage.getItem(nameOf(name, 'other'))!).d).toBe(1)
    })
  }

  it('S12 what JSON gives back equal is written: nested plain data, shared references, unicode, undefined properties', async () => {
    const name = fresh('s12-ok')
    const b = board(name)
    const failed = failures(b)
    const s = b.store<unknown>('ok', { initial: null, storage: 'session' })
    await b.start()
    const shared = { x: 1 }
    s.set({
      a: [1, 'two', null, true, { deep: ['💥', '\u{10FFFF}'] }],
      s1: shared,
      s2: shared,
      gone: undefined,
      neg: -1.5,
    })
    await b.idle()
    expect(failed).toEqual([])
    b.dispose()
    const c = board(name)
    const back = c.store<unknown>('ok', { initial: null, storage: 'session' })
    await c.start()
    expect(back.get()).toEqual({
      a: [1, 'two', null, true, { deep: ['💥', '\u{10FFFF}'] }],
      s1: { x: 1 },
      s2: { x: 1 },
      neg: -1.5,
    })
  })

  it("S12 base64 codec: a value that is not binary is refused with 'unencodable' and the fix", async () => {
    const b = board(fresh('s12-b64'))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const e = events(b, 'persist-failed')
    const s = b.store<unknown>('bin', { initial: null, storage: 'local', codec: 'base64' })
    await b.start()
    s.set({ not: 'binary' })
    await b.idle()
    expect(e.map((x) => (x.error as StorageError).code)).toEqual(['unencodable'])
    expect(e[0]!.error.message).toMatch(/store "bin".*codec: 'json'/)
  })

  it('S12 base64 codec: undefined comes back undefined and null comes back null (found by the codec property test)', async () => {
    // toUndefined: initial null, set to undefined; toNull: no initial, set to null;
    // untouched: no initial, never set (written once at t = 0 after the first load).
    const name = fresh('s12-b64-undefined')
    const define = (b: Board) => ({
      toUndefined: b.store<unknown>('toUndefined', { initial: null, storage: 'local', codec: 'base64' }),
      toNull: b.store<unknown>('toNull', { storage: 'local', codec: 'base64' }),
      untouched: b.store<unknown>('untouched', { storage: 'session', codec: 'base64' }),
    })
    const b = board(name)
    const e = events(b, 'persist-failed')
    const first = define(b)
    await b.start()
    first.toUndefined.set(undefined)
    first.toNull.set(null)
    await b.idle()
    b.dispose()
    const again = board(name)
    const back = define(again)
    await again.start()
    expect(e).toEqual([])
    expect([back.toUndefined.get(), back.toNull.get(), back.untouched.get()]).toEqual([undefined, null, undefined])
  })

  it('S12 idb: a class instance (its prototype would be lost) and a function are refused, naming the path', async () => {
    const name = fresh('s12-idb')
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const b = board(name)
    const e = events(b, 'persist-failed')
    const s = b.store<unknown>('v', { initial: null, storage: 'idb' })
    const ok = b.store<unknown>('ok', { initial: null, storage: 'idb' })
    await b.start()
    class Point {
      constructor(readonly x: number) {}
    }
    b.batch(() => {
      s.set({ list: [new Point(1)] })
      ok.set({ when: new Date(5), m: new Map([[1n, new Set([NaN, 'x'])]]), z: [-0], bytes: new Float32Array([1.5]) })
    })
    await b.idle()
    s.set({ cb: () => 1 })
    await b.idle()
    expect(
      e.map((x) => [x.store, (x.error as StorageError).code, (x.error as StorageError & { path?: string }).path]),
    ).toEqual([
      ['v', 'unencodable', 'list[0]'],
      ['v', 'unencodable', 'cb'],
    ])
    b.dispose()
    const c = board(name)
    const back = c.store<{ when: Date; m: Map<bigint, Set<unknown>>; z: number[]; bytes: Float32Array }>('ok', {
      storage: 'idb',
    })
    await c.start()
    expect(back.get()!.when).toEqual(new Date(5))
    expect([...back.get()!.m.get(1n)!]).toEqual([NaN, 'x'])
    expect(Object.is(back.get()!.z[0], -0)).toBe(true)
    expect(back.get()!.bytes).toBeInstanceOf(Float32Array)
  })
})

describe('S13 a value that cannot be written removes the old entry', () => {
  for (const storage of ['local', 'session', 'idb'] as const) {
    it(`S13 ${storage}: set('v1') then an unencodable value: a reload restores initial, not 'v1'`, async () => {
      const name = fresh(`s13-${storage}`)
      vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      const b = board(name)
      const failed = failures(b)
      const s = b.store<unknown>('s', { initial: 'initial', storage })
      await b.start()
      s.set('v1')
      await b.idle()
      s.set(storage === 'idb' ? { f: () => 1 } : 10n)
      await b.idle()
      expect(failed).toEqual(['s:unencodable'])
      b.dispose()
      const c = board(name)
      const again = c.store<unknown>('s', { initial: 'initial', storage })
      await c.start()
      expect(again.get()).toBe('initial')
    })
  }
})

/** Opens board `name`'s database as other code would (another app, an older or newer release). */
function rawOpen(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase) => void = () => undefined,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(nameOf(name), version)
    r.onupgradeneeded = () => upgrade(r.result)
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}
async function rawPut(name: string, store: string, key: IDBValidKey, value: unknown): Promise<void> {
  const db = await rawOpen(name, 1, (d) => {
    for (const s of ['stores', 'cache', 'handles']) d.createObjectStore(s)
  })
  await new Promise<void>((resolve, reject) => {
    const t = db.transaction(store, 'readwrite')
    t.objectStore(store).put(value, key)
    t.oncomplete = () => resolve()
    t.onabort = () => reject(t.error)
  })
  db.close()
}

describe('S16 an unusable IndexedDB degrades once and says so', () => {
  const cases: Array<[string, (name: string) => Promise<IDBDatabase>]> = [
    ['a database at a higher version', (name) => rawOpen(name, 7, (d) => d.createObjectStore('stores'))],
    ['a database without our object stores', (name) => rawOpen(name, 1, (d) => d.createObjectStore('something-else'))],
  ]
  for (const [what, make] of cases) {
    it(`S16 ${what}: no persist-failed per write, ONE warning, capabilities.indexedDB false, values in memory`, async () => {
      const name = fresh('s16')
      ;(await make(name)).close()
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      const b = board(name)
      const failed = failures(b)
      const warnings = events(b, 'warning')
      const a = b.store('a', { initial: 0, storage: 'idb' })
      const c = b.store('c', { initial: 0, storage: 'idb' })
      await b.start()
      for (const v of [1, 2, 3]) {
        b.batch(() => {
          a.set(v)
          c.set(v * 10)
        })
        await b.idle()
      }
      expect([a.get(), c.get()]).toEqual([3, 30])
      expect(failed).toEqual([])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.message).toMatch(/IndexedDB .*memory only/)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(b.inspect().capabilities.indexedDB).toBe(false)
      expect(b.inspect().stores.map((s) => s.location)).toEqual(['memory', 'memory'])
    })
  }
})

describe('S17 restored objects carry no own __proto__', () => {
  it('S17 idb: an entry with own __proto__ keys (nested, in arrays and Maps) comes back without them; nothing is polluted', async () => {
    const name = fresh('s17')
    const hostile = JSON.parse(
      '{"size":3,"__proto__":{"polluted":"yes"},"list":[{"__proto__":{"p2":1},"k":1}],"constructor":{"prototype":{"p3":1}}}',
    )
    const m = new Map([['row', JSON.parse('{"__proto__":{"p4":1},"v":2}')]])
    await rawPut(name, 'stores', 'prefs', { sb: 1, v: 1, t: 1, d: { ...{}, payload: hostile, m } })
    const b = board(name)
    const prefs = b.store<{ payload: Record<string, unknown>; m: Map<string, Record<string, unknown>> }>('prefs', {
      storage: 'idb',
    })
    await b.start()
    const v = prefs.get()!
    expect(Object.hasOwn(v.payload, '__proto__')).toBe(false)
    expect(Object.hasOwn(v.payload, 'constructor')).toBe(false)
    expect(Object.hasOwn((v.payload.list as object[])[0]!, '__proto__')).toBe(false)
    expect(Object.hasOwn(v.m.get('row')!, '__proto__')).toBe(false)
    expect([v.payload.size, (v.payload.list as Array<{ k: number }>)[0]!.k, v.m.get('row')!.v]).toEqual([3, 1, 2])
    // A naive deep merge in app code now pollutes nothing.
    const merge = (into: Record<string, any>, from: Record<string, any>) => {
      for (const k of Object.keys(from)) {
        if (typeof from[k] === 'object' && from[k] !== null) merge((into[k] ??= {}), from[k])
        else into[k] = from[k]
      }
    }
    merge({}, v.payload)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).p2).toBeUndefined()
  })

  it('S17 idb change told by another tab: the entry it points at is read without own __proto__ keys', async () => {
    // Another tab wrote the entry (here: by hand) and sent the cross-tab hint naming it.
    const name = fresh('s17-remote')
    const b = board(name)
    const prefs = b.store<Record<string, unknown> | null>('prefs', { storage: 'idb', initial: null })
    await b.start()
    await b.idle()
    await rawPut(name, 'stores', 'prefs', {
      sb: 1,
      v: 1,
      t: Date.now(),
      d: JSON.parse('{"k":1,"__proto__":{"polluted":"yes"}}'),
    })
    const other = new BroadcastChannel(nameOf(name))
    other.postMessage({ sb: 1, from: 'another-tab', type: 'stores', ids: ['prefs'] })
    other.close()
    await waitFor(() => expect(prefs.get()).not.toBeNull(), { timeout: 30_000 })
    expect(prefs.get()!.k).toBe(1)
    expect(Object.hasOwn(prefs.get()!, '__proto__')).toBe(false)
  })
})

describe('F25 maxAgeMs', () => {
  it('F25 an entry older than maxAgeMs is removed on start, start-up continues, one event; a younger one is restored', async () => {
    // old (local, idb): written an hour ago; young (local, session): now; zero: never modified (t = 0)
    const name = fresh('f25')
    const hour = 3_600_000
    const now = Date.now()
    localStorage.setItem(nameOf(name, 'old'), JSON.stringify({ sb: 1, v: 1, t: now - hour, d: 'stale' }))
    localStorage.setItem(nameOf(name, 'young'), JSON.stringify({ sb: 1, v: 1, t: now, d: 'fresh' }))
    sessionStorage.setItem(nameOf(name, 'zero'), JSON.stringify({ sb: 1, v: 1, t: 0, d: 'never modified' }))
    await rawPut(name, 'stores', 'deep', { sb: 1, v: 1, t: now - hour, d: 'stale too' })
    const b = board(name)
    const warnings = events(b, 'warning')
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const maxAgeMs = 60_000
    const old = b.store('old', { initial: 'initial', storage: 'local', maxAgeMs })
    const young = b.store('young', { initial: 'initial', storage: 'local', maxAgeMs })
    const zero = b.store('zero', { initial: 'initial', storage: 'session', maxAgeMs })
    const deep = b.store('deep', { initial: 'initial', storage: 'idb', maxAgeMs })
    const kept = b.store('kept', { initial: 'initial', storage: 'local' })
    const ran = vi.fn((x: string) => `${x}!`)
    const out = b.store<string>('out')
    b.callback({ id: 'shout', inputs: [old], outputs: [out], run: ran })
    await b.start()
    expect([old.get(), young.get(), zero.get(), deep.get(), kept.get()]).toEqual([
      'initial',
      'fresh',
      'never modified',
      'initial',
      'initial',
    ])
    expect(out.get()).toBe('initial!')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/older than maxAgeMs.*old, deep|older than maxAgeMs.*deep, old/)
    // Removed, then written again at its initial value (never modified) by start().
    expect(JSON.parse(localStorage.getItem(nameOf(name, 'old'))!)).toMatchObject({ t: 0, d: 'initial' })
    expect(await rawKeys(name, 'stores')).toEqual(['deep'])
  })
})

describe('S11 quota fails one idb store, after evicting the cache and retrying once', () => {
  it('S11 an over-quota value fails its own store alone; the cache is evicted oldest-first and the write retried once', async () => {
    // n ─► [f] (cached, memory output) writes cache entries; small, big: idb stores
    const name = fresh('s11')
    let refuse = 0
    const isBig = (store: string, v: unknown) =>
      store === 'stores' && typeof (v as { d?: unknown })?.d === 'string' && (v as { d: string }).d.length > 1000
    const { open } = refusingPuts((store, v) => isBig(store, v) && refuse-- > 0)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const define = (b: Board) => {
      const n = b.store('n', { initial: 1 })
      const out = b.store<number>('out')
      b.callback({ id: 'f', inputs: [n], outputs: [out], cache: {}, run: (x: number) => x * 2 })
      return {
        n,
        small: b.store('small', { initial: 's0', storage: 'idb' }),
        big: b.store('big', { initial: 'b0', storage: 'idb' }),
      }
    }
    const b = board(name, { idb: { open } })
    const failed = events(b, 'persist-failed')
    const s = define(b)
    await b.start()
    for (const v of [2, 3, 4]) {
      s.n.set(v)
      await b.idle()
    }
    const dataKeys = async () => (await rawKeys(name, 'cache')).filter((k) => (k as string[])[0] === 'd')
    expect(await dataKeys()).toHaveLength(4)
    b.batch(() => {
      s.small.set('s1')
      s.big.set('B'.repeat(2000))
    })
    await b.idle()

    // The wave's transaction and the big store's own write are refused; after evicting the
    // oldest half of the cache (1 and 2) the one retry is accepted.
    refuse = 2
    b.batch(() => {
      s.small.set('s2')
      s.big.set('C'.repeat(2000))
    })
    await b.idle()
    expect(failed).toEqual([])
    expect(await dataKeys()).toHaveLength(2)

    // Refused every time (wave, own write, the one retry): the big store fails alone, with
    // 'quota'; the small one is written. A second retry would have been accepted.
    refuse = 3
    b.batch(() => {
      s.small.set('s3')
      s.big.set('D'.repeat(2000))
    })
    await b.idle()
    expect(failed.map((e) => [e.store, (e.error as StorageError).code, e.bytes])).toEqual([['big', 'quota', 4000]])
    expect(failed[0]!.error.message).toMatch(/store "big".*storage is full/)
    expect(s.big.get()).toBe('D'.repeat(2000))
    expect(await dataKeys()).toHaveLength(1)
    expect(refuse).toBe(0)
    b.dispose()

    const again = board(name)
    const r = define(again)
    await again.start()
    // The small store has its newest value; the big one's older entry ('C…') was removed.
    expect([r.small.get(), r.big.get()]).toEqual(['s3', 'b0'])
  })
})
