/**
 * The page's live boards, so a test (`switchboard/testing`) or a console can reach them
 * as the page ships, with no page code added for it.
 *
 * Shape: `globalThis.__switchboard` is a `Set<Board>` of the boards created in this realm
 * (window, iframe or worker) and not yet disposed, in creation order; find one by
 * `board.name`. `createBoard({ register: false })` leaves a board out.
 *
 * Cost: a few dozen bytes of the up-front core, one Set entry per board. It exposes
 * nothing new: any script of the page could already reach a board (its module's exports,
 * the page's globals, the DOM's event handlers). A board not disposed stays reachable
 * from the Set for the page's life, as it would through the BroadcastChannel and storage
 * listeners a persisted board keeps anyway.
 */
import type { Board } from './types'

/** Adds `board` to the page's registry; the returned hook (for dispose) removes it. */
export function register(board: Board): () => void {
  const live = ((globalThis as { __switchboard?: Set<Board> }).__switchboard ??= new Set())
  live.add(board)
  return () => live.delete(board)
}
