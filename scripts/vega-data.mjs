// Vite plugin: the site's real data sets, straight from the vega-datasets package.
// `data/<file>` is served from node_modules/vega-datasets/data in dev and preview, and
// copied into the build's data/ folder, so pages fetch it by a relative URL wherever the
// site is put. Only the files named are exposed (not the whole package).
import { createReadStream, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

const dataDir = resolve(import.meta.dirname, '../node_modules/vega-datasets/data')

/** @param {string[]} files e.g. ['flights-200k.arrow', 'flights-3m.parquet'] */
export function vegaData(files = ['flights-200k.arrow', 'flights-3m.parquet']) {
  const serve = (req, res, next) => {
    const name = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^.*\/data\//, ''))
    if (!/\/data\//.test(req.url ?? '') || !files.includes(name)) return next()
    const file = resolve(dataDir, name)
    res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Length', String(statSync(file).size))
    // The bench pages are cross-origin isolated; a same-origin file needs nothing more.
    createReadStream(file).pipe(res)
  }
  return {
    name: 'switchboard-vega-data',
    configureServer(server) {
      server.middlewares.use(serve)
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve)
    },
    generateBundle() {
      for (const name of files) {
        this.emitFile({ type: 'asset', fileName: `data/${name}`, source: readFileSync(resolve(dataDir, name)) })
      }
    },
  }
}
