// Fixture for test/e2e/quota.spec.ts, which sets this origin's quota through the DevTools
// protocol (Storage.overrideQuotaForOrigin): the browser's own QuotaExceededError, raised
// when a transaction commits, not a fake thrown from put().
//
//   n ─► [blob, cached] ─► out (memory)      a cache entry of n.bytes random bytes per n
//   small (idb), big (idb)                   written together, one wave
import { createBoard } from 'switchboard'

/** Random bytes: incompressible, so they weigh on the quota what they say. */
function random(bytes: number): Uint8Array {
  const a = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(a.subarray(i, i + 65536))
  return a
}

const board = createBoard({ name: 'e2e-quota', version: 1 })
const n = board.store('n', { initial: { bytes: 0, seed: 0 } })
const out = board.store<Uint8Array | null>('out', { initial: null })
board.callback({
  id: 'blob',
  inputs: [n],
  outputs: [out],
  cache: {},
  run: ({ bytes }: { bytes: number }) => random(bytes),
})
const small = board.store('small', { initial: 's0', storage: 'idb' })
const big = board.store<Uint8Array | null>('big', { initial: null, storage: 'idb' })

const failed: Array<{ store: string; code: string; bytes: number; key: string | null }> = []
const warnings: string[] = []
board.on('persist-failed', (e) =>
  failed.push({
    store: e.store,
    code: String((e.error as { code?: unknown }).code),
    bytes: e.bytes,
    key: e.key ?? null,
  }),
)
board.on('warning', (e) => warnings.push(e.message))

/** Data entries of the cache, read with plain IndexedDB as another tab would. */
async function cacheEntries(): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open('sb:e2e-quota:')
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
  const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
    const r = db.transaction('cache').objectStore('cache').getAllKeys()
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
  db.close()
  return keys.filter((k) => Array.isArray(k) && k[0] === 'd').length
}

const api = {
  failed,
  warnings,
  cacheEntries,
  /** One cache entry of `bytes` bytes; resolves with the bytes `out` holds. */
  async cache(bytes: number, seed: number) {
    n.set({ bytes, seed })
    await board.idle()
    return out.get()?.byteLength ?? -1
  },
  /** small and big in one wave. */
  async wave(s: string, bigBytes: number) {
    board.batch(() => {
      small.set(s)
      big.set(random(bigBytes))
    })
    await board.idle()
  },
  state: () => ({
    small: small.get(),
    big: big.get()?.byteLength ?? null,
    indexedDB: board.inspect().capabilities.indexedDB,
  }),
}
;(globalThis as { api?: typeof api }).api = api
await board.start()
document.querySelector('[data-testid="ready"]')!.textContent = 'yes'
