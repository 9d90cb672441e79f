/**
 * In real Chromium: the demo's flights loader fetching data/ through the site's Vite plugin,
 * and aggregation in a worker on a table held there by handle, as a crossfilter brush runs:
 *
 *   main ── load(baseUrl) ──► worker: loadFlights('200k') → keep(table)
 *   main ◄── handle (small) ──
 *   main ── pool.aggregate(handle, { by, measures, where }) ──► worker: aggregate(table, spec)
 *   main ◄── the histogram ──
 *
 * Every worker result is checked against `aggregate` on the main thread over the same file,
 * and that in turn against a plain loop.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loadFlights } from '../../demo/lib/flights'
import { aggregate, type Board, bin, count, createBoard, isHandle, max, mean } from '../../src/index'

const boards: Board[] = []
afterEach(() => {
  for (const b of boards.splice(0)) b.dispose()
})

describe('flights in the browser', () => {
  it('loadFlights("200k") decodes the Arrow file to typed columns', async () => {
    const t = await loadFlights('200k')
    expect(Object.keys(t)).toEqual(['delay', 'distance', 'time'])
    expect(t.delay).toBeInstanceOf(Int16Array)
    expect(t.delay!.length).toBe(200_000)
    // the delay histogram against a plain loop
    const delay = t.delay as Int16Array
    const ref = new Map<number, number>()
    for (const d of delay) ref.set(Math.floor(d / 60) * 60, (ref.get(Math.floor(d / 60) * 60) ?? 0) + 1)
    const keys = [...ref.keys()].sort((a, b) => a - b)
    expect(aggregate(t, { by: bin('delay', { step: 60 }), measures: { n: count() } })).toEqual({
      delay: keys,
      n: keys.map((k) => ref.get(k)),
    })
  })

  it('a brush on distance, answered by the worker holding the table: same as the main thread', async () => {
    const b = createBoard({ name: `agg-${Date.now()}`, version: 1 })
    boards.push(b)
    const pool = b.workers(() => new Worker(new URL('./flights.worker.ts', import.meta.url), { type: 'module' }))
    const handle = await pool.task('load')(document.baseURI)
    expect(isHandle(handle)).toBe(true)
    expect(JSON.stringify(handle).length).toBeLessThan(1024)

    const local = await loadFlights('200k')
    for (const brush of [{ gte: 0, lt: 500 }, { gte: 500, lt: 1500 }, undefined]) {
      const spec = {
        by: bin('time', { step: 1 }),
        measures: { n: count(), delay: mean('delay'), worst: max('delay') },
        where: { distance: brush },
      }
      const remote = await pool.aggregate(handle, spec)
      expect(remote).toEqual(aggregate(local, spec))
      expect((remote.n as number[]).reduce((a, x) => a + x, 0)).toBe(
        brush ? Array.from(local.distance as Int16Array).filter((d) => d >= brush.gte && d < brush.lt).length : 200_000,
      )
    }
  })

  it('an unknown column in the worker comes back as the AggregationError naming it', async () => {
    const b = createBoard({ name: `agg-err-${Date.now()}`, version: 1 })
    boards.push(b)
    const pool = b.workers(() => new Worker(new URL('./flights.worker.ts', import.meta.url), { type: 'module' }))
    const handle = await pool.task('load')(document.baseURI)
    const failure = await pool.aggregate(handle, { by: 'carrier', measures: { n: count() } }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(failure).toMatchObject({ code: 'unknown-column' })
    expect(String((failure as Error).message)).toContain('"carrier"')
  })
})
