/**
 * Pattern callbacks (Dash's ALL / MATCH / ALLSMALLER): a callback whose slots name families
 * of stores by object ids with wildcards, over a graph that grows and shrinks.
 *
 * The idea: a pattern callback (a FAMILY) is never a node of the graph itself. Its
 * INSTANCES are, each an ordinary callback node with concrete stores, so every scheduling
 * guarantee (at most once per wave, after its upstream; supersession; the initial wave;
 * cycles) holds for instances because it holds for nodes:
 *
 *   - without MATCH, a family has one instance (its id is the family's), whose ALL slots
 *     grow and shrink as matching stores come and go;
 *   - with MATCH, one instance per matched value (`fam[{"index":3}]`), made when the last
 *     of its scalar stores (inputs, state, outputs without ALL) is created, and dropped
 *     when one of them is removed.
 *
 *     {item,1} ──► [fam[{index:1}]] ──► {out,1} ──┐
 *     {item,2} ──► [fam[{index:2}]] ──► {out,2} ──┼──► [total]  (reads {out, index: ALL})
 *     {item,3} ──► [fam[{index:3}]] ──► {out,3} ──┘
 *
 * An instance costs one node while it exists and nothing per wave unless its stores change:
 * a change to {item,2} marks fam[{index:2}] alone, as any input marks its readers.
 *
 * Changes of shape (a store created or removed) are planned, linked, checked for a cycle
 * and only then marked: a store that would close a cycle is undone and refused, so the
 * graph stays acyclic and the scheduler never meets a loop.
 */
import { GraphError } from '../errors'
import type { AllSmallerWildcard, AllWildcard, MatchWildcard } from './id-types'
import {
  canonicalId,
  type IdObject,
  isIdLike,
  isWildcard,
  type Pattern,
  type PatternCallbackOptions,
  type PatternHost,
  type PatternSide,
  type Patterns,
  patternEngine,
  type StoreId,
} from './ids'
import type { CallbackNode, PatternPart, StoreNode } from './store'
import type { CallbackStatus, FamilyInfo, Stats } from './types'

/** Evaluating a wildcard installs the engine: a page that never imports one never loads it. */
function install<T>(w: T): T {
  patternEngine.make ??= (side) => new Engine(hostOf(side))
  return w
}

/** The engine's view of its board, made from what the board hands over (ids.ts PatternSide). */
function hostOf({ board, byId, topology, storeOf, node }: PatternSide): PatternHost {
  const scheduler = board.scheduler
  // Ranks are unique even while stale (topology.ts), so marking is safe; the drain makes
  // them current before it runs anything, unless it is running already.
  const mark = (n: CallbackNode) => {
    if (scheduler.draining) topology.ensureRanks()
    scheduler.mark(n)
  }
  return {
    name: board.name,
    stores: board.stores,
    started: () => scheduler.started,
    storeOf,
    node,
    attach: (n) => {
      byId.set(n.id, n)
      topology.add(n)
      scheduler.touch(n)
    },
    initial: (n) => {
      if (scheduler.started && !n.preventInitialCall && !allRestored(n)) mark(n)
    },
    detach: (n) => {
      scheduler.drop(n)
      topology.remove(n)
      byId.delete(n.id)
      board.errors.delete(n.id)
    },
    invalidate: () => topology.invalidate(),
    mark: (n) => {
      if (scheduler.started) mark(n)
    },
    nextSeq: () => ++scheduler.seq,
    flush: () => (scheduler.started ? scheduler.flush() : scheduler.publishSoon()),
  }
}

/** Every store of a node was restored from storage: no initial call (guarantee 4, per instance). */
function allRestored(n: CallbackNode): boolean {
  if (!n.outputs.length) return false
  for (const list of [n.inputs, n.state, n.outputs]) for (const s of list) if (!s.restored) return false
  return true
}

/**
 * In a pattern: every matching store. `run` gets their values as an array, in the order
 * the stores were created (`[]` when none); a store added or removed is a change.
 * @example
 * board.callback({ inputs: [{ type: 'qty', index: ALL }], outputs: [total], run: (qs) => qs.reduce((a, b) => a + b, 0) })
 */
export const ALL: AllWildcard = /* @__PURE__ */ install(Symbol.for('switchboard.ALL') as AllWildcard)
/**
 * In a pattern: one run (an instance) per value of this key, for the instances whose stores
 * changed; `ctx.match` holds the value. Every output uses MATCH on the same keys.
 * @example
 * board.callback({ inputs: [{ type: 'qty', index: MATCH }], outputs: [{ type: 'cost', index: MATCH }], run: (q) => q * 9.5 })
 */
export const MATCH: MatchWildcard = /* @__PURE__ */ install(Symbol.for('switchboard.MATCH') as MatchWildcard)
/**
 * In an input or state pattern, with MATCH on the same key elsewhere in the callback: the
 * values of the stores whose key value is smaller than the instance's, ascending.
 * @example
 * board.callback({ inputs: [{ t: 'n', i: ALLSMALLER }, { t: 'n', i: MATCH }], outputs: [{ t: 'sum', i: MATCH }], run: (before, n) => before.reduce((a, b) => a + b, n) })
 */
export const ALLSMALLER: AllSmallerWildcard = /* @__PURE__ */ install(
  Symbol.for('switchboard.ALLSMALLER') as AllSmallerWildcard,
)

type Role = 'input' | 'state' | 'output'

/** One entry of a callback's inputs, state or outputs. */
interface Slot {
  readonly role: Role
  /** An explicit store (no wildcard). */
  readonly store: StoreNode | undefined
  /** A pattern: its canonical text (wildcards bare), for messages and inspect(). */
  readonly text: string
  /** Its keys, sorted and joined: only stores of the same shape can match. */
  readonly shape: string
  readonly fixed: ReadonlyArray<readonly [string, string | number]>
  readonly match: readonly string[]
  readonly all: readonly string[]
  readonly smaller: string | undefined
  /** ALL or ALLSMALLER: the slot is an array of stores (possibly empty). */
  readonly array: boolean
}

/** A store's keys as a shape key (sorted: Object.keys puts integer-like keys first). */
function shapeOf(id: Pattern): string {
  return JSON.stringify(Object.keys(id).sort())
}

function slotOf(ref: unknown, role: Role, host: PatternHost, where: string): Slot {
  if (!isIdLike(ref) || !Object.values(ref).some(isWildcard)) {
    const store = host.storeOf(ref, where)
    return { role, store, text: store.id, shape: '', fixed: [], match: [], all: [], smaller: undefined, array: false }
  }
  const text = canonicalId(ref, where)
  const fixed: Array<readonly [string, string | number]> = []
  const match: string[] = []
  const all: string[] = []
  const smaller: string[] = []
  for (const k of Object.keys(ref).sort()) {
    const v = ref[k]!
    if (v === MATCH) match.push(k)
    else if (v === ALL) all.push(k)
    else if (v === ALLSMALLER) smaller.push(k)
    else fixed.push([k, v as string | number])
  }
  if (smaller.length > 1) badPattern(`${where} ${text} uses ALLSMALLER on more than one key`)
  if (role === 'output' && smaller.length)
    badPattern(`${where} ${text} uses ALLSMALLER, which only inputs and state can`)
  return {
    role,
    store: undefined,
    text,
    shape: shapeOf(ref),
    fixed,
    match,
    all,
    smaller: smaller[0],
    array: all.length > 0 || smaller.length > 0,
  }
}

function badPattern(message: string): never {
  throw new GraphError('bad-pattern', `${message}.`)
}

/** Does store `s` (of the slot's shape) have the slot's fixed values? `3` and `'3'` differ. */
function fits(slot: Slot, id: IdObject): boolean {
  for (const [k, v] of slot.fixed) if (id[k] !== v) return false
  return true
}

/** Is `a` smaller than `b` (ALLSMALLER)? Numbers by value, strings by code units, numbers before strings. */
function smallerThan(a: string | number, b: string | number): boolean {
  return typeof a === typeof b ? a < b : typeof a === 'number'
}

/** Two output slots that some store id could match both. */
function overlap(p: Slot, q: Slot): boolean {
  if (p.store || q.store) {
    const [s, other] = p.store ? [p.store, q] : [q.store!, p]
    if (other.store) return other.store === s
    return !!s.objectId && shapeOf(s.objectId) === other.shape && admits(other, s.objectId)
  }
  if (p.shape !== q.shape) return false
  const fq = new Map(q.fixed)
  for (const [k, v] of p.fixed) if (fq.has(k) && fq.get(k) !== v) return false
  return true
}

/** Could this id be one of the slot's stores (fixed values equal; wildcards take anything)? */
function admits(slot: Slot, id: IdObject): boolean {
  return fits(slot, id)
}

// ---- families and instances -----------------------------------------------------------------

class Family {
  readonly instances = new Map<string, Instance>()
  constructor(
    readonly id: string,
    readonly o: PatternCallbackOptions,
    readonly slots: readonly Slot[],
    /** The matched keys (MATCH or ALLSMALLER in inputs and state), sorted; empty without MATCH. */
    readonly keys: readonly string[],
    /** A scalar pattern slot with MATCH on every matched key: its stores enumerate the instances. */
    readonly driver: Slot | undefined,
    /** Several outputs, or an ALL output: `run` returns one value per slot, spread to stores. */
    readonly spreads: boolean,
  ) {}

  /** The store a scalar slot names for matched values `m`, if it exists. */
  resolve(slot: Slot, m: IdObject | undefined, host: PatternHost): StoreNode | undefined {
    if (slot.store) return slot.store
    const id: Record<string, string | number> = {}
    for (const [k, v] of slot.fixed) Object.defineProperty(id, k, { value: v, enumerable: true })
    for (const k of slot.match) Object.defineProperty(id, k, { value: m![k], enumerable: true })
    return host.stores.get(canonicalId(id))
  }

  /** Does store id `id` belong in array slot `slot` of the instance matched by `m`? */
  joins(slot: Slot, id: IdObject, m: IdObject | undefined): boolean {
    if (!fits(slot, id)) return false
    for (const k of slot.match) if (id[k] !== m![k]) return false
    if (slot.smaller !== undefined) {
      const v = id[slot.smaller]!
      const mine = m![slot.smaller]!
      if (!smallerThan(v, mine)) return false
    }
    return true
  }
}

/** One instance: an ordinary callback node whose slots the family fills. */
class Instance implements PatternPart {
  node!: CallbackNode
  /** Stores that left an ALL input: id, write sequence of their removal, canonical string (ctx.triggered). */
  removed: Array<readonly [StoreId, number, string]> = []
  readonly spread: ((result: unknown) => unknown) | undefined
  constructor(
    readonly family: Family,
    readonly match: IdObject | undefined,
    /** The stores of each slot, in slot order: one for a scalar slot, the members for an array slot. */
    readonly members: StoreNode[][],
  ) {
    this.spread = family.spreads ? (r) => this.#spread(r) : undefined
  }

  fill(args: unknown[]): number {
    let k = 0
    const slots = this.family.slots
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!
      if (slot.role === 'output') continue
      const list = this.members[i]!
      args[k++] = slot.array ? list.map((s) => s.value) : list[0]!.value
    }
    return k
  }

  triggered(from: number, to: number): StoreId[] {
    const out: StoreId[] = []
    // Each id once, by its canonical string: a store removed and created again in one wave
    // (two store objects, one id) is named once, as an input listed twice is.
    const named = new Set<string>()
    const slots = this.family.slots
    for (let i = 0; i < slots.length; i++) {
      if (slots[i]!.role !== 'input') continue
      for (const s of this.members[i]!) {
        if (s.seq > from && s.seq <= to && !named.has(s.id)) {
          named.add(s.id)
          out.push(s.objectId ?? s.id)
        }
      }
    }
    // Older removals were seen by an earlier run: forget them.
    this.removed = this.removed.filter(([, seq]) => seq > from)
    for (const [id, seq, key] of this.removed)
      if (seq <= to && !named.has(key)) {
        named.add(key)
        out.push(id)
      }
    return out
  }

  /** The result by output slot, as one value per output store. */
  #spread(result: unknown): unknown {
    const outs = this.family.slots.filter((s) => s.role === 'output')
    const bySlot = outs.length === 1 ? [result] : result
    if (!Array.isArray(bySlot) || bySlot.length !== outs.length)
      throw new TypeError(
        `callback "${this.node.id}" has ${outs.length} outputs and must return an array of ${outs.length}.`,
      )
    const flat: unknown[] = []
    let o = 0
    this.family.slots.forEach((slot, i) => {
      if (slot.role !== 'output') return
      const v = bySlot[o++]
      const stores = this.members[i]!
      if (!slot.array) return void flat.push(v)
      if (v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v))) {
        // noUpdate for the whole slot leaves every store of it alone.
        for (let j = 0; j < stores.length; j++) flat.push(v)
        return
      }
      if (!Array.isArray(v) || v.length !== stores.length)
        throw new TypeError(
          `callback "${this.node.id}" output ${slot.text} has ${stores.length} stores and must return an array of ${stores.length}.`,
        )
      flat.push(...v)
    })
    return flat
  }

  /** The node's flat inputs, state and outputs from the members (after a store joined or left). */
  flatten(): void {
    const n = this.node as { inputs: StoreNode[]; state: StoreNode[]; outputs: StoreNode[] }
    n.inputs.length = n.state.length = n.outputs.length = 0
    this.family.slots.forEach((slot, i) => {
      const into = slot.role === 'input' ? n.inputs : slot.role === 'state' ? n.state : n.outputs
      for (const s of this.members[i]!) into.push(s)
    })
  }
}

/** The list of `store` that holds the nodes reading it in `role`. */
function linksOf(store: StoreNode, role: Role): CallbackNode[] {
  return role === 'input' ? store.readers : role === 'state' ? store.stateReaders : store.writers
}

class Engine implements Patterns {
  readonly #families = new Map<string, Family>()
  /** Object-id stores by shape, each Set in creation order (ALL's order). */
  readonly #byShape = new Map<string, Set<StoreNode>>()
  /** The instances each store belongs to (removal touches only these). */
  readonly #memberOf = new Map<StoreNode, Set<Instance>>()
  /** Persisted stores still being restored: the ALL inputs they joined, marked once restored. */
  readonly #late = new Map<StoreNode, CallbackNode[]>()
  /** Instances whose initial call waits for a store being restored ("all restored" per instance). */
  readonly #waiting = new Set<Instance>()

  constructor(readonly host: PatternHost) {
    for (const s of host.stores.values()) if (s.objectId) this.#shelve(s)
  }

  #shelve(s: StoreNode): string {
    const shape = shapeOf(s.objectId!)
    let set = this.#byShape.get(shape)
    if (!set) this.#byShape.set(shape, (set = new Set()))
    set.add(s)
    return shape
  }

  // ---- define ----

  define(o: PatternCallbackOptions, id: string): void {
    const host = this.host
    const label = `callback "${id}"`
    if (o.cache?.key)
      throw new GraphError('bad-definition', `${label} uses patterns; cache.key is not supported on pattern callbacks.`)
    const outputs = Array.isArray(o.outputs) ? (o.outputs as unknown[]) : [o.outputs]
    const slots = [
      ...o.inputs.map((r) => slotOf(r, 'input', host, `${label} input`)),
      ...(o.state ?? []).map((r) => slotOf(r, 'state', host, `${label} state`)),
      ...outputs.map((r) => slotOf(r, 'output', host, `${label} output`)),
    ]
    const reads = slots.filter((s) => s.role !== 'output')
    const outs = slots.filter((s) => s.role === 'output')
    const keys = [...new Set(reads.flatMap((s) => [...s.match, ...(s.smaller ? [s.smaller] : [])]))].sort()
    const matched = new Set(slots.flatMap((s) => s.match))
    for (const s of reads)
      if (s.smaller !== undefined && !slots.some((t) => t !== s && t.match.includes(s.smaller!)))
        badPattern(`${label}: ${s.text} uses ALLSMALLER on "${s.smaller}" without MATCH on that key elsewhere`)
    let driver: Slot | undefined
    if (keys.length || matched.size) {
      const want = keys.join()
      for (const s of outs) {
        if (s.store) badPattern(`${label} uses MATCH, so every output must be a pattern using MATCH; ${s.text} is not`)
        if (s.array || s.match.join() !== want)
          badPattern(
            `${label}: output ${s.text} must use MATCH, and only MATCH, on exactly the keys its inputs and state match (${keys.join(', ') || 'none'})`,
          )
      }
      driver = outs[0] ?? reads.find((s) => !s.store && !s.array && s.match.join() === want)
      if (!driver)
        badPattern(`${label} needs an output, or an input or state, using MATCH on every matched key (${want})`)
    }
    const family = new Family(id, o, slots, keys, driver, outs.length !== 1 || outs.some((s) => s.array))
    if (!o.allowDuplicate) this.#checkFamilyOutputs(family)
    this.#families.set(id, family)

    // The instances the existing stores make, checked for a cycle before any is marked.
    const made: Instance[] = []
    try {
      if (!driver) this.#instance(family, undefined, made)
      else
        for (const s of this.#byShape.get(driver.shape) ?? []) {
          if (!fits(driver, s.objectId!)) continue
          this.#instance(family, this.#matchOf(family, s.objectId!), made)
        }
      this.#refuseCycle(
        made.map((i) => i.node),
        `${label} closes a cycle`,
      )
    } catch (e) {
      for (const inst of made) this.#drop(inst)
      this.#families.delete(id)
      throw e
    }
    for (const inst of made) this.#start(inst)
    host.flush()
  }

  /** The matched values of store id `id` (which has every matched key). */
  #matchOf(f: Family, id: IdObject): IdObject {
    const m: Record<string, string | number> = {}
    for (const k of f.keys) Object.defineProperty(m, k, { value: id[k], enumerable: true })
    return Object.freeze(m)
  }

  /**
   * Makes the instance for `m` if it does not exist and all its scalar stores do: linked,
   * not yet marked. Pushes it on `made`.
   */
  #instance(f: Family, m: IdObject | undefined, made: Instance[]): void {
    const key = m ? canonicalId(m) : ''
    if (f.instances.has(key)) return
    const members: StoreNode[][] = []
    for (const slot of f.slots) {
      if (!slot.array) {
        const s = f.resolve(slot, m, this.host)
        if (!s) return
        members.push([s])
        continue
      }
      const list: StoreNode[] = []
      for (const s of this.#byShape.get(slot.shape) ?? []) if (f.joins(slot, s.objectId!, m)) list.push(s)
      if (slot.smaller !== undefined) list.sort(bySmaller(slot.smaller))
      members.push(list)
    }
    const inst = new Instance(f, m, members)
    const id = m ? `${f.id}[${key}]` : f.id
    const o = f.o.cache && f.o.cache.id === undefined ? { ...f.o, cache: { ...f.o.cache, id: f.id } } : f.o
    inst.node = this.host.node(id, o, { inputs: [], state: [], outputs: [], single: !f.spreads, pattern: inst })
    inst.flatten()
    f.instances.set(key, inst)
    for (const list of members) for (const s of list) this.#member(s).add(inst)
    this.host.attach(inst.node)
    made.push(inst)
  }

  #member(s: StoreNode): Set<Instance> {
    let set = this.#memberOf.get(s)
    if (!set) this.#memberOf.set(s, (set = new Set()))
    return set
  }

  /** A made instance gets its initial call (unless preventInitialCall or all restored), once none of its stores is being restored. */
  #start(inst: Instance): void {
    if (inst.members.some((list) => list.some((s) => s.restoring))) this.#waiting.add(inst)
    else this.host.initial(inst.node)
  }

  restored(stores: readonly StoreNode[]): void {
    for (const s of stores) this.#released(s)
    for (const inst of this.#waiting) {
      if (inst.members.some((list) => list.some((x) => x.restoring))) continue
      this.#waiting.delete(inst)
      this.host.initial(inst.node)
    }
    this.host.flush()
  }

  /** The ALL inputs `s` joined while it was being restored: a change now, unless a reload's. */
  #released(s: StoreNode): void {
    const marks = this.#late.get(s)
    this.#late.delete(s)
    if (marks?.length) {
      s.seq = this.host.nextSeq()
      for (const node of marks) {
        const inst = node.pattern as Instance
        if (inst.family.instances.get(inst.match ? canonicalId(inst.match) : '') !== inst) continue
        // A reload: a restored member joins a reader that has not run on this page and whose
        // outputs were restored too: those outputs were computed with it. No storm.
        if (s.restored && node.stamp === 0 && node.outputs.length && node.outputs.every((o) => o.restored)) continue
        this.host.mark(node)
      }
    }
  }

  /** Takes an instance out of its family and the graph. */
  #drop(inst: Instance): void {
    const f = inst.family
    f.instances.delete(inst.match ? canonicalId(inst.match) : '')
    this.#waiting.delete(inst)
    for (const list of inst.members) for (const s of list) this.#memberOf.get(s)?.delete(inst)
    this.host.detach(inst.node)
  }

  // ---- stores come and go ----

  added(s: StoreNode): void {
    const id = s.objectId!
    const shape = this.#shelve(s)
    const joined: Array<readonly [Instance, number]> = []
    const made: Instance[] = []
    try {
      // ALL / ALLSMALLER slots of existing instances first; then the instances it completes
      // (which find it in their array slots by themselves).
      for (const f of this.#families.values()) {
        f.slots.forEach((slot, i) => {
          if (!slot.array || slot.shape !== shape || !fits(slot, id)) return
          for (const inst of f.instances.values()) {
            if (!f.joins(slot, id, inst.match)) continue
            this.#join(inst, i, s)
            joined.push([inst, i])
          }
        })
      }
      for (const f of this.#families.values()) {
        for (const slot of f.slots) {
          if (slot.array || slot.store || slot.shape !== shape || !fits(slot, id)) continue
          const driver = f.driver!
          if (slot.match.length === f.keys.length) this.#instance(f, this.#matchOf(f, id), made)
          else
            for (const d of this.#byShape.get(driver.shape) ?? []) {
              const did = d.objectId!
              if (fits(driver, did) && slot.match.every((k) => did[k] === id[k]))
                this.#instance(f, this.#matchOf(f, did), made)
            }
        }
      }
      this.#refuseCycle(
        [...made.map((i) => i.node), ...joined.map(([i]) => i.node)],
        `store ${s.id} would close a cycle`,
      )
    } catch (e) {
      for (const inst of made) this.#drop(inst)
      for (const [inst, i] of joined) this.#leave(inst, i, s)
      this.#byShape.get(shape)!.delete(s)
      throw e
    }
    // A store joining an ALL input is a change of that input (it appears in ctx.triggered).
    // Being restored: the change comes when its value does.
    let stamped = false
    const late: CallbackNode[] = []
    for (const [inst, i] of joined) {
      if (inst.family.slots[i]!.role !== 'input') continue
      if (s.restoring) late.push(inst.node)
      else {
        if (!stamped) s.seq = this.host.nextSeq()
        stamped = true
        this.host.mark(inst.node)
      }
    }
    if (late.length) this.#late.set(s, late)
    for (const inst of made) this.#start(inst)
    this.host.flush()
  }

  removing(s: StoreNode): void {
    this.#late.delete(s)
    this.#byShape.get(shapeOf(s.objectId ?? {}))?.delete(s)
    const insts = this.#memberOf.get(s)
    this.#memberOf.delete(s)
    if (!insts) return
    let seq = 0
    for (const inst of insts) {
      const slots = inst.family.slots
      // A scalar store gone: the instance goes (its instance cannot run any more).
      if (slots.some((slot, i) => !slot.array && inst.members[i]![0] === s)) {
        this.#drop(inst)
        continue
      }
      let input = false
      slots.forEach((slot, i) => {
        if (!inst.members[i]!.includes(s)) return
        this.#leave(inst, i, s)
        if (slot.role === 'input') input = true
      })
      if (!input) continue
      inst.removed.push([s.objectId ?? s.id, (seq ||= this.host.nextSeq()), s.id])
      this.host.mark(inst.node)
    }
    this.host.flush()
  }

  /** Store `s` joins array slot `i` of `inst` (creation order for ALL, ascending for ALLSMALLER). */
  #join(inst: Instance, i: number, s: StoreNode): void {
    const slot = inst.family.slots[i]!
    const list = inst.members[i]!
    list.push(s)
    const node = inst.node
    // Appended to the last slot of its role (a summary's one ALL input): append to the
    // node's list too, instead of rebuilding it (a family of 1,000 would make that O(n²)).
    const slots = inst.family.slots
    if (slot.smaller === undefined && !slots.some((t, j) => j > i && t.role === slot.role)) {
      ;(slot.role === 'input' ? node.inputs : slot.role === 'state' ? node.state : node.outputs).push(s)
    } else {
      if (slot.smaller !== undefined) list.sort(bySmaller(slot.smaller))
      inst.flatten()
    }
    const links = linksOf(s, slot.role)
    if (!links.includes(node)) links.push(node)
    this.#member(s).add(inst)
    // The new edge may break the topological order of the ranks: only then recompute.
    const broken =
      slot.role === 'output'
        ? [...s.readers, ...s.stateReaders].some((r) => r !== node && r.rank <= node.rank)
        : s.writers.some((w) => w !== node && w.rank >= node.rank)
    if (broken) this.host.invalidate()
  }

  #leave(inst: Instance, i: number, s: StoreNode): void {
    const list = inst.members[i]!
    const at = list.indexOf(s)
    if (at >= 0) list.splice(at, 1)
    inst.flatten()
    const role = inst.family.slots[i]!.role
    const still = (
      role === 'input' ? inst.node.inputs : role === 'state' ? inst.node.state : inst.node.outputs
    ).includes(s)
    if (!still) {
      const links = linksOf(s, role)
      const j = links.indexOf(inst.node)
      if (j >= 0) links.splice(j, 1)
    }
    if (!inst.members.some((m) => m.includes(s))) this.#memberOf.get(s)?.delete(inst)
  }

  // ---- checks ----

  /**
   * Guarantee 5 for a graph that changes shape: is any of `nodes` (just made or just given
   * a new store) on a loop? The graph was acyclic before, so every new loop passes through
   * one of them. A node reading its own output is no loop (its own write does not re-run it).
   */
  #refuseCycle(nodes: readonly CallbackNode[], what: string): void {
    for (const start of new Set(nodes)) {
      const seen = new Set<CallbackNode>()
      const path: StoreNode[] = []
      const visit = (n: CallbackNode): boolean => {
        for (const o of n.outputs) {
          path.push(o)
          for (const r of [...o.readers, ...o.stateReaders]) {
            if (r === n) continue
            if (r === start) return true
            if (seen.has(r)) continue
            seen.add(r)
            if (visit(r)) return true
          }
          path.pop()
        }
        return false
      }
      if (visit(start)) {
        const ids = path.map((s) => s.id)
        throw new GraphError('cycle', `${what}: ${[...ids, ids[0]].join(' → ')}.`)
      }
    }
  }

  /** Overlapping outputs (guarantee 5a): a family's outputs against every other writer. */
  #checkFamilyOutputs(f: Family): void {
    for (const slot of f.slots) {
      if (slot.role !== 'output') continue
      for (const g of this.#families.values()) {
        for (const other of g.slots)
          if (other.role === 'output' && !g.o.allowDuplicate && overlap(slot, other))
            duplicate(g.id, other.text, f.id, slot.text)
      }
      // Plain callbacks writing a store this slot matches (or the explicit store itself).
      const candidates = slot.store ? [slot.store] : (this.#byShape.get(slot.shape) ?? [])
      for (const s of candidates) {
        if (!slot.store && !fits(slot, s.objectId!)) continue
        const w = s.writers.find((n) => !n.pattern)
        if (w) duplicate(w.id, s.id, f.id, slot.text)
      }
    }
  }

  checkOutputs(id: string, outputs: readonly StoreNode[]): void {
    for (const s of outputs) {
      if (!s.objectId) continue
      const mine: Slot = { ...slotOf(s, 'output', this.host, ''), store: s }
      for (const g of this.#families.values())
        for (const other of g.slots)
          if (other.role === 'output' && !g.o.allowDuplicate && overlap(mine, other))
            duplicate(g.id, other.text, id, s.id)
    }
  }

  names(s: StoreNode): string | undefined {
    for (const f of this.#families.values()) if (f.slots.some((slot) => slot.store === s)) return f.id
    return undefined
  }

  // ---- inspect ----

  families(one: (node: CallbackNode) => CallbackStatus): FamilyInfo[] {
    return [...this.#families.values()].map((f) => {
      const texts = (role: Role) => f.slots.filter((s) => s.role === role).map((s) => s.text)
      const s = addUp(f, one)
      return {
        id: f.id,
        inputs: texts('input'),
        state: texts('state'),
        outputs: texts('output'),
        running: s.running,
        progress: s.progress && { ...s.progress },
        cached: !!f.o.cache,
        error: s.error?.message,
        stats: s.stats,
        instances: [...f.instances.values()].map((i) => i.node.id),
      }
    })
  }

  status(id: string, one: (node: CallbackNode) => CallbackStatus): CallbackStatus | undefined {
    const f = this.#families.get(id)
    return f && addUp(f, one)
  }

  instanceOf(node: CallbackNode): { family: string; match: IdObject } | undefined {
    const p = node.pattern
    if (!(p instanceof Instance)) return undefined
    return { family: p.family.id, match: p.match ?? {} }
  }
}

/**
 * A family's instances as one callback: running while one runs (with its progress), the
 * first error, runs, bytes and cache figures summed, last ms the longest of the latest
 * runs, mean weighted by runs. The one place this adding up is done (board.status,
 * inspect().families, and through them the Preact hooks, the dev panel and the testing
 * matchers).
 */
function addUp(f: Family, one: (node: CallbackNode) => CallbackStatus): CallbackStatus {
  const all = [...f.instances.values()].map((i) => one(i.node))
  const running = all.find((s) => s.running)
  const sum = (k: keyof Stats) => all.reduce((a, s) => a + s.stats[k], 0)
  const runs = sum('runs')
  return {
    running: !!running,
    progress: running?.progress ?? null,
    error: all.find((s) => s.error)?.error,
    stats: {
      runs,
      lastMs: all.reduce((a, s) => Math.max(a, s.stats.lastMs), 0),
      avgMs: runs ? all.reduce((a, s) => a + s.stats.avgMs * s.stats.runs, 0) / runs : 0,
      bytesIn: sum('bytesIn'),
      bytesOut: sum('bytesOut'),
      hits: sum('hits'),
      misses: sum('misses'),
      errors: sum('errors'),
    },
  }
}

function bySmaller(key: string): (a: StoreNode, b: StoreNode) => number {
  return (a, b) => {
    const x = a.objectId![key]!
    const y = b.objectId![key]!
    return smallerThan(x, y) ? -1 : smallerThan(y, x) ? 1 : 0
  }
}

function duplicate(a: string, aWhat: string, b: string, bWhat: string): never {
  throw new GraphError(
    'duplicate-output',
    `callbacks "${a}" and "${b}" both write ${aWhat === bWhat ? aWhat : `${aWhat} and ${bWhat}`}, which overlap (pass allowDuplicate: true to allow it).`,
  )
}
