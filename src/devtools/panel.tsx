/**
 * The dev panel: the board's callback graph as a picture. Stores and callbacks are boxes
 * laid out by dagre (layout.ts); edges are drawn by kind (input solid, state dashed,
 * output blue); callbacks are coloured running / errored / cached and carry their figures
 * (runs, last and mean ms, bytes in and out, cache hits and misses, a progress bar); stores
 * say where their value lives and how big it is.
 *
 * It lives outside the core because it renders with Preact, and it uses the public board
 * only: `board.inspect()`, read again (at most once a frame) when the board's 'change'
 * event says something changed. Synchronous runs show their time and bytes when the board
 * was created with `profile: true`; the panel does not turn profiling on.
 */
import { type ComponentChildren, type JSX, render } from 'preact'
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Board, CallbackInfo, Inspection, StoreInfo } from '../graph/types'
import { type Family, foldFamilies } from './families'
import { callbackKey, type LaidEdge, type LaidNode, layoutGraph, shapeKey, storeKey } from './layout'
import { panelCss } from './style'
import { fitView, pad, reveal, type View, zoomAt } from './zoom'

/** Where a store's value is, as the panel names it: a storage kind, or a worker handle. */
type Where = StoreInfo['location'] | 'worker'

export interface DevPanelProps {
  board: Board
  /** Called by the close button and by Escape inside the panel. */
  onClose?: () => void
}

/**
 * The panel as a component, for Preact apps that place it themselves. It draws inside a
 * shadow root of its own, so the app's CSS does not reach it.
 *
 * @example
 * {showGraph && <DevPanel board={board} onClose={() => setShowGraph(false)} />}
 */
export function DevPanel(props: DevPanelProps): JSX.Element {
  const host = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    render(<PanelView {...props} />, isolate(host.current!))
  })
  useLayoutEffect(() => {
    const root = host.current!.shadowRoot!
    return () => render(null, root)
  }, [])
  return <div class="sb-host" ref={host} />
}

function PanelView({ board, onClose }: DevPanelProps): JSX.Element {
  const raw = useInspection(board)
  // Each store family (the stores a pattern matches) is one box unless expanded.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set())
  const snap = useMemo(() => ({ ...raw, ...foldFamilies(raw, expanded) }), [raw, expanded])
  const families = useMemo(() => new Map(snap.storeFamilies.map((f) => [storeKey(f.id), f])), [snap])
  const toggleFamily = (id: string) => {
    const next = new Set(expanded)
    if (!next.delete(id)) next.add(id)
    setExpanded(next)
    setSelected(undefined)
  }
  const key = shapeKey(snap)
  // Lay out again only when the graph's shape changes, not on every status tick.
  const layout = useMemo(() => layoutGraph(snap), [key])
  const [selected, setSelected] = useState<string | undefined>(undefined)
  const byId = useMemo(() => indexOf(snap), [snap])
  const hitsBefore = useRef(new Map<string, { runs: number; hits: number; fromCache: boolean }>())
  const fromCache = (c: CallbackInfo) => {
    // "Cached" = its latest answer came from the cache: hits moved and runs did not.
    const prev = hitsBefore.current.get(c.id)
    let v = prev?.fromCache ?? false
    if (prev && (prev.hits !== c.stats.hits || prev.runs !== c.stats.runs))
      v = c.stats.hits > prev.hits && c.stats.runs === prev.runs
    hitsBefore.current.set(c.id, { runs: c.stats.runs, hits: c.stats.hits, fromCache: v })
    return v
  }

  const sel = selected ? byId.get(selected) : undefined
  return (
    <section
      class="sb-panel"
      data-testid="devpanel"
      aria-label={`switchboard dev panel: board ${snap.name}`}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && onClose) {
          e.stopPropagation()
          onClose()
        }
      }}
    >
      <header class="sb-head">
        <strong>
          board <code>{snap.name}</code> v{String(snap.version)}
        </strong>
        <span class="sb-muted" data-testid="devpanel-counts">
          {snap.stores.length} stores · {snap.callbacks.length} callbacks · {snap.edges.length} edges
        </span>
        <Legend />
        {expanded.size > 0 && (
          <button
            type="button"
            class="sb-fold"
            data-testid="devfamily-fold"
            onClick={() => {
              setExpanded(new Set())
              setSelected(undefined)
            }}
          >
            Fold families
          </button>
        )}
        {onClose && (
          <button
            type="button"
            class="sb-close"
            onClick={onClose}
            aria-label="Close the dev panel"
            data-testid="devpanel-close"
          >
            ×
          </button>
        )}
      </header>
      <div class="sb-body">
        <Zoomable layout={layout} shape={key}>
          <Markers />
          {layout.edges.map((e) => (
            <Edge edge={e} />
          ))}
          {layout.nodes.map((n) => {
            const info = byId.get(n.key)
            if (!info) return null
            const pick = () => setSelected(n.key === selected ? undefined : n.key)
            const family = families.get(n.key)
            if (family) return <FamilyBox node={n} family={family} selected={n.key === selected} onPick={pick} />
            return 'stats' in info ? (
              <CallbackBox
                node={n}
                info={info}
                instances={snap.folded.get(info.id)}
                cached={fromCache(info)}
                selected={n.key === selected}
                onPick={pick}
              />
            ) : (
              <StoreBox
                node={n}
                info={info}
                where={whereOf(info)}
                size={sizeOf(info)}
                selected={n.key === selected}
                onPick={pick}
              />
            )
          })}
        </Zoomable>
        {sel && selected && families.has(selected) && (
          <FamilyDetails family={families.get(selected)!} onToggle={() => toggleFamily(families.get(selected)!.id)} />
        )}
        {sel && !(selected && families.has(selected)) && (
          <Details
            info={sel}
            where={'stats' in sel ? undefined : whereOf(sel)}
            size={'stats' in sel ? 0 : sizeOf(sel)}
          />
        )}
        {sel && 'stats' in sel && snap.folded.has(sel.id) && (
          <aside class="sb-details" data-testid="devfamily-callback">
            <p>
              pattern callback: <span data-testid="devfamily-count">{snap.folded.get(sel.id)}</span> instances
            </p>
            <button type="button" data-testid="devfamily-expand" onClick={() => toggleFamily(sel.id)}>
              Draw each instance
            </button>
          </aside>
        )}
      </div>
    </section>
  )
}

/** The latest inspection, refreshed at most once a frame while anything changes. */
function useInspection(board: Board): Inspection {
  const [snap, setSnap] = useState(() => board.inspect())
  useEffect(() => {
    let frame = 0
    const refresh = () => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        setSnap(board.inspect())
      })
    }
    // A store moved to memory after a failed write is not a wave: 'persist-failed' says so.
    const offs = [board.on('change', refresh), board.on('persist-failed', refresh)]
    // What changed between the first render and this effect.
    refresh()
    return () => {
      if (frame) cancelAnimationFrame(frame)
      for (const off of offs) off()
    }
  }, [board])
  return snap
}

function indexOf(snap: Inspection): Map<string, StoreInfo | CallbackInfo> {
  const m = new Map<string, StoreInfo | CallbackInfo>()
  for (const s of snap.stores) m.set(storeKey(s.id), s)
  for (const c of snap.callbacks) m.set(callbackKey(c.id), c)
  return m
}

/** A store holding a worker handle lives in the worker, whatever its storage says. */
function whereOf(info: StoreInfo): Where {
  return info.handle ? 'worker' : info.location
}

/** For a handle, the size of the data it stands for (the handle itself is tiny). */
function sizeOf(info: StoreInfo): number {
  return info.handle ? info.handle.bytes : info.bytes
}

// ---- zoom and pan ---------------------------------------------------------------------------

type Point = { x: number; y: number }

/** What one panel's viewport keeps between events (mutated in place: no re-render per tick). */
interface ZoomState {
  shape?: string
  v: View
  box?: HTMLDivElement | null
  g?: SVGGElement | null
  /** Pointers down now, and the gesture under way: the view and pointers when it began. */
  down: Map<number, Point>
  start?: { v: View; at: Map<number, Point>; moved: boolean } | undefined
  /** A drag ended over a node: its click must not select it. */
  swallow?: boolean
}

/** Pixels an arrow key pans by, and the factor + and - zoom by. */
const step = 40
const zoomStep = 1.25
const transformOf = (w: View) => `translate(${w.x} ${w.y}) scale(${w.k})`

/** The middle of the pointers down and, with two, how far apart they are. */
function spread(pts: Map<number, Point>): { c: Point; d: number } {
  const p = [...pts.values()]
  const c = { x: 0, y: 0 }
  for (const q of p) (c.x += q.x / p.length), (c.y += q.y / p.length)
  return { c, d: p.length > 1 ? Math.hypot(p[0]!.x - p[1]!.x, p[0]!.y - p[1]!.y) : 0 }
}

/**
 * The graph's viewport: wheel or pinch zooms around the pointer, a drag pans, and with the
 * viewport (or a node in it) focused: + and - zoom, arrows pan, 0 resets. A node reached by
 * Tab is panned into view. A new graph shape starts from a fresh first view.
 */
function Zoomable(props: {
  layout: { width: number; height: number }
  shape: string
  children: ComponentChildren
}): JSX.Element {
  const { layout } = props
  const z = useRef<ZoomState>({ v: { k: 1, x: 0, y: 0 }, down: new Map() }).current
  // The graph area's height: the graph at its first scale, at most what the panel has room for.
  const room = Math.max(140, innerHeight * 0.52 - 96)
  if (z.shape !== props.shape) {
    z.shape = props.shape
    z.v = fitView(layout, { width: document.documentElement.clientWidth, height: room })
  }
  const size = () => ({ width: z.box!.clientWidth, height: z.box!.clientHeight })
  const set = (w: View) => {
    z.v = w
    z.g?.setAttribute('transform', transformOf(w))
  }
  const zoom = (f: number, p: Point = { x: size().width / 2, y: size().height / 2 }) => set(zoomAt(z.v, f, p.x, p.y))
  const pan = (dx: number, dy: number) => set({ ...z.v, x: z.v.x + dx, y: z.v.y + dy })
  const reset = () => set(fitView(layout, size()))
  const local = (e: MouseEvent): Point => {
    const r = z.box!.getBoundingClientRect()
    return { x: e.clientX - r.left, y: e.clientY - r.top }
  }
  // A pointer more or less starts the gesture again from the view as it is.
  const restart = () => {
    z.start = z.down.size ? { v: z.v, at: new Map(z.down), moved: !!z.start?.moved } : undefined
  }
  const up = (e: PointerEvent) => {
    if (z.down.delete(e.pointerId) && z.start?.moved) z.swallow = true
    restart()
  }
  const keys: Record<string, () => void> = {
    '+': () => zoom(zoomStep),
    '=': () => zoom(zoomStep),
    '-': () => zoom(1 / zoomStep),
    _: () => zoom(1 / zoomStep),
    0: reset,
    ArrowLeft: () => pan(step, 0),
    ArrowRight: () => pan(-step, 0),
    ArrowUp: () => pan(0, step),
    ArrowDown: () => pan(0, -step),
  }

  return (
    <div class="sb-graphwrap">
      <div class="sb-tools">
        <button type="button" aria-label="Zoom out" data-testid="devpanel-zoom-out" onClick={keys['-']}>
          −
        </button>
        <button type="button" aria-label="Zoom in" data-testid="devpanel-zoom-in" onClick={keys['+']}>
          +
        </button>
        <button type="button" data-testid="devpanel-reset" onClick={reset}>
          Reset view
        </button>
        <span class="sb-muted">drag or arrows: pan · wheel, pinch or + −: zoom · 0: reset</span>
      </div>
      <div
        class="sb-graph"
        ref={(el) => {
          z.box = el
        }}
        style={{ height: `${Math.min(room, layout.height * z.v.k + 2 * pad)}px` }}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the viewport takes the zoom and pan keys
        tabIndex={0}
        role="application"
        aria-label="callback graph: arrows pan, + and - zoom, 0 resets the view"
        data-testid="devpanel-graph"
        onKeyDown={(e) => {
          const act = keys[e.key]
          if (!act || e.altKey || e.ctrlKey || e.metaKey) return
          e.preventDefault()
          act()
        }}
        onWheel={(e) => {
          e.preventDefault()
          const dy = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? size().height : 1)
          // A trackpad pinch comes as a wheel with ctrlKey, in smaller steps.
          zoom(Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.002)), local(e))
        }}
        onPointerDown={(e) => {
          if (e.button) return
          z.swallow = false
          z.down.set(e.pointerId, local(e))
          if (z.down.size === 1) z.start = undefined
          restart()
        }}
        onPointerMove={(e) => {
          const s = z.start
          if (!s || !z.down.has(e.pointerId)) return
          z.down.set(e.pointerId, local(e))
          // One pointer pans; two also scale by how much further apart they are.
          const a = spread(s.at)
          const b = spread(z.down)
          // A few pixels of jitter is still a click.
          if (!s.moved && Math.hypot(b.c.x - a.c.x, b.c.y - a.c.y) + Math.abs(b.d - a.d) < 4) return
          if (!s.moved) {
            s.moved = true
            try {
              z.box!.setPointerCapture(e.pointerId)
            } catch {
              // Not an active pointer (a synthetic event): the drag goes on without capture.
            }
          }
          const w = zoomAt(s.v, a.d ? b.d / a.d : 1, a.c.x, a.c.y)
          set({ k: w.k, x: w.x + b.c.x - a.c.x, y: w.y + b.c.y - a.c.y })
        }}
        onPointerUp={up}
        onPointerCancel={up}
        onClickCapture={(e) => {
          if (!z.swallow) return
          z.swallow = false
          e.stopPropagation()
        }}
        onFocusIn={(e) => {
          const node = (e.target as Element).closest('.sb-node') as SVGGraphicsElement | null
          if (node) set(reveal(z.v, node.getBBox(), size()))
        }}
      >
        {/* biome-ignore lint/a11y/useSemanticElements: an <svg> cannot be a <fieldset>; the group names the drawing */}
        <svg role="group" aria-label="callback graph">
          <g
            ref={(el) => {
              z.g = el
            }}
            transform={transformOf(z.v)}
          >
            {props.children}
          </g>
        </svg>
      </div>
    </div>
  )
}

// ---- boxes -------------------------------------------------------------------------------

function CallbackBox(props: {
  node: LaidNode
  info: CallbackInfo
  /** A pattern callback drawn folded: how many instances it stands for. */
  instances?: number | undefined
  cached: boolean
  selected: boolean
  onPick: () => void
}): JSX.Element {
  const { node: n, info: c } = props
  const s = c.stats
  const state = c.error ? 'error' : c.running ? 'running' : props.cached ? 'cached' : 'idle'
  const x = n.x - n.width / 2
  const y = n.y - n.height / 2
  const line2 = `${s.runs} run${s.runs === 1 ? '' : 's'} · ${ms(s.lastMs)} (avg ${ms(s.avgMs)})`
  const line3 =
    `in ${bytes(s.bytesIn)} · out ${bytes(s.bytesOut)}` + (c.cached ? ` · hit ${s.hits}/${s.hits + s.misses}` : '')
  const title = clip(c.id, props.instances === undefined ? 22 : 14)
  const shown3 = clip(line3, 34)
  const name = nameOf(
    'callback',
    [title + (props.instances === undefined ? '' : ` ×${props.instances}`) + (c.cached ? ' cache' : ''), line2, shown3],
    [state, ...(title === c.id ? [] : [`id ${c.id}`]), ...(shown3 === line3 ? [] : [line3])],
  )
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG <g> cannot be a <button>; it takes focus and keys itself
    <g
      class={`sb-node sb-cb sb-${state}${props.selected ? ' sb-sel' : ''}${c.cached ? ' sb-hascache' : ''}`}
      data-testid={`devnode-${c.id}`}
      data-kind="callback"
      data-state={state}
      data-runs={s.runs}
      data-hits={s.hits}
      data-misses={s.misses}
      data-instances={props.instances}
      tabindex={0}
      role="button"
      aria-pressed={props.selected}
      aria-label={name}
      onClick={props.onPick}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onPick())}
    >
      <title>{c.error ?? `callback ${c.id}`}</title>
      <rect x={x} y={y} width={n.width} height={n.height} rx={6} />
      <text x={x + 10} y={y + 18} class="sb-title">
        {title}
        {props.instances !== undefined && <tspan class="sb-badge"> ×{props.instances}</tspan>}
        {c.cached && <tspan class="sb-badge"> ⛁ cache</tspan>}
      </text>{' '}
      <text x={x + 10} y={y + 36}>
        {line2}
      </text>{' '}
      <text x={x + 10} y={y + 52}>
        {shown3}
      </text>
      {c.running && (
        <g data-testid={`devprogress-${c.id}`}>
          <rect x={x + 6} y={y + n.height - 9} width={n.width - 12} height={4} rx={2} class="sb-track" />
          <rect
            x={x + 6}
            y={y + n.height - 9}
            width={(n.width - 12) * Math.max(0.02, c.progress?.fraction ?? 0.05)}
            height={4}
            rx={2}
            class="sb-bar"
          />
        </g>
      )}
    </g>
  )
}

function StoreBox(props: {
  node: LaidNode
  info: StoreInfo
  where: Where
  size: number
  selected: boolean
  onPick: () => void
}): JSX.Element {
  const { node: n, info: s } = props
  const x = n.x - n.width / 2
  const y = n.y - n.height / 2
  const where = s.codec ? `${props.where} · ${s.codec}` : props.where
  const title = clip(s.id, 18)
  const line2 = `${where} · ${bytes(props.size)}`
  const name = nameOf('store', [title, line2], title === s.id ? [] : [`id ${s.id}`])
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG <g> cannot be a <button>; it takes focus and keys itself
    <g
      class={`sb-node sb-store sb-at-${props.where}${props.selected ? ' sb-sel' : ''}`}
      data-testid={`devnode-${s.id}`}
      data-kind="store"
      data-where={props.where}
      data-bytes={props.size}
      tabindex={0}
      role="button"
      aria-pressed={props.selected}
      aria-label={name}
      onClick={props.onPick}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onPick())}
    >
      <rect x={x} y={y} width={n.width} height={n.height} rx={n.height / 2} />
      <rect x={x + 10} y={y + 12} width={6} height={n.height - 24} rx={3} class="sb-where" />
      <text x={x + 24} y={y + 21} class="sb-title">
        {title}
      </text>{' '}
      <text x={x + 24} y={y + 38}>
        {line2}
      </text>
    </g>
  )
}

/** A store family folded into one box: the pattern's fixed keys and how many stores it has. */
function FamilyBox(props: { node: LaidNode; family: Family; selected: boolean; onPick: () => void }): JSX.Element {
  const { node: n, family: f } = props
  const x = n.x - n.width / 2
  const y = n.y - n.height / 2
  const count = `${f.members.length} instance${f.members.length === 1 ? '' : 's'}`
  const label = clip(familyLabel(f), 22)
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG <g> cannot be a <button>; it takes focus and keys itself
    <g
      class={`sb-node sb-family${props.selected ? ' sb-sel' : ''}`}
      data-testid={`devfamily-${f.id}`}
      data-kind="family"
      data-instances={f.members.length}
      tabindex={0}
      role="button"
      aria-pressed={props.selected}
      aria-label={nameOf(
        'store family',
        [label, `family · ${count}`],
        label === familyLabel(f) ? [f.id] : [familyLabel(f), f.id],
      )}
      onClick={props.onPick}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onPick())}
    >
      <rect x={x + 6} y={y + 6} width={n.width} height={n.height} rx={n.height / 2} class="sb-stack" />
      <rect x={x} y={y} width={n.width} height={n.height} rx={n.height / 2} />
      <text x={x + 16} y={y + 21} class="sb-title">
        {label}
      </text>{' '}
      <text x={x + 16} y={y + 38}>
        family · {count}
      </text>
    </g>
  )
}

/** `item[*]`-like text for a family: its fixed values, then each wildcard key as `key=*`. */
function familyLabel(f: Family): string {
  const fixed = Object.keys(f.keys).filter((k) => f.keys[k] !== null)
  const free = Object.keys(f.keys).filter((k) => f.keys[k] === null)
  return `${fixed.map((k) => String(f.keys[k])).join(' ')} ${free.map((k) => `${k}=*`).join(' ')}`.trim()
}

function FamilyDetails({ family, onToggle }: { family: Family; onToggle: () => void }): JSX.Element {
  return (
    <aside class="sb-details" data-testid="devpanel-details" aria-live="polite">
      <h3>store family {familyLabel(family)}</h3>
      <dl>
        <dt>pattern</dt>
        <dd>
          <code>{family.id}</code>
        </dd>
        <dt>named by</dt>
        <dd>{family.patterns.join(', ')}</dd>
        <dt>instances</dt>
        <dd data-testid="devfamily-count">{family.members.length}</dd>
      </dl>
      {family.members.length > 0 && (
        <ul class="sb-members" data-testid="devfamily-members">
          {family.members.slice(0, 50).map((m) => (
            <li>
              <code>{m}</code>
            </li>
          ))}
          {family.members.length > 50 && <li>… and {family.members.length - 50} more</li>}
        </ul>
      )}
      <button type="button" data-testid="devfamily-expand" onClick={onToggle}>
        Draw each instance
      </button>
    </aside>
  )
}

/**
 * A node's accessible name: its kind, then the lines it shows, word for word and in order
 * (WCAG 2.5.3, label in name: a speech user says what they see), then what the box leaves
 * out (its state, an id or a line clipped to fit). The boxes put a space between their
 * <text> lines, so their text reads as words, not as one run-on string.
 */
function nameOf(kind: string, shown: string[], more: string[]): string {
  return [`${kind} ${shown[0]}`, ...shown.slice(1), ...more].join(', ')
}

function Edge({ edge }: { edge: LaidEdge }): JSX.Element {
  return (
    <path
      class={`sb-edge sb-${edge.kind}`}
      d={pathOf(edge.points)}
      marker-end={`url(#sb-arrow-${edge.kind})`}
      data-kind={edge.kind}
    />
  )
}

/** A smooth path through dagre's points: straight ends, quadratic bends between midpoints. */
function pathOf(pts: Array<{ x: number; y: number }>): string {
  if (pts.length === 0) return ''
  const f = (n: number) => n.toFixed(1)
  let d = `M${f(pts[0]!.x)},${f(pts[0]!.y)}`
  if (pts.length === 2) return d + `L${f(pts[1]!.x)},${f(pts[1]!.y)}`
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i]!
    const q = pts[i + 1]!
    const mid = i === pts.length - 2 ? q : { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 }
    d += `Q${f(p.x)},${f(p.y)} ${f(mid.x)},${f(mid.y)}`
  }
  return d
}

function Markers(): JSX.Element {
  return (
    <defs>
      {(['input', 'state', 'output'] as const).map((k) => (
        <marker
          id={`sb-arrow-${k}`}
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class={`sb-head-${k}`} />
        </marker>
      ))}
    </defs>
  )
}

function Legend(): JSX.Element {
  return (
    <span class="sb-legend" aria-hidden="true">
      {/* biome-ignore lint/a11y/noSvgWithoutTitle: a decorative swatch inside an aria-hidden legend */}
      <svg width="26" height="8">
        <line x1="0" y1="4" x2="26" y2="4" class="sb-edge sb-input" />
      </svg>
      input
      {/* biome-ignore lint/a11y/noSvgWithoutTitle: a decorative swatch inside an aria-hidden legend */}
      <svg width="26" height="8">
        <line x1="0" y1="4" x2="26" y2="4" class="sb-edge sb-state" />
      </svg>
      state
      {/* biome-ignore lint/a11y/noSvgWithoutTitle: a decorative swatch inside an aria-hidden legend */}
      <svg width="26" height="8">
        <line x1="0" y1="4" x2="26" y2="4" class="sb-edge sb-output" />
      </svg>
      output
      <i class="sb-dot sb-dot-running" /> running
      <i class="sb-dot sb-dot-error" /> error
      <i class="sb-dot sb-dot-cached" /> from cache
    </span>
  )
}

function Details({
  info,
  where,
  size,
}: {
  info: StoreInfo | CallbackInfo
  where: Where | undefined
  size: number
}): JSX.Element {
  if ('stats' in info) {
    const s = info.stats
    return (
      <aside class="sb-details" data-testid="devpanel-details" aria-live="polite">
        <h3>callback {info.id}</h3>
        <dl>
          <dt>inputs</dt>
          <dd>{info.inputs.join(', ') || '—'}</dd>
          {info.state.length > 0 && (
            <>
              <dt>state</dt>
              <dd>{info.state.join(', ')}</dd>
            </>
          )}
          <dt>outputs</dt>
          <dd>{info.outputs.join(', ') || '— (side effect)'}</dd>
          <dt>runs</dt>
          <dd>{s.runs}</dd>
          <dt>last / mean</dt>
          <dd>
            {ms(s.lastMs)} / {ms(s.avgMs)}
          </dd>
          <dt>bytes in / out</dt>
          <dd>
            {bytes(s.bytesIn)} / {bytes(s.bytesOut)}
          </dd>
          {info.cached && (
            <>
              <dt>cache hits / misses</dt>
              <dd>
                {s.hits} / {s.misses}
              </dd>
            </>
          )}
          <dt>errors</dt>
          <dd>{s.errors}</dd>
          {info.progress && (
            <>
              <dt>progress</dt>
              <dd>
                {Math.round(info.progress.fraction * 100)}% {info.progress.note ?? ''}
              </dd>
            </>
          )}
          {info.error && (
            <>
              <dt>latest error</dt>
              <dd class="sb-err">{info.error}</dd>
            </>
          )}
        </dl>
      </aside>
    )
  }
  return (
    <aside class="sb-details" data-testid="devpanel-details" aria-live="polite">
      <h3>store {info.id}</h3>
      <dl>
        <dt>declared storage</dt>
        <dd>
          {info.storage}
          {info.codec ? ` (${info.codec})` : ''}
        </dd>
        <dt>lives in</dt>
        <dd>{where}</dd>
        <dt>size</dt>
        <dd>{bytes(size)}</dd>
        <dt>modified</dt>
        <dd>{info.modifiedAt ? new Date(info.modifiedAt).toLocaleTimeString() : 'never'}</dd>
      </dl>
    </aside>
  )
}

// ---- formatting ----------------------------------------------------------------------------

/** Bytes as people read them: 812 B, 12.4 KB, 3.1 MB. */
function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

function ms(n: number): string {
  if (n === 0) return '0 ms'
  if (n < 1) return `${n.toFixed(2)} ms`
  if (n < 100) return `${n.toFixed(1)} ms`
  return `${Math.round(n)} ms`
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s
}

// ---- mounting on any page ------------------------------------------------------------------

export interface MountOptions {
  /** Open at once. Default false: a toggle button shows. */
  open?: boolean
  /** Where the toggle button goes; default a floating button at the bottom right. */
  button?: HTMLElement
}

export interface DevPanelHandle {
  toggle(force?: boolean): void
  readonly open: boolean
  dispose(): void
}

/** The key that toggles the panel: Alt+Shift+D (by key position, any keyboard layout). */
export const shortcut = { code: 'KeyD', altKey: true, shiftKey: true, label: 'Alt+Shift+D' }

/**
 * Puts the dev panel on a page: a toggle button (or yours) and the Alt+Shift+D shortcut.
 * Works on pages without Preact of their own.
 *
 * @example
 * import { mountDevPanel } from '../src/devtools/panel'
 * mountDevPanel(board)   // then press Alt+Shift+D
 */
export function mountDevPanel(board: Board, options: MountOptions = {}): DevPanelHandle {
  // One host in the page; the panel and the floating button live in its shadow root.
  const host = document.createElement('div')
  host.className = 'sb-host'
  document.body.append(host)
  const shadow = isolate(host)
  const view = document.createElement('div')
  shadow.append(view)
  let button = options.button
  const ownButton = !button
  if (!button) {
    const b = document.createElement('button')
    b.type = 'button'
    b.className = 'sb-toggle'
    b.innerHTML = '<span aria-hidden="true">◈</span> Graph'
    shadow.append(b)
    button = b
  }
  button.setAttribute('aria-keyshortcuts', shortcut.label)
  button.title = `Show the callback graph (${shortcut.label})`
  button.dataset['testid'] ??= 'devpanel-toggle'
  let open = false
  const draw = () => {
    render(open ? <PanelView board={board} onClose={() => handle.toggle(false)} /> : null, view)
    button!.setAttribute('aria-expanded', String(open))
    // The floating button would sit on the graph: the panel's own close button stands in.
    if (ownButton) button!.hidden = open
    host.toggleAttribute('data-open', open)
  }
  const onClick = () => handle.toggle()
  const onKey = (e: KeyboardEvent) => {
    if (
      e.code === shortcut.code &&
      e.altKey === shortcut.altKey &&
      e.shiftKey === shortcut.shiftKey &&
      !e.ctrlKey &&
      !e.metaKey
    ) {
      e.preventDefault()
      handle.toggle()
    }
  }
  button.addEventListener('click', onClick)
  window.addEventListener('keydown', onKey)
  const handle: DevPanelHandle = {
    get open() {
      return open
    },
    toggle(force) {
      const next = force ?? !open
      if (next === open) return
      open = next
      draw()
      // Keyboard users land in the panel when it opens and back on the button when it closes.
      if (open) shadow.querySelector<HTMLElement>('.sb-panel')?.focus()
      else if (document.activeElement === document.body || host.contains(document.activeElement)) button!.focus()
    },
    dispose() {
      open = false
      render(null, view)
      host.remove()
      button!.removeEventListener('click', onClick)
      window.removeEventListener('keydown', onKey)
      if (ownButton) button!.remove()
    },
  }
  if (options.open) handle.toggle(true)
  return handle
}

let sheet: CSSStyleSheet | undefined

/** A shadow root on `host` with the panel's styles: the page's CSS stays outside. */
function isolate(host: HTMLElement): ShadowRoot {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' })
  if (!sheet) {
    sheet = new CSSStyleSheet()
    sheet.replaceSync(panelCss)
  }
  root.adoptedStyleSheets = [sheet]
  return root
}
