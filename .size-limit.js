// Size budget (`npm test` runs it on the built dist/). Brotli, minified, dependencies included.
// The cache and the worker pool are loaded by dynamic import on first use: the first entry
// is what a page pays up front, the second what it pays once it uses both.
const lazyChunksStayOut = {
  name: 'lazy-chunks-stay-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined))
  },
}
const upFront = (config) => ({ ...config, plugins: [...(config.plugins ?? []), lazyChunksStayOut] })

export default [
  {
    name: 'core: createBoard, loaded up front',
    path: 'dist/switchboard.js',
    import: '{ createBoard }',
    modifyEsbuildConfig: upFront,
    limit: '11 KB',
  },
  { name: 'core with the cache and worker pool loaded', path: 'dist/switchboard.js', import: '{ createBoard }', limit: '21 KB' },
  { name: 'everything in `switchboard` (script tag, Switchboard global)', path: 'dist/switchboard.iife.js', limit: '28.5 KB' },
  { name: 'switchboard/worker (script tag, SwitchboardWorker global)', path: 'dist/switchboard.worker.iife.js', limit: '14 KB' },
  { name: 'switchboard/preact (preact itself excluded)', path: 'dist/preact.js', import: '*', ignore: ['preact'], limit: '1.5 KB' },
]
