// Byte breakdown of what `import { createBoard }` pays up front (issue 13 P9, docs/size.md).
//   node scripts/size-breakdown.mjs            from src/ (per source module)
//   node scripts/size-breakdown.mjs --dist     from dist/switchboard.js (what size-limit measures)
// Same recipe as size-limit's esbuild preset: bundle, minify, dynamic imports left out, brotli.
// Brotli does not add up per module; the per-module column is the module's minified bytes times
// the bundle's brotli ratio (an estimate to rank by, the total is exact).

import { resolve } from 'node:path'
import { brotliCompressSync, constants } from 'node:zlib'
import { build } from 'esbuild'

const root = resolve(import.meta.dirname, '..')
const fromDist = process.argv.includes('--dist')
const entry = fromDist ? './dist/switchboard.js' : './src/index.ts'
const lazyChunksStayOut = {
  name: 'lazy-chunks-stay-out',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined))
  },
}
const result = await build({
  stdin: {
    contents: `import { createBoard } from '${entry}'\nconsole.log(createBoard)`,
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  minify: true,
  write: false,
  format: 'esm',
  metafile: true,
  platform: 'browser',
  plugins: [lazyChunksStayOut],
  logLevel: 'silent',
})
const code = result.outputFiles[0].contents
const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
const ratio = br / code.length
const inputs = Object.values(result.metafile.outputs)[0].inputs
const rows = Object.entries(inputs)
  .map(([path, { bytesInOutput }]) => [path, bytesInOutput])
  .filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1])
for (const [path, n] of rows)
  console.log(`${String(n).padStart(6)} min  ~${String(Math.round(n * ratio)).padStart(5)} br  ${path}`)
console.log(
  `${String(code.length).padStart(6)} min  ${String(br).padStart(6)} br  total (${(br / 1000).toFixed(2)} kB)`,
)
if (process.argv.includes('--out')) process.stdout.write(`\n${new TextDecoder().decode(code)}\n`)
