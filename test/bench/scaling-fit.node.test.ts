/**
 * `npm run bench:scaling` (scripts/bench-scaling.mjs): the log-log slope it states for each
 * curve, and the chart it draws from them.
 */
import { expect, it } from 'vitest'
import { chartSvg, refit, slopeOf } from '../../scripts/bench-scaling.mjs'

it('bench:scaling fits the log-log slope: exact on power laws, points at or below zero left out', () => {
  const at = (f: (x: number) => number): [number, number][] => [10, 100, 1000, 10_000].map((x) => [x, f(x)])
  expect(slopeOf(at((x) => 3 * x))).toBeCloseTo(1, 12)
  expect(slopeOf(at(() => 0.25))).toBeCloseTo(0, 12)
  expect(slopeOf(at((x) => x * x))).toBeCloseTo(2, 12)
  expect(slopeOf(at((x) => Math.sqrt(x)))).toBeCloseTo(0.5, 12)
  expect(slopeOf([...at((x) => x), [100_000, 0], [1_000_000, Number.NaN]])).toBeCloseTo(1, 12)
  expect(slopeOf([[10, 1]])).toBeNaN()
})

it('bench:scaling draws labelled log-log panels, states each slope and marks a flagged curve', () => {
  const svg = chartSvg({
    date: '2026-12-01T21:00:00.000Z',
    commit: '0123456789abcdef',
    dirty: false,
    machine: 'Test CPU',
    panels: [
      {
        id: 'wave',
        title: 'Per-wave cost',
        x: 'callbacks',
        y: 'ms per wave',
        curves: [
          {
            name: 'ours',
            points: [
              [10, 0.01],
              [1000, 1],
            ],
            slope: 1,
            expected: 1,
            why: 'linear',
          },
          {
            name: 'local',
            points: [
              [10, 0.01],
              [1000, 0.1],
            ],
            slope: 0.5,
            expected: 0,
            why: 'flat',
            flag: 'slope 0.50',
          },
        ],
      },
      { id: 'none', title: 'Nothing yet', x: 'n', y: 'ms', curves: [] },
    ],
  })
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
  expect(svg).toContain('2026-12-01, 0123456; Test CPU')
  expect(svg).toContain('>callbacks (log)</text>')
  expect(svg).toContain('>ms per wave (log)</text>')
  expect(svg).toContain('>ours: slope 1.00; should be 1</text>')
  expect(svg).toContain('fill="#c00" font-weight="bold">local: slope 0.50; should be 0 ✗</text>')
  expect(svg).toContain('>not measured</text>')
  // Ticks at the powers of ten the points span: 10, 100, 1k on x; 0.01 … 1 on y.
  for (const tick of ['>10<', '>100<', '>1k<', '>0.01<', '>0.1<', '>1<']) expect(svg).toContain(tick)
})

it('bench:scaling flags a curve past its expected slope, overall or over the last decade alone', () => {
  const panel = (points: [number, number][]) => ({
    id: 'p',
    title: 'P',
    x: 'n',
    y: 'ms',
    curves: [{ name: 'c', points, slope: null, expected: 0, why: 'flat' }],
  })
  const result = (points: [number, number][]) =>
    refit({ date: '2026-12-01T00:00:00.000Z', commit: 'c', dirty: false, machine: 'm', panels: [panel(points)] })
  // Flat, then flat again: no flag.
  const flat = result([
    [10, 1],
    [100, 1.1],
    [1000, 1],
    [10_000, 1.05],
  ])
  expect(flat.flags).toEqual([])
  // Flat for three decades, then ×10 over the last: overall slope 0.3, last decade 1.
  const late = result([
    [10, 1],
    [100, 1],
    [1000, 1],
    [10_000, 10],
  ])
  expect(late.panels[0]!.curves[0]).toMatchObject({ slope: 0.3, lastDecade: 1 })
  expect(late.flags).toEqual(['P: c: slope 0.30, last decade 1.00; should be ≤ 0.15: flat'])
})
