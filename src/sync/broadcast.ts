/**
 * Cross-tab hints over one BroadcastChannel per board (`nameOf(board)`).
 *
 * A message is a HINT, never the truth: Web Locks and IndexedDB are. A lost message (the
 * writer died before posting, the reader joined late: F23) costs latency, not correctness,
 * because whoever acts on one re-reads IndexedDB. Messages of the wrong shape are dropped
 * with one dev warning (F32): another version of the app, or anything else on the origin,
 * may post on a channel of the same name.
 *
 * Each board instance has its own sender id, so two boards of one name in one page (as
 * tests use them) behave as two tabs, and a tab ignores its own echoes.
 */
import type { StorageKind } from '../graph/types'
import { dropProtoKeys } from '../storage/codec'
import type { Idb } from '../storage/idb'
import { nameOf } from '../storage/names'
import { isEnvelope, type Restored } from '../storage/storage'
import { channelFailed } from './id'

/** A store as cross-tab sync sees it: read only; sync changes it through its host. */
export interface SyncedStore {
  readonly id: string
  readonly storage: StorageKind
  readonly initial: unknown
  readonly modifiedAt: number | undefined
  get(): unknown
  subscribe(fn: (value: unknown) => void): () => void
}

/**
 * What cross-tab sync sees of its board, handed in by the board once this code has
 * loaded: its names, its stores to read, one way to change them (another tab's value, a
 * normal wave here that is not written back), and the database and channel it shares.
 */
export interface SyncHost {
  readonly name: string
  readonly version: string | number
  store(id: string): SyncedStore | undefined
  stores(): Iterable<SyncedStore>
  /** Applies another tab's value (`undefined`: back to initial) with origin 'remote'. */
  write(id: string, restored: Restored | undefined): void
  disposed(): boolean
  /** The board's database, opened on first use; undefined when IndexedDB cannot be used. */
  idb(): Idb | undefined
  /** The board's channel (boardChannel), shared with the cache. */
  channel(): Channel
  /** Runs `fn` when the board is disposed. */
  onDispose(fn: () => void): void
}

/** The messages tabs exchange; one discriminated union, validated on receipt. */
export type Message =
  /**
   * A cache entry's write is queued in IndexedDB: followers waiting on its lock may read it
   * (their read is ordered after the write). A small entry comes with its value, written
   * at `t`, expiring at `exp`: the leader's very result, so a follower takes it without a
   * read (P8); a message without `value` says only "read now".
   */
  | { sb: 1; from: string; type: 'ready'; key: string; value?: unknown; t?: number; exp?: number }
  /** These idb stores were committed: other tabs read and apply them (a wave there). */
  | { sb: 1; from: string; type: 'stores'; ids: string[] }
  /** clearSession() or clear() ran in another tab: do the same here. `sid`: the session
   *  id clearSession() retired, so a board of the same tab (which shares it) does not renew again;
   *  `v`: the board version clear() cleared (another version's boards ignore it). */
  | { sb: 1; from: string; type: 'clear'; scope: 'session' | 'all'; sid?: string; v?: string | number }

type Body = Message extends infer M ? (M extends Message ? Omit<M, 'sb' | 'from'> : never) : never
type Listener = (m: Message) => void

/** Returns the message if it has exactly a shape we know, else undefined. */
export function parseMessage(data: unknown): Message | undefined {
  const m = data as Partial<Record<string, unknown>> | null
  if (!m || typeof m !== 'object' || m.sb !== 1 || typeof m.from !== 'string') return undefined
  switch (m.type) {
    case 'ready':
      return typeof m.key === 'string' &&
        /^[0-9a-f]{64}$/.test(m.key) &&
        (!('value' in m) || (typeof m.t === 'number' && typeof m.exp === 'number'))
        ? (m as Message)
        : undefined
    case 'stores':
      return Array.isArray(m.ids) && m.ids.every((x) => typeof x === 'string') ? (m as Message) : undefined
    case 'clear':
      return (m.scope === 'session' || m.scope === 'all') &&
        (m.sid === undefined || typeof m.sid === 'string') &&
        (m.v === undefined || typeof m.v === 'string' || typeof m.v === 'number')
        ? (m as Message)
        : undefined
    default:
      return undefined
  }
}

export class Channel {
  /** This board instance, as a sender: its own messages come back to nobody, but two
   *  boards of one name in one page must tell each other apart. */
  readonly from = Math.random().toString(36).slice(2) + Date.now().toString(36)
  private bc: BroadcastChannel | undefined
  private listeners = new Set<Listener>()

  constructor(
    readonly name: string,
    private warn: (key: string, message: string) => void,
  ) {
    try {
      this.bc = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : undefined
    } catch {
      // Some locked-down contexts throw on construction (F14): no hints, locks still work;
      // inspect().capabilities.broadcast says false from now on (S16).
      this.bc = undefined
      channelFailed()
    }
    if (this.bc) this.bc.onmessage = (e) => this.receive(e.data)
  }

  get available(): boolean {
    return !!this.bc
  }

  post(body: Body): void {
    try {
      this.bc?.postMessage({ sb: 1, from: this.from, ...body })
    } catch (e) {
      // A closed channel or an uncloneable field: the hint is lost, which is allowed (F23).
      this.warn('broadcast-post', `could not post a cross-tab hint on "${this.name}": ${String(e)}`)
    }
  }

  /** Posts if it can, silently: false when there is no channel or `body` could not be sent (the caller has a plainer message to fall back on). */
  offer(body: Body): boolean {
    if (!this.bc) return false
    try {
      this.bc.postMessage({ sb: 1, from: this.from, ...body })
      return true
    } catch {
      return false // a value the channel cannot clone: the caller sends the plain hint instead
    }
  }

  on(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Validates and dispatches one incoming message (exported for the F32 test's sake). */
  receive(data: unknown): void {
    const m = parseMessage(data)
    if (!m) {
      this.warn('broadcast-malformed', `dropped a malformed message on BroadcastChannel "${this.name}".`)
      return
    }
    if (m.from === this.from) return
    for (const fn of [...this.listeners]) fn(m)
  }

  close(): void {
    this.bc?.close()
    this.bc = undefined
    this.listeners.clear()
  }
}

/** A board's channel: one per board instance, named after the board (every tab's boards of that name hear it). */
export function boardChannel(board: string, warn: (key: string, message: string) => void): Channel {
  return new Channel(nameOf(board), warn)
}

/**
 * Applies a value another tab wrote (storage event, or a BroadcastChannel hint followed
 * by an IndexedDB read): a normal wave here, but not written back (no echo).
 */
export function applyRemote(host: SyncHost, id: string, restored: Restored | undefined): void {
  applying++
  try {
    host.write(id, restored)
  } finally {
    applying--
  }
}

/** Inside applyRemote: a change that came from elsewhere, which followPage does not pass on. */
let applying = 0

/**
 * Boards of this page, by name. A storage event reaches every OTHER document of the origin,
 * never the one that wrote: two boards of one name in one page would not follow each
 * other's `local` stores (S21). followPage passes a board's own changes of a `local` store
 * to the other boards of its name and version in the page, as a remote change there (a
 * wave, not written back); changes that are themselves remote are not passed on (each board
 * got its own storage event or hint).
 */
const pageBoards = new Map<string, Set<SyncHost>>()

/** Follows the other boards of this name in the page. Idempotent. Stores defined later are not followed. */
export function followPage(b: SyncHost): void {
  let peers = pageBoards.get(b.name)
  if (!peers) pageBoards.set(b.name, (peers = new Set()))
  if (peers.has(b)) return
  peers.add(b)
  const offs: Array<() => void> = []
  for (const s of b.stores()) {
    if (s.storage !== 'local') continue
    offs.push(
      s.subscribe((v) => {
        if (applying) return
        for (const peer of pageBoards.get(b.name) ?? []) {
          if (peer === b || peer.version !== b.version || peer.disposed()) continue
          const t = peer.store(s.id)
          if (!t || t.storage !== 'local' || sameJson(t.get(), v)) continue
          // A copy, as a storage event would give: the boards must not share a mutable value.
          applyRemote(
            peer,
            s.id,
            v === s.initial ? undefined : { value: structuredClone(v), modifiedAt: s.modifiedAt ?? Date.now() },
          )
        }
      }),
    )
  }
  const mine = peers
  b.onDispose(() => {
    for (const off of offs) off()
    mine.delete(b)
    if (!mine.size && pageBoards.get(b.name) === mine) pageBoards.delete(b.name)
  })
}

/** Equal as persisted (a `local` store's value is what its codec gives back). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  try {
    return JSON.stringify(a) === JSON.stringify(b)
  } catch {
    return false // not comparable (a cycle, a BigInt): pass it on; a repeat costs one wave
  }
}

/**
 * Cross-tab sync of `idb` stores (`local` ones follow storage events already, F12): after
 * IndexedDB commits, tell the other tabs which stores; they read the committed envelopes
 * and apply them as remote changes, which run a wave there and are not written back.
 * Returns what the board calls after each IndexedDB commit of its stores.
 */
export function syncStores(b: SyncHost): (committed: string[]) => void {
  const ch = b.channel()
  if (!ch.available) return () => undefined
  // A hint's read can overtake this tab's own write of the same store (ours is queued, not
  // yet committed): applying the other tab's older value there left this tab showing a value
  // IndexedDB no longer held, for good (found by `npm run chaos`). Two rules close it:
  // - a value older than the one this tab holds (envelope time before our modifiedAt) is not
  //   applied: our own newer write is on its way and its commit tells the others;
  // - a store that met another tab's value is read once more after our next commit of it.
  const followed = new Set<string>()
  ch.on((m) => {
    if (m.type === 'stores')
      follow(
        m.ids.filter((id) => b.store(id)?.storage === 'idb'),
        true,
      )
  })
  return (ids) => {
    const mine = ids.filter((id) => b.store(id)?.storage === 'idb')
    if (!mine.length) return
    ch.post({ type: 'stores', ids: mine })
    const again = mine.filter((id) => followed.delete(id))
    if (again.length) follow(again, false)
  }
  /** `hinted`: another tab's commit, so our next commit of these stores reads them again. */
  function follow(ids: string[], hinted: boolean): void {
    const idb = b.idb()
    if (!ids.length || !idb) return
    idb.getMany('stores', ids).then(
      (envs) =>
        ids.forEach((id, i) => {
          const env = envs[i]
          const s = b.store(id)
          if (!s) return
          if (env === undefined) return applyRemote(b, id, undefined)
          if (!isEnvelope(env, b.version)) return
          if (hinted) followed.add(id)
          if (s.modifiedAt !== undefined && env.t < s.modifiedAt) return
          // Restored objects never carry an own __proto__ key, whichever tab wrote them (S17).
          applyRemote(b, id, { value: dropProtoKeys(env.d), modifiedAt: env.t })
        }),
      // The other tab's value stays unknown here; ours is still valid.
      () => undefined,
    )
  }
}
