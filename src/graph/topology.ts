/**
 * The graph's shape, before any wave runs (after the Observable runtime: define → rank and
 * cycle → wave → settle → idle; the wave onwards is schedule.ts).
 *
 * - Define: a callback joins the graph by linking itself to its stores (readers, state
 *   readers, writers) and taking a rank.
 * - Cycle: a new callback may not close a loop through inputs or state (guarantee 5b).
 *   The graph is acyclic before it joins, so only paths from its outputs back to what it
 *   reads need checking.
 * - Rank: each callback's index in a topological order (Kahn's algorithm, edges writer →
 *   reader). Most graphs are declared upstream first, so a newcomer whose outputs nobody
 *   reads yet takes the next rank; anything else marks the ranks stale and they are
 *   recomputed, once, before the next wave needs them.
 */
import type { CallbackNode, StoreNode } from './store'

export class Topology {
  /** Every callback, in definition order. */
  readonly callbacks: CallbackNode[] = []
  #ranksDirty = false
  #nextRank = 0
  /** Re-slots the scheduler's dirty callbacks after ranks changed. */
  readonly #reorder: () => void
  /** How many callbacks the scheduler holds dirty (each costs a re-slot when ranks move). */
  readonly #dirty: () => number

  constructor(reorder: () => void, dirty: () => number = () => 0) {
    this.#reorder = reorder
    this.#dirty = dirty
  }

  /** Links a new callback (already checked by `findCycle`) to its stores and ranks it. */
  add(node: CallbackNode): void {
    this.callbacks.push(node)
    for (const s of new Set(node.inputs)) s.readers.push(node)
    for (const s of new Set(node.state)) s.stateReaders.push(node)
    for (const s of node.outputs) s.writers.push(node)
    // Appending at the end of the order is valid when nothing reads the outputs yet (the
    // common case: graphs are declared upstream first). Else, when everything upstream
    // ranks below everything downstream (a pattern instance joining a summary), it takes
    // the first downstream rank and the ranks from there move up one. Otherwise all ranks
    // are recomputed; meanwhile a rank of its own keeps it from sharing a slot.
    let below = -1
    let above = Infinity
    for (const s of [...node.inputs, ...node.state]) for (const w of s.writers) if (w !== node) below = Math.max(below, w.rank)
    for (const s of node.outputs)
      for (const r of [...s.readers, ...s.stateReaders]) if (r !== node) above = Math.min(above, r.rank)
    if (above === Infinity) node.rank = this.#nextRank++
    // Many callbacks dirty (a batch adding many instances): one recompute at the drain is cheaper.
    else if (this.#ranksDirty || below >= above || this.#dirty() > 8) {
      node.rank = this.#nextRank++
      this.#ranksDirty = true
    } else {
      for (const c of this.callbacks) if (c.rank >= above) c.rank++
      this.#nextRank++
      node.rank = above
      this.#reorder()
    }
  }

  /** A store joined a node's inputs, state or outputs (pattern.ts): the order may no longer hold. */
  invalidate(): void {
    this.#ranksDirty = true
  }

  /** Unlinks a node leaving the graph (a pattern instance); the ranks of the others stay valid. */
  remove(node: CallbackNode): void {
    const i = this.callbacks.indexOf(node)
    if (i >= 0) this.callbacks.splice(i, 1)
    const out = (list: CallbackNode[]) => {
      const j = list.indexOf(node)
      if (j >= 0) list.splice(j, 1)
    }
    for (const s of new Set(node.inputs)) out(s.readers)
    for (const s of new Set(node.state)) out(s.stateReaders)
    for (const s of node.outputs) out(s.writers)
  }

  /** Kahn's algorithm over callbacks; edges go writer → reader (inputs and state). */
  ensureRanks(): void {
    if (!this.#ranksDirty) return
    this.#ranksDirty = false
    const indeg = new Map<CallbackNode, number>()
    for (const n of this.callbacks) indeg.set(n, 0)
    const downstream = (n: CallbackNode) => {
      const out = new Set<CallbackNode>()
      for (const s of n.outputs) for (const r of [...s.readers, ...s.stateReaders]) if (r !== n) out.add(r)
      return out
    }
    for (const n of this.callbacks) for (const d of downstream(n)) indeg.set(d, indeg.get(d)! + 1)
    const queue = this.callbacks.filter((n) => indeg.get(n) === 0)
    let rank = 0
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!
      n.rank = rank++
      for (const d of downstream(n)) {
        const k = indeg.get(d)! - 1
        indeg.set(d, k)
        if (k === 0) queue.push(d)
      }
    }
    this.#nextRank = rank
    this.#reorder()
  }
}

/**
 * Is there a path from any of `outputs` back to any of `reads` through existing callbacks?
 * Returns the store path (`a → b → a`) or undefined. A store that is both an input and an
 * output of the new callback is allowed: its own write does not re-run it.
 */
export function findCycle(outputs: StoreNode[], reads: Set<StoreNode>): string[] | undefined {
  const seen = new Set<StoreNode>()
  const visit = (s: StoreNode, path: StoreNode[]): StoreNode[] | undefined => {
    for (const cb of [...s.readers, ...s.stateReaders]) {
      for (const out of cb.outputs) {
        if (reads.has(out)) return [...path, out]
        if (seen.has(out)) continue
        seen.add(out)
        const found = visit(out, [...path, out])
        if (found) return found
      }
    }
    return undefined
  }
  for (const o of outputs) {
    // found runs output → … → a store the new callback reads; the new callback closes
    // the loop back to the output.
    const found = visit(o, [o])
    if (found) return [...found, o].map((s) => s.id)
  }
  return undefined
}
