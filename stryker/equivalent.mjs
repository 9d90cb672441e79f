// Equivalent mutants (bench/mutation-equivalent.json): survivors no test can kill, each with
// one line why. Shared by scripts/mutate.mjs (the merge) and stryker/ranges.mjs (what is open).
// An entry names file, line, mutator, and optionally replacement and column (report columns,
// from 1): a line holding several mutants of one kind names the one that is equivalent.
import { existsSync, readFileSync } from 'node:fs'

/** @param {string} path @returns {Array<{file: string, line: number, column?: number, mutator: string, replacement?: string, why: string}>} */
export const readEquivalents = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : [])

/**
 * The entry that names mutant `m`, if any.
 * @param {ReturnType<typeof readEquivalents>} list
 * @param {{file: string, line: number, column: number, mutator: string, replacement?: string}} m
 */
export const equivalentOf = (list, m) =>
  list.find(
    (e) =>
      e.file === m.file &&
      e.line === m.line &&
      e.mutator === m.mutator &&
      (e.column === undefined || e.column === m.column) &&
      (e.replacement === undefined || e.replacement === m.replacement),
  )
