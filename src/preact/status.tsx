/**
 * The board in a Preact tree, and a callback's status (running, progress, error, timings)
 * as a hook. Status is read from the callback itself at render time and refreshed on the
 * board's 'status' and 'error' events, and on changes of the callback's outputs (a
 * synchronous run emits no 'status': its outputs changing is how it shows).
 */
import { type ComponentChildren, createContext, type JSX } from 'preact'
import { useCallback, useContext, useRef } from 'preact/hooks'
import { type Board, boardImpl, type Callback } from '../graph/board'
import type { CallbackNode } from '../graph/schedule'
import type { CallbackError } from '../errors'
import { useExternal } from './store'

/** The board of the nearest BoardProvider (internal: other hooks of this adapter read it). */
export const BoardContext = createContext<Board | undefined>(undefined)

/**
 * Makes a board available to `useBoard` and `useStatus` below it.
 *
 * @example
 * render(<BoardProvider board={board}><App /></BoardProvider>, root)
 */
export function BoardProvider(props: { board: Board; children?: ComponentChildren }): JSX.Element {
  return <BoardContext.Provider value={props.board}>{props.children}</BoardContext.Provider>
}

/** The board of the nearest `BoardProvider`; throws (naming the fix) when there is none. */
export function useBoard(): Board {
  const board = useContext(BoardContext)
  if (!board) throw new Error('[switchboard] useBoard() needs a <BoardProvider board={...}> above this component.')
  return board
}

/** What `useStatus` returns: one callback's state, fit for a spinner, a bar and an error line. */
export interface Status {
  /** An async or worker run is in flight. */
  running: boolean
  /** The latest `ctx.progress` of the run in flight, or null. */
  progress: { fraction: number; note: string | undefined } | null
  /** The latest failure, cleared when the callback next succeeds. */
  error: CallbackError | undefined
  /** Executions (cache hits are not runs). */
  runs: number
  hits: number
  misses: number
  /** Duration of the latest timed run, ms (sync runs are timed when the board profiles). */
  lastMs: number
  avgMs: number
}

const idle: Status = Object.freeze({
  running: false,
  progress: null,
  error: undefined,
  runs: 0,
  hits: 0,
  misses: 0,
  lastMs: 0,
  avgMs: 0,
}) as Status

/**
 * A callback's status, re-rendering when it starts, progresses, settles or fails. The board
 * is the second argument or the nearest `BoardProvider`'s. An id not defined (yet) reads
 * as idle with zero runs.
 *
 * @example
 * const { running, progress, error } = useStatus(loadFlights)
 * if (error) return <p role="alert">{error.message}</p>
 * return running ? <progress value={progress?.fraction} /> : <Chart />
 */
export function useStatus(callback: Callback | string, board?: Board): Status {
  const ctxBoard = useContext(BoardContext)
  const b = board ?? ctxBoard
  if (!b) throw new Error('[switchboard] useStatus() needs a board: pass it, or render under a <BoardProvider>.')
  const id = typeof callback === 'string' ? callback : callback.id
  const last = useRef<Status>(idle)

  const subscribe = useCallback(
    (fn: () => void) => {
      const offs = [
        b.on('status', (e) => e.callback === id && fn()),
        b.on('error', (e) => e.callbackId === id && fn()),
      ]
      const node = nodeOf(b, id)
      if (node) for (const s of node.outputs) offs.push(s.subscribe(fn))
      return () => offs.forEach((off) => off())
    },
    [b, id],
  )
  // The same object until a field changes: useExternal compares snapshots with Object.is.
  const snapshot = useCallback(() => {
    const next = read(b, id)
    const prev = last.current
    if (sameStatus(prev, next)) return prev
    return (last.current = next)
  }, [b, id])
  return useExternal(subscribe, snapshot)
}

function nodeOf(board: Board, id: string): CallbackNode | undefined {
  return boardImpl(board).callbacks.find((n) => n.id === id)
}

function read(board: Board, id: string): Status {
  const impl = boardImpl(board)
  const node = impl.callbacks.find((n) => n.id === id)
  if (!node) return idle
  const s = node.stats
  return {
    running: impl.scheduler.isRunning(node),
    progress: node.progress,
    error: board.errors.get(id),
    runs: s.runs,
    hits: s.hits,
    misses: s.misses,
    lastMs: s.lastMs,
    avgMs: s.avgMs,
  }
}

function sameStatus(a: Status, b: Status): boolean {
  return (
    a.running === b.running &&
    a.progress === b.progress &&
    a.error === b.error &&
    a.runs === b.runs &&
    a.hits === b.hits &&
    a.misses === b.misses &&
    a.lastMs === b.lastMs &&
    a.avgMs === b.avgMs
  )
}
