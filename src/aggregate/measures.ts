/**
 * Measures: what `aggregate` computes per group. Plain data (`{ op, column }`), so a spec
 * can cross to a worker by structured clone and be a stable cache key.
 *
 * Missing values (null, undefined, NaN) are skipped by sum, mean, min and max, and by
 * `count(col)`; `count()` counts rows. Over no values: sum is 0, mean/min/max are null.
 */

/** One measure of a group. */
export interface Measure {
  readonly op: 'count' | 'sum' | 'mean' | 'min' | 'max'
  /** Absent for `count()` (rows). */
  readonly column?: string
}

/**
 * Rows per group; `count(col)` counts the rows where `col` is not missing.
 * @example aggregate(t, { by: 'origin', measures: { flights: count() } })
 */
export const count = (column?: string): Measure => (column === undefined ? { op: 'count' } : { op: 'count', column })

/** Sum of a numeric column per group, missing values skipped (0 when none). */
export const sum = (column: string): Measure => ({ op: 'sum', column })

/** Mean of a numeric column per group, missing values skipped (null when none). */
export const mean = (column: string): Measure => ({ op: 'mean', column })

/** Smallest value of a numeric column per group (null when none). */
export const min = (column: string): Measure => ({ op: 'min', column })

/** Largest value of a numeric column per group (null when none). */
export const max = (column: string): Measure => ({ op: 'max', column })
