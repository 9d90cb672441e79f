/**
 * The board in a Preact tree, and a callback's status (running, progress, error, timings)
 * as a hook. It uses the public board only: `board.status(id)` at render time, refreshed
 * when the board's 'change' event names the callback (a run, sync or async, a progress
 * report, a failure or a recovery).
 */
import { type ComponentChildren, createContext, type JSX } from 'preact'
import { useCallback, useContext, useRef } from 'preact/hooks'
import { type CallbackError, GraphError } from '../errors'
import type { Board, Callback } from '../graph/types'
import type { IdObject } from '../index'
import { useExternal } from './external'
import { idText } from './ids'

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
  if (!board) throw new GraphError('no-board', 'useBoard() needs a <BoardProvider board={...}> above this component.')
  return board
}

/** The board passed, or the nearest BoardProvider's; `hook` names the caller in the error. */
export function boardFor(hook: string, board: Board | undefined, fromContext: Board | undefined): Board {
  const b = board ?? fromContext
  if (!b) throw new GraphError('no-board', `${hook}() needs a board: pass it, or render under a <BoardProvider>.`)
  return b
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

/** `useStatus` options: the board, and for a pattern callback one instance's matched values. */
export interface StatusOptions {
  board?: Board
  /** One `MATCH` instance (`{ index: 3 }`); without it, a pattern callback's instances added up. */
  match?: IdObject
}

/**
 * A callback's status, re-rendering when it starts, progresses, settles or fails. The board
 * is the second argument (or its `board`), else the callback object's own (`callback.board`),
 * else the nearest `BoardProvider`'s: a callback object needs no provider. An id not defined
 * (yet) reads as idle with zero runs. A pattern callback reads as its instances added up
 * (running while any runs; runs, hits, misses summed), or as one instance with `{ match }`.
 *
 * @example
 * const { running, progress, error } = useStatus(loadFlights)
 * if (error) return <p role="alert">{error.message}</p>
 * return running ? <progress value={progress?.fraction} /> : <Chart />
 * const card = useStatus('simulate', { match: { index } })   // one card of a list
 */
export function useStatus(callback: Callback | string, options?: Board | StatusOptions): Status {
  const given = options && 'inspect' in options ? { board: options as Board } : ((options ?? {}) as StatusOptions)
  const own = typeof callback === 'string' ? undefined : callback.board
  const b = boardFor('useStatus', given.board ?? own, useContext(BoardContext))
  const base = typeof callback === 'string' ? callback : callback.id
  // An instance's id is its family's, then its matched values: `simulate[{"index":3}]`.
  const id = given.match ? `${base}[${idText(given.match)}]` : base
  const last = useRef<Status>(idle)

  const subscribe = useCallback(
    (fn: () => void) =>
      b.on('change', (e) => e.callbacks.some((c) => c === id || (c.startsWith(id) && c[id.length] === '[')) && fn()),
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

function read(board: Board, id: string): Status {
  // A pattern callback's id: the board adds its instances up.
  const status = board.status(id)
  if (!status) return idle
  const s = status.stats
  return {
    running: status.running,
    progress: status.progress,
    error: status.error,
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
