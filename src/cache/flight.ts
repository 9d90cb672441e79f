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
 *   follower early, and the follower still reads IndexedDB before using it.
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
 */
import type { BoardImpl, CacheOptions } from '../graph/board'
import { idbOf } from '../storage/board-idb'
import { nameOf } from '../storage/names'
import { sizeOf } from '../storage/size'
import { channelOf } from '../sync/broadcast'
import { webLocks } from '../sync/id'
import { locksDenied } from '../sync/session'
import { canHash, hashKey } from './key'
import { defaultMaxEntries, type Entry, holdsMemoryOnlyHandle, type Limits, memoOf } from './memo'

/** How long a follower waits for a lock holder before stealing its lock (F22). */
export const defaultLockTimeoutMs = 60_000

interface Outcome {
  value: unknown
  /** This tab ran `compute` for it (a miss), rather than finding it somewhere. */
  computed: boolean
}

const isAbort = (e: unknown) => (e as { name?: string } | null)?.name === 'AbortError'

/** Installs the cache runner on a board: done when its first cached callback is defined. */
export function installCache(b: BoardImpl): void {
  const memo = memoOf(b)
  const inflight = new Map<string, Promise<Outcome>>()
  const channel = channelOf(b)
  let estimated = false
  // A disposed board lets go of the key locks it holds, as a closed tab does (F21). One
  // release function per lock held, removed when its write commits: a long-lived promise
  // raced against each write would collect one reaction per miss for the board's life (S07).
  const held = new Set<() => void>()
  b.hooks.dispose.push(() => {
    for (const letGo of held) letGo()
    held.clear()
  })

  b.cacheRunner = async (node, args, compute) => {
    const opts = (node.cache ?? {}) as CacheOptions
    const stats = node.stats
    /** The run this answers; a newer input change makes computing for it pointless. */
    const stamp = node.stamp
    if (!canHash()) {
      // crypto.subtle exists only in secure contexts (https, localhost): no key, no cache.
      b.warn('cache-no-hash', `board "${b.name}" cannot hash cache keys here (no crypto.subtle: not a secure context); cached callbacks run every time.`)
      stats.runs++
      stats.misses++
      return compute()
    }
    if (!estimated) {
      estimated = true
      readEstimate(b)
    }
    const scope = opts.scope ?? 'global'
    const cacheId = opts.id ?? node.id
    let sid: string | undefined
    if (scope === 'session') {
      await b.sessionReady()
      sid = b.sessionId()
    }
    const key = await hashKey({
      board: b.name,
      boardVersion: b.version,
      cacheId,
      cacheVersion: opts.version,
      scope,
      session: sid,
      args,
      what: `callback "${node.id}"`,
    })
    const limits: Limits = { maxEntries: opts.maxEntries ?? defaultMaxEntries, maxBytes: opts.maxBytes ?? Infinity }

    const hit = memo.peek(key)
    if (hit) {
      stats.hits++
      return hit.value
    }
    for (;;) {
      const running = inflight.get(key)
      if (!running) break
      try {
        const o = await running
        stats.hits++
        return o.value
      } catch (e) {
        // The leader's run was superseded or disposed: its abort is not ours. Lead instead.
        if (!isAbort(e) || inflight.get(key) === running) throw e
      }
    }

    const lead = leadFor(key)
    inflight.set(key, lead)
    const forget = () => {
      if (inflight.get(key) === lead) inflight.delete(key)
    }
    lead.then(forget, forget)
    const o = await lead
    if (!o.computed) stats.hits++
    return o.value

    async function leadFor(key: string): Promise<Outcome> {
      const found = await memo.read(cacheId, key)
      if (found) return adopt(found)
      // Superseded while hashing or reading: no lock, no claim, nothing left running behind
      // idle() (a run that has started computing goes on for its own key instead: S20).
      if (superseded()) throw abortOf()
      const locks = webLocks()
      if (!locks || idbOf(b)?.state !== 'ok') return computeHere()
      return underLock(locks, key)
    }

    /** A newer input change (or dispose) made this run pointless before it computed. */
    function superseded(): boolean {
      return node.stamp !== stamp || b.scheduler.disposed
    }

    function abortOf(): DOMException {
      return new DOMException(`callback "${node.id}" was superseded.`, 'AbortError')
    }

    /** Is this session-scope value for a session cleared since (S09)? Then it is no one's. */
    function stale(): boolean {
      return scope === 'session' && sid !== b.sessionId()
    }

    function adopt(e: Entry): Outcome {
      memo.remember(e, limits)
      return { value: e.value, computed: false }
    }

    /** Runs compute and persists the result; `value` answers at once, `stored` once committed. */
    function execute(token: number | undefined): { value: Promise<unknown>; stored: Promise<unknown> } {
      if (superseded()) {
        // Superseded while waiting for the lock: the scheduler drops this run's result anyway.
        const aborted = Promise.reject(abortOf())
        return { value: aborted, stored: aborted.catch(() => undefined) }
      }
      stats.runs++
      // Ours: execute runs only while this run is current, and start() set it before.
      const signal = node.inflight?.signal
      const value = Promise.resolve().then(compute)
      const stored = value.then(
        async (v) => {
          // Counted here, not by whoever awaits it: a superseded run's value is a miss too (S20).
          stats.misses++
          if (stale()) return
          const t = Date.now()
          const e: Entry = {
            key,
            cacheId,
            value: v,
            t,
            exp: opts.ttlMs === undefined ? Infinity : t + opts.ttlMs,
            bytes: sizeOf(v),
            scope,
            sid,
          }
          memo.remember(e, limits)
          // A handle that is not persisted dies with this page's workers: writing it would
          // hand a dead handle to a reload or another tab. Memory only; they compute.
          if (holdsMemoryOnlyHandle(v)) return
          // The hint goes out as soon as the write is queued (see Memo.write): followers'
          // reads are ordered after it. A hint that turns out wrong (the write aborts)
          // costs them one read; they still have the lock to wait for.
          let hinted = false
          const outcome = await memo.write(e, limits, token, node.id, () => {
            if (hinted) return
            hinted = true
            channel.post({ type: 'ready', key })
          })
          if (outcome === 'written' && !hinted) channel.post({ type: 'ready', key })
        },
        () => undefined, // a failed run caches nothing; the error reaches the callback via `value`
      )
      b.scheduler.track(signal ? untilAborted(stored, signal) : stored)
      return { value, stored }
    }

    /** No lock to take (F24) or nowhere to share the result: compute for this tab. */
    async function computeHere(): Promise<Outcome> {
      return { value: await execute(undefined).value, computed: true }
    }

    function underLock(locks: LockManager, key: string): Promise<Outcome> {
      return new Promise<Outcome>((resolve, reject) => {
        const name = nameOf(b.name, 'cache', key)
        const waiting = new AbortController()
        let holding = false
        let done = false
        const finish = (f: () => void) => {
          if (done) return
          done = true
          clearTimeout(timer)
          off()
          f()
        }
        // A 'ready' hint from the holder: read IndexedDB now instead of waiting for the lock.
        const off = channel.on((m) => {
          if (m.type !== 'ready' || m.key !== key || holding || done) return
          void memo.read(cacheId, key).then((e) => {
            if (!e || holding || done) return
            waiting.abort()
            finish(() => resolve(adopt(e)))
          })
        })
        const body = async () => {
          holding = true
          clearTimeout(timer)
          if (superseded()) {
            // Superseded while waiting: give the lock back without a claim (a write transaction).
            finish(() => reject(abortOf()))
            return
          }
          const { token, entry } = await memo.claim(cacheId, key)
          if (entry) {
            finish(() => resolve(adopt(entry)))
            return
          }
          const { value, stored } = execute(token)
          value.then(
            (v) => finish(() => resolve({ value: v, computed: true })),
            (e: unknown) => finish(() => reject(e)),
          )
          // Hold the lock until the entry is committed: the next holder must find it; or
          // until the board is disposed, which lets go of it as a closed tab would.
          await new Promise<void>((release) => {
            const letGo = () => {
              held.delete(letGo)
              release()
            }
            held.add(letGo)
            void stored.then(letGo)
          })
        }
        // S06: a request that throws or rejects (denied here) is no Web Locks: compute in
        // this tab, once per key (the in-flight map still holds), and say so once.
        const denied = (e: unknown) => {
          locksDenied(b, locks, e)
          finish(() => resolve(computeHere()))
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
            // Our wait was cut short by a hint (we aborted it), or our lock was stolen
            // while computing (the body goes on and settles this promise): not failures.
            if (done || holding) return
            if (isAbort(e) && waiting.signal.aborted) return
            denied(e)
          })
        }
        const lockTimeoutMs = opts.lockTimeoutMs ?? defaultLockTimeoutMs
        // F22: a holder that hangs past the timeout loses the lock to us.
        const timer = setTimeout(() => {
          if (holding || done) return
          waiting.abort()
          request({ steal: true })
        }, lockTimeoutMs)
        request({ signal: waiting.signal })
      })
    }
  }
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

/** Storage pressure for inspect(): usage and quota, read once per board. */
function readEstimate(b: BoardImpl): void {
  try {
    void navigator.storage
      ?.estimate?.()
      .then((e) => {
        b.storageEstimate = { usage: e.usage ?? 0, quota: e.quota ?? 0 }
      }, () => undefined) // no estimate: inspect() says undefined
  } catch {
    // navigator.storage throws in some sandboxed frames: nothing to report.
  }
}
