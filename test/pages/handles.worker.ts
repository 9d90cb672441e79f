import { exposeTasks, keep } from 'switchboard/worker'

exposeTasks({
  /** n, n-1, …, 1 kept here and in IndexedDB: another tab's worker can read it. */
  make: (n: number) => keep(Float64Array.from({ length: n }, (_, i) => n - i), { persist: true }),
  total: (xs: Float64Array) => xs.reduce((a, b) => a + b, 0),
})
