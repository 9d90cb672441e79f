/**
 * Single flight: one execution per cache key, in a tab and across the tabs of an origin.
 *
 * A cached callback's run asks, in order:
 *
 *   1. memory        a live entry in this tab's LRU                        → hit
 *   2. in flight     this tab is already computing the key: share that promise → hit
 *   3. IndexedDB     a reload, a later session or another tab wrote it       → hit
 *   4. the key lock  Web Lock `nameOf(board, 'cache', key)`; whoever gets it first reads IndexedDB
 *                    AGAIN (the previous holder may have written it, F21, F23) and only
 *                    computes when the entry is still missing               → miss, run
 *
 * Invariants:
 * - Locks and IndexedDB are the truth; a BroadcastChannel 'ready' only wakes a waiting
 *   follower early, and the follower reads IndexedDB before using it, unless the hint
 *   carries the value itself: a result of at most `hintValueMaxBytes`, sent by a holder
 *   whose lock was not stolen, is the leader's very result (the one its own tab applies),
 *   so a follower takes it as an in-tab follower takes the shared promise (P8). A lost
 *   hint still costs only latency: the follower gets the lock and reads the entry.
 * - Each lock holder takes a generation number (fencing token) in the same transaction
 *   that re-reads the entry; its write lands only if the generation is still its own. A
 *   follower that waited longer than `lockTimeoutMs` steals the lock, so a hung holder
 *   (F22) delays others by that much at most and cannot overwrite the newer result later.
 * - The lock is held until the entry is committed, so the next holder finds it; the
 *   leader's own callback gets the value as soon as it is computed.
 * - Without Web Locks (F24, or `navigator.locks` throwing: F14, or its `request` throwing
 *   or rejecting: S06) or without IndexedDB, each tab computes for itself; in-tab single
 *   flight still holds.
 * - `stats.runs` counts executions only; memory, in-flight, IndexedDB and follower answers
 *   count as hits; a computation counts as a miss, when its value arrives.
 * - A superseded run that goes on computing (no `hardCancel`, a signal it ignores) finishes
 *   for its own key: its entry is kept and it counts as the miss it is (one execution per
 *   key, S20); but idle() stops waiting for it once superseded: the next value is not held
 *   up behind it.
 * - A session-scope value computed for a session that has since been cleared is neither
 *   remembered nor written (S09): a logout leaves nothing of the old session behind.
 *
 * The steps are top-level functions over one `Flight` (the lookup's context), in the
 * order above: lookup → shareOrLead → lead → fromDiskOrLock → underLock → execute → keep.
 */
import type { CacheOptions, Stats } from '../graph/types'
import { nameOf } from '../storage/names'
import { sizeOf } from '../storage/size'
import { webLocks } from '../sync/id'
import { locksDenied } from '../sync/session'
import { canHash, hashKey } from './key'
import {
  type CacheHost,
  defaultMaxEntries,
  type Entry,
  holdsMemoryOnlyHandle,
  type Limits,
  Memo,
  type Scope,
} from './memo'

/** How long a follower waits for a lock holder before stealing its lock (F22). */
const defaultLockTimeoutMs = 60_000
/**
 * A computed value at most this big (its sizeOf estimate) rides in the 'ready' hint: every
 * tab with a board of the name receives a copy, so big ones are read from IndexedDB by the
 * followers that want them instead.
 */
const hintValueMaxBytes = 64 * 1024

/** The callback run a lookup answers, as the board hands it in. */
export interface CachedCall {
  /** The callback's id: the default cache id, and named in errors and persist-failed. */
  readonly id: string
  readonly cache: CacheOptions
  /** The callback's counters: runs (executions), hits, misses. */
  readonly stats: Stats
  /** A newer input change (or dispose) made this run pointless. */
  superseded(): boolean
  /** The run's own AbortSignal once it is in flight (read only while it is current). */
  signal(): AbortSignal | undefined
}

interface Outcome {
  value: unknown
  /** This tab ran `compute` for it (a miss), rather than finding it somewhere. */
  computed: boolean
}

/**
 * A board's cache: its memo entries, the keys this tab is computing, and the key locks it
 * holds. Made once per board, when its first cached callback runs (or a clear needs it).
 */
export class Cache {
  readonly memo: Memo
  /** Keys this tab is looking up or computing: a second run of one joins the first (step 2). */
  readonly inflight = new Map<string, Promise<Outcome>>()
  /**
   * One release function per key lock held, removed when its write commits: dispose lets go
   * of them as a closed tab does (F21). A long-lived promise raced against each write would
   * collect one reaction per miss for the board's life (S07).
   */
  readonly locksHeld = new Set<() => void>()
  /** navigator.storage.estimate() for inspect(), read once the first cached run starts. */
  estimate: { usage: number; quota: number } | undefined = undefined
  private estimating = false

  constructor(readonly host: CacheHost) {
    this.memo = new Memo(host)
  }

  /** A cached callback's run: the value to apply (see the steps above). */
  run(call: CachedCall, args: unknown[], compute: () => unknown): Promise<unknown> {
    return lookup(this, call, args, compute)
  }

  /** Storage pressure for inspect(): usage and quota, read once. */
  readEstimate(): void {
    if (this.estimating) return
    this.estimating = true
    try {
      void navigator.storage?.estimate?.().then(
        (e) => {
          this.estimate = { usage: e.usage ?? 0, quota: e.quota ?? 0 }
        },
        () => undefined,
      ) // no estimate: inspect() says undefined
    } catch {
      // navigator.storage throws in some sandboxed frames: nothing to report.
    }
  }

  dispose(): void {
    for (const letGo of this.locksHeld) letGo()
    this.locksHeld.clear()
  }
}

/** One lookup's context: what every step below reads. */
interface Flight {
  readonly cache: Cache
  readonly host: CacheHost
  readonly call: CachedCall
  readonly compute: () => unknown
  readonly opts: CacheOptions
  readonly key: string
  readonly cacheId: string
  readonly scope: Scope
  /** The session the key was made for (scope 'session'). */
  readonly sid: string | undefined
  readonly limits: Limits
  /** This run held the key's lock and lost it to a follower that stole it (F22). */
  lockLost: boolean
}

const isAbort = (e: unknown) => (e as { name?: string } | null)?.name === 'AbortError'

async function lookup(cache: Cache, call: CachedCall, args: unknown[], compute: () => unknown): Promise<unknown> {
  const { host } = cache
  const stats = call.stats
  if (!canHash()) {
    // crypto.subtle exists only in secure contexts (https, localhost): no key, no cache.
    host.warn(
      'cache-no-hash',
      `board "${host.name}" cannot hash cache keys here (no crypto.subtle: not a secure context); cached callbacks run every time.`,
    )
    stats.runs++
    stats.misses++
    return compute()
  }
  cache.readEstimate()
  const f = await flightOf(cache, call, args, compute)

  // 1. memory
  const hit = cache.memo.peek(f.key)
  if (hit) {
    stats.hits++
    return hit.value
  }
  // 2. in flight in this tab, else 3. IndexedDB and 4. the key lock
  const o = await shareOrLead(f)
  if (!o.computed) stats.hits++
  return o.value
}

/** Hashes the key (after the session is final, for scope 'session'). */
async function flightOf(cache: Cache, call: CachedCall, args: unknown[], compute: () => unknown): Promise<Flight> {
  const { host } = cache
  const opts = call.cache
  const scope = opts.scope ?? 'global'
  const cacheId = opts.id ?? call.id
  let sid: string | undefined
  if (scope === 'session') {
    await host.sessionReady()
    sid = host.sessionId()
  }
  const key = await hashKey({
    board: host.name,
    boardVersion: host.version,
    cacheId,
    cacheVersion: opts.version,
    scope,
    session: sid,
    args,
    what: `callback "${call.id}"`,
  })
  const limits: Limits = { maxEntries: opts.maxEntries ?? defaultMaxEntries, maxBytes: opts.maxBytes ?? Infinity }
  return { cache, host, call, compute, opts, key, cacheId, scope, sid, limits, lockLost: false }
}

/**
 * Step 2: this tab is already on the key: share its outcome (a hit). Otherwise lead, in
 * the same turn as the check (no await between them), so two runs of a key never both lead.
 */
async function shareOrLead(f: Flight): Promise<Outcome> {
  const inflight = f.cache.inflight
  for (let running = inflight.get(f.key); running; running = inflight.get(f.key)) {
    try {
      return { value: (await running).value, computed: false }
    } catch (e) {
      // The leader's run was superseded or disposed: its abort is not ours. Lead instead.
      if (!isAbort(e) || inflight.get(f.key) === running) throw e
    }
  }
  return lead(f)
}

/** Steps 3 and 4, registered as the key's flight in this tab. */
function lead(f: Flight): Promise<Outcome> {
  const inflight = f.cache.inflight
  const p = fromDiskOrLock(f)
  inflight.set(f.key, p)
  const forget = () => {
    if (inflight.get(f.key) === p) inflight.delete(f.key)
  }
  p.then(forget, forget)
  return p
}

async function fromDiskOrLock(f: Flight): Promise<Outcome> {
  // 3. IndexedDB
  const found = await f.cache.memo.read(f.cacheId, f.key)
  if (found) return adopt(f, found)
  // Superseded while hashing or reading: no lock, no claim, nothing left running behind
  // idle() (a run that has started computing goes on for its own key instead: S20).
  if (superseded(f)) throw abortOf(f)
  // 4. the key lock
  const locks = webLocks()
  if (!locks || f.host.idb()?.state !== 'ok') return computeHere(f)
  return underLock(f, locks)
}

/** A newer input change (or dispose) made this run pointless before it computed. */
function superseded(f: Flight): boolean {
  return f.call.superseded() || f.host.disposed()
}

function abortOf(f: Flight): DOMException {
  return new DOMException(`callback "${f.call.id}" was superseded.`, 'AbortError')
}

/** Is this session-scope value for a session cleared since (S09)? Then it is no one's. */
function stale(f: Flight): boolean {
  return f.scope === 'session' && f.sid !== f.host.sessionId()
}

/** The entry a hint carried (written at `t`, expiring at `exp`); undefined once expired. */
function carried(f: Flight, value: unknown, t: number, exp: number): Entry | undefined {
  if (exp <= Date.now()) return undefined
  return { key: f.key, cacheId: f.cacheId, value, t, exp, bytes: sizeOf(value), scope: f.scope, sid: f.sid }
}

function adopt(f: Flight, e: Entry): Outcome {
  f.cache.memo.remember(e, f.limits)
  return { value: e.value, computed: false }
}

/** No lock to take (F24) or nowhere to share the result: compute for this tab. */
async function computeHere(f: Flight): Promise<Outcome> {
  return { value: await execute(f, undefined).value, computed: true }
}

/** Runs compute and persists the result; `value` answers at once, `stored` once committed. */
function execute(f: Flight, token: number | undefined): { value: Promise<unknown>; stored: Promise<unknown> } {
  if (superseded(f)) {
    // Superseded while waiting for the lock: the scheduler drops this run's result anyway.
    const aborted = Promise.reject(abortOf(f))
    return { value: aborted, stored: aborted.catch(() => undefined) }
  }
  const stats = f.call.stats
  stats.runs++
  // Ours: execute runs only while this run is current, and the scheduler set it before.
  const signal = f.call.signal()
  const value = Promise.resolve().then(f.compute)
  const stored = value.then(
    (v) => {
      // Counted here, not by whoever awaits it: a superseded run's value is a miss too (S20).
      stats.misses++
      return stale(f) ? undefined : keep(f, v, token)
    },
    () => undefined, // a failed run caches nothing; the error reaches the callback via `value`
  )
  f.host.track(signal ? untilAborted(stored, signal) : stored)
  return { value, stored }
}

/** Remembers a computed value, writes it to IndexedDB and hints the followers. */
async function keep(f: Flight, v: unknown, token: number | undefined): Promise<void> {
  const t = Date.now()
  const e: Entry = {
    key: f.key,
    cacheId: f.cacheId,
    value: v,
    t,
    exp: f.opts.ttlMs === undefined ? Infinity : t + f.opts.ttlMs,
    bytes: sizeOf(v),
    scope: f.scope,
    sid: f.sid,
  }
  f.cache.memo.remember(e, f.limits)
  // A handle that is not persisted dies with this page's workers: writing it would
  // hand a dead handle to a reload or another tab. Memory only; they compute.
  if (holdsMemoryOnlyHandle(v)) return
  // A small value goes out with the hint at once: followers take it without a read. A
  // holder whose lock was stolen (F22) sends none: its write will not land, and the
  // followers now wait for the newer holder's result.
  // Otherwise the hint goes out as soon as the write is queued (see Memo.write):
  // followers' reads are ordered after it. A hint that turns out wrong (the write aborts)
  // costs them one read; they still have the lock to wait for.
  const channel = f.host.channel()
  let hinted =
    !f.lockLost &&
    e.bytes <= hintValueMaxBytes &&
    channel.offer({ type: 'ready', key: f.key, value: v, t: e.t, exp: e.exp })
  const outcome = await f.cache.memo.write(e, f.limits, token, f.call.id, () => {
    if (hinted) return
    hinted = true
    channel.post({ type: 'ready', key: f.key })
  })
  if (outcome === 'written' && !hinted) channel.post({ type: 'ready', key: f.key })
}

/**
 * Step 4: waits for the key's Web Lock. Whoever gets it first claims the key (re-reading
 * IndexedDB, F21, F23) and computes only when the entry is still missing, holding the lock
 * until the entry is committed. A 'ready' hint lets a waiting follower read early; a
 * holder that hangs past `lockTimeoutMs` loses the lock to the follower (F22).
 */
function underLock(f: Flight, locks: LockManager): Promise<Outcome> {
  const { cache, host, key } = f
  return new Promise<Outcome>((resolve, reject) => {
    const name = nameOf(host.name, 'cache', key)
    const waiting = new AbortController()
    let holding = false
    let done = false
    const finish = (then: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      off()
      then()
    }
    // A 'ready' hint from the holder: its value, or read IndexedDB now instead of waiting
    // for the lock.
    const off = host.channel().on((m) => {
      if (m.type !== 'ready' || m.key !== key || holding || done) return
      if ('value' in m) {
        const e = carried(f, m.value, m.t!, m.exp!)
        if (!e) return // expired on the way: the lock and IndexedDB decide
        waiting.abort()
        finish(() => resolve(adopt(f, e)))
        return
      }
      void cache.memo.read(f.cacheId, key).then((e) => {
        if (!e || holding || done) return
        waiting.abort()
        finish(() => resolve(adopt(f, e)))
      })
    })
    const body = async () => {
      holding = true
      clearTimeout(timer)
      if (superseded(f)) {
        // Superseded while waiting: give the lock back without a claim (a write transaction).
        finish(() => reject(abortOf(f)))
        return
      }
      const { token, entry } = await cache.memo.claim(f.cacheId, key)
      if (entry) {
        finish(() => resolve(adopt(f, entry)))
        return
      }
      const { value, stored } = execute(f, token)
      value.then(
        (v) => finish(() => resolve({ value: v, computed: true })),
        (e: unknown) => finish(() => reject(e)),
      )
      // Hold the lock until the entry is committed: the next holder must find it; or
      // until the board is disposed, which lets go of it as a closed tab would.
      await new Promise<void>((release) => {
        const letGo = () => {
          cache.locksHeld.delete(letGo)
          release()
        }
        cache.locksHeld.add(letGo)
        void stored.then(letGo)
      })
    }
    // S06: a request that throws or rejects (denied here) is no Web Locks: compute in
    // this tab, once per key (the in-flight map still holds), and say so once.
    const denied = (e: unknown) => {
      locksDenied(host, locks, e)
      finish(() => resolve(computeHere(f)))
    }
    const request = (options: LockOptions) => {
      let asked: Promise<unknown>
      try {
        asked = locks.request(name, options, body)
      } catch (e) {
        denied(e)
        return
      }
      asked.catch((e: unknown) => {
        // Our lock was stolen while computing (F22): our result is no longer the one
        // IndexedDB will hold, so it does not ride in a hint (keep).
        if (holding && isAbort(e)) f.lockLost = true
        // Our wait was cut short by a hint (we aborted it), or our lock was stolen
        // while computing (the body goes on and settles this promise): not failures.
        if (done || holding) return
        if (isAbort(e) && waiting.signal.aborted) return
        denied(e)
      })
    }
    // F22: a holder that hangs past the timeout loses the lock to us.
    const timer = setTimeout(() => {
      if (holding || done) return
      waiting.abort()
      request({ steal: true })
    }, f.opts.lockTimeoutMs ?? defaultLockTimeoutMs)
    request({ signal: waiting.signal })
  })
}

/**
 * Settles when `p` does or when `signal` aborts, whichever is first: what idle() waits for
 * of a run's cache write. Both are the run's own, so nothing outlives it (S07).
 */
function untilAborted(p: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
    p.then(done, done)
  })
}
