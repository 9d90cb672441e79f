/**
 * Store ids that are objects (`{ type: 'item', index: 3 }`), the wildcards that match
 * families of them (`ALL`, `MATCH`, `ALLSMALLER`, after Dash's pattern-matching callbacks),
 * and the one canonical string that names an object id everywhere a string is needed:
 * persisted keys, `inspect()`, errors, `store.id`.
 *
 * This file is part of the up-front core (an object id is as cheap as a string id); what
 * a wildcard sets in motion (families, instances) is pattern.ts.
 */
import { GraphError } from '../errors'
import type { IdObject, Pattern, Wildcard } from './id-types'
import type { CallbackNode, PatternPart, StoreNode } from './store'
import type { Topology } from './topology'
import type { CacheOptions, CallbackStatus, FamilyInfo } from './types'

export type { IdObject, Pattern, StoreId, Wildcard } from './id-types'

const wildcardNames = new Map<unknown, string>(
  ['ALL', 'MATCH', 'ALLSMALLER'].map((name) => [Symbol.for(`switchboard.${name}`), name]),
)

export function isWildcard(v: unknown): v is Wildcard {
  return wildcardNames.has(v)
}

/** A plain object given where a store is named (not a Store, not a string): an object id or a pattern. */
export function isIdLike(x: unknown): x is Pattern {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/** Does this object id or pattern hold a wildcard? */
export function hasWildcard(p: Pattern): boolean {
  for (const k of Object.keys(p)) if (isWildcard(p[k])) return true
  return false
}

/**
 * The canonical string of an object id or pattern: keys sorted, JSON; a wildcard is written
 * bare (`{"index":ALL,"type":"item"}`), which no object id's canonical form can contain.
 * Throws GraphError('bad-definition') for anything that is not an object of string keys
 * and string, finite number (or, in a pattern, wildcard) values, naming `where`.
 */
export function canonicalId(p: Pattern, where = 'a store id'): string {
  const keys = Object.keys(p)
  if (keys.length === 0 || Object.getOwnPropertySymbols(p).length)
    throw new GraphError('bad-definition', `${where} is an object id without string keys; it needs at least one.`)
  keys.sort()
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    const v = p[k]
    let text: string
    if (typeof v === 'string') text = JSON.stringify(v)
    else if (typeof v === 'number' && Number.isFinite(v)) text = Object.is(v, -0) ? '0' : String(v)
    else if (wildcardNames.has(v)) text = wildcardNames.get(v)!
    else
      throw new GraphError(
        'bad-definition',
        `${where} has key "${k}" whose value is not a string or a finite number (got ${typeof v}).`,
      )
    out += `${i ? ',' : ''}${JSON.stringify(k)}:${text}`
  }
  return `${out}}`
}

/**
 * The object id a string names, when the string is an object id's canonical form
 * (`'{"index":3,"type":"item"}'`): then the string and the object name the same store.
 */
export function parseCanonical(id: string): IdObject | undefined {
  if (id.charCodeAt(0) !== 123 /* { */) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(id)
  } catch {
    return undefined
  }
  if (!isIdLike(parsed)) return undefined
  try {
    return canonicalId(parsed) === id ? frozenId(parsed as IdObject) : undefined
  } catch {
    return undefined
  }
}

/** A frozen copy of an object id (the caller's object may change later; ours does not). */
export function frozenId(p: IdObject): IdObject {
  const copy: Record<string, string | number> = {}
  // defineProperty: a key "__proto__" stays an own key instead of setting the prototype.
  for (const k of Object.keys(p).sort())
    Object.defineProperty(copy, k, { value: Object.is(p[k], -0) ? 0 : p[k], enumerable: true })
  return Object.freeze(copy)
}

// ---- the pattern engine's seam ------------------------------------------------------------

/**
 * A board's pattern callbacks (pattern.ts), made on its first wildcard. The engine's code
 * is installed by the wildcards themselves (pattern.ts): a page that never imports `ALL`,
 * `MATCH` or `ALLSMALLER` never loads it.
 */
export interface Patterns {
  /** Defines a callback whose slots hold wildcards, with the id the board gave it. */
  define(o: PatternCallbackOptions, id: string): void
  /** A store was created: it joins families and may complete instances. Throws GraphError('cycle') (undone). */
  added(store: StoreNode): void
  /** Stores created after start have their persisted values (or none): what waited for them runs. */
  restored(stores: readonly StoreNode[]): void
  /** A store is being removed: it leaves families; the instances it completed go. */
  removing(store: StoreNode): void
  /** Does a pattern callback name this store explicitly (not through a pattern)? */
  names(store: StoreNode): string | undefined
  /** A plain callback's outputs against the families' output patterns: GraphError('duplicate-output'). */
  checkOutputs(id: string, outputs: readonly StoreNode[]): void
  /** Each family for inspect(), its instances' figures added up (`one`: an instance's status). */
  families(one: (node: CallbackNode) => CallbackStatus): FamilyInfo[]
  /** A family's instances added up, as board.status(familyId) gives them; undefined for another id. */
  status(id: string, one: (node: CallbackNode) => CallbackStatus): CallbackStatus | undefined
  /** The family and matched values of an instance node, for inspect(). */
  instanceOf(node: CallbackNode): { family: string; match: IdObject } | undefined
}

/** The callback options pattern.ts reads (CallbackOptions, loosely typed). */
export interface PatternCallbackOptions {
  inputs: readonly unknown[]
  state?: readonly unknown[] | undefined
  outputs: unknown
  run: (...args: unknown[]) => unknown
  preventInitialCall?: boolean | undefined
  allowDuplicate?: boolean | undefined
  cache?: CacheOptions | undefined
  timeoutMs?: number | undefined
  hardCancel?: boolean | undefined
}

/** What the engine sees of its board. */
export interface PatternHost {
  readonly name: string
  /** Every store, in creation order. */
  readonly stores: ReadonlyMap<string, StoreNode>
  started(): boolean
  /** A store named explicitly (a Store, a string or an object id without wildcards). */
  storeOf(ref: unknown, where: string): StoreNode
  /** A new callback node, not yet in the graph. */
  node(
    id: string,
    o: PatternCallbackOptions,
    parts: { inputs: StoreNode[]; state: StoreNode[]; outputs: StoreNode[]; single: boolean; pattern: PatternPart },
  ): CallbackNode
  /** Puts a node in the graph (links, ranks), unmarked. */
  attach(node: CallbackNode): void
  /** Its initial call, once started (unless preventInitialCall, or all its stores were restored). */
  initial(node: CallbackNode): void
  /** Takes a node out of the graph: aborted, unmarked, unlinked, its error forgotten. */
  detach(node: CallbackNode): void
  /** Links changed under existing nodes: recompute ranks before the next wave. */
  invalidate(): void
  /** A change of `node`'s input (a store joined or left an ALL input): marks it when started. */
  mark(node: CallbackNode): void
  /** The next write sequence number (ctx.triggered of a store added or removed). */
  nextSeq(): number
  /** Runs what was marked, unless a batch or a drain is under way. */
  flush(): void
}

/**
 * What only the board can hand the engine (its private callback map, ranking and node
 * factory); pattern.ts makes the rest of its PatternHost from it, so that code loads
 * with the engine.
 */
export interface PatternSide {
  readonly board: {
    readonly name: string
    readonly stores: ReadonlyMap<string, StoreNode>
    readonly errors: Map<string, unknown>
    readonly scheduler: {
      readonly started: boolean
      readonly draining: boolean
      seq: number
      touch(node: CallbackNode): void
      mark(node: CallbackNode): void
      drop(node: CallbackNode): void
      flush(): void
      publishSoon(): void
    }
  }
  readonly byId: Map<string, CallbackNode>
  readonly topology: Pick<Topology, 'add' | 'remove' | 'ensureRanks' | 'invalidate'>
  storeOf(ref: unknown, where: string): StoreNode
  node: PatternHost['node']
}

/** The engine's factory, installed by pattern.ts when a wildcard is first evaluated. */
export const patternEngine: { make?: (side: PatternSide) => Patterns } = {}
