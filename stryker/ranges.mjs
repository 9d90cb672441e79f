// Prints a STRYKER_MUTATE value (comma-separated `file:start-end` line ranges) that covers
// every mutant no run has detected yet: survived or without coverage in any report in
// reports/mutation/, and not killed or timed out in another (reports of an older version of
// a file are left out for that file, as in the merge). A browser run given it tests
// only what the node runs left (the merge keeps each mutant's strongest status).
//
//   node stryker/ranges.mjs [--only src/graph,src/cache] [--skip src/graph/kept.ts]
//   node stryker/ranges.mjs --only src/storage --sample 0.1 --seed 1 --name storage
//
// --sample p: a simple random sample (seeded: --seed) of a fraction p of those mutants, for a
// part too big to run whole in a browser (a few mutants a minute on two cores). Each sampled
// mutant is named by its exact span (`file:line:col-line:col`), so Stryker also mutates what
// lies inside that span; the sample's own list goes to reports/mutation/sample-<name>.json,
// and scripts/mutate.mjs estimates the part's kill rate from the sampled mutants alone.
// The frame is the mutants spanning at most two lines: a whole block's span would pull in
// every mutant inside it (block removals, the mutants left out, are the easiest to kill, so
// the estimate errs low). --any-span drops that limit (with --sample 1: re-check every open
// mutant by its exact span).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Instrumenter } from '@stryker-mutator/instrumenter'
import { equivalentOf, readEquivalents } from './equivalent.mjs'

const args = process.argv.slice(2)
const listArg = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1].split(',').filter(Boolean) : []
}
const only = listArg('--only')
const valueArg = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const fraction = valueArg('--sample') === undefined ? undefined : Number(valueArg('--sample'))
const seed = Number(valueArg('--seed') ?? 1)
const sampleName = valueArg('--name') ?? 'sample'
const skip = listArg('--skip')
const dir = 'reports/mutation'
const status = new Map() // file\0line:col\0mutator\0replacement -> { detected, line, endLine, file }
for (const name of readdirSync(dir).filter((n) => /^(node|browser)-.+\.json$/.test(n))) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
  for (const [file, f] of Object.entries(report.files ?? {})) {
    // As the merge does (scripts/mutate.mjs): a report of an older version of the file names other lines.
    if (f.source !== undefined && (!existsSync(file) || f.source !== readFileSync(file, 'utf8'))) continue
    for (const m of f.mutants) {
      const key = [file, `${m.location.start.line}:${m.location.start.column}`, m.mutatorName, m.replacement].join('\0')
      const detected = m.status === 'Killed' || m.status === 'Timeout'
      const open = m.status === 'Survived' || m.status === 'NoCoverage'
      const prev = status.get(key)
      status.set(key, {
        file,
        key,
        mutator: m.mutatorName,
        replacement: m.replacement,
        start: m.location.start,
        end: m.location.end,
        line: m.location.start.line,
        endLine: m.location.end.line,
        detected: (prev?.detected ?? false) || detected,
        open: (prev?.open ?? false) || open,
      })
    }
  }
}
// With --sample: every mutant Stryker would make in the files asked for that no report holds
// is open (a file no run mutated, or the rest of one a run mutated by spans only: a sample
// run's report holds its spans alone). Listed by Stryker's own instrumenter, so spans and
// names match a run's report.
if (args.includes('--sample')) {
  const sources = (d) =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(d, e.name)) : /\.tsx?$/.test(e.name) ? [join(d, e.name)] : [],
    )
  const unrun = only
    .filter((p) => existsSync(p))
    .flatMap((p) => (p.endsWith('.ts') ? [p] : sources(p)))
    .filter((f) => !skip.some((p) => f.startsWith(p)))
  if (unrun.length) {
    const quiet = () => undefined
    const logger = new Proxy({}, { get: (_, k) => (String(k).startsWith('is') ? () => false : quiet) })
    const { mutants } = await new Instrumenter(logger).instrument(
      unrun.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true })),
      { plugins: null, excludedMutations: [], ignorers: [], noHeader: false },
    )
    let unmeasured = 0
    for (const m of mutants) {
      // The instrumenter counts lines and columns from 0; reports from 1.
      const start = { line: m.location.start.line + 1, column: m.location.start.column + 1 }
      const end = { line: m.location.end.line + 1, column: m.location.end.column + 1 }
      const key = [m.fileName, `${start.line}:${start.column}`, m.mutatorName, m.replacement].join('\0')
      if (status.has(key)) continue // a report has it: its status stands
      unmeasured++
      status.set(key, {
        file: m.fileName,
        key,
        mutator: m.mutatorName,
        replacement: m.replacement,
        start,
        end,
        line: start.line,
        endLine: end.line,
        detected: false,
        open: true,
      })
    }
    console.error(`${unrun.length} files instrumented: ${mutants.length} mutants, ${unmeasured} of them in no report`)
  }
}
// Equivalent mutants (bench/mutation-equivalent.json) are not open: nothing can kill them.
const equivalents = readEquivalents('bench/mutation-equivalent.json')
const isEquivalent = (m) => equivalentOf(equivalents, { ...m, column: m.start.column }) !== undefined
const open = [...status.values()].filter(
  (m) =>
    !isEquivalent(m) &&
    !m.detected &&
    m.open &&
    (!only.length || only.some((p) => m.file.startsWith(p))) &&
    !skip.some((p) => m.file.startsWith(p)),
)
if (fraction !== undefined) {
  if (!(fraction > 0 && fraction <= 1))
    throw new Error(`stryker/ranges.mjs: --sample wants a fraction in (0, 1], not "${valueArg('--sample')}".`)
  // mulberry32: the same seed draws the same sample.
  let a = seed >>> 0
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const frame = open
    .filter((m) => args.includes('--any-span') || m.end.line - m.start.line <= 1)
    .sort((x, y) => (x.key < y.key ? -1 : 1))
  for (let i = frame.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[frame[i], frame[j]] = [frame[j], frame[i]]
  }
  const picked = frame.slice(0, Math.max(1, Math.round(fraction * frame.length)))
  // Report columns count from 1; a mutate range's columns count from 0.
  const ranges = picked.map((m) => `${m.file}:${m.start.line}:${m.start.column - 1}-${m.end.line}:${m.end.column - 1}`)
  writeFileSync(
    join(dir, `sample-${sampleName}.json`),
    `${JSON.stringify(
      {
        seed,
        fraction,
        anySpan: args.includes('--any-span'),
        openMutants: open.length,
        frame: frame.length,
        files: [...new Set(frame.map((m) => m.file))].sort(),
        // file:line:column:mutator:replacement, as scripts/mutate.mjs names a mutant.
        frameKeys: frame.map((m) => `${m.file}:${m.start.line}:${m.start.column}:${m.mutator}:${m.replacement ?? ''}`),
        sampled: picked.map(({ file, start, mutator, replacement }) => ({
          file,
          line: start.line,
          column: start.column,
          mutator,
          replacement,
        })),
      },
      null,
      2,
    )}\n`,
  )
  console.error(
    `${picked.length} of ${frame.length} open mutants sampled (${open.length} open in all); list in ${dir}/sample-${sampleName}.json`,
  )
  // Not process.exit: it would cut a piped stdout short.
  console.log([...new Set(ranges)].join(','))
} else printRanges()

function printRanges() {
  const byFile = new Map()
  for (const m of open) {
    const list = byFile.get(m.file) ?? []
    list.push([m.line, m.endLine])
    byFile.set(m.file, list)
  }
  const out = []
  for (const [file, list] of [...byFile].sort()) {
    list.sort((a, b) => a[0] - b[0])
    const merged = []
    for (const [s, e] of list) {
      const last = merged[merged.length - 1]
      if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e)
      else merged.push([s, e])
    }
    for (const [s, e] of merged) out.push(`${file}:${s}-${e}`)
  }
  console.error(
    `${[...byFile.values()].reduce((a, l) => a + l.length, 0)} open mutants in ${byFile.size} files, ${out.length} ranges`,
  )
  console.log(out.join(','))
}
