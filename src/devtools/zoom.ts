/**
 * The graph's view: scale `k` and offset (`x`, `y`) in screen pixels, so a graph point p is
 * drawn at p·k + (x, y). Pure arithmetic, no DOM: the panel feeds it wheel, pinch, drag
 * and key events.
 */
export interface View {
  k: number
  x: number
  y: number
}

/** Node text (11 px) opens at least this large on screen: wider graphs are panned, not shrunk. */
const readable = 0.9
const kMin = 0.2
const kMax = 4
/** Space around the graph at the first view, in screen pixels. */
export const pad = 10

/**
 * The first view of a `graph` in a `box`: the whole graph when it fits at a readable scale
 * (never above 1:1), else its top left corner at that scale.
 */
export function fitView(graph: { width: number; height: number }, box: { width: number; height: number }): View {
  const fit = Math.min(1, (box.width - 2 * pad) / graph.width, (box.height - 2 * pad) / graph.height)
  return { k: Math.max(readable, fit), x: pad, y: pad }
}

/** Scales by `factor` around the screen point (px, py), which stays where it is. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const k = Math.min(kMax, Math.max(kMin, v.k * factor))
  const f = k / v.k
  return { k, x: px - (px - v.x) * f, y: py - (py - v.y) * f }
}

/** The view moved so that a graph rectangle (a node) is inside the box, with a margin. */
export function reveal(
  v: View,
  r: { x: number; y: number; width: number; height: number },
  box: { width: number; height: number },
): View {
  const shift = (lo: number, size: number, span: number) =>
    lo < pad ? pad - lo : lo + size > span - pad ? Math.max(pad - lo, span - pad - (lo + size)) : 0
  return {
    k: v.k,
    x: v.x + shift(r.x * v.k + v.x, r.width * v.k, box.width),
    y: v.y + shift(r.y * v.k + v.y, r.height * v.k, box.height),
  }
}
