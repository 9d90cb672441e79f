/**
 * The board's current failures as a hook, for an error banner: one entry per failing
 * callback, gone when that callback next succeeds.
 */
import { useCallback, useContext, useRef } from 'preact/hooks'
import type { CallbackError } from '../errors'
import type { Board } from '../graph/types'
import { useExternal } from './external'
import { BoardContext, boardFor } from './status'

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
  const b = boardFor('useBoardErrors', board, useContext(BoardContext))
  const last = useRef<readonly CallbackError[]>(none)
  const subscribe = useCallback(
    // A failure or a recovery names its callback in 'change'; the snapshot decides.
    (fn: () => void) => b.on('change', (e) => e.callbacks.length > 0 && fn()),
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
