/**
 * What the board needs of sessions up front: `board.session.id` is synchronous, while the
 * session itself (duplicated-tab check, renewal, iframes: session.ts) loads with the code a
 * board keeping data loads on first need (storage/kept.ts).
 */
import type { BoardImpl } from '../graph/board'
import { nameOf } from '../storage/names'
import { webStorage } from '../storage/web'

/** `navigator.locks`, or undefined where it is missing or merely touching it throws (F14). */
export function webLocks(): LockManager | undefined {
  try {
    const l = typeof navigator !== 'undefined' ? navigator.locks : undefined
    return l && typeof l.request === 'function' ? l : undefined
  } catch {
    return undefined
  }
}

export function mintId(): string {
  try {
    return crypto.randomUUID()
  } catch {
    // randomUUID needs a secure context; an id only has to be unlikely to repeat.
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
  }
}

/** Where a tab keeps its session id: a name of three parts, never a store's key (names.ts). */
export const sessionKey = (board: string) => nameOf(board, 'session', 'id')

/**
 * The id `board.session.id` reads before the session's code has loaded: the one kept in
 * sessionStorage (which same-origin iframes share with their top window), or a new one
 * that session.ts starts from (`b.earlyId`) and keeps there. It may still renew it for a
 * duplicated tab, as it would have anyway: the id is final once `ready` resolves.
 */
export function earlySessionId(b: BoardImpl): string {
  try {
    return webStorage('session')?.getItem(sessionKey(b.name)) || mintId()
  } catch {
    return mintId() // blocked storage: session.ts warns when it cannot keep the id
  }
}
