/**
 * clear() and clearSession(), here and in every other tab: the order of the steps and the
 * telling; what a clear does to the board's stores, callbacks and cache is the board's
 * (ClearHost). Loads with the rest of what a board keeping data needs.
 */
import { boardKeys, removeVersion } from '../storage/storage'
import { webStorage } from '../storage/web'
import { followPage, type SyncHost } from './broadcast'
import type { Session } from './session'

/**
 * What clears need of their board besides sync's view: its session, and the three things
 * a clear does to the board itself (this file is the order and the telling of other tabs).
 */
export interface ClearHost extends SyncHost {
  /** The board's session, made on first need. */
  session(): Session
  /** Aborts the runs in flight that belong to the session (their late results are dropped). */
  abortSession(): void
  /**
   * Drops cached entries and worker data: of session `sid`, or all of them (`shared`: the
   * IndexedDB copies too; a told tab leaves those to the tab that asked).
   */
  forget(what: { scope: 'session'; sid: string } | { scope: 'all'; shared: boolean }): Promise<void>
  /**
   * One wave: stores of the scope back to initial (`told`: shared `local` and `idb` entries
   * are left to the tab that asked), and the callbacks run again (S09, S18).
   */
  reset(scope: 'session' | 'all', told: boolean): void
  /** The session `previous` was renewed to `id` for this board (once per renewal): the 'session' event. */
  renewed(previous: string, id: string): void
  track(p: Promise<unknown>): void
  idle(): Promise<void>
}

/** Per board, the end of its last session clear: the next one starts after it. */
const clearing = new WeakMap<ClearHost, Promise<unknown>>()
function inOrder<T>(b: ClearHost, step: () => Promise<T>): Promise<T> {
  const next = (clearing.get(b) ?? Promise.resolve()).then(step)
  clearing.set(
    b,
    next.catch(() => undefined), // a failed clear does not stop the next one
  )
  return next
}

const listening = new WeakSet<ClearHost>()
/** Another tab cleared: do the same here, without telling anyone again. */
export function listenForClears(b: ClearHost): void {
  if (listening.has(b)) return
  listening.add(b)
  // Called once per board when it starts to follow other tabs: the other boards of its
  // name in this page are followed from here too (their `local` stores, S21).
  if (!b.disposed()) followPage(b)
  b.channel().on((m) => {
    if (m.type !== 'clear') return
    // Another version's clear (another deploy, in another tab) is not ours (DESIGN "Keys never collide").
    if (m.scope === 'all' && m.v !== b.version) return
    const p = m.scope === 'all' ? clearBoard(b, false) : clearSession(b, false, m.sid)
    b.track(p)
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
export async function clearSession(b: ClearHost, tell = true, told?: string): Promise<void> {
  const session = b.session()
  listenForClears(b) // a board with a session follows other tabs' clears
  // Told twice of one logout (by the tab's renewal and by the channel): once is enough;
  // a second abort would stop the runs the first one started for the new session.
  if (told !== undefined && session.forgot(told)) return
  b.abortSession()
  // Told by a board of this very tab (the session is one per tab), or of a clear this tab
  // answered already: that renewal, with no second one. Taken at once when it is made (a
  // board of the tab hears of it while the tab renews), not after the renewals queued since.
  const { old, id } = (told !== undefined ? session.renewalFor(told) : undefined) ?? (await session.renew(told))
  // This board's part of each renewal, in the order of the renewals (a logout asked here
  // while a told one is applied must not overtake it): its 'session' events read A→B, B→C.
  const done = inOrder(b, async () => {
    if (!session.forget(old)) return false
    await b.forget({ scope: 'session', sid: old })
    b.reset('session', !tell)
    b.renewed(old, id)
    return true
  })
  if (!(await done) || !tell) return // a remote clear is tracked by idle(); awaiting idle() here would wait on itself
  b.channel().post({ type: 'clear', scope: 'session', sid: old })
  await b.idle()
}

/**
 * Forgets everything of the board name: every cache entry, every persisted store (live
 * stores back to initial), worker data; the callbacks then run again, as after start, so
 * nothing derived is left blank (S18); then every other tab does the same (DESIGN "A clear
 * told by another tab leaves this tab consistent").
 */
export async function clearBoard(b: ClearHost, tell = true): Promise<void> {
  // Shared storage (IndexedDB, localStorage) is cleared by the tab that asked; each tab
  // clears what is its own: memory, sessionStorage, live stores. A told tab clearing the
  // shared storage again would delete what the asking tab has recomputed since.
  const idb = b.idb()
  await Promise.all([
    b.forget({ scope: 'all', shared: tell }),
    tell && idb ? removeVersion(idb, b.version).catch(() => undefined) : undefined, // degraded storage: nothing left to remove there
  ])
  // Before the stores' reset: it re-runs callbacks, whose outputs must not be swept away.
  // Entries of stores this page never defined are the board's too.
  for (const kind of tell ? (['local', 'session'] as const) : (['session'] as const)) {
    const area = webStorage(kind)
    if (!area) continue
    for (const k of boardKeys(area, b.name, b.version)) area.removeItem(k)
  }
  b.reset('all', !tell)
  if (!tell) return
  b.channel().post({ type: 'clear', scope: 'all', v: b.version })
  await b.idle()
}
