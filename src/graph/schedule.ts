/**
 * The wave scheduler: the heart of switchboard. It reads top to bottom as the story of a
 * wave, and keeps these guarantees (DESIGN.md, "Scheduling guarantees"):
 *
 *  1. A change to one or more stores starts a WAVE. Every callback downstream of a changed
 *     store runs AT MOST ONCE per wave, and only after every callback upstream of any of
 *     its inputs OR state in the same wave has settled.
 *  2. Outputs a callback does not return (`noUpdate`, `PreventUpdate`, an equal value)
 *     trigger nothing downstream.
 *  3. A new change to an input while a callback is in flight SUPERSEDES it: its AbortSignal
 *     fires, its late result, error, `ctx.set` and progress are dropped (run stamp), and no
 *     running flag stays stuck.
 *  4. The initial wave runs in topological order; `preventInitialCall` skips only that
 *     call; callbacks whose stores were all restored from storage do not run.
 *  5. Cycles and duplicate outputs are rejected at definition (board.ts and topology.ts,
 *     before any node reaches this file).
 *
 * and never gets stuck (DESIGN.md, "safety"): whatever a callback throws becomes its own
 * CallbackError and never escapes set(), start() or idle(); a callback defined at any moment
 * keeps these guarantees for the others; after dispose() writes are ignored and idle()
 * resolves; a callback that re-runs itself more than MAX_RUNS times in one wave fails with
 * GraphError('runaway') instead of hanging the page.
 *
 * How (after the Observable runtime): every callback has a RANK, its own index in a
 * topological order of the graph. A write marks the callbacks reading the store DIRTY and
 * puts each in the slot of its rank. `drain()` takes the lowest dirty rank first; in an
 * acyclic graph that is always safe while nothing is in flight, because every ancestor has
 * a lower rank and has already run. While an async callback is in flight, a candidate first
 * checks that no ancestor is dirty or running ("pending upstream") and otherwise waits for
 * the next drain, which the async settle starts. A dirty callback holds one slot, whatever
 * number of its inputs changed: that is "at most once per wave".
 *
 * Which inputs triggered a run is not recorded per mark: every write stamps the store with
 * a global sequence number, and a run's `ctx.triggered` is the inputs stamped between its
 * previous start (or, for an initial call, the start of the board or its definition) and
 * this one (computed only if read). So an initial call sees the inputs an upstream callback
 * changed earlier in the initial wave, and nothing else.
 *
 *     a ──► [b] ──► x ──┐
 *     │                 ├──► [d]      a changes: b and c are dirty (rank 1, 2); d (rank 3)
 *     └──► [c] ──► y ──┘               is marked by x and again by y, runs once, last.
 *
 * Synchronous settle: when every callback a wave reaches is synchronous, drain() finishes
 * inside the `set()` (or `batch()`) that started it, subscribers included.
 *
 * What changed is published once at the end of each drain, after the subscribers (the
 * board's 'change' event: stores changed, callbacks that ran or changed status), and only
 * gathered while someone listens.
 */
import { CallbackError, GraphError, noUpdate, PreventUpdate } from '../errors'
import { sizeOf } from '../storage/size'
import type { IdObject, StoreId } from './ids'
import type { CallbackNode, Origin, StoreNode } from './store'
import type { RunCtx } from './types'

/**
 * A cached callback's run goes through this (cache/ provides it): it answers from the
 * cache or calls `compute` (once per key across callbacks and tabs), counts
 * `stats.runs` / `hits` / `misses` on the node, and returns the value to apply.
 */
export type CacheRunner = (node: CallbackNode, args: unknown[], compute: () => unknown) => Promise<unknown>

/**
 * A callback that starts more often than this in one wave keeps re-triggering itself (it
 * sets one of its own inputs, directly or through callbacks downstream): it fails with
 * GraphError('runaway') instead of looping on and hanging the page.
 */
const MAX_RUNS = 1000

/** How an async run ended, with what its settle needs to tell whether it still counts. */
type Outcome = {
  readonly node: CallbackNode
  /** The run's stamp: another stamp on the node now means it was superseded. */
  readonly stamp: number
  /** When it started (performance.now()), for its stats. */
  readonly t0: number
  readonly bytesIn: number
} & ({ readonly failed: false; readonly value: unknown } | { readonly failed: true; readonly error: unknown })

/** Object.is, the default equality of a write (on the hot path): NaN equals NaN, 0 and -0 differ. */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b ? a !== 0 || 1 / (a as number) === 1 / (b as number) : a !== a && b !== b
}

/** A stale run's result is dropped silently; this is what its signal carries. */
function supersededReason(id: string): DOMException {
  return new DOMException(`callback "${id}" was superseded by a newer input change.`, 'AbortError')
}

export interface SchedulerHost {
  /** A callback failed (or recovered: error undefined). */
  failed(node: CallbackNode, error: CallbackError | undefined): void
  /** Status of a callback changed (running, progress, settled): for hooks and panels. */
  status(node: CallbackNode): void
  /** A write after dispose() was ignored (the board warns once per store). */
  ignored(store: StoreNode): void
  /** Resolve a `ctx.set` target. */
  storeOf(ref: { readonly id: string } | StoreId): StoreNode
  /**
   * End of a drain: notify subscribers, persist. `changed` (the observed stores that
   * changed) is the scheduler's own list, valid during the call only.
   */
  settled(changed: readonly StoreNode[]): void
  /** What changed since the last call (only while `watching`): the board's 'change' event. */
  changed(change: { stores: string[]; callbacks: string[] }): void
  /** Recomputes ranks when the graph changed. */
  ensureRanks(): void
  /** A store's object value was replaced (worker handles are released here). */
  replaced(store: StoreNode, old: object): void
  cacheRunner: CacheRunner | undefined
}

export class Scheduler {
  /** Dirty callbacks by rank (ranks are unique, so a slot holds one callback). */
  #slots: Array<CallbackNode | undefined> = []
  /** No dirty callback has a rank below this. */
  #low = 0
  /** Number of dirty callbacks. */
  #dirtyCount = 0
  /** Async runs in flight; while zero, the lowest dirty rank is always ready. */
  #running = 0
  /** Global write sequence: each changed store is stamped with it (StoreNode.seq). */
  seq = 0
  /** One Date.now() per drain for modifiedAt: writes of one wave share their time. */
  private now = 0
  /** Time and measure bytes of synchronous runs too (devtools turn it on). Async runs are always timed. */
  profile = false
  /** Inside drain(): writes only mark, the loop picks them up. */
  #draining = false
  get draining(): boolean {
    return this.#draining
  }
  get dirtyCount(): number {
    return this.#dirtyCount
  }
  /** batch() depth: writes only mark until the outermost batch ends. */
  #batchDepth = 0
  /**
   * Counts the waves started from outside (a set, a batch, a definition): the runaway count
   * of a callback restarts with each. A drain an async settle starts continues its wave, so
   * a loop through async callbacks is caught; a user's set() while one is in flight is a new
   * wave, so a busy board (a slider dragged over a slow callback) never looks runaway.
   */
  #wave = 0
  /** pendingUpstream's stack, kept between calls (empty outside it). */
  #stack: CallbackNode[] = []
  /** Numbers pendingUpstream's searches: a callback whose `search` equals it was seen. */
  #search = 0
  /**
   * Someone listens to the board's 'change' event (the board sets it). While off, a wave
   * gathers nothing for it and allocates nothing; turning it off forgets what was gathered.
   */
  get watching(): boolean {
    return this.#watching
  }
  set watching(on: boolean) {
    this.#watching = on
    if (on) return
    this.#changedStores = []
    this.#changedCallbacks = []
    this.#publishes++
  }
  #watching = false
  /**
   * Ids of the stores and callbacks changed since the last `publish()`, while watching. A
   * node already listed carries the number of this publish (`told`), so it is listed once.
   */
  #changedStores: string[] = []
  #changedCallbacks: string[] = []
  /** Numbers the publishes (see `told`). */
  #publishes = 1
  /**
   * Observed stores (StoreNode.observed) changed since the last `settled()`, each once
   * (StoreNode.queued). Two lists used in turn, so a drain allocates none: `settled()` is
   * handed one while writes go to the other.
   */
  #changed: StoreNode[] = []
  #spare: StoreNode[] = []
  /** The first run's ctx, kept alive on purpose (see #start). */
  #alive: RunContext | undefined = undefined
  /** `seq` when the drain last handed its changes to `settled()`: later changes are not told yet. */
  #settledSeq = 0
  #idleWaiters: Array<() => void> = []
  /** Extra work idle() must wait for (persistence, cache writes), by the host. */
  #extra = new Set<Promise<unknown>>()
  started = false
  disposed = false

  constructor(readonly host: SchedulerHost) {}

  // ---- 0. The initial wave ---------------------------------------------------------------

  /**
   * Guarantee 4: the board starts. Every callback runs once, in rank order (the slots order
   * it), except those with `preventInitialCall` and those whose stores were all restored
   * from storage; restored stores reach their subscribers once, so bound views show them.
   */
  begin(callbacks: readonly CallbackNode[], persisted: readonly StoreNode[]): void {
    this.started = true
    for (const n of callbacks) n.since = this.seq
    this.host.ensureRanks()
    for (const n of callbacks) {
      if (n.preventInitialCall) continue
      const all = [...n.inputs, ...n.state, ...n.outputs]
      if (n.outputs.length && all.every((s) => s.restored)) continue
      this.mark(n)
    }
    for (const s of persisted) if (s.restored) s.notify()
    this.drain()
  }

  // ---- 1. A write starts (or joins) a wave ----------------------------------------------

  /**
   * Sets a store. Returns false when the value is equal (guarantee 2: nothing happens).
   * `from` is the callback writing its own output: it is not re-run by its own write.
   * `origin` says why (store.ts Origin); the end of the drain reads it from the store.
   */
  write(store: StoreNode, value: unknown, from: CallbackNode | undefined, origin: Origin = 'callback'): boolean {
    // Never stuck: a disposed board takes no more writes (a mark now would never drain).
    if (this.disposed) {
      this.host.ignored(store)
      return false
    }
    const old = store.value
    const eq = store.equals
    if (eq === undefined ? sameValue(old, value) : eq(old, value)) return false
    store.value = value
    if (old !== null && typeof old === 'object') this.host.replaced(store, old)
    store.at = this.now || (this.now = Date.now())
    store.origin = origin
    store.seq = ++this.seq
    // Only a store someone sees (persisted, subscribed) goes on the changed list; one
    // subscribed later in this wave joins it then (subscribed()).
    if (!store.queued && store.observed) {
      store.queued = true
      this.#changed.push(store)
    }
    if (this.#watching) this.touchStore(store)
    if (this.started) {
      const readers = store.readers
      for (let i = 0; i < readers.length; i++) {
        const r = readers[i]!
        if (r !== from) this.mark(r)
      }
    }
    this.flush()
    return true
  }

  /**
   * A subscriber was added to `store`: if it changed in this wave and is not on the changed
   * list yet (nobody saw it then), it goes there, so the end of the wave tells the newcomer
   * as it tells the others.
   */
  subscribed(store: StoreNode): void {
    if (!store.queued && store.seq > this.#settledSeq && !this.disposed) {
      store.queued = true
      this.#changed.push(store)
    }
  }

  /**
   * The 'change' event got its first listener (the board passes its stores): the stores
   * changed in this wave and not yet told (as `touchStore` would have met them at the
   * wave's end) are named, in the order they changed.
   */
  touchPending(stores: Iterable<StoreNode>): void {
    const pending: StoreNode[] = []
    for (const s of stores) if (s.seq > this.#settledSeq) pending.push(s)
    pending.sort((a, b) => a.seq - b.seq)
    for (const s of pending) this.touchStore(s)
  }

  /** Makes several writes one wave. Depth counter; the outermost level drains. */
  batch<T>(fn: () => T): T {
    this.#batchDepth++
    try {
      return fn()
    } finally {
      this.#batchDepth--
      this.flush()
    }
  }

  /**
   * A change from outside (a write, the end of a batch, a new callback) starts a wave now,
   * unless a drain or a batch is under way: that one picks the marks up.
   */
  flush(): void {
    if (this.#draining || this.#batchDepth > 0) return
    this.#wave++
    this.drain()
  }

  /**
   * Marks a callback dirty: an input changed, or its initial call is due. Its rank must be
   * current (board.ts recomputes ranks before marking a new callback): two dirty callbacks
   * of one rank would share a slot and one would be lost.
   */
  mark(node: CallbackNode): void {
    // Guarantee 3: an input changed under a run in flight: that run is now stale.
    if (node.inflight) this.#supersede(node)
    if (!node.dirty) {
      node.dirty = true
      this.#slots[node.rank] = node
      if (node.rank < this.#low || this.#dirtyCount === 0) this.#low = node.rank
      this.#dirtyCount++
    }
  }

  #supersede(node: CallbackNode): void {
    const c = node.inflight!
    node.inflight = undefined
    node.stamp++
    node.progress = null
    this.#running--
    c.abort(supersededReason(node.id))
    this.touch(node)
    this.host.status(node)
  }

  // ---- 2. Drain: run what is ready, lowest rank first -----------------------------------

  drain(): void {
    if (this.#draining || this.disposed) return
    this.#draining = true
    try {
      this.host.ensureRanks()
      for (;;) {
        let node: CallbackNode | undefined
        while ((node = this.#next())) this.#start(node)
        // Subscribers and persistence see the settled state; a subscriber's own set() marks
        // more work, which this loop picks up before returning.
        this.#settledSeq = this.seq
        const changed = this.#changed
        if (!changed.length) break
        // Writes made while settled() runs go to the other list (settled with the last
        // pass, so free again).
        const next = this.#spare
        next.length = 0
        this.#changed = next
        this.#spare = changed
        for (let i = 0; i < changed.length; i++) changed[i]!.queued = false
        this.host.settled(changed)
      }
    } finally {
      this.#draining = false
      this.now = 0
    }
    this.#publish()
    this.#checkIdle()
  }

  /** The lowest-rank dirty callback whose upstream has settled; undefined if none. */
  #next(): CallbackNode | undefined {
    if (this.#dirtyCount === 0) return undefined
    const slots = this.#slots
    let i = this.#low
    while (!slots[i]) i++
    this.#low = i
    if (this.#running === 0) return this.#take(slots[i]!)
    // Something is in flight: take the lowest rank with nothing pending upstream.
    for (let seen = 0; seen < this.#dirtyCount; i++) {
      const n = slots[i]
      if (!n) continue
      seen++
      if (!this.#pendingUpstream(n)) return this.#take(n)
    }
    return undefined
  }

  #take(n: CallbackNode): CallbackNode {
    this.#slots[n.rank] = undefined
    this.#dirtyCount--
    return n
  }

  /**
   * Guarantee 1: is any callback upstream of `node` (via inputs or state) dirty or running?
   * Asked for each candidate while something is in flight, so it allocates nothing: the
   * stack is the scheduler's, and a callback seen in this search carries its number.
   */
  #pendingUpstream(node: CallbackNode): boolean {
    const search = ++this.#search
    const stack = this.#stack
    stack.push(node)
    while (stack.length) {
      const n = stack.pop()!
      if (this.#writersPending(n, n.inputs, search) || this.#writersPending(n, n.state, search)) {
        stack.length = 0
        return true
      }
    }
    return false
  }

  /** Is a writer of `stores` (other than `n`) dirty or running? Pushes the others to search on. */
  #writersPending(n: CallbackNode, stores: readonly StoreNode[], search: number): boolean {
    for (let i = 0; i < stores.length; i++) {
      const writers = stores[i]!.writers
      for (let j = 0; j < writers.length; j++) {
        const w = writers[j]!
        if (w === n || w.search === search) continue
        w.search = search
        if (w.dirty || w.inflight) return true
        this.#stack.push(w)
      }
    }
    return false
  }

  // ---- 3. Run one callback --------------------------------------------------------------

  #start(node: CallbackNode): void {
    node.dirty = false
    if (node.wave !== this.#wave) {
      node.wave = this.#wave
      node.waveRuns = 0
    }
    if (++node.waveRuns > MAX_RUNS) return this.#runaway(node)
    // triggered = inputs written after `from` (the previous start, or the definition or
    // board start for an initial call) up to now.
    const from = node.since
    const to = (node.since = this.seq)
    const stamp = ++node.stamp
    const ctx = new RunContext(this, node, stamp, from, to)
    // The board's first context is kept alive on purpose. While no RunContext is alive, a GC
    // drops the map V8's optimised code of this function embeds for them, and that code
    // deoptimises; contexts die with their run on the common path (V8 often does not even
    // allocate one that `run` does not keep), so without this it happened at every GC: a
    // deoptimisation loop ("embedded weak objects cleared" under --trace-deopt) that made a
    // chain up to ~10x slower in Chromium (issue 13 P1). Only the first: a store of every
    // context would make V8 allocate each one.
    if (this.#alive === undefined) this.#alive = ctx
    const inputs = node.inputs
    const n = inputs.length
    // The common path (one or a few inputs, no state, no cache, not profiled): the values go
    // straight to `run`, no argument list. Anything else takes #call.
    if (n > 3 || node.state.length !== 0 || node.cache !== undefined || node.pattern || this.profile)
      return this.#call(node, ctx)
    let result: unknown
    try {
      const run = node.run
      result =
        n === 1
          ? run(inputs[0]!.value, ctx)
          : n === 2
            ? run(inputs[0]!.value, inputs[1]!.value, ctx)
            : n === 0
              ? run(ctx)
              : run(inputs[0]!.value, inputs[1]!.value, inputs[2]!.value, ctx)
      // Inside the try: reading `then` runs the returned value's getter, which may throw.
      if (isThenable(result)) return this.#inflight(node, ctx, result, 0, 0)
    } catch (e) {
      this.#ran(node)
      if (!this.disposed) this.#fail(node, e)
      return
    }
    this.#ran(node)
    // A run that disposed the board has its result (or error) dropped, as a run in flight would.
    if (this.disposed) return
    // One output (the common hop): written here, without #apply's general path.
    if (node.single) {
      if (result !== noUpdate) {
        try {
          this.write(node.outputs[0]!, result, node)
        } catch (e) {
          // A store's `equals` threw: that fails this callback, not the wave (as in #apply).
          return this.#fail(node, e)
        }
      }
      if (node.failing) this.#succeeded(node)
      return
    }
    this.#apply(node, result)
  }

  /** A run that ended synchronously and was not timed: its status changed, one more run. */
  #ran(node: CallbackNode): void {
    if (this.#watching) this.touch(node)
    node.stats.runs++
  }

  /** Any run: its arguments in the node's list, through the cache, timed when profiling. */
  #call(node: CallbackNode, ctx: RunContext): void {
    const args = node.args
    const inputs = node.inputs
    const state = node.state
    let k = 0
    // A pattern instance builds its own (an ALL slot is one array argument).
    if (node.pattern) k = node.pattern.fill(args)
    else {
      for (let i = 0; i < inputs.length; i++) args[k++] = inputs[i]!.value
      for (let i = 0; i < state.length; i++) args[k++] = state[i]!.value
    }
    args[k] = ctx
    const profile = this.profile
    const t0 = profile ? performance.now() : 0
    const bytesIn = profile ? bytesOf(args, k) : 0

    let result: unknown
    try {
      const cache = this.host.cacheRunner
      const run = node.run
      if (node.cache && cache) {
        // Copy now: `args` is reused by the next run, and the cache computes later (after
        // hashing), so a lazy copy could compute one input under another input's key.
        const call = args.slice()
        result = cache(node, call.slice(0, k), () => run.apply(undefined, call))
      } else result = run.apply(undefined, args)
      // Inside the try: reading `then` runs the returned value's getter, which may throw.
      if (isThenable(result)) return this.#inflight(node, ctx, result, t0, bytesIn)
    } catch (e) {
      this.#finish(node, t0, bytesIn)
      if (!this.disposed) this.#fail(node, e)
      return
    }
    this.#finish(node, t0, bytesIn)
    // A run that disposed the board has its result (or error) dropped, as a run in flight would.
    if (!this.disposed) this.#apply(node, result)
  }

  /**
   * Async: in flight until it settles or is superseded. Always timed (one clock read is
   * nothing next to async work), from `t0` if the sync part was profiled, else from here.
   */
  #inflight(node: CallbackNode, ctx: RunContext, result: PromiseLike<unknown>, t0: number, bytesIn: number): void {
    const stamp = ctx.stamp
    node.inflight = ctx.controller ?? (ctx.controller = new AbortController())
    this.#running++
    this.touch(node)
    this.host.status(node)
    const t1 = this.profile ? t0 : performance.now()
    // Through a native promise: a foreign thenable's `then` may throw or call back twice;
    // a promise settles once, and whatever it rejects with reaches settle().
    promiseOf(result).then(
      (value) => this.#settle({ node, stamp, t0: t1, bytesIn, failed: false, value }),
      (error: unknown) => this.#settle({ node, stamp, t0: t1, bytesIn, failed: true, error }),
    )
    // It wrote one of its own inputs before returning (a store.set() before its first
    // await): it is dirty again, so this run is stale already. Without this it would be
    // dirty and in flight at once, its next start would overwrite `inflight` and the
    // running count would never come back to zero (idle() stuck).
    if (node.dirty) this.#supersede(node)
  }

  /** Guarantee "never stuck": a callback started more than MAX_RUNS times in one wave fails instead. */
  #runaway(node: CallbackNode): void {
    this.#fail(
      node,
      new GraphError(
        'runaway',
        `callback "${node.id}" ran more than ${MAX_RUNS.toLocaleString('en')} times in one wave: it keeps changing its own inputs (directly, or through callbacks downstream).`,
      ),
    )
  }

  #settle(outcome: Outcome): void {
    const node = outcome.node
    // Guarantee 3: a superseded or disposed run's late result or error is dropped.
    if (node.stamp !== outcome.stamp || this.disposed) return
    node.inflight = undefined
    node.progress = null
    this.#running--
    this.#finish(node, outcome.t0, outcome.bytesIn, true)
    // Outside drain() each write would start its own wave: a reader of two outputs would run
    // once per output, the first time seeing one new value beside one old. One batch, one wave.
    this.#batchDepth++
    try {
      if (outcome.failed) this.#fail(node, outcome.error)
      else this.#apply(node, outcome.value)
    } finally {
      this.#batchDepth--
    }
    this.host.status(node)
    this.drain()
  }

  #finish(node: CallbackNode, t0: number, bytesIn: number, timed = this.profile): void {
    this.touch(node)
    const s = node.stats
    // stats.runs counts executions: for a cached callback the cache runner counts them
    // (a hit is not a run).
    if (!(node.cache && this.host.cacheRunner)) s.runs++
    if (!timed) return
    const ms = performance.now() - t0
    node.settles++
    s.lastMs = ms
    s.avgMs += (ms - s.avgMs) / node.settles
    s.bytesIn += bytesIn
  }

  // ---- 4. Apply outputs: only returned, changed values propagate ------------------------

  #apply(node: CallbackNode, result: unknown): void {
    try {
      this.#applyOutputs(node, result)
    } catch (e) {
      // A store's `equals` or a hostile returned value (a revoked Proxy) threw while its
      // outputs were written: that fails this callback, not the wave.
      this.#fail(node, e)
    }
  }

  #applyOutputs(node: CallbackNode, result: unknown): void {
    // An ALL output slot takes an array: one value per store of the family.
    if (node.pattern?.spread) result = node.pattern.spread(result)
    const outs = node.outputs
    if (outs.length === 0) {
      if (node.failing) this.#succeeded(node)
      return
    }
    if (node.single) {
      if (result !== noUpdate) {
        if (this.profile) node.stats.bytesOut += sizeOf(result)
        this.write(outs[0]!, result, node)
      }
      if (node.failing) this.#succeeded(node)
      return
    }
    if (!Array.isArray(result) || result.length !== outs.length) {
      const got = Array.isArray(result) ? `${result.length} values` : typeof result
      return this.#fail(
        node,
        new TypeError(
          `callback "${node.id}" has ${outs.length} outputs and must return an array of ${outs.length}, got ${got}.`,
        ),
      )
    }
    for (let i = 0; i < outs.length; i++) {
      const v = result[i]
      if (v === noUpdate) continue
      if (this.profile) node.stats.bytesOut += sizeOf(v)
      this.write(outs[i]!, v, node)
    }
    if (node.failing) this.#succeeded(node)
  }

  #succeeded(node: CallbackNode): void {
    this.touch(node)
    node.failing = false
    this.host.failed(node, undefined)
  }

  #fail(node: CallbackNode, e: unknown): void {
    let err: CallbackError | undefined
    try {
      // PreventUpdate: leave every output alone; not an error.
      if (e instanceof PreventUpdate || (e as { name?: string } | null)?.name === 'PreventUpdate') return
      if (e instanceof CallbackError && e.callbackId === node.id) err = e
    } catch {
      // Anything can be thrown: a revoked Proxy throws on instanceof, a getter on `name`.
      // Such a value is an error like any other; CallbackError describes it safely.
    }
    this.touch(node)
    node.stats.errors++
    node.failing = true
    this.host.failed(node, err ?? new CallbackError(node.id, e))
  }

  // ---- 5. Publish what changed -----------------------------------------------------------

  /** A callback's status changed (it ran, started, stopped, progressed, failed or recovered). */
  touch(node: CallbackNode): void {
    if (this.#watching && node.told !== this.#publishes) {
      node.told = this.#publishes
      this.#changedCallbacks.push(node.id)
    }
  }

  /** A store changed or was defined: the next 'change' names it. */
  touchStore(store: StoreNode): void {
    if (this.#watching && store.told !== this.#publishes) {
      store.told = this.#publishes
      this.#changedStores.push(store.id)
    }
  }

  /**
   * Outside a drain and a batch, tells what changed now (a progress report, a definition);
   * inside one, its end does.
   */
  publishSoon(): void {
    if (!this.#draining && this.#batchDepth === 0) this.#publish()
  }

  /** The 'change' event: what changed since the last one, if anything did and anyone listens. */
  #publish(): void {
    if (!this.#watching || (this.#changedStores.length === 0 && this.#changedCallbacks.length === 0)) return
    const change = { stores: this.#changedStores, callbacks: this.#changedCallbacks }
    // Cleared before the listeners run: a set() of theirs is a drain, and an event, of its own.
    this.#changedStores = []
    this.#changedCallbacks = []
    this.#publishes++
    this.host.changed(change)
  }

  // ---- 6. Idle ----------------------------------------------------------------------------

  /** Resolves when no callback is dirty or running and storage writes are done, or at dispose(). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Adds work that idle() waits for (a cache write, a persistence batch). */
  track(p: Promise<unknown>): void {
    this.#extra.add(p)
    const done = () => {
      this.#extra.delete(p)
      this.#checkIdle()
    }
    p.then(done, done)
  }

  #isIdle(): boolean {
    return this.disposed || (this.#running === 0 && this.#dirtyCount === 0 && this.#extra.size === 0 && !this.#draining)
  }

  #checkIdle(): void {
    if (!this.#idleWaiters.length || !this.#isIdle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const w of waiters) w()
  }

  /** Stops everything: runs in flight are aborted and their results dropped. */
  dispose(): void {
    this.disposed = true
    for (const n of this.#slots) if (n) n.dirty = false
    this.#slots = []
    this.#dirtyCount = 0
    this.#extra.clear()
    this.#checkIdle()
  }

  abort(node: CallbackNode): void {
    if (node.inflight) this.#supersede(node)
  }

  /** A node leaves the graph (a pattern instance whose store was removed): aborted and unmarked. */
  drop(node: CallbackNode): void {
    this.abort(node)
    if (!node.dirty) return
    node.dirty = false
    this.#slots[node.rank] = undefined
    this.#dirtyCount--
  }

  isRunning(node: CallbackNode): boolean {
    return node.inflight !== undefined
  }

  /** Re-slots dirty callbacks after ranks changed (the graph grew while some were dirty). */
  reorder(): void {
    const dirty = this.#slots.filter((n): n is CallbackNode => !!n)
    this.#slots = []
    this.#dirtyCount = 0
    for (const n of dirty) {
      n.dirty = false
      this.mark(n)
    }
  }
}

/** Inputs written in (from, to], in input order, each once (a store listed twice appears once). */
function triggeredIds(node: CallbackNode, from: number, to: number): StoreId[] {
  if (node.pattern) return node.pattern.triggered(from, to)
  const out: StoreId[] = []
  for (const s of node.inputs) {
    const id = s.objectId ?? s.id
    if (s.seq > from && s.seq <= to && !out.includes(id)) out.push(id)
  }
  return out
}

/** Bytes of the first `n` arguments, for profiled runs. */
function bytesOf(args: unknown[], n: number): number {
  let b = 0
  for (let i = 0; i < n; i++) b += sizeOf(args[i])
  return b
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as PromiseLike<unknown>).then === 'function'
  )
}

/** A native promise of `x`; never throws (a promise whose `constructor` getter throws is a rejection). */
function promiseOf(x: unknown): Promise<unknown> {
  try {
    return Promise.resolve(x)
  } catch (e) {
    return Promise.reject(e)
  }
}

/**
 * The `ctx` of one run. A class so the per-run cost is one small object; the AbortController
 * is made only when someone reads `signal` or the run turns out async.
 */
class RunContext implements RunCtx {
  // `declare`d and assigned in the constructor, all seven: class fields are defined
  // (DefineOwnProperty, through a separate initializer V8 may not inline), and one
  // RunContext is made per run, the one allocation of a hop.
  declare controller: AbortController | undefined
  declare private ids: StoreId[] | undefined
  declare private readonly scheduler: Scheduler
  declare private readonly node: CallbackNode
  declare readonly stamp: number
  declare private readonly from: number
  declare private readonly to: number
  constructor(scheduler: Scheduler, node: CallbackNode, stamp: number, from: number, to: number) {
    this.scheduler = scheduler
    this.node = node
    this.stamp = stamp
    this.from = from
    this.to = to
    this.controller = undefined
    this.ids = undefined
  }

  get triggered(): readonly StoreId[] {
    return (this.ids ??= triggeredIds(this.node, this.from, this.to))
  }
  get match(): IdObject | undefined {
    return this.node.pattern?.match
  }
  get callbackId(): string {
    return this.node.id
  }
  get timeoutMs(): number | undefined {
    return this.node.timeoutMs
  }
  get hardCancel(): boolean {
    return this.node.hardCancel
  }
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal
  }
  /** Stale once superseded or the board is disposed: its side effects are dropped. */
  private get stale(): boolean {
    return this.node.stamp !== this.stamp || this.scheduler.disposed || !!this.controller?.signal.aborted
  }
  progress(fraction: number, note?: string): void {
    if (this.stale) return
    const f = Math.min(1, Math.max(0, Number(fraction) || 0))
    this.node.progress = { fraction: f, note }
    this.scheduler.touch(this.node)
    this.scheduler.host.status(this.node)
    this.scheduler.publishSoon()
  }
  set(ref: { readonly id: string } | StoreId, value: unknown): void {
    if (this.stale) return
    this.scheduler.write(this.scheduler.host.storeOf(ref), value, this.node)
  }
  reportBytes(bytesIn: number, bytesOut: number): void {
    this.node.stats.bytesIn += bytesIn
    this.node.stats.bytesOut += bytesOut
  }
}
