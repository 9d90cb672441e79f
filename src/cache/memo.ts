/**
 * Where memo entries live: a memory LRU in front of the board's IndexedDB (`cache` object
 * store). Single flight and locks are flight.ts; this file only keeps entries.
 *
 * IndexedDB layout (array keys, so one callback's entries are one key range):
 *
 *   ['m', cacheId, key] → Meta   small: write time, expiry, bytes, scope, session
 *   ['d', cacheId, key] → { v }  the value itself (a structured clone; a handle as is)
 *   ['g', key]          → n      generation of the key's latest lock holder (fencing, F22)
 *   ['s', cacheId]      → Total  an upper bound of the cache id's entries and bytes
 *
 * A value holding persisted worker handles names them in its meta: when the entry is
 * evicted, their data (object store `handles`) is deleted too unless this tab still holds
 * them, or IndexedDB would keep every big result ever cached.
 *
 * Meta and data are apart so caps and clears scan metas without loading values. They are
 * written in one transaction; a meta whose data is gone (evicted by the browser, F08) is a
 * miss, and the dangling meta is removed.
 *
 * Caps (DESIGN "Cache key"): `maxEntries` and `maxBytes` apply per cache id to memory and
 * IndexedDB alike, evicting oldest-first; `ttlMs` counts from the write. Memory also has a
 * global byte cap so no number of callbacks makes it unbounded.
 */
import { StorageError } from '../errors'
import type { Idb } from '../storage/idb'
import { isQuotaError } from '../storage/web'
import type { Channel } from '../sync/broadcast'
import { eachHandle } from '../worker/handle'

/**
 * What the cache sees of its board, handed in by the board when its first cached callback
 * (or a clear, or storage pressure) loads this code: its names (part of every key and lock),
 * its database and channel, the tab's session, and the worker-handle bookkeeping it shares
 * with the pool. Nothing else of the board is visible here.
 */
export interface CacheHost {
  readonly name: string
  readonly version: string | number
  /** The board's database, opened on first use; undefined when IndexedDB cannot be used. */
  idb(): Idb | undefined
  /** The board's cross-tab channel ('ready' hints to followers in other tabs). */
  channel(): Channel
  /** This tab's session id now; final once `sessionReady()` resolves (duplicate-tab check). */
  sessionId(): string
  sessionReady(): Promise<void>
  /** The board is disposed: no lock is taken and nothing computes any more. */
  disposed(): boolean
  /** Work idle() waits for too (cache writes). */
  track(p: Promise<unknown>): void
  /** Prints once per key (a fixed kind and an id), and emits 'warning' every time. */
  warn(key: string, message: string, cause?: unknown): void
  /** An entry could not be persisted: the board's 'persist-failed' event. */
  persistFailed(e: { store: string; key: string; bytes: number; error: StorageError }): void
  /** The values of the board's stores: worker handles in them are held (their data stays). */
  storeValues(): Iterable<unknown>
  /** A value holding memory-only worker handles left the cache: the pool may release them. */
  released(value: object): void
}

export type Scope = 'global' | 'session'

export interface Entry {
  key: string
  cacheId: string
  value: unknown
  /** Written at, ms since the epoch. */
  t: number
  /** Expires at (Infinity without ttlMs). */
  exp: number
  bytes: number
  scope: Scope
  sid: string | undefined
}

interface Meta {
  t: number
  exp: number
  bytes: number
  scope: Scope
  sid: string | null
  /** Persisted worker handles in the value: their data goes when the entry goes. */
  h?: string[]
  /** The board version that wrote it: clear() removes its own version's entries only. */
  v?: string | number
}

export interface Limits {
  maxEntries: number
  maxBytes: number
}

/** Per cache id, when the callback does not say (a cache must never be unbounded). */
export const defaultMaxEntries = 100
/** Memory over all cache ids. */
const memoryMaxBytes = 128 * 2 ** 20

const mKey = (cacheId: string, key: string) => ['m', cacheId, key]
const dKey = (cacheId: string, key: string) => ['d', cacheId, key]
const gKey = (key: string) => ['g', key]
const sKey = (cacheId: string) => ['s', cacheId]

/**
 * A running total per cache id, kept in the same transactions as the entries, so every tab
 * sees it. It is an upper bound: a write adds its entry (an overwrite counts twice), and a
 * delete outside enforce() (expiry, clear, eviction) does not subtract. A write reads the
 * entries only when the bound says the caps may be exceeded, and then stores the exact
 * total; without it, filling a cache read every entry on every write (O(n²)).
 */
interface Total {
  count: number
  bytes: number
}

function isTotal(x: unknown): x is Total {
  const t = x as Partial<Total> | null
  return !!t && typeof t === 'object' && typeof t.count === 'number' && typeof t.bytes === 'number'
}
/** Every meta (of one cache id): arrays sort after strings, so `[]` closes the range. */
const metaRange = (cacheId?: string) =>
  cacheId === undefined ? IDBKeyRange.bound(['m'], ['m', []]) : IDBKeyRange.bound(['m', cacheId], ['m', cacheId, []])

function isMeta(x: unknown): x is Meta {
  const m = x as Partial<Meta> | null
  return (
    !!m && typeof m === 'object' && typeof m.t === 'number' && typeof m.exp === 'number' && typeof m.bytes === 'number'
  )
}

function toEntry(cacheId: string, key: string, m: Meta, d: { v: unknown }): Entry {
  return { key, cacheId, value: d.v, t: m.t, exp: m.exp, bytes: m.bytes, scope: m.scope, sid: m.sid ?? undefined }
}

/** What a write did: committed, lost to a newer lock holder, or not persisted at all. */
export type WriteOutcome = 'written' | 'fenced' | 'memory-only'

export class Memo {
  /** LRU order: a Map iterates in insertion order, and a hit re-inserts. */
  private memory = new Map<string, Entry>()
  private memoryBytes = 0
  /** Worker handles held by memory entries, with a count: the pool must not release them. */
  private handles = new Map<string, number>()

  constructor(private host: CacheHost) {}

  /**
   * Does a memory entry hold this worker handle? The pool asks before releasing one, so a
   * hit never hands out a released handle.
   */
  holds(handleId: string): boolean {
    return this.handles.has(handleId)
  }

  /**
   * An entry left memory: its worker handles may be released (the pool checks that no
   * store holds them). Not persisted ones' siblings: a persisted handle may still be
   * handed out by the entry's IndexedDB copy.
   */
  private dropped(e: Entry): void {
    const v = e.value
    if (v === null || typeof v !== 'object') return
    let memoryOnly = false
    let persisted = false
    eachHandle([v], (h) => {
      if (h.persisted) persisted = true
      else memoryOnly = true
    })
    if (memoryOnly && !persisted) this.host.released(v)
  }

  private count(e: Entry, by: 1 | -1): void {
    eachHandle([e.value], (h) => {
      const k = (this.handles.get(h.id) ?? 0) + by
      if (k > 0) this.handles.set(h.id, k)
      else this.handles.delete(h.id)
    })
  }

  // ---- memory -----------------------------------------------------------------------------

  /** A live memory entry, refreshed as most recently used; expired ones are dropped. */
  peek(key: string, now = Date.now()): Entry | undefined {
    const e = this.memory.get(key)
    if (!e) return undefined
    this.memory.delete(key)
    if (e.exp <= now) {
      this.memoryBytes -= e.bytes
      this.count(e, -1)
      this.dropped(e)
      return undefined
    }
    this.memory.set(key, e)
    return e
  }

  remember(e: Entry, limits: Limits): void {
    const old = this.memory.get(e.key)
    if (old) {
      this.memory.delete(e.key)
      this.memoryBytes -= old.bytes
      this.count(old, -1)
    }
    this.memory.set(e.key, e)
    this.memoryBytes += e.bytes
    this.count(e, 1)
    // Per cache id: oldest first (the Map's order) beyond maxEntries / maxBytes.
    let count = 0
    let bytes = 0
    for (const x of this.memory.values()) {
      if (x.cacheId !== e.cacheId) continue
      count++
      bytes += x.bytes
    }
    for (const x of this.memory.values()) {
      if (count <= limits.maxEntries && bytes <= limits.maxBytes) break
      if (x.cacheId !== e.cacheId || x === e) continue
      this.forget(x)
      count--
      bytes -= x.bytes
    }
    for (const x of this.memory.values()) {
      if (this.memoryBytes <= memoryMaxBytes) break
      if (x !== e) this.forget(x)
    }
  }

  private forget(x: Entry): void {
    this.memory.delete(x.key)
    this.memoryBytes -= x.bytes
    this.count(x, -1)
    this.dropped(x)
  }

  // ---- IndexedDB --------------------------------------------------------------------------

  private idb(): Idb | undefined {
    const idb = this.host.idb()
    return idb && idb.state === 'ok' ? idb : undefined
  }

  /** The persisted entry, if present, whole and fresh (F08: a dangling meta is removed). */
  async read(cacheId: string, key: string, now = Date.now()): Promise<Entry | undefined> {
    const idb = this.idb()
    if (!idb) return undefined
    try {
      const [m, d] = await idb.getMany<unknown>('cache', [mKey(cacheId, key), dKey(cacheId, key)])
      return this.check(idb, cacheId, key, m, d, now)
    } catch {
      // Unreadable (degraded, versionchange): a miss; idb.ts has warned once already.
      return undefined
    }
  }

  private check(idb: Idb, cacheId: string, key: string, m: unknown, d: unknown, now: number): Entry | undefined {
    if (m === undefined && d === undefined) return undefined
    const whole = isMeta(m) && !!d && typeof d === 'object' && 'v' in d
    if (!whole || m.exp <= now) {
      void idb
        .delMany('cache', [mKey(cacheId, key), dKey(cacheId, key)])
        .then(() => this.dropHandles(isMeta(m) ? (m.h ?? []) : []))
        .catch(() => undefined) // best effort: it is a miss either way
      return undefined
    }
    return toEntry(cacheId, key, m, d as { v: unknown })
  }

  /**
   * Becomes the key's lock holder: bumps its generation (the fencing token) and reads the
   * entry in the same transaction, because a follower that got the lock must check
   * IndexedDB before computing (F21, F23).
   */
  async claim(
    cacheId: string,
    key: string,
    now = Date.now(),
  ): Promise<{ token: number | undefined; entry: Entry | undefined }> {
    const idb = this.idb()
    if (!idb) return { token: undefined, entry: undefined }
    try {
      const r = await idb.tx('cache', 'readwrite', (os, fail) => {
        const out = { token: 0, m: undefined as unknown, d: undefined as unknown }
        const g = os.get(gKey(key))
        g.onsuccess = () => {
          out.token = (typeof g.result === 'number' ? g.result : 0) + 1
          try {
            os.put(out.token, gKey(key))
          } catch (e) {
            fail(e) // storage full even for a number: no token, the write goes unfenced
          }
        }
        const m = os.get(mKey(cacheId, key))
        m.onsuccess = () => (out.m = m.result)
        const d = os.get(dKey(cacheId, key))
        d.onsuccess = () => (out.d = d.result)
        return out
      })
      return { token: r.token, entry: this.check(idb, cacheId, key, r.m, r.d, now) }
    } catch {
      return { token: undefined, entry: undefined }
    }
  }

  /**
   * Persists an entry. With a token, only if the key's generation is still ours (F22: a
   * holder whose lock was stolen must not overwrite the newer result). On quota (F01):
   * evicts the oldest entries, retries once, then reports `persist-failed` naming the key
   * and bytes; the value stays in memory either way.
   *
   * `queued` is called once the entry's transaction has its first request, before that
   * answers: a reader whose transaction starts after that point is ordered after this
   * one by IndexedDB (a read-only transaction waits for overlapping read-write ones
   * created before it), so a hint sent then saves the generation read and the
   * commit-to-post delay (P8) without ever showing a reader a missing entry that is
   * about to exist. A write that then does not land (fenced, S09, quota) costs the
   * reader one read; it still has the lock to wait for.
   */
  async write(
    e: Entry,
    limits: Limits,
    token: number | undefined,
    callbackId: string,
    queued?: () => void,
  ): Promise<WriteOutcome> {
    const idb = this.idb()
    if (!idb) return 'memory-only'
    try {
      return await this.put(idb, e, limits, token, queued)
    } catch (err) {
      if (isQuotaError(err)) {
        await this.evictOldest(idb, e.key).catch(() => 0) // nothing evictable: the retry reports
        try {
          return await this.put(idb, e, limits, token, queued)
        } catch (again) {
          this.failed(e, callbackId, again)
          return 'memory-only'
        }
      }
      this.failed(e, callbackId, err)
      return 'memory-only'
    }
  }

  private failed(e: Entry, callbackId: string, err: unknown): void {
    const name = (err as { name?: string } | null)?.name
    const code = isQuotaError(err) ? 'quota' : name === 'DataCloneError' ? 'unserialisable' : 'unavailable'
    const why =
      code === 'quota'
        ? 'storage is full'
        : code === 'unserialisable'
          ? 'the value cannot be stored in IndexedDB'
          : 'IndexedDB cannot be used'
    const error = new StorageError(
      code,
      `cache entry ${e.key.slice(0, 12)}… of callback "${callbackId}" (${e.bytes} bytes) was not persisted: ${why}; it stays in memory.`,
      err,
    )
    // Degraded storage has warned once (idb.ts); do not add one event per write.
    if (code === 'unavailable' && err instanceof StorageError) return
    this.host.persistFailed({ store: `cache:${e.cacheId}`, key: e.key, bytes: e.bytes, error })
    this.host.warn(`cache-${code}:${e.cacheId}`, error.message, err)
  }

  private put(
    idb: Idb,
    e: Entry,
    limits: Limits,
    token: number | undefined,
    queued: (() => void) | undefined,
  ): Promise<WriteOutcome> {
    return idb
      .tx('cache', 'readwrite', (os, fail) => {
        const out = { fenced: false, gone: [] as string[] }
        const write = () => {
          // S09: the session was cleared since this value was computed (its dropSession
          // transaction may already have run): an old session's entry must not land now.
          if (e.scope === 'session' && e.sid !== this.host.sessionId()) {
            out.fenced = true
            return
          }
          const meta: Meta = {
            t: e.t,
            exp: e.exp,
            bytes: e.bytes,
            scope: e.scope,
            sid: e.sid ?? null,
            v: this.host.version,
          }
          const h = persistedHandles(e.value)
          if (h.length) meta.h = h
          try {
            os.put(meta, mKey(e.cacheId, e.key))
            // Throws at once for DataCloneError and, in some browsers, quota (F01, F03).
            os.put({ v: e.value }, dKey(e.cacheId, e.key))
          } catch (err) {
            fail(err) // aborts the transaction: the meta is not left without its value
            return
          }
          enforce(os, e, limits, out.gone)
        }
        if (token === undefined) write()
        else {
          const g = os.get(gKey(e.key))
          g.onsuccess = () => {
            if (g.result !== token) out.fenced = true
            else write()
          }
        }
        // After the transaction's first request, so it is known to the database whatever
        // the browser does with a transaction that has none yet.
        queued?.()
        return out
      })
      .then((out) => {
        this.dropHandles(out.gone)
        return out.fenced ? 'fenced' : 'written'
      })
  }

  /** F01: frees room by deleting the oldest half of all cache entries (never `except`). */
  evictOldest(idb: Idb, except: string): Promise<number> {
    return idb
      .tx('cache', 'readwrite', (os) => {
        const out = { n: 0, gone: [] as string[] }
        scanMetas(os, undefined, (rows) => {
          const victims = rows.filter((r) => r.key !== except).sort((a, b) => a.meta.t - b.meta.t)
          out.n = Math.max(1, Math.ceil(victims.length / 2))
          for (const r of victims.slice(0, out.n)) deleteEntry(os, r, out.gone)
        })
        return out
      })
      .then((o) => {
        this.dropHandles(o.gone)
        return o.n
      })
  }

  /** Forgets a session's entries (clearSession), in memory and IndexedDB. */
  async dropSession(sid: string): Promise<void> {
    for (const e of [...this.memory.values()]) if (e.scope === 'session' && e.sid === sid) this.forget(e)
    const idb = this.idb()
    if (!idb) return
    await idb
      .tx('cache', 'readwrite', (os) => {
        const gone: string[] = []
        scanMetas(os, undefined, (rows) => {
          for (const r of rows) if (r.meta.scope === 'session' && r.meta.sid === sid) deleteEntry(os, r, gone)
        })
        return gone
      })
      .then(
        (gone) => this.dropHandles(gone),
        () => undefined,
      ) // unusable storage holds nothing to forget
  }

  /**
   * Forgets every entry of the board (clear): in memory, and in IndexedDB if `persisted`,
   * where only this board version's entries go (and those written before entries said
   * their version: they may be this version's); another deploy's stay.
   */
  async clearAll(persisted = true): Promise<void> {
    this.memory.clear()
    this.memoryBytes = 0
    this.handles.clear()
    const idb = persisted ? this.idb() : undefined
    if (!idb) return
    const version = this.host.version
    await idb
      .tx('cache', 'readwrite', (os) => {
        const gone: string[] = []
        scanMetas(os, undefined, (rows) => {
          for (const r of rows) if (r.meta.v === undefined || r.meta.v === version) deleteEntry(os, r, gone)
        })
        return gone
      })
      .then(
        (gone) => this.dropHandles(gone),
        () => undefined,
      ) // unusable storage holds nothing to forget
  }

  /**
   * Deletes the IndexedDB data of persisted handles whose cache entries are gone, unless
   * this tab still holds them (a store's value, a memory entry).
   */
  private dropHandles(ids: string[]): void {
    if (!ids.length) return
    const held = new Set<string>()
    for (const v of this.host.storeValues()) eachHandle([v], (h) => held.add(h.id))
    const doomed = ids.filter((id) => !held.has(id) && !this.handles.has(id))
    if (doomed.length)
      void this.idb()
        ?.delMany('handles', doomed)
        .catch(() => undefined) // an orphan only wastes space
  }

  /** Entries in memory, for inspect() and tests. */
  get size(): number {
    return this.memory.size
  }
}

interface MetaRow {
  cacheId: string
  key: string
  meta: Meta
}

/** Reads metas (all, or one cache id's) inside a transaction and hands them to `then`. */
function scanMetas(os: IDBObjectStore, cacheId: string | undefined, then: (rows: MetaRow[]) => void): void {
  const range = metaRange(cacheId)
  const keys = os.getAllKeys(range)
  const values = os.getAll(range)
  values.onsuccess = () => {
    const rows: MetaRow[] = []
    keys.result.forEach((k, i) => {
      const m = values.result[i]
      const [, c, key] = k as [string, string, string]
      if (isMeta(m)) rows.push({ cacheId: c, key, meta: m })
    })
    then(rows)
  }
}

/** Deletes an entry (meta and value); its persisted handles are added to `gone`. */
function deleteEntry(os: IDBObjectStore, r: MetaRow, gone: string[]): void {
  os.delete(mKey(r.cacheId, r.key))
  os.delete(dKey(r.cacheId, r.key))
  if (r.meta.h) gone.push(...r.meta.h)
}

/** Ids of the persisted worker handles in a value. */
function persistedHandles(value: unknown): string[] {
  const ids: string[] = []
  if (value !== null && typeof value === 'object') {
    eachHandle([value], (h) => {
      if (h.persisted) ids.push(h.id)
    })
  }
  return ids
}

/**
 * maxEntries / maxBytes for one cache id, oldest written first; never the new entry. Reads
 * the entries only when the running total (Total) says the caps may be exceeded.
 */
function enforce(os: IDBObjectStore, e: Entry, limits: Limits, gone: string[]): void {
  const total = os.get(sKey(e.cacheId))
  total.onsuccess = () => {
    const t = total.result
    if (isTotal(t)) {
      const bound = { count: t.count + 1, bytes: t.bytes + e.bytes }
      if (bound.count <= limits.maxEntries && bound.bytes <= limits.maxBytes) {
        os.put(bound, sKey(e.cacheId))
        return
      }
    }
    scanMetas(os, e.cacheId, (rows) => {
      let count = rows.length
      let bytes = rows.reduce((n, r) => n + r.meta.bytes, 0)
      if (count > limits.maxEntries || bytes > limits.maxBytes) {
        for (const r of rows.sort((a, b) => a.meta.t - b.meta.t)) {
          if (count <= limits.maxEntries && bytes <= limits.maxBytes) break
          if (r.key === e.key) continue
          deleteEntry(os, r, gone)
          count--
          bytes -= r.meta.bytes
        }
      }
      os.put({ count, bytes }, sKey(e.cacheId))
    })
  }
}

/** Does the value hold a worker handle that is not persisted (gone with this page's workers)? */
export function holdsMemoryOnlyHandle(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  let found = false
  eachHandle([value], (h) => {
    if (!h.persisted) found = true
  })
  return found
}
