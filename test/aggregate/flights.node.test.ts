/**
 * Real data nobody here wrote: vega-datasets' flights. Every aggregate is checked against a
 * plain reference loop over the same values (a Map per group, no typed-array tricks), so a
 * wrong answer cannot hide behind a number copied from our own output.
 *
 *   flights-200k.arrow   200 000 rows: delay (Int16), distance (Int16), time (Float32)
 *   flights-3m.parquet   the first 60 000 rows: date, delay, distance (INT64), origin,
 *                        destination (text); ZSTD, hence hyparquet-compressors
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { tableFromIPC, tableFromJSON } from 'apache-arrow'
import { parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { beforeAll, describe, expect, it } from 'vitest'
import { aggregate, bin, count, downsample, max, mean, min, sum, topK } from '../../src/index'

// vega-datasets' exports map hides data/, so the path is spelled out from the repo root.
const dataDir = (file: string) => resolve(import.meta.dirname, '../../node_modules/vega-datasets/data', file)

/** The reference: group rows by `key(i)`, reduce `value(i)` with count, sum, min, max. */
function reference(
  n: number,
  key: (i: number) => unknown,
  value: (i: number) => number,
  keep: (i: number) => boolean = () => true,
) {
  const groups = new Map<unknown, { n: number; sum: number; min: number; max: number }>()
  for (let i = 0; i < n; i++) {
    if (!keep(i)) continue
    const k = key(i)
    const v = value(i)
    const g = groups.get(k) ?? { n: 0, sum: 0, min: Infinity, max: -Infinity }
    g.n++
    g.sum += v
    g.min = Math.min(g.min, v)
    g.max = Math.max(g.max, v)
    groups.set(k, g)
  }
  const keys = [...groups.keys()].sort((a, b) => ((a as number) < (b as number) ? -1 : 1))
  const col = (f: (g: { n: number; sum: number; min: number; max: number }) => number) =>
    keys.map((k) => f(groups.get(k)!))
  return {
    keys,
    n: col((g) => g.n),
    sum: col((g) => g.sum),
    mean: col((g) => g.sum / g.n),
    min: col((g) => g.min),
    max: col((g) => g.max),
  }
}

describe('flights-200k.arrow (an apache-arrow Table)', () => {
  const table = tableFromIPC(readFileSync(dataDir('flights-200k.arrow')))
  const delay = table.getChild('delay')!.toArray() as Int16Array
  const distance = table.getChild('distance')!.toArray() as Int16Array
  const time = table.getChild('time')!.toArray() as Float32Array

  it('has the shape this test expects', () => {
    expect(table.numRows).toBe(200_000)
    expect(table.schema.fields.map((f) => f.name)).toEqual(['delay', 'distance', 'time'])
  })

  it('delay histogram (step 15) with mean distance and max time, inside a distance brush', () => {
    const where = { distance: { gte: 300, lt: 1200 } }
    const r = aggregate(table, {
      by: bin('delay', { step: 15 }),
      measures: { n: count(), dist: mean('distance'), late: max('time') },
      where,
    })
    const distRef = reference(
      200_000,
      (i) => Math.floor(delay[i]! / 15) * 15,
      (i) => distance[i]!,
      (i) => distance[i]! >= 300 && distance[i]! < 1200,
    )
    const timeRef = reference(
      200_000,
      (i) => Math.floor(delay[i]! / 15) * 15,
      (i) => time[i]!,
      (i) => distance[i]! >= 300 && distance[i]! < 1200,
    )
    expect(r.delay).toEqual(distRef.keys)
    expect(r.n).toEqual(distRef.n)
    const dist = r.dist as number[]
    distRef.mean.forEach((m, g) => expect(dist[g]).toBeCloseTo(m, 9))
    expect(r.late).toEqual(timeRef.max)
  })

  it('group by an integer column: every distinct distance, sum and min of delay', () => {
    const r = aggregate(table, { by: 'distance', measures: { total: sum('delay'), best: min('delay') } })
    const ref = reference(
      200_000,
      (i) => distance[i],
      (i) => delay[i]!,
    )
    expect(r.distance).toEqual(ref.keys)
    expect(r.total).toEqual(ref.sum)
    expect(r.best).toEqual(ref.min)
  })

  it('topK and downsample agree with a sort', () => {
    const top = topK(table, 5, 'delay')
    const sorted = Array.from(delay)
      .sort((a, b) => b - a)
      .slice(0, 5)
    expect(top.delay).toEqual(sorted)
    // time of day vs delay, first 1000 rows sorted by time: 50 points, ends kept
    const idx = Array.from({ length: 1000 }, (_, i) => i).sort((a, b) => time[a]! - time[b]! || a - b)
    const series = { t: idx.map((i) => time[i]!), d: idx.map((i) => delay[i]!) }
    const ds = downsample(series, { x: 't', y: 'd', n: 50 })
    expect(ds.x).toHaveLength(50)
    expect([ds.x[0], ds.x[49]]).toEqual([series.t[0], series.t[999]])
  })
})

describe('flights-3m.parquet, first 60 000 rows (row objects from hyparquet)', () => {
  let rows: Record<string, unknown>[] = []
  beforeAll(async () => {
    const buf = readFileSync(dataDir('flights-3m.parquet'))
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
    rows = await parquetReadObjects({ file, rowStart: 0, rowEnd: 60_000, compressors })
  })

  it('mean and max delay per origin (text keys, bigint values) within a set of origins', () => {
    const origins = ['ATL', 'ORD', 'DFW', 'LAX', 'SFO', 'NOPE']
    const r = aggregate(rows, {
      by: 'origin',
      measures: { n: count(), delay: mean('delay'), worst: max('delay') },
      where: { origin: { in: origins } },
    })
    const ref = reference(
      rows.length,
      (i) => rows[i]!.origin,
      (i) => Number(rows[i]!.delay),
      (i) => origins.includes(rows[i]!.origin as string),
    )
    expect(r.origin).toEqual(ref.keys)
    expect(r.n).toEqual(ref.n)
    ;(r.delay as number[]).forEach((m, g) => expect(m).toBeCloseTo(ref.mean[g]!, 9))
    expect(r.worst).toEqual(ref.max)
    expect(ref.keys.length).toBe(5) // the five real airports are all in the slice
  })

  it('flights per hour of day from the timestamp column (Dates binned by an hour of ms)', () => {
    const hour = 3_600_000
    const r = aggregate(rows, { by: bin('date', { step: hour }), measures: { n: count() } })
    const ref = reference(
      rows.length,
      (i) => Math.floor((rows[i]!.date as Date).getTime() / hour) * hour,
      () => 0,
    )
    expect(r.date).toEqual(ref.keys)
    expect(r.n).toEqual(ref.n)
  })
})

describe('apache-arrow tables built in memory', () => {
  it('dictionary-encoded strings, nulls in keys and values, timestamps', () => {
    // carrier  delay  at (ms)
    //   UA       10      0
    //   null      5   3 600 000
    //   AA     null   7 200 000
    //   UA       20  10 800 000
    const t = tableFromJSON([
      { carrier: 'UA', delay: 10, at: new Date(0) },
      { carrier: null, delay: 5, at: new Date(3_600_000) },
      { carrier: 'AA', delay: null, at: new Date(7_200_000) },
      { carrier: 'UA', delay: 20, at: new Date(10_800_000) },
    ])
    // AA: 1 row, no delay → sum 0, mean null; UA: 2 rows, 30, 15; null key: 1 row, 5
    expect(aggregate(t, { by: 'carrier', measures: { n: count(), s: sum('delay'), m: mean('delay') } })).toEqual({
      carrier: ['AA', 'UA', null],
      n: [1, 2, 1],
      s: [0, 30, 5],
      m: [null, 15, 5],
    })
    // two-hour bins of the timestamp: [0, 2h): rows 1, 2; [2h, 4h): rows 3, 4
    expect(aggregate(t, { by: bin('at', { step: 7_200_000 }), measures: { n: count() } })).toEqual({
      at: [0, 7_200_000],
      n: [2, 2],
    })
  })
})
