// The performance targets, in one place (issue 13 and the issues before it). The README's
// "Measured" table is generated from these and bench/results/latest.json by
// scripts/bench-readme.mjs (`npm run bench:readme`); nothing in that table is typed by hand.
//
// Each target names where its figure lives in latest.json:
//   from: [{ bench: 'P1', summary: 'geomean ours/preact' }]        a summary key, by prefix
//         [{ bench: 'P4', row: 'write 1000 small', ratio: 'ours/setMany' }]   a row's ratio
//   (also `anchor: name` or `ours: true` for a row's anchor or ours_ms); the first that is
//   present wins. Prefix matching lets a bench write "round trip ours/postMessage (target ≤ 1.1)".
// `op` and `limit` say what meeting it means; the median over the runs is what is compared.
// A figure that latest.json does not hold is shown as "not measured".

/** @typedef {{ bench: string, summary?: string, row?: string, ratio?: string, anchor?: string, ours?: true }} Source */
/** @typedef {{ id: string, what: string, from: Source[], op: '<=' | '>=' | '==', limit: number, unit: '×' | 'ms' | 'kB' | '' }} Target */

/** @type {Target[]} */
export const targets = [
  {
    id: 'P1',
    what: 'kairo + cellx, sync callbacks: geomean vs preact signals',
    from: [{ bench: 'P1', summary: 'geomean ours/preact' }],
    op: '<=',
    limit: 1.0,
    unit: '×',
  },
  {
    id: 'P1',
    what: 'kairo + cellx, sync callbacks: geomean vs alien-signals',
    from: [{ bench: 'P1', summary: 'geomean ours/alien' }],
    op: '<=',
    limit: 1.0,
    unit: '×',
  },
  {
    id: 'P2',
    what: '100-deep chain, per wave, vs alien-signals',
    from: [{ bench: 'P2', summary: 'chain100 sync ours/alien' }],
    op: '<=',
    limit: 1.2,
    unit: '×',
  },
  {
    id: 'P2b',
    what: '100-deep chain, every hop in a worker, per wave',
    from: ['P2', 'P3', 'P12'].map((bench) => ({ bench, summary: 'P2b ms per wave' })),
    op: '<=',
    limit: 10,
    unit: 'ms',
  },
  {
    id: 'P3',
    what: 'small worker round trip via `pool.task` vs raw postMessage',
    from: ['P3', 'P12'].map((bench) => ({ bench, summary: 'round trip ours/postMessage' })),
    op: '<=',
    limit: 1.1,
    unit: '×',
  },
  {
    id: 'P3',
    what: 'worker cold start (pool + first call) vs raw `new Worker`',
    from: ['P3', 'P12'].map((bench) => ({ bench, summary: 'cold start ours/raw' })),
    op: '<=',
    limit: 1.1,
    unit: '×',
  },
  {
    id: 'P4',
    what: 'persist 1000 results vs idb-keyval `setMany`',
    from: [
      { bench: 'P4', summary: 'write ours/setMany' },
      { bench: 'P4', row: 'write 1000 small results', ratio: 'ours/setMany' },
    ],
    op: '<=',
    limit: 1.05,
    unit: '×',
  },
  {
    id: 'P4',
    what: 'sequential idb-keyval `set` / ours, 1000 results',
    from: [{ bench: 'P4', summary: 'sequential/ours' }],
    op: '>=',
    limit: 6,
    unit: '×',
  },
  {
    id: 'P5',
    what: 'session store writes 0.1–4 MB vs raw `setItem(JSON.stringify(x))`, worst',
    from: [{ bench: 'P5', summary: 'worst ours/raw' }],
    op: '<=',
    limit: 1.05,
    unit: '×',
  },
  {
    id: 'P7',
    what: 'group-by, first query on a new table (dictionary included) vs a hand-written loop, worst',
    from: [{ bench: 'P7', summary: 'worst first query ours/loop' }],
    op: '<=',
    limit: 2,
    unit: '×',
  },
  {
    id: 'P7',
    what: 'group-by, warm, vs a hand-written loop, worst',
    from: [
      { bench: 'P7', summary: 'worst warm ours/loop' },
      // Before the first query was measured, the only figure was the warm one.
      { bench: 'P7', summary: 'worst ours/loop' },
    ],
    op: '<=',
    limit: 1.2,
    unit: '×',
  },
  {
    id: 'P7',
    what: 'group-by, Arquero / ours, worst',
    from: [{ bench: 'P7', summary: 'worst arquero/ours' }],
    op: '>=',
    limit: 10,
    unit: '×',
  },
  {
    id: 'P8',
    what: 'one key asked by 50 callbacks in 4 tabs: executions',
    from: [{ bench: 'P8', summary: 'executions, 4 tabs' }],
    op: '==',
    limit: 1,
    unit: '',
  },
  {
    id: 'P8',
    what: 'follower / leader latency, worst',
    from: [{ bench: 'P8', summary: 'worst follower/compute' }],
    op: '<=',
    limit: 1.05,
    unit: '×',
  },
  {
    id: 'P9',
    what: '`createBoard` up front, min+brotli (`npx size-limit`)',
    from: [{ bench: 'P9', summary: 'core: createBoard, loaded up front' }],
    op: '<=',
    limit: 6.0,
    unit: 'kB',
  },
  {
    id: 'P10',
    what: 'brush → histograms, median vs crossfilter2, worst of the sizes that ran (3M, 10M, 30M; P10 notes list any that failed), sweep and jump',
    from: [{ bench: 'P10', summary: 'worst median ours/crossfilter2' }],
    op: '<=',
    limit: 0.25,
    unit: '×',
  },
  {
    id: 'P10',
    what: 'brush → histograms, p90 vs crossfilter2, worst',
    from: [{ bench: 'P10', summary: 'worst p90 ours/crossfilter2' }],
    op: '<=',
    limit: 0.25,
    unit: '×',
  },
  {
    id: 'P10',
    what: 'brush → histograms, our p90 / our median, worst',
    from: [{ bench: 'P10', summary: 'worst p90/median' }],
    op: '<=',
    limit: 2,
    unit: '×',
  },
  {
    id: 'P11',
    what: '1,000-item `MATCH` family + `ALL` summary, per wave vs 1,000 hand-written callbacks',
    from: [{ bench: 'P11', summary: 'per wave ours/hand-written' }],
    op: '<=',
    limit: 2,
    unit: '×',
  },
  {
    id: 'P11',
    what: '1,000-item family, one item changed, per wave',
    from: [{ bench: 'P11', summary: 'per wave ms' }],
    op: '<=',
    limit: 0.1,
    unit: 'ms',
  },
  {
    id: 'P11',
    what: 'adding an item to the family',
    from: [{ bench: 'P11', summary: 'add ms' }],
    op: '<=',
    limit: 0.2,
    unit: 'ms',
  },
  {
    id: 'P11',
    what: 'removing an item from the family',
    from: [{ bench: 'P11', summary: 'remove ms' }],
    op: '<=',
    limit: 0.2,
    unit: 'ms',
  },
]
