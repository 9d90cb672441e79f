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
import type { BoardImpl } from '../graph/board'
import { webStorage } from '../storage/web'
import { denyLocks, mintId, sessionKey, tabSessionKey, webLocks } from './id'

/** The Web Lock a live tab holds on its session id (F11: a duplicate finds it taken). */
const sessionLock = (id: string) => `sb-session:${id}`

/**
 * `locks.request` threw or rejected with something other than our own abort (S06): the tab
 * goes on as without Web Locks (each tab computes its cached callbacks for itself,
 * duplicated tabs go undetected), and says so once.
 */
export function locksDenied(b: BoardImpl, locks: LockManager, cause: unknown): void {
  denyLocks(locks)
  b.warn(
    'locks-denied',
    `board "${b.name}": Web Locks are denied here; each tab computes its cached callbacks for itself and duplicated tabs go undetected.`,
    cause,
  )
}

type Warn = (key: string, message: string, cause?: unknown) => void

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
export function holdLock(locks: LockManager, name: string, options: LockOptions = {}): Promise<(() => void) | null> {
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
  private release: (() => void) | undefined
  private closed = false
  /** The renewal in progress, so the next one starts after it. */
  private renewing: Promise<unknown> = Promise.resolve()

  constructor(
    private warn: Warn,
    /** locks.request threw or rejected: the board that made the session says so once (S06). */
    private denied: (locks: LockManager, e: unknown) => void,
  ) {
    const stored = this.read()
    this.id = stored ?? mintId()
    if (!stored) this.write()
    this.ready = this.claim()
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
      this.warn('session-store', 'could not keep the tab\'s session id in sessionStorage.', e)
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

  /** A new id for this tab (clearSession); resolves to the old one. One renewal at a time. */
  renew(): Promise<string> {
    const next = this.renewing.then(async () => {
      await this.ready
      const old = this.id
      this.retired.add(old)
      this.release?.()
      this.release = undefined
      this.id = mintId()
      this.write()
      this.ready = this.claim()
      await this.ready
      return old
    })
    this.renewing = next.catch(() => undefined) // a failed renewal does not stop the next
    return next
  }

  close(): void {
    this.closed = true
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
function tabSession(b: BoardImpl): TabSession {
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

/** A board's view of its tab's session: `id`, settled once `ready` resolves (the duplicate check). */
export class Session {
  private readonly tab: TabSession
  private disposed = false

  constructor(b: BoardImpl) {
    this.tab = tabSession(b)
    this.tab.users.add(this)
  }

  get id(): string {
    return this.tab.id
  }

  get ready(): Promise<void> {
    return this.tab.ready
  }

  /** A new id for this tab (clearSession); resolves to the old one. */
  renew(): Promise<string> {
    return this.tab.renew()
  }

  /** Was `id` this tab's session before a renewal (by any board of the tab)? */
  renewedFrom(id: string): boolean {
    return this.tab.retired.has(id)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.tab.users.delete(this)
    if (!this.tab.users.size) this.tab.close()
  }
}

/** The board's session, made on first use (boards that never ask pay nothing). */
export function sessionOf(b: BoardImpl): Session {
  let s = b.loadedSession
  if (!s) {
    s = b.loadedSession = new Session(b)
    const ss = s
    // Made after dispose (asked for just before it): hold no lock nobody will release.
    if (b.scheduler.disposed) ss.dispose()
    else b.hooks.dispose.push(() => ss.dispose())
  }
  return s
}
