/**
 * Sessions: one id per tab, kept across reloads, renewed for a duplicated tab. The two ways
 * to forget, `clearSession()` and `clear()`, are in clear.ts, which loads on first need.
 *
 * The id lives in sessionStorage, which survives a reload. Browsers COPY sessionStorage
 * into a duplicated tab (and into a tab opened with `window.open` from a same-origin page
 * in some browsers), so the id alone would make two live tabs one session (F11). Each tab
 * therefore holds a Web Lock `nameOf(board, 'session', id)` for its whole life; at start it asks
 * for the lock with `ifAvailable`: `null` means another live tab holds that id, so this
 * tab is a duplicate and mints its own. A reload releases the lock with the old document.
 *
 * Same-origin iframes share the top window's sessionStorage and adopt its id without
 * asking for the lock (the top window holds it). Without Web Locks (F14, F24) a duplicate
 * cannot be told apart, and the id read from sessionStorage is kept.
 *
 * This file loads on first need with storage/kept.ts; until then `board.session.id` reads
 * the id that the session will start from (id.ts).
 */
import type { BoardImpl } from '../graph/board'
import { nameOf } from '../storage/names'
import { webStorage } from '../storage/web'
import { mintId, sessionKey, webLocks } from './id'

/** Live sessions of this window by board name, where same-origin iframes look them up. */
const registryKey = Symbol.for('switchboard.sessions')
type Registry = Map<string, { readonly id: string; readonly ready: Promise<void> }>

function registry(w: object): Registry | undefined {
  return (w as { [registryKey]?: Registry })[registryKey]
}

/** The top window's session of this board, when this is a same-origin iframe below it. */
function topSession(board: string): { readonly id: string; readonly ready: Promise<void> } | undefined {
  try {
    if (typeof window === 'undefined' || !window.top || window.top === window) return undefined
    return registry(window.top)?.get(board)
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

/** A tab's session: `id`, settled once `ready` resolves (the duplicate check). */
export class Session {
  id: string
  ready: Promise<void>
  private release: (() => void) | undefined
  private disposed = false
  private readonly storageKey: string

  constructor(private b: BoardImpl) {
    this.storageKey = sessionKey(b.name)
    const top = topSession(b.name)
    if (top) {
      // A same-origin iframe is part of its top window's tab: same session, no lock of its own.
      this.id = top.id
      this.ready = top.ready.then(() => {
        this.id = top.id
      })
      return
    }
    const stored = this.read()
    // b.earlyId: the id board.session.id already gave out (kept in sessionStorage unless blocked).
    this.id = stored ?? b.earlyId ?? mintId()
    if (!stored) this.write()
    this.ready = this.claim()
    const g = globalThis as { [registryKey]?: Registry }
    ;(g[registryKey] ??= new Map()).set(b.name, this)
  }

  private read(): string | undefined {
    try {
      return webStorage('session')?.getItem(this.storageKey) ?? undefined
    } catch {
      return undefined
    }
  }

  private write(): void {
    try {
      webStorage('session')?.setItem(this.storageKey, this.id)
    } catch (e) {
      // Storage full or blocked: the id lives for this page only, which is still one tab.
      this.b.warn('session-store', `board "${this.b.name}" could not keep its session id in sessionStorage.`, e)
    }
  }

  /** Takes the lock of our id; a taken lock means a duplicated tab: mint a new id (F11). */
  private async claim(): Promise<void> {
    const locks = webLocks()
    if (!locks) return
    try {
      for (let tries = 0; tries < 3 && !this.disposed; tries++) {
        const release = await holdLock(locks, nameOf(this.b.name, 'session', this.id), { ifAvailable: true })
        if (this.disposed) return release?.()
        if (release) {
          this.release = release
          return
        }
        this.id = mintId()
        this.write()
      }
    } catch (e) {
      // locks.request itself threw (F14): keep the id; duplicates go undetected.
      this.b.warn('session-lock', `board "${this.b.name}" cannot detect duplicated tabs: Web Locks failed.`, e)
    }
  }

  /** A new id for this tab (clearSession). */
  async renew(): Promise<string> {
    await this.ready
    const old = this.id
    this.release?.()
    this.release = undefined
    this.id = mintId()
    this.write()
    this.ready = this.claim()
    await this.ready
    return old
  }

  dispose(): void {
    this.disposed = true
    this.release?.()
    this.release = undefined
    const reg = registry(globalThis)
    if (reg?.get(this.b.name) === this) reg.delete(this.b.name)
  }
}

/** The board's session, made on first use (boards that never ask pay nothing). */
export function sessionOf(b: BoardImpl): Session {
  let s = b.session
  if (!s) {
    s = b.session = new Session(b)
    const ss = s
    // Made after dispose (asked for just before it): hold no lock nobody will release.
    if (b.scheduler.disposed) ss.dispose()
    else b.hooks.dispose.push(() => ss.dispose())
  }
  return s
}
