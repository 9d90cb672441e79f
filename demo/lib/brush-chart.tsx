/**
 * A histogram that can be brushed, drawn with uPlot: grey bars for all rows, blue for the
 * rows under the other charts' brushes, and a shaded band for this chart's own brush. Drag
 * across it to brush; the two number fields below do the same from the keyboard.
 */
import type { JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { type Dim, dims } from './dims'

export interface BrushChartProps {
  dim: Dim
  x: number[]
  all: number[]
  filtered: number[]
  range: [number, number] | undefined
  onRange: (r: [number, number] | undefined) => void
}

export function BrushChart(props: BrushChartProps): JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  // uPlot's hooks are bound once; they read the latest props through this box.
  const latest = useRef(props)
  latest.current = props
  const spec = dims[props.dim]

  useEffect(() => {
    const bars = uPlot.paths.bars!({ size: [0.92, 60], align: 1 })
    const u = new uPlot(
      {
        width: Math.max(260, box.current!.clientWidth),
        height: 150,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        scales: {
          x: { time: false, range: [spec.lo, spec.hi] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] },
        },
        axes: [
          { stroke: '#64748b', grid: { show: false }, size: 30 },
          { stroke: '#64748b', size: 46, grid: { stroke: '#eef2f7' }, values: (_u, vals) => vals.map(short) },
        ],
        series: [
          {},
          { label: 'all', fill: '#cbd5e1', stroke: '#cbd5e1', paths: bars, points: { show: false } },
          { label: 'other brushes', fill: '#93c5fd', stroke: '#93c5fd', paths: bars, points: { show: false } },
          { label: 'selected', fill: '#2563eb', stroke: '#2563eb', paths: bars, points: { show: false } },
        ],
        hooks: {
          setSelect: [
            (u) => {
              const { left, width } = u.select
              if (width < 3) return
              const step = spec.step
              const a = Math.floor(u.posToVal(left, 'x') / step) * step
              const b = Math.ceil(u.posToVal(left + width, 'x') / step) * step
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
              latest.current.onRange([Math.max(spec.lo, a), Math.min(spec.hi, b)])
            },
          ],
          draw: [
            (u) => {
              const r = latest.current.range
              if (!r) return
              const ctx = u.ctx
              const x0 = u.valToPos(r[0], 'x', true)
              const x1 = u.valToPos(r[1], 'x', true)
              ctx.save()
              ctx.fillStyle = 'rgba(245, 158, 11, 0.16)'
              ctx.strokeStyle = '#f59e0b'
              ctx.lineWidth = 2
              ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height)
              ctx.strokeRect(x0, u.bbox.top, x1 - x0, u.bbox.height)
              ctx.restore()
            },
          ],
        },
      },
      series(props),
      box.current!,
    )
    plot.current = u
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(260, box.current!.clientWidth), height: 150 }))
    resize.observe(box.current!)
    return () => {
      resize.disconnect()
      u.destroy()
    }
  }, [props.dim])

  useEffect(() => {
    plot.current?.setData(series(props), false)
    plot.current?.redraw()
  }, [props.x, props.all, props.filtered, props.range])

  const setEnd = (i: 0 | 1, v: string) => {
    const n = Number(v)
    if (v === '' || !Number.isFinite(n)) return
    const r: [number, number] = props.range ? [...props.range] : [spec.lo, spec.hi]
    r[i] = n
    if (r[0] < r[1]) props.onRange(r)
  }
  return (
    <div class="card brush" data-testid={`chart-${props.dim}`}>
      <h3>
        {spec.label} <span class="muted">({spec.unit})</span>
        <span class="count" data-testid={`count-${props.dim}`} title="flights under the other charts' brushes">
          {props.filtered.reduce((a, b) => a + b, 0).toLocaleString()}
        </span>
      </h3>
      <div ref={box} class="plot" role="img" aria-label={`${spec.label} histogram; drag to brush`} />
      <div class="brush-keys">
        <label>
          from{' '}
          <input
            type="number"
            step={spec.step}
            data-testid={`from-${props.dim}`}
            value={props.range?.[0] ?? ''}
            placeholder={String(spec.lo)}
            onChange={(e) => setEnd(0, e.currentTarget.value)}
          />
        </label>
        <label>
          to{' '}
          <input
            type="number"
            step={spec.step}
            data-testid={`to-${props.dim}`}
            value={props.range?.[1] ?? ''}
            placeholder={String(spec.hi)}
            onChange={(e) => setEnd(1, e.currentTarget.value)}
          />
        </label>
        <button
          type="button"
          class="linkish"
          data-testid={`clear-${props.dim}`}
          disabled={!props.range}
          onClick={() => props.onRange(undefined)}
        >
          clear
        </button>
      </div>
    </div>
  )
}

/**
 * x, all rows, rows under the other brushes, and of those the ones inside this chart's own
 * brush (all of them when it has none): the bars outside one's own brush fade.
 */
function series(p: BrushChartProps): uPlot.AlignedData {
  const step = dims[p.dim].step
  const inside = p.range
    ? p.filtered.map((c, i) => (p.x[i]! >= p.range![0] && p.x[i]! + step <= p.range![1] ? c : 0))
    : p.filtered
  return [p.x, p.all, p.filtered, inside]
}

function short(v: number): string {
  return v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v)
}
