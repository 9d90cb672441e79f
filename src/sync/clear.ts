/**
 * clear() and clearSession(), here and in every other tab. Apart from session.ts because
 * the session id is needed up front (`board.session.id` is synchronous) while this code,
 * with the cache and IndexedDB it reaches, loads only when a board keeps data or asks.
 */
import type { BoardImpl } from '../graph/board'
import { idbOf } from '../storage/board-idb'
import { boardKeys } from '../storage/storage'
import { webStorage } from '../storage/web'
import { applyRemote, channelOf, followPage } from './broadcast'
import { sessionOf } from './session'

const listening = new WeakSet<BoardImpl>()
/** Another tab cleared: do the same here, without telling anyone again. */
export function listenForClears(b: BoardImpl): void {
  if (listening.has(b)) return
  listening.add(b)
  // Called once per board by storage/kept.ts follow(): the other boards of its name in
  // this page are followed from here too (their `local` stores, S21).
  if (!b.scheduler.disposed) followPage(b)
  channelOf(b).on((m) => {
    if (m.type !== 'clear') return
    const p = m.scope === 'all' ? clearBoard(b, false) : clearSession(b, false, m.sid)
    b.scheduler.track(p)
  })
}

/**
 * Forgets this session (DESIGN "Logout is complete"): its runs in flight are aborted (their
 * late results neither applied nor cached), a new id, its session-scope cache entries and
 * worker data dropped, its `session` stores back to initial; then a wave in which every
 * callback with a session-scope cache or reading a `session` store runs again for the new
 * session (S09: no old value stays on screen); then every other tab does the same (and
 * every other board of this name in this tab, which shares the session: no second renewal).
 */
export async function clearSession(b: BoardImpl, tell = true, told?: string): Promise<void> {
  const session = sessionOf(b)
  listenForClears(b) // a board with a session follows other tabs' clears
  const bound = b.callbacks.filter(
    (n) => (n.cache as { scope?: string } | undefined)?.scope === 'session' || [...n.inputs, ...n.state].some((s) => s.storage === 'session'),
  )
  for (const n of bound) b.scheduler.abort(n)
  // Told by a board of this very tab (the session is one per tab): it renewed the id already.
  const old = told !== undefined && session.renewedFrom(told) ? told : await session.renew()
  // The cache's code loads here if nothing loaded it yet: entries of earlier pages may exist.
  const { cacheOf } = await import('../cache/flight')
  await Promise.all([cacheOf(b).memo.dropSession(old), ...b.hooks.clear.map((h) => h('session'))])
  b.batch(() => {
    for (const s of b.stores.values()) if (s.storage === 'session') s.clear()
    // Not started yet: start()'s initial wave runs them, in the new session.
    if (b.scheduler.started && !b.scheduler.disposed) for (const n of bound) b.scheduler.mark(n)
  })
  if (!tell) return // a remote clear is tracked by idle(); awaiting idle() here would wait on itself
  channelOf(b).post({ type: 'clear', scope: 'session', sid: old })
  await b.idle()
}

/**
 * Forgets everything of the board name: every cache entry, every persisted store (live
 * stores back to initial), worker data; the callbacks then run again, as after start, so
 * nothing derived is left blank (S18); then every other tab does the same (DESIGN "A clear
 * told by another tab leaves this tab consistent").
 */
export async function clearBoard(b: BoardImpl, tell = true): Promise<void> {
  // Shared storage (IndexedDB, localStorage) is cleared by the tab that asked; each tab
  // clears what is its own: memory, sessionStorage, live stores. A told tab clearing the
  // shared storage again would delete what the asking tab has recomputed since.
  const idb = idbOf(b)
  const { cacheOf } = await import('../cache/flight')
  await Promise.all([
    cacheOf(b).memo.clearAll(tell),
    tell ? idb?.clear('stores').catch(() => undefined) : undefined, // degraded storage: nothing left to remove there
    ...b.hooks.clear.map((h) => h('all')),
  ])
  // Before the stores' reset: it re-runs callbacks, whose outputs must not be swept away.
  // Entries of stores this page never defined are the board's too.
  for (const kind of tell ? (['local', 'session'] as const) : (['session'] as const)) {
    const area = webStorage(kind)
    if (!area) continue
    for (const k of boardKeys(area, b.name, b.version)) area.removeItem(k)
  }
  b.batch(() => {
    for (const s of b.stores.values()) {
      if (tell || s.storage === 'memory' || s.storage === 'session') s.clear()
      else {
        // A told tab resets its live local and idb stores without removing their shared
        // entries: the asking tab removed them already, and may have written recomputed
        // values since, which a removal here would delete (for good, if no page here
        // computes them again).
        applyRemote(b, s.id, undefined)
        s.modifiedAt = undefined
      }
    }
    // S18: a store may be at initial already (in a told tab, its storage event came before
    // the message; in any tab, it was never changed): resetting it changes nothing, what is
    // downstream of it does not run, and a derived store reset above stays blank for good
    // (a stale or empty output beside unchanged inputs). A clear leaves the board as a new
    // one: its callbacks run as in an initial wave (preventInitialCall ones only if an input
    // changed), in the asking tab and in every told tab.
    if (b.scheduler.started && !b.scheduler.disposed) for (const n of b.callbacks) if (!n.preventInitialCall) b.scheduler.mark(n)
  })
  if (!tell) return
  channelOf(b).post({ type: 'clear', scope: 'all' })
  await b.idle()
}
