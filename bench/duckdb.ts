// DuckDB-WASM 1.32, the peer a user would pick instead of us, for benches P7 and P10.
//
//   its `eh` bundle (wasm + worker script) from node_modules, emitted into the bench page's
//   build by Vite's `?url` imports, so nothing is fetched from a CDN
//   tables inserted as Arrow IPC streams (its parquet reader is an extension downloaded at
//   run time, which an offline page cannot use), in chunks of rows, so no single IPC buffer
//   the size of the whole table is built
//
// Single-threaded (the eh build has no pthreads), as a user gets it from `selectBundle`
// on a page that is not cross-origin isolated.
import * as duckdb from '@duckdb/duckdb-wasm'
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url'
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url'
import { tableFromArrays, tableToIPC } from 'apache-arrow'

type Numbers = Float64Array | Float32Array | Int32Array | Int16Array

export interface Duck {
  /** Inserts columns as table `name` (replacing it), CHUNK rows per IPC stream. */
  insert(name: string, columns: Record<string, Numbers>): Promise<void>
  /** Runs SQL; every result column as numbers (BIGINT counts converted). */
  query(sql: string): Promise<Record<string, number[]>>
  drop(name: string): Promise<void>
  close(): Promise<void>
}

const CHUNK = 1 << 20

export async function openDuckDB(): Promise<Duck> {
  const worker = new Worker(ehWorker)
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker)
  await db.instantiate(ehWasm)
  const conn = await db.connect()
  return {
    async insert(name, columns) {
      await conn.query(`DROP TABLE IF EXISTS ${name}`)
      const rows = Object.values(columns)[0]?.length ?? 0
      for (let at = 0; at < rows; at += CHUNK) {
        const part: Record<string, Numbers> = {}
        for (const [k, v] of Object.entries(columns)) part[k] = v.subarray(at, Math.min(rows, at + CHUNK))
        const ipc = tableToIPC(tableFromArrays(part), 'stream')
        await conn.insertArrowFromIPCStream(ipc, { name, create: at === 0 })
      }
    },
    async query(sql) {
      const table = await conn.query(sql)
      const out: Record<string, number[]> = {}
      for (const field of table.schema.fields) {
        const column = table.getChild(field.name)!
        out[field.name] = Array.from(column.toArray() as ArrayLike<number | bigint>, Number)
      }
      return out
    },
    async drop(name) {
      await conn.query(`DROP TABLE IF EXISTS ${name}`)
    },
    async close() {
      await conn.close()
      await db.terminate()
    },
  }
}

/** An out-of-memory (or any other) failure of DuckDB as one line for the bench notes. */
export const duckFailure = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 200)
