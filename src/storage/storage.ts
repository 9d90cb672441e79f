/**
 * Where persisted stores live, and how a board writes and restores them.
 *
 * Every persisted value sits in an envelope `{ sb: 1, v: boardVersion, t: modifiedAt, d }`.
 * Keys are namespaced by board name (`nameOf(board, store)`, e.g. `sb:app:query:`, in Web
 * Storage, the store id in the board's own IndexedDB database `nameOf(board)`; names.ts
 * escapes each part so no two boards or stores share a key, S01); the board version lives
 * in the envelope, so data of another version is found, dropped and removed rather than
 * left behind forever (F25).
 *
 * Invariants:
 * - A value accepted by `set` is always readable from memory, whatever storage does.
 * - A value is written before anything that points at it (spill entry before its Web
 *   Storage pointer), so a failure leaves no half entry (F09).
 * - IndexedDB writes of one wave go in one transaction; a value the browser cannot clone
 *   fails alone, the rest of the batch is written (F03).
 * - Restore drops what it cannot trust (not JSON, wrong schema, other board version, bad
 *   base64) with one warning, and the store starts from `initial` (F13, F25).
 */
import { StorageError } from '../errors'
import type { StorageKind } from '../graph/types'
import { type Codec, decodeBase64, dropProtoKeys, encodeBase64, type Loss, lossOf, parseJson } from './codec'
import type { Idb } from './idb'
import { nameOf, storeOfKey } from './names'
import { sizeOf } from './size'
import { isQuotaError, type WebKind, webStorage } from './web'

// Declared with the board's public types (a leaf); persistence reads it from there.
export type { StorageKind }

/** What sits in storage for one store. */
export interface Envelope {
  /** Schema of the envelope itself; anything else is foreign or corrupt. */
  sb: 1
  /** The board version that wrote it. */
  v: string | number
  /** modifiedAt, ms since the epoch. */
  t: number
  /** The data: codec output in Web Storage, the value itself in IndexedDB. */
  d?: unknown
  /** Web Storage only: the value was too big (or storage was full) and lives in IndexedDB. */
  spill?: true
}

/** The persisted stores a wave changed: [store, value, modifiedAt], modifiedAt -1 for a clear(). */
export type Wave = Array<[PersistedStore, unknown, number]>

/** The part of a store that persistence needs. */
export interface PersistedStore {
  readonly id: string
  /** Never 'memory' for a store that reaches persistence. */
  readonly storage: StorageKind
  readonly codec: Codec
  /** Web Storage payloads longer than this many characters go to IndexedDB instead (F10). */
  readonly spillOver: number
  /** When Web Storage is full: keep the value in IndexedDB, or in memory only (F09). */
  readonly fallback: 'idb' | 'memory'
  /** StoreOptions.maxAgeMs: an older entry is dropped on restore (F25); Infinity by default. */
  readonly maxAgeMs: number
  /** Where the value is right now, for inspect(): a spilled Web Storage value is in 'idb'. */
  location: StorageKind
  /** Size of the persisted form (characters of text, or bytes of binary). */
  bytes: number
}

export interface Restored {
  value: unknown
  modifiedAt: number
}

/** How persistence talks back to its board. */
export interface PersistenceHost {
  readonly name: string
  readonly version: string | number
  /** The board's database, opened lazily; undefined when IndexedDB cannot be used. */
  idb(): Idb | undefined
  /** Prints once per `key` (a fixed kind, `:` and the store's id when it names one), and emits a 'warning' event every time. */
  warn(key: string, message: string, cause?: unknown): void
  /** A value could not be written; it stays in memory. */
  persistFailed(store: PersistedStore, error: StorageError): void
  /** Another tab changed a `local` store (storage event); `cleared` when it was removed. */
  remoteChange(storeId: string, restored: Restored | undefined): void
  /** Storage is full: evict the oldest cache entries, so that a store write can be retried. */
  evictCache(): Promise<void>
  /** These stores' values are committed to IndexedDB. */
  committed(storeIds: string[]): void
}

function webKey(board: string, storeId: string): string {
  return nameOf(board, storeId)
}

/**
 * The Web Storage keys that board `board` at `version` owns in `area`, defined on this page
 * or not: its own name exactly (never `app:admin`'s for `app`, S01) and its own version
 * (another deploy open in another tab keeps its entries).
 */
export function boardKeys(area: Storage, board: string, version: string | number): string[] {
  const out: string[] = []
  for (let i = 0; i < area.length; i++) {
    const k = area.key(i)
    if (k === null || storeOfKey(board, k) === undefined) continue
    let env: unknown
    try {
      env = parseJson(area.getItem(k) ?? '')
    } catch {
      continue // not an entry of any version: not ours to judge
    }
    if (isEnvelope(env, version)) out.push(k)
  }
  return out
}
const spillKey = (s: PersistedStore) => `${s.storage}:${s.id}`

/**
 * Removes the board's persisted stores of `version` from its IndexedDB (clear()): another
 * version's entries (another deploy, open in another tab) and what is not an entry at all
 * are not ours to judge, as in Web Storage (boardKeys).
 */
export function removeVersion(idb: Idb, version: string | number): Promise<void> {
  return idb.tx('stores', 'readwrite', (os) => {
    const keys = os.getAllKeys()
    const values = os.getAll()
    values.onsuccess = () => {
      values.result.forEach((env, i) => {
        if (isEnvelope(env, version)) os.delete(keys.result[i]!)
      })
    }
  })
}

/** From this many keys on, a restore may read the whole object store at once (readMany). */
const BULK = 32

/**
 * The entries of `stores` at `keys`, in order (undefined where there is none). One get per
 * key costs a request and a success event each, which made start() with thousands of idb
 * stores slow and superlinear; so when many keys are asked for and the object store holds
 * at most twice as many entries (the rest: another version's, spilled Web Storage values),
 * it is read with one getAll and one getAllKeys, in one transaction (both in key order).
 * Otherwise, per key: a restore never reads much more than it needs.
 */
async function readMany(idb: Idb, keys: IDBValidKey[]): Promise<unknown[]> {
  if (keys.length < BULK) return idb.getMany('stores', keys)
  const read = await idb.tx('stores', 'readonly', (os) => {
    const out: { keys?: IDBValidKey[]; values?: unknown[] } = {}
    const count = os.count()
    count.onsuccess = () => {
      if (count.result <= 2 * keys.length) {
        const all = os.getAllKeys()
        const values = os.getAll()
        values.onsuccess = () => {
          out.keys = all.result
          out.values = values.result
        }
        return
      }
      const values: unknown[] = new Array(keys.length)
      out.values = values
      keys.forEach((key, i) => {
        const r = os.get(key)
        r.onsuccess = () => {
          values[i] = r.result
        }
      })
    }
    return out
  })
  if (!read.keys) return read.values ?? []
  // Restore keys are strings (store ids, spill keys): a Map by key finds each in O(1).
  const at = new Map<unknown, unknown>()
  const values = read.values ?? []
  read.keys.forEach((k, i) => at.set(k, values[i]))
  return keys.map((k) => at.get(k))
}

export function isEnvelope(x: unknown, version: string | number): x is Envelope {
  const e = x as Partial<Envelope> | null
  return !!e && typeof e === 'object' && e.sb === 1 && e.v === version && typeof e.t === 'number'
}

/** One IndexedDB write of a wave; `then` runs once it is committed (a spill's pointer). */
interface QueuedWrite {
  store: PersistedStore
  envelope: Envelope
  then?: () => void
}

export class Persistence {
  /** IndexedDB writes waiting for the end of the wave: store id → entry. */
  private idbQueue = new Map<IDBValidKey, QueuedWrite>()
  private inflight: Promise<void> | undefined
  private storageListener: ((e: StorageEvent) => void) | undefined

  constructor(
    private host: PersistenceHost,
    private stores: () => Iterable<PersistedStore>,
  ) {}

  // ---- restore --------------------------------------------------------------------------

  /**
   * Reads every persisted store; drops what it cannot trust (one warning) and what is older
   * than its store's `maxAgeMs` (one warning, F25), removing both from storage.
   */
  async restore(list: PersistedStore[]): Promise<Map<string, Restored>> {
    const out = new Map<string, Restored>()
    const dropped: string[] = []
    const expired: string[] = []
    const needIdb: Array<{ store: PersistedStore; key: string; web?: WebKind }> = []
    const now = Date.now()
    // t = 0 marks an entry written at its initial value: nothing in it can be stale.
    const tooOld = (s: PersistedStore, t: number) => t > 0 && now - t > s.maxAgeMs

    for (const s of list) {
      if (s.storage === 'idb') {
        needIdb.push({ store: s, key: s.id })
        continue
      }
      const area = webStorage(s.storage as WebKind)
      if (!area) continue
      const key = webKey(this.host.name, s.id)
      const text = safeGet(area, key)
      if (text == null) continue
      const r = this.readWeb(s, text)
      if (r === 'spill') needIdb.push({ store: s, key: spillKey(s), web: s.storage as WebKind })
      else if (r && !tooOld(s, r.modifiedAt)) out.set(s.id, r)
      else {
        ;(r ? expired : dropped).push(s.id)
        s.location = s.storage
        s.bytes = 0
        safeRemove(area, key)
      }
    }

    if (needIdb.length) {
      const idb = this.host.idb()
      let values: unknown[] = []
      try {
        values = idb
          ? await readMany(
              idb,
              needIdb.map((n) => n.key),
            )
          : []
      } catch (e) {
        // A degraded database has said so once (idb.ts); a second warning would say nothing new.
        if (idb?.state !== 'degraded')
          this.host.warn(
            'restore-idb',
            `board "${this.host.name}" could not read IndexedDB; stores start from their initial values.`,
            e,
          )
      }
      const stale: IDBValidKey[] = []
      needIdb.forEach((n, i) => {
        const env = values[i]
        if (env === undefined) {
          // Evicted, or never written: a spill pointer left dangling is removed (F08).
          if (n.web) safeRemove(webStorage(n.web), webKey(this.host.name, n.store.id))
          return
        }
        const old = isEnvelope(env, this.host.version) && tooOld(n.store, env.t)
        if (!isEnvelope(env, this.host.version) || old) {
          ;(old ? expired : dropped).push(n.store.id)
          stale.push(n.key)
          if (n.web) safeRemove(webStorage(n.web), webKey(this.host.name, n.store.id))
          return
        }
        n.store.location = 'idb'
        n.store.bytes = sizeOf(env.d)
        out.set(n.store.id, { value: dropProtoKeys(env.d), modifiedAt: env.t })
      })
      if (stale.length && idb) await idb.delMany('stores', stale).catch(() => undefined) // best effort: dropping is already done in memory
    }

    if (dropped.length) {
      this.host.warn(
        'restore-dropped',
        `board "${this.host.name}" dropped persisted ${dropped.length === 1 ? 'entry' : 'entries'} it could not trust (corrupt, foreign schema or another board version): ${dropped.join(', ')}.`,
      )
    }
    if (expired.length) {
      this.host.warn(
        'restore-expired',
        `board "${this.host.name}" dropped persisted ${expired.length === 1 ? 'entry' : 'entries'} older than maxAgeMs: ${expired.join(', ')}.`,
      )
    }
    return out
  }

  /** Parses one Web Storage entry: a value, 'spill' (read IndexedDB), or null (drop it). */
  private readWeb(s: PersistedStore, text: string): Restored | 'spill' | null {
    let env: unknown
    try {
      env = parseJson(text)
    } catch {
      return null
    }
    if (!isEnvelope(env, this.host.version)) return null
    if (env.spill) return 'spill'
    try {
      const value = s.codec === 'base64' ? decodeBase64(env.d, `store "${s.id}"`) : env.d
      s.location = s.storage
      s.bytes = text.length * 2
      return { value, modifiedAt: env.t }
    } catch {
      return null
    }
  }

  // ---- write ----------------------------------------------------------------------------

  /**
   * Takes a store's new value. Web Storage is written now (it is synchronous and the
   * value is small by construction); IndexedDB writes wait for `flush()` at the end of
   * the wave so a wave costs one transaction. Never throws: whatever goes wrong fails this
   * store alone, with `persist-failed` naming it and why, and its old entry removed so that
   * a reload never restores a value older than the last one set (S05, S13).
   */
  write(s: PersistedStore, value: unknown, modifiedAt: number): void {
    const envelope: Envelope = { sb: 1, v: this.host.version, t: modifiedAt }
    if (s.storage === 'idb') {
      const loss = lossOf(value, 'clone')
      if (loss) return this.refuse(s, loss, value)
      envelope.d = value
      s.location = 'idb'
      s.bytes = sizeOf(value)
      this.idbQueue.set(s.id, { store: s, envelope })
      return
    }
    const kind = s.storage as WebKind
    const area = webStorage(kind)
    const key = webKey(this.host.name, s.id)
    let text: string
    if (s.codec === 'base64') {
      try {
        envelope.d = encodeBase64(value, `store "${s.id}"`)
      } catch {
        return this.refuse(
          s,
          {
            path: '',
            why: "is not an ArrayBuffer or typed array, which the base64 codec needs; use codec: 'json' (the default) for other data",
          },
          value,
        )
      }
    } else {
      const loss = lossOf(value, 'json')
      if (loss) return this.refuse(s, loss, value)
      envelope.d = value
    }
    try {
      text = JSON.stringify(envelope)
    } catch (cause) {
      // lossOf checks what JSON would change; this is what it missed (a getter that throws...).
      return this.fail(
        s,
        new StorageError(
          'unserialisable',
          `store "${s.id}" holds a value its ${s.codec} codec cannot encode; it is kept in memory only.`,
          cause,
        ),
        sizeOf(value),
      )
    }
    if (!area) {
      s.location = 'memory'
      this.host.warn(
        `no-${s.storage}:${s.id}`,
        `${s.storage}Storage is not available; store "${s.id}" is kept in memory only.`,
      )
      return
    }
    if (text.length > s.spillOver) {
      this.spill(s, area, key, envelope, value)
      return
    }
    try {
      area.setItem(key, text)
      s.location = s.storage
      s.bytes = text.length * 2
      if (this.idbQueue.has(spillKey(s))) this.idbQueue.delete(spillKey(s))
    } catch (e) {
      if (!isQuotaError(e)) {
        // SecurityError (storage blocked mid-session), or anything else a Storage throws.
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
        return this.fail(
          s,
          new StorageError(
            'unavailable',
            `store "${s.id}": ${s.storage}Storage refused it (${why}); it is kept in memory only.`,
            e,
          ),
          text.length * 2,
        )
      }
      const err = new StorageError(
        'quota',
        `store "${s.id}": ${s.storage}Storage is full (${text.length} characters refused).`,
        e,
      )
      this.host.persistFailed(s, err)
      if (s.fallback === 'idb') {
        this.host.warn(`quota:${s.id}`, `${err.message} Its value goes to IndexedDB instead.`)
        this.spill(s, area, key, envelope, value)
      } else {
        // The old entry would restore a stale value: remove it, keep the new one in memory.
        this.forget(s)
        s.location = 'memory'
        this.host.warn(`quota:${s.id}`, `${err.message} Its value is kept in memory only.`)
      }
    }
  }

  /** A value its codec or medium would not give back equal: refused, loudly (S12). */
  private refuse(s: PersistedStore, loss: Loss, value: unknown): void {
    const where = loss.path ? loss.path : 'its value'
    const medium = s.storage === 'idb' ? 'IndexedDB' : `the ${s.codec} codec`
    this.fail(
      s,
      new StorageError(
        'unencodable',
        `store "${s.id}" was not persisted with ${medium}: ${where} ${loss.why}. The value is kept in memory.`,
        undefined,
        loss.path,
      ),
      sizeOf(value),
    )
  }

  /**
   * This store's write of `bytes` failed: say so, and remove its old entry (S13); the value
   * stays in memory.
   */
  private fail(s: PersistedStore, error: StorageError, bytes: number): void {
    s.bytes = bytes
    this.host.persistFailed(s, error)
    this.forget(s)
    s.location = 'memory'
  }

  /**
   * Removes a store's entry from wherever it may be (Web Storage, a spill, IndexedDB),
   * without telling other tabs: unlike clear(), nothing was asked of them.
   */
  private forget(s: PersistedStore): void {
    if (s.storage === 'session' || s.storage === 'local')
      safeRemove(webStorage(s.storage), webKey(this.host.name, s.id))
    const keys = s.storage === 'idb' ? [s.id] : [spillKey(s)]
    for (const k of keys) this.idbQueue.delete(k)
    const idb = this.host.idb()
    if (idb && idb.state !== 'degraded' && (s.storage === 'idb' || s.location === 'idb')) {
      this.track(idb.delMany('stores', keys).catch(() => undefined)) // best effort: a database that fails here holds nothing we can reach
    }
    s.bytes = 0
  }

  /** Value to IndexedDB first, then the pointer in Web Storage once the value is committed. */
  private spill(s: PersistedStore, area: Storage, key: string, envelope: Envelope, value: unknown): void {
    // No lossOf(value, 'clone') here: what the json codec keeps (write() checked it) and
    // base64 binaries are both kept by structured clone.
    const pointer = JSON.stringify({ sb: 1, v: envelope.v, t: envelope.t, spill: true } satisfies Envelope)
    s.location = 'idb'
    s.bytes = sizeOf(value)
    this.idbQueue.set(spillKey(s), {
      store: s,
      envelope: { ...envelope, d: value },
      // biome-ignore lint/suspicious/noThenProperty: the step run after the write, on a plain record never awaited
      then: () => {
        try {
          area.setItem(key, pointer)
        } catch (e) {
          // Storage too full even for a pointer: the value survives in memory and IndexedDB,
          // but a reload will not find it; an older entry would be found instead: remove it.
          safeRemove(area, key)
          this.host.warn(`pointer:${s.id}`, `store "${s.id}": could not write its ${s.storage}Storage pointer.`, e)
        }
      },
    })
  }

  /** Removes a store's persisted entry (store.clear()). */
  remove(s: PersistedStore): void {
    if (s.storage === 'session' || s.storage === 'local')
      safeRemove(webStorage(s.storage), webKey(this.host.name, s.id))
    const keys = [s.id, spillKey(s)]
    for (const k of keys) this.idbQueue.delete(k)
    const idb = this.host.idb()
    if (idb && (s.storage === 'idb' || s.location === 'idb')) {
      // A removal is a committed change too: other tabs follow it (back to initial there).
      this.track(
        idb.delMany('stores', keys).then(
          () => this.host.committed([s.id]),
          () => undefined,
        ),
      ) // nothing to keep: the value is gone by request
    }
    s.bytes = 0
  }

  /** A wave's changes (written, or removed for a clear()), then its one IndexedDB transaction. */
  settle(wave: Wave): void {
    for (const [s, value, t] of wave) {
      if (t < 0) this.remove(s)
      else this.write(s, value, t)
    }
    this.flush()
  }

  /** Starts the wave's IndexedDB transaction, if any writes are queued. */
  flush(): void {
    if (this.idbQueue.size === 0) return
    const batch = [...this.idbQueue.entries()]
    this.idbQueue.clear()
    const idb = this.host.idb()
    if (!idb || idb.state === 'degraded') {
      for (const [, e] of batch) {
        e.store.location = 'memory'
        // A degraded database has warned once already (idb.ts): memory only, silently (S16).
        if (!idb)
          this.host.warn(
            `no-idb:${e.store.id}`,
            `IndexedDB is not available; store "${e.store.id}" is kept in memory only.`,
          )
      }
      return
    }
    this.track(this.writeBatch(idb, batch))
  }

  /**
   * One transaction for the wave. If it fails, the database being gone for good (S16)
   * fails everything silently (idb.ts said so once); otherwise each store is written on its
   * own so that one store's failure (a value too big for the quota, one the browser cannot
   * clone) fails that store alone (S11, F03). On quota the cache is evicted oldest-first
   * and the write retried once.
   */
  private async writeBatch(idb: Idb, batch: Array<[IDBValidKey, QueuedWrite]>, retry = true): Promise<void> {
    try {
      await idb.setMany(
        'stores',
        batch.map(([k, e]) => [k, e.envelope]),
      )
      for (const [, e] of batch) e.then?.()
      this.host.committed(batch.map(([, e]) => e.store.id))
    } catch (e) {
      if (idb.state === 'degraded') {
        for (const [, entry] of batch) entry.store.location = 'memory'
        return
      }
      if (batch.length > 1) {
        for (const one of batch) await this.writeBatch(idb, [one], retry)
        return
      }
      if (retry && isQuotaError(e)) {
        await this.host.evictCache().catch(() => undefined) // nothing evictable: the retry reports
        return this.writeBatch(idb, batch, false)
      }
      const [, entry] = batch[0]!
      const code =
        (e as { name?: string }).name === 'DataCloneError'
          ? 'unserialisable'
          : isQuotaError(e)
            ? 'quota'
            : 'unavailable'
      const what =
        code === 'unserialisable'
          ? 'holds a value IndexedDB cannot store'
          : code === 'quota'
            ? `could not be written to IndexedDB: storage is full (${entry.store.bytes} bytes refused, after evicting the oldest cache entries)`
            : 'could not be written to IndexedDB'
      this.fail(
        entry.store,
        new StorageError(code, `store "${entry.store.id}" ${what}; it is kept in memory only.`, e),
        entry.store.bytes,
      )
    }
  }

  private track(p: Promise<void>): void {
    const prev = this.inflight
    const next: Promise<void> = (prev ? prev.then(() => p) : p).finally(() => {
      if (this.inflight === next) this.inflight = undefined
    })
    this.inflight = next
  }

  /** A promise while writes are in flight; undefined when all is on disk. */
  pending(): Promise<void> | undefined {
    return this.inflight
  }

  // ---- other tabs -----------------------------------------------------------------------

  /** Follows `local` stores changed by other tabs (F12). Own writes fire no event here. */
  listen(): void {
    if (this.storageListener || typeof addEventListener !== 'function') return
    this.storageListener = (e: StorageEvent) => {
      if (e.storageArea !== webStorage('local')) return
      // key === null: the other tab called localStorage.clear(): every local store resets.
      if (e.key === null) {
        for (const s of this.stores()) if (s.storage === 'local') this.host.remoteChange(s.id, undefined)
        return
      }
      const id = storeOfKey(this.host.name, e.key)
      if (id === undefined) return
      const s = [...this.stores()].find((x) => x.id === id && x.storage === 'local')
      if (!s) return
      // What the area holds now, not e.newValue: when two tabs write the key at once, the
      // other tab's event can arrive after this tab's own later write, and its newValue
      // would roll this tab back to a value the area (and every other tab) has left (F12).
      const text = e.storageArea ? safeGet(e.storageArea, e.key) : e.newValue
      if (text == null) return this.host.remoteChange(id, undefined)
      const r = this.readWeb(s, text)
      if (r === 'spill') {
        void this.host
          .idb()
          ?.getMany('stores', [spillKey(s)])
          .then(
            ([env]) => {
              if (isEnvelope(env, this.host.version))
                this.host.remoteChange(id, { value: dropProtoKeys(env.d), modifiedAt: env.t })
            },
            () => undefined,
          ) // the other tab's value stays unknown here; ours is still valid
      } else if (r) this.host.remoteChange(id, r)
    }
    addEventListener('storage', this.storageListener)
  }

  dispose(): void {
    if (this.storageListener) removeEventListener('storage', this.storageListener)
    this.storageListener = undefined
  }
}

function safeRemove(area: Storage | undefined, key: string): void {
  try {
    area?.removeItem(key)
  } catch {
    // removeItem throws only where storage is blocked: there is nothing we could remove.
  }
}

function safeGet(area: Storage, key: string): string | null {
  try {
    return area.getItem(key)
  } catch {
    // getItem throws only where storage is blocked; treat as "nothing persisted".
    return null
  }
}
