/**
 * Where the dev panel draws each node of the callback graph. dagre ranks the graph left to
 * right (stores and callbacks alternate, as data flows) and routes the edges; this file
 * only turns `board.inspect()` into dagre's input and its output into plain boxes and
 * polylines the SVG can draw. No DOM here, so it is tested in Node.
 */
import dagre from '@dagrejs/dagre'
import type { Inspection } from '../graph/types'

export interface LaidNode {
  /** Prefixed key: a store and a callback may share an id ("total" and its callback). */
  key: string
  id: string
  kind: 'store' | 'callback'
  /** Centre of the box, as dagre gives it. */
  x: number
  y: number
  width: number
  height: number
}

export interface LaidEdge {
  from: string
  to: string
  kind: 'input' | 'state' | 'output'
  points: Array<{ x: number; y: number }>
}

export interface Layout {
  nodes: LaidNode[]
  edges: LaidEdge[]
  width: number
  height: number
}

/** Box sizes: callbacks carry three lines of figures, stores two. */
const sizes = {
  store: { width: 176, height: 52 },
  callback: { width: 224, height: 70 },
}

export const storeKey = (id: string): string => `s:${id}`
export const callbackKey = (id: string): string => `c:${id}`

/**
 * Lays out the graph of an inspection. Only the shape matters (ids and edges), so the
 * panel calls it again only when the graph changes, not on every status tick.
 */
export function layoutGraph(shape: Pick<Inspection, 'stores' | 'callbacks' | 'edges'>): Layout {
  const g = new dagre.graphlib.Graph<object, { width: number; height: number }, { kind: LaidEdge['kind'] }>({
    multigraph: true,
  })
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, edgesep: 12, marginx: 8, marginy: 8 })
  for (const s of shape.stores) g.setNode(storeKey(s.id), { ...sizes.store })
  for (const c of shape.callbacks) g.setNode(callbackKey(c.id), { ...sizes.callback })
  // inspect() edges name stores and callbacks by bare id; the kind says which end is which.
  const keyed = shape.edges.map((e, i) =>
    e.kind === 'output'
      ? { from: callbackKey(e.from), to: storeKey(e.to), kind: e.kind, name: `e${i}` }
      : { from: storeKey(e.from), to: callbackKey(e.to), kind: e.kind, name: `e${i}` },
  )
  for (const e of keyed) {
    if (!g.hasNode(e.from) || !g.hasNode(e.to)) continue
    // State edges do not trigger a run: a lighter weight lets dagre bend them first.
    g.setEdge(e.from, e.to, { kind: e.kind, weight: e.kind === 'state' ? 1 : 2 } as { kind: LaidEdge['kind'] }, e.name)
  }
  dagre.layout(g)

  const nodes: LaidNode[] = g.nodes().map((key) => {
    const n = g.node(key) as unknown as { x: number; y: number; width: number; height: number }
    const kind = key.startsWith('c:') ? 'callback' : 'store'
    return { key, id: key.slice(2), kind, x: n.x, y: n.y, width: n.width, height: n.height }
  })
  const edges: LaidEdge[] = g.edges().map((e) => {
    const label = g.edge(e) as unknown as { kind: LaidEdge['kind']; points?: Array<{ x: number; y: number }> }
    return { from: e.v, to: e.w, kind: label.kind, points: (label.points ?? []).map((p) => ({ x: p.x, y: p.y })) }
  })
  const graph = g.graph() as { width?: number; height?: number }
  return { nodes, edges, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) }
}

/** A stable string for the graph's shape: the panel lays out again only when it changes. */
export function shapeKey(shape: Pick<Inspection, 'stores' | 'callbacks' | 'edges'>): string {
  return [
    shape.stores.map((s) => s.id).join('\u0001'),
    shape.callbacks.map((c) => c.id).join('\u0001'),
    shape.edges.map((e) => `${e.from}\u0002${e.to}\u0002${e.kind}`).join('\u0001'),
  ].join('\u0000')
}
