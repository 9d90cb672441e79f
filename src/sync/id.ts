/**
 * What the board needs of sessions up front: `board.session.id` is synchronous, while the
 * session itself (duplicated-tab check, renewal, iframes: session.ts) loads with the code a
 * board keeping data loads on first need (storage/kept.ts).
 */
import { webStorage } from '../storage/web'

/**
 * Lock managers whose `request` threw or rejected (S06: an opaque origin, a policy):
 * treated as no Web Locks from then on, so `inspect().capabilities.locks` says false.
 * Keyed by the manager, not a flag: a frame that gets a working one again uses it.
 */
const deniedLocks = new WeakSet<object>()

/** `navigator.locks`, or undefined where it is missing, merely touching it throws (F14) or it was denied (S06). */
export function webLocks(): LockManager | undefined {
  try {
    const l = typeof navigator !== 'undefined' ? navigator.locks : undefined
    return l && typeof l.request === 'function' && !deniedLocks.has(l) ? l : undefined
  } catch {
    return undefined
  }
}

/** `locks.request` threw or rejected (S06): this manager counts as no Web Locks from now on. */
export function denyLocks(locks: LockManager): void {
  deniedLocks.add(locks)
}

/**
 * BroadcastChannel constructors that threw (F14, S16): `capabilities.broadcast` is false
 * from then on. Keyed by the constructor for the same reason as `deniedLocks`.
 */
const brokenChannels = new WeakSet<object>()

export function channelFailed(): void {
  if (typeof BroadcastChannel === 'function') brokenChannels.add(BroadcastChannel)
}

/** Whether cross-tab hints can be sent here: a BroadcastChannel exists and has not thrown. */
export function broadcastWorks(): boolean {
  return typeof BroadcastChannel === 'function' && !brokenChannels.has(BroadcastChannel)
}

export function mintId(): string {
  try {
    return crypto.randomUUID()
  } catch {
    // randomUUID needs a secure context; an id only has to be unlikely to repeat.
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
  }
}

/**
 * Where a tab keeps its session id: one key for every board of the tab, whatever its name
 * (DESIGN "Session", S25). Not `sb:<board>:…`: that prefix is the persisted stores'.
 */
export const sessionKey = 'sb-session'

/** This window's tab session once session.ts made it (every board of the page shares it). */
export const tabSessionKey = Symbol.for('switchboard.session')

/**
 * The id `board.session.id` reads before the session's code has loaded: the page's tab
 * session if one exists, else the one kept in sessionStorage (which same-origin iframes
 * share with their top window), else a new one, kept there at once so every board of the
 * tab gives out the same. session.ts may still renew it for a duplicated tab, as it would
 * have anyway: the id is final once `ready` resolves.
 */
export function earlySessionId(): string {
  const live = (globalThis as { [tabSessionKey]?: { readonly id: string } })[tabSessionKey]?.id
  if (live) return live
  try {
    const area = webStorage('session')
    const kept = area?.getItem(sessionKey)
    if (kept) return kept
    const id = mintId()
    area?.setItem(sessionKey, id)
    return id
  } catch {
    return mintId() // blocked storage: session.ts warns when it cannot keep the id
  }
}
