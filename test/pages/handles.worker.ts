import { exposeTasks, keep } from 'switchboard/worker'

exposeTasks({
  /** n, n-1, …, 1 kept here and in IndexedDB: another tab's worker can read it. */
  make: (n: number) =>
    keep(
      Float64Array.from({ length: n }, (_, i) => n - i),
      { persist: true },
    ),
  total: (xs: Float64Array) => xs.reduce((a, b) => a + b, 0),
  /** For the F19 heap page: a small result, and a small column kept in memory only. */
  double: (x: number) => x * 2,
  keepColumn: (n: number) => keep(Float64Array.from({ length: n }, (_, i) => i)),
})
