/**
 * The README's "Measured" table is generated (scripts/bench-readme.mjs) from
 * bench/results/latest.json; here on a fixture file, so the output and the met/missed marks
 * are pinned exactly.
 */
import { expect, it } from 'vitest'
import { END, renderMeasured, START, spliceReadme, type Target } from '../../scripts/bench-readme.mjs'
import latest from './latest.fixture.json'

const targets: Target[] = [
  {
    id: 'P1',
    what: 'geomean vs alien',
    from: [{ bench: 'P1', summary: 'geomean ours/alien' }],
    op: '<=',
    limit: 1.0,
    unit: '×',
  },
  // The bench writes "geomean ours/preact (target ≤ 1.0)": found by prefix.
  {
    id: 'P1',
    what: 'geomean vs preact',
    from: [{ bench: 'P1', summary: 'geomean ours/preact' }],
    op: '<=',
    limit: 1.0,
    unit: '×',
  },
  // No such summary key: the row's ratio is the figure (reported by 4 of 5 runs).
  {
    id: 'P4',
    what: 'persist vs setMany',
    from: [
      { bench: 'P4', summary: 'write ours/setMany' },
      { bench: 'P4', row: 'write 1000 small', ratio: 'ours/setMany' },
    ],
    op: '<=',
    limit: 1.05,
    unit: '×',
  },
  {
    id: 'P4',
    what: 'sequential / ours',
    from: [{ bench: 'P4', summary: 'sequential/ours' }],
    op: '>=',
    limit: 6,
    unit: '×',
  },
  {
    id: 'P4',
    what: 'write ms',
    from: [{ bench: 'P4', row: 'write 1000 small', ours: true }],
    op: '<=',
    limit: 50,
    unit: 'ms',
  },
  // An entry of the old format: no spread, no commit, no machine.
  {
    id: 'P9',
    what: 'up front',
    from: [{ bench: 'P9', summary: 'core: createBoard, loaded up front' }],
    op: '<=',
    limit: 6.0,
    unit: 'kB',
  },
  {
    id: 'P2',
    what: 'chain vs alien',
    from: [{ bench: 'P2', summary: 'chain100 ours/alien' }],
    op: '<=',
    limit: 1.2,
    unit: '×',
  },
]

it('bench:readme renders the fixture latest.json exactly: medians compared, ranges and runs shown, missing figures "not measured"', () => {
  expect(renderMeasured(latest, targets)).toBe(
    [
      '**4 of 7 targets met, 2 missed, 1 not measured.** The median over the runs',
      '(separate page loads) is compared with the target; runs in brackets; "+ changes": measured with uncommitted',
      'changes on top of that commit. Machine: Test CPU, 2 cores, 24 GB, Chromium 156.0.8078.114.',
      '',
      '| bench | figure | target | median | min–max (runs) | | measured on |',
      '|---|---|---|---|---|---|---|',
      '| P1 | geomean vs alien | ≤ 1× | 0.98× | 0.95–1.02× (5) | met | 2026-12-01, 0123456 |',
      '| P1 | geomean vs preact | ≤ 1× | 1.04× | 1.01–1.09× (5) | **missed** | 2026-12-01, 0123456 |',
      '| P4 | persist vs setMany | ≤ 1.05× | 1.05× | 1.01–1.12× (4) | met | 2026-12-01, fedcba9 + changes |',
      '| P4 | sequential / ours | ≥ 6× | 5.9× | 5.5–6.3× (5) | **missed** | 2026-12-01, fedcba9 + changes |',
      '| P4 | write ms | ≤ 50 ms | 44 ms | 43–47 ms (5) | met | 2026-12-01, fedcba9 + changes |',
      '| P9 | up front | ≤ 6 kB | 5.99 kB | (1) | met | 2026-11-30, commit unknown |',
      '| P2 | chain vs alien | ≤ 1.2× | | | not measured | |',
    ].join('\n'),
  )
  // Stable: the same input gives the same text (no clock, no machine read at render time).
  expect(renderMeasured(structuredClone(latest), targets)).toBe(renderMeasured(latest, targets))
})

it('bench:readme marks by the median: at the limit is met, one past it is missed, whatever min and max say', () => {
  const at = (median: number) => ({
    P1: {
      id: 'P1',
      runs: 5,
      rows: [],
      summary: { x: median },
      spread: { summary: { x: { min: 0.5, median, max: 3 } } },
    },
  })
  const upTo: Target[] = [
    { id: 'P1', what: 'x', from: [{ bench: 'P1', summary: 'x' }], op: '<=', limit: 1.2, unit: '×' },
  ]
  const atLeast: Target[] = [{ ...upTo[0]!, op: '>=' }]
  const exactly: Target[] = [{ ...upTo[0]!, op: '==' }]
  const mark = (latest: object, t: Target[]) =>
    renderMeasured(latest as Record<string, unknown>, t)
      .split('\n')
      .at(-1)
  expect([mark(at(1.2), upTo), mark(at(1.21), upTo), mark(at(1.19), atLeast), mark(at(1.2), exactly)]).toEqual([
    '| P1 | x | ≤ 1.2× | 1.2× | 0.5–3× (5) | met | date unknown, commit unknown |',
    '| P1 | x | ≤ 1.2× | 1.21× | 0.5–3× (5) | **missed** | date unknown, commit unknown |',
    '| P1 | x | ≥ 1.2× | 1.19× | 0.5–3× (5) | **missed** | date unknown, commit unknown |',
    '| P1 | x | = 1.2× | 1.2× | 0.5–3× (5) | met | date unknown, commit unknown |',
  ])
})

it('bench:readme with the real targets and an empty latest.json: every target "not measured", none typed in', () => {
  const lines = renderMeasured({}).split('\n')
  const rows = lines.filter((l) => /^\| P\d/.test(l))
  expect(rows.length).toBeGreaterThan(20)
  expect(rows.filter((r) => !r.endsWith('| not measured | |'))).toEqual([])
  expect(lines[0]).toBe(
    `**0 of ${rows.length} targets met, 0 missed, ${rows.length} not measured.** The median over the runs`,
  )
})

it('bench:readme replaces only what lies between its markers, and says so when they are missing', () => {
  const readme = `# x\n\n## Measured\n\n${START}\nold, hand-typed\n${END}\n\n## After\n`
  const once = spliceReadme(readme, 'the table')
  expect(once).toBe(`# x\n\n## Measured\n\n${START}\nthe table\n${END}\n\n## After\n`)
  expect(spliceReadme(once, 'the table')).toBe(once)
  expect(() => spliceReadme('# x\n', 'the table')).toThrow(/README.md has no .* section for the Measured table/)
})
