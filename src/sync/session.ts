/**
 * Sessions: one id per TAB, shared by every board of the page whatever its name (DESIGN
 * "Session", S25), kept across reloads, renewed for a duplicated tab. The two ways to
 * forget, `clearSession()` and `clear()`, are in clear.ts, which loads on first need.
 *
 * The id lives in sessionStorage, which survives a reload. Browsers COPY sessionStorage
 * into a duplicated tab (and into a tab opened with `window.open` from a same-origin page
 * in some browsers), so the id alone would make two live tabs one session (F11). The page
 * therefore holds a Web Lock on its id for its whole life; the first board to need the
 * session asks for it with `ifAvailable`: `null` means another live tab holds that id, so
 * this tab is a duplicate and mints its own. A reload releases the lock with the old
 * document. Two boards of one page (of one name or not) share the page's session and its
 * one lock: neither can take the other for a duplicate (S21).
 *
 * Same-origin iframes share the top window's sessionStorage and adopt its id without
 * asking for the lock (the top window holds it). Without Web Locks (F14, F24) or with them
 * denied (S06) a duplicate cannot be told apart, and the id read from sessionStorage is kept.
 *
 * This file loads on first need with storage/kept.ts; until then `board.session.id` reads
 * the id that the session will start from (id.ts).
 */
import { webStorage } from '../storage/web'
import { denyLocks, mintId, sessionKey, tabSessionKey, webLocks } from './id'

type Warn = (key: string, message: string, cause?: unknown) => void

/** What a session sees of its board: its name, for messages, its warnings, and logouts. */
export interface SessionHost {
  readonly name: string
  /** Prints once per key, and emits 'warning' every time. */
  warn: Warn
  /**
   * Another board of this tab renewed the session (its clearSession(), or a clear told by
   * another tab): this board forgets session `old` too. The session is the tab's, so a
   * logout on one board is a logout of all of them, whatever their names. Called during
   * the renewal, before the next one starts (`Session.renewalFor(old)` tells its new id).
   */
  renewed(old: string): void
}

/**
 * The BroadcastChannel of logouts, one for the origin: every tab hears every clearSession()
 * whatever its boards' names (a board's own channel reaches boards of its name only).
 */
const logoutChannel = 'sb-session'

/** A logout told on `logoutChannel`: `sid` is the id the asking tab retired. */
function parseLogout(data: unknown): string | undefined {
  const m = data as { sb?: unknown; type?: unknown; sid?: unknown } | null
  return m && typeof m === 'object' && m.sb === 1 && m.type === 'logout' && typeof m.sid === 'string'
    ? m.sid
    : undefined
}

/** The Web Lock a live tab holds on its session id (F11: a duplicate finds it taken). */
const sessionLock = (id: string) => `sb-session:${id}`

/**
 * `locks.request` threw or rejected with something other than our own abort (S06): the tab
 * goes on as without Web Locks (each tab computes its cached callbacks for itself,
 * duplicated tabs go undetected), and says so once.
 */
export function locksDenied(b: Pick<SessionHost, 'name' | 'warn'>, locks: LockManager, cause: unknown): void {
  denyLocks(locks)
  b.warn(
    'locks-denied',
    `board "${b.name}": Web Locks are denied here; each tab computes its cached callbacks for itself and duplicated tabs go undetected.`,
    cause,
  )
}

/** The top window's tab session, when this is a same-origin iframe below it. */
function topSession(): TabSession | undefined {
  try {
    if (typeof window === 'undefined' || !window.top || window.top === window) return undefined
    return (window.top as unknown as { [tabSessionKey]?: TabSession })[tabSessionKey]
  } catch {
    // A cross-origin top throws on access: this frame is on its own.
    return undefined
  }
}

/**
 * Holds a lock until `release()` is called; resolves to the release function, or to
 * null when `ifAvailable` found it taken.
 */
function holdLock(locks: LockManager, name: string, options: LockOptions = {}): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, options, (lock) => {
        if (!lock) {
          resolve(null)
          return undefined
        }
        return new Promise<void>((release) => resolve(release))
      })
      .catch(reject)
  })
}

/** One renewal of the tab's session: the id it retired and the id it made. */
export interface Renewal {
  readonly old: string
  readonly id: string
}

/**
 * The page's session: one per window, made by the first board that needs it and let go
 * (lock released) when the last board using it is disposed.
 *
 * Invariant: at most one session lock is held, the one of `id`. Renewals run one after
 * another (S22: two at once would each mint an id and leave the first one's lock held).
 */
class TabSession {
  id: string
  ready: Promise<void>
  /** Boards using this session; the last one to leave releases the lock. */
  readonly users = new Set<Session>()
  /** Ids this tab had before a renewal: a clear told with one of them is this tab's own. */
  readonly retired = new Set<string>()
  /**
   * Another tab's retired id → the id this tab retired when told of it: every board of the
   * tab hears that tab's message, and the tab renews once for it.
   */
  readonly answered = new Map<string, string>()
  /**
   * Retired id → the id its renewal made. A board applying a renewal names that id in its
   * 'session' event, not whatever the tab's id is by then (a later renewal may have run).
   */
  private readonly madeFor = new Map<string, string>()
  private release: (() => void) | undefined
  private closed = false
  /** The renewal in progress, so the next one starts after it. */
  private renewing: Promise<unknown> = Promise.resolve()
  /** Logouts of other tabs reach this one here; undefined without BroadcastChannel. */
  private channel: BroadcastChannel | undefined

  constructor(
    private warn: Warn,
    /** locks.request threw or rejected: the board that made the session says so once (S06). */
    private denied: (locks: LockManager, e: unknown) => void,
  ) {
    const stored = this.read()
    this.id = stored ?? mintId()
    if (!stored) this.write()
    this.ready = this.claim()
    try {
      this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(logoutChannel) : undefined
    } catch {
      // Locked-down contexts throw on construction (F14): other tabs' logouts reach only
      // this tab's boards of their name, through the boards' own channels.
      this.channel = undefined
    }
    if (this.channel) {
      this.channel.onmessage = (e) => {
        const sid = parseLogout(e.data)
        // Anything else on this name (another app, another library version) is not ours.
        if (sid !== undefined) this.renew(undefined, sid).catch(() => undefined) // a failed renewal says so through its own warning
      }
    }
  }

  private read(): string | undefined {
    try {
      return webStorage('session')?.getItem(sessionKey) ?? undefined
    } catch {
      return undefined
    }
  }

  private write(): void {
    try {
      webStorage('session')?.setItem(sessionKey, this.id)
    } catch (e) {
      // Storage full or blocked: the id lives for this page only, which is still one tab.
      this.warn('session-store', "could not keep the tab's session id in sessionStorage.", e)
    }
  }

  /** Takes the lock of our id; a taken lock means a duplicated tab: mint a new id (F11). */
  private async claim(): Promise<void> {
    const locks = webLocks()
    if (!locks) return
    try {
      for (let tries = 0; tries < 3 && !this.closed; tries++) {
        const release = await holdLock(locks, sessionLock(this.id), { ifAvailable: true })
        if (this.closed) return release?.()
        if (release) {
          this.release = release
          return
        }
        this.id = mintId()
        this.write()
      }
    } catch (e) {
      // locks.request threw or rejected (F14, S06): keep the id; duplicates go undetected.
      this.denied(locks, e)
    }
  }

  /**
   * A new id for this tab (clearSession); resolves to the old id and the one this renewal
   * made. One renewal at a time. `told`: the id another tab (or board) retired: no second
   * renewal for it. The other boards of the tab are told (`by` renews: it forgets the old
   * session itself).
   */
  renew(by: Session | undefined, told?: string): Promise<Renewal> {
    const next = this.renewing.then(async (): Promise<Renewal> => {
      await this.ready
      const known = this.oldFor(told)
      if (known !== undefined) return { old: known, id: this.madeFor.get(known) ?? this.id }
      const old = this.id
      if (told !== undefined) this.answered.set(told, old)
      this.retired.add(old)
      this.release?.()
      this.release = undefined
      this.id = mintId()
      this.write()
      this.ready = this.claim()
      await this.ready
      this.madeFor.set(old, this.id) // after claim: a duplicate's lock makes it mint again
      const renewal = { old, id: this.id }
      for (const u of [...this.users]) if (u !== by) u.renewed(old)
      // A logout asked here: every other tab forgets its session too (each renews once).
      if (told === undefined) this.post(old)
      return renewal
    })
    this.renewing = next.catch(() => undefined) // a failed renewal does not stop the next
    return next
  }

  /** The renewal this tab made for `told` (its own old id, or another tab's it answered), once it is made. */
  renewalFor(told: string): Renewal | undefined {
    const old = this.oldFor(told)
    const id = old === undefined ? undefined : this.madeFor.get(old)
    return old === undefined || id === undefined ? undefined : { old, id }
  }

  /** The id this tab retired for `told` (its own old id, or another tab's it answered), if any. */
  oldFor(told: string | undefined): string | undefined {
    if (told === undefined) return undefined
    return this.retired.has(told) ? told : this.answered.get(told)
  }

  private post(sid: string): void {
    try {
      this.channel?.postMessage({ sb: 1, type: 'logout', sid })
    } catch {
      // A closed channel: other tabs of this board's name still hear the board's own message.
    }
  }

  close(): void {
    this.closed = true
    this.channel?.close()
    this.channel = undefined
    this.release?.()
    this.release = undefined
    const g = globalThis as { [tabSessionKey]?: TabSession }
    if (g[tabSessionKey] === this) delete g[tabSessionKey]
  }
}

/**
 * The page's session, made on first use. A same-origin iframe uses its top window's (same
 * tab, same sessionStorage): it holds no lock of its own and follows the top's renewals.
 */
function tabSession(b: SessionHost): TabSession {
  const top = topSession()
  if (top) return top
  const g = globalThis as { [tabSessionKey]?: TabSession }
  let t = g[tabSessionKey]
  if (!t) {
    t = g[tabSessionKey] = new TabSession(
      (key, message, cause) => b.warn(key, `board "${b.name}" ${message}`, cause),
      (locks, e) => locksDenied(b, locks, e),
    )
  }
  return t
}

/**
 * A board's view of its tab's session: `id`, settled once `ready` resolves (the duplicate
 * check). The board makes one on first need and disposes it with itself.
 */
export class Session {
  private readonly tab: TabSession
  private disposed = false
  /** Sessions this board has forgotten (each once, however many boards or tabs say so). */
  private readonly forgotten = new Set<string>()

  constructor(private readonly host: SessionHost) {
    this.tab = tabSession(host)
    this.tab.users.add(this)
  }

  get id(): string {
    return this.tab.id
  }

  get ready(): Promise<void> {
    return this.tab.ready
  }

  /**
   * A new id for this tab (clearSession); resolves to the old id and the new one. `told`:
   * the id another board or tab retired; when this tab renewed for it already, that
   * renewal's ids.
   */
  renew(told?: string): Promise<Renewal> {
    return this.tab.renew(this, told)
  }

  /** Has this board forgotten the session that `told` names (its own old id, or another tab's answered)? */
  forgot(told: string): boolean {
    const old = this.tab.oldFor(told)
    return old !== undefined && this.forgotten.has(old)
  }

  /** This board forgets session `old` now: false if it did already. */
  forget(old: string): boolean {
    if (this.forgotten.has(old)) return false
    this.forgotten.add(old)
    return true
  }

  /** Told by the tab: another board renewed. */
  renewed(old: string): void {
    if (!this.disposed) this.host.renewed(old)
  }

  /** The renewal the tab made for `told`, if it has made it: no need to wait for the next one. */
  renewalFor(told: string): Renewal | undefined {
    return this.tab.renewalFor(told)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.tab.users.delete(this)
    if (!this.tab.users.size) this.tab.close()
  }
}
