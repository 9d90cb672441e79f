// Size budget (`npm test` runs it on the built dist/). Brotli, minified, dependencies included.
// Persistence (codecs, IndexedDB, idb-keyval), sessions and cross-tab sync, the cache and the
// worker pool are loaded by dynamic import on first use: the first entry is what a page pays
// up front (a memory-only board), the second what it pays once it uses all of them.
//
// P9 asks <= 6 KB up front and is missed: issue 10's safety work took it from 5.99 to 6.43 KB,
// issue 12 and 14 to 7.51 KB (status stream, hosts, testing registry), issue 13's hot path to
// 7.79 KB, and issue 15's pattern ids to 9.57 KB (object ids, board.remove, incremental ranks
// in board.ts and topology.ts; the pattern engine itself loads only with a wildcard import).
// Issue 13 P9 brought it to 9.16 KB: the worker pools' host now loads with the pool's code,
// the pattern engine's host with the engine, and the board is its stores' host; the same
// wave's scheduler hot path (the single output written by its run, RunContext's fields) put
// 61 B back: 9,224 B at the merge. What is up
// front is called synchronously (store, callback, remove, inspect, status, session.id,
// workers), so it cannot load lazily as the API stands: docs/size.md has the bytes per module
// and per feature, and the design that would meet 6 KB. Limits: the sizes measured plus about
// 3%; the first one with no slack, so any growth shows.
// A lazy chunk's file name carries a hash of its content (`./kept-DwpHzAus.js`), and the
// up-front code names it in its import(): a change to lazy code alone moved the up-front
// figure by a few bytes either way (wave 8: +5 B from a fix in src/sync, which loads lazily).
// The names are measured with a fixed hash of the same length, so this figure moves only
// with what is up front.
const lazyChunksStayOut = {
  name: 'lazy-chunks-stay-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (a) =>
      a.kind === 'dynamic-import'
        ? { path: a.path.replace(/-[\w-]{8}\.js$/, '-xxxxxxxx.js'), external: true }
        : undefined,
    )
  },
}
const upFront = (config) => ({ ...config, plugins: [...(config.plugins ?? []), lazyChunksStayOut] })

export default [
  {
    name: 'core: createBoard, loaded up front',
    path: 'dist/switchboard.js',
    import: '{ createBoard }',
    modifyEsbuildConfig: upFront,
    // 9,224 B with the real hashed names at the last merge; 9,200 B with them fixed (wave 8).
    limit: '9200 B',
  },
  {
    name: 'core with storage, sessions, the cache and the worker pool loaded',
    path: 'dist/switchboard.js',
    import: '{ createBoard }',
    limit: '27.6 KB',
  },
  {
    name: 'everything in `switchboard` (script tag, Switchboard global)',
    path: 'dist/switchboard.iife.js',
    limit: '39.2 KB',
  },
  {
    name: 'switchboard/worker (script tag, SwitchboardWorker global)',
    path: 'dist/switchboard.worker.iife.js',
    limit: '13.4 KB',
  },
  {
    name: 'switchboard/preact (preact itself excluded)',
    path: 'dist/preact.js',
    import: '*',
    ignore: ['preact'],
    // 1.57 KB until the summing of a pattern callback's instances moved to the core (board.status).
    limit: '1.4 KB',
  },
  {
    name: 'switchboard/devtools (preact excluded, dagre included)',
    path: 'dist/devtools.js',
    import: '*',
    ignore: ['preact'],
    // 19.81 KB before issue 14 §3; the shadow root, zoom and pan took it to 21.25 KB, issue 15's
    // family boxes to 23.01 KB.
    limit: '23.7 KB',
  },
]
