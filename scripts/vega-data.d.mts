import type { Plugin } from 'vite'
/** Serves and emits `data/<file>` from vega-datasets for the named files. */
export function vegaData(files?: string[]): Plugin
