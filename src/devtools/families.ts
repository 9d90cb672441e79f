/**
 * Families in the dev panel. A callback that names stores by pattern
 * (`{ type: 'item', index: MATCH }`) reads or writes a family of stores: every store whose
 * object id the pattern matches; with MATCH it runs as one instance per matched value. A
 * list of 1,000 items would be thousands of boxes; the panel draws each store family as
 * one box with its count, and each pattern callback as one box with its instance count,
 * and draws them one by one only for the families the user expands.
 *
 * This file only rewrites an inspection's shape (stores, callbacks, edges) before layout:
 * a folded store family becomes one pseudo-store whose id is the family's text, a folded
 * pattern callback one pseudo-callback with its instances' figures added up, and every
 * edge to a pattern, a member or an instance becomes an edge to that box (each edge
 * once). No DOM.
 */
import type { CallbackInfo, FamilyInfo, Inspection, StoreInfo } from '../graph/types'

/** A pattern callback as inspect() lists it: its slots (patterns) and its instances' ids. */
export type CallbackFamily = FamilyInfo

type Shape = Pick<Inspection, 'stores' | 'callbacks' | 'edges'> & { families?: readonly CallbackFamily[] }

/** One family: the stores a callback's pattern matches, whatever the wildcard. */
export interface Family {
  /** The family's text: the pattern with each wildcard written `*`, e.g. `{"index":*,"type":"item"}`. */
  id: string
  /** The keys fixed by the pattern and their values; the wildcard keys hold null. */
  keys: Record<string, string | number | null>
  /** Its stores' ids, in the order the board lists them (creation order). */
  members: string[]
  /** The callbacks' patterns it stands for, as inspect() writes them. */
  patterns: string[]
}

export interface Folded extends Pick<Inspection, 'stores' | 'callbacks' | 'edges'> {
  /** Store families (inspect()'s `families` are pattern callbacks; these are the stores they name). */
  storeFamilies: Family[]
  /** Pattern callbacks drawn folded (one box each), by id: their instance count. */
  folded: Map<string, number>
}

const wildcard = /:(ALL|MATCH|ALLSMALLER)(?=[,}])/g

/**
 * The keys of a pattern's canonical text (`{"index":MATCH,"type":"item"}`, wildcards bare,
 * as the board writes it), or undefined when the text is not a pattern.
 */
export function patternKeys(text: string): Record<string, string | number | null> | undefined {
  if (text.charCodeAt(0) !== 123 /* { */) return undefined
  wildcard.lastIndex = 0
  if (!wildcard.test(text)) return undefined
  try {
    const parsed = JSON.parse(text.replace(wildcard, ':null')) as unknown
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, string | number | null>)
      : undefined
  } catch {
    return undefined
  }
}

/** The object id a store id's canonical text stands for, or undefined for a plain string id. */
function objectId(id: string): Record<string, unknown> | undefined {
  if (id.charCodeAt(0) !== 123) return undefined
  try {
    const parsed = JSON.parse(id) as unknown
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function matches(keys: Record<string, string | number | null>, id: Record<string, unknown>): boolean {
  const names = Object.keys(keys)
  if (names.length !== Object.keys(id).length) return false
  for (const k of names) {
    if (!Object.hasOwn(id, k)) return false
    if (keys[k] !== null && keys[k] !== id[k]) return false
  }
  return true
}

/** The family text of a pattern's keys: sorted, JSON, wildcards as `*`. */
function familyId(keys: Record<string, string | number | null>): string {
  return `{${Object.keys(keys)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${keys[k] === null ? '*' : JSON.stringify(keys[k])}`)
    .join(',')}}`
}

/**
 * Folds every family not in `expanded` into one pseudo-store (id = the family's text,
 * storage of its first member, bytes summed). Families in `expanded` keep their stores, and
 * a pattern's edges go to each of them. Stores no pattern matches are left as they are.
 */
export function foldFamilies(shape: Shape, expanded: ReadonlySet<string> = new Set()): Folded {
  const { callbacks, folded: foldedCallbacks, callbackOf } = foldCallbacks(shape, expanded)
  const callbackEnd = (id: string) => callbackOf.get(id) ?? id
  // The families, from every pattern the callbacks name.
  const byPattern = new Map<string, Family>()
  const families: Family[] = []
  const named = [...shape.callbacks, ...(shape.families ?? [])].flatMap((c) => [...c.inputs, ...c.state, ...c.outputs])
  for (const text of [...named, ...shape.edges.flatMap((e) => [e.from, e.to])]) {
    if (byPattern.has(text)) continue
    const keys = patternKeys(text)
    if (!keys) continue
    const id = familyId(keys)
    let family = families.find((f) => f.id === id)
    if (!family) families.push((family = { id, keys, members: [], patterns: [] }))
    family.patterns.push(text)
    byPattern.set(text, family)
  }
  if (families.length === 0 && foldedCallbacks.size === 0)
    return {
      stores: shape.stores,
      callbacks: shape.callbacks,
      edges: shape.edges,
      storeFamilies: families,
      folded: foldedCallbacks,
    }

  // Each object-id store joins the first family whose pattern matches it.
  const familyOf = new Map<string, Family>()
  for (const s of shape.stores) {
    const id = objectId(s.id)
    if (!id) continue
    const family = families.find((f) => matches(f.keys, id))
    if (family) {
      family.members.push(s.id)
      familyOf.set(s.id, family)
    }
  }

  const folded = (f: Family) => !expanded.has(f.id)
  const stores: StoreInfo[] = []
  const pseudo = new Map<string, StoreInfo>()
  for (const s of shape.stores) {
    const f = familyOf.get(s.id)
    if (!f || !folded(f)) {
      stores.push(s)
      continue
    }
    const p = pseudo.get(f.id)
    if (p) p.bytes += s.bytes
    else {
      const box: StoreInfo = { ...s, id: f.id, bytes: s.bytes }
      delete box.handle
      pseudo.set(f.id, box)
      stores.push(box)
    }
  }
  // A family with no store yet is still drawn, folded, with 0 instances.
  for (const f of families)
    if (folded(f) && !pseudo.has(f.id)) {
      const box: StoreInfo = {
        id: f.id,
        storage: 'memory',
        codec: undefined,
        location: 'memory',
        bytes: 0,
        modifiedAt: undefined,
      }
      pseudo.set(f.id, box)
      stores.push(box)
    }

  // Edges: an end that is a pattern or a folded member becomes its family's box; a pattern
  // of an expanded family fans out to each member. Each edge once.
  const ends = (id: string): string[] => {
    const viaPattern = byPattern.get(id)
    if (viaPattern) return folded(viaPattern) ? [viaPattern.id] : viaPattern.members
    const member = familyOf.get(id)
    return member && folded(member) ? [member.id] : [id]
  }
  const seen = new Set<string>()
  const edges: Inspection['edges'] = []
  for (const e of shape.edges) {
    // inspect() edges run store → callback (input, state) and callback → store (output).
    const stores = ends(e.kind === 'output' ? e.to : e.from)
    for (const s of stores) {
      const edge =
        e.kind === 'output'
          ? { from: callbackEnd(e.from), to: s, kind: e.kind }
          : { from: s, to: callbackEnd(e.to), kind: e.kind }
      const key = `${edge.from}\u0002${edge.to}\u0002${edge.kind}`
      if (seen.has(key)) continue
      seen.add(key)
      edges.push(edge)
    }
  }
  return { stores, callbacks, edges, storeFamilies: families, folded: foldedCallbacks }
}

/** Each pattern callback not in `expanded` as one callback box in place of its instances (see familyInfo). */
function foldCallbacks(
  shape: Shape,
  expanded: ReadonlySet<string>,
): { callbacks: CallbackInfo[]; folded: Map<string, number>; callbackOf: Map<string, string> } {
  const folded = new Map<string, number>()
  const callbackOf = new Map<string, string>()
  const families = (shape.families ?? []).filter((f) => !expanded.has(f.id))
  if (families.length === 0) return { callbacks: shape.callbacks, folded, callbackOf }
  for (const f of families) for (const i of f.instances) callbackOf.set(i, f.id)
  const byId = new Map(shape.callbacks.map((c) => [c.id, c]))
  const boxes = new Map<string, CallbackInfo>()
  for (const f of families) {
    const instances = f.instances.map((i) => byId.get(i)).filter((c): c is CallbackInfo => c !== undefined)
    boxes.set(f.id, familyInfo(f))
    folded.set(f.id, instances.length)
  }
  // Each family's box where its first instance was, or at the end when it has none yet.
  const callbacks: CallbackInfo[] = []
  for (const c of shape.callbacks) {
    const f = callbackOf.get(c.id)
    if (f === undefined) callbacks.push(c)
    else if (boxes.has(f)) {
      callbacks.push(boxes.get(f)!)
      boxes.delete(f)
    }
  }
  callbacks.push(...boxes.values())
  return { callbacks, folded, callbackOf }
}

/**
 * A pattern callback as one callback: its slots are its patterns, its figures the ones the
 * board added up for it (`inspect().families`, as `board.status(familyId)`: running while
 * one instance runs, runs and cache figures summed...). switchboard/testing reads a pattern
 * callback's runs through this too.
 */
export function familyInfo(f: CallbackFamily): CallbackInfo {
  const { instances: _, ...info } = f
  return info
}
