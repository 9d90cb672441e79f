/**
 * The flights data of vega-datasets, fetched from the site's data/ folder (scripts/vega-data.mjs
 * serves it in dev and copies it into the build) and decoded to a columnar table that
 * `aggregate` reads directly and that crosses to a worker by transfer.
 *
 *   '200k'  data/flights-200k.arrow   1.6 MB, 200 000 rows (apache-arrow)
 *           delay     Int16Array    minutes late (negative: early)
 *           distance  Int16Array    miles
 *           time      Float32Array  hour of day of departure, 0–24
 *   '3m'    data/flights-3m.parquet   13 MB, 3 000 000 rows, US flights of 2001 (hyparquet, ZSTD)
 *           date      Float64Array  departure, epoch ms (the file's local time read as UTC)
 *           time      Float32Array  hour of day of departure, 0–24, as in the 200k file
 *           delay     Float64Array  minutes late
 *           distance  Float64Array  miles
 *           origin, destination  string[]  airport codes; only when asked for in `columns`
 *                                           (3 million strings are slow to decode and to copy)
 *
 * Works in a window and in a worker (fetch and both decoders are DOM-free); a worker has
 * no document, so pass `baseUrl` (the page's `document.baseURI`).
 */
import { tableFromIPC } from 'apache-arrow'
import { parquetMetadata, parquetRead } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

export type FlightsSize = '200k' | '3m'

/** Every column of the 3m file and what `loadFlights` derives from it. */
type FlightsColumn = 'date' | 'time' | 'delay' | 'distance' | 'origin' | 'destination'

export interface LoadFlightsOptions {
  /** URL the data/ folder is relative to; default `document.baseURI`. */
  baseUrl?: string
  /** 3m only: which columns to decode; default date, time, delay, distance. */
  columns?: readonly FlightsColumn[]
  signal?: AbortSignal
}

/** A columnar table: column name → typed array (or string[] for airport codes). */
export type FlightsTable = Record<string, Int16Array | Float32Array | Float64Array | string[]>

const files: Record<FlightsSize, string> = { '200k': 'flights-200k.arrow', '3m': 'flights-3m.parquet' }

/**
 * Fetches and decodes one of the flights files.
 *
 * @example
 * const flights = await loadFlights('200k')
 * aggregate(flights, { by: bin('delay', { step: 10 }), measures: { n: count() } })
 */
export async function loadFlights(size: FlightsSize, options: LoadFlightsOptions = {}): Promise<FlightsTable> {
  const base = options.baseUrl ?? (typeof document !== 'undefined' ? document.baseURI : undefined)
  if (base === undefined) throw new Error('loadFlights in a worker needs options.baseUrl (the page URL)')
  const url = new URL(`data/${files[size]}`, base)
  const response = await fetch(url, options.signal ? { signal: options.signal } : {})
  if (!response.ok) throw new Error(`loadFlights: ${url} answered ${response.status}`)
  const buffer = await response.arrayBuffer()
  return size === '200k'
    ? fromArrow(buffer)
    : fromParquet(buffer, options.columns ?? ['date', 'time', 'delay', 'distance'])
}

function fromArrow(buffer: ArrayBuffer): FlightsTable {
  const table = tableFromIPC(new Uint8Array(buffer))
  const out: FlightsTable = {}
  for (const field of table.schema.fields) {
    out[field.name] = table.getChild(field.name)!.toArray() as Int16Array | Float32Array
  }
  return out
}

async function fromParquet(file: ArrayBuffer, wanted: readonly FlightsColumn[]): Promise<FlightsTable> {
  const metadata = parquetMetadata(file)
  const rows = Number(metadata.num_rows)
  const out: FlightsTable = {}
  const numeric = (name: string) => (out[name] ??= new Float64Array(rows)) as Float64Array
  const text = (name: string) => (out[name] ??= new Array<string>(rows)) as string[]
  const read = new Set<string>(wanted.filter((c) => c !== 'time'))
  if (wanted.includes('time')) read.add('date')
  // Column chunks arrive per row group; copy each into its place as it is decoded.
  await parquetRead({
    file,
    metadata,
    compressors,
    columns: [...read],
    onChunk({ columnName, columnData, rowStart }) {
      const n = columnData.length
      if (columnName === 'origin' || columnName === 'destination') {
        const col = text(columnName)
        for (let i = 0; i < n; i++) col[rowStart + i] = columnData[i] as string
        return
      }
      const col = numeric(columnName)
      for (let i = 0; i < n; i++) {
        const v = columnData[i] as number | bigint | Date
        col[rowStart + i] = v instanceof Date ? v.getTime() : Number(v)
      }
    },
  })
  if (wanted.includes('time')) {
    const date = out.date as Float64Array
    const time = new Float32Array(rows)
    for (let i = 0; i < rows; i++) time[i] = (((date[i]! % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000
    out.time = time
    if (!wanted.includes('date')) delete out.date
  }
  return out
}
