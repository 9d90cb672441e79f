/**
 * The board's current failures as a hook, for an error banner: one entry per failing
 * callback, gone when that callback next succeeds.
 */
import { useCallback, useContext, useRef } from 'preact/hooks'
import { type Board, boardImpl } from '../graph/board'
import type { CallbackError } from '../errors'
import { BoardContext } from './status'
import { useExternal } from './store'

const none: readonly CallbackError[] = Object.freeze([])

/**
 * Every callback's latest failure (`board.errors`), re-rendering when one fails or recovers.
 * The board is the argument or the nearest `BoardProvider`'s.
 *
 * @example
 * const errors = useBoardErrors()
 * return errors.map((e) => <p role="alert">{e.callbackId}: {e.message}</p>)
 */
export function useBoardErrors(board?: Board): readonly CallbackError[] {
  const ctxBoard = useContext(BoardContext)
  const b = board ?? ctxBoard
  if (!b) throw new Error('[switchboard] useBoardErrors() needs a board: pass it, or render under a <BoardProvider>.')
  const last = useRef<readonly CallbackError[]>(none)
  const subscribe = useCallback(
    (fn: () => void) => {
      // A failure emits 'error'. A recovery emits nothing of its own: an async run's settle
      // emits 'status', a sync run's success shows as its outputs changing, so watch both.
      const offs = [b.on('error', fn), b.on('status', fn)]
      for (const s of boardImpl(b).stores.values()) offs.push(s.subscribe(fn))
      return () => offs.forEach((off) => off())
    },
    [b],
  )
  const snapshot = useCallback(() => {
    const now = [...b.errors.values()]
    const prev = last.current
    if (now.length === prev.length && now.every((e, i) => e === prev[i])) return prev
    return (last.current = now.length ? now : none)
  }, [b])
  return useExternal(subscribe, snapshot)
}
